"""Live demo: the complaint iceberg (chapter 4)."""

from __future__ import annotations

from typing import Any

from crmlab._validation import check_int, check_number
from crmlab.complaints import ComplaintIceberg
from crmlab.widgets._core import Demo, widget_mode

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

    mode = widget_mode(static=static)
    controls: dict = {}
    if mode == "live":
        import ipywidgets

        controls = {
            "complaint_rate": ipywidgets.FloatSlider(value=complaint_rate, min=0.01, max=1.0, step=0.01,
                                                     description="complain"),
            "n_unhappy": ipywidgets.IntSlider(value=n_unhappy, min=1, max=10_000, step=10, description="unhappy"),
        }
    return Demo(controls, {"complaint_rate": complaint_rate, "n_unhappy": n_unhappy}, compute, draw,
                mode=mode, figsize=(6.0, 4.0))
