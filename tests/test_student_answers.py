"""Student copies drop revealed answers (<details> blocks) but keep the questions (issue 18 §3)."""

from __future__ import annotations

import nbformat

from crmlab.course.student import student_copy


def test_student_copy_drops_details_answers_and_keeps_questions():
    nb = nbformat.v4.new_notebook()
    md = ("**1.** What is 2 + 2?\n\n<details><summary>Answer</summary>\n\n4, by arithmetic.\n</details>\n\n"
          "**2.** And 3 + 3?\n\n<details><summary>Answer</summary>\n6\n</details>\n")
    nb.cells = [nbformat.v4.new_markdown_cell(md), nbformat.v4.new_markdown_cell("No questions here.")]
    out = student_copy(nb)
    text = out.cells[0].source
    assert "What is 2 + 2?" in text and "And 3 + 3?" in text
    assert "<details>" not in text and "by arithmetic" not in text and "6\n" not in text
    assert out.cells[1].source == "No questions here."
    assert "<details>" in nb.cells[0].source  # input untouched
