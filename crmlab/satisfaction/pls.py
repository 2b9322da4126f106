"""PLS path modelling (PLS-PM) for satisfaction-index models such as ECSI and ACSI.

Chapter 4. A scikit-learn style estimator: ``PLSPathModel(blocks, paths).fit(survey)``.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from crmlab._rng import RandomState, as_generator
from crmlab._validation import CrmlabWarning, check_frame, check_in_choices, check_int, check_number
from crmlab.satisfaction._plsalgo import CollinearError, PLSSolution, estimates, lohmoller, rho_a, standardize
from crmlab.satisfaction._plscheck import check_survey, parse_model

__all__ = ["PLSPathModel"]


class PLSPathModel(BaseEstimator):
    r"""Partial least squares path model (Mode A outer model, Lohmöller's algorithm).

    Chapter 4: estimates a satisfaction-index model (ECSI/ACSI) from survey items.

    Parameters
    ----------
    blocks : mapping of str to sequence of str
        Construct name -> its indicator (item) columns, e.g.
        ``{"Satisfaction": ["CUSA1", "CUSA2", "CUSA3"], ...}``. All blocks are reflective (Mode A).
    paths : sequence of (str, str)
        Inner (structural) model as ``(cause, effect)`` pairs. Must be recursive (no cycles)
        and connect every construct.
    scheme : {"path", "centroid", "factorial"}, default="path"
        Inner weighting scheme. ``"path"`` is the path weighting scheme of ACSI/ECSI practice.
    consistent : bool, default=False
        Apply Dijkstra and Henseler's consistency correction (PLSc): construct correlations are
        divided by :math:`\sqrt{\rho_{A,i}\rho_{A,j}}` before the path regressions, which removes
        the attenuation of paths by measurement error when the items are reflective (common-factor)
        indicators. Single-item constructs cannot be corrected (their :math:`\rho_A` is 1).
    scale : (float, float) or None, default=(1, 10)
        Lowest and highest possible item score. Items outside it are an error; it also anchors
        the 0–100 index. ``None`` skips the range check and disables the index.
    min_indicators : int, default=1
        Smallest number of items a block may have.
    max_iter : int, default=300
        Maximum number of outer iterations.
    tol : float, default=1e-7
        Convergence tolerance on the largest change of a standardized outer weight.

    Attributes
    ----------
    path_coefficients_ : pandas.DataFrame
        Square table, rows = cause, columns = effect; zero where no path.
    paths_ : pandas.DataFrame
        One row per path: ``source``, ``target``, ``coefficient``.
    total_effects_ : pandas.DataFrame
        Direct + indirect effects, :math:`(I - B)^{-1} - I`.
    r2_ : pandas.Series
        R² of each endogenous construct.
    outer_loadings_, outer_weights_ : pandas.Series
        Indexed by ``(construct, item)``; weights are for standardized items.
    cross_loadings_ : pandas.DataFrame
        Correlation of every item with every construct score.
    reliability_ : pandas.DataFrame
        Per construct: ``n_items``, ``cronbach_alpha`` (raw items), ``rho_c``, ``ave``
        (NaN for single-item constructs, where these are undefined) and ``rho_a``.
    scores_ : pandas.DataFrame
        Standardized latent scores of the fitted respondents.
    index_ : pandas.Series
        0–100 index of each construct (only when ``scale`` is given).
    n_iter_ : int
    constructs_ : list of str
        Constructs in the order of ``blocks``.

    See Also
    --------
    crmlab.satisfaction.ecsi_model, crmlab.plotting.plot_path_diagram

    Notes
    -----
    Standardized items :math:`x_{jk}` of block :math:`j` give the score
    :math:`Y_j = \sum_k w_{jk} x_{jk}` (unit variance). Each iteration forms the inner proxy
    :math:`Z_j = \sum_i e_{ij} Y_i`, where under the path scheme :math:`e_{ij}` is the
    multiple-regression coefficient of :math:`Y_i` in the regression of :math:`Y_j` on its
    predecessors and :math:`\operatorname{cor}(Y_i, Y_j)` for its successors (centroid: the sign of
    that correlation; factorial: the correlation), then updates (Mode A)
    :math:`w_{jk} \propto \operatorname{cov}(x_{jk}, Z_j)`. At convergence each endogenous score is
    regressed by OLS on its predecessors. The index rescales the unstandardized weights
    :math:`\tilde w_{jk} = (w_{jk}/s_{jk}) / \sum_k (w_{jk}/s_{jk})` and reports

    .. math:: I_j = 100\,\frac{\sum_k \tilde w_{jk}\bar x_{jk} - \min}{\max - \min}.

    References
    ----------
    Lohmöller, J.-B. (1989). *Latent Variable Path Modeling with Partial Least Squares*. Physica.
    Tenenhaus, M., Esposito Vinzi, V., Chatelin, Y.-M., & Lauro, C. (2005). PLS path modeling.
    *Computational Statistics & Data Analysis*, 48(1), 159–205.
    Fornell, C., et al. (1996). The American Customer Satisfaction Index. *Journal of Marketing*, 60(4), 7–18.

    Examples
    --------
    >>> from crmlab.datasets import load_mobi
    >>> from crmlab.satisfaction import ECSI_BLOCKS, ECSI_PATHS
    >>> model = PLSPathModel(ECSI_BLOCKS, ECSI_PATHS).fit(load_mobi())
    >>> round(float(model.path_coefficients_.loc["Image", "Expectation"]), 3)
    0.505
    >>> round(float(model.r2_["Satisfaction"]), 3)
    0.681
    """

    def __init__(
        self,
        blocks: Mapping[str, Sequence[str]],
        paths: Sequence[tuple[str, str]],
        *,
        scheme: str = "path",
        consistent: bool = False,
        scale: tuple[float, float] | None = (1, 10),
        min_indicators: int = 1,
        max_iter: int = 300,
        tol: float = 1e-7,
    ) -> None:
        self.blocks = blocks
        self.paths = paths
        self.scheme = scheme
        self.consistent = consistent
        self.scale = scale
        self.min_indicators = min_indicators
        self.max_iter = max_iter
        self.tol = tol

    # -- fitting ---------------------------------------------------------------------------------
    def _check_params(self, caller: str) -> None:
        check_in_choices(self.scheme, "scheme", ["path", "centroid", "factorial"], caller=caller)
        check_int(self.min_indicators, "min_indicators", caller=caller, minimum=1)
        check_int(self.max_iter, "max_iter", caller=caller, minimum=1)
        check_number(self.tol, "tol", caller=caller, minimum=0.0, strict_min=True)
        if not isinstance(self.consistent, bool):
            raise TypeError(f"{caller}(): 'consistent' must be True or False; got {self.consistent!r}.")

    def fit(self, X: pd.DataFrame, y: None = None) -> PLSPathModel:
        """Estimate the model from a survey (one row per respondent, one column per item).

        Parameters
        ----------
        X : pandas.DataFrame
            Must hold every item named in ``blocks``; other columns are ignored.
        y : None
            Ignored; present for scikit-learn compatibility.

        Returns
        -------
        PLSPathModel
            The fitted model.

        Raises
        ------
        ValueError
            Unknown/duplicate/cyclic model parts, a missing item column, missing values, an item
            outside ``scale``, a constant item, too few indicators, or collinear constructs.
            The message names the construct and item.
        TypeError
            If ``X`` is not a DataFrame or an item is not numeric.
        """
        caller = "PLSPathModel.fit"
        self._check_params(caller)
        spec = parse_model(self.blocks, self.paths, min_indicators=self.min_indicators, caller=caller)
        raw = check_survey(X, spec, scale=self.scale, caller=caller)
        z, mean, sd = standardize(raw)
        try:
            sol = lohmoller(z, spec.block, spec.pred, self.scheme, self.max_iter, self.tol)
            est = estimates(z, sol, spec.block, spec.pred, self.consistent)
        except CollinearError as exc:
            spec.raise_collinear(exc.j, caller)
        if not sol.converged:
            raise ValueError(
                f"{caller}(): the PLS iterations did not converge in max_iter={self.max_iter} steps; "
                "raise max_iter or check the model specification."
            )
        names, items = spec.constructs, spec.items
        n = z.shape[0]
        b, r2 = est["paths"], est["r2"]
        self.constructs_ = list(names)
        self.n_iter_ = sol.n_iter
        self.n_samples_ = n
        self._spec, self._mean, self._sd, self._w = spec, mean, sd, sol.weights
        self.path_coefficients_ = pd.DataFrame(b, index=names, columns=names)
        src, tgt = np.nonzero(spec.pred)
        self.paths_ = pd.DataFrame(
            {"source": [names[i] for i in src], "target": [names[j] for j in tgt], "coefficient": b[src, tgt]}
        )
        eye = np.eye(len(names))
        self.total_effects_ = pd.DataFrame(np.linalg.inv(eye - b) - eye, index=names, columns=names)
        self.r2_ = pd.Series(r2, index=names, name="r2").dropna()
        self.cross_loadings_ = pd.DataFrame((z.T @ sol.scores) / (n - 1), index=items, columns=names)
        self.outer_loadings_ = spec.block_series(est["loadings"], "loading")
        self.outer_weights_ = spec.block_series(sol.weights, "weight")
        self.scores_ = pd.DataFrame(sol.scores, index=X.index, columns=names)
        rho = est["rho_a"] if self.consistent else rho_a(z, sol.weights, spec.block)
        self.reliability_ = spec.reliability_table(raw, self.outer_loadings_).assign(rho_a=rho)
        if self.scale is not None:
            self.index_ = self._index_of(raw).mean().rename("index")
        return self

    # -- using a fitted model ---------------------------------------------------------------------
    def _raw(self, X: pd.DataFrame, caller: str) -> np.ndarray:
        check_is_fitted(self, "paths_")
        return check_survey(X, self._spec, scale=self.scale, caller=caller, check_variance=False)

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        """Latent scores of new respondents with the fitted means, deviations and weights.

        Parameters
        ----------
        X : pandas.DataFrame
            Same item columns as the fitting data.

        Returns
        -------
        pandas.DataFrame
            One column per construct, on the standardized scale of the fitting sample.
        """
        raw = self._raw(X, "PLSPathModel.transform")
        return pd.DataFrame(((raw - self._mean) / self._sd) @ self._w, index=X.index, columns=self.constructs_)

    def _index_of(self, raw: np.ndarray) -> pd.DataFrame:
        lo, hi = self.scale
        w = self._w / self._sd[:, None]
        w = w / w.sum(axis=0)
        return pd.DataFrame(100 * (raw @ w - lo) / (hi - lo), columns=self.constructs_)

    def index_scores(self, X: pd.DataFrame) -> pd.DataFrame:
        """0–100 index score of every respondent for every construct (ACSI/ECSI practice).

        Parameters
        ----------
        X : pandas.DataFrame
            Item columns as in the fitting data.

        Returns
        -------
        pandas.DataFrame
            Indexed like ``X``; the column means are :attr:`index_` when ``X`` is the fitting data.

        Raises
        ------
        ValueError
            If the model was fitted with ``scale=None``.
        """
        caller = "PLSPathModel.index_scores"
        if self.scale is None:
            raise ValueError(f"{caller}(): the 0-100 index needs the item scale; refit with scale=(low, high).")
        out = self._index_of(self._raw(X, caller))
        out.index = X.index
        return out

    def bootstrap(
        self, X: pd.DataFrame, *, n_boot: int = 200, level: float = 0.95, random_state: RandomState = None
    ) -> pd.DataFrame:
        """Bootstrap standard errors and percentile confidence intervals of paths and loadings.

        Parameters
        ----------
        X : pandas.DataFrame
            The data the model was fitted to.
        n_boot : int, default=200
            Number of resamples (kept small for teaching; use 1000+ in research).
        level : float, default=0.95
            Confidence level of the percentile intervals.
        random_state : None, int or numpy.random.Generator, default=None
            An int repeats exactly; a Generator advances.

        Returns
        -------
        pandas.DataFrame
            Columns ``kind`` ("path" or "loading"), ``source``, ``target`` (the construct and item for a
            loading), ``estimate``, ``boot_mean``, ``std_error``, ``lower``, ``upper``.

        Raises
        ------
        ValueError
            Bad ``n_boot`` or ``level``, or data failing the checks of :meth:`fit`.

        Warns
        -----
        CrmlabWarning
            If some resamples did not converge.

        Notes
        -----
        Each resample draws respondents with replacement, is re-standardized and refitted starting
        from the full-sample weights; a construct whose loadings flip sign against the full-sample
        solution is flipped back (construct-level sign correction) before paths are recorded.
        """
        caller = "PLSPathModel.bootstrap"
        check_is_fitted(self, "paths_")
        n_boot = check_int(n_boot, "n_boot", caller=caller, minimum=2)
        level = check_number(level, "level", caller=caller, minimum=0.0, maximum=1.0, strict_min=True, strict_max=True)
        rng = as_generator(random_state, caller=caller)
        raw = self._raw(check_frame(X, caller=caller), caller)
        spec, n = self._spec, raw.shape[0]
        src, tgt = np.nonzero(spec.pred)
        item_idx, lv_idx = np.nonzero(spec.block)
        ref_load = self.cross_loadings_.to_numpy()[item_idx, lv_idx]
        est_load = self.outer_loadings_.to_numpy()
        draws = np.empty((n_boot, src.size + item_idx.size))
        not_converged = 0
        idx = rng.integers(0, n, size=(n_boot, n))
        for r in range(n_boot):  # loop over resamples, each one vectorised
            z, _, _ = standardize(raw[idx[r]])
            try:
                sol = lohmoller(z, spec.block, spec.pred, self.scheme, self.max_iter, self.tol, init=self._w)
            except CollinearError as exc:
                spec.raise_collinear(exc.j, caller)
            not_converged += not sol.converged
            load = ((z.T @ sol.scores) / (n - 1))[item_idx, lv_idx]
            flip = np.sign(np.bincount(lv_idx, weights=load * ref_load, minlength=len(spec.constructs)))
            flip = np.where(flip == 0, 1.0, flip)
            sol = PLSSolution(sol.weights * flip, sol.scores * flip, sol.n_iter, sol.converged)
            est = estimates(z, sol, spec.block, spec.pred, self.consistent)
            draws[r] = np.concatenate([est["paths"][src, tgt], est["loadings"][item_idx, lv_idx]])
        if not_converged:
            warnings.warn(
                f"{caller}(): {not_converged} of {n_boot} resamples did not converge in max_iter={self.max_iter} "
                "steps; their last iterate was used. Raise max_iter.",
                CrmlabWarning,
                stacklevel=2,
            )
        alpha = (1 - level) / 2
        names, items = spec.constructs, spec.items
        return pd.DataFrame(
            {
                "kind": ["path"] * src.size + ["loading"] * item_idx.size,
                "source": [names[i] for i in src] + [names[j] for j in lv_idx],
                "target": [names[j] for j in tgt] + [items[k] for k in item_idx],
                "estimate": np.concatenate([self.path_coefficients_.to_numpy()[src, tgt], est_load]),
                "boot_mean": draws.mean(axis=0),
                "std_error": draws.std(axis=0, ddof=1),
                "lower": np.quantile(draws, alpha, axis=0),
                "upper": np.quantile(draws, 1 - alpha, axis=0),
            }
        )
