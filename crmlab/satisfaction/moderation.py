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
    """Name of the interaction construct of ``iv`` and ``moderator`` (``"iv*moderator"``, as in seminr).

    Parameters
    ----------
    iv : str
        The construct whose effect is moderated (the independent variable).
    moderator : str
        The moderating construct.

    Returns
    -------
    str
        ``"iv*moderator"``.

    Examples
    --------
    >>> interaction_name("CUSA", "COST")
    'CUSA*COST'
    """
    return f"{iv}*{moderator}"


def interaction_items(iv: str, moderator: str, blocks: Mapping[str, Sequence[str]], method: str) -> list[str]:
    """Return the names of the generated item columns of the interaction construct.

    Parameters
    ----------
    iv : str
        The construct whose effect is moderated (the independent variable).
    moderator : str
        The moderating construct.
    blocks : mapping of str to sequence of str
        Items of each construct; ``blocks[iv]`` and ``blocks[moderator]`` are used.
    method : {"two_stage", "product_indicator", "orthogonal"}
        How the interaction construct is measured (see the module notes).

    Returns
    -------
    list of str
        ``["iv*moderator"]`` for ``"two_stage"`` (one item: the product of the
        stage-1 scores); otherwise ``"a*b"`` for every item ``a`` of ``iv`` and
        ``b`` of ``moderator``, in that order.

    Examples
    --------
    >>> blocks = {"CUSA": ["CUSA1", "CUSA2"], "COST": ["COST1"]}
    >>> interaction_items("CUSA", "COST", blocks, "two_stage")
    ['CUSA*COST']
    >>> interaction_items("CUSA", "COST", blocks, "product_indicator")
    ['CUSA1*COST1', 'CUSA2*COST1']
    """
    if method == "two_stage":
        return [interaction_name(iv, moderator)]
    return [f"{a}*{b}" for a in blocks[iv] for b in blocks[moderator]]


def product_columns(
    z: np.ndarray, iv_items: np.ndarray, mod_items: np.ndarray, method: str, scores: tuple | None = None
) -> np.ndarray:
    """Return the interaction item columns (B, n, q) from standardized items ``z`` (B, n, p).

    Parameters
    ----------
    z : numpy.ndarray
        Standardized items, shape (B, n, p): B data sets (e.g. bootstrap
        resamples) of n respondents and p items.
    iv_items : numpy.ndarray
        Column positions in ``z`` of the items of the moderated construct.
    mod_items : numpy.ndarray
        Column positions in ``z`` of the items of the moderator.
    method : {"two_stage", "product_indicator", "orthogonal"}
        How the interaction construct is measured (see the module notes).
    scores : tuple of numpy.ndarray, optional
        For ``"two_stage"`` only: ``(x, m)``, the standardized stage-1 scores
        (B, n) of the two constructs. Ignored by the other methods.

    Returns
    -------
    numpy.ndarray
        Shape (B, n, q): q = 1 for ``"two_stage"`` (``x * m``); otherwise one
        column per pair of items, ``iv`` item outer and moderator item inner,
        residualised on all items of both constructs (plus an intercept) for
        ``"orthogonal"``. Not yet standardized.

    Examples
    --------
    >>> import numpy as np
    >>> z = np.array([[[1.0, 2.0], [-1.0, 0.5], [0.5, -2.0]]])
    >>> product_columns(z, np.array([0]), np.array([1]), "product_indicator")[0, :, 0]
    array([ 2. , -0.5, -1. ])
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
