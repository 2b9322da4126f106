r"""Discriminant validity and fit of a PLS path model: HTMT, Fornell–Larcker, SRMR and f².

Chapter 4. Do two constructs measure different things? Fornell and Larcker compare each
construct's :math:`\sqrt{\mathrm{AVE}}` with its correlations; the heterotrait–monotrait ratio
(HTMT) compares the correlations of items *across* two blocks with those *within* each block:

.. math:: \mathrm{HTMT}_{ij} = \frac{\overline{r}_{ij}}{\sqrt{\overline{r}_{ii}\,\overline{r}_{jj}}}

where :math:`\overline{r}_{ij}` averages the correlations between the items of :math:`i` and
:math:`j` and :math:`\overline{r}_{ii}` those among the items of :math:`i` (1 for a single item).
A value close to 1 (above 0.85–0.90, or a bootstrap interval reaching 1) says the two blocks
measure the same thing (Henseler, Ringle & Sarstedt 2015).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted

from crmlab._validation import check_columns, check_frame, check_no_missing, check_numeric_columns

__all__ = ["f_squared", "fornell_larcker", "htmt", "htmt_matrix", "srmr"]


def htmt_matrix(s: np.ndarray, block: np.ndarray) -> np.ndarray:
    """Return the HTMT ratios (B, J, J) from item correlation matrices (B, P, P); the diagonal is NaN.

    The array form behind :func:`htmt`, for many correlation matrices at once
    (e.g. bootstrap resamples).

    Parameters
    ----------
    s : numpy.ndarray
        Item correlation matrices, shape (B, P, P).
    block : numpy.ndarray
        Boolean (P, J): ``block[k, j]`` is True when item k measures construct j
        (each item in one block).

    Returns
    -------
    numpy.ndarray
        Shape (B, J, J), symmetric, NaN on the diagonal. A single-item block
        counts 1 as its mean within-block correlation.

    Examples
    --------
    Two items of one construct correlate 0.6; they correlate 0.3 and 0.2 with a
    single-item construct, so HTMT = 0.25 / sqrt(0.6 * 1):

    >>> import numpy as np
    >>> s = np.array([[[1.0, 0.6, 0.3], [0.6, 1.0, 0.2], [0.3, 0.2, 1.0]]])
    >>> block = np.array([[True, False], [True, False], [False, True]])
    >>> htmt_matrix(s, block).round(3)
    array([[[  nan, 0.323],
            [0.323,   nan]]])
    """
    member = block.astype(float)
    size = member.sum(axis=0)
    sums = np.swapaxes(member, 0, 1) @ s @ member  # (B, J, J): sum of correlations between/within blocks
    within_pairs = size * (size - 1)
    diag = np.einsum("bjj->bj", sums)
    mono = np.where(size > 1, (diag - size) / np.where(within_pairs > 0, within_pairs, 1), 1.0)
    hetero = sums / np.outer(size, size)
    with np.errstate(invalid="ignore"):
        out = hetero / np.sqrt(mono[:, :, None] * mono[:, None, :])
    idx = np.arange(block.shape[1])
    out[:, idx, idx] = np.nan
    return out


def htmt(data: pd.DataFrame, blocks: Mapping[str, Sequence[str]]) -> pd.DataFrame:
    """Heterotrait–monotrait ratio of every pair of blocks, from the item correlations of ``data``.

    Chapter 4: needs no fitted model (it uses item correlations only).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent; numeric item columns without missing values.
    blocks : mapping of str to sequence of str
        Construct -> its items.

    Returns
    -------
    pandas.DataFrame
        Square, constructs in the order of ``blocks``; NaN on the diagonal.

    Raises
    ------
    ValueError
        If an item column is missing or has missing values.
    TypeError
        If ``data`` is not a DataFrame or an item is not numeric.

    Examples
    --------
    >>> from crmlab.datasets import load_mobi
    >>> h = htmt(load_mobi(), {"Value": ["PERV1", "PERV2"], "Satisfaction": ["CUSA1", "CUSA2", "CUSA3"]})
    >>> round(float(h.loc["Value", "Satisfaction"]), 2)
    0.74
    """
    caller = "htmt"
    check_frame(data, caller=caller)
    names = list(blocks)
    items = [i for b in names for i in blocks[b]]
    check_columns(data, items, caller=caller)
    check_numeric_columns(data, items, caller=caller)
    check_no_missing(data, items, caller=caller)
    block = np.zeros((len(items), len(names)), dtype=bool)
    block[np.arange(len(items)), np.repeat(np.arange(len(names)), [len(blocks[b]) for b in names])] = True
    s = np.corrcoef(data[items].to_numpy(dtype=float), rowvar=False)[None]
    return pd.DataFrame(htmt_matrix(s, block)[0], index=names, columns=names)


def fornell_larcker(model: Any) -> pd.DataFrame:
    r"""Fornell–Larcker table: :math:`\sqrt{\mathrm{AVE}}` on the diagonal, construct correlations below.

    Discriminant validity holds for a reflective construct when its diagonal entry exceeds every
    correlation in its row and column. Formative and single-item constructs have no AVE (NaN).

    Parameters
    ----------
    model : PLSPathModel
        A fitted model.

    Returns
    -------
    pandas.DataFrame
        Lower triangle filled (upper triangle NaN), as seminr prints it.

    Examples
    --------
    >>> from crmlab.datasets import load_mobi
    >>> from crmlab.satisfaction import ECSI_BLOCKS, ECSI_PATHS, PLSPathModel
    >>> model = PLSPathModel(ECSI_BLOCKS, ECSI_PATHS).fit(load_mobi())
    >>> table = fornell_larcker(model)
    >>> table.loc[["Value", "Satisfaction"], ["Value", "Satisfaction"]].round(3)
                  Value  Satisfaction
    Value         0.921           NaN
    Satisfaction  0.608         0.833
    """
    check_is_fitted(model, "paths_")
    corr = model.scores_.corr().to_numpy()
    out = np.where(np.tril(np.ones_like(corr, dtype=bool), k=-1), corr, np.nan)
    np.fill_diagonal(out, np.sqrt(model.reliability_["ave"].to_numpy()))
    return pd.DataFrame(out, index=model.constructs_, columns=model.constructs_)


def srmr(model: Any) -> float:
    r"""Standardized root mean square residual of the item correlations.

    The model-implied correlation of items :math:`k \in i`, :math:`l \in j` of two blocks is
    :math:`\lambda_{ik}\, r_{ij}\, \lambda_{jl}` (loadings and construct correlations of the fit);
    within a reflective block it is :math:`\lambda_{ik}\lambda_{il}`, within a formative block the
    observed correlation (a composite leaves it free). This is the "saturated model" SRMR of
    SmartPLS; below 0.08 is read as a good fit.

    Parameters
    ----------
    model : PLSPathModel
        A fitted model.

    Returns
    -------
    float
        :math:`\sqrt{\sum_{k \le l} (s_{kl} - \hat\sigma_{kl})^2 / (P(P+1)/2)}`.

    Examples
    --------
    >>> from crmlab.datasets import load_mobi
    >>> from crmlab.satisfaction import ECSI_BLOCKS, ECSI_PATHS, PLSPathModel
    >>> model = PLSPathModel(ECSI_BLOCKS, ECSI_PATHS).fit(load_mobi())
    >>> round(srmr(model), 3)
    0.075
    """
    check_is_fitted(model, "paths_")
    spec = model._spec
    s = np.corrcoef(model._z, rowvar=False)
    lam = np.zeros(spec.block.shape)  # (P, J), loadings inside each block (PLSc-corrected if consistent)
    k, j = np.nonzero(spec.block)
    lam[k, j] = model.outer_loadings_.to_numpy()
    implied = lam @ model._corr @ lam.T  # between blocks: lambda_k r_ij lambda_l; within: lambda_k lambda_l
    for j in np.flatnonzero(spec.mode_b):  # formative blocks keep their observed item correlations
        idx = np.flatnonzero(spec.block[:, j])
        implied[np.ix_(idx, idx)] = s[np.ix_(idx, idx)]
    np.fill_diagonal(implied, 1.0)
    low = np.tril_indices(len(s))
    return float(np.sqrt(np.mean((s - implied)[low] ** 2)))


def f_squared(model: Any) -> pd.DataFrame:
    r"""Return Cohen's f² of every path: :math:`(R^2_{incl} - R^2_{excl}) / (1 - R^2_{incl})`.

    :math:`R^2_{excl}` re-runs the regression of the target on its other predictors (with the
    fitted construct scores, as seminr and SmartPLS do). 0.02, 0.15 and 0.35 are read as small,
    medium and large effects.

    Parameters
    ----------
    model : PLSPathModel
        A fitted model.

    Returns
    -------
    pandas.DataFrame
        ``source``, ``target``, ``f2``.

    Examples
    --------
    >>> from crmlab.datasets import load_mobi
    >>> from crmlab.satisfaction import ECSI_BLOCKS, ECSI_PATHS, PLSPathModel
    >>> model = PLSPathModel(ECSI_BLOCKS, ECSI_PATHS).fit(load_mobi())
    >>> f2 = f_squared(model)
    >>> f2[f2["target"] == "Satisfaction"].round(3)
            source        target     f2
    1        Image  Satisfaction  0.042
    5  Expectation  Satisfaction  0.008
    7      Quality  Satisfaction  0.289
    8        Value  Satisfaction  0.077
    """
    check_is_fitted(model, "paths_")
    corr = model._corr
    names = model.constructs_
    rows = []
    for row in model.paths_.itertuples(index=False):  # one regression per path
        j = names.index(row.target)
        others = [names.index(s) for s in model.paths_.loc[model.paths_["target"] == row.target, "source"]
                  if s != row.source]
        r2_in = float(model.r2_[row.target])
        r2_ex = 0.0
        if others:
            beta = np.linalg.solve(corr[np.ix_(others, others)], corr[others, j])
            r2_ex = float(beta @ corr[others, j])
        rows.append((row.source, row.target, (r2_in - r2_ex) / (1 - r2_in)))
    return pd.DataFrame(rows, columns=["source", "target", "f2"])
