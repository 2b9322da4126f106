"""Live demo: retention → CLV (chapter 6)."""

from __future__ import annotations

from typing import Any

import numpy as np

from crmlab._validation import check_number
from crmlab.clv import clv_sensitivity, retention_clv
from crmlab.widgets._core import Control, Demo, build_demo

__all__ = ["retention_clv_demo"]

_GRID = np.round(np.arange(0.0, 0.96, 0.01), 2)


def retention_clv_demo(retention: float = 0.8, *, margin: float = 100.0, discount_rate: float = 0.1,
                       static: bool | None = None) -> Demo:
    """Move the retention rate (and margin, discount rate) and watch the CLV move along its curve.

    Chapter 6. ``result`` is a dict: ``clv`` from :func:`crmlab.clv.retention_clv` (infinite
    horizon) and ``curve``, CLV over retention 0–0.95 from :func:`crmlab.clv.clv_sensitivity`;
    drawn by :func:`crmlab.plotting.plot_retention_clv_curve`.

    Parameters
    ----------
    retention : float, default=0.8
        Retention rate per period, in [0, 0.95] (the slider's range).
    margin : float, default=100.0
        Margin per period, > 0.
    discount_rate : float, default=0.1
        Discount rate per period, in (0, 0.5].
    static : bool, optional
        See :func:`crmlab.widgets.widget_mode`.

    Returns
    -------
    Demo

    Raises
    ------
    ValueError
        For values outside those ranges.

    Examples
    --------
    >>> demo = retention_clv_demo(retention=0.8, margin=100.0, discount_rate=0.1, static=True)
    >>> round(demo.result["clv"], 2)
    266.67
    """
    caller = "retention_clv_demo"
    retention = check_number(retention, "retention", caller=caller, minimum=0.0, maximum=0.95)
    margin = check_number(margin, "margin", caller=caller, minimum=0.0)
    discount_rate = check_number(discount_rate, "discount_rate", caller=caller, minimum=0.0, maximum=0.5)

    def compute(retention: float, margin: float, discount_rate: float) -> dict:
        curve = clv_sensitivity(_GRID, [margin], discount_rate=discount_rate)
        curve.columns = ["clv"]
        return {"clv": retention_clv(margin, retention, discount_rate), "curve": curve}

    def draw(result: dict, values: dict, ax: Any) -> Any:
        from crmlab.plotting import plot_retention_clv_curve

        return plot_retention_clv_curve(result["curve"], values["retention"], result["clv"], ax=ax)

    values = {"retention": retention, "margin": margin, "discount_rate": discount_rate}
    return build_demo(values, compute, draw, static=static, controls={
        "retention": Control("retention", low=0.0, high=0.95, step=0.01),
        "margin": Control("margin", low=0.0, high=max(500.0, margin), step=10.0),
        "discount_rate": Control("discount", low=0.0, high=0.5, step=0.01),
    })
