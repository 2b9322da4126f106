"""Live demo: P(alive) as recency and frequency change (chapter 6)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted

from crmlab._validation import check_int, check_number
from crmlab.widgets._core import Control, Demo, build_demo

__all__ = ["probability_alive_demo"]


def probability_alive_demo(model: Any, *, T: float, frequency: int = 2, recency: float | None = None,
                           max_frequency: int = 20, static: bool | None = None) -> Demo:
    """Move a customer's frequency and recency; watch the fitted model's P(alive).

    Chapter 6. ``result`` is a dict: ``p_alive`` of the chosen customer and ``curve``, P(alive)
    over recency 0..T for the chosen frequency, both from ``model.probability_alive``; drawn by
    :func:`crmlab.plotting.plot_probability_alive_curve`.

    Parameters
    ----------
    model : fitted continuous-time BTYD model
        E.g. :class:`crmlab.clv.BetaGeoModel` or :class:`crmlab.clv.ParetoNBDModel`.
    T : float
        Length of the customer's observation period, > 0.
    frequency : int, default=2
        Repeat purchases, in [0, max_frequency].
    recency : float, optional
        Time of the last purchase, in [0, T]; default ``T / 2``.
    max_frequency : int, default=20
        Top of the frequency slider.
    static : bool, optional
        See :func:`crmlab.widgets.widget_mode`.

    Returns
    -------
    Demo

    Raises
    ------
    sklearn.exceptions.NotFittedError
        If ``model`` is not fitted.
    TypeError, ValueError
        For values outside those ranges.

    Notes
    -----
    A customer with no repeat purchase has recency 0 by definition; with ``frequency=0`` the
    recency control is ignored (the model is asked about recency 0).

    Examples
    --------
    >>> from crmlab.clv import BetaGeoModel
    >>> from crmlab.datasets import load_cdnow_summary
    >>> demo = probability_alive_demo(BetaGeoModel().fit(load_cdnow_summary()), T=39.0, frequency=2, static=True)
    >>> bool(0.0 < demo.result["p_alive"] < 1.0), demo.values
    (True, {'frequency': 2, 'recency': 19.5})
    """
    caller = "probability_alive_demo"
    check_is_fitted(model, "params_")
    T = check_number(T, "T", caller=caller, minimum=0.0, strict_min=True)
    max_frequency = check_int(max_frequency, "max_frequency", caller=caller, minimum=1)
    frequency = check_int(frequency, "frequency", caller=caller, minimum=0, maximum=max_frequency)
    recency = T / 2 if recency is None else check_number(recency, "recency", caller=caller, minimum=0.0, maximum=T)
    grid = np.linspace(0.0, T, 101)

    def compute(frequency: int, recency: float) -> dict:
        x = int(frequency)
        tx = float(recency) if x > 0 else 0.0
        rows = pd.DataFrame({"frequency": np.full(grid.size + 1, x),
                             "recency": np.append(grid if x > 0 else np.zeros(grid.size), tx),
                             "T": np.full(grid.size + 1, T)})
        p = model.probability_alive(rows).to_numpy(dtype=float)
        curve = pd.DataFrame({"p_alive": p[:-1]}, index=pd.Index(grid, name="recency"))
        return {"p_alive": float(p[-1]), "curve": curve, "recency": tx}

    def draw(result: dict, values: dict, ax: Any) -> Any:
        from crmlab.plotting import plot_probability_alive_curve

        return plot_probability_alive_curve(result["curve"], result["recency"], result["p_alive"],
                                            frequency=int(values["frequency"]), ax=ax)

    return build_demo({"frequency": frequency, "recency": recency}, compute, draw, static=static, controls={
        "frequency": Control("frequency", low=0, high=max_frequency),
        "recency": Control("recency", low=0.0, high=T, step=T / 100),
    })
