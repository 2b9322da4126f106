"""Satisfaction surveys from a known ECSI structural model, and loyalty indicators.

Chapters 4 and 5. Latent constructs follow the European Customer Satisfaction
Index inner model with *standardized* path coefficients; each construct is
measured by 1–10 items named exactly as in the real ``mobi`` survey, so code
written for :func:`crmlab.datasets.load_mobi` runs unchanged on synthetic data
whose true paths and loadings are known.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pandas as pd

from crmlab._rng import RandomState, as_generator
from crmlab._validation import check_int
from crmlab.synth.config import ECSI_PATHS, LOYALTY_INDICATORS, _merge_known

__all__ = ["CONSTRUCTS", "ECSI_ITEMS", "ECSI_LOADINGS", "EcsiSurvey", "make_ecsi_survey"]

#: ECSI constructs in causal order.
CONSTRUCTS = ("image", "expectation", "quality", "value", "satisfaction", "complaints", "loyalty")

#: Items of each construct, named as in the ``mobi`` survey.
ECSI_ITEMS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "image": ("IMAG1", "IMAG2", "IMAG3", "IMAG4", "IMAG5"),
    "expectation": ("CUEX1", "CUEX2", "CUEX3"),
    "quality": ("PERQ1", "PERQ2", "PERQ3", "PERQ4", "PERQ5", "PERQ6", "PERQ7"),
    "value": ("PERV1", "PERV2"),
    "satisfaction": ("CUSA1", "CUSA2", "CUSA3"),
    "complaints": ("CUSCO",),
    "loyalty": ("CUSL1", "CUSL2", "CUSL3"),
})

#: Default standardized loadings of the continuous items (CUSL2, price tolerance, is weak as in mobi).
ECSI_LOADINGS: Mapping[str, float] = MappingProxyType({
    "IMAG1": 0.75, "IMAG2": 0.65, "IMAG3": 0.60, "IMAG4": 0.75, "IMAG5": 0.70,
    "CUEX1": 0.75, "CUEX2": 0.70, "CUEX3": 0.50,
    "PERQ1": 0.85, "PERQ2": 0.65, "PERQ3": 0.75, "PERQ4": 0.75, "PERQ5": 0.65, "PERQ6": 0.75, "PERQ7": 0.75,
    "PERV1": 0.90, "PERV2": 0.90,
    "CUSA1": 0.85, "CUSA2": 0.80, "CUSA3": 0.75,
    "CUSCO": 0.90,
    "CUSL1": 0.85, "CUSL2": 0.30, "CUSL3": 0.85,
})

_MOBI_ORDER = tuple(sorted(ECSI_LOADINGS))
_LOCATION, _SCALE = 7.3, 1.6


def _path_matrix(paths: Mapping[str, float]) -> np.ndarray:
    """B[j, k] = path from construct k to construct j."""
    index = {c: i for i, c in enumerate(CONSTRUCTS)}
    mat = np.zeros((len(CONSTRUCTS), len(CONSTRUCTS)))
    for key, coef in paths.items():
        src, dst = key.split("->")
        mat[index[dst], index[src]] = coef
    return mat


def residual_variances(paths: Mapping[str, float], caller: str) -> np.ndarray:
    """Disturbance variances that make every construct unit-variance (error if R^2 >= 1)."""
    mat = _path_matrix(paths)
    k = len(CONSTRUCTS)
    cov = np.zeros((k, k))
    psi = np.zeros(k)
    for j in range(k):  # over the 7 constructs (causal order), not customers
        beta = mat[j, :j]
        r2 = float(beta @ cov[:j, :j] @ beta) if j else 0.0
        if r2 >= 1.0:
            raise ValueError(
                f"{caller}(): 'path_coefficients' imply R^2 = {r2:.3f} >= 1 for '{CONSTRUCTS[j]}'; "
                "standardized paths into one construct must explain less than all of its variance."
            )
        psi[j] = 1.0 if j == 0 else 1.0 - r2
        cov[j, :j] = cov[:j, :j] @ beta
        cov[:j, j] = cov[j, :j]
        cov[j, j] = 1.0
    return psi


def total_effects(paths: Mapping[str, float]) -> np.ndarray:
    """Total effect matrix ``(I - B)^-1``: entry [j, k] is the effect of construct k on j."""
    mat = _path_matrix(paths)
    return np.linalg.inv(np.eye(len(CONSTRUCTS)) - mat)


def latent_scores(
    n: int, paths: Mapping[str, float], image_mean: np.ndarray | float, rng: np.random.Generator, caller: str
) -> np.ndarray:
    """Draw the seven latent constructs (n x 7), unit variance given ``image_mean``."""
    mat = _path_matrix(paths)
    psi = residual_variances(paths, caller)
    scores = rng.standard_normal((n, len(CONSTRUCTS))) * np.sqrt(psi)
    scores[:, 0] += image_mean
    for j in range(1, len(CONSTRUCTS)):  # 6 structural equations, vectorised over respondents
        scores[:, j] += scores[:, :j] @ mat[j, :j]
    return scores


def to_scale(x: np.ndarray) -> np.ndarray:
    """Map standardized continuous answers to integer ratings 1..10."""
    return np.clip(np.rint(_LOCATION + _SCALE * x), 1, 10).astype(np.int64)


def ecsi_items(scores: np.ndarray, loadings: Mapping[str, float], rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Items of every construct: ``loading * score + sqrt(1 - loading^2) * noise``, rated 1..10."""
    out = {}
    for j, construct in enumerate(CONSTRUCTS):
        for item in ECSI_ITEMS[construct]:
            lam = loadings[item]
            noise = rng.standard_normal(scores.shape[0])
            out[item] = to_scale(lam * scores[:, j] + np.sqrt(1.0 - lam**2) * noise)
    return out


def loyalty_items(loyalty: np.ndarray, weights: Mapping[str, float], rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Rate the six loyalty indicators, generated from latent loyalty with the given weights."""
    out = {}
    for name, w in weights.items():
        noise = rng.standard_normal(loyalty.shape[0])
        out[name] = to_scale(w * loyalty + np.sqrt(1.0 - w**2) * noise)
    return out


@dataclass(frozen=True)
class EcsiSurvey:
    """A synthetic ECSI survey with its ground truth.

    Chapter 4. Returned by :func:`make_ecsi_survey`; the known paths and loadings let a
    PLS path model be checked against the truth.

    Parameters
    ----------
    items : pandas.DataFrame
        One row per respondent, the 24 ``mobi`` item columns (int64, 1..10) in ``mobi`` order.
    scores : pandas.DataFrame
        True latent construct scores (columns :data:`CONSTRUCTS`, standardized).
    paths : pandas.DataFrame
        Columns ``source``, ``target``, ``coefficient`` (standardized) and ``r_squared`` of the target.
    loadings : pandas.DataFrame
        Columns ``construct``, ``item``, ``loading`` (of the continuous item before rounding to 1..10).

    Examples
    --------
    >>> survey = make_ecsi_survey(100, random_state=1)
    >>> survey.items.shape, list(survey.loadings.columns)
    ((100, 24), ['construct', 'item', 'loading'])
    """

    items: pd.DataFrame
    scores: pd.DataFrame
    paths: pd.DataFrame
    loadings: pd.DataFrame


def make_ecsi_survey(
    n_respondents: int,
    path_coefficients: Mapping[str, float] | None = None,
    random_state: RandomState = None,
    *,
    loadings: Mapping[str, float] | None = None,
) -> EcsiSurvey:
    r"""Generate ECSI survey answers from a known structural model.

    Chapter 4 (satisfaction) and 5 (loyalty): the test bed of the PLS path model.

    Parameters
    ----------
    n_respondents : int
        Number of respondents (>= 1).
    path_coefficients : mapping of str to float, optional
        Standardized paths keyed ``"source->target"`` (see
        :data:`crmlab.synth.ECSI_PATHS`, whose defaults are the ``mobi`` estimates);
        keys left out keep their default. Each in [-1, 1].
    random_state : None, int or numpy.random.Generator, optional
        An int repeats exactly; a Generator advances.
    loadings : mapping of str to float, optional
        Item loadings in (-1, 1), keyed by item name; defaults :data:`ECSI_LOADINGS`.

    Returns
    -------
    EcsiSurvey
        ``items`` (same columns as ``load_mobi()``), true ``scores``, ``paths`` and ``loadings``.

    Raises
    ------
    TypeError
        If ``path_coefficients`` or ``loadings`` is not a mapping, or holds a non-number.
    ValueError
        If ``n_respondents < 1``, a path key is unknown or out of range, or the
        paths into a construct explain all of its variance.

    See Also
    --------
    crmlab.datasets.load_mobi : the real survey with the same items.
    make_customer_world : surveys inside a whole customer world.

    Notes
    -----
    Constructs are standardized: :math:`\eta_j = \sum_k \beta_{jk}\eta_k + \zeta_j`
    with :math:`\operatorname{Var}(\zeta_j) = 1 - R^2_j`. Each item is
    :math:`x = \lambda\eta + \sqrt{1 - \lambda^2}\,\varepsilon`, mapped to a
    rating by :math:`\mathrm{clip}(\mathrm{round}(7.3 + 1.6x), 1, 10)`; the rounding
    slightly attenuates correlations, as real rating scales do.

    References
    ----------
    Tenenhaus, M., Esposito Vinzi, V., Chatelin, Y.-M., & Lauro, C. (2005). PLS path
    modeling. *Computational Statistics & Data Analysis*, 48(1), 159–205.

    Examples
    --------
    >>> survey = make_ecsi_survey(500, random_state=1)
    >>> survey.items.shape
    (500, 24)
    >>> float(survey.paths.set_index(["source", "target"]).loc[("image", "expectation"), "coefficient"])
    0.505
    """
    caller = "make_ecsi_survey"
    n = check_int(n_respondents, "n_respondents", caller=caller, minimum=1)
    paths = _merge_known(path_coefficients, ECSI_PATHS, "path_coefficients", -1.0, 1.0, caller=caller)
    lds = _merge_known(loadings, ECSI_LOADINGS, "loadings", -0.999, 0.999, caller=caller)
    rng = as_generator(random_state, caller=caller)
    scores = latent_scores(n, paths, 0.0, rng, caller)
    items = ecsi_items(scores, lds, rng)
    return EcsiSurvey(
        items=pd.DataFrame({name: items[name] for name in _MOBI_ORDER}),
        scores=pd.DataFrame(scores, columns=list(CONSTRUCTS)),
        paths=path_table(paths),
        loadings=loading_table(lds),
    )


def path_table(paths: Mapping[str, float]) -> pd.DataFrame:
    """Tidy table of the structural paths with the R^2 of each target."""
    psi = dict(zip(CONSTRUCTS, residual_variances(paths, "path_table"), strict=True))
    rows = [(k.split("->")[0], k.split("->")[1], float(v)) for k, v in paths.items()]
    df = pd.DataFrame(rows, columns=["source", "target", "coefficient"])
    df["r_squared"] = [1.0 - psi[t] for t in df["target"]]
    return df


def loading_table(loadings: Mapping[str, float]) -> pd.DataFrame:
    """Tidy table ``construct, item, loading``."""
    rows = [(c, item, float(loadings[item])) for c in CONSTRUCTS for item in ECSI_ITEMS[c]]
    return pd.DataFrame(rows, columns=["construct", "item", "loading"])


def loyalty_weight_table(weights: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Tidy table ``indicator, weight`` of the six loyalty indicators."""
    weights = LOYALTY_INDICATORS if weights is None else weights
    return pd.DataFrame({"indicator": list(weights), "weight": [float(v) for v in weights.values()]})
