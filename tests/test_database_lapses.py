"""The lapse rule is written twice (SQL for triggers, numpy for bulk loads): both equal a plain reference."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from crmlab.database import CustomerDatabase
from crmlab.database._dates import MISSING_DAY
from crmlab.database._lapses import OPEN_END, lapse_arrays

EPOCH = pd.Timestamp("1970-01-01")


def reference_lapses(cycles, acquired, purchases):
    """Customer by customer, in plain Python: the days each customer is overdue, as intervals.

    ``cycles[c]`` is None (no cycle) or days; ``acquired[c]`` None or a day number; ``purchases`` a list
    of (customer, day). A lapse starts ``cycle + 1`` days after its base (the acquisition, then each
    purchase) and ends the day before the next purchase, or stays open.
    """
    rows = set()
    for cid, cycle in cycles.items():
        if cycle is None:
            continue
        bought = sorted({d for c, d in purchases if c == cid})
        bases = [(acquired[cid], None)] + [(d, d) for d in bought]
        ends = [d - 1 for d in bought] + [OPEN_END]
        for (base, last), end in zip(bases, ends, strict=True):
            if base is not None and base + cycle + 1 <= end:
                rows.add((end, cid, base + cycle + 1, last))
    return sorted(rows)


def _rows(frame):
    return sorted(tuple(None if pd.isna(v) else int(v) for v in row) for row in
                  frame[["lapse_until", "customer_id", "lapse_from", "last_purchase"]].itertuples(index=False))


def _numpy_rows(cycles, acquired, purchases):
    known = np.array(sorted(cycles), dtype=np.int64)
    cycle = np.array([-1 if cycles[c] is None else cycles[c] for c in known], dtype=np.int64)
    acq = np.array([MISSING_DAY if acquired[c] is None else acquired[c] for c in known], dtype=np.int64)
    owners = np.array([c for c, _ in purchases], dtype=np.int64)
    days = np.array([d for _, d in purchases], dtype=np.int64)
    out = lapse_arrays(owners, days, known, cycle, acq)
    return sorted((u, c, f, None if p == MISSING_DAY else p) for u, c, f, p in zip(
        out["lapse_until"].tolist(), out["customer_id"].tolist(), out["lapse_from"].tolist(),
        out["last_purchase"].tolist(), strict=True))


def _sql_rows(cycles, acquired, purchases):
    """Load the data row by row-ish (small batches: the triggers run the SQL rule) and read the table."""
    ids = sorted(cycles)
    customers = pd.DataFrame({
        "customer_id": ids, "customer_type": "individual", "name": "x",
        "purchase_cycle_days": pd.array([cycles[c] for c in ids], dtype="Int64"),
        "acquisition_date": [None if acquired[c] is None else EPOCH + pd.Timedelta(days=acquired[c]) for c in ids],
    })
    with CustomerDatabase() as db:
        db.import_frame("customers", customers)
        if purchases:
            db.import_frame("transactions", pd.DataFrame({
                "transaction_id": np.arange(1, len(purchases) + 1), "customer_id": [c for c, _ in purchases],
                "date": [EPOCH + pd.Timedelta(days=d) for _, d in purchases], "amount": 1.0}))
        return _rows(db.table("purchase_lapses"))


# edge cases on purpose: cycles of 1 day, gaps of exactly the cycle, several purchases on one day,
# purchases before the acquisition date, no cycle, no acquisition date, cycles too long to ever lapse
cycles_st = st.one_of(st.none(), st.integers(1, 40), st.just(2**40), st.just(2**62))
world_st = st.integers(1, 6).flatmap(lambda n: st.tuples(
    st.lists(cycles_st, min_size=n, max_size=n),
    st.lists(st.one_of(st.none(), st.integers(0, 120)), min_size=n, max_size=n),
    st.lists(st.tuples(st.integers(1, n), st.integers(0, 150)), max_size=25),
))


@given(world_st)
def test_sql_and_numpy_lapse_rules_equal_the_reference(world):
    cycle_list, acquired_list, purchases = world
    cycles = dict(enumerate(cycle_list, start=1))
    acquired = dict(enumerate(acquired_list, start=1))
    expected = reference_lapses(cycles, acquired, purchases)
    assert _numpy_rows(cycles, acquired, purchases) == expected
    assert _sql_rows(cycles, acquired, purchases) == expected


def test_hand_cases_of_the_rule():
    # 1: cycle 10, acquired day 0, bought day 11: a purchase on day 11 counts on day 11, so no lapse
    #    before it; then overdue from day 22, open.
    # 2: gaps of 5 and 6 days against a cycle of 5: overdue only after the last purchase.
    # 3: no cycle, never assessed. 4: twice on day 7, no acquisition date, cycle of 1 day.
    # 5: measured from the acquisition date until the first purchase clears it.
    cycles = {1: 10, 2: 5, 3: None, 4: 1, 5: 3}
    acquired = {1: 0, 2: 0, 3: 0, 4: None, 5: 0}
    purchases = [(1, 11), (2, 5), (2, 11), (4, 7), (4, 7), (4, 9), (5, 10)]
    expected = sorted([(OPEN_END, 1, 22, 11), (OPEN_END, 2, 17, 11), (OPEN_END, 4, 11, 9), (9, 5, 4, None),
                       (OPEN_END, 5, 14, 10)])
    assert reference_lapses(cycles, acquired, purchases) == expected
    assert _numpy_rows(cycles, acquired, purchases) == expected
    assert _sql_rows(cycles, acquired, purchases) == expected
