"""Every chapter opens with its prerequisites and a time estimate that matches its size (issue 18 §1)."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("[0-9][0-9]_*.ipynb"))
ESTIMATE = re.compile(
    r"\*\*Estimated time:\*\* (\d+) minutes\. This is an estimate from the chapter's size, not yet timed with "
    r"students: ([\d,]+) words of text at 150 words a minute \(\d+ min\), (\d+) lines of code to read and run at 10 "
    r"lines a minute \(\d+ min\) and (\d+) exercises? at about 10 minutes each \(\d+ min\)\."
)


def _size(nb: dict) -> tuple[int, int, int]:
    # students never see the speaker notes (cells tagged instructor), as they never see solution code
    words = sum(
        len(re.findall(r"\w+", "".join(c["source"])))
        for c in nb["cells"]
        if c["cell_type"] == "markdown" and "instructor" not in c.get("metadata", {}).get("tags", [])
    )
    code = sum(
        len([ln for ln in "".join(c["source"]).splitlines() if ln.strip() and not ln.strip().startswith("#")])
        for c in nb["cells"]
        if c["cell_type"] == "code" and not {"solution", "instructor"} & set(c.get("metadata", {}).get("tags", []))
    )
    exercises = sum(1 for c in nb["cells"] if "exercise" in c.get("metadata", {}).get("tags", []))
    return words, code, exercises


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_top_has_prerequisites_and_an_estimate_that_fits_the_chapter(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    top = "".join(nb["cells"][0]["source"])
    assert "**Prerequisites:**" in top, f"{path.name}: no prerequisites at the top"
    match = ESTIMATE.search(top)
    assert match, f"{path.name}: no time estimate with its breakdown at the top"
    words, code, exercises = _size(nb)
    stated = int(match.group(1))
    expected = 5 * math.ceil((words / 150 + code / 10 + 10 * exercises) / 5)
    assert int(match.group(4)) == exercises, f"{path.name}: states {match.group(4)} exercises, has {exercises}"
    # prose grows with edits; the stated figures must stay within 10 minutes of the chapter's real size
    assert abs(stated - expected) <= 10, f"{path.name}: states {stated} min, its size gives {expected} min"
