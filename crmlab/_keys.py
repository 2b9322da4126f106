"""Dense integer keys: ids to codes, (code, small integer) pairs to one sortable key, rows to codes.

The expensive step of summarising a large log is grouping. These helpers turn
the groups into small non-negative integers, so that numpy's sort and
``bincount`` do the work instead of hashing and per-group Python:

* :func:`encode_ids` maps ids to codes ``0..n-1`` (by offset when the ids are
  dense integers, by :func:`pandas.factorize` otherwise) and :func:`lookup_codes`
  finds the codes of further ids;
* :func:`member_mask` tells which ids are in a sorted set of known ids (a
  lookup table when the known ids are dense, a binary search otherwise);
* :func:`distinct_pairs` sorts the rows of two integer arrays (customer, period)
  and keeps each distinct pair once, by one sort of one packed key;
* :func:`pack_pairs` packs a code and a small integer (a period) into one
  unsigned key whose sort order is (code, period); :func:`unpack_pairs` undoes it;
* :func:`row_codes` gives each distinct row of several arrays one code;
* :func:`per_distinct` runs a conversion (parsing dates, formatting labels) once
  per distinct value and spreads the results back to every row.

Packing works on offsets from the minimum in unsigned 64-bit arithmetic, so ids
anywhere in the int64 or uint64 range neither overflow nor collide; when a key
would not fit in 64 bits the helpers fall back to a lexicographic sort.

Private: used by :mod:`crmlab.rfm`, :mod:`crmlab.database` and :mod:`crmlab.clv`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["PairKeys", "distinct_pairs", "encode_ids", "lookup_codes", "member_mask", "pack_pairs", "per_distinct",
           "row_codes", "unpack_pairs"]

_U64 = 2**64
# Dense lookup tables (one entry per possible id) are used up to this many entries beyond the data's size.
_DENSE_SLACK = 1 << 20


def _offsets(values: np.ndarray, low: int, kind: type = np.uint64) -> np.ndarray:
    """Return ``values - low`` as a new unsigned array of type ``kind``.

    The subtraction wraps around in the values' own integer type and the cast keeps the
    low bits, so the result is exact whenever the true difference fits in ``kind``, for
    ids anywhere in the int64 or uint64 range.
    """
    if not low:
        return values.astype(kind, copy=True)
    info = np.iinfo(values.dtype)
    if info.min <= low <= info.max:
        rel = values - values.dtype.type(low)
    else:  # e.g. uint64 ids against a negative low: subtract modulo 2**64
        rel = values.astype(np.uint64) - np.uint64(low % _U64)
    return rel.astype(kind, copy=False)


def _from_offsets(offsets: np.ndarray, low: int, dtype: np.dtype) -> np.ndarray:
    """Undo :func:`_offsets`: ``offsets + low`` in the original integer ``dtype`` (which holds ``low``).

    The addition wraps around in ``dtype`` like the subtraction did, so it is exact.
    """
    out = offsets.astype(dtype)
    if low:
        out += dtype.type(low)
    return out


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
                return offset, _from_offsets(np.arange(span), int(low), ids.dtype)
            lookup = np.cumsum(present) - 1
            # in the ids' own type: intp + uint64 would promote to float64 and merge ids above 2**53
            return lookup[offset], _from_offsets(np.flatnonzero(present), int(low), ids.dtype)
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


def member_mask(ids: np.ndarray, known: np.ndarray) -> np.ndarray:
    """Return a boolean mask: which ``ids`` are in ``known`` (sorted, distinct).

    For integer ids whose known set is dense (its range at most about its size plus
    a million) one boolean table indexed by offset answers in O(n), without the sort
    behind :func:`numpy.isin`; otherwise a binary search (:func:`lookup_codes`).
    """
    if len(known) == 0 or len(ids) == 0:
        return np.zeros(len(ids), dtype=bool)
    if ids.dtype.kind in "iu" and known.dtype.kind in "iu":
        low, high = int(known[0]), int(known[-1])
        span = high - low + 1
        if span <= 4 * len(known) + _DENSE_SLACK:
            table = np.zeros(span, dtype=bool)
            table[_offsets(known, low, np.intp)] = True
            inside = (ids >= low) & (ids <= high)  # Python-int bounds: numpy compares them exactly
            where = np.flatnonzero(inside)
            inside[where] = table[_offsets(ids[where], low, np.intp)]
            return inside
    return lookup_codes(known, ids) >= 0


def distinct_pairs(first: np.ndarray, second: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the distinct ``(first, second)`` pairs of two integer arrays, sorted by first, then second.

    Both arrays keep their dtypes. Each pair becomes one unsigned key, ``(first - min) * span +
    (second - min)`` (``uint32`` when it fits, else ``uint64``), which one in-place sort orders; equal
    neighbours are dropped. Pairs whose key would not fit in 64 bits are ordered by
    :func:`numpy.lexsort` instead.
    """
    if len(first) == 0:
        return first, second
    low_a, low_b = int(first.min()), int(second.min())
    span_a, span_b = int(first.max()) - low_a + 1, int(second.max()) - low_b + 1
    if span_a * span_b <= _U64 and span_b < _U64:
        kind = np.uint32 if span_a * span_b < 2**32 else np.uint64
        key = _offsets(first, low_a, kind)
        key *= kind(span_b)
        key += _offsets(second, low_b, kind)
        key.sort()
        keep = np.empty(len(key), dtype=bool)
        keep[0] = True
        np.not_equal(key[1:], key[:-1], out=keep[1:])
        key = key[keep]
        return _from_offsets(key // kind(span_b), low_a, first.dtype), _from_offsets(key % kind(span_b), low_b,
                                                                                    second.dtype)
    order = np.lexsort((second, first))
    first, second = first[order], second[order]
    keep = np.r_[True, (first[1:] != first[:-1]) | (second[1:] != second[:-1])]
    return first[keep], second[keep]


@dataclass(frozen=True)
class PairKeys:
    """Packed ``(code, value)`` pairs: ``key = code * span + (value - low)``."""

    key: np.ndarray
    low: int
    span: int


def pack_pairs(codes: np.ndarray, values: np.ndarray, n_codes: int) -> PairKeys:
    """Pack codes ``0..n_codes-1`` and integer ``values`` into one unsigned key per row.

    Sorting the keys sorts by code, then by value; equal keys are equal pairs. The
    key is ``uint32`` when it fits, else ``uint64``; a ``ValueError`` says when even
    64 bits cannot hold it (use :func:`distinct_pairs`, which falls back to a
    lexicographic sort).
    """
    low = int(values.min()) if len(values) else 0
    span = int(values.max()) - low + 1 if len(values) else 1
    if n_codes * span >= _U64:
        raise ValueError(f"pack_pairs(): {n_codes} codes times a value range of {span} do not fit in 64 bits.")
    kind = np.uint32 if n_codes * span < 2**32 else np.uint64
    key = _offsets(codes, 0, kind)
    key *= kind(span)
    key += _offsets(values, low, kind)
    return PairKeys(key=key, low=low, span=span)


def unpack_pairs(keys: np.ndarray, packed: PairKeys) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(codes, values)`` of keys made by :func:`pack_pairs` (values as int64)."""
    span = packed.key.dtype.type(packed.span)
    return (keys // span).astype(np.intp), _from_offsets(keys % span, packed.low, np.dtype(np.int64))


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


def per_distinct(values: Any, convert: Callable[[Any], Any], *, missing: Any) -> np.ndarray:
    """Return ``convert`` applied once per distinct value of ``values``, spread back to every row.

    ``convert(uniques)`` maps the distinct non-missing values (as :func:`pandas.factorize` gives
    them, in order of first appearance) to an array of results; rows whose value is missing
    (None, NaN, NaT) get ``missing``. Parsing or formatting then costs in proportion to the
    number of distinct values, not of rows.
    """
    codes, uniques = pd.factorize(values)
    results = np.asarray(convert(uniques))
    return np.append(results, np.array([missing], dtype=results.dtype))[codes]


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
            rows = np.arange(n, dtype=np.intp)
            if np.array_equal(c, rows):  # codes in order of appearance: each row is its own first row
                return c, c
            first = np.empty(n, dtype=np.intp)
            first[c] = rows
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
