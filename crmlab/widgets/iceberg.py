"""Live demo: the complaint iceberg (chapter 4)."""

from __future__ import annotations

from typing import Any

from crmlab._validation import check_int, check_number
from crmlab.complaints import ComplaintIceberg
from crmlab.widgets._core import Control, Demo, build_demo

__all__ = ["iceberg_demo"]


def iceberg_demo(complaint_rate: float = 0.04, *, n_unhappy: int = 1000, static: bool | None = None) -> Demo:
    """Move the complaint rate and the number of unhappy customers; watch what stays under water.

    Chapter 4. ``result`` is a dict from :class:`crmlab.complaints.ComplaintIceberg`:
    ``complaints`` (expected), ``silent`` (unhappy who never complain) and
    ``hidden_per_complaint``; drawn by :func:`crmlab.plotting.plot_complaint_iceberg`.

    Parameters
    ----------
    complaint_rate : float, default=0.04
        Probability that an unhappy customer complains, in [0.01, 1] (the slider's range).
    n_unhappy : int, default=1000
        Unhappy customers, in [1, 10000].
    static : bool, optional
        See :func:`crmlab.widgets.widget_mode`.

    Returns
    -------
    Demo

    Raises
    ------
    TypeError, ValueError
        For values outside those ranges.

    Examples
    --------
    >>> demo = iceberg_demo(static=True)
    >>> _ = demo.set(n_unhappy=500)  # as a lecturer moves the slider
    >>> demo.result["complaints"], demo.result["silent"]
    (20.0, 480.0)
    """
    caller = "iceberg_demo"
    complaint_rate = check_number(complaint_rate, "complaint_rate", caller=caller, minimum=0.01, maximum=1.0)
    n_unhappy = check_int(n_unhappy, "n_unhappy", caller=caller, minimum=1, maximum=10_000)

    def compute(complaint_rate: float, n_unhappy: int) -> dict:
        ice = ComplaintIceberg(complaint_rate=complaint_rate)
        complaints = ice.expected_complaints(int(n_unhappy))
        return {"iceberg": ice, "complaints": complaints, "silent": int(n_unhappy) - complaints,
                "hidden_per_complaint": ice.hidden_per_complaint}

    def draw(result: dict, values: dict, ax: Any) -> Any:
        from crmlab.plotting import plot_complaint_iceberg

        return plot_complaint_iceberg(result["iceberg"], int(values["n_unhappy"]), ax=ax)

    return build_demo({"complaint_rate": complaint_rate, "n_unhappy": n_unhappy}, compute, draw, static=static,
                      figsize=(6.0, 4.0), controls={
        "complaint_rate": Control("complain", low=0.01, high=1.0, step=0.01),
        "n_unhappy": Control("unhappy", low=1, high=10_000, step=10),
    })
