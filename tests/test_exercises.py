"""Exercise checks that say what is wrong (issue 18 §3).

Every ``check`` cell of a chapter listed in ``CHECKED`` stores wrong answers in its
metadata (``metadata["crmlab"]["wrong_answers"]``: code that sets the exercise's variables
to a plausible mistake). The slow test executes the chapter, and after each check cell
runs every wrong answer followed by the check: the check must print a message that is
not "Correct", and the correct solution must still print "Correct".
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
#: Chapters whose exercises all have checks with wrong answers (the teaching pass so far).
CHECKED = ("00_getting_started", "01_customer_information", "02_customer_value", "03_rfm_segmentation",
           "04_satisfaction", "05_loyalty", "06_customer_lifetime_value", "07_customer_accumulation",
           "08_segmentation_research", "09_glossary", "10_clv_research", "11_clv_at_scale")


def _tags(cell):
    return set(cell.get("metadata", {}).get("tags", []))


def _exercises(nb):
    """Return (exercise cell, check cells) pairs: the checks that follow each stub before the next stub."""
    pairs, current = [], None
    for cell in nb["cells"]:
        if "exercise" in _tags(cell):
            current = (cell, [])
            pairs.append(current)
        elif "check" in _tags(cell) and current is not None:
            current[1].append(cell)
    return pairs


def _stub_names(cell):
    return re.findall(r"^(\w+)\s*=\s*None", "".join(cell["source"]), flags=re.M)


def test_count_exercises_and_checks():
    counts = {}
    for stem in CHECKED:
        nb = json.loads((NOTEBOOKS / f"{stem}.ipynb").read_text(encoding="utf-8"))
        pairs = _exercises(nb)
        assert pairs, f"{stem}: no exercises"
        for stub, checks in pairs:
            assert checks, f"{stem}: exercise cell {stub['id']} has no check cell"
            assert _stub_names(stub), f"{stem}: exercise cell {stub['id']} sets no `name = None` variables"
            for check in checks:
                wrong = check["metadata"].get("crmlab", {}).get("wrong_answers", [])
                assert wrong, f"{stem}: check cell {check['id']} has no wrong answers to test it with"
        counts[stem] = len(pairs)
    assert counts == {"00_getting_started": 2, "01_customer_information": 3, "02_customer_value": 3,
                      "03_rfm_segmentation": 3, "04_satisfaction": 3, "05_loyalty": 3, "06_customer_lifetime_value": 3,
                      "07_customer_accumulation": 4, "08_segmentation_research": 3, "09_glossary": 2,
                      "10_clv_research": 2, "11_clv_at_scale": 2}


def _probe_source(names, wrong, check_source):
    saved = ", ".join(f"{n!r}: {n}" for n in names)
    return (f"_saved_answers = {{{saved}}}\n{wrong}\n{check_source}\n"
            "globals().update(_saved_answers)\n")


@pytest.mark.slow
@pytest.mark.parametrize("stem", CHECKED)
def test_checks_reject_wrong_answers_with_a_message(stem, tmp_path):
    from nbclient import NotebookClient

    nb = nbformat.read(NOTEBOOKS / f"{stem}.ipynb", as_version=4)
    probes = []
    cells = []
    for _stub, checks in _exercises(nb):
        for check in checks:
            for wrong in check.metadata["crmlab"]["wrong_answers"]:
                probes.append((check.id, wrong))
    check_ids = {c: [w for cid, w in probes if cid == c] for c in {cid for cid, _ in probes}}
    name_of = {check.id: _stub_names(stub) for stub, checks in _exercises(nb) for check in checks}
    for cell in nb.cells:
        cells.append(cell)
        for k, wrong in enumerate(check_ids.get(cell.get("id"), [])):
            probe = nbformat.v4.new_code_cell(_probe_source(name_of[cell.id], wrong, cell.source))
            probe.id = f"probe-{cell.id}-{k}"
            probe.metadata["probe"] = {"check": cell.id, "wrong": wrong}
            cells.append(probe)
    nb.cells = cells
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    seen = 0
    for cell in nb.cells:
        text = "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")
        if "probe" in cell.metadata:
            seen += 1
            wrong = cell.metadata["probe"]["wrong"]
            assert text.strip(), f"{stem}: check {cell.metadata['probe']['check']} printed nothing for {wrong!r}"
            assert not text.lstrip().startswith("Correct"), f"{stem}: check accepted the wrong answer {wrong!r}"
        elif "check" in _tags(cell):
            assert text.lstrip().startswith("Correct"), f"{stem}: check {cell.id} rejects the solution: {text!r}"
    assert seen == len(probes) > 0
