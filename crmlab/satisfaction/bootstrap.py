"""Bootstrap of a fitted PLS path model: all resamples estimated together.

Chapter 4. Respondents are drawn with replacement; each resample is re-standardized and
re-estimated (both stages of a two-stage interaction included), starting from the full-sample
weights. The resamples iterate as a stack of correlation matrices, in chunks, so 5,000 resamples
cost a few hundred stacked matrix products rather than 5,000 Python-level fits.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted

from crmlab._rng import RandomState, as_generator
from crmlab._validation import CrmlabWarning, check_frame, check_int, check_number
from crmlab.satisfaction._plsalgo import CollinearError, standardize, total_effects
from crmlab.satisfaction._plscheck import check_missing_values, check_survey
from crmlab.satisfaction.validity import htmt_matrix

__all__ = ["PLSBootstrap", "bootstrap_pls"]

_CHUNK = 250  # largest number of resamples per stacked batch
_CELLS = 10_000_000  # and at most this many resampled answers per batch (about 80 MB of float64)


@dataclass(frozen=True)
class PLSBootstrap:
    """Resampled estimates of a PLS path model (returned by :meth:`PLSPathModel.bootstrap_results`).

    Chapter 4. Built by :func:`bootstrap_pls`; its methods turn the resamples
    into tables with bootstrap standard errors and percentile intervals.

    Parameters
    ----------
    constructs : list of str
        The J constructs, in the model's order.
    items : list of str
        The P items, in the model's order.
    paths : numpy.ndarray
        Shape (n_boot, J, J): path coefficients of each resample (source row, target column).
    loadings : numpy.ndarray
        Shape (n_boot, P, J): outer loadings of each resample (zero outside an item's block).
    weights : numpy.ndarray
        Shape (n_boot, P, J): outer weights of each resample (zero outside an item's block).
    htmt : numpy.ndarray
        Shape (n_boot, J, J): HTMT of each resample, NaN on the diagonal.
    estimates : dict of numpy.ndarray
        ``"paths"``, ``"loadings"``, ``"weights"``, ``"htmt"`` of the full-sample
        fit (the same arrays without the resample axis).
    block : numpy.ndarray
        Boolean (P, J): ``block[k, j]`` is True when item k measures construct j.
    pred : numpy.ndarray
        Boolean (J, J): ``pred[i, j]`` is True when the model has the path i -> j.
    modes : tuple of str
        Measurement mode of each construct: ``"A"`` (reflective), ``"B"``
        (formative) or ``"single"`` (one item).

    See Also
    --------
    bootstrap_pls : Draw the resamples.
    crmlab.satisfaction.report.pls_summary : Report paths and HTMT with these intervals.

    Examples
    --------
    >>> from crmlab.datasets import load_mobi
    >>> from crmlab.satisfaction import ECSI_BLOCKS, ECSI_PATHS, PLSPathModel
    >>> X = load_mobi()
    >>> model = PLSPathModel(ECSI_BLOCKS, ECSI_PATHS).fit(X)
    >>> boot = model.bootstrap_results(X, n_boot=100, random_state=0)
    >>> boot.n_boot, boot.paths.shape
    (100, (100, 7, 7))
    >>> boot.specific_effect(["Quality", "Satisfaction", "Loyalty"])[["estimate", "lower", "upper"]].round(2)
       estimate  lower  upper
    0      0.25   0.16   0.33
    """

    constructs: list[str]
    items: list[str]
    paths: np.ndarray
    loadings: np.ndarray
    weights: np.ndarray
    htmt: np.ndarray
    estimates: dict
    block: np.ndarray
    pred: np.ndarray
    modes: tuple[str, ...]

    @property
    def n_boot(self) -> int:
        """Number of resamples."""
        return self.paths.shape[0]

    def _rows(self, kind: str, sources: list, targets: list, est: np.ndarray, draws: np.ndarray, level: float):
        level = check_number(level, "level", caller="PLSBootstrap", minimum=0.0, maximum=1.0, strict_min=True,
                             strict_max=True)
        alpha = (1 - level) / 2
        return pd.DataFrame(
            {
                "kind": [kind] * len(sources),
                "source": sources,
                "target": targets,
                "estimate": est,
                "boot_mean": draws.mean(axis=0),
                "std_error": draws.std(axis=0, ddof=1),
                "lower": np.quantile(draws, alpha, axis=0),
                "upper": np.quantile(draws, 1 - alpha, axis=0),
            }
        )

    def table(self, level: float = 0.95) -> pd.DataFrame:
        """Paths, loadings and (formative blocks) weights with bootstrap SE and percentile intervals."""
        names, items = self.constructs, self.items
        src, tgt = np.nonzero(self.pred)
        k, j = np.nonzero(self.block)
        parts = [
            self._rows("path", [names[i] for i in src], [names[i] for i in tgt],
                       self.estimates["paths"][src, tgt], self.paths[:, src, tgt], level),
            self._rows("loading", [names[i] for i in j], [items[i] for i in k],
                       self.estimates["loadings"][k, j], self.loadings[:, k, j], level),
        ]
        formative = np.array([self.modes[c] == "B" for c in j], dtype=bool)
        if formative.any():
            kf, jf = k[formative], j[formative]
            parts.append(self._rows("weight", [names[i] for i in jf], [items[i] for i in kf],
                                    self.estimates["weights"][kf, jf], self.weights[:, kf, jf], level))
        return pd.concat(parts, ignore_index=True)

    def total_effects(self, level: float = 0.95) -> pd.DataFrame:
        """Total effects (direct + indirect) between every connected pair, with intervals."""
        names = self.constructs
        est = total_effects(self.estimates["paths"][None])[0]
        draws = total_effects(self.paths)
        src, tgt = np.nonzero(np.abs(est) > 0)
        return self._rows("total_effect", [names[i] for i in src], [names[i] for i in tgt], est[src, tgt],
                          draws[:, src, tgt], level)

    def specific_effect(self, chain: Sequence[str], level: float = 0.95) -> pd.DataFrame:
        """Specific indirect effect along ``chain`` (e.g. ``["Quality", "Satisfaction", "Loyalty"]``).

        The product of the path coefficients along the chain, with its bootstrap SE and percentile
        interval (Preacher & Hayes 2008); the chain must follow existing paths.
        """
        idx = _chain_positions(chain, self.constructs, self.pred, "PLSBootstrap.specific_effect")
        est = np.prod([self.estimates["paths"][a, b] for a, b in zip(idx[:-1], idx[1:], strict=True)])
        draws = np.prod([self.paths[:, a, b] for a, b in zip(idx[:-1], idx[1:], strict=True)], axis=0)
        return self._rows("specific_effect", [" -> ".join(chain[:-1])], [chain[-1]], np.array([est]),
                          draws[:, None], level)

    def htmt_intervals(self, level: float = 0.95) -> pd.DataFrame:
        """HTMT of every pair of constructs with bootstrap percentile intervals (upper bound < 0.9: distinct)."""
        names = self.constructs
        a, b = np.triu_indices(len(names), k=1)
        keep = np.isfinite(self.estimates["htmt"][a, b])
        a, b = a[keep], b[keep]
        return self._rows("htmt", [names[i] for i in a], [names[i] for i in b], self.estimates["htmt"][a, b],
                          self.htmt[:, a, b], level)


def _chain_positions(chain: Sequence[str], names: list[str], pred: np.ndarray, caller: str) -> list[int]:
    if isinstance(chain, str) or len(chain) < 3:
        raise ValueError(f"{caller}(): 'chain' must list at least 3 constructs (cause, mediator(s), outcome); "
                         f"got {chain!r}.")
    unknown = [c for c in chain if c not in names]
    if unknown:
        raise ValueError(f"{caller}(): 'chain' names unknown construct(s) {unknown}; the model has {names}.")
    idx = [names.index(c) for c in chain]
    for a, b in zip(idx[:-1], idx[1:], strict=True):
        if not pred[a, b]:
            raise ValueError(f"{caller}(): the model has no path {names[a]} -> {names[b]}; 'chain' must follow paths.")
    return idx


def bootstrap_pls(model: Any, X: pd.DataFrame, *, n_boot: int = 200, random_state: RandomState = None) -> PLSBootstrap:
    """Bootstrap a fitted :class:`~crmlab.satisfaction.PLSPathModel`.

    Parameters
    ----------
    model : PLSPathModel
        A fitted model.
    X : pandas.DataFrame
        The data the model was fitted to (the same missing-data handling is applied).
    n_boot : int, default=200
        Number of resamples.
    random_state : None, int or numpy.random.Generator, default=None
        An int repeats exactly; a Generator advances.

    Returns
    -------
    PLSBootstrap

    Raises
    ------
    ValueError
        Bad ``n_boot``, data failing the checks of ``fit``, or a resample whose constructs are collinear.

    Warns
    -----
    CrmlabWarning
        If some resamples did not converge (their last iterate is used).

    Notes
    -----
    The resamples are drawn in one call (``rng.integers(0, n, (n_boot, n))``), so a seed gives the
    same draws whatever the chunking. A construct whose loadings (weighted by the full-sample
    loadings) point the other way than in the full sample is flipped back before its paths are
    recorded (construct-level sign correction). Mean replacement is done once, before resampling.

    Examples
    --------
    >>> from crmlab.datasets import load_mobi
    >>> from crmlab.satisfaction import ECSI_BLOCKS, ECSI_PATHS, PLSPathModel
    >>> X = load_mobi()
    >>> model = PLSPathModel(ECSI_BLOCKS, ECSI_PATHS).fit(X)
    >>> boot = bootstrap_pls(model, X, n_boot=100, random_state=0)
    >>> table = boot.table()
    >>> table.loc[table["kind"] == "path", ["source", "target", "estimate", "std_error"]].head(3).round(2)
      source        target  estimate  std_error
    0  Image   Expectation      0.50       0.05
    1  Image  Satisfaction      0.18       0.06
    2  Image       Loyalty      0.20       0.08
    """
    caller = "PLSPathModel.bootstrap"
    check_is_fitted(model, "paths_")
    n_boot = check_int(n_boot, "n_boot", caller=caller, minimum=2)
    rng = as_generator(random_state, caller=caller)
    survey = check_survey(
        check_frame(X, caller=caller, name="X"), model._observed, scale=model.scale, caller=caller,
        missing=model.missing, missing_values=check_missing_values(model.missing_values, caller),
    )
    raw = survey.raw
    if raw.shape[0] != model.n_samples_:
        raise ValueError(f"{caller}(): 'X' has {raw.shape[0]} usable respondents but the model was fitted to "
                         f"{model.n_samples_}; pass the fitting data.")
    engine, spec = model._engine_, model._spec
    n = raw.shape[0]
    idx = rng.integers(0, n, size=(n_boot, n))
    ref = model.cross_loadings_.to_numpy() * spec.block
    out = {key: [] for key in ("paths", "loadings", "weights", "htmt")}
    not_converged = 0
    chunk = max(1, min(_CHUNK, _CELLS // (n * spec.block.shape[0])))
    for start in range(0, n_boot, chunk):  # loop over chunks of resamples, each chunk one stacked fit
        z, _, _ = standardize(raw[idx[start : start + chunk]])
        try:
            fit = engine.run(z, init=model._w, init1=model._w1)
            load = fit.s @ fit.weights
            flip = np.sign((load * ref).sum(axis=1))
            flip = np.where(flip == 0, 1.0, flip)[:, None, :]
            weights = fit.weights * flip
            est = engine.estimate(fit, weights)
        except CollinearError as exc:
            spec.raise_collinear(exc.j, caller, formative=exc.formative)
        not_converged += int((~fit.converged).sum())
        out["paths"].append(est["paths"])
        out["loadings"].append(est["loadings"] * spec.block)
        out["weights"].append(weights)
        out["htmt"].append(htmt_matrix(fit.s, spec.block))
    if not_converged:
        warnings.warn(
            f"{caller}(): {not_converged} of {n_boot} resamples did not converge in max_iter={model.max_iter} "
            "steps; their last iterate was used. Raise max_iter.",
            CrmlabWarning,
            stacklevel=3,
        )
    est = {
        "paths": model.path_coefficients_.to_numpy(),
        "loadings": np.zeros(spec.block.shape),
        "weights": model._w,
        "htmt": htmt_matrix(np.corrcoef(model._z, rowvar=False)[None], spec.block)[0],
    }
    k, j = np.nonzero(spec.block)
    est["loadings"][k, j] = model.outer_loadings_.to_numpy()
    return PLSBootstrap(
        constructs=list(spec.constructs), items=list(spec.items),
        **{key: np.concatenate(val) for key, val in out.items()},
        estimates=est, block=spec.block, pred=spec.pred, modes=spec.modes,
    )
