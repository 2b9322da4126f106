"""Chapters executed side by side give the same stored outputs as one after another (issue 20, item 5)."""

from __future__ import annotations

import nbformat
import pytest

from crmlab.course.execute import ChapterError, execute_notebooks

pytestmark = pytest.mark.notebooks


def _notebook(path, *sources):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(src) for src in sources])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def _outputs(path):
    return [cell.outputs for cell in nbformat.read(path, as_version=4).cells]


def test_parallel_execution_stores_the_same_outputs_as_serial(tmp_path):
    sources = [("import os\nos.environ.get('PYTHONHASHSEED')", "hash('crm') % 1000"),
               ("print('a')\nprint('b')", "sum(range(10))")]
    serial = [_notebook(tmp_path / f"s{i}.ipynb", *src) for i, src in enumerate(sources)]
    parallel = [_notebook(tmp_path / f"p{i}.ipynb", *src) for i, src in enumerate(sources)]
    lines: list[str] = []
    times = execute_notebooks(parallel, n_jobs=2, log=lines.append)
    execute_notebooks(serial, log=lambda _: None)
    assert list(times) == [p.name for p in parallel]  # in the order given, whatever order they finished
    assert [_outputs(p) for p in parallel] == [_outputs(p) for p in serial]
    assert _outputs(parallel[0])[0][0]["data"]["text/plain"] == "'0'"  # fixed hash seed in every worker
    assert sum("done in" in line for line in lines) == len(parallel)


def test_parallel_execution_stops_at_a_failing_chapter(tmp_path):
    good = _notebook(tmp_path / "good.ipynb", "1 + 1")
    bad = _notebook(tmp_path / "bad.ipynb", "1 / 0")
    with pytest.raises(ChapterError, match=r"bad.ipynb: code cell 1 failed"):
        execute_notebooks([good, bad], n_jobs=2, log=lambda _: None)


def test_n_jobs_must_be_positive(tmp_path):
    with pytest.raises(ValueError, match=r"execute_notebooks\(\): 'n_jobs'"):
        execute_notebooks([tmp_path / "x.ipynb"], n_jobs=0)
