"""Execute chapter notebooks top to bottom in a fresh kernel and store their outputs."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from pathlib import Path

import nbformat

from crmlab._validation import check_int
from crmlab.course.cache import cached_notebook, execution_key, store_notebook

__all__ = ["ChapterError", "coalesce_streams", "execute_notebook", "execute_notebooks"]


class ChapterError(RuntimeError):
    r"""A chapter failed to execute; the message names the notebook and the cell.

    A :class:`RuntimeError`, raised by :func:`execute_notebook` with the first line of the failing
    cell and the kernel's error.

    Examples
    --------
    >>> try:
    ...     raise ChapterError("03_rfm.ipynb: code cell 4 failed ('1 / 0'):\nZeroDivisionError: division by zero")
    ... except RuntimeError as error:
    ...     print(str(error).splitlines()[0])
    03_rfm.ipynb: code cell 4 failed ('1 / 0'):
    """


@contextmanager
def _deterministic_env():
    """Kernel environment for reproducible outputs: fixed hash seed, inline figures, static demos."""
    saved = {k: os.environ.get(k) for k in ("PYTHONHASHSEED", "MPLBACKEND", "CRMLAB_WIDGETS")}
    os.environ["PYTHONHASHSEED"] = "0"
    os.environ["CRMLAB_WIDGETS"] = "static"  # crmlab.widgets: stored outputs hold the static figure
    os.environ.pop("MPLBACKEND", None)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def execute_notebook(path: str | Path, *, timeout: int = 300, write: bool = True) -> float:
    """Run one notebook top to bottom in a fresh ``python3`` kernel.

    Parameters
    ----------
    path : str or Path
        The notebook; it runs with its own folder as working directory.
    timeout : int, default=300
        Seconds allowed per cell.
    write : bool, default=True
        Store the new outputs in the file.

    Returns
    -------
    float
        Seconds the execution took.

    Raises
    ------
    ChapterError
        If a cell not tagged ``raises-exception`` fails, naming the notebook, the
        cell number and its first line.
    """
    from jupyter_client import KernelManager
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
            cell.metadata.pop("execution", None)
    # The kernel talks to us over Unix sockets in a private temporary folder (not TCP on localhost).
    sockets = Path(tempfile.mkdtemp(prefix="crmlab-kernel-"))
    km = KernelManager(kernel_name="python3", transport="ipc", ip=str(sockets / "ipc"))
    client = NotebookClient(
        nb,
        km=km,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        record_timing=False,
        allow_errors=False,
    )
    start = time.perf_counter()
    with _deterministic_env():
        try:
            client.execute()
        except CellExecutionError as exc:
            index, first_line = _failing_cell(nb)
            raise ChapterError(f"{path.name}: code cell {index} failed ({first_line!r}):\n{exc}") from None
        finally:
            if km.has_kernel:  # nbclient leaves a kernel it was handed running
                km.shutdown_kernel()
            shutil.rmtree(sockets, ignore_errors=True)
    elapsed = time.perf_counter() - start
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = coalesce_streams(cell.outputs)
    nb.metadata.pop("papermill", None)
    if write:
        nbformat.write(nb, path)
    return elapsed


def coalesce_streams(outputs: list) -> list:
    r"""Merge adjacent ``stdout`` (or ``stderr``) outputs of a cell into one.

    How the kernel splits printed text into messages depends on timing; merging the
    pieces makes a re-executed chapter byte-identical to the stored one.

    Parameters
    ----------
    outputs : list of nbformat.NotebookNode
        A code cell's outputs.

    Returns
    -------
    list of nbformat.NotebookNode
        The outputs, with each run of same-stream text joined.

    Examples
    --------
    >>> from nbformat.v4 import new_output
    >>> outs = [new_output("stream", name="stdout", text="a\n"), new_output("stream", name="stdout", text="b\n")]
    >>> [o.text for o in coalesce_streams(outs)]
    ['a\nb\n']
    """
    merged: list = []
    for out in outputs:
        prev = merged[-1] if merged else None
        if (prev is not None and out.get("output_type") == "stream" and prev.get("output_type") == "stream"
                and out.get("name") == prev.get("name")):
            prev["text"] = prev["text"] + out["text"]
        else:
            merged.append(out)
    return merged


def _failing_cell(nb: nbformat.NotebookNode) -> tuple[int, str]:
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    for i, cell in enumerate(code_cells, start=1):
        if any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            if "raises-exception" not in cell.metadata.get("tags", []):
                lines = cell.source.strip().splitlines()
                return i, lines[0] if lines else ""
    return -1, ""


def execute_notebooks(
    paths: Iterable[str | Path], *, timeout: int = 300, log: Callable[[str], object] = print, n_jobs: int = 1,
    cache: str | Path | None = None,
) -> dict[str, float]:
    """Execute several notebooks, logging progress; stop at the first failure.

    Parameters
    ----------
    paths : iterable of str or Path
        Notebooks to run. Chapters are independent (each runs in its own fresh kernel
        from its own stored inputs), so they may run side by side.
    timeout : int, default=300
        Seconds allowed per cell.
    log : callable, default=print
        Receives one progress line per chapter.
    n_jobs : int, default=1
        Notebooks executed at the same time, each in its own worker process and
        kernel; 1 runs them one after another in the given order.
    cache : str or Path, optional
        A folder of executed notebooks keyed by :func:`crmlab.course.cache.execution_key`:
        a notebook whose key is there takes the stored outputs instead of running (0 seconds),
        and each executed notebook is stored. By default every notebook runs.

    Returns
    -------
    dict of str to float
        Seconds per notebook name, in the order of ``paths``.

    Raises
    ------
    ChapterError
        At the first notebook with a failing cell (see :func:`execute_notebook`);
        with ``n_jobs > 1`` the notebooks not yet started are cancelled.
    ValueError
        If ``n_jobs`` is not a positive integer.
    """
    paths = [Path(p) for p in paths]
    n_jobs = check_int(n_jobs, "n_jobs", caller="execute_notebooks", minimum=1)
    times: dict[str, float] = {}
    if cache is not None:
        keys, paths = _take_cached(paths, cache, times, log)
        run = execute_notebooks(paths, timeout=timeout, log=log, n_jobs=n_jobs)
        for path in paths:  # all ran (a failure raised above): store them under their keys
            store_notebook(cache, keys[path], path)
        times.update(run)
        return {path.name: times[path.name] for path in keys}
    if n_jobs == 1 or len(paths) < 2:
        for i, path in enumerate(paths, start=1):
            log(f"[{i}/{len(paths)}] executing {path.name} ...")
            seconds = execute_notebook(path, timeout=timeout)
            times[path.name] = seconds
            log(f"[{i}/{len(paths)}] {path.name} done in {seconds:.1f} s")
        return times
    # spawn: each worker starts clean (no inherited kernel-manager state or threads)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(n_jobs, len(paths)), mp_context=context) as pool:
        log(f"executing {len(paths)} notebooks, {min(n_jobs, len(paths))} at a time ...")
        futures = {pool.submit(execute_notebook, path, timeout=timeout): path for path in paths}
        try:
            for done, future in enumerate(as_completed(futures), start=1):
                path = futures[future]
                times[path.name] = future.result()
                log(f"[{done}/{len(paths)}] {path.name} done in {times[path.name]:.1f} s")
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    return {path.name: times[path.name] for path in paths}


def _take_cached(paths: list[Path], cache: str | Path, times: dict[str, float],
                 log: Callable[[str], object]) -> tuple[dict[Path, str], list[Path]]:
    """Copy cached executions onto their notebooks; return every key and the notebooks still to run."""
    keys = {path: execution_key(path) for path in paths}
    todo = []
    for path in paths:
        entry = cached_notebook(cache, keys[path])
        if entry is None:
            todo.append(path)
            continue
        shutil.copyfile(entry, path)
        times[path.name] = 0.0
        log(f"{path.name}: same inputs as a stored execution, outputs taken from the cache ({Path(cache)})")
    return keys, todo

