"""Static hygiene of every chapter notebook (the conventions of NOTEBOOKS.md).

nbval passes an unexecuted notebook vacuously; these checks make sure what nbval
compares was really produced top to bottom and follows the chapter shape.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("[0-9][0-9]_*.ipynb"))
ALLOWED_TAGS = {
    "parameters",
    "exercise",
    "solution",
    "check",
    "instructor",
    "raises-exception",
    "nbval-ignore-output",
    "nbval-skip",
    "skip-execution",
}
REQUIRED_HEADINGS = [
    "## Learning goals",
    "## Setup",
    "## Concepts",
    "## Worked example",
    "## Exercises",
    "## Summary and further reading",
]
# a chapter with its stored figures stays small enough to review and diff; 600 kB since chapter 6 gained the
# static fallbacks of two live demonstrations (13 figures, 501 kB on 2026-12-04)
MAX_BYTES = 600_000

ids = [p.name for p in NOTEBOOKS]


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _code_cells(nb: dict) -> list[dict]:
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def test_there_are_chapters():
    assert len(NOTEBOOKS) >= 1
    numbers = [p.name[:2] for p in NOTEBOOKS]
    assert len(numbers) == len(set(numbers)), f"two notebooks share a chapter number: {numbers}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_executed_top_to_bottom(path):
    cells = [c for c in _code_cells(_load(path)) if _source(c).strip()]
    counts = [c.get("execution_count") for c in cells]
    assert None not in counts, f"{path.name}: {counts.count(None)} code cell(s) were never executed"
    assert counts == list(range(1, len(counts) + 1)), f"{path.name}: execution counts {counts} are not 1..n"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_no_stored_errors(path):
    for i, cell in enumerate(_code_cells(_load(path)), start=1):
        tags = cell.get("metadata", {}).get("tags", [])
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if "raises-exception" in tags:
            assert errors, f"{path.name}: code cell {i} is tagged raises-exception but stored no error"
        else:
            assert not errors, f"{path.name}: code cell {i} stored an error: {errors[0].get('ename')}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_tags_allowed_and_one_parameters_cell(path):
    nb = _load(path)
    seen = []
    for cell in nb["cells"]:
        tags = cell.get("metadata", {}).get("tags", [])
        unknown = set(tags) - ALLOWED_TAGS
        assert not unknown, f"{path.name}: unknown tag(s) {sorted(unknown)}"
        assert ("nbval-skip" in tags) == ("skip-execution" in tags), f"{path.name}: nbval-skip needs skip-execution"
        seen.extend(tags)
    assert seen.count("parameters") == 1, f"{path.name}: needs exactly one 'parameters' cell"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_parameters_cell_holds_literals_only(path):
    import ast

    cell = next(c for c in _load(path)["cells"] if "parameters" in c.get("metadata", {}).get("tags", []))
    assert cell["cell_type"] == "code"
    for node in ast.parse(_source(cell)).body:
        assert isinstance(node, ast.Assign), f"{path.name}: parameters cell may only assign literals"
        ast.literal_eval(node.value)  # raises if not a literal


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_chapter_shape(path):
    nb = _load(path)
    markdown = [_source(c) for c in nb["cells"] if c["cell_type"] == "markdown"]
    assert re.match(r"^# Chapter \d+ — \S", markdown[0].lstrip()), (
        f"{path.name}: first cell must be '# Chapter N — Title'"
    )
    headings = [ln.strip() for src in markdown for ln in src.splitlines() if ln.startswith("## ")]
    positions = []
    for required in REQUIRED_HEADINGS:
        found = [i for i, h in enumerate(headings) if h.startswith(required)]
        assert found, f"{path.name}: missing heading '{required}'"
        positions.append(found[0])
    assert positions == sorted(positions), f"{path.name}: headings out of order: {headings}"
    exercises = headings.index(next(h for h in headings if h.startswith("## Exercises")))
    after = [h for h in headings[exercises + 1 :]]
    assert all(h.startswith("## Summary") for h in after), f"{path.name}: exercises must come last, before the summary"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_exercises_have_solutions(path):
    tags = [cell.get("metadata", {}).get("tags", []) for cell in _load(path)["cells"]]
    n_ex = sum("exercise" in t for t in tags)
    n_sol = sum("solution" in t for t in tags)
    assert n_ex >= 1, f"{path.name}: no exercise cell"
    assert n_sol >= n_ex, f"{path.name}: {n_ex} exercise(s) but only {n_sol} solution cell(s)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_size_and_kernel(path):
    assert path.stat().st_size < MAX_BYTES, f"{path.name}: {path.stat().st_size} bytes, limit {MAX_BYTES}"
    nb = _load(path)
    assert nb["metadata"].get("kernelspec", {}).get("name") == "python3"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_no_nondeterministic_output(path):
    """Stored text must not contain things that change between runs."""
    pattern = re.compile(r"0x[0-9a-f]{8,}|\d+(\.\d+)? ?(ms|µs)\b|Wall time|CPU times")
    for i, cell in enumerate(_code_cells(_load(path)), start=1):
        for out in cell.get("outputs", []):
            text = "".join(out.get("text", "")) + "".join(out.get("data", {}).get("text/plain", ""))
            assert not pattern.search(text), f"{path.name}: cell {i} prints a run-dependent value: {text[:120]!r}"
            assert out.get("name") != "stderr", f"{path.name}: cell {i} writes to stderr (a warning?): {text[:200]!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_printed_text_is_one_output_per_stream(path):
    """How printed text is split into messages depends on timing; the stored chapter holds it merged."""
    for i, cell in enumerate(_code_cells(_load(path)), start=1):
        outs = cell.get("outputs", [])
        for a, b in zip(outs, outs[1:], strict=False):
            split = a.get("output_type") == b.get("output_type") == "stream" and a.get("name") == b.get("name")
            assert not split, f"{path.name}: cell {i} stores one stream in pieces (run `crmlab course execute`)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_chapter_has_speaker_notes(path):
    """Cells tagged ``instructor`` become the slides' speaker notes; every chapter needs them (README)."""
    notes = [c for c in _load(path)["cells"] if "instructor" in c.get("metadata", {}).get("tags", [])]
    assert notes, f"{path.name}: no cell tagged 'instructor', so its lecture deck has no speaker notes"
    for cell in notes:
        where = f"{path.name}: instructor cell {cell.get('id')}"
        assert _source(cell).strip(), f"{where} is empty"
        if cell["cell_type"] == "code":
            # a note that quotes the chapter's numbers renders them with say(): one prose output, call hidden
            last = ast.parse(_source(cell)).body[-1]
            said = isinstance(last, ast.Expr) and isinstance(last.value, ast.Call) and getattr(
                last.value.func, "id", None) == "say"
            assert said, f"{where}: a code note must end with a say() call"
            outputs = cell.get("outputs", [])
            assert len(outputs) == 1 and "prose" in outputs[0].get("metadata", {}).get("crmlab", {}), (
                f"{where}: a code note must store exactly one say() output"
            )
            assert cell["metadata"].get("jupyter", {}).get("source_hidden"), f"{where}: hide the say() call"
        else:
            assert cell["cell_type"] == "markdown", f"{where} must be markdown or a say() call"
        kind = cell.get("metadata", {}).get("slideshow", {}).get("slide_type")
        assert kind == "notes", f"{where} has slide_type {kind!r}; speaker notes use 'notes'"
