"""The results file of a grid: one CSV line appended and flushed per finished cell."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

_COMPLETE = ("ok", "error")  # the last column; a line cut short by an interruption has neither


def read_results(path: Path, columns: list[str], *, caller: str) -> pd.DataFrame:
    """Return the complete rows already in ``path`` (an empty frame if there is no file)."""
    text = _complete_lines(path).decode("utf-8") if path.exists() else ""
    if not text:
        return pd.DataFrame(columns=columns)
    header = next(csv.reader(io.StringIO(text)), [])
    if header != columns:
        raise ValueError(
            f"{caller}(): '{path}' holds results with columns {header}, but this grid writes {columns}; "
            "pass another output folder or delete the file."
        )
    # rows were written with repr(float); pandas >= 3 reads them back exactly by default, older pandas on request
    exact = {"float_precision": "round_trip"} if int(pd.__version__.split(".")[0]) < 3 else {}
    df = pd.read_csv(io.StringIO(text), keep_default_na=False, na_values=["nan", ""], on_bad_lines="skip",
                     dtype={"message": str, "status": str, "cell_id": str}, **exact)
    df["message"] = df["message"].fillna("")
    return df[df["status"].isin(_COMPLETE)].reset_index(drop=True)


@contextmanager
def result_writer(path: Path | None, columns: list[str]) -> Iterator[Callable[[dict[str, Any]], None]]:
    """Yield ``write(row)``, which appends one line to ``path`` and flushes it to disk at once."""
    if path is None:
        yield lambda row: None
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.stat().st_size:
        _drop_torn_line(path)
    new = not path.exists() or path.stat().st_size == 0
    with path.open("a", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        if new:
            writer.writerow(columns)

        def write(row: dict[str, Any]) -> None:
            writer.writerow([_text(row[col]) for col in columns])
            fh.flush()
            os.fsync(fh.fileno())

        yield write


def _complete_lines(path: Path) -> bytes:
    """Return the file up to its last newline: a line without one was cut short by an interruption."""
    data = path.read_bytes()
    return data if data.endswith(b"\n") else data[: data.rfind(b"\n") + 1]


def _drop_torn_line(path: Path) -> None:
    """Cut a half-written last line (no newline) off the file, so a resumed run leaves one line per cell."""
    size = path.stat().st_size
    with path.open("rb+") as raw:
        raw.seek(-1, os.SEEK_END)
        if raw.read(1) == b"\n":
            return
        block = min(size, 1 << 16)
        while True:  # find the last newline, reading backwards in blocks
            raw.seek(size - block)
            chunk = raw.read(block)
            cut = chunk.rfind(b"\n")
            if cut >= 0 or block == size:
                raw.truncate(size - block + cut + 1 if cut >= 0 else 0)
                return
            block = min(size, block * 2)


def _text(value: Any) -> str:
    if isinstance(value, float | np.floating):
        return repr(float(value))  # shortest string that reads back to the same float
    if isinstance(value, np.integer):
        return str(int(value))
    return str(value)
