"""Read a chapter's title, summary, learning goals and estimated time from its notebook."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

__all__ = ["ChapterMeta", "chapter_meta", "find_chapters", "repo_notebooks_dir"]

_CHAPTER_FILE = re.compile(r"^(\d\d)_[a-z0-9_]+\.ipynb$")


@dataclass(frozen=True)
class ChapterMeta:
    """What the course index shows about one chapter (made by :func:`chapter_meta`).

    Parameters
    ----------
    number : str
        Two-digit chapter number, e.g. ``"03"``.
    path : pathlib.Path
        The notebook file.
    title : str
        The title after ``# Chapter N —``.
    summary : str
        The first sentence of the overview paragraph.
    overview : str
        The whole overview paragraph.
    goals : list of str, default=[]
        The learning-goal bullets.
    minutes : int or None, default=None
        The estimated time, if the chapter states one.

    Examples
    --------
    >>> from pathlib import Path
    >>> meta = ChapterMeta("03", Path("03_rfm_segmentation.ipynb"), "RFM segmentation", "Who buys.", "Who buys.")
    >>> meta.slug, meta.goals
    ('03_rfm_segmentation', [])
    """

    number: str
    path: Path
    title: str
    summary: str
    overview: str
    goals: list[str] = field(default_factory=list)
    minutes: int | None = None

    @property
    def slug(self) -> str:
        """File stem of the chapter, e.g. ``03_rfm_segmentation``."""
        return self.path.stem


def repo_notebooks_dir() -> Path:
    """Return the ``notebooks/`` folder of the repository crmlab was imported from.

    Returns
    -------
    pathlib.Path
        The folder next to the ``crmlab`` package (it exists in a source checkout).

    Examples
    --------
    >>> repo_notebooks_dir().name
    'notebooks'
    """
    return Path(__file__).resolve().parents[2] / "notebooks"


def find_chapters(folder: str | Path | None = None) -> list[Path]:
    """Return the chapter notebooks (``NN_name.ipynb``) in ``folder``, in chapter order.

    Parameters
    ----------
    folder : str or Path, optional
        Defaults to the repository's ``notebooks/`` folder.

    Returns
    -------
    list of pathlib.Path
        The notebooks whose names start with two digits and an underscore, sorted.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     for name in ("01_value.ipynb", "00_start.ipynb", "notes.ipynb"):
    ...         _ = (Path(tmp) / name).write_text("{}")
    ...     [p.name for p in find_chapters(tmp)]
    ['00_start.ipynb', '01_value.ipynb']
    """
    folder = Path(folder) if folder is not None else repo_notebooks_dir()
    return sorted(p for p in folder.glob("*.ipynb") if _CHAPTER_FILE.match(p.name))


def _first_sentence(text: str) -> str:
    match = re.match(r"(.+?(?:[.!?](?=\s|$)|[。！？]))", text.strip(), flags=re.S)
    return (match.group(1) if match else text).strip()


def chapter_meta(path: str | Path) -> ChapterMeta:
    r"""Parse the course metadata of one chapter notebook (English or its Chinese edition).

    Parameters
    ----------
    path : str or Path
        A chapter notebook following the course conventions.

    Returns
    -------
    ChapterMeta

    Raises
    ------
    ValueError
        If the first cell is not a ``# Chapter N — Title`` markdown cell.

    Examples
    --------
    >>> import tempfile
    >>> nb = nbformat.v4.new_notebook()
    >>> first = "# Chapter 3 — RFM segmentation\n\nWho bought recently. Often.\n\n**Estimated time:** 90 minutes"
    >>> nb.cells = [nbformat.v4.new_markdown_cell(first)]
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     nbformat.write(nb, Path(tmp) / "03_rfm.ipynb")
    ...     meta = chapter_meta(Path(tmp) / "03_rfm.ipynb")
    >>> meta.number, meta.title, meta.summary, meta.minutes
    ('03', 'RFM segmentation', 'Who bought recently.', 90)
    """
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    markdown = [c.source for c in nb.cells if c.cell_type == "markdown"]
    if not markdown or not markdown[0].lstrip().startswith("# "):
        raise ValueError(f"chapter_meta(): {path.name} must start with a '# Chapter N — Title' markdown cell.")
    lines = markdown[0].strip().splitlines()
    title = re.sub(r"^#\s*((Chapter\s+\d+|第\s*\d+\s*章)\s*[—:：-]\s*)?", "", lines[0]).strip()
    paragraphs = [p.strip() for p in "\n".join(lines[1:]).split("\n\n") if p.strip()]
    overview = next((p for p in paragraphs if not p.startswith("**")), "")
    minutes = None
    time_match = re.search(r"\*\*(?:Estimated time:|预计用时：)\*\*\s*(\d+)", markdown[0])
    if time_match:
        minutes = int(time_match.group(1))
    goals: list[str] = []
    for source in markdown:
        if source.lstrip().startswith(("## Learning goals", "## 学习目标")):
            goals = [
                re.sub(r"^\s*[-*]\s+", "", ln).strip() for ln in source.splitlines() if re.match(r"^\s*[-*]\s+", ln)
            ]
            break
    number = path.name[:2]
    return ChapterMeta(
        number=number,
        path=path,
        title=title,
        summary=_first_sentence(overview),
        overview=overview,
        goals=goals,
        minutes=minutes,
    )
