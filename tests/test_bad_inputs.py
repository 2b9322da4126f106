"""The bad-input audit (issue 14) kept as tests: every case is a crmlab error naming what is wrong, or the right answer.

Each case is one messy input given to one public entry point. A case either expects an
error of a given type whose message names the argument or column (``Raises``), or
checks the result against what is correct (``Returns``) -- never "no exception".
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from crmlab import CrmlabWarning
from crmlab.clv import BetaGeoBetaBinomModel, BetaGeoModel, GammaGammaModel, ShiftedBetaGeoModel
from crmlab.clv.evaluation import calibration_holdout_table
from crmlab.clv.formulas import cohort_retention
from crmlab.loyalty import (
    ladder_stages,
    lifecycle_stages,
    repeat_rate,
    switching_summary,
    transition_counts,
    transition_matrix,
)
from crmlab.rfm import (
    calibration_and_holdout_split,
    rfm_bin_sizes,
    rfm_scores,
    rfm_segments,
    rfm_summary,
)
from crmlab.segmentation import (
    compare_with_ordering,
    internal_scores,
    make_clusterer,
    match_segments,
    prepare_features,
    recovery_scores,
    rfm_features,
    segment_profiles,
    snake_table,
    stable_k,
    within_ss,
)
from crmlab.value import (
    customer_growth_matrix,
    customer_revenue,
    customer_value_matrix,
    gini_coefficient,
    lorenz_curve,
)

# --- the cases ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Raises:
    """The call must raise ``error`` with a message matching ``pattern`` (which names the culprit)."""

    error: type[BaseException]
    pattern: str


@dataclass(frozen=True)
class Returns:
    """The call must return a value for which ``check(value)`` is True (the correct result)."""

    check: Callable[[Any], bool]
    why: str


CASES: list[tuple[str, Callable[[], Any], Raises | Returns]] = []


def case(name: str, expect: Raises | Returns) -> Callable[[Callable[[], Any]], Callable[[], Any]]:
    def register(call: Callable[[], Any]) -> Callable[[], Any]:
        CASES.append((name, call, expect))
        return call

    return register


def log(**changes: Any) -> pd.DataFrame:
    """A small clean transaction log; keyword arguments replace its columns."""
    base = pd.DataFrame({
        "customer_id": [1, 1, 2, 3, 3],
        "date": pd.to_datetime(["2024-01-05", "2024-02-10", "2024-01-20", "2024-01-03", "2024-03-01"]),
        "amount": [10.0, 20.0, 5.0, 7.0, 9.0],
    })
    return base.assign(**changes)


SUMMARISERS = {
    "rfm_summary": lambda df, **kw: rfm_summary(df, **kw),
    "calibration_and_holdout_split": lambda df, **kw: calibration_and_holdout_split(df, "2024-01-31", **kw),
}

# item 7: numeric dates (yyyymmdd integers, Excel serial days) would be nanoseconds since 1970
NUMERIC_DATES = {
    "yyyymmdd": [20240105, 20240210, 20240120, 20240103, 20240301],
    "excel_serial": [45296.0, 45332.0, 45311.0, 45294.0, 45352.0],
    "mixed_objects": ["2024-01-05", 20240210, "2024-01-20", "2024-01-03", "2024-03-01"],
}
for fname, summarise in SUMMARISERS.items():
    for kind, values in NUMERIC_DATES.items():
        case(f"7-numeric-dates-{kind}-{fname}", Raises(TypeError, r"column 'date'.*holds numbers.*pd\.to_datetime"))(
            lambda s=summarise, v=values: s(log(date=v)))

# siblings: every other entry point that parses a transaction date column
for fname, call in {
    "cohort_retention": lambda df: cohort_retention(df),
    "ladder_stages": lambda df: ladder_stages(df),
    "customer_growth_matrix": lambda df: customer_growth_matrix(df.assign(category="a"), period_start="2024-01-01",
                                                                period_end="2024-03-31"),
}.items():
    case(f"7-numeric-dates-{fname}", Raises(TypeError, r"column 'date'.*holds numbers"))(
        lambda c=call: c(log(date=NUMERIC_DATES["yyyymmdd"])))
    case(f"8-ambiguous-dmy-{fname}", Raises(ValueError, r"column 'date'.*day-first or month-first.*pd\.to_datetime"))(
        lambda c=call: c(log(date=["05/01/2024", "10/02/2024", "20/01/2024", "03/01/2024", "01/03/2024"])))

# item 8: day/month strings are not guessed, also when observation_end is given
DMY = ["05/01/2024", "10/02/2024", "20/01/2024", "03/01/2024", "01/03/2024"]
for fname, summarise in SUMMARISERS.items():
    case(f"8-ambiguous-dmy-{fname}", Raises(ValueError, r"column 'date'.*day-first or month-first.*date_format="))(
        lambda s=summarise: s(log(date=DMY)))
    case(f"8-ambiguous-dmy-with-end-{fname}", Raises(ValueError, r"column 'date'.*date_format="))(
        lambda s=summarise: s(log(date=DMY), observation_end="2024-03-31"))
case("8-date-format-dayfirst-gives-right-dates", Returns(
    lambda out: out.equals(rfm_summary(log())), "same summary as from parsed dates"))(
    lambda: rfm_summary(log(date=DMY), date_format="%d/%m/%Y"))
case("8-date-format-mismatch-named", Raises(ValueError, r"column 'date'.*date_format='%Y-%m-%d'"))(
    lambda: rfm_summary(log(date=DMY), date_format="%Y-%m-%d"))
case("8-iso-strings-still-accepted", Returns(lambda out: out.equals(rfm_summary(log())), "ISO strings parse"))(
    lambda: rfm_summary(log(date=["2024-01-05", "2024-02-10", "2024-01-20", "2024-01-03", "2024-03-01"])))

# item 9: infinite amounts and sums that overflow
for fname, summarise in SUMMARISERS.items():
    for sign in (1, -1):
        case(f"9-inf-amount-{sign:+d}-{fname}", Raises(ValueError, r"column 'amount'.*infinite"))(
            lambda s=summarise, g=sign: s(log(amount=[10.0, g * np.inf, 5.0, 7.0, 9.0]), allow_negative=True))
    for window, dates in {"calibration": ["2024-01-05", "2024-01-06", "2024-01-20", "2024-01-03", "2024-03-01"],
                          "holdout": ["2024-01-05", "2024-02-10", "2024-01-20", "2024-02-03", "2024-02-10"]}.items():
        case(f"9-overflowing-sum-{window}-{fname}", Raises(ValueError, r"total 'amount'.*overflows"))(
            lambda s=summarise, d=dates: s(log(date=pd.to_datetime(d), customer_id=[1, 1, 2, 1, 1],
                                               amount=[1e308, 1e308, 5.0, 1e308, 1e308])))
SUMMARY = pd.DataFrame({"recency": [1.0, 5, 9], "frequency": [1.0, 2, 3], "monetary": [5.0, 6, 7]})
CLASSIC = rfm_summary(log(), classic=True)
case("9-inf-in-rfm_scores", Raises(ValueError, r"column 'mean_value'.*infinite"))(
    lambda: rfm_scores(CLASSIC.assign(mean_value=[1.0, np.inf, 2.0])))
case("9-inf-in-gammagamma", Raises(ValueError, r"infinite value"))(
    lambda: GammaGammaModel().fit(pd.DataFrame({"frequency": [1, 2], "monetary_value": [np.inf, 3.0]})))
case("9-inf-holdout-in-calibration_holdout_table", Raises(ValueError, r"column 'frequency_holdout'.*infinite"))(
    lambda: calibration_holdout_table(_bgnbd(), pd.DataFrame({
        "frequency_cal": [1, 0], "recency_cal": [3.0, 0], "T_cal": [10.0, 10], "frequency_holdout": [np.inf, 0],
        "duration_holdout": [5.0, 5.0]})))


def _bgnbd() -> BetaGeoModel:
    model = BetaGeoModel()
    model.params_ = pd.Series([0.243, 4.414, 0.793, 2.426], index=["r", "alpha", "a", "b"])
    return model


# item 10: sBG reads 'churned' strictly and refuses impossible periods
def _sbg() -> ShiftedBetaGeoModel:
    model = ShiftedBetaGeoModel()
    model.params_ = pd.Series([0.704, 1.182], index=["alpha", "beta"])
    return model


COHORT = pd.DataFrame({"lifetime": [1, 2, 3, 3], "churned": [True, True, False, True], "customers": [30, 20, 40, 10]})
for label, values in {"strings": ["True", "yes", "False", "1"], "numbers": [1, 1, 0, 1]}.items():
    case(f"10-churned-as-{label}-read-as-booleans", Returns(
        lambda ll: np.allclose(ll, _sbg().individual_log_likelihood(COHORT)), "same as the bool column"))(
        lambda v=values: _sbg().individual_log_likelihood(COHORT.assign(churned=v)))
for label, values in {"two": [1, 2, 0, 1], "word": ["yes", "maybe", "no", "yes"]}.items():
    for method in ("fit", "individual_log_likelihood"):
        case(f"10-churned-{label}-{method}", Raises(ValueError, r"column 'churned'.*True/False"))(
            lambda v=values, m=method: getattr(ShiftedBetaGeoModel() if m == "fit" else _sbg(), m)(
                COHORT.assign(churned=v)))
for method, bad in {"survival": [-3, np.nan, np.inf, 1.5], "retention_rate": [0, -1, np.nan, 2.5]}.items():
    for value in bad:
        case(f"10-sbg-{method}({value})", Raises(ValueError, r"'t' must be whole numbers of periods"))(
            lambda m=method, v=value: getattr(_sbg(), m)(v))
case("10-sbg-survival(0)-is-1", Returns(lambda s: np.allclose(s, 1.0), "everybody is there at t=0"))(
    lambda: _sbg().survival(0))
for value in (0, 0.5, np.nan):
    case(f"10-sbg-derl-periods_active={value}", Raises(ValueError, r"'periods_active' must be whole numbers"))(
        lambda v=value: _sbg().discounted_expected_residual_lifetime(v, 0.1))

# item 11: brand labels 1 and "1" would be two brands printed "1"
MIXED_BRANDS = pd.DataFrame({"household_id": [1, 1, 1, 2, 2], "choice": [1, "1", "b", "b", 1]})
for fname, call in {"transition_counts": transition_counts, "transition_matrix": transition_matrix,
                    "repeat_rate": repeat_rate, "switching_summary": switching_summary}.items():
    case(f"11-mixed-type-brands-{fname}", Raises(ValueError, r"column 'choice'.*differ only in type"))(
        lambda c=call: c(MIXED_BRANDS))


# item 12: exact duplicate rows are counted with a warning, or dropped on request (both report the number)
def _warned(call: Callable[[], Any]) -> tuple[Any, list[str]]:
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        out = call()
    return out, [str(w.message) for w in seen if issubclass(w.category, CrmlabWarning)]


DUPLICATED = pd.concat([log(), log().iloc[[1]]], ignore_index=True)
for fname, summarise in SUMMARISERS.items():
    case(f"12-duplicates-warn-{fname}", Returns(
        lambda r: any("1 row(s)" in m and "repeat an earlier row" in m for m in r[1]), "warning gives the count"))(
        lambda s=summarise: _warned(lambda: s(DUPLICATED)))
    case(f"12-duplicates-drop-{fname}", Returns(
        lambda r: r[0].equals(r[2]) and any("dropped" in m for m in r[1]), "same as the clean log, reported"))(
        lambda s=summarise: (*_warned(lambda: s(DUPLICATED, duplicates="drop")), s(log())))
    case(f"12-duplicates-keep-{fname}", Returns(lambda r: r[1] == [], "no warning when asked to keep"))(
        lambda s=summarise: _warned(lambda: s(DUPLICATED, duplicates="keep")))
case("12-duplicates-without-amounts-change-nothing", Returns(
    lambda r: r[1] == [] and r[0].equals(rfm_summary(log().drop(columns="amount"), amount_col=None)),
    "no warning and the same summary: repeated rows fall in one period"))(
    lambda: _warned(lambda: rfm_summary(pd.concat([log(), log().iloc[[0]]]).drop(columns="amount"), amount_col=None)))
case("12-duplicates-bad-choice", Raises(ValueError, r"'duplicates' must be one of"))(
    lambda: rfm_summary(log(), duplicates="ignore"))

# item 13: NaN scores are not "no rule matched"; inf does not pass through features and profiles
SCORES = pd.DataFrame({"R": [5, 1, 3], "F": [5, 1, 3], "M": [4, 2, 3]})
case("13-rfm_segments-nan-score-with-default", Raises(ValueError, r"column 'R'.*missing"))(
    lambda: rfm_segments(SCORES.assign(R=[5, np.nan, 3]), default="Other"))
case("13-rfm_segments-inf-score", Raises(ValueError, r"column 'F'.*infinite"))(
    lambda: rfm_segments(SCORES.assign(F=[5, np.inf, 3]), default="Other"))
case("13-rfm_bin_sizes-nan-score", Raises(ValueError, r"column 'M'.*missing"))(
    lambda: rfm_bin_sizes(SCORES.assign(M=[4, np.nan, 3])))
INF_FEATURES = SUMMARY.assign(monetary=[5.0, np.inf, 7.0])
for feature_set in ("raw", "rank", "scaled", "log_scaled"):
    case(f"13-prepare_features-{feature_set}-inf", Raises(ValueError, r"column 'monetary'.*infinite"))(
        lambda fs=feature_set: prepare_features(INF_FEATURES, fs))
case("13-segment_profiles-inf", Raises(ValueError, r"column 'monetary'.*infinite"))(
    lambda: segment_profiles(INF_FEATURES, [0, 0, 1]))
case("13-snake_table-inf", Raises(ValueError, r"column 'monetary'.*infinite"))(
    lambda: snake_table(INF_FEATURES, [0, 0, 1]))
case("13-rfm_features-inf", Raises(ValueError, r"column 'time_since_last'.*infinite"))(
    lambda: rfm_features(CLASSIC.assign(time_since_last=[np.inf, 1.0, 2.0])))


# item 14: a results file with a torn last line is cut back to complete lines when a run resumes
def _resume_torn(tmp: Any) -> list[str]:
    from crmlab.experiments._store import read_results, result_writer

    path = tmp / "results.csv"
    columns = ["cell_id", "x", "message", "status"]
    path.write_text("cell_id,x,message,status\na,1.0,,ok\nb,2.0,,o")  # killed while writing cell b
    done = read_results(path, columns, caller="run_grid")
    with result_writer(path, columns) as write:
        write({"cell_id": "b", "x": 2.0, "message": "", "status": "ok"})
    return [*done["cell_id"], "|", *path.read_text().splitlines()]


case("14-torn-results-line", Returns(
    lambda lines: lines == ["a", "|", "cell_id,x,message,status", "a,1.0,,ok", "b,2.0,,ok"], "one line per cell"))(
    lambda: _resume_torn(_TMP[0]))
_TMP: list[Any] = []


# items 5 and 15: BG/BB stays finite for large gamma/delta and refuses horizons it would loop over for ever
def _bgbb(alpha: float = 1.2, beta: float = 0.75, gamma: float = 0.66, delta: float = 2.8) -> BetaGeoBetaBinomModel:
    model = BetaGeoBetaBinomModel()
    model.params_ = pd.Series([alpha, beta, gamma, delta], index=["alpha", "beta", "gamma", "delta"])
    return model


BGBB_ROWS = pd.DataFrame({"frequency": [0, 1, 3, 6], "recency": [0, 1, 5, 6], "T": [6, 6, 6, 6]})
for gamma in (100.0, 4144.0):
    case(f"5-bgbb-expected_purchases-gamma={gamma:g}", Returns(
        lambda e: bool(np.all(np.isfinite(e)) and (e >= 0).all()), "finite and >= 0"))(
        lambda g=gamma: _bgbb(gamma=g).expected_purchases(5, BGBB_ROWS))
    case(f"5-bgbb-new-customer-gamma={gamma:g}", Returns(
        lambda e: bool(np.all(np.isfinite(e)) and (e >= 0).all()), "finite and >= 0"))(
        lambda g=gamma: _bgbb(gamma=g).expected_purchases_new_customer(np.array([1.0, 10.0])))
case("15-bgbb-pmf-new-customer-1e7-periods", Raises(ValueError, r"'t' reaches 1e\+07.*limited to"))(
    lambda: _bgbb().probability_of_purchases_new_customer(1, 1e7))
case("15-bgbb-pmf-1e7-periods", Raises(ValueError, r"'t' reaches 1e\+07"))(
    lambda: _bgbb().probability_of_purchases(1, 1e7, BGBB_ROWS))
case("15-bgbb-fractional-horizon", Raises(ValueError, r"'t' must be a whole number"))(
    lambda: _bgbb().probability_of_purchases(1, 2.5, BGBB_ROWS))
case("15-bgbb-fit-T=1e4", Raises(ValueError, r"'T' reaches 10000"))(
    lambda: BetaGeoBetaBinomModel().fit(pd.DataFrame({"frequency": [1, 5], "recency": [3, 9000],
                                                       "T": [10_000, 10_000]})))
case("15-bgbb-predict-T=1001-just-over-the-limit", Raises(ValueError, r"'T' reaches 1001 .*limited to 1,000"))(
    lambda: _bgbb().probability_alive(pd.DataFrame({"frequency": [1], "recency": [3], "T": [1001]})))
case("15-bgbb-predict-T=1000-at-the-limit", Returns(lambda p: 0 <= p.iloc[0] <= 1, "answered"))(
    lambda: _bgbb().probability_alive(pd.DataFrame({"frequency": [1], "recency": [3], "T": [1000]})))
case("15-bgbb-predict-T=1e4", Raises(ValueError, r"'T' reaches 10000"))(
    lambda: _bgbb().probability_alive(pd.DataFrame({"frequency": [1], "recency": [3], "T": [10_000]})))


# item 6: Gamma-Gamma spend is undefined for q <= 1
def _gg(q: float) -> GammaGammaModel:
    model = GammaGammaModel()
    model.params_ = pd.Series([6.25, q, 15.45], index=["p", "q", "gamma"])
    return model


SPEND = pd.DataFrame({"frequency": [0, 2, 5], "monetary_value": [0.0, 30.0, 12.0]})
for q in (0.5, 1.0):
    case(f"6-gammagamma-expected_spend-q={q}", Raises(ValueError, r"undefined for q <= 1.*q is"))(
        lambda v=q: _gg(v).expected_spend(SPEND))
    case(f"6-gammagamma-population_mean-q={q}", Raises(ValueError, r"undefined for q <= 1"))(
        lambda v=q: _gg(v).population_mean_spend())
case("6-gammagamma-q=1.01-positive", Returns(lambda e: bool((e > 0).all()), "spend > 0 just above q = 1"))(
    lambda: _gg(1.01).expected_spend(SPEND))

# item 16: raw errors of segmentation and initial_params become crmlab's own
X = np.random.default_rng(0).normal(size=(30, 3))
FEATURES = pd.DataFrame(np.abs(X), columns=["recency", "frequency", "monetary"])
LABEL_CALLS = {
    "within_ss": lambda lab: within_ss(X, lab),
    "internal_scores": lambda lab: internal_scores(X, lab),
    "segment_profiles": lambda lab: segment_profiles(FEATURES, lab),
    "snake_table": lambda lab: snake_table(FEATURES, lab),
    "compare_with_ordering": lambda lab: compare_with_ordering(lab, pd.DataFrame({"ordering_rank": np.arange(30)})),
    "recovery_scores": lambda lab: recovery_scores(np.zeros(30), lab),
    "match_segments": lambda lab: match_segments(np.zeros(30), lab),
}
for fname, call in LABEL_CALLS.items():
    case(f"16-nan-labels-{fname}", Raises(ValueError, r"labels.*missing value"))(
        lambda c=call: c(np.r_[np.nan, np.zeros(29)]))
    case(f"16-short-labels-{fname}", Raises(ValueError, r"'labels.*'.*(one label per row|same non-zero length)"))(
        lambda c=call: c(np.zeros(5)))
case("16-stable_k-empty", Raises(ValueError, r"'table' is empty"))(lambda: stable_k(pd.DataFrame()))
case("16-stable_k-no-ari", Raises(ValueError, r"missing required column\(s\) \['ari_mean'\].*stability_by_k"))(
    lambda: stable_k(pd.DataFrame({"ari": [0.9]}, index=[2])))
for label, frame in {"constant": pd.DataFrame({"a": [1.0] * 10, "c": ["x"] * 10}),
                     "constant-numeric": pd.DataFrame({"a": [1.0] * 10, "c": ["x", "y"] * 5})}.items():
    case(f"16-kprototypes-{label}", Raises(ValueError, r"KPrototypesClusterer\.fit\(\): .*'X'"))(
        lambda f=frame: make_clusterer("kprototypes", 2, random_state=0).fit(f))

MODELS = {
    "GammaGammaModel": (GammaGammaModel, ["p", "q", "gamma"]),
    "BetaGeoModel": (BetaGeoModel, ["r", "alpha", "a", "b"]),
    "BetaGeoBetaBinomModel": (BetaGeoBetaBinomModel, ["alpha", "beta", "gamma", "delta"]),
    "ShiftedBetaGeoModel": (ShiftedBetaGeoModel, ["alpha", "beta"]),
}
FIT_DATA = {
    "GammaGammaModel": SPEND,
    "BetaGeoModel": pd.DataFrame({"frequency": [0, 2, 5], "recency": [0.0, 10, 30], "T": [40.0, 40, 40]}),
    "BetaGeoBetaBinomModel": BGBB_ROWS,
    "ShiftedBetaGeoModel": COHORT,
}
for mname, (cls, names) in MODELS.items():
    good = dict.fromkeys(names, 1.0)
    bad_params = {
        "missing-key": ({k: v for k, v in good.items() if k != names[-1]}, ValueError, rf"missing \['{names[-1]}'\]"),
        "unknown-key": ({**good, "zeta": 1.0}, ValueError, r"unknown \['zeta'\]"),
        "negative": ({**good, names[0]: -1.0}, ValueError, rf"initial_params\['{names[0]}'\]' must be a number > 0"),
        "nan": ({**good, names[0]: np.nan}, ValueError, rf"initial_params\['{names[0]}'\]' must be a finite"),
        "not-a-dict": ([1.0] * len(names), TypeError, r"'initial_params' must be a dict"),
    }
    for label, (params, error, pattern) in bad_params.items():
        case(f"16-initial_params-{label}-{mname}", Raises(error, rf"{mname}\.fit\(\): .*{pattern}"))(
            lambda c=cls, p=params, m=mname: c(initial_params=p).fit(FIT_DATA[m]))
    case(f"16-penalizer-negative-{mname}", Raises(ValueError, r"'penalizer_coef' must be a number >= 0"))(
        lambda c=cls, m=mname: c(penalizer_coef=-1.0).fit(FIT_DATA[m]))

# item 18: polars / pyarrow inputs, pyarrow date32 columns, mixed offsets, duplicate column names
case("18-pyarrow-table-converted", Returns(lambda out: out.equals(rfm_summary(log())), "same as the pandas log"))(
    lambda: rfm_summary(pa.Table.from_pandas(log(), preserve_index=False)))
case("18-pyarrow-table-converted-bgnbd", Returns(
    lambda p: np.allclose(p, _bgnbd().probability_alive(FIT_DATA["BetaGeoModel"])), "same as the pandas frame"))(
    lambda: _bgnbd().probability_alive(pa.Table.from_pandas(FIT_DATA["BetaGeoModel"], preserve_index=False)))
case("18-pyarrow-table-named-where-not-converted", Raises(TypeError, r"'scores'.*pyarrow Table.*to_pandas\(\)"))(
    lambda: rfm_segments(pa.Table.from_pandas(SCORES, preserve_index=False)))


class _FakePolarsFrame:
    """Stands for polars.DataFrame (polars need not be installed): recognised by the module it lives in."""

    __module__ = "polars.dataframe.frame"

    def __init__(self, frame: pd.DataFrame) -> None:
        self._frame = frame

    def to_pandas(self) -> pd.DataFrame:
        return self._frame.copy()


case("18-polars-frame-converted", Returns(lambda out: out.equals(rfm_summary(log())), "same as the pandas log"))(
    lambda: rfm_summary(_FakePolarsFrame(log())))
case("18-polars-frame-named", Raises(TypeError, r"'summary'.*polars DataFrame.*to_pandas\(\)"))(
    lambda: rfm_scores(_FakePolarsFrame(SUMMARY)))
case("18-arrow-date32-column", Returns(lambda out: out.equals(rfm_summary(log())), "date32 read as dates"))(
    lambda: rfm_summary(pa.Table.from_pandas(log(date=log()["date"].dt.date), preserve_index=False)
                        .cast(pa.schema([("customer_id", pa.int64()), ("date", pa.date32()),
                                         ("amount", pa.float64())])).to_pandas(types_mapper=pd.ArrowDtype)))
case("18-mixed-utc-offsets", Raises(ValueError, r"column 'date'.*mixes different UTC offsets"))(
    lambda: rfm_summary(log(date=["2024-01-05T00:00+08:00", "2024-02-10T00:00+02:00", "2024-01-20T00:00+08:00",
                                  "2024-01-03T00:00+08:00", "2024-03-01T00:00+08:00"])))
case("18-one-offset-keeps-local-date", Returns(lambda out: out["T"].tolist() == [0.0], "local calendar date kept"))(
    lambda: rfm_summary(pd.DataFrame({"customer_id": [1], "date": ["2024-01-05T00:30+08:00"], "amount": [1.0]}),
                        observation_end="2024-01-05"))
DUP_COLUMNS = pd.DataFrame([[1, "2024-01-05", 3.0, 4.0]], columns=["customer_id", "date", "amount", "amount"])
for fname, call in {"rfm_summary": rfm_summary, "rfm_scores": rfm_scores, "prepare_features": prepare_features,
                    "GammaGammaModel.fit": lambda d: GammaGammaModel().fit(d)}.items():
    case(f"18-duplicate-column-names-{fname}", Raises(ValueError, r"duplicate column name\(s\) \['amount'\]"))(
        lambda c=call: c(DUP_COLUMNS))

# friction: zero amounts are purchases, refunds are refused, Gamma-Gamma refuses zero spend
case("friction-zero-amount-counted", Returns(
    lambda out: out.loc[1, "frequency"] == 1 and out.loc[1, "monetary_value"] == 0.0, "a free purchase counts"))(
    lambda: rfm_summary(log(amount=[10.0, 0.0, 5.0, 7.0, 9.0])))
for fname, summarise in SUMMARISERS.items():
    case(f"friction-refund-refused-{fname}", Raises(ValueError, r"negative 'amount'.*allow_negative=True"))(
        lambda s=summarise: s(log(amount=[10.0, -20.0, 5.0, 7.0, 9.0])))
case("friction-refund-allowed", Returns(lambda out: out.loc[1, "monetary_value"] == -20.0, "netted as asked"))(
    lambda: rfm_summary(log(amount=[10.0, -20.0, 5.0, 7.0, 9.0]), allow_negative=True))
case("friction-gammagamma-zero-spend", Raises(ValueError, r"zero or negative 'monetary_value'"))(
    lambda: GammaGammaModel().fit(pd.DataFrame({"frequency": [1, 2], "monetary_value": [0.0, 3.0]})))

# friction: rows after observation_end are dropped on request, with their number reported
LATE = log(date=pd.to_datetime(["2024-01-05", "2024-02-10", "2024-01-20", "2024-01-03", "2024-04-01"]))
for fname, summarise in SUMMARISERS.items():
    case(f"friction-after-end-raise-{fname}", Raises(ValueError, r"1 row\(s\).*after observation_end.*after_end="))(
        lambda s=summarise: s(LATE, observation_end="2024-03-01"))
    case(f"friction-after-end-drop-{fname}", Returns(
        lambda r: r[0].equals(r[2]) and any("dropped 1 row(s)" in m for m in r[1]), "as if filtered by hand"))(
        lambda s=summarise: (*_warned(lambda: s(LATE, observation_end="2024-03-01", after_end="drop")),
                             s(LATE[LATE["date"] <= "2024-03-01"], observation_end="2024-03-01")))
case("friction-after-end-bad-choice", Raises(ValueError, r"'after_end' must be one of"))(
    lambda: rfm_summary(log(), after_end="ignore"))


# friction: prediction methods of a model fitted with *_col= read those columns, and say so
def _fitted_with_columns() -> BetaGeoModel:
    data = pd.DataFrame({"x": [0, 2, 5, 1, 3], "r": [0.0, 10, 30, 4, 20], "age": [40.0, 40, 40, 30, 35]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return BetaGeoModel().fit(data, frequency_col="x", recency_col="r", T_col="age")


case("friction-prediction-reads-fitted-columns", Returns(lambda s: len(s) == 1 and 0 <= s.iloc[0] <= 1, "p_alive"))(
    lambda: _fitted_with_columns().probability_alive(pd.DataFrame({"x": [1], "r": [3.0], "age": [9.0]})))
case("friction-prediction-column-hint", Raises(ValueError, r"missing required column.*columns named at fit \('x', "
                                                           r"'r', 'age'\).*rename"))(
    lambda: _fitted_with_columns().probability_alive(pd.DataFrame({"freq": [1], "rec": [3.0], "T": [9.0]})))


# item 17 (non-database): registry, CRMLAB_DATA_DIR, CLI --out
def _with_env(folder: Any, call: Callable[[], Any]) -> Any:
    import os

    from crmlab.datasets import _registry

    old = os.environ.get(_registry.ENV_VAR)
    os.environ[_registry.ENV_VAR] = str(folder)
    try:
        return call()
    finally:
        if old is None:
            del os.environ[_registry.ENV_VAR]
        else:
            os.environ[_registry.ENV_VAR] = old


def _registry_copy(edit: Callable[[str], str]) -> Any:
    import shutil

    from crmlab.datasets import data_dir

    folder = _TMP[0] / f"data_{len(list(_TMP[0].iterdir()))}"
    folder.mkdir()
    shutil.copy(data_dir() / "registry.csv", folder / "registry.csv")
    path = folder / "registry.csv"
    path.write_text(edit(path.read_text()))
    return folder


def _load_donations() -> Any:
    from crmlab.datasets import load_donations

    return load_donations()


REGISTRY_EDITS = {
    "missing-column": (lambda t: t.replace("sha256", "checksum", 1), r"lacks column\(s\) \['sha256'\]"),
    "bad-rows": (lambda t: t.replace(",22,", ",twenty-two,", 1), r"malformed at line \d+ \(dataset 'donations'\)"),
    "short-line": (lambda t: t + "broken,line\n", r"malformed at line \d+.*wrong number of fields"),
    "repeated-name": (lambda t: t + t.splitlines()[1] + "\n", r"malformed at line \d+: a repeated dataset name"),
}
for label, (edit, pattern) in REGISTRY_EDITS.items():
    case(f"17-registry-{label}", Raises(ValueError, rf"registry .*registry\.csv.*{pattern}"))(
        lambda e=edit: _with_env(_registry_copy(e), _load_donations))
for label, make in {"missing": lambda: _TMP[0] / "no_such_folder",
                    "empty-folder": lambda: _TMP[0],
                    "a-file": lambda: _registry_copy(lambda t: t) / "registry.csv"}.items():
    case(f"17-CRMLAB_DATA_DIR-{label}", Raises(FileNotFoundError, r"CRMLAB_DATA_DIR is set to .*which"))(
        lambda m=make: _with_env(m(), _load_donations))


def _cli_out_on_file(command: list[str]) -> tuple[int, str]:
    import contextlib
    import io

    from crmlab.cli import main

    target = _TMP[0] / "a_file.txt"
    target.write_text("keep me")
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main([*command, "--out", str(target)])
    return code, err.getvalue()


for command in (["generate", "--customers", "5", "--quiet"], ["experiment", "no_such.toml"],
                ["course", "build"]):
    case(f"17-cli-out-existing-file-{command[0]}", Returns(
        lambda r: r[0] == 2 and r[1].count("\n") == 1 and "--out" in r[1] and "Traceback" not in r[1],
        "exit 2 with one line"))(lambda c=command: _cli_out_on_file(c))

# siblings of item 9 outside the RFM summary: infinite amounts in the value and loyalty modules
_INF_LOG = log(amount=[10.0, np.inf, 5.0, 7.0, 9.0])
case("9-inf-amount-customer_revenue", Raises(ValueError, r"customer_revenue\(\): column 'amount'.*infinite"))(
    lambda: customer_revenue(_INF_LOG))
case("9-inf-values-gini_coefficient", Raises(ValueError, r"gini_coefficient\(\): 'values' has 1 infinite"))(
    lambda: gini_coefficient([1.0, np.inf, 3.0]))
case("9-inf-values-lorenz_curve", Raises(ValueError, r"lorenz_curve\(\): 'values' has 1 infinite"))(
    lambda: lorenz_curve(np.array([1.0, 2.0, -np.inf])))
case("9-inf-amount-customer_growth_matrix",
     Raises(ValueError, r"customer_growth_matrix\(\): column 'amount'.*infinite"))(
    lambda: customer_growth_matrix(_INF_LOG.assign(category="a"), period_start="2024-01-01",
                                   period_end="2024-03-31"))
case("9-inf-current-customer_value_matrix",
     Raises(ValueError, r"customer_value_matrix\(\): column 'current_value'.*infinite"))(
    lambda: customer_value_matrix(pd.DataFrame({"current_value": [1.0, np.inf], "potential_value": [2.0, 3.0]})))
case("9-inf-amount-lifecycle_stages", Raises(ValueError, r"lifecycle_stages\(\):.*infinite 'amount'"))(
    lambda: lifecycle_stages(_INF_LOG, as_of="2024-03-31"))

# --- the runner --------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _tmp(tmp_path):
    _TMP[:] = [tmp_path]
    yield
    _TMP.clear()


@pytest.mark.parametrize(("name", "call", "expect"), CASES, ids=[c[0] for c in CASES])
def test_bad_input(name: str, call: Callable[[], Any], expect: Raises | Returns) -> None:
    if isinstance(expect, Raises):
        with pytest.raises(expect.error, match=expect.pattern):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", CrmlabWarning)
                call()
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CrmlabWarning)
            result = call()
        assert expect.check(result), f"{name}: expected {expect.why}; got {result!r}"


def test_case_names_are_unique() -> None:
    names = [c[0] for c in CASES]
    assert len(names) == len(set(names))
