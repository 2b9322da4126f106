"""Writing a customer world to CSV, Parquet or SQLite (private helpers of :class:`CustomerWorld`)."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import sys
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm import tqdm

from crmlab._validation import check_in_choices
from crmlab.synth.config import WorldConfig

# No public names: CustomerWorld.export is the public entry point.
__all__: list[str] = []

TABLES = ("customers", "transactions", "surveys", "complaints", "truth")
FORMATS = ("csv", "parquet", "sqlite")


def write_world(
    tables: dict[str, pd.DataFrame], cfg: WorldConfig, out: str | Path, format: str, *, progress: bool = False  # noqa: A002
) -> list[Path]:
    """Write ``tables`` and ``cfg`` to ``out`` in ``format``; return the files written."""
    check_in_choices(format, "format", FORMATS, caller="CustomerWorld.export")
    out = Path(out)
    if format == "sqlite":
        return [_to_sqlite(tables, cfg, out, progress=progress)]
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, df in tqdm(tables.items(), desc=f"export {format}", total=len(TABLES), file=sys.stderr,
                         disable=not progress, unit="table"):
        path = out / f"{name}.{format}"
        if format == "csv":
            df.to_csv(path, index=False, lineterminator="\n")
        else:
            df.to_parquet(path, index=False)
        written.append(path)
    meta = out / "config.json"
    meta.write_text(json.dumps(config_dict(cfg), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return [*written, meta]


def _to_sqlite(tables: dict[str, pd.DataFrame], cfg: WorldConfig, path: Path, *, progress: bool) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as con:
        for name, df in tqdm(tables.items(), desc="export sqlite", total=len(TABLES), file=sys.stderr,
                             disable=not progress, unit="table"):
            plain = df.copy()
            for col in plain.columns:
                if isinstance(plain[col].dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(plain[col]):
                    plain[col] = plain[col].astype(object)
                elif pd.api.types.is_datetime64_any_dtype(plain[col]):
                    plain[col] = plain[col].dt.strftime("%Y-%m-%d")
            plain.to_sql(name, con, if_exists="replace", index=False, chunksize=200_000)
        con.execute("DROP TABLE IF EXISTS config")
        con.execute("CREATE TABLE config (key TEXT PRIMARY KEY, value TEXT)")
        con.executemany("INSERT INTO config VALUES (?, ?)",
                        [(k, json.dumps(v)) for k, v in sorted(config_dict(cfg).items())])
    return path


def config_dict(cfg: WorldConfig) -> dict[str, Any]:
    """JSON-able dict of a config (dates as ISO strings, segment parameters expanded)."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(cfg):
        value = getattr(cfg, f.name)
        if isinstance(value, pd.Timestamp):
            value = value.date().isoformat()
        elif f.name == "params":
            value = {k: dataclasses.asdict(v) for k, v in value.items()}
        elif hasattr(value, "items"):
            value = dict(value)
            value = {k: (dataclasses.asdict(v) if dataclasses.is_dataclass(v) else v) for k, v in value.items()}
        elif isinstance(value, tuple):
            value = list(value)
        out[f.name] = value
    return out
