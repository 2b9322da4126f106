"""Messy logs in the engine tier: date_format, after_end and duplicates as in crmlab.rfm (chapter 11).

For every option the engine (DuckDB here; Spark in ``test_scale_spark.py`` with the same
cases) must give the in-memory result AND the in-memory words: the same table, the same
warnings, the same error, apart from the function name (``scale.rfm_summary`` for
``rfm_summary``). The offending rows of each log are one per customer, in increasing
customer id and value, because an engine has no row order: it lists a few distinct ids and
values smallest first, the in-memory functions the first ones in row order.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pytest

from crmlab import CrmlabWarning, rfm, scale

CAL_END = "2024-06-30"


def base_log(n: int = 600, seed: int = 11) -> pd.DataFrame:
    """A log sorted by customer with whole-euro amounts, dates in 2024 (some customers buy twice a day)."""
    rng = np.random.default_rng(seed)
    ids = np.sort(rng.integers(1, 120, n))
    days = rng.integers(0, 366, n)
    dates = pd.Timestamp("2024-01-01") + pd.to_timedelta(days, unit="D") + pd.to_timedelta(
        rng.integers(8, 20, n), unit="h")
    return pd.DataFrame({"customer_id": ids, "date": dates, "amount": rng.integers(1, 60, n).astype(float)})


def day_first(log: pd.DataFrame, fmt: str = "%d/%m/%Y %H:%M") -> pd.DataFrame:
    return log.assign(date=log["date"].dt.strftime(fmt))


def with_repeats(log: pd.DataFrame, rows: list[int]) -> pd.DataFrame:
    """Repeat the given rows exactly, each right after itself (one repeat per customer)."""
    out = pd.concat([log, log.iloc[rows]]).sort_index(kind="stable").reset_index(drop=True)
    return out


def with_bad_dates(log: pd.DataFrame, rows: list[int], values: list[str]) -> pd.DataFrame:
    out = log.copy()
    out.loc[rows, "date"] = values
    return out


def late_rows(log: pd.DataFrame, rows: list[int], when: str = "2025-02-03 10:00") -> pd.DataFrame:
    out = log.copy()
    out.loc[rows, "date"] = pd.Timestamp(when)
    return out


def one_per_customer(log: pd.DataFrame, k: int) -> list[int]:
    """Row labels of the first row of ``k`` customers spread over the id range, increasing."""
    firsts = log.drop_duplicates("customer_id").index.to_numpy()
    return [int(i) for i in firsts[np.linspace(0, len(firsts) - 1, k).round().astype(int)]]


@dataclass
class Case:
    """One messy log and the options to summarise it with."""

    name: str
    make: Callable[[], pd.DataFrame]
    kwargs: dict[str, Any] = field(default_factory=dict)
    split: bool = False  # calibration_and_holdout_split instead of rfm_summary


def _log() -> pd.DataFrame:
    return base_log()


def _repeated() -> pd.DataFrame:
    log = _log()
    return with_repeats(log, one_per_customer(log, 4))


def _bad_format() -> pd.DataFrame:
    log = day_first(_log())
    rows = one_per_customer(log, 3)
    return with_bad_dates(log, rows, ["2024-01-05", "2024-02-06", "2024-03-07"])  # ISO: not the format given


def _ambiguous() -> pd.DataFrame:
    log = _log().assign(date=lambda d: d["date"].dt.strftime("%Y-%m-%d %H:%M"))
    rows = one_per_customer(log, 3)
    return with_bad_dates(log, rows, ["01/02/2024", "03/04/2024", "05/06/2024"])


def _unparsable() -> pd.DataFrame:
    log = _log().assign(date=lambda d: d["date"].dt.strftime("%Y-%m-%d"))
    rows = one_per_customer(log, 2)
    return with_bad_dates(log, rows, ["not a date", "soon"])


def _late() -> pd.DataFrame:
    log = _log()
    return late_rows(log, one_per_customer(log, 3))


def _late_repeated() -> pd.DataFrame:
    log = _late()  # late rows at positions 0, 1/2 and 1 of one_per_customer(log, 3); repeat two others
    return with_repeats(log, one_per_customer(log, 5)[1::2])


def _all_late() -> pd.DataFrame:
    return _log().assign(date=pd.Timestamp("2025-03-01"))


END = {"observation_end": "2024-12-31"}

CASES = [
    Case("date_format", lambda: day_first(_log()), {"date_format": "%d/%m/%Y %H:%M"}),
    Case("date_format_day_only", lambda: day_first(_log(), "%d/%m/%Y"), {"date_format": "%d/%m/%Y", **END}),
    Case("date_format_unpadded", lambda: day_first(_log(), "%-d/%-m/%Y %H:%M"), {"date_format": "%d/%m/%Y %H:%M"}),
    Case("date_format_split", lambda: day_first(_log()), {"date_format": "%d/%m/%Y %H:%M", **END}, split=True),
    Case("date_format_mismatch", _bad_format, {"date_format": "%d/%m/%Y %H:%M"}),
    Case("ambiguous_without_format", _ambiguous),
    Case("unparsable_iso", _unparsable),
    Case("after_end_raise", _late, END),
    Case("after_end_raise_split", _late, END, split=True),
    Case("after_end_drop", _late, {"after_end": "drop", **END}),
    Case("after_end_drop_split", _late, {"after_end": "drop", **END}, split=True),
    Case("after_end_drop_everything", _all_late, {"after_end": "drop", "duplicates": "keep", **END}),
    Case("after_end_bad_choice", _late, {"after_end": "ignore", **END}),
    Case("duplicates_warn", _repeated),
    Case("duplicates_drop", _repeated, {"duplicates": "drop"}),
    Case("duplicates_keep", _repeated, {"duplicates": "keep"}),
    Case("duplicates_drop_split", _repeated, {"duplicates": "drop"}, split=True),
    Case("duplicates_warn_split", _repeated, {}, split=True),
    Case("duplicates_bad_choice", _repeated, {"duplicates": "raise"}),
    Case("duplicates_without_amount", _repeated, {"amount_col": None}),
    Case("duplicates_and_late_dropped", _late_repeated, {"duplicates": "drop", "after_end": "drop", **END}),
    Case("duplicates_warn_late_raise", _late_repeated, END),
]


@dataclass
class Outcome:
    """What one call did: its table (or None), its error (type, text) and its crmlab warnings."""

    table: pd.DataFrame | None
    error: tuple[type, str] | None
    warnings: list[str]


def outcome(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Outcome:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = fn(*args, **kwargs)
            table, error = (result.to_pandas() if hasattr(result, "to_pandas") else result), None
        except (TypeError, ValueError) as exc:
            table, error = None, (type(exc), str(exc))
    texts = [str(w.message).replace("scale.", "", 1) for w in caught if issubclass(w.category, CrmlabWarning)]
    if error is not None:
        error = (error[0], error[1].replace("scale.", "", 1))
    return Outcome(table, error, texts)


def run_case(case: Case, engine: Any = None) -> tuple[Outcome, Outcome]:
    """Run a case in memory and in the engine (``None``: a new DuckDB)."""
    log = case.make()
    if case.split:
        mem = outcome(rfm.calibration_and_holdout_split, log, CAL_END, **case.kwargs)
        eng = outcome(scale.calibration_and_holdout_split, log, CAL_END, engine=engine, **case.kwargs)
    else:
        mem = outcome(rfm.rfm_summary, log, **case.kwargs)
        eng = outcome(scale.rfm_summary, log, engine=engine, **case.kwargs)
    return mem, eng


def assert_same_outcome(mem: Outcome, eng: Outcome) -> None:
    """Same error (type and words), same warnings in the same order, same table."""
    assert eng.error == mem.error
    assert eng.warnings == mem.warnings
    if mem.table is None:
        assert eng.table is None
        return
    got, want = eng.table, mem.table
    assert list(got.columns) == list(want.columns)
    assert got.index.equals(want.index)
    for col in want.columns:
        if "value" in col:
            np.testing.assert_allclose(got[col].to_numpy(), want[col].to_numpy(), rtol=1e-12, atol=1e-9, err_msg=col)
        else:
            np.testing.assert_array_equal(got[col].to_numpy(), want[col].to_numpy(), err_msg=col)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_duckdb_matches_in_memory(case):
    mem, eng = run_case(case)
    assert_same_outcome(mem, eng)


def test_cases_do_what_they_say():
    """The cases exercise what their names say (so a parity of two no-ops cannot pass for a check)."""
    outcomes = {c.name: run_case(c)[0] for c in CASES}
    assert outcomes["date_format"].table is not None and outcomes["date_format"].error is None
    assert "do not match date_format='%d/%m/%Y %H:%M'" in outcomes["date_format_mismatch"].error[1]
    assert "day/month dates such as ['01/02/2024', '03/04/2024', '05/06/2024']" in \
        outcomes["ambiguous_without_format"].error[1]
    assert "use ISO dates" in outcomes["unparsable_iso"].error[1]
    assert "3 row(s) of 'transactions' have 'date' after observation_end=2024-12-31" in \
        outcomes["after_end_raise"].error[1]
    assert outcomes["after_end_drop"].warnings == [
        "rfm_summary(): dropped 3 row(s) of 'transactions' dated after observation_end=2024-12-31 "
        "(after_end='drop')."]
    assert "every row of 'transactions' is after" in outcomes["after_end_drop_everything"].error[1]
    assert "4 row(s) of 'transactions' repeat an earlier row exactly" in outcomes["duplicates_warn"].warnings[0]
    assert "dropped them (duplicates='drop')" in outcomes["duplicates_drop"].warnings[0]
    assert outcomes["duplicates_keep"].warnings == [] and outcomes["duplicates_without_amount"].warnings == []
    assert len(outcomes["duplicates_and_late_dropped"].warnings) == 2
    assert outcomes["duplicates_bad_choice"].error[1].endswith("got 'raise'.")
    # the options change the numbers: repeats counted vs dropped give different monetary values
    warn, drop = outcomes["duplicates_warn"].table, outcomes["duplicates_drop"].table
    assert not np.allclose(warn["monetary_value"], drop["monetary_value"]) or \
        not (warn["frequency"] == drop["frequency"]).all()


def test_day_first_dates_parse_to_the_same_instants():
    """date_format reads '05/01/2024 09:00' as 5 January, not 1 May: the table equals the one from datetimes."""
    log = _log()
    want = rfm.rfm_summary(log, observation_end="2024-12-31")
    got = scale.rfm_summary(day_first(log), date_format="%d/%m/%Y %H:%M", observation_end="2024-12-31")
    pd.testing.assert_frame_equal(got.to_pandas(), want, check_dtype=False)


def test_dropping_repeats_equals_summarising_the_clean_log():
    log = _log()
    clean = scale.rfm_summary(log, duplicates="keep").to_pandas()
    with pytest.warns(CrmlabWarning, match=r"4 row\(s\) .* dropped them"):
        dropped = scale.rfm_summary(_repeated(), duplicates="drop").to_pandas()
    pd.testing.assert_frame_equal(dropped, clean)


def test_pipeline_passes_the_options(tmp_path):
    log = _late_repeated()
    path = tmp_path / "log.parquet"
    log.to_parquet(path, index=False)
    with pytest.raises(ValueError, match="or pass after_end='drop'"):
        scale.run_clv(str(path), observation_end="2024-12-31", duplicates="keep")
    with pytest.warns(CrmlabWarning) as record:
        run = scale.run_clv(str(path), observation_end="2024-12-31", after_end="drop", duplicates="drop")
    texts = [str(w.message) for w in record]
    assert any("dropped them (duplicates='drop')" in t for t in texts)
    assert any("dropped 3 row(s)" in t for t in texts)
    with pytest.warns(CrmlabWarning):
        clean = rfm.rfm_summary(log, observation_end="2024-12-31", after_end="drop", duplicates="drop")
    assert run.n_customers == len(clean)
    got = run.summary.to_pandas()
    np.testing.assert_array_equal(got["frequency"].to_numpy(), clean["frequency"].to_numpy())


def _cli(capsys: Any, *args: str) -> tuple[int, str]:
    """Run ``crmlab clv --quiet ARGS`` in this process; return the exit code and what went to stderr."""
    from crmlab.cli import main

    capsys.readouterr()
    code = main(["clv", "--quiet", *args])
    return code, capsys.readouterr().err


def test_cli_flags(tmp_path, capsys):
    log = day_first(_late_repeated())
    path = tmp_path / "log.csv"
    log.to_csv(path, index=False)
    out = tmp_path / "scores.parquet"
    base = ["--transactions", str(path), "--observation-end", "2024-12-31", "--out", str(out)]
    code, err = _cli(capsys, *base)
    assert code == 2 and "day/month dates such as" in err
    fmt = ["--date-format", "%d/%m/%Y %H:%M"]
    code, err = _cli(capsys, *base, *fmt)
    assert code == 2 and "or pass after_end='drop'" in err
    assert "repeat an earlier row exactly" in err  # the warning is shown before the error
    code, err = _cli(capsys, *base, *fmt, "--after-end", "drop", "--duplicates", "drop")
    assert code == 0, err
    assert "crmlab clv: warning: scale.rfm_summary(): 2 row(s)" in err
    assert "dropped them (duplicates='drop')" in err
    assert "crmlab clv: warning: scale.rfm_summary(): dropped 3 row(s)" in err
    scores = pd.read_parquet(out)
    with pytest.warns(CrmlabWarning):
        assert len(scores) == len(rfm.rfm_summary(_late(), observation_end="2024-12-31", after_end="drop"))
    code, err = _cli(capsys, *base, *fmt, "--after-end", "drop", "--duplicates", "keep")
    assert code == 0 and "dropped 3 row(s)" in err
    assert "repeat an earlier row" not in err
