"""Rerun chapters with their second parameter set and check the rendered prose follows (issue 18 §2).

Each chapter stores a second parameter set in its notebook metadata under
``metadata["crmlab"]["rerun_parameters"]``. papermill executes the chapter with it; the
chapter must complete, render the same sentences (same templates, in order) and at
least one rendered number must differ from the stored run. No number typed in a Markdown
cell (speaker notes included) may be one the stored outputs show and the rerun's do not
(:func:`crmlab.course.prose.stale_numbers`): such a number came from the data or the
parameters and belongs in ``say()``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crmlab.course.prose import prose_outputs, stale_numbers

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _options(prose: dict) -> list[str]:
    return [word for words in prose.get("options", {}).values() for word in words]


def _rerun_parameters(path: Path) -> dict | None:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return nb["metadata"].get("crmlab", {}).get("rerun_parameters")


WITH_PARAMS = [p for p in NOTEBOOKS if _rerun_parameters(p) is not None]

# typed numbers that also occur among the outputs by coincidence, each with the reason it stays typed
FIXED_NUMBERS = {
    ("01_customer_information", "cell-000", "263"): "the chapter's size in its time estimate",
    ("02_customer_value", "cell-000", "150"): "the reading speed in the time estimate",
    ("06_customer_lifetime_value", "teach-609", "450.0"): "a question with its own stated scenario (10 %, margin 100)",
    ("07_customer_accumulation", "cell-014", "1.04"): "the lecture's published ratio B/A, about the wording of ratios",
}


def test_rerun_parameters_are_real_parameters():
    assert WITH_PARAMS, "no chapter stores rerun_parameters"
    for path in WITH_PARAMS:
        nb = json.loads(path.read_text(encoding="utf-8"))
        params_cell = next(c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", []))
        source = "".join(params_cell["source"])
        names = {line.split("=")[0].strip() for line in source.splitlines() if "=" in line}
        unknown = set(_rerun_parameters(path)) - names
        assert not unknown, f"{path.name}: rerun_parameters {sorted(unknown)} are not in the parameters cell"
        assert prose_outputs(nb), f"{path.name}: stores rerun_parameters but renders no say() prose"


@pytest.mark.slow
@pytest.mark.parametrize("path", WITH_PARAMS, ids=[p.name for p in WITH_PARAMS])
def test_chapter_prose_follows_parameters(path, tmp_path):
    papermill = pytest.importorskip("papermill")
    stored = prose_outputs(json.loads(path.read_text(encoding="utf-8")))
    out = tmp_path / path.name
    papermill.execute_notebook(str(path), str(out), parameters=_rerun_parameters(path), kernel_name="python3",
                               cwd=str(tmp_path), progress_bar=False)
    rerun = prose_outputs(json.loads(out.read_text(encoding="utf-8")))
    assert [p["template"] for p in rerun] == [p["template"] for p in stored]
    changed = [new["cell_id"] for old, new in zip(stored, rerun, strict=True) if new["text"] != old["text"]]
    assert changed, f"{path.name}: no rendered sentence changed with parameters {_rerun_parameters(path)}"
    stale = {
        cell: [n for n in numbers if (path.stem, cell, n) not in FIXED_NUMBERS]
        for cell, numbers in stale_numbers(json.loads(path.read_text(encoding="utf-8")),
                                           json.loads(out.read_text(encoding="utf-8"))).items()
    }
    stale = {cell: numbers for cell, numbers in stale.items() if numbers}
    # the Chinese edition translates each word a sentence takes from the code; a word only the rerun picks
    # would stay English there unless the sentence declared it with choice()
    known = {w for p in stored for w in [*p["values"].values(), *_options(p)] if isinstance(w, str)}
    new_words = sorted({w for p in rerun for w in p["values"].values()
                        if isinstance(w, str) and any(ch.isalpha() for ch in w)} - known)
    assert not new_words, f"{path.name}: the rerun's prose uses words the catalogue cannot hold: {new_words}; " \
                          "pick them with crmlab.course.prose.choice()"
    assert not stale, f"{path.name}: typed numbers moved with {_rerun_parameters(path)}; use say(): {stale}"
