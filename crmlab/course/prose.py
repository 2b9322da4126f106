"""Sentences whose numbers come from the code: ``say()`` renders prose from values.

Used in every chapter for narrative that quotes data or parameters, so that a
rerun with other parameters (papermill) rewrites the text with the table. The
Chinese edition re-renders a translated template with the stored values.
"""

from __future__ import annotations

import copy
import numbers
import re
import string
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["PROSE_KEY", "Choice", "Prose", "choice", "say", "prose_outputs", "rendered_note", "stale_numbers"]

#: Key of the display metadata under ``"crmlab"`` that stores template and values.
PROSE_KEY = "prose"


class Choice(str):
    """A word the code picks from a fixed set; made by :func:`choice`.

    It is the picked word itself (a :class:`str`) and remembers every word it could
    have been in :attr:`options`, so a translation catalogue can cover them all.

    Parameters
    ----------
    value : str
        The word picked.
    options : tuple of str
        Every word the code can pick here.

    Examples
    --------
    >>> word = Choice("inside", ("inside", "outside"))
    >>> word, word.options
    ('inside', ('inside', 'outside'))
    """

    options: tuple[str, ...]

    def __new__(cls, value: str, options: tuple[str, ...]) -> Choice:
        """Return ``value`` as a string that remembers ``options``."""
        word = super().__new__(cls, value)
        word.options = options
        return word


def choice(value: str, options: Iterable[str]) -> Choice:
    """Mark a word of a :func:`say` sentence as one of a fixed set of words.

    A sentence whose wording follows the data ("understates" or "overstates") must be
    translatable for every word a rerun with other parameters can pick, not only the
    word the stored run picked: :func:`say` stores the options with the sentence, and
    the chapter's catalogue holds a translation for each of them.

    Parameters
    ----------
    value : str
        The word picked.
    options : iterable of str
        Every word the code can pick here, ``value`` among them.

    Returns
    -------
    Choice
        ``value`` as a string that remembers ``options``.

    Raises
    ------
    ValueError
        If ``value`` is not among ``options``.

    Examples
    --------
    >>> estimate, truth = -0.135, -0.20
    >>> verb = choice("understates" if estimate > truth else "overstates", ["understates", "overstates"])
    >>> s = say("The model {verb} the effect.", verb=verb)
    >>> s.text, s.metadata["crmlab"]["prose"]["options"]
    ('The model understates the effect.', {'verb': ['understates', 'overstates']})
    """
    options = tuple(dict.fromkeys(str(o) for o in options))
    if not all(isinstance(o, str) for o in options) or str(value) not in options:
        raise ValueError(f"choice(): {value!r} is not one of the options {list(options)}.")
    return Choice(str(value), options)


def _plain(name: str, value: Any) -> int | float | str | bool:
    """Turn a value into a JSON-serialisable scalar (numpy scalars included)."""
    if isinstance(value, Choice):
        return str(value)
    if isinstance(value, (bool, str)):
        return value
    if hasattr(value, "item") and getattr(value, "ndim", 0) == 0 and not isinstance(value, (int, float)):
        value = value.item()  # numpy scalar -> Python scalar
    if isinstance(value, bool):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, str):
        return value
    raise TypeError(f"say(): value {name!r} must be an int, float, str or bool (numpy scalars allowed); "
                    f"got {type(value).__name__} {value!r}.")


class Prose:
    """A rendered sentence that displays as Markdown and remembers its template and values.

    Parameters
    ----------
    template : str
        An English Markdown sentence with :meth:`str.format` placeholders.
    values : mapping
        Plain values (int, float, str, bool) for the placeholders.
    options : mapping, optional
        For a value made by :func:`choice`, every word the code could have picked.

    Examples
    --------
    >>> sentence = Prose("{n} customers bought **twice**.", {"n": 12})
    >>> sentence.text
    '12 customers bought **twice**.'
    >>> sentence.values
    {'n': 12}
    """

    def __init__(self, template: str, values: Mapping[str, int | float | str | bool],
                 options: Mapping[str, Iterable[str]] | None = None) -> None:
        self.template = template
        self.values = dict(values)
        #: for a word made by :func:`choice`, every word the code could have picked
        self.options = {name: list(words) for name, words in (options or {}).items()}

    @property
    def text(self) -> str:
        """The Markdown text: ``template.format(**values)``."""
        return self.template.format(**self.values)

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return self.text

    @property
    def metadata(self) -> dict[str, Any]:
        """The display metadata: ``{"crmlab": {"prose": {"template": ..., "values": ..., "options": ...}}}``.

        ``options`` is there only when a value was made by :func:`choice`.
        """
        prose: dict[str, Any] = {"template": self.template, "values": dict(self.values)}
        if self.options:
            prose["options"] = {name: list(words) for name, words in self.options.items()}
        return {"crmlab": {PROSE_KEY: prose}}

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> tuple[dict[str, str], dict[str, Any]]:
        return {"text/markdown": self.text, "text/plain": self.text}, self.metadata


def say(template: str, /, **values: Any) -> Prose:
    """Render a sentence of chapter prose from values computed by the code.

    Parameters
    ----------
    template : str
        A plain English Markdown sentence or short paragraph with :meth:`str.format`
        placeholders, e.g. ``"Retention {rate:.0%} gives CLV {clv:,.1f}."``.
    **values
        The values of the placeholders: int, float, str or bool; numpy scalars are
        converted to Python scalars so the stored values are JSON-serialisable.

    Returns
    -------
    Prose
        Displays in Jupyter as ``text/markdown`` ``template.format(**values)`` with display
        metadata ``{"crmlab": {"prose": {"template": template, "values": values}}}``.

    Raises
    ------
    TypeError
        If ``template`` is not a string or a value is not a plain scalar.
    ValueError
        If the template names a placeholder with no value, has a positional placeholder,
        or a value is not used by the template.

    Examples
    --------
    >>> s = say("Retention {r:.0%} doubles CLV to {clv:.1f}.", r=0.9, clv=450.0)
    >>> s.text
    'Retention 90% doubles CLV to 450.0.'
    >>> s.metadata["crmlab"]["prose"]["values"]
    {'r': 0.9, 'clv': 450.0}
    """
    if not isinstance(template, str):
        raise TypeError(f"say(): 'template' must be a str; got {type(template).__name__}.")
    fields = set()
    for _, name, _, _ in string.Formatter().parse(template):
        if name is None:
            continue
        root = name.split(".")[0].split("[")[0]
        if root == "" or root.isdigit():
            raise ValueError(f"say(): placeholders must be named (e.g. '{{rate:.0%}}'); got {template!r}.")
        fields.add(root)
    missing = sorted(fields - set(values))
    if missing:
        raise ValueError(f"say(): no value for placeholder(s) {missing} in template {template!r}.")
    unused = sorted(set(values) - fields)
    if unused:
        raise ValueError(f"say(): value(s) {unused} are not used by template {template!r}.")
    plain = {k: _plain(k, v) for k, v in values.items()}
    options = {k: list(v.options) for k, v in values.items() if isinstance(v, Choice)}
    prose = Prose(template, plain, options)
    prose.text  # noqa: B018 -- fail now, not at display time, on a bad format spec
    return prose


def prose_outputs(nb: Any) -> list[dict[str, Any]]:
    """Return the stored ``say()`` outputs of an executed notebook, in order.

    Parameters
    ----------
    nb : nbformat.NotebookNode or dict
        An executed notebook.

    Returns
    -------
    list of dict
        One dict per rendered sentence: ``cell_id``, ``text``, ``template`` and ``values``, and
        ``options`` for a sentence with a word made by :func:`choice`.

    Examples
    --------
    >>> sentence = say("{n} customers bought twice.", n=12)
    >>> data, metadata = sentence._repr_mimebundle_()  # what the kernel stores as the cell's output
    >>> nb = {"cells": [{"cell_type": "code", "id": "cell-001",
    ...                  "outputs": [{"output_type": "display_data", "data": data, "metadata": metadata}]}]}
    >>> prose_outputs(nb)  # doctest: +NORMALIZE_WHITESPACE
    [{'cell_id': 'cell-001', 'text': '12 customers bought twice.',
      'template': '{n} customers bought twice.', 'values': {'n': 12}}]
    """
    found = []
    for cell in nb["cells"]:
        if cell.get("cell_type") != "code":
            continue
        for out in cell.get("outputs", []):
            meta = out.get("metadata", {}).get("crmlab", {}).get(PROSE_KEY)
            if meta is None or "text/markdown" not in out.get("data", {}):
                continue
            text = out["data"]["text/markdown"]
            found.append({"cell_id": cell.get("id"), "text": "".join(text) if isinstance(text, list) else text,
                          "template": meta["template"], "values": meta["values"],
                          **({"options": meta["options"]} if "options" in meta else {})})
    return found


def rendered_note(cell: Any) -> Any:
    """Return a speaker note written with :func:`say` as the Markdown cell it renders.

    Speaker notes (cells tagged ``instructor``) that quote numbers from the code are
    code cells calling :func:`say`, so the numbers follow the chapter's parameters.
    Decks and the site show their rendered text only, never the call. Any other
    cell is returned unchanged.

    Parameters
    ----------
    cell : nbformat.NotebookNode or dict
        A notebook cell.

    Returns
    -------
    nbformat.NotebookNode or dict
        A new Markdown cell (same id and metadata) holding the rendered text of
        the cell's prose outputs, or ``cell`` itself.

    Examples
    --------
    >>> data, metadata = say("P(alive) starts at {p:.2f}.", p=0.54)._repr_mimebundle_()
    >>> note = {"cell_type": "code", "id": "instr-001", "metadata": {"tags": ["instructor"]}, "source": "say(...)",
    ...         "outputs": [{"output_type": "display_data", "data": data, "metadata": metadata}]}
    >>> markdown = rendered_note(note)
    >>> markdown["cell_type"], markdown["source"], markdown["id"]
    ('markdown', 'P(alive) starts at 0.54.', 'instr-001')
    """
    if cell.get("cell_type") != "code":
        return cell
    texts = [p["text"] for p in prose_outputs({"cells": [cell]})]
    if not texts:
        return cell
    note = type(cell)(cell_type="markdown", id=cell.get("id"), source="\n\n".join(texts))
    note["metadata"] = copy.deepcopy(dict(cell.get("metadata", {})))
    return note


# numbers worth checking: a thousands separator, a decimal point or at least three digits
# ("1,653", "0.54", "266.7", "263"); one- and two-digit integers are too common to tell apart
_NUMBER = re.compile(r"(?<![\w.])-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![\w.,])-?\d+\.\d+|(?<![\w.,])\d{3,}")


def _numbers(text: str) -> set[str]:
    return {m.group(0).replace(",", "").lstrip("-") for m in _NUMBER.finditer(text)}


def _output_text(nb: Any) -> str:
    parts = []
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            if "text" in out:
                parts.append("".join(out["text"]))
            for kind in ("text/plain", "text/markdown", "text/html"):
                if kind in out.get("data", {}):
                    parts.append("".join(out["data"][kind]))
    return "\n".join(parts)


def stale_numbers(stored: Any, rerun: Any) -> dict[str, list[str]]:
    """Find numbers typed in Markdown that the code printed in one run and not in another.

    A number that a chapter's outputs show with its stored parameters but not after a
    rerun with other parameters came from the data or the parameters; typed by hand
    in a Markdown cell (speaker notes included), it would go stale on that rerun.
    Such sentences belong in :func:`say`.

    Parameters
    ----------
    stored, rerun : nbformat.NotebookNode or dict
        The same chapter executed with two parameter sets.

    Returns
    -------
    dict
        Markdown cell id -> the typed numbers (thousands separators removed) found among
        the outputs of ``stored`` only. Numbers with fewer than three digits and no decimal
        point are not checked: they recur by coincidence.

    Examples
    --------
    >>> def chapter(printed):
    ...     return {"cells": [{"cell_type": "markdown", "id": "note", "source": "CLV is 266.7 at 10 %."},
    ...                       {"cell_type": "code", "id": "c", "source": "",
    ...                        "outputs": [{"output_type": "stream", "name": "stdout", "text": printed}]}]}
    >>> stale_numbers(chapter("CLV 266.7"), chapter("CLV 300.0"))
    {'note': ['266.7']}
    >>> stale_numbers(chapter("CLV 266.7"), chapter("CLV 266.7"))
    {}
    """
    moved = _numbers(_output_text(stored)) - _numbers(_output_text(rerun))
    found = {}
    for cell in stored["cells"]:
        if cell.get("cell_type") != "markdown":
            continue
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        hits = sorted(_numbers(source) & moved)
        if hits:
            found[cell.get("id")] = hits
    return found
