"""Live demonstrations (crmlab.widgets): built headless, a control moved, numbers and figure checked."""

from __future__ import annotations

import sys
import types

import numpy as np
import pandas as pd
import pytest
from matplotlib.patches import Rectangle

from crmlab.clv import BetaGeoModel
from crmlab.datasets import load_cdnow_summary
from crmlab.widgets import (
    ENV_VAR,
    Demo,
    accumulation_demo,
    iceberg_demo,
    probability_alive_demo,
    retention_clv_demo,
    satisfaction_demo,
    widget_mode,
)


def _bar_heights(ax) -> list[float]:
    return [p.get_height() for p in ax.patches if isinstance(p, Rectangle)]


def _png_outputs(demo: Demo) -> list[str]:
    return [o["data"]["image/png"] for o in demo._output.outputs]


# --- mode -------------------------------------------------------------------------------------------------------

def test_widget_mode_explicit_switch_wins_over_environment(monkeypatch) -> None:
    monkeypatch.setenv(ENV_VAR, "static")
    assert widget_mode(static=False) == "live"
    assert widget_mode(static=True) == "static"


@pytest.mark.parametrize("value", ["live", "static", " LIVE "])
def test_widget_mode_reads_environment(monkeypatch, value) -> None:
    monkeypatch.setenv(ENV_VAR, value)
    assert widget_mode() == value.strip().lower()


def test_widget_mode_rejects_unknown_environment_value(monkeypatch) -> None:
    monkeypatch.setenv(ENV_VAR, "interactive")
    with pytest.raises(ValueError, match="CRMLAB_WIDGETS.*'interactive'"):
        widget_mode()


def test_widget_mode_unset_is_live_only_in_a_kernel(monkeypatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.delitem(sys.modules, "ipykernel", raising=False)
    assert widget_mode() == "static"
    monkeypatch.setitem(sys.modules, "ipykernel", types.ModuleType("ipykernel"))
    assert widget_mode() == "live"


def test_course_build_sets_static_mode() -> None:
    import os

    from crmlab.course.execute import _deterministic_env

    with _deterministic_env():
        assert os.environ[ENV_VAR] == "static"


# --- accumulation (chapter 7) ----------------------------------------------------------------------------------

def test_accumulation_demo_slider_moves_ratio_and_bars() -> None:
    demo = accumulation_demo(lost=10, static=False)
    assert demo.result.index.tolist() == [0, 1, 2, 10]
    first_png = _png_outputs(demo)
    demo.controls["lost"].value = 40  # as a lecturer drags the slider
    table = demo.result
    assert table.index.tolist() == [0, 1, 2, 10, 25, 40]
    n, x = 100, 40
    assert table.loc[40, "relative_size"] == pytest.approx((n + x) / (n - x))  # 140 / 60
    assert table.loc[40, "difference"] == pytest.approx(2 * x)
    heights = _bar_heights(demo.ax)
    assert heights[: len(table)] == pytest.approx(table["A_customers"].tolist())
    assert heights[len(table):] == pytest.approx(table["B_customers"].tolist())
    assert [t.get_text() for t in demo.ax.texts][-1] == "2.33"
    assert _png_outputs(demo) != first_png and len(_png_outputs(demo)) == 1


def test_accumulation_demo_profit_basis_from_dropdown() -> None:
    demo = accumulation_demo(lost=50, margin=10.0, static=False)
    demo.controls["basis"].value = "profit"
    assert demo.result.loc[50, "A_profit"] == pytest.approx(500.0)
    assert demo.result.loc[50, "B_profit"] == pytest.approx(1500.0)
    assert demo.result.loc[50, "relative_size"] == pytest.approx(3.0)


def test_accumulation_demo_rejects_loss_that_empties_store_a() -> None:
    with pytest.raises(ValueError, match="lost"):
        accumulation_demo(lost=100, customers=100)


# --- retention -> CLV (chapter 6) ------------------------------------------------------------------------------

def _clv_by_summation(m: float, r: float, d: float, periods: int = 2000) -> float:
    return sum(m * r**t / (1 + d) ** t for t in range(1, periods + 1))


def test_retention_clv_demo_slider_moves_clv_along_the_curve() -> None:
    demo = retention_clv_demo(retention=0.8, margin=100.0, discount_rate=0.1, static=False)
    assert demo.result["clv"] == pytest.approx(266.6667, abs=1e-3)
    demo.set(retention=0.9)
    assert demo.controls["retention"].value == pytest.approx(0.9)
    assert demo.result["clv"] == pytest.approx(_clv_by_summation(100.0, 0.9, 0.1), rel=1e-9)  # 450
    demo.controls["discount_rate"].value = 0.05
    assert demo.result["clv"] == pytest.approx(_clv_by_summation(100.0, 0.9, 0.05), rel=1e-9)  # 600
    curve, point = demo.ax.lines[0], demo.ax.lines[1]
    assert point.get_xydata()[0].tolist() == pytest.approx([0.9, demo.result["clv"]])
    y = curve.get_ydata()
    assert y[list(np.round(curve.get_xdata(), 2)).index(0.5)] == pytest.approx(_clv_by_summation(100, 0.5, 0.05))
    assert np.all(np.diff(y) > 0)


def test_retention_clv_demo_rejects_retention_outside_slider() -> None:
    with pytest.raises(ValueError, match="retention"):
        retention_clv_demo(retention=0.99)


# --- satisfaction (chapter 4) ----------------------------------------------------------------------------------

def test_satisfaction_demo_moves_ratio_and_state() -> None:
    demo = satisfaction_demo(perceived=6.0, expected=8.0, static=False)
    row = demo.result.iloc[0]
    assert (row["ratio"], row["difference"], row["state"]) == (0.75, -2.0, "dissatisfied")
    demo.controls["perceived"].value = 9.0
    row = demo.result.iloc[0]
    assert (row["ratio"], row["difference"], row["state"]) == (pytest.approx(9 / 8), 1.0, "delighted")
    assert _bar_heights(demo.ax) == pytest.approx([8.0, 9.0])
    demo.set(expected=9.2)
    assert demo.result.iloc[0]["state"] == "satisfied"  # 9 / 9.2 = 0.978 within 5 %
    assert "delighted" not in demo.ax.get_title() and "satisfied" in demo.ax.get_title()


def test_satisfaction_demo_rejects_zero_expectation() -> None:
    with pytest.raises(ValueError, match="expected"):
        satisfaction_demo(expected=0.0)


# --- complaint iceberg (chapter 4) -----------------------------------------------------------------------------

def test_iceberg_demo_moves_waterline() -> None:
    demo = iceberg_demo(static=False)
    assert (demo.result["complaints"], demo.result["silent"]) == (pytest.approx(40.0), pytest.approx(960.0))
    demo.controls["complaint_rate"].value = 0.1
    demo.controls["n_unhappy"].value = 500
    assert demo.result["complaints"] == pytest.approx(50.0)
    assert demo.result["silent"] == pytest.approx(450.0)
    assert demo.result["hidden_per_complaint"] == pytest.approx(9.0)
    assert _bar_heights(demo.ax) == pytest.approx([50.0, -450.0])
    assert "500 unhappy" in demo.ax.get_title()


# --- P(alive) (chapter 6) --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def cdnow_model() -> BetaGeoModel:
    return BetaGeoModel().fit(load_cdnow_summary())


def _bgnbd_p_alive(params: pd.Series, x: int, tx: float, T: float) -> float:
    """Fader, Hardie & Lee (2005), eq. (5), written out."""
    r, alpha, a, b = (float(params[k]) for k in ("r", "alpha", "a", "b"))
    if x == 0:
        return 1.0
    return 1.0 / (1.0 + a / (b + x - 1) * ((alpha + T) / (alpha + tx)) ** (r + x))


def test_probability_alive_demo_matches_formula_as_controls_move(cdnow_model) -> None:
    demo = probability_alive_demo(cdnow_model, T=39.0, frequency=2, recency=30.0, static=False)
    p = cdnow_model.params_
    assert demo.result["p_alive"] == pytest.approx(_bgnbd_p_alive(p, 2, 30.0, 39.0), rel=1e-6)
    before = demo.result["p_alive"]
    demo.controls["recency"].value = 10.0
    assert demo.result["p_alive"] == pytest.approx(_bgnbd_p_alive(p, 2, 10.0, 39.0), rel=1e-6)
    assert demo.result["p_alive"] < before
    demo.controls["frequency"].value = 8
    assert demo.result["p_alive"] == pytest.approx(_bgnbd_p_alive(p, 8, 10.0, 39.0), rel=1e-6)
    curve = demo.ax.lines[0]
    assert curve.get_ydata()[-1] == pytest.approx(_bgnbd_p_alive(p, 8, 39.0, 39.0), rel=1e-6)
    assert demo.ax.lines[1].get_xydata()[0].tolist() == pytest.approx([10.0, demo.result["p_alive"]])


def test_probability_alive_demo_zero_frequency_ignores_recency(cdnow_model) -> None:
    demo = probability_alive_demo(cdnow_model, T=39.0, frequency=0, recency=20.0, static=True)
    assert demo.result["p_alive"] == pytest.approx(1.0)
    assert demo.result["recency"] == 0.0


def test_probability_alive_demo_needs_fitted_model() -> None:
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        probability_alive_demo(BetaGeoModel(), T=39.0)


# --- static mode: what the site and nbval store ----------------------------------------------------------------

def test_static_demo_builds_no_widget_and_shows_deterministic_png(monkeypatch) -> None:
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    first = accumulation_demo(lost=25, static=True)
    second = accumulation_demo(lost=25, static=True)
    assert first.widget is None and first.controls == {}
    first._ipython_display_()
    second._ipython_display_()
    assert shown[0].data[:8] == b"\x89PNG\r\n\x1a\n"
    assert shown[0].data == shown[1].data  # same values, same bytes
    first.set(lost=50)
    assert first.result.loc[50, "relative_size"] == pytest.approx(3.0)
    with pytest.raises(KeyError, match="unknown control"):
        first.set(lots=3)


def test_live_demo_displays_its_widget(monkeypatch) -> None:
    import ipywidgets

    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    demo = iceberg_demo(static=False)
    demo._ipython_display_()
    assert isinstance(shown[0], ipywidgets.VBox)
    assert demo._output in shown[0].children


def test_probability_alive_demo_title_names_frequency(cdnow_model) -> None:
    demo = probability_alive_demo(cdnow_model, T=39.0, frequency=3, static=True)
    assert demo.ax.get_title().endswith("3 repeat purchases")
    demo.set(frequency=5)
    assert demo.ax.get_title().endswith("5 repeat purchases")
