"""Translation catalogues of the chapters, and the Chinese edition built from them.

The English notebooks are the source. Each chapter with a translation has a
gettext catalogue beside the notebooks, ``notebooks/locale/<lang>/<chapter>.po``:

- one entry per markdown cell: ``msgctxt`` is the cell id, ``msgid`` the English
  cell source, ``msgstr`` the translation;
- one entry per word a prose sentence takes from the code (``msgctxt "prose-word"``,
  e.g. "covers", "too optimistic"), so a Chinese sentence never shows an English word;
- one entry per rendered prose sentence (a ``crmlab.course.prose.say`` output):
  ``msgctxt "prose"``, ``msgid`` the English template, ``msgstr`` the translated
  template with the same ``{placeholders}``.

Because the ``msgid`` *is* the English text, a translation is stale exactly when
the English cell changed, with no hash to forget to update; translators use the
standard gettext tools (Poedit, Lokalize, ``msgmerge``), which show the previous
English text of a changed cell (``#| msgid``) next to the translation to fix.

The translated notebook keeps every code cell, cell id and stored output of the
English one byte for byte; only markdown cells and prose outputs change.
"""

from __future__ import annotations

import copy
import re
import string
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

__all__ = [
    "LANGUAGES",
    "PROSE_CONTEXT",
    "PROSE_WORD_CONTEXT",
    "CatalogueStatus",
    "EditionMismatchError",
    "StaleTranslationError",
    "build_edition",
    "catalogue_path",
    "catalogue_status",
    "compare_editions",
    "edition_chapters",
    "execute_edition",
    "prose_outputs",
    "read_catalogue",
    "translate_notebook",
    "update_catalogue",
]

LANGUAGES = {"zh": "简体中文"}
PROSE_CONTEXT = "prose"
# a word a prose sentence takes from the code ("covers", "too optimistic"): translated on its own
PROSE_WORD_CONTEXT = "prose-word"


class StaleTranslationError(ValueError):
    """A chapter's catalogue is missing entries or translates an older English text.

    Raised by :func:`translate_notebook` (and so :func:`build_edition`); the
    message names the chapter and every cell to translate.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook()
    >>> nb.cells = [nbformat.v4.new_markdown_cell("# Customer value", id="cell-001"),
    ...             nbformat.v4.new_code_cell("1 + 1", id="cell-002")]
    >>> from babel.messages.catalog import Catalog
    >>> try:
    ...     translate_notebook(nb, Catalog(), chapter="02_customer_value")
    ... except StaleTranslationError as error:
    ...     print(str(error).splitlines()[-1])
    02_customer_value: cell cell-001 has no translation
    """


def _check_lang(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {sorted(LANGUAGES)}; got {lang!r}.")
    return lang


def catalogue_path(notebook: str | Path, lang: str = "zh") -> Path:
    """Return the catalogue file of ``notebook``: ``<its folder>/locale/<lang>/<stem>.po``.

    Parameters
    ----------
    notebook : str or Path
        An English chapter notebook.
    lang : str, default="zh"
        A language of :data:`LANGUAGES`.

    Returns
    -------
    Path
        Where the catalogue is (or would be); the file need not exist.

    Raises
    ------
    ValueError
        If ``lang`` is not in :data:`LANGUAGES`.

    Examples
    --------
    >>> catalogue_path("notebooks/02_customer_value.ipynb").as_posix()
    'notebooks/locale/zh/02_customer_value.po'
    """
    notebook = Path(notebook)
    return notebook.parent / "locale" / _check_lang(lang) / f"{notebook.stem}.po"


def edition_chapters(notebooks: list[Path], lang: str = "zh") -> tuple[list[Path], list[Path]]:
    """Split chapters into those with a ``lang`` catalogue and those without one (not yet translated).

    Parameters
    ----------
    notebooks : list of Path
        English chapter notebooks.
    lang : str, default="zh"
        A language of :data:`LANGUAGES`.

    Returns
    -------
    tuple of (list of Path, list of Path)
        The chapters whose catalogue file exists, then the others, each in the order given.

    Examples
    --------
    >>> import tempfile
    >>> import nbformat
    >>> from pathlib import Path
    >>> tmp = tempfile.TemporaryDirectory()
    >>> chapter = Path(tmp.name) / "02_customer_value.ipynb"
    >>> nb = nbformat.v4.new_notebook()
    >>> nb.cells = [nbformat.v4.new_markdown_cell("# Customer value", id="cell-001")]
    >>> nbformat.write(nb, chapter)
    >>> path = update_catalogue(chapter)
    >>> done, todo = edition_chapters([chapter, Path(tmp.name) / "03_rfm_segmentation.ipynb"])
    >>> [p.name for p in done], [p.name for p in todo]
    (['02_customer_value.ipynb'], ['03_rfm_segmentation.ipynb'])
    >>> tmp.cleanup()
    """
    with_cat = [p for p in notebooks if catalogue_path(p, lang).is_file()]
    return with_cat, [p for p in notebooks if p not in with_cat]


def read_catalogue(path: str | Path):
    """Read a ``.po`` catalogue (a ``babel.messages.catalog.Catalog``).

    Parameters
    ----------
    path : str or Path
        The catalogue file.

    Returns
    -------
    babel.messages.catalog.Catalog
        Its entries; a malformed file raises babel's error rather than being half read.

    Examples
    --------
    >>> import tempfile
    >>> import nbformat
    >>> from pathlib import Path
    >>> tmp = tempfile.TemporaryDirectory()
    >>> chapter = Path(tmp.name) / "02_customer_value.ipynb"
    >>> nb = nbformat.v4.new_notebook()
    >>> nb.cells = [nbformat.v4.new_markdown_cell("# Customer value", id="cell-001")]
    >>> nbformat.write(nb, chapter)
    >>> catalog = read_catalogue(update_catalogue(chapter))
    >>> [(m.context, m.id, m.string) for m in catalog if m.id]
    [('cell-001', '# Customer value', '')]
    >>> tmp.cleanup()
    """
    from babel.messages.pofile import read_po

    with open(path, "rb") as fh:
        return read_po(fh, abort_invalid=True)


def _prose_meta(output) -> dict | None:
    if output.get("output_type") not in ("display_data", "execute_result"):
        return None
    meta = output.get("metadata", {}).get("crmlab", {})
    prose = meta.get("prose") if isinstance(meta, dict) else None
    if isinstance(prose, dict) and "template" in prose:
        return prose
    return None


def prose_outputs(nb: nbformat.NotebookNode) -> list[tuple[str, int, dict]]:
    """Return ``(cell id, output index, prose metadata)`` of every rendered prose output of ``nb``.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        An executed chapter.

    Returns
    -------
    list of tuple of (str, int, dict)
        In notebook order; the metadata holds the English ``template`` and the ``values`` it was formatted with.

    Examples
    --------
    >>> import nbformat
    >>> prose = {"template": "{n} customers", "values": {"n": 3}}
    >>> output = nbformat.v4.new_output("display_data", data={"text/markdown": "3 customers"},
    ...                                 metadata={"crmlab": {"prose": prose}})
    >>> nb = nbformat.v4.new_notebook()
    >>> nb.cells = [nbformat.v4.new_code_cell("say(...)", id="cell-007", outputs=[output])]
    >>> prose_outputs(nb)
    [('cell-007', 0, {'template': '{n} customers', 'values': {'n': 3}})]
    """
    found = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for k, output in enumerate(cell.get("outputs", [])):
            prose = _prose_meta(output)
            if prose is not None:
                found.append((cell.id, k, prose))
    return found


def _units(nb: nbformat.NotebookNode) -> list[tuple[str, str]]:
    """Return the ``(msgctxt, msgid)`` pairs a complete catalogue of ``nb`` holds, in notebook order."""
    units = [(c.id, c.source) for c in nb.cells if c.cell_type == "markdown" and c.source.strip()]
    seen = set()
    for _cell_id, _k, prose in prose_outputs(nb):
        if prose["template"] not in seen:
            seen.add(prose["template"])
            units.append((PROSE_CONTEXT, prose["template"]))
    words = set()
    for _cell_id, _k, prose in prose_outputs(nb):
        # the word the stored run picked, then every other word a choice() could pick on a rerun
        candidates = list(prose.get("values", {}).values())
        for options in prose.get("options", {}).values():
            candidates.extend(options)
        for value in candidates:
            if _is_word(value) and value not in words:
                words.add(value)
                units.append((PROSE_WORD_CONTEXT, value))
    return units


def _is_word(value: object) -> bool:
    """Tell whether ``value`` is text with letters in it (a word to translate), not a number or a symbol."""
    return isinstance(value, str) and any(ch.isalpha() for ch in value)


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


@dataclass
class CatalogueStatus:
    """What a chapter's catalogue lacks (returned by :func:`catalogue_status`).

    Parameters
    ----------
    chapter : str
        The notebook's file stem.
    missing : list of str
        Cell ids (or ``prose: <template start>``) with no entry or an empty translation.
    stale : list of str
        Entries whose English text is not the current English text, or marked fuzzy.
    broken : list of str
        Prose translations whose ``{placeholders}`` differ from the English template.

    Examples
    --------
    >>> status = CatalogueStatus("02_customer_value", missing=["cell-001"])
    >>> status.ok
    False
    >>> print(status.describe())
    02_customer_value: cell cell-001 has no translation
    """

    chapter: str
    missing: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every unit has a fresh translation."""
        return not (self.missing or self.stale or self.broken)

    def describe(self) -> str:
        """One line per problem, naming the chapter and the cell."""
        lines = [f"{self.chapter}: cell {c} has no translation" for c in self.missing]
        lines += [f"{self.chapter}: cell {c} translates an older English text (stale)" for c in self.stale]
        lines += [f"{self.chapter}: {c} uses other placeholders than the English template" for c in self.broken]
        return "\n".join(lines) if lines else f"{self.chapter}: complete and fresh"


def _by_context(catalog) -> dict[str, list]:
    found: dict[str, list] = {}
    for message in catalog:
        if message.id:
            found.setdefault(message.context or "", []).append(message)
    return found


def _matched_units(nb: nbformat.NotebookNode, catalog) -> Iterator[tuple[str, str, Any, Any]]:
    """Yield ``(context, English, exact, older)`` for every translatable unit of ``nb``.

    ``exact`` is the catalogue entry for this very English text, or None. ``older`` is set only
    when ``exact`` is None and the cell has an entry for some other English text: the cell was
    edited since it was translated. Prose units are keyed by their template, so a changed
    template is a new unit, never an older one. ``catalog=None`` (no catalogue yet) matches nothing.
    """
    entries = _by_context(catalog) if catalog is not None else {}
    for ctxt, msgid in _units(nb):
        candidates = entries.get(ctxt, [])
        exact = next((m for m in candidates if m.id == msgid), None)
        edited = exact is None and candidates and ctxt not in (PROSE_CONTEXT, PROSE_WORD_CONTEXT)
        yield ctxt, msgid, exact, candidates[0] if edited else None


def _label(ctxt: str, msgid: str) -> str:
    if ctxt == PROSE_WORD_CONTEXT:
        return f"prose word '{msgid}'"
    return ctxt if ctxt != PROSE_CONTEXT else f"prose '{msgid[:40]}'"


def catalogue_status(nb: nbformat.NotebookNode, catalog, chapter: str = "chapter") -> CatalogueStatus:
    """Compare a chapter notebook with its catalogue.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The English chapter.
    catalog : babel.messages.catalog.Catalog
        Its catalogue, from :func:`read_catalogue`.
    chapter : str
        Name used in the messages.

    Returns
    -------
    CatalogueStatus

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook()
    >>> nb.cells = [nbformat.v4.new_markdown_cell("# Customer value", id="cell-001"),
    ...             nbformat.v4.new_code_cell("1 + 1", id="cell-002")]
    >>> from babel.messages.catalog import Catalog
    >>> catalog = Catalog()
    >>> catalog.add("# Customer value", "# 客户价值", context="cell-001")
    <Message '# Customer value' (flags: [])>
    >>> catalogue_status(nb, catalog).ok
    True
    >>> catalogue_status(nb, Catalog(), "02_customer_value").missing
    ['cell-001']
    """
    status = CatalogueStatus(chapter)
    for ctxt, msgid, exact, older in _matched_units(nb, catalog):
        label = _label(ctxt, msgid)
        if exact is None:
            (status.stale if older is not None else status.missing).append(label)
        elif not exact.string:
            status.missing.append(label)
        elif exact.fuzzy:
            status.stale.append(label)
        elif ctxt == PROSE_CONTEXT and _fields(exact.string) != _fields(msgid):
            status.broken.append(label)
    return status


def _translations(catalog) -> dict[tuple[str, str], str]:
    return {(m.context or "", m.id): m.string for m in catalog if m.id and m.string and not m.fuzzy}


def translate_notebook(nb: nbformat.NotebookNode, catalog, lang: str = "zh", chapter: str = "chapter"):
    """Return the ``lang`` edition of chapter ``nb``.

    Markdown cells take their translation; prose outputs are re-rendered from the
    translated template and the values stored with them; code cells, cell ids and
    every other output are kept as they are. The input is not modified.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The English chapter.
    catalog : babel.messages.catalog.Catalog
        Its catalogue, from :func:`read_catalogue`.
    lang : str, default="zh"
        A language of :data:`LANGUAGES`.
    chapter : str, default="chapter"
        Name used in the error message.

    Returns
    -------
    nbformat.NotebookNode
        The translated copy, with ``metadata["crmlab"]["language"] = lang``.

    Raises
    ------
    StaleTranslationError
        If the catalogue is not complete and fresh (the message names the chapter and cells).

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook()
    >>> nb.cells = [nbformat.v4.new_markdown_cell("# Customer value", id="cell-001"),
    ...             nbformat.v4.new_code_cell("1 + 1", id="cell-002")]
    >>> from babel.messages.catalog import Catalog
    >>> catalog = Catalog()
    >>> catalog.add("# Customer value", "# 客户价值", context="cell-001")
    <Message '# Customer value' (flags: [])>
    >>> zh = translate_notebook(nb, catalog)
    >>> zh.cells[0].source, zh.cells[1].source, nb.cells[0].source
    ('# 客户价值', '1 + 1', '# Customer value')
    """
    _check_lang(lang)
    status = catalogue_status(nb, catalog, chapter)
    if not status.ok:
        raise StaleTranslationError(
            f"the {LANGUAGES[lang]} catalogue of {chapter} is not complete and fresh; run "
            f"'crmlab course catalogue-status {chapter}':\n{status.describe()}"
        )
    done = _translations(catalog)
    out = copy.deepcopy(nb)
    for cell in out.cells:
        if cell.cell_type == "markdown" and cell.source.strip():
            cell.source = done[(cell.id, cell.source)]
    _render_prose(out, done)
    out.metadata.setdefault("crmlab", {})
    out.metadata["crmlab"] = {**out.metadata["crmlab"], "language": lang}
    return out


def _render_prose(nb: nbformat.NotebookNode, done: dict[tuple[str, str], str]) -> None:
    """Replace every prose output's text by its translated template formatted with its stored values."""
    for cell in nb.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            prose = _prose_meta(output)
            if prose is not None:
                values = {key: done.get((PROSE_WORD_CONTEXT, v), v) if _is_word(v) else v
                          for key, v in prose.get("values", {}).items()}
                text = done[(PROSE_CONTEXT, prose["template"])].format(**values)
                output["data"]["text/markdown"] = text
                if "text/plain" in output["data"]:
                    output["data"]["text/plain"] = text


class EditionMismatchError(RuntimeError):
    """A re-executed edition does not reproduce the English chapter's outputs.

    Raised by :func:`execute_edition`, naming the chapter and the cells whose
    outputs differ.
    """


def execute_edition(edition: list[Path], source_dir: str | Path, lang: str = "zh", *, timeout: int = 300,
                    cache: str | Path | None = None) -> None:
    """Execute the ``lang`` edition's notebooks so that their figures speak ``lang``, then check them.

    Each notebook runs top to bottom in a fresh kernel with ``CRMLAB_LANG=<lang>``
    (so :mod:`crmlab.plotting` draws translated labels); its prose outputs are
    rendered again from the catalogue; and every output except images must equal
    the English chapter's stored output, as strict nbval would demand.

    Parameters
    ----------
    edition : list of Path
        The translated notebooks (from :func:`build_edition`); executed and rewritten in place.
    source_dir : str or Path
        The folder of the English chapters (and their ``locale/`` catalogues).
    lang : str, default="zh"
        A language of :data:`LANGUAGES`.
    timeout : int, default=300
        Seconds allowed per cell.
    cache : str or Path, optional
        A cache of executions (see :func:`crmlab.course.execute.execute_notebooks`); the
        check against the English outputs runs whether the execution was cached or not.

    Raises
    ------
    EditionMismatchError
        Naming the chapter and the cells whose outputs differ from the English ones.
    """
    import os

    from crmlab.course.execute import execute_notebooks

    saved = os.environ.get("CRMLAB_LANG")
    os.environ["CRMLAB_LANG"] = _check_lang(lang)  # before the keys are computed: the language is an input
    try:
        for path in edition:
            path = Path(path)
            execute_notebooks([path], timeout=timeout, log=lambda line: None, cache=cache)
            nb = nbformat.read(path, as_version=4)
            source = Path(source_dir) / path.name
            _render_prose(nb, _translations(read_catalogue(catalogue_path(source, lang))))
            nbformat.write(nb, path)
            problems = compare_editions(nbformat.read(source, as_version=4), nb, images=False)
            if problems:
                raise EditionMismatchError(
                    f"{path.stem} ({LANGUAGES[lang]}) does not reproduce the English outputs:\n" + "\n".join(problems)
                )
    finally:
        if saved is None:
            os.environ.pop("CRMLAB_LANG", None)
        else:
            os.environ["CRMLAB_LANG"] = saved


def compare_editions(en: nbformat.NotebookNode, other: nbformat.NotebookNode, *, images: bool = True) -> list[str]:
    """List every way ``other`` differs from ``en`` beyond its narrative.

    The cells must be the same cells (ids, types, order); code cells must have the
    same source, tags, execution counts and outputs, except prose outputs (which
    carry the same template and values) and, when ``images`` is False, image data
    (a re-executed edition draws its figures with translated labels).

    Parameters
    ----------
    en : nbformat.NotebookNode
        The English chapter.
    other : nbformat.NotebookNode
        Another edition of it.
    images : bool, default=True
        Compare image outputs too; when False, outputs are also compared after
        the sanitizing rules of strict nbval, and cells nbval ignores are skipped.

    Returns
    -------
    list of str
        One line per difference; empty when the editions hold the same code and outputs.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook()
    >>> nb.cells = [nbformat.v4.new_markdown_cell("# Customer value", id="cell-001"),
    ...             nbformat.v4.new_code_cell("1 + 1", id="cell-002")]
    >>> other = nbformat.from_dict(nb)
    >>> other.cells[0].source = "# 客户价值"
    >>> compare_editions(nb, other)
    []
    >>> other.cells[1].source = "2 + 2"
    >>> compare_editions(nb, other)
    ['cell cell-002: code or tags differ']
    """
    problems = []
    if [(c.id, c.cell_type) for c in en.cells] != [(c.id, c.cell_type) for c in other.cells]:
        return ["the cells differ (ids, types or order)"]
    for a, b in zip(en.cells, other.cells, strict=True):
        if a.cell_type != "code":
            continue
        if a.source != b.source or a.metadata.get("tags") != b.metadata.get("tags"):
            problems.append(f"cell {a.id}: code or tags differ")
        if a.execution_count != b.execution_count:
            problems.append(f"cell {a.id}: execution count differs")
        if not images and _NBVAL_EXEMPT & set(a.metadata.get("tags", [])):
            continue  # a re-executed edition is held to what strict nbval checks, no more
        if len(a.outputs) != len(b.outputs):
            problems.append(f"cell {a.id}: {len(a.outputs)} outputs in English, {len(b.outputs)} here")
            continue
        for k, (x, y) in enumerate(zip(a.outputs, b.outputs, strict=True)):
            if not _same_output(x, y, images=images):
                problems.append(f"cell {a.id}: output {k} differs")
    return problems


_IMAGE_TYPES = ("image/png", "image/jpeg", "image/svg+xml")
_NBVAL_EXEMPT = {"nbval-ignore-output", "nbval-skip"}
# the classes of change tests/nbval_sanitize.cfg hides from strict nbval, hidden here too
_SANITIZE = (
    (re.compile(r"0x[0-9a-fA-F]{6,16}"), "0xADDRESS"),
    (re.compile(r"/tmp/[A-Za-z0-9_./-]+"), "TMPPATH"),
    (re.compile(r"T_[0-9a-f]{5}(_row\d+_col\d+)?"), "T_STYLER"),
)


def _sanitize(value):
    if isinstance(value, str):
        for pattern, replacement in _SANITIZE:
            value = pattern.sub(replacement, value)
        return value
    if isinstance(value, list):
        return [_sanitize(v) for v in value]
    if isinstance(value, dict):
        return {k: _sanitize(v) for k, v in value.items()}
    return value


def _english(prose: dict) -> str:
    """Return the English sentence a prose output shows (its template formatted with its values)."""
    return prose["template"].format(**prose.get("values", {}))


def _same_output(x, y, *, images: bool) -> bool:
    prose = _prose_meta(x)
    if prose is not None:
        other = _prose_meta(y)
        if other is None or other.get("template") != prose["template"]:
            return False
        if images:
            return other.get("values") == prose.get("values")
        # re-executed: held to the English sentence strict nbval compares, so a value that moved
        # in its last bit (a sum in another order) passes, and one that changes the text fails
        return _english(prose) == _english(other)
    x, y = dict(copy.deepcopy(x)), dict(copy.deepcopy(y))
    if not images:
        for out in (x, y):
            data = out.get("data", {})
            for kind in _IMAGE_TYPES:
                data.pop(kind, None)
            # the figure's text line names only its size, which stays the same
    for out in (x, y):
        out.pop("execution_count", None)
    if not images:
        x, y = _sanitize(x), _sanitize(y)
    return x == y


def update_catalogue(notebook: str | Path, lang: str = "zh", path: str | Path | None = None) -> Path:
    """Write or refresh the catalogue skeleton of ``notebook`` for translators.

    Every markdown cell and prose template gets an entry; existing translations
    are kept. An entry whose English text changed keeps its old translation,
    marked fuzzy with the previous English (``#| msgid``) so the translator sees
    what changed; entries of removed cells become obsolete (``#~``).

    Parameters
    ----------
    notebook : str or Path
        The English chapter.
    lang : str, default="zh"
        A language of :data:`LANGUAGES`.
    path : str or Path, optional
        The catalogue to write; by default :func:`catalogue_path` of ``notebook``.

    Returns
    -------
    Path
        The catalogue written.

    Examples
    --------
    >>> import tempfile
    >>> import nbformat
    >>> from pathlib import Path
    >>> tmp = tempfile.TemporaryDirectory()
    >>> chapter = Path(tmp.name) / "02_customer_value.ipynb"
    >>> nb = nbformat.v4.new_notebook()
    >>> nb.cells = [nbformat.v4.new_markdown_cell("# Customer value", id="cell-001")]
    >>> nbformat.write(nb, chapter)
    >>> path = update_catalogue(chapter)
    >>> path.relative_to(tmp.name).as_posix()
    'locale/zh/02_customer_value.po'
    >>> 'msgctxt "cell-001"' in path.read_text(encoding="utf-8")
    True
    >>> tmp.cleanup()
    """
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    notebook = Path(notebook)
    target = Path(path) if path is not None else catalogue_path(notebook, lang)
    nb = nbformat.read(notebook, as_version=4)
    old = read_catalogue(target) if target.is_file() else None
    new = Catalog(
        locale=lang.replace("zh", "zh_Hans_CN"),
        project="crmlab",
        header_comment=f"# {LANGUAGES[lang]} translation of {notebook.name}.\n"
        "# msgctxt = cell id (or 'prose'), msgid = the English cell source.",
        fuzzy=False,
        # keep the header dates of an existing catalogue so that refreshing it changes no line needlessly
        creation_date=old.creation_date if old is not None else None,
        revision_date=old.revision_date if old is not None else None,
    )
    used = set()
    for ctxt, msgid, exact, prev in _matched_units(nb, old):
        if exact is not None:
            new.add(msgid, exact.string, context=ctxt, flags=exact.flags, auto_comments=[f"{notebook.stem}"])
            used.add((ctxt, msgid))
        elif prev is not None:
            new.add(
                msgid,
                prev.string,
                context=ctxt,
                flags={"fuzzy"},
                previous_id=[prev.id],
                auto_comments=[f"{notebook.stem}: the English cell changed; update the translation"],
            )
            used.add((ctxt, prev.id))
        else:
            new.add(msgid, "", context=ctxt, auto_comments=[f"{notebook.stem}"])
    if old is not None:
        for message in old:
            if message.id and ((message.context or ""), message.id) not in used:
                new.obsolete[(message.id, message.context)] = message
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "wb") as fh:
        write_po(fh, new, width=0, include_previous=True, sort_output=False, omit_header=False)
    return target


def build_edition(notebooks: list[Path], out_dir: str | Path, lang: str = "zh") -> list[Path]:
    """Write the ``lang`` edition of every chapter that has a catalogue into ``out_dir``.

    Chapters without a catalogue are skipped (they are listed as not yet
    translated on the edition's index); a chapter whose catalogue is incomplete
    or stale raises :class:`StaleTranslationError`.

    Parameters
    ----------
    notebooks : list of Path
        The English chapters.
    out_dir : str or Path
        Destination folder (created if needed); each translation keeps its chapter's file name.
    lang : str, default="zh"
        A language of :data:`LANGUAGES`.

    Returns
    -------
    list of Path
        The translated notebooks written.

    Raises
    ------
    StaleTranslationError
        If a chapter's catalogue is incomplete or stale.

    Examples
    --------
    >>> import tempfile
    >>> import nbformat
    >>> from pathlib import Path
    >>> tmp = tempfile.TemporaryDirectory()
    >>> chapter = Path(tmp.name) / "02_customer_value.ipynb"
    >>> nb = nbformat.v4.new_notebook()
    >>> nb.cells = [nbformat.v4.new_markdown_cell("# Customer value", id="cell-001")]
    >>> nbformat.write(nb, chapter)
    >>> from babel.messages.pofile import write_po
    >>> catalog = read_catalogue(update_catalogue(chapter))
    >>> catalog.get("# Customer value", context="cell-001").string = "# 客户价值"
    >>> with open(catalogue_path(chapter), "wb") as fh:
    ...     write_po(fh, catalog)
    >>> written = build_edition([chapter], Path(tmp.name) / "zh")
    >>> nbformat.read(written[0], as_version=4).cells[0].source
    '# 客户价值'
    >>> tmp.cleanup()
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path in edition_chapters(list(notebooks), lang)[0]:
        nb = nbformat.read(path, as_version=4)
        translated = translate_notebook(nb, read_catalogue(catalogue_path(path, lang)), lang, path.stem)
        target = out / path.name
        nbformat.write(translated, target)
        written.append(target)
    return written
