"""Student copies of the chapters: exercises stay, solutions and lecture notes go."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import nbformat

__all__ = ["REMOVED_TAGS", "student_copy", "write_student_copies"]

REMOVED_TAGS = frozenset({"solution", "instructor"})

#: Revealed answers in Markdown: ``<details>...</details>`` blocks (dropped from student copies).
_ANSWER = re.compile(r"\n?<details>.*?</details>\n?", flags=re.S)


def _tags(cell: nbformat.NotebookNode) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def student_copy(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return a copy of chapter ``nb`` for students.

    Cells tagged ``solution`` or ``instructor`` are removed together with their
    outputs; ``exercise`` stubs stay, with their outputs cleared, and so do the
    outputs of ``check`` cells (they would give the answer away). Answers to
    questions, written as HTML ``<details>`` blocks in Markdown cells, are removed.
    The input notebook is not modified.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        An executed chapter notebook.

    Returns
    -------
    nbformat.NotebookNode

    Examples
    --------
    >>> nb = nbformat.v4.new_notebook()
    >>> nb.cells = [nbformat.v4.new_markdown_cell("Compute the mean."),
    ...             nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["solution"]})]
    >>> [cell.cell_type for cell in student_copy(nb).cells]
    ['markdown']
    """
    out = copy.deepcopy(nb)
    out.cells = [c for c in out.cells if not (_tags(c) & REMOVED_TAGS)]
    for cell in out.cells:
        if cell.cell_type == "markdown" and "<details>" in cell.source:
            cell.source = _ANSWER.sub("\n", cell.source)
        if cell.cell_type == "code" and _tags(cell) & {"exercise", "check"}:
            cell.outputs = []
            cell.execution_count = None
    out.metadata["crmlab"] = {"copy": "student"}
    return out


def write_student_copies(notebooks: list[Path], out_dir: str | Path) -> list[Path]:
    """Write the student copy of every chapter into ``out_dir``; return the paths written.

    Parameters
    ----------
    notebooks : list of Path
        The chapters (instructor versions).
    out_dir : str or Path
        Folder to write into (created if needed); each copy keeps its chapter's file name.

    Returns
    -------
    list of Path
        The copies written, in the order of ``notebooks``.

    Examples
    --------
    >>> import tempfile
    >>> nb = nbformat.v4.new_notebook()
    >>> nb.cells = [nbformat.v4.new_code_cell("answer = 42", metadata={"tags": ["solution"]})]
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     nbformat.write(nb, Path(tmp) / "03_rfm.ipynb")
    ...     [copy] = write_student_copies([Path(tmp) / "03_rfm.ipynb"], Path(tmp) / "students")
    ...     "answer = 42" in copy.read_text(encoding="utf-8")
    False
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        target = out / Path(path).name
        nbformat.write(student_copy(nb), target)
        written.append(target)
    return written
