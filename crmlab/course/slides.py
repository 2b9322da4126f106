"""Offline reveal.js slide decks from the chapters' slideshow metadata, made for lecturing.

What the deck does with a chapter (the notebook itself is not changed):

- code is hidden; a button (or the ``c`` key) shows it;
- a code cell with no output never makes an empty slide of its own;
- cells tagged ``instructor`` become speaker notes (press ``s``);
- ``solution`` cells appear only on a click (a reveal.js fragment); the student
  deck (``student=True``) has none at all;
- long tables and printed outputs are trimmed to what fits, with a note saying
  how much was left out; long markdown cells continue on a follow-up slide;
- a slide still too tall is scaled down to fit, never below :data:`MIN_SCALE`
  (the browser check counts every slide that still overflows).
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import nbformat

from crmlab.course.assets import MATHJAX_CONFIG, copy_mathjax, copy_reveal, templates_dir

__all__ = [
    "MAX_LINES",
    "MAX_MARKDOWN_CHARS",
    "MAX_TABLE_ROWS",
    "MIN_SCALE",
    "SLIDE_HEIGHT",
    "SLIDE_WIDTH",
    "build_slides",
    "render_slides",
    "slides_notebook",
]

SLIDE_WIDTH, SLIDE_HEIGHT = 1280, 720
MAX_TABLE_ROWS = 8
MAX_LINES = 12
MAX_MARKDOWN_CHARS = 650
MIN_SCALE = 0.6

_NOTES = {
    "en": (
        "… {hidden} more rows ({total} in all): see the chapter page.",
        "… {hidden} more lines: see the chapter page.",
    ),
    "zh": ("……另有 {hidden} 行（共 {total} 行），详见章节页面。", "……另有 {hidden} 行，详见章节页面。"),
}


def _tags(cell) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def _slide_type(cell) -> str:
    return cell.get("metadata", {}).get("slideshow", {}).get("slide_type", "-")


def _set_type(cell, kind: str) -> None:
    cell.setdefault("metadata", {}).setdefault("slideshow", {})["slide_type"] = kind


def _trim_table(html_text: str, note: str) -> str:
    body = re.search(r"<tbody>(.*?)</tbody>", html_text, re.S)
    if body is None:
        return html_text
    rows = re.findall(r"<tr\b.*?</tr>", body.group(1), re.S)
    if len(rows) <= MAX_TABLE_ROWS + 2:  # never trim a table by one or two rows
        return html_text
    kept = "".join(rows[:MAX_TABLE_ROWS])
    message = note.format(hidden=len(rows) - MAX_TABLE_ROWS, total=len(rows))
    trimmed = html_text[: body.start(1)] + kept + html_text[body.end(1) :]
    return trimmed + f'<p class="crmlab-trimmed">{message}</p>'


def _trim_text(text: str, note: str) -> str:
    lines = text.splitlines()
    if len(lines) <= MAX_LINES + 2:
        return text
    return "\n".join(lines[:MAX_LINES]) + "\n" + note.format(hidden=len(lines) - MAX_LINES) + "\n"


def _trim_outputs(cell, lang: str) -> None:
    table_note, line_note = _NOTES[lang]
    for output in cell.get("outputs", []):
        data = output.get("data", {})
        if "text/html" in data and "<table" in data["text/html"]:
            data["text/html"] = _trim_table(data["text/html"], table_note)
        elif "text/plain" in data and not any(k.startswith("image/") for k in data):
            data["text/plain"] = _trim_text(data["text/plain"], line_note)
        if output.get("output_type") == "stream":
            output["text"] = _trim_text(output["text"], line_note)


def _weight(text: str) -> int:
    """Length of ``text`` in Latin-character widths (a Chinese character is about two)."""
    return len(text) + len(re.findall(r"[\u3000-\u9fff\uff00-\uffef]", text))


def _chunks(source: str) -> list[str]:
    """Split markdown at blank lines (never inside a $$ formula) into pieces of at most MAX_MARKDOWN_CHARS."""
    blocks, current, in_math = [], [], False
    for line in source.split("\n"):
        if line.strip() == "" and not in_math and current:
            blocks.append("\n".join(current))
            current = []
            continue
        current.append(line)
        in_math ^= line.count("$$") % 2 == 1
    if current:
        blocks.append("\n".join(current))
    pieces: list[str] = []
    for block in blocks:
        heading_alone = pieces and re.fullmatch(r"#+ .*", pieces[-1].strip()) is not None
        if pieces and (heading_alone or _weight(pieces[-1]) + _weight(block) <= MAX_MARKDOWN_CHARS):
            pieces[-1] += "\n\n" + block
        else:
            pieces.append(block)
    return pieces


def slides_notebook(nb: nbformat.NotebookNode, *, student: bool = False) -> nbformat.NotebookNode:
    """Return the copy of chapter ``nb`` that the deck is made from (see the module docstring).

    Parameters
    ----------
    nb : nbformat.NotebookNode
        An executed chapter (English or Chinese edition).
    student : bool, default=False
        Make the student deck: solution and instructor cells removed, exercise and check outputs cleared.

    Returns
    -------
    nbformat.NotebookNode
        A new notebook with slideshow metadata set, outputs trimmed and long
        markdown cells split; ``nb`` itself is not modified.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook()
    >>> nb.cells = [nbformat.v4.new_markdown_cell("Ask who has churned.", id="teach-001",
    ...                                           metadata={"tags": ["instructor"]}),
    ...             nbformat.v4.new_markdown_cell("# RFM", id="cell-001")]
    >>> deck = slides_notebook(nb)
    >>> deck.cells[0].metadata["slideshow"]["slide_type"], "slideshow" in nb.cells[0].metadata
    ('notes', False)
    """
    from crmlab.course.prose import rendered_note
    from crmlab.course.student import student_copy

    lang = nb.metadata.get("crmlab", {}).get("language", "en")
    source = student_copy(nb) if student else copy.deepcopy(nb)
    cells = []
    for cell in source.cells:
        tags = _tags(cell)
        if "instructor" in tags:
            cell = nbformat.from_dict(rendered_note(cell))  # a note written with say(): its text, not the call
            _set_type(cell, "notes")
        elif "solution" in tags:
            _set_type(cell, "fragment")
        if cell.cell_type == "code":
            _trim_outputs(cell, lang)
        if cell.cell_type == "markdown" and _slide_type(cell) != "notes" and _weight(cell.source) > MAX_MARKDOWN_CHARS:
            pieces = _chunks(cell.source)
            for k, piece in enumerate(pieces):
                part = copy.deepcopy(cell)
                part.source = piece
                if k:
                    part.id = f"{cell.id}-part{k}"
                    _set_type(part, "subslide")
                cells.append(part)
            continue
        cells.append(cell)
    # a code cell that shows nothing must not start a slide: its slide starts at the next visible cell
    for i, cell in enumerate(cells):
        starts = _slide_type(cell) in ("slide", "subslide")
        if cell.cell_type == "code" and starts and not cell.get("outputs"):
            follower = next((c for c in cells[i + 1 :] if _slide_type(c) not in ("skip", "notes")), None)
            if follower is not None and _slide_type(follower) in ("-", "fragment"):
                _set_type(follower, _slide_type(cell))
            _set_type(cell, "-")
    source.cells = cells
    return source


def render_slides(path: str | Path, *, student: bool = False) -> str:
    """Return the reveal.js HTML deck of one chapter notebook.

    Slide breaks follow each cell's ``slideshow.slide_type`` metadata; the deck
    loads reveal.js and MathJax from ``_static/`` next to it.

    Parameters
    ----------
    path : str or Path
        The chapter notebook (English or Chinese edition).
    student : bool, default=False
        Leave out the cells tagged ``solution`` or ``instructor``, as in the student copy.

    Returns
    -------
    str
        The whole HTML deck.

    Examples
    --------
    >>> import tempfile
    >>> nb = nbformat.v4.new_notebook()
    >>> nb.cells = [nbformat.v4.new_markdown_cell("# Chapter 3 — RFM", id="title")]
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     nbformat.write(nb, Path(tmp) / "03_rfm.ipynb")
    ...     deck = render_slides(Path(tmp) / "03_rfm.ipynb")
    >>> "_static/reveal.js" in deck, "Chapter 3" in deck
    (True, True)
    """
    from nbconvert import SlidesExporter

    nb = nbformat.read(path, as_version=4)
    lang = nb.metadata.get("crmlab", {}).get("language", "en")
    exporter = SlidesExporter(
        template_name="crmlab_reveal",
        extra_template_basedirs=[str(templates_dir())],
        reveal_url_prefix="_static/reveal.js",
        reveal_theme="white",
        reveal_transition="none",
        mathjax_url=f"_static/mathjax/MathJax.js?config={MATHJAX_CONFIG}",
        language_code="zh-CN" if lang == "zh" else "en",
    )
    resources = {
        "metadata": {"name": Path(path).stem},
        "crmlab": {
            "lang": lang,
            "student": student,
            "width": SLIDE_WIDTH,
            "height": SLIDE_HEIGHT,
            "min_scale": MIN_SCALE,
        },
    }
    body, _ = exporter.from_notebook_node(slides_notebook(nb, student=student), resources=resources)
    return body


def build_slides(notebooks: list[Path], out_dir: str | Path, *, student: bool = False) -> list[Path]:
    """Write ``<chapter>.slides.html`` for every notebook, plus the offline assets.

    Parameters
    ----------
    notebooks : list of Path
        The chapters to turn into decks.
    out_dir : str or Path
        Folder to write into (created if needed); reveal.js and MathJax go to its ``_static``.
    student : bool, default=False
        Decks without solutions and instructor notes (see :func:`render_slides`).

    Returns
    -------
    list of Path
        The decks written.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    copy_reveal(out / "_static")
    copy_mathjax(out / "_static")
    written = []
    for path in notebooks:
        target = out / f"{Path(path).stem}.slides.html"
        target.write_text(render_slides(path, student=student), encoding="utf-8")
        written.append(target)
    return written
