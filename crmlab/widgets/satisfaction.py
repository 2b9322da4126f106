"""Live demo: satisfaction as perceived versus expected value (chapter 4)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from crmlab._validation import check_number
from crmlab.satisfaction import disconfirmation
from crmlab.widgets._core import Control, Demo, build_demo

__all__ = ["satisfaction_demo"]


def satisfaction_demo(perceived: float = 6.0, expected: float = 8.0, *, tolerance: float = 0.05,
                      static: bool | None = None) -> Demo:
    """Move perceived and expected value and watch the ratio and the state change.

    Chapter 4. ``result`` is the one-row output of :func:`crmlab.satisfaction.disconfirmation`
    (``ratio``, ``difference``, ``state``), drawn by
    :func:`crmlab.plotting.plot_disconfirmation_point`.

    Parameters
    ----------
    perceived : float, default=6.0
        Perceived value, in [0, 10].
    expected : float, default=8.0
        Expected value, in [0.1, 10] (the ratio divides by it).
    tolerance : float, default=0.05
        Ratios within ``1 ± tolerance`` count as "satisfied".
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
    >>> demo = satisfaction_demo(9.0, 8.0, static=True)
    >>> demo.result["state"].tolist()
    ['delighted']
    """
    caller = "satisfaction_demo"
    perceived = check_number(perceived, "perceived", caller=caller, minimum=0.0, maximum=10.0)
    expected = check_number(expected, "expected", caller=caller, minimum=0.1, maximum=10.0)

    def compute(perceived: float, expected: float) -> pd.DataFrame:
        pair = pd.DataFrame({"customer_id": [1], "perceived": [float(perceived)], "expected": [float(expected)]})
        return disconfirmation(pair, tolerance=tolerance)

    def draw(table: pd.DataFrame, values: dict, ax: Any) -> Any:
        from crmlab.plotting import plot_disconfirmation_point

        return plot_disconfirmation_point(table, ax=ax)

    return build_demo({"perceived": perceived, "expected": expected}, compute, draw, static=static, controls={
        "perceived": Control("perceived", low=0.0, high=10.0, step=0.1),
        "expected": Control("expected", low=0.1, high=10.0, step=0.1),
    })
