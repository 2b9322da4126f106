"""The glossary maps terms to the chapter that teaches them (issue 18 §1): checked against the chapter text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crmlab.glossary import CHAPTERS, glossary

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"

# Topics the teaching pass teaches once (term -> chapter); the others refer back.
TAUGHT_ONCE = {
    "manager D case": "02",
    "80/20 rule": "02",
    "customer ordering model": "02",
    "segmentation indicators": "02",
    "customer lifecycle": "05",
    "Porter's five forces": "04",
    "moments of truth": "04",
    "service recovery": "04",
}


def _markdown(chapter: str) -> str:
    nb = json.loads((NOTEBOOKS / f"{chapter}_{CHAPTERS[chapter]}.ipynb").read_text(encoding="utf-8"))
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")


@pytest.mark.parametrize(("term", "chapter"), sorted(TAUGHT_ONCE.items()))
def test_glossary_chapter_is_the_teaching_chapter(term, chapter):
    g = glossary().set_index("term")
    assert g.loc[term, "chapter"] == chapter
    assert g.loc[term, "chinese"] in _markdown(chapter), f"{term}: {g.loc[term, 'chinese']} not in chapter {chapter}"


def test_repeated_topics_refer_back_instead_of_reteaching():
    # manager D is told in chapter 2; chapters 3 and 5 point back to it
    for chapter in ("03", "05"):
        text = _markdown(chapter)
        assert "Chapter 2" in text and "D经理" in text
        assert "Manager D's company treated all customers alike" not in text
