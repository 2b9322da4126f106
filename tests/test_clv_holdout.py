"""holdout_report: metrics against plain implementations, benchmarks, bad inputs, a simulated check."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmlab.clv import BetaGeoModel, holdout_report, normalized_gini
from crmlab.datasets import load_cdnow_holdout, load_cdnow_summary
from crmlab.synth.btyd_worlds import simulate_cnbd


class _Fixed:
    """A stand-in model returning given predictions (to test the metrics, not a model)."""

    def __init__(self, e: np.ndarray, p_active: np.ndarray, p_alive: np.ndarray) -> None:
        self.e, self.pa, self.palive = e, p_active, p_alive

    def expected_purchases(self, t: float, data: pd.DataFrame) -> pd.Series:
        return pd.Series(self.e, index=data.index)

    def probability_active(self, t: float, data: pd.DataFrame) -> pd.Series:
        return pd.Series(self.pa, index=data.index)

    def probability_alive(self, data: pd.DataFrame) -> pd.Series:
        return pd.Series(self.palive, index=data.index)


def _gini_by_pairs(y: np.ndarray, p: np.ndarray) -> float:
    """Gini of the gain curve written as a pairwise sum (ties count half): a second, plain implementation."""
    n = len(y)
    above = (p[:, None] > p[None, :]) + 0.5 * (p[:, None] == p[None, :])  # i ranked before j
    np.fill_diagonal(above, 0.5)
    # area under the gain curve = mean over customers j of the share of y held by customers ranked before j
    # (counting j itself half), so the Gini is twice its excess over 1/2
    area = float((y[:, None] * above).sum() / y.sum() / n)
    return 2 * (area - 0.5)


def test_normalized_gini_against_a_pairwise_implementation():
    rng = np.random.default_rng(0)
    y = rng.poisson(1.0, 300).astype(float)
    for p in (y + rng.normal(0, 1, 300), np.round(rng.normal(0, 1, 300), 1), -y, np.ones(300)):
        expected = _gini_by_pairs(y, p) / _gini_by_pairs(y, y)
        assert normalized_gini(y, p) == pytest.approx(expected, abs=1e-12)
    assert normalized_gini(y, y) == pytest.approx(1.0)
    assert normalized_gini(y, np.ones(300)) == pytest.approx(0.0, abs=1e-12)
    assert normalized_gini(y, -y) < -0.9
    with pytest.raises(ValueError, match="sums to zero"):
        normalized_gini(np.zeros(3), np.ones(3))


def test_metrics_match_plain_formulas():
    rng = np.random.default_rng(1)
    n = 500
    cal = pd.DataFrame({"frequency": rng.integers(0, 5, n).astype(float)})
    cal["T"] = rng.uniform(10, 40, n)
    cal["recency"] = np.where(cal["frequency"] > 0, cal["T"] * rng.uniform(0, 1, n), 0.0)
    y = rng.poisson(1.0, n)
    e = rng.gamma(2.0, 0.5, n)
    pa = rng.uniform(0, 1, n)
    alive = rng.integers(0, 2, n).astype(bool)
    rep = holdout_report({"m": _Fixed(e, pa, pa)}, cal, y, t=39.0, alive=alive, naive=False)
    row = rep.summary.loc["m"]
    assert row["mae"] == pytest.approx(np.abs(e - y).mean())
    assert row["rmse"] == pytest.approx(np.sqrt(((e - y) ** 2).mean()))
    assert row["bias_pct"] == pytest.approx(100 * (e.sum() - y.sum()) / y.sum())
    assert row["brier_active"] == pytest.approx(((pa - (y > 0)) ** 2).mean())
    assert row["brier_alive"] == pytest.approx(((pa - alive) ** 2).mean())
    order = np.argsort(e, kind="stable")
    dec = np.array_split(order, 10)
    dmae = np.mean([abs(e[i].mean() - y[i].mean()) for i in dec])
    assert row["decile_mae"] == pytest.approx(dmae)
    assert list(rep.summary.index) == ["m"]
    assert rep.deciles["customers"].sum() == n


def test_cdnow_report_has_models_and_benchmarks():
    cal = load_cdnow_summary()
    hold = load_cdnow_holdout()["frequency_holdout"]
    rep = holdout_report({"BG/NBD": BetaGeoModel().fit(cal)}, cal, hold, t=39.0)
    s = rep.summary
    assert s.loc["BG/NBD", "kind"] == "model"
    assert (s["kind"] == "naive").sum() == 4
    # the model beats the rate benchmarks on every error measure, ranks far better than chance
    for bench in ("naive: own calibration rate", "naive: population rate"):
        assert s.loc["BG/NBD", "mae"] < s.loc[bench, "mae"]
        assert s.loc["BG/NBD", "rmse"] < s.loc[bench, "rmse"]
        assert s.loc["BG/NBD", "brier_active"] < s.loc[bench, "brier_active"]
    assert s.loc["BG/NBD", "gini_norm"] > 0.5
    assert s.loc["naive: zero for all", "bias_pct"] == -100.0
    assert rep.predictions.shape == (len(cal), len(s))


def test_simulated_world_calibration_is_good():
    df = simulate_cnbd(4000, r=1.0, alpha=5.0, a=1.0, b=4.0, k=1, T=40.0, future=39.0, random_state=4)
    model = BetaGeoModel().fit(df)
    rep = holdout_report({"BG/NBD": model}, df, df["frequency_holdout"], t=39.0, alive=df["alive"])
    s = rep.summary.loc["BG/NBD"]
    assert abs(s["bias_pct"]) < 5.0
    assert s["calib_active"] < 0.03
    assert s["brier_alive"] < s["brier_active"] + 0.1
    assert s["mae"] < rep.summary.loc["naive: own calibration rate", "mae"]


def test_bad_inputs():
    cal = load_cdnow_summary()
    model = BetaGeoModel().fit(cal)
    hold = load_cdnow_holdout()["frequency_holdout"]
    with pytest.raises(ValueError, match="index differs"):
        holdout_report({"m": model}, cal, hold.iloc[:-1], t=39.0)
    with pytest.raises(ValueError, match="negative or fractional"):
        holdout_report({"m": model}, cal, hold.to_numpy() - 1, t=39.0)
    with pytest.raises(ValueError, match="one value per"):
        holdout_report({"m": model}, cal, hold.to_numpy()[:5], t=39.0)
    with pytest.raises(ValueError, match="non-empty dict"):
        holdout_report({}, cal, hold, t=39.0)
    with pytest.raises(ValueError, match="'t'"):
        holdout_report({"m": model}, cal, hold, t=0.0)


def test_plots_draw_the_report_numbers():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from crmlab.plotting import plot_holdout_deciles, plot_holdout_report

    cal = load_cdnow_summary()
    rep = holdout_report({"BG/NBD": BetaGeoModel().fit(cal)}, cal, load_cdnow_holdout()["frequency_holdout"],
                         t=39.0)
    ax = plot_holdout_report(rep, metric="mae")
    widths = sorted(p.get_width() for p in ax.patches)
    assert widths == pytest.approx(sorted(rep.summary["mae"]))
    with pytest.raises(ValueError, match="'metric'"):
        plot_holdout_report(rep, metric="kind")
    ax2 = plot_holdout_deciles(rep)
    assert len(ax2.lines) == 2
    plt.close("all")
