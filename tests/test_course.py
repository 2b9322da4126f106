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
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    dry = subprocess.run(["make", "-n", "-o", ".venv/.crmlab-installed", "lab", "EDITION=zh"], cwd=root,
                         capture_output=True, text=True, check=True).stdout
    assert "crmlab course translate --out build/zh" in dry and "CRMLAB_LANG=zh" in dry and "build/zh" in dry
    import os

    assert ("--allow-root" in dry) == (os.getuid() == 0)
    dry_en = subprocess.run(["make", "-n", "-o", ".venv/.crmlab-installed", "lab"], cwd=root,
                            capture_output=True, text=True, check=True).stdout
    assert "jupyter lab" in dry_en and dry_en.rstrip().endswith("notebooks")
