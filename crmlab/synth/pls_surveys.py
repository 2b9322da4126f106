r"""Satisfaction surveys with formative drivers, a moderated loyalty path and a known indirect effect.

Chapters 4 and 5. A small driver model whose every parameter is known, to check what
:class:`crmlab.satisfaction.PLSPathModel` recovers:

.. math::

    Q &= w^\top q^* \quad\text{(formative: three quality indicators, exactly a composite)} \\
    S &= a\,Q + \zeta_S \\
    L &= b\,S + g\,Q + c\,W + d\,(S \cdot W) + \zeta_L

with standardized constructs: quality :math:`Q`, satisfaction :math:`S`, switching cost
:math:`W` (independent of :math:`Q`) and loyalty :math:`L`. A negative :math:`d` is chapter 5's
"hostage" case: the higher the switching cost, the less loyalty depends on satisfaction. The
indirect effect of quality on loyalty through satisfaction is :math:`ab`. A fifth block,
``Affect``, correlates ``redundant_corr`` (default 0.95) with satisfaction: a construct that is
not distinct from it, for discriminant-validity (HTMT) checks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from crmlab._rng import RandomState, as_generator
from crmlab._validation import check_int, check_number

__all__ = ["PLSSurvey", "make_pls_survey"]

_LOCATION, _SCALE = 5.5, 1.5  # continuous answer x -> rating round(5.5 + 1.5 x) clipped to 1..10


@dataclass(frozen=True)
class PLSSurvey:
    """A synthetic driver survey with its ground truth (returned by :func:`make_pls_survey`).

    Chapters 4 and 5. The model to fit is
    ``PLSPathModel(s.blocks, s.paths, modes=s.modes, interactions=s.interactions)``.

    Parameters
    ----------
    items : pandas.DataFrame
        One row per respondent, ratings 1..10 (float; NaN or ``missing_code`` where missing).
    scores : pandas.DataFrame
        True standardized construct scores (``Quality``, ``Satisfaction``,
        ``SwitchingCost``, ``Loyalty``, ``Affect``), one row per respondent.
    blocks : dict of str to list of str
        Construct -> its items (``Affect`` left out: add it to check HTMT).
    modes : dict of str to str
        ``{"Quality": "B"}``: the formative block; the others are reflective.
    paths : list of tuple of str
        The inner model ``(source, target)``, the interaction path included.
    interactions : list of tuple of str
        ``[("Satisfaction", "SwitchingCost")]``: satisfaction moderated by switching cost.
    weights : pandas.Series
        True formative weights of ``Quality`` (for standardized indicators), indexed by item.
    coefficients : pandas.Series
        True standardized paths keyed ``(source, target)``, including the interaction
        ``("Satisfaction*SwitchingCost", "Loyalty")``.
    indirect_effect : float
        True effect of quality on loyalty through satisfaction, :math:`ab`.
    redundant_corr : float
        True correlation of ``Affect`` with ``Satisfaction``.

    See Also
    --------
    make_pls_survey : Draw a survey.

    Examples
    --------
    >>> s = make_pls_survey(300, random_state=1)
    >>> sorted(s.blocks), s.modes, s.interactions
    (['Loyalty', 'Quality', 'Satisfaction', 'SwitchingCost'], {'Quality': 'B'}, [('Satisfaction', 'SwitchingCost')])
    >>> float(s.coefficients[("Satisfaction*SwitchingCost", "Loyalty")])
    -0.2
    """

    items: pd.DataFrame
    scores: pd.DataFrame
    blocks: dict
    modes: dict
    paths: list
    interactions: list
    weights: pd.Series
    coefficients: pd.Series
    indirect_effect: float
    redundant_corr: float


def _ratings(x: np.ndarray) -> np.ndarray:
    return np.clip(np.round(_LOCATION + _SCALE * x), 1, 10)


def make_pls_survey(
    n_respondents: int,
    random_state: RandomState = None,
    *,
    formative_weights: Sequence[float] = (0.6, 0.3, 0.4),
    indicator_corr: float = 0.3,
    a: float = 0.6,
    b: float = 0.45,
    g: float = 0.1,
    c: float = 0.2,
    d: float = -0.2,
    loading: float = 0.92,
    redundant_corr: float = 0.95,
    missing_rate: float = 0.0,
    missing_code: float | None = None,
) -> PLSSurvey:
    r"""Generate a driver survey with a formative block, an interaction and a known indirect effect.

    Chapters 4 and 5: the test bed of Mode B, moderation and mediation in PLS path models.

    Parameters
    ----------
    n_respondents : int
        Number of respondents (>= 10).
    random_state : None, int or numpy.random.Generator, optional
        An int repeats exactly; a Generator advances.
    formative_weights : sequence of 3 floats, default=(0.6, 0.3, 0.4)
        Relative weights of the three quality indicators; rescaled so that quality has unit variance.
    indicator_corr : float, default=0.3
        Correlation between the quality indicators, in [0, 0.9].
    a, b, g, c, d : float
        Quality -> satisfaction, satisfaction -> loyalty, quality -> loyalty (direct),
        switching cost -> loyalty, and the interaction satisfaction × switching cost -> loyalty.
    loading : float, default=0.92
        Loading of every reflective item, in (0, 1).
    redundant_corr : float, default=0.95
        Correlation of ``Affect`` with satisfaction, in [0, 1).
    missing_rate : float, default=0.0
        Share of answers deleted completely at random, in [0, 0.5].
    missing_code : float, optional
        Written in place of a deleted answer (e.g. -99); default NaN.

    Returns
    -------
    PLSSurvey

    Raises
    ------
    ValueError
        If an argument is out of range, or the paths into loyalty explain all of its variance.

    Notes
    -----
    Satisfaction and switching cost are independent standard normals given quality's share, so
    :math:`\operatorname{Var}(S W) = 1` and the path of the *standardized* product (seminr's and
    crmlab's reported number) is :math:`d` itself. The residual variance of loyalty is
    :math:`1 - (b^2 + g^2 + c^2 + d^2 + 2abg)`. Ratings are :math:`\mathrm{clip}(\mathrm{round}
    (5.5 + 1.5x), 1, 10)`, which attenuates correlations slightly.

    Examples
    --------
    >>> s = make_pls_survey(300, random_state=1)
    >>> s.items.shape
    (300, 15)
    >>> round(s.indirect_effect, 3)
    0.27
    """
    caller = "make_pls_survey"
    n = check_int(n_respondents, "n_respondents", caller=caller, minimum=10)
    w = np.asarray(formative_weights, dtype=float)
    if w.shape != (3,) or not np.all(np.isfinite(w)):
        raise ValueError(f"{caller}(): 'formative_weights' must be 3 finite numbers; got {formative_weights!r}.")
    rho = check_number(indicator_corr, "indicator_corr", caller=caller, minimum=0.0, maximum=0.9)
    for name, value in {"a": a, "b": b, "g": g, "c": c, "d": d}.items():
        check_number(value, name, caller=caller, minimum=-0.9, maximum=0.9)
    lam = check_number(loading, "loading", caller=caller, minimum=0.0, maximum=1.0, strict_min=True, strict_max=True)
    r = check_number(redundant_corr, "redundant_corr", caller=caller, minimum=0.0, maximum=1.0, strict_max=True)
    rate = check_number(missing_rate, "missing_rate", caller=caller, minimum=0.0, maximum=0.5)
    explained = b**2 + g**2 + c**2 + d**2 + 2 * a * b * g
    if explained >= 1:
        raise ValueError(f"{caller}(): the paths into loyalty explain {explained:.3f} >= 1 of its variance; "
                         "make b, g, c or d smaller.")
    rng = as_generator(random_state, caller=caller)
    sigma = np.full((3, 3), rho) + (1 - rho) * np.eye(3)
    w = w / np.sqrt(w @ sigma @ w)
    q_star = rng.standard_normal((n, 3)) @ np.linalg.cholesky(sigma).T
    quality = q_star @ w
    sat = a * quality + np.sqrt(1 - a**2) * rng.standard_normal(n)
    swc = rng.standard_normal(n)
    loyalty = b * sat + g * quality + c * swc + d * sat * swc + np.sqrt(1 - explained) * rng.standard_normal(n)
    affect = r * sat + np.sqrt(1 - r**2) * rng.standard_normal(n)
    latent = {"Quality": quality, "Satisfaction": sat, "SwitchingCost": swc, "Loyalty": loyalty, "Affect": affect}
    prefixes = {"Quality": "QUAL", "Satisfaction": "SAT", "SwitchingCost": "SWC", "Loyalty": "LOY", "Affect": "AFF"}
    blocks = {name: [f"{prefixes[name]}{k}" for k in (1, 2, 3)] for name in latent}
    columns = {f"QUAL{k + 1}": _ratings(q_star[:, k]) for k in range(3)}
    for name in ("Satisfaction", "SwitchingCost", "Loyalty", "Affect"):
        noise = rng.standard_normal((n, 3))
        x = lam * latent[name][:, None] + np.sqrt(1 - lam**2) * noise
        columns.update({item: _ratings(x[:, k]) for k, item in enumerate(blocks[name])})
    items = pd.DataFrame(columns)
    if rate > 0:
        holes = rng.random(items.shape) < rate
        items = items.mask(holes, np.nan if missing_code is None else float(missing_code))
    paths = [("Quality", "Satisfaction"), ("Quality", "Loyalty"), ("Satisfaction", "Loyalty"),
             ("SwitchingCost", "Loyalty"), ("Satisfaction*SwitchingCost", "Loyalty")]
    coefficients = pd.Series(
        [a, g, b, c, d], index=pd.MultiIndex.from_tuples(paths, names=["source", "target"]), name="coefficient"
    )
    return PLSSurvey(
        items=items,
        scores=pd.DataFrame(latent),
        blocks={k: v for k, v in blocks.items() if k != "Affect"},
        modes={"Quality": "B"},
        paths=paths,
        interactions=[("Satisfaction", "SwitchingCost")],
        weights=pd.Series(w, index=pd.Index(blocks["Quality"], name="item"), name="weight"),
        coefficients=coefficients,
        indirect_effect=float(a * b),
        redundant_corr=r,
    )
