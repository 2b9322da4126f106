"""Where the dataset files live, their registry, checksums and the generic loader."""

from __future__ import annotations

import csv
import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from crmlab.datasets._parsers import PARSERS

__all__ = ["DatasetInfo", "data_dir", "dataset_info", "dataset_path", "list_datasets", "load", "register_parser"]

ENV_VAR = "CRMLAB_DATA_DIR"
REGISTRY_FILE = "registry.csv"


@dataclass(frozen=True)
class DatasetInfo:
    """One row of the dataset registry.

    Parameters
    ----------
    name, file, sha256 : str
        Dataset name (as in ``load_<name>``), file name in ``datasets/`` and checksum.
    rows, columns : int
        Shape of the DataFrame that ``load_<name>()`` returns.
    dtypes : dict of str to str
        Column name → dtype of the loaded frame, in column order.
    chapter, source, licence : str
        Chapters using it, provenance and licence (see ``datasets/README.md``).
    generator, seed : str
        For synthetic data, the generator call and seed that made the file.

    Examples
    --------
    >>> from crmlab.datasets import dataset_info
    >>> info = dataset_info("cdnow_summary")
    >>> info.name, info.rows, info.columns
    ('cdnow_summary', 2357, 5)
    """

    name: str
    file: str
    sha256: str
    rows: int
    columns: int
    dtypes: dict[str, str]
    chapter: str
    source: str
    licence: str
    generator: str = ""
    seed: str = ""


def _candidate_dirs() -> list[Path]:
    dirs = []
    env = os.environ.get(ENV_VAR)
    if env:
        folder = Path(env)
        if not (folder / REGISTRY_FILE).is_file():
            what = "does not exist" if not folder.exists() else (
                "is not a folder" if not folder.is_dir() else f"has no {REGISTRY_FILE}")
            raise FileNotFoundError(
                f"data_dir(): {ENV_VAR} is set to '{env}', which {what}; point it at a crmlab datasets folder "
                f"(one holding {REGISTRY_FILE}, such as the repository's datasets/) or unset it to use the "
                "installed data."
            )
        dirs.append(folder)
    package = Path(__file__).resolve().parent.parent  # the crmlab/ folder
    dirs.append(package / "_datasets")
    dirs.append(package.parent / "datasets")
    return dirs


def data_dir() -> Path:
    """Return the folder the datasets are read from.

    Chapter 0 (getting started): where ``load_<name>()`` finds its files.

    Returns
    -------
    pathlib.Path
        The first of ``$CRMLAB_DATA_DIR``, the installed package data and the
        repository's ``datasets/`` that holds a ``registry.csv``.

    Raises
    ------
    FileNotFoundError
        If none of them does, listing where it looked.

    Examples
    --------
    >>> (data_dir() / "registry.csv").is_file()
    True
    """
    candidates = _candidate_dirs()
    for folder in candidates:
        if (folder / REGISTRY_FILE).is_file():
            return folder
    looked = ", ".join(str(d) for d in candidates)
    raise FileNotFoundError(
        f"data_dir(): no crmlab datasets folder with {REGISTRY_FILE} found (looked in: {looked}); "
        f"reinstall crmlab or set {ENV_VAR} to the repository's datasets/ folder."
    )


_REGISTRY_COLUMNS = ("name", "file", "sha256", "rows", "columns", "dtypes", "chapter", "source", "licence")


@lru_cache(maxsize=8)
def _read_registry(folder: Path) -> dict[str, DatasetInfo]:
    path = folder / REGISTRY_FILE
    fix = f"restore it from the repository (git checkout -- datasets/{REGISTRY_FILE}) or reinstall crmlab"
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in _REGISTRY_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"load(): the dataset registry '{path}' is malformed: it lacks column(s) {missing} "
                             f"(header {reader.fieldnames}); {fix}.")
        rows = list(reader)
    out = {}
    for line, row in enumerate(rows, start=2):
        try:
            if any(row.get(c) is None for c in _REGISTRY_COLUMNS) or None in row:
                raise ValueError("wrong number of fields")
            dtypes = {}
            for item in filter(None, row["dtypes"].split(";")):
                column, sep, dtype = item.partition(":")
                if not sep:
                    raise ValueError(f"dtypes item {item!r} is not 'column:dtype'")
                dtypes[column] = dtype
            info = DatasetInfo(
                name=row["name"],
                file=row["file"],
                sha256=row["sha256"],
                rows=int(row["rows"]),
                columns=int(row["columns"]),
                dtypes=dtypes,
                chapter=row["chapter"],
                source=row["source"],
                licence=row["licence"],
                generator=row.get("generator", "") or "",
                seed=row.get("seed", "") or "",
            )
        except ValueError as exc:
            raise ValueError(f"load(): the dataset registry '{path}' is malformed at line {line} "
                             f"(dataset {row.get('name')!r}): {exc}; {fix}.") from None
        if not info.name or info.name in out:
            raise ValueError(f"load(): the dataset registry '{path}' is malformed at line {line}: "
                             f"{'an empty' if not info.name else 'a repeated'} dataset name {info.name!r}; {fix}.")
        out[info.name] = info
    return out


def _registry() -> dict[str, DatasetInfo]:
    return _read_registry(data_dir())


def list_datasets() -> list[str]:
    """Return the names of every shipped dataset, sorted.

    Chapter 0 (getting started); the registry also says which chapters use each one.

    Returns
    -------
    list of str
        Each name has a matching ``load_<name>()`` function.

    Raises
    ------
    FileNotFoundError
        If no datasets folder is found (see :func:`data_dir`).

    Examples
    --------
    >>> "cdnow_master" in list_datasets()
    True
    """
    return sorted(_registry())


def _info(name: str, caller: str) -> DatasetInfo:
    if not isinstance(name, str):
        raise TypeError(f"{caller}(): 'name' must be a str such as 'cdnow_master'; got {type(name).__name__}.")
    registry = _registry()
    if name not in registry:
        raise ValueError(f"{caller}(): unknown dataset {name!r}; choose one of {sorted(registry)}.")
    return registry[name]


def dataset_info(name: str) -> DatasetInfo:
    """Return the registry entry of dataset ``name``.

    Chapter 0 (getting started): shape, dtypes, source, licence and chapters of a dataset.

    Parameters
    ----------
    name : str
        A name from :func:`list_datasets`.

    Returns
    -------
    DatasetInfo

    Raises
    ------
    TypeError
        If ``name`` is not a str.
    ValueError
        If ``name`` is not a shipped dataset.

    Examples
    --------
    >>> info = dataset_info("mobi")
    >>> info.rows, info.columns
    (250, 24)
    """
    return _info(name, "dataset_info")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def dataset_path(name: str, *, verify: bool = True) -> Path:
    """Return the path of dataset ``name``'s file, checking its sha256.

    Chapter 0 (getting started): for reading a raw file with other tools.

    Parameters
    ----------
    name : str
        A name from :func:`list_datasets`.
    verify : bool, default=True
        Compare the file's sha256 with the registry.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    TypeError
        If ``name`` is not a str.
    FileNotFoundError
        If the file is missing (the message gives the expected checksum).
    ValueError
        If ``name`` is unknown or the file's checksum differs from the registry.

    Examples
    --------
    >>> dataset_path("mobi").name
    'mobi.csv'
    """
    return _path(name, "dataset_path", verify=verify)


def _path(name: str, caller: str, *, verify: bool) -> Path:
    info = _info(name, caller)
    path = data_dir() / info.file
    if not path.is_file():
        raise FileNotFoundError(
            f"{caller}(): file {path} of dataset {name!r} is missing (expected sha256 {info.sha256}); "
            "reinstall crmlab or restore it from the repository."
        )
    if verify:
        got = _sha256(path)
        if got != info.sha256:
            raise ValueError(
                f"{caller}(): file {path} of dataset {name!r} is corrupt: sha256 is {got}, "
                f"expected {info.sha256}; restore it from the repository."
            )
    return path


def register_parser(name: str, parser: Callable[[Path], pd.DataFrame]) -> None:
    """Register how to read a dataset file (for modules that ship their own data).

    Chapter 0 (getting started); rarely needed: files crmlab writes itself are read
    from the dtypes in the registry without a parser.

    Parameters
    ----------
    name : str
        Dataset name, as in ``datasets/registry.csv``.
    parser : callable
        ``parser(path) -> pandas.DataFrame`` returning the documented frame.

    Returns
    -------
    None

    Raises
    ------
    TypeError
        If ``name`` is not a str or ``parser`` is not callable.

    Examples
    --------
    >>> import pandas as pd
    >>> register_parser("my_survey", pd.read_csv)
    """
    if not isinstance(name, str):
        raise TypeError(f"register_parser(): 'name' must be a str; got {type(name).__name__}.")
    if not callable(parser):
        raise TypeError(
            f"register_parser(): 'parser' must be callable (path -> DataFrame); got {type(parser).__name__}."
        )
    PARSERS[name] = parser


def load(name: str) -> pd.DataFrame:
    """Load dataset ``name`` as a tidy DataFrame (the generic form of ``load_<name>``).

    Chapter 0 (getting started); every chapter loads its data through a ``load_<name>()``.

    Parameters
    ----------
    name : str
        A name from :func:`list_datasets`.

    Returns
    -------
    pandas.DataFrame
        With the columns and dtypes listed in ``datasets/README.md``.

    Raises
    ------
    TypeError
        If ``name`` is not a str.
    ValueError
        For an unknown name, a corrupt file or a file with no known reader.
    FileNotFoundError
        For a missing file.

    Examples
    --------
    >>> load("mobi").shape
    (250, 24)
    """
    path = _path(name, "load", verify=True)
    if name in PARSERS:
        return PARSERS[name](path)
    info = _info(name, "load")
    if info.file.endswith(".csv"):
        return _read_typed_csv(path, info)
    raise ValueError(f"load(): no reader known for dataset {name!r} (file {info.file}).")


def _read_typed_csv(path: Path, info: DatasetInfo) -> pd.DataFrame:
    """Read a crmlab-written CSV using the dtypes in the registry."""
    dates = [c for c, t in info.dtypes.items() if t.startswith("datetime")]
    plain = {c: t for c, t in info.dtypes.items() if not t.startswith("datetime")}
    df = pd.read_csv(path, dtype=plain, parse_dates=dates)
    for col in dates:
        df[col] = df[col].astype("datetime64[ns]")
    return df
