"""A cache of executed chapters, keyed by everything their outputs depend on.

A chapter's outputs are a function of its cells, the crmlab package, the shipped data, the
installed packages, the Python version and the ``CRMLAB_*`` environment (the chapters are
deterministic: strict nbval holds them to their stored outputs). :func:`execution_key` hashes
all of these; an executed notebook is stored under its key, and a later run with the same key
takes the stored notebook instead of starting a kernel. Any change to any input gives a new key,
so a stale entry is never served; entries are only ever added (``make clean`` removes them).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from importlib import metadata
from pathlib import Path

import nbformat

__all__ = ["cached_notebook", "execution_key", "store_notebook"]

_PACKAGE_ROOT = Path(__file__).resolve().parents[1]
_SKIP_DIRS = {"__pycache__", ".ipynb_checkpoints", ".pytest_cache"}


def _tree_digest(root: Path, *, skip_suffixes: tuple[str, ...] = ()) -> str:
    """sha256 over the relative paths and bytes of every file under ``root`` (sorted)."""
    h = hashlib.sha256()
    if not root.is_dir():
        return "absent"
    for path in sorted(root.rglob("*")):
        if not path.is_file() or _SKIP_DIRS & set(path.relative_to(root).parts) or path.suffix in skip_suffixes:
            continue
        h.update(str(path.relative_to(root)).encode())
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def _cells_digest(path: Path) -> str:
    """sha256 of a notebook without its outputs: cells (type, id, source, metadata) and notebook metadata."""
    nb = nbformat.read(path, as_version=4)
    cells = [{"type": c.cell_type, "id": c.get("id"), "source": c.source, "metadata": c.get("metadata", {})}
             for c in nb.cells]
    text = json.dumps({"cells": cells, "metadata": nb.metadata}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _environment_digest() -> str:
    """sha256 of the Python version, every installed distribution's version and the CRMLAB_* variables."""
    dists = sorted({f"{d.metadata['Name']}=={d.version}" for d in metadata.distributions() if d.metadata["Name"]})
    env = sorted((k, v) for k, v in os.environ.items() if k.startswith("CRMLAB_") or k == "PYTHONHASHSEED")
    text = json.dumps({"python": sys.version, "dists": dists, "env": env})
    return hashlib.sha256(text.encode()).hexdigest()


def execution_key(path: str | Path, *, package_root: str | Path | None = None,
                  data_root: str | Path | None = None) -> str:
    """Return the key of a notebook's execution: a sha256 of everything its outputs depend on.

    Parameters
    ----------
    path : str or Path
        The notebook (its stored outputs do not enter the key).
    package_root : str or Path, optional
        The crmlab package folder whose files enter the key; default the imported package.
    data_root : str or Path, optional
        The shipped data folder; default ``datasets/`` beside the package folder.

    Returns
    -------
    str
        64 hexadecimal digits. The key also covers the other files of the notebook's folder
        (configurations it reads), the installed distributions and their versions, the
        Python version and the ``CRMLAB_*`` and ``PYTHONHASHSEED`` environment variables.

    Examples
    --------
    >>> import nbformat, tempfile
    >>> from pathlib import Path
    >>> folder = Path(tempfile.mkdtemp())
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1", id="a")])
    >>> nbformat.write(nb, folder / "one.ipynb")
    >>> key = execution_key(folder / "one.ipynb")
    >>> nb.cells[0].source = "1 + 2"
    >>> nbformat.write(nb, folder / "one.ipynb")
    >>> execution_key(folder / "one.ipynb") == key
    False
    """
    path = Path(path)
    package = Path(package_root) if package_root is not None else _PACKAGE_ROOT
    data = Path(data_root) if data_root is not None else package.parent / "datasets"
    parts = {
        "notebook": _cells_digest(path),
        "folder": _tree_digest(path.parent, skip_suffixes=(".ipynb",)),
        "package": _tree_digest(package, skip_suffixes=(".pyc",)),
        "data": _tree_digest(data),
        "environment": _environment_digest(),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def cached_notebook(cache_dir: str | Path, key: str) -> Path | None:
    """Return the stored executed notebook of ``key`` in ``cache_dir``, or None.

    Parameters
    ----------
    cache_dir : str or Path
        The cache folder.
    key : str
        From :func:`execution_key`.

    Returns
    -------
    Path or None
        The stored notebook, if there is one.

    Examples
    --------
    >>> import tempfile
    >>> cached_notebook(tempfile.mkdtemp(), "0" * 64) is None
    True
    """
    entry = Path(cache_dir) / f"{key}.ipynb"
    return entry if entry.is_file() else None


def store_notebook(cache_dir: str | Path, key: str, executed: str | Path) -> Path:
    """Store an executed notebook under ``key`` (written whole, then renamed into place).

    Parameters
    ----------
    cache_dir : str or Path
        The cache folder (created if needed).
    key : str
        From :func:`execution_key`, computed before the execution.
    executed : str or Path
        The executed notebook to store.

    Returns
    -------
    Path
        The stored entry.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "ch.ipynb").write_text("{}")
    >>> entry = store_notebook(folder / "cache", "ab" * 32, folder / "ch.ipynb")
    >>> cached_notebook(folder / "cache", "ab" * 32) == entry
    True
    """
    folder = Path(cache_dir)
    folder.mkdir(parents=True, exist_ok=True)
    entry = folder / f"{key}.ipynb"
    partial = folder / f".{key}.{os.getpid()}.partial"
    shutil.copyfile(executed, partial)
    os.replace(partial, entry)
    return entry
