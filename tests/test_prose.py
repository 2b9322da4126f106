"""Tests for crmlab.course.prose.say: rendered sentences that keep template and values."""

from __future__ import annotations

import json

import numpy as np
import pytest

from crmlab.course.prose import prose_outputs, say


def test_say_renders_markdown_with_template_and_values_in_metadata():
    s = say("Retention {rate:.0%} gives a CLV of {clv:,.1f}.", rate=np.float64(0.9), clv=450.0)
    data, meta = s._repr_mimebundle_()
    text = data["text/markdown"]
    assert text == "Retention 90% gives a CLV of 450.0."
    stored = meta["crmlab"]["prose"]
    assert stored["template"] == "Retention {rate:.0%} gives a CLV of {clv:,.1f}."
    assert stored["values"] == {"rate": 0.9, "clv": 450.0}
    assert type(stored["values"]["rate"]) is float  # numpy scalar converted
    json.dumps(meta)  # serialisable
    # the Chinese build re-renders a translated template with the stored values
    assert "保留率 {rate:.0%}".format(**stored["values"]) == "保留率 90%"


def test_say_converts_numpy_integers_and_keeps_strings():
    s = say("{n} customers in {name}", n=np.int64(12), name="A")
    assert s.values == {"n": 12, "name": "A"} and type(s.values["n"]) is int
    assert str(s) == "12 customers in A"


@pytest.mark.parametrize(
    ("template", "values", "match"),
    [
        ("{a} and {b}", {"a": 1}, r"no value for placeholder\(s\) \['b'\]"),
        ("{a}", {"a": 1, "c": 2}, r"not used by template"),
        ("{} items", {}, "placeholders must be named"),
        ("{a:.1f}", {"a": "x"}, "Unknown format code|format"),
    ],
)
def test_say_rejects_bad_templates(template, values, match):
    with pytest.raises(ValueError, match=match):
        say(template, **values)


def test_say_rejects_non_scalar_values():
    with pytest.raises(TypeError, match="'arr' must be an int, float, str or bool"):
        say("{arr}", arr=np.array([1, 2]))
    with pytest.raises(TypeError, match="'template' must be a str"):
        say(3)


def test_prose_outputs_reads_display_data_from_a_notebook():
    s = say("B is {pct:.0%} larger.", pct=0.04)
    data, meta = s._repr_mimebundle_()
    text = data["text/markdown"]
    nb = {"cells": [
        {"cell_type": "markdown", "source": "x"},
        {"cell_type": "code", "id": "c1", "outputs": [
            {"output_type": "stream", "text": "hi"},
            {"output_type": "display_data", "data": {"text/markdown": text, "text/plain": "x"}, "metadata": meta},
        ]},
    ]}
    assert prose_outputs(nb) == [{"cell_id": "c1", "text": "B is 4% larger.", "template": s.template,
                                  "values": {"pct": 0.04}}]


def test_ipython_display_carries_markdown_and_top_level_metadata():
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    data, meta = shell.display_formatter.format(say("A lost {x} customers.", x=2))
    assert data["text/markdown"] == "A lost 2 customers."
    assert meta["crmlab"]["prose"] == {"template": "A lost {x} customers.", "values": {"x": 2}}


def test_importing_prose_does_not_pull_the_notebook_toolchain():
    # chapters import crmlab.course.prose in every kernel; nbformat/jsonschema are for the build only
    import subprocess
    import sys

    code = ("import sys, crmlab.course.prose, crmlab.course as c\n"
            "heavy = sorted(m for m in ('nbformat', 'jsonschema', 'nbclient') if m in sys.modules)\n"
            "assert not heavy, heavy\n"
            "assert c.find_chapters.__module__ == 'crmlab.course.meta'\n"
            "assert 'nbformat' in sys.modules\n")
    subprocess.run([sys.executable, "-c", code], check=True)


def _note_cell(template: str, **values):
    data, meta = say(template, **values)._repr_mimebundle_()
    return {"cell_type": "code", "id": "instr-1", "source": f"say({template!r}, ...)", "execution_count": 3,
            "metadata": {"tags": ["instructor"], "slideshow": {"slide_type": "notes"}},
            "outputs": [{"output_type": "display_data", "data": data, "metadata": meta}]}


def test_a_say_note_becomes_the_markdown_it_renders_in_the_deck():
    import nbformat

    from crmlab.course.slides import slides_notebook

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Retention", id="cell-1"),
                nbformat.from_dict(_note_cell("Start at CLV {clv:.1f}; ask the room.", clv=266.66))]
    note = next(c for c in slides_notebook(nb).cells if c.id == "instr-1")
    assert note.cell_type == "markdown" and note.source == "Start at CLV 266.7; ask the room."
    assert note.metadata["slideshow"]["slide_type"] == "notes" and "say(" not in note.source
    assert nb.cells[1].cell_type == "code", "the chapter must not be modified"
    assert "instr-1" not in {c.id for c in slides_notebook(nb, student=True).cells}


def test_rendered_note_leaves_other_cells_alone():
    from crmlab.course.prose import rendered_note

    plain = {"cell_type": "code", "id": "c", "source": "x = 1", "metadata": {}, "outputs": []}
    markdown = {"cell_type": "markdown", "id": "m", "source": "text", "metadata": {}}
    assert rendered_note(plain) is plain and rendered_note(markdown) is markdown


def test_stale_numbers_finds_typed_values_that_moved_and_ignores_fixed_ones():
    from crmlab.course.prose import stale_numbers

    def chapter(printed: str) -> dict:
        return {"cells": [
            {"cell_type": "markdown", "id": "m1", "source": "B/A is 1.04; 1,653 predicted, 2 years, lecture's 330."},
            {"cell_type": "markdown", "id": "m2", "source": ["Nothing ", "here but 12 %."]},
            {"cell_type": "code", "id": "c", "source": "", "outputs": [
                {"output_type": "display_data", "data": {"text/plain": printed}, "metadata": {}}]},
        ]}

    stored = chapter("ratio 1.04, predicted 1653, lecture 330, 12")
    rerun = chapter("ratio 1.10, predicted 1,702, lecture 330, 13")
    assert stale_numbers(stored, rerun) == {"m1": ["1.04", "1653"]}
    assert stale_numbers(stored, stored) == {}


def test_choice_remembers_every_word_and_refuses_a_word_outside_its_options():
    from crmlab.course.prose import choice

    verb = choice("overstates", ["understates", "overstates", "understates"])
    assert verb == "overstates" and verb.options == ("understates", "overstates")
    s = say("PLS {verb} the effect.", verb=verb)
    assert s.values == {"verb": "overstates"} and type(s.values["verb"]) is str
    assert s.metadata["crmlab"]["prose"]["options"] == {"verb": ["understates", "overstates"]}
    assert "options" not in say("PLS {verb} the effect.", verb="overstates").metadata["crmlab"]["prose"]
    with pytest.raises(ValueError, match="'is close to' is not one of the options"):
        choice("is close to", ["understates", "overstates"])


def test_the_catalogue_holds_the_words_a_rerun_could_pick(tmp_path):
    import nbformat

    from crmlab.course.i18n import catalogue_status, read_catalogue, update_catalogue
    from crmlab.course.prose import choice

    data, meta = say("PLS {verb} the effect.", verb=choice("understates", ["understates", "overstates"])
                     )._repr_mimebundle_()
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# PLS", id="cell-001"),
                nbformat.v4.new_code_cell("say(...)", id="cell-002", outputs=[
                    nbformat.v4.new_output("display_data", data=data, metadata=meta)])]
    chapter = tmp_path / "05_loyalty.ipynb"
    nbformat.write(nb, chapter)
    catalog = read_catalogue(update_catalogue(chapter))
    words = [m.id for m in catalog if m.context == "prose-word"]
    assert words == ["understates", "overstates"]
    status = catalogue_status(nb, catalog, "05_loyalty")
    assert "overstates" in status.describe(), "an untranslated option must be reported, not only the picked word"
