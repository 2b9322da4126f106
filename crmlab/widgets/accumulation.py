"""Live demo: the accumulation effect, B/A as store A loses customers to B (chapter 7)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from crmlab._validation import check_in_choices, check_int, check_number
from crmlab.accumulation import LECTURE_LOSSES, accumulation_table
from crmlab.widgets._core import Control, Demo, build_demo

__all__ = ["accumulation_demo"]


def accumulation_demo(lost: int = 25, *, customers: int = 100, margin: float = 10.0, basis: str = "customers",
                      static: bool | None = None) -> Demo:
    """Move the customers store A has lost to B and watch B/A accelerate.

    Chapter 7. The result is :func:`crmlab.accumulation.accumulation_table` for the lecture's
    losses below ``lost`` plus ``lost`` itself (its last row is the slider's), drawn by
    :func:`crmlab.plotting.plot_accumulation_table`.

    Parameters
    ----------
    lost : int, default=25
        Customers A has lost to B, in ``[0, customers)`` (the slider).
    customers : int, default=100
        Customers each store starts with.
    margin : float, default=10.0
        Profit per customer (used by the profit basis).
    basis : {"customers", "profit"}, default="customers"
        The lecture's customer or profit table (a drop-down).
    static : bool, optional
        See :func:`crmlab.widgets.widget_mode`.

    Returns
    -------
    Demo

    Raises
    ------
    TypeError, ValueError
        For a loss outside ``[0, customers)``, an unknown basis or bad market parameters.

    Examples
    --------
    >>> demo = accumulation_demo(40, static=True)
    >>> demo.result.loc[40.0, ["B_customers", "relative_size"]].round(2).tolist()
    [140.0, 2.33]
    """
    caller = "accumulation_demo"
    customers = check_int(customers, "customers", caller=caller, minimum=2)
    margin = check_number(margin, "margin", caller=caller, minimum=0.0)
    lost = check_int(lost, "lost", caller=caller, minimum=0, maximum=customers - 1)
    basis = check_in_choices(basis, "basis", ("customers", "profit"), caller=caller)

    def compute(lost: int, basis: str) -> pd.DataFrame:
        losses = [x for x in LECTURE_LOSSES if x < lost] + [int(lost)]
        return accumulation_table(losses, customers=customers, margin=margin, basis=basis)

    def draw(table: pd.DataFrame, values: dict, ax: Any) -> Any:
        from crmlab.plotting import plot_accumulation_table

        return plot_accumulation_table(table, ax=ax)

    return build_demo({"lost": lost, "basis": basis}, compute, draw, static=static, controls={
        "lost": Control("A lost", low=0, high=customers - 1),
        "basis": Control("basis", options=("customers", "profit")),
    })
