"""Executed chapters are cached by a key of everything their outputs depend on (issue 20, item 5)."""

from __future__ import annotations

import shutil

import nbformat
import pytest

from crmlab.course.cache import _PACKAGE_ROOT, execution_key
from crmlab.course.execute import ChapterError, execute_notebooks


def _notebook(path, *sources):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(src, id=f"c{i}") for i, src in enumerate(sources)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


@pytest.mark.notebooks
def test_same_inputs_take_the_stored_execution_and_a_change_runs_again(tmp_path):
    (tmp_path / "book").mkdir()
    book = _notebook(tmp_path / "book" / "ch.ipynb", "print(6 * 7)")
    cache = tmp_path / "cache"
    lines: list[str] = []
    first = execute_notebooks([book], cache=cache, log=lines.append)
    executed = book.read_bytes()
    assert first["ch.ipynb"] > 0 and len(list(cache.glob("*.ipynb"))) == 1
    assert nbformat.read(book, as_version=4).cells[0].outputs[0]["text"] == "42\n"

    _notebook(book, "print(6 * 7)")  # same cells, outputs gone: the stored execution comes back whole
    again = execute_notebooks([book], cache=cache, log=lines.append)
    assert again == {"ch.ipynb": 0.0}
    assert book.read_bytes() == executed
    assert any("taken from the cache" in line for line in lines)

    _notebook(book, "print(6 * 8)")  # a changed cell is a new key: it runs, and is stored beside the first
    third = execute_notebooks([book], cache=cache, log=lines.append)
    assert third["ch.ipynb"] > 0 and len(list(cache.glob("*.ipynb"))) == 2
    assert nbformat.read(book, as_version=4).cells[0].outputs[0]["text"] == "48\n"


@pytest.mark.notebooks
def test_a_failing_chapter_is_not_stored(tmp_path):
    bad = _notebook(tmp_path / "bad.ipynb", "1 / 0")
    with pytest.raises(ChapterError, match="bad.ipynb"):
        execute_notebooks([bad], cache=tmp_path / "cache", log=lambda _: None)
    assert not list(tmp_path.glob("cache/*.ipynb"))


def test_every_input_enters_the_key_and_outputs_do_not(tmp_path, monkeypatch):
    folder = tmp_path / "book"
    folder.mkdir()
    book = _notebook(folder / "ch.ipynb", "1 + 1")
    package = tmp_path / "crmlab"
    shutil.copytree(_PACKAGE_ROOT, package, ignore=shutil.ignore_patterns("__pycache__"))
    data = tmp_path / "datasets"
    data.mkdir()
    (data / "card.md").write_text("v1")

    def key():
        return execution_key(book, package_root=package, data_root=data)

    base = key()
    assert key() == base  # deterministic

    nb = nbformat.read(book, as_version=4)
    nb.cells[0].outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "2"}, execution_count=1)]
    nbformat.write(nb, book)
    assert key() == base, "stored outputs must not enter the key"

    changes = {
        "a cell": lambda: _notebook(book, "1 + 2"),
        "a cell's tags": lambda: (nb.cells[0].metadata.update(tags=["solution"]), nbformat.write(nb, book)),
        "a crmlab file": lambda: (package / "rfm" / "summary.py").write_text(
            (package / "rfm" / "summary.py").read_text() + "\n# edited\n"),
        "a shipped data file": lambda: (data / "card.md").write_text("v2"),
        "a file beside the notebook": lambda: (folder / "study.toml").write_text("n = 1\n"),
        "a CRMLAB_ variable": lambda: monkeypatch.setenv("CRMLAB_LANG", "zh"),
    }
    seen = {base}
    for what, change in changes.items():
        change()
        new = key()
        assert new not in seen, f"changing {what} did not change the key"
        seen.add(new)
