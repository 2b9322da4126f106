"""Course tooling: chapter metadata, student copies, the site, slides and the crmlab command."""

from __future__ import annotations

import re

import nbformat
import pytest

from crmlab.cli import build_parser, main
from crmlab.course import chapter_meta, find_chapters
from crmlab.course.student import student_copy, write_student_copies

CHAPTERS = find_chapters()
IDS = [p.stem for p in CHAPTERS]
EXTERNAL_LOAD = re.compile(r"""<(script|link|img)[^>]+(src|href)=["']https?://""", re.I)


def _tags(cell):
    return set(cell.get("metadata", {}).get("tags", []))


@pytest.mark.parametrize("path", CHAPTERS, ids=IDS)
def test_chapter_metadata_is_complete(path):
    meta = chapter_meta(path)
    assert meta.title and meta.summary.endswith((".", "!", "?"))
    assert 3 <= len(meta.goals) <= 6, f"{path.name}: {len(meta.goals)} learning goals"
    assert meta.minutes is not None and 5 <= meta.minutes <= 240


def test_student_copy_drops_solutions_and_instructor_notes():
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# Chapter 1 — T"),
            nbformat.v4.new_code_cell(
                "answer = None", metadata={"tags": ["exercise"]}, outputs=[nbformat.v4.new_output("stream", text="x")]
            ),
            nbformat.v4.new_code_cell("answer = 42", metadata={"tags": ["solution"]}),
            nbformat.v4.new_markdown_cell("secret notes", metadata={"tags": ["instructor"]}),
            nbformat.v4.new_code_cell(
                "print(answer == 42)",
                metadata={"tags": ["check"]},
                outputs=[nbformat.v4.new_output("stream", text="True")],
            ),
        ]
    )
    out = student_copy(nb)
    sources = [c.source for c in out.cells]
    assert "answer = 42" not in sources and "secret notes" not in sources
    assert "answer = None" in sources
    assert all(not c.get("outputs") for c in out.cells if c.cell_type == "code")
    assert len(nb.cells) == 5, "the input notebook must not be modified"


@pytest.fixture(scope="module")
def student_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("student")
    write_student_copies(CHAPTERS, out)
    return out


@pytest.mark.parametrize("path", CHAPTERS, ids=IDS)
def test_no_solution_code_survives_in_student_copy(path, student_dir):
    original = nbformat.read(path, as_version=4)
    solutions = [c.source.strip() for c in original.cells if _tags(c) & {"solution", "instructor"}]
    student = nbformat.read(student_dir / path.name, as_version=4)
    text = "\n".join(c.source for c in student.cells)
    assert not any(_tags(c) & {"solution", "instructor"} for c in student.cells)
    for sol in solutions:
        assert sol not in text, f"{path.name}: solution code survived"
    assert sum("exercise" in _tags(c) for c in student.cells) >= 1


@pytest.mark.slow
@pytest.mark.parametrize("path", CHAPTERS, ids=IDS)
def test_student_copy_runs_top_to_bottom(path, student_dir):
    from crmlab.course.execute import execute_notebook

    execute_notebook(student_dir / path.name, write=False, timeout=180)


def test_site_is_complete_and_offline(tmp_path):
    from crmlab.course.site import build_site

    pages = build_site(CHAPTERS, tmp_path)
    names = {p.name for p in pages}
    assert {"index.html", "glossary.html", "datasets.html"} <= names
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    for path in CHAPTERS:
        assert f'href="{path.stem}.html"' in index
        page = (tmp_path / f"{path.stem}.html").read_text(encoding="utf-8")
        assert 'class="crmlab-toc"' in page and 'href="index.html"' in page
        assert not EXTERNAL_LOAD.search(page), f"{path.stem}.html loads something from the network"
    first = (tmp_path / f"{CHAPTERS[0].stem}.html").read_text(encoding="utf-8")
    if len(CHAPTERS) > 1:
        assert f'rel="next" href="{CHAPTERS[1].stem}.html"' in first
    assert (tmp_path / "_static" / "mathjax" / "MathJax.js").is_file()


def test_slides_use_local_reveal(tmp_path):
    from crmlab.course.slides import build_slides

    deck = build_slides(CHAPTERS[:1], tmp_path)[0].read_text(encoding="utf-8")
    assert deck.count("<section") >= 5
    assert "_static/reveal.js/dist/reveal.js" in deck
    assert not EXTERNAL_LOAD.search(deck)
    assert (tmp_path / "_static" / "reveal.js" / "dist" / "reveal.js").is_file()


@pytest.mark.parametrize("command", ["course", "generate", "experiment"])
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as exc:
        main([command, "--help"])
    assert exc.value.code == 0
    assert len(capsys.readouterr().out) > 100


def test_top_level_help_lists_the_commands():
    text = build_parser().format_help()
    for command in ("course", "generate", "experiment"):
        assert command in text


def test_student_command_writes_copies(tmp_path, capsys):
    assert main(["course", "student", "--out", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.glob("*.ipynb")) == sorted(p.name for p in CHAPTERS)


def test_execute_runs_a_quiet_private_kernel_and_reports_the_failing_cell(tmp_path, capfd):
    import tempfile
    from pathlib import Path

    from crmlab.course.execute import ChapterError, execute_notebook

    before = set(Path(tempfile.gettempdir()).glob("crmlab-kernel-*"))
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 6 * 7\nx")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "tiny.ipynb"
    nbformat.write(nb, path)
    execute_notebook(path)
    assert nbformat.read(path, as_version=4).cells[0].outputs[0]["data"]["text/plain"] == "42"
    nb.cells.append(nbformat.v4.new_code_cell("1 / 0"))
    nbformat.write(nb, path)
    with pytest.raises(ChapterError, match=r"tiny.ipynb: code cell 2 failed \('1 / 0'\)"):
        execute_notebook(path)
    err = capfd.readouterr().err
    assert "TCP" not in err and "Parent appears to have exited" not in err  # IPC sockets, kernel shut down
    assert set(Path(tempfile.gettempdir()).glob("crmlab-kernel-*")) == before  # socket folders removed


def test_chinese_student_copies_and_slides(tmp_path):
    from crmlab.course.i18n import edition_chapters

    translated = edition_chapters(CHAPTERS, "zh")[0]
    assert main(["course", "student", "--lang", "zh", "--out", str(tmp_path / "student")]) == 0
    assert sorted(p.name for p in (tmp_path / "student").glob("*.ipynb")) == sorted(p.name for p in translated)
    for path in (tmp_path / "student").glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        assert not any(_tags(c) & {"solution", "instructor"} for c in nb.cells)
        assert re.search(r"[\u4e00-\u9fff]", nb.cells[0].source) and nb.metadata["crmlab"]["copy"] == "student"
    assert main(["course", "slides", "--lang", "zh", "--out", str(tmp_path / "slides")]) == 0
    decks = sorted((tmp_path / "slides").glob("*.slides.html"))
    assert len(decks) == len(translated) and "第" in decks[0].read_text(encoding="utf-8")


def test_make_lab_runs_as_root_and_opens_either_edition():
    import os
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    # under `make test` this is a sub-make, which would print "Entering/Leaving directory" lines
    env = {k: v for k, v in os.environ.items() if k not in {"MAKELEVEL", "MAKEFLAGS", "MFLAGS"}}

    def dry_run(*args):
        return subprocess.run(["make", "--no-print-directory", "-n", "-o", ".venv/.crmlab-installed", "lab", *args],
                              cwd=root, env=env, capture_output=True, text=True, check=True).stdout

    dry = dry_run("EDITION=zh")
    assert "crmlab course translate --out build/zh" in dry and "CRMLAB_LANG=zh" in dry and "build/zh" in dry
    assert ("--allow-root" in dry) == (os.getuid() == 0)
    dry_en = dry_run()
    assert "jupyter lab" in dry_en and dry_en.rstrip().endswith("notebooks")


def _slide_nb():
    table = "<table><thead><tr><th>x</th></tr></thead><tbody>" + "".join(
        f"<tr><td>{i}</td></tr>" for i in range(24)
    ) + "</tbody></table>"
    cells = [
        nbformat.v4.new_markdown_cell("# Chapter 1 — T", id="c0", metadata={"slideshow": {"slide_type": "slide"}}),
        nbformat.v4.new_code_cell("import x", id="c1", metadata={"slideshow": {"slide_type": "slide"}}),
        nbformat.v4.new_markdown_cell("after the imports", id="c2", metadata={"slideshow": {"slide_type": "-"}}),
        nbformat.v4.new_code_cell(
            "table",
            id="c3",
            outputs=[nbformat.v4.new_output("execute_result", data={"text/html": table, "text/plain": "t"})],
        ),
        nbformat.v4.new_markdown_cell("lecture notes", id="c4", metadata={"tags": ["instructor"]}),
        nbformat.v4.new_code_cell("answer = 42", id="c5", metadata={"tags": ["solution"]}),
        nbformat.v4.new_markdown_cell("\n\n".join(["A paragraph of some length. " * 8] * 6), id="c6"),
        nbformat.v4.new_code_cell(
            "print", id="c7", outputs=[nbformat.v4.new_output("stream", text="".join(f"{i}\n" for i in range(40)))]
        ),
    ]
    return nbformat.v4.new_notebook(cells=cells)


def test_slides_notebook_prepares_a_lecture_deck():
    from crmlab.course.slides import MAX_TABLE_ROWS, slides_notebook

    nb = _slide_nb()
    deck = slides_notebook(nb)
    by_id = {c.id: c for c in deck.cells}
    kind = {c.id: c.metadata.get("slideshow", {}).get("slide_type", "-") for c in deck.cells}
    assert kind["c4"] == "notes" and kind["c5"] == "fragment"
    assert kind["c1"] == "-" and kind["c2"] == "slide", "an output-less code cell must not start a slide"
    html_out = by_id["c3"].outputs[0]["data"]["text/html"]
    assert html_out.count("<tr>") == MAX_TABLE_ROWS + 1 and "16 more rows (24 in all)" in html_out
    assert "28 more lines" in by_id["c7"].outputs[0]["text"]
    parts = [c for c in deck.cells if c.id.startswith("c6")]
    assert len(parts) >= 2 and kind[parts[1].id] == "subslide"
    assert "".join(p.source for p in parts).replace("\n", "") == nb.cells[6].source.replace("\n", "")
    assert nb.cells[1].metadata["slideshow"]["slide_type"] == "slide", "the chapter must not be modified"
    student = slides_notebook(nb, student=True)
    assert not {"c4", "c5"} & {c.id for c in student.cells}


def test_chinese_deck_notes_are_chinese():
    from crmlab.course.slides import slides_notebook

    nb = _slide_nb()
    nb.metadata["crmlab"] = {"language": "zh"}
    deck = slides_notebook(nb)
    assert "另有 16 行（共 24 行）" in next(c for c in deck.cells if c.id == "c3").outputs[0]["data"]["text/html"]


def test_deck_hides_code_and_marks_student_decks(tmp_path):
    from crmlab.course.slides import build_slides

    deck = build_slides(CHAPTERS[:1], tmp_path)[0].read_text(encoding="utf-8")
    assert "body:not(.crmlab-show-code) .jp-CodeCell .jp-Cell-inputWrapper { display: none; }" in deck
    assert 'id="crmlab-code-toggle"' in deck and 'content="instructor"' in deck
    student = build_slides(CHAPTERS[:1], tmp_path / "student", student=True)[0].read_text(encoding="utf-8")
    assert 'content="student"' in student and "celltag_solution" not in student


@pytest.mark.slow
@pytest.mark.skipif(__import__("shutil").which("chromium") is None, reason="needs Debian's chromium")
def test_slide_check_measures_every_slide(tmp_path):
    from crmlab.course.check import check_slides
    from crmlab.course.slides import build_slides

    build_slides(CHAPTERS[-1:], tmp_path / "decks")
    build_slides(CHAPTERS[-1:], tmp_path / "decks" / "student", student=True)
    report = check_slides(tmp_path / "decks", tmp_path / "shots")
    assert report.ok, (report.overflowing, report.problems)
    facts = report.decks[f"{CHAPTERS[-1].stem}.slides.html"]
    assert facts["slides"] >= 5 and facts["overflowing"] == 0 and facts["visible_code"] == 0
    assert report.decks[f"student/{CHAPTERS[-1].stem}.slides.html"]["solutions"] == 0
    # a deck whose slide cannot fit even at the smallest scale is counted
    deck = tmp_path / "decks" / f"{CHAPTERS[-1].stem}.slides.html"
    text = deck.read_text(encoding="utf-8")
    deck.write_text(text.replace("</section>", '<div style="height:3000px">tall</div></section>', 1), encoding="utf-8")
    report = check_slides(tmp_path / "decks", tmp_path / "shots")
    assert len(report.overflowing) >= 1 and not report.ok


@pytest.mark.parametrize("path", CHAPTERS, ids=IDS)
def test_speaker_notes_reach_the_lecture_deck_only(path):
    from crmlab.course.slides import slides_notebook

    nb = nbformat.read(path, as_version=4)
    notes = {c.id for c in nb.cells if "instructor" in _tags(c)}
    assert notes, f"{path.stem} has no instructor cells"
    kinds = {c.id: c.metadata.get("slideshow", {}).get("slide_type") for c in slides_notebook(nb).cells}
    assert {kinds.get(i) for i in notes} == {"notes"}, f"{path.stem}: an instructor cell is not a speaker note"
    assert not notes & {c.id for c in slides_notebook(nb, student=True).cells}, "student deck shows speaker notes"
    assert not notes & {c.id for c in student_copy(nb).cells}, "student copy keeps speaker notes"
