r"""Interaction (moderation) terms of a PLS path model: two-stage, product-indicator, orthogonalised.

Chapter 5: does a switching cost weaken the effect of satisfaction on loyalty ("hostage" customers)?
A moderator :math:`M` changes the path :math:`X \to Y`; the model adds an interaction construct
``"X*M"`` and the user points it at ``Y``:

.. math:: Y = \beta_X X + \beta_M M + \beta_{XM}\,(X \cdot M)_{std} + \zeta .

How the interaction construct is measured (``interaction_method=``):

``"two_stage"`` (default; SmartPLS's default and the documented default of seminr's ``interaction_term``
    — seminr's code itself defaults to ``product_indicator`` in recent versions, so name the method
    when comparing numbers)
    Stage 1 estimates the model without interactions; the product of the standardized stage-1 scores
    of ``X`` and ``M`` is the single item of ``"X*M"`` in stage 2, which re-estimates everything.
``"product_indicator"``
    Every product of a standardized item of ``X`` with a standardized item of ``M`` is a
    reflective item of ``"X*M"``.
``"orthogonal"``
    As product-indicator, but each product is first replaced by its residual from a regression on
    all items of ``X`` and ``M`` (Little, Bovaird & Widaman 2006).

The standardisation convention: like every PLS item, the interaction items are standardized before
estimation, so the reported path :math:`\beta_{XM}` multiplies the *standardized product*
:math:`(XM - \overline{XM}) / s_{XM}` — the number seminr and SmartPLS (with "standardized" output)
print. Simple slopes need the coefficient of the product of standardized scores itself,
:math:`\beta_{XM}/s_{XM}`; :class:`~crmlab.satisfaction.PLSPathModel` reports both
(``interactions_``), and the two are equal when :math:`X` and :math:`M` are uncorrelated normals.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

__all__ = ["INTERACTION_METHODS", "interaction_items", "interaction_name", "product_columns"]

INTERACTION_METHODS = ("two_stage", "product_indicator", "orthogonal")


def interaction_name(iv: str, moderator: str) -> str:
    """Name of the interaction construct of ``iv`` and ``moderator`` (``"iv*moderator"``, as in seminr)."""
    return f"{iv}*{moderator}"


def interaction_items(iv: str, moderator: str, blocks: Mapping[str, Sequence[str]], method: str) -> list[str]:
    """Names of the generated item columns of the interaction construct."""
    if method == "two_stage":
        return [interaction_name(iv, moderator)]
    return [f"{a}*{b}" for a in blocks[iv] for b in blocks[moderator]]


def product_columns(
    z: np.ndarray, iv_items: np.ndarray, mod_items: np.ndarray, method: str, scores: tuple | None = None
) -> np.ndarray:
    """Interaction item columns (B, n, q) from standardized items ``z`` (B, n, p).

    ``iv_items``/``mod_items`` are column positions in ``z``. For ``"two_stage"`` pass
    ``scores=(x, m)``, the standardized stage-1 scores (B, n) of the two constructs.
    """
    if method == "two_stage":
        x, m = scores
        return (x * m)[..., None]
    prod = (z[..., iv_items, None] * z[..., None, mod_items]).reshape(*z.shape[:-1], -1)
    if method == "orthogonal":
        design = z[..., np.concatenate([iv_items, mod_items])]
        design = np.concatenate([np.ones((*design.shape[:-1], 1)), design], axis=-1)
        dt = np.swapaxes(design, -1, -2)
        coef = np.linalg.solve(dt @ design, dt @ prod)
        prod = prod - design @ coef
    return prod
