"""Dense integer keys: ids to codes, (code, small integer) pairs to one sortable key, rows to codes.

The expensive step of summarising a large log is grouping. These helpers turn
the groups into small non-negative integers, so that numpy's sort and
``bincount`` do the work instead of hashing and per-group Python:

* :func:`encode_ids` maps ids to codes ``0..n-1`` (by offset when the ids are
  dense integers, by :func:`pandas.factorize` otherwise) and :func:`lookup_codes`
  finds the codes of further ids;
* :func:`pack_pairs` packs a code and a small integer (a period) into one
  unsigned key whose sort order is (code, period); :func:`unpack_pairs` undoes it;
* :func:`row_codes` gives each distinct row of several arrays one code.

Private: used by :mod:`crmlab.rfm` and :mod:`crmlab.clv`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["PairKeys", "encode_ids", "lookup_codes", "pack_pairs", "row_codes", "unpack_pairs"]


def encode_ids(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(codes, uniques)`` with ``uniques`` sorted and ``uniques[codes] == ids``.

    Integer ids whose range is at most a few times the number of rows are mapped by
    offset (two passes of numpy, no hashing); anything else goes through
    :func:`pandas.factorize`.
    """
    if ids.dtype.kind in "iu" and len(ids):
        low = ids.min()
        span = int(ids.max()) - int(low) + 1
        if span <= 4 * len(ids) + 1024 and span < 2**31:
            offset = np.empty(len(ids), dtype=np.intp)
            np.subtract(ids, low, out=offset, casting="unsafe")
            present = np.bincount(offset, minlength=span) > 0
            if present.all():  # ids are exactly low..high: the offset is the code
                return offset, np.arange(int(low), int(low) + span).astype(ids.dtype, copy=False)
            lookup = np.cumsum(present) - 1
            uniques = (np.flatnonzero(present) + low).astype(ids.dtype, copy=False)
            return lookup[offset], uniques
    codes, uniques = pd.factorize(ids, sort=True)
    return codes.astype(np.intp, copy=False), np.asarray(uniques)


def lookup_codes(uniques: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Return the code of each id in the sorted ``uniques`` (from :func:`encode_ids`), -1 if absent."""
    if uniques.dtype.kind == "O" or ids.dtype.kind == "O":
        return pd.Index(uniques).get_indexer(ids)
    if len(uniques) == 0:
        return np.full(len(ids), -1, dtype=np.intp)
    pos = np.minimum(np.searchsorted(uniques, ids), len(uniques) - 1)
    return np.where(uniques[pos] == ids, pos, -1)


@dataclass(frozen=True)
class PairKeys:
    """Packed ``(code, value)`` pairs: ``key = code * span + (value - low)``."""

    key: np.ndarray
    low: int
    span: int


def pack_pairs(codes: np.ndarray, values: np.ndarray, n_codes: int) -> PairKeys:
    """Pack codes ``0..n_codes-1`` and integer ``values`` into one unsigned key per row.

    Sorting the keys sorts by code, then by value; equal keys are equal pairs. The
    key is ``uint32`` when it fits, else ``uint64``.
    """
    low = int(values.min()) if len(values) else 0
    rel = values - low
    span = int(rel.max()) + 1 if len(values) else 1
    kind = np.uint32 if n_codes * span < 2**32 else np.uint64
    key = codes.astype(kind)
    key *= kind(span)
    key += rel.astype(kind)
    return PairKeys(key=key, low=low, span=span)


def unpack_pairs(keys: np.ndarray, packed: PairKeys) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(codes, values)`` of keys made by :func:`pack_pairs` (values as int64)."""
    span = packed.key.dtype.type(packed.span)
    codes = (keys // span).astype(np.intp)
    values = (keys % span).astype(np.int64) + packed.low
    return codes, values


def row_codes(*arrays: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Give each distinct row of equal-length ``arrays`` a code; return codes and each code's first row.

    Codes run ``0..u-1`` in order of first appearance (hash-based, O(n)).
    """
    key = np.zeros(len(arrays[0]), dtype=np.int64)
    for a in arrays:
        c, u = pd.factorize(a)
        key, _ = pd.factorize(key * max(len(u), 1) + c)
    first = np.empty(int(key.max()) + 1 if len(key) else 0, dtype=np.intp)
    first[key[::-1]] = np.arange(len(key) - 1, -1, -1)
    return key, first


def column_codes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(codes, uniques)`` of one array, codes in order of first appearance (hash-based, O(n))."""
    codes, uniques = pd.factorize(values)
    return codes.astype(np.intp, copy=False), np.asarray(uniques)


def combine_codes(codes: list[np.ndarray], sizes: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Give each distinct row of per-column codes one code; return codes and each code's first row.

    ``codes[j]`` runs over ``0..sizes[j]-1`` (e.g. from :func:`column_codes`). A column whose
    codes are all distinct already numbers the rows (no work); otherwise the columns are packed
    into one int64 key (mixed radix) when the product of the sizes fits, and factorized once.
    Same result as :func:`row_codes` on the original arrays, up to the numbering of the codes.
    """
    n = len(codes[0])
    for c, size in zip(codes, sizes, strict=True):
        if size == n:  # every row distinct in this column, hence as a row
            first = np.empty(n, dtype=np.intp)
            first[c] = np.arange(n)
            return c, first
    if float(np.prod([max(s, 1) for s in sizes], dtype=float)) < 2.0**62:
        key = codes[0].astype(np.int64)
        for c, size in zip(codes[1:], sizes[1:], strict=True):
            key *= max(size, 1)
            key += c
        inv, _ = pd.factorize(key)
    else:
        inv = codes[0].astype(np.int64)
        for c, size in zip(codes[1:], sizes[1:], strict=True):
            inv, _ = pd.factorize(inv * max(size, 1) + c)
    inv = inv.astype(np.intp, copy=False)
    first = np.empty(int(inv.max()) + 1 if n else 0, dtype=np.intp)
    first[inv[::-1]] = np.arange(n - 1, -1, -1)
    return inv, first
