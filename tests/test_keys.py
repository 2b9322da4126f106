"""Tests for crmlab._keys, the private dense-key helpers behind crmlab.rfm and crmlab.database.

Each helper is checked against a plain Python second implementation (sets, sorted tuples) on random
data and at the integer limits: ids next to 2**63, negative ids down to -2**63 and uint64 ids above 2**63.
"""

from __future__ import annotations

import numpy as np
import pytest

from crmlab._keys import (
    column_codes,
    combine_codes,
    distinct_pairs,
    encode_ids,
    lookup_codes,
    member_mask,
    pack_pairs,
    per_distinct,
    row_codes,
    unpack_pairs,
)

I64_MAX, I64_MIN, U64_MAX = 2**63 - 1, -(2**63), 2**64 - 1

# ids at the edges of the 64-bit types, each with gaps (the offset path) and without (the range path)
LIMIT_IDS = {
    "int64 next to 2**63": np.array([I64_MAX, I64_MAX - 4, I64_MAX, I64_MAX - 1], dtype=np.int64),
    "int64 range ending at 2**63-1": np.array([I64_MAX, I64_MAX - 1, I64_MAX - 2], dtype=np.int64),
    "int64 next to -2**63": np.array([I64_MIN + 3, I64_MIN, I64_MIN + 3], dtype=np.int64),
    "int64 both ends": np.array([I64_MAX, I64_MIN, 0, I64_MIN], dtype=np.int64),
    "uint64 above 2**63 with gaps": np.array([2**63 + 7, 2**63 + 1, 2**63 + 7], dtype=np.uint64),
    "uint64 next to 2**64": np.array([U64_MAX, U64_MAX - 5, U64_MAX, U64_MAX - 2], dtype=np.uint64),
    "uint64 range ending at 2**64-1": np.array([U64_MAX - 1, U64_MAX, U64_MAX - 2], dtype=np.uint64),
    "uint64 both ends": np.array([U64_MAX, 0, 2**63, 0], dtype=np.uint64),
}


@pytest.mark.parametrize("ids", list(LIMIT_IDS.values()), ids=list(LIMIT_IDS))
def test_encode_ids_is_exact_at_the_64_bit_limits(ids):
    codes, uniques = encode_ids(ids)
    expected = sorted({int(v) for v in ids})
    assert uniques.dtype == ids.dtype
    assert [int(u) for u in uniques] == expected  # no id merged with another, none changed
    assert [int(u) for u in uniques[codes]] == [int(v) for v in ids]
    assert np.array_equal(lookup_codes(uniques, ids), codes)


def test_lookup_codes_and_member_mask_do_not_confuse_ids_across_signedness():
    unsigned = np.array([2**63], dtype=np.uint64)
    signed = np.array([I64_MAX, -1, I64_MIN], dtype=np.int64)  # 2**63-1 and 2**63 are equal as float64
    assert lookup_codes(unsigned, signed).tolist() == [-1, -1, -1]
    assert member_mask(signed, unsigned).tolist() == [False, False, False]
    assert member_mask(np.array([2**63, U64_MAX], dtype=np.uint64), np.array([I64_MAX], np.int64)).tolist() == [
        False, False]
    assert member_mask(np.array([U64_MAX, 5], dtype=np.uint64), np.array([-3, 5], np.int64)).tolist() == [False, True]


@pytest.mark.parametrize("layout", ["dense", "sparse", "near the top", "near the bottom", "text"])
def test_member_mask_matches_python_sets(layout):
    rng = np.random.default_rng(11)
    if layout == "dense":
        known, ids = rng.choice(5_000, 3_000, replace=False), rng.integers(-50, 5_100, 2_000)
    elif layout == "sparse":
        known, ids = rng.choice(10**15, 500, replace=False), rng.integers(0, 10**15, 2_000)
        ids[::4] = known
    elif layout == "near the top":
        known = I64_MAX - rng.choice(3_000, 1_000, replace=False)
        ids = I64_MAX - rng.integers(0, 4_000, 2_000)
    elif layout == "near the bottom":
        known = I64_MIN + rng.choice(3_000, 1_000, replace=False)
        ids = np.r_[I64_MIN + rng.integers(0, 4_000, 2_000), I64_MAX, 0]
    else:
        known = np.array([f"c{i}" for i in rng.choice(300, 100, replace=False)], dtype=object)
        ids = np.array([f"c{i}" for i in rng.integers(0, 400, 500)], dtype=object)
    known = np.sort(known)
    got = member_mask(ids, known)
    as_set = set(known.tolist())
    assert got.tolist() == [v in as_set for v in ids.tolist()]
    assert member_mask(ids[:0], known).shape == (0,) and not member_mask(ids, known[:0]).any()


def _plain_distinct_pairs(first, second):
    return sorted({(int(a), int(b)) for a, b in zip(first, second, strict=True)})


@pytest.mark.parametrize("case", ["codes and periods", "raw ids and days", "uint64 key", "lexsort fallback",
                                  "limits", "uint64 ids"])
def test_distinct_pairs_matches_sorted_set_of_tuples(case):
    rng = np.random.default_rng(5)
    n = 3_000
    if case == "codes and periods":  # the rfm shape: codes 0..k-1, periods in a narrow range (uint32 key)
        first, second = rng.integers(0, 300, n).astype(np.intp), rng.integers(19_000, 19_400, n)
    elif case == "raw ids and days":
        first, second = rng.integers(-10**6, 10**6, n), rng.integers(-400, 20_000, n)
    elif case == "uint64 key":  # span product above 2**32
        first, second = rng.integers(0, 10**7, n), rng.integers(0, 10**5, n)
        first[::2], second[::2] = first[1::2], second[1::2]
    elif case == "lexsort fallback":  # span product above 2**64
        first, second = rng.integers(0, 2**40, n), rng.integers(-(2**40), 2**40, n)
        first[::2], second[::2] = first[1::2], second[1::2]
    elif case == "limits":
        first = rng.choice(np.array([I64_MIN, I64_MIN + 1, I64_MAX, I64_MAX - 1]), n)
        second = rng.choice(np.array([0, 1, 2]), n)
    else:
        first = rng.choice(np.array([2**63 + 1, U64_MAX, 0], dtype=np.uint64), n)
        second = rng.integers(0, 5, n)
    got_a, got_b = distinct_pairs(first, second)
    assert got_a.dtype == first.dtype and got_b.dtype == second.dtype
    assert list(zip(got_a.tolist(), got_b.tolist(), strict=True)) == _plain_distinct_pairs(first, second)
    empty = np.zeros(0, np.int64)
    assert [len(a) for a in distinct_pairs(empty, empty)] == [0, 0]


def test_dense_keys_round_trip_and_sort_by_code_then_value():
    rng = np.random.default_rng(3)
    for ids in (rng.integers(-5, 40, 300), rng.integers(0, 10**12, 300), np.array([f"c{i}" for i in
                                                                                   rng.integers(0, 50, 300)])):
        codes, uniques = encode_ids(ids)
        assert np.all(uniques[codes] == ids) and np.all(uniques[:-1] < uniques[1:])
        assert np.array_equal(lookup_codes(uniques, ids), codes)
        assert np.all(lookup_codes(uniques, np.array([ids[0], ids[0]])) == codes[0])
        values = rng.integers(-1000, 20_000, len(ids))
        packed = pack_pairs(codes, values, len(uniques))
        back_codes, back_values = unpack_pairs(packed.key, packed)
        assert np.array_equal(back_codes, codes) and np.array_equal(back_values, values)
        order = np.argsort(packed.key, kind="stable")
        assert np.array_equal(order, np.lexsort((values, codes)))
    assert lookup_codes(np.array([1, 5, 9]), np.array([0, 5, 10, 9])).tolist() == [-1, 1, -1, 2]
    key, first = row_codes(np.array([1, 1, 2, 1]), np.array([0.5, 0.5, 0.5, 0.7]))
    assert key.tolist() == [0, 0, 1, 2] and first.tolist() == [0, 2, 3]


def test_pack_pairs_refuses_keys_wider_than_64_bits():
    values = np.array([I64_MIN, I64_MAX])
    with pytest.raises(ValueError, match="do not fit in 64 bits"):
        pack_pairs(np.array([0, 1]), values, 2)
    values = np.array([I64_MIN, I64_MAX - 1])
    packed = pack_pairs(np.array([0, 0]), values, 1)  # one code: a range of 2**64 - 1 values still fits
    assert unpack_pairs(packed.key, packed)[1].tolist() == [I64_MIN, I64_MAX - 1]


def test_per_distinct_converts_each_value_once_and_fills_missing():
    import pandas as pd

    calls = []

    def parse(uniques):
        calls.append(len(uniques))
        return np.array([len(str(u)) for u in uniques])

    values = pd.Series(["a", None, "bbb", "a", np.nan, "cc", "bbb"], dtype=object)
    got = per_distinct(values, parse, missing=-1)
    assert got.tolist() == [1, -1, 3, 1, -1, 2, 3] and calls == [3]  # three distinct values, one call
    stamps = per_distinct(pd.Series(["2024-01-02", None]), lambda u: np.array(list(u), dtype="datetime64[D]"),
                          missing=np.datetime64("NaT"))
    assert stamps.dtype == np.dtype("datetime64[D]") and str(stamps[0]) == "2024-01-02" and np.isnat(stamps[1])
    assert per_distinct(pd.Series([], dtype=object), parse, missing=-1).shape == (0,)


@pytest.mark.parametrize("layout", ["one column distinct, in order", "one column distinct, shuffled", "repeats"])
def test_combine_codes_numbers_distinct_rows_like_a_dictionary(layout):
    rng = np.random.default_rng(5)
    n = 500
    x = rng.integers(0, 4, n).astype(float)
    t = rng.uniform(0, 10, n) if layout != "repeats" else rng.integers(0, 6, n).astype(float)
    cols = [column_codes(a) for a in (x, t)]
    codes = [c for c, _ in cols]
    if layout == "one column distinct, shuffled":
        perm = rng.permutation(n)  # codes that are a permutation, not in order of appearance
        codes[1] = perm[codes[1]]
    inv, first = combine_codes(codes, [len(u) for _, u in cols])
    # the plain second implementation: number rows by a dict of tuples, remember each code's first row
    seen: dict[tuple[float, float], int] = {}
    for i, row in enumerate(zip(x, t, strict=True)):
        seen.setdefault(row, i)
    assert len(first) == len(seen)
    assert sorted(first.tolist()) == sorted(seen.values())
    for i in range(n):  # every row maps to the code of the first row equal to it
        assert (x[first[inv[i]]], t[first[inv[i]]]) == (x[i], t[i])
        assert first[inv[i]] == seen[(x[i], t[i])]
