"""PLS path modelling (PLS-PM) for satisfaction-index models such as ECSI and ACSI.

Chapter 4. A scikit-learn style estimator: ``PLSPathModel(blocks, paths).fit(survey)``, with
reflective (Mode A), formative (Mode B) and single-item constructs, explicit missing-data options,
interaction terms, and the validity, effect and prediction reports of :mod:`~crmlab.satisfaction.validity`,
:mod:`~crmlab.satisfaction.effects`, :mod:`~crmlab.satisfaction.plspredict` and :mod:`~crmlab.satisfaction.ipma`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from crmlab._rng import RandomState
from crmlab._validation import check_in_choices, check_int, check_number
from crmlab.satisfaction._plsalgo import CollinearError, standardize, total_effects
from crmlab.satisfaction._plscheck import MISSING_OPTIONS, check_missing_values, check_survey, parse_model
from crmlab.satisfaction._plsfit import Engine, Interaction
from crmlab.satisfaction.moderation import INTERACTION_METHODS, interaction_items, interaction_name, product_columns

__all__ = ["PLSPathModel"]


class PLSPathModel(BaseEstimator):
    r"""Partial least squares path model (Lohmöller's algorithm; Mode A, Mode B and single items).

    Chapter 4: estimates a satisfaction-index model (ECSI/ACSI) from survey items; chapter 5 adds
    the switching-cost moderation of satisfaction -> loyalty.

    Parameters
    ----------
    blocks : mapping of str to sequence of str
        Construct name -> its indicator (item) columns, e.g.
        ``{"Satisfaction": ["CUSA1", "CUSA2", "CUSA3"], ...}``.
    paths : sequence of (str, str)
        Inner (structural) model as ``(cause, effect)`` pairs. Must be recursive (no cycles)
        and connect every construct. An interaction construct ``"X*M"`` (see ``interactions``)
        may be a cause.
    modes : mapping of str to {"A", "B"}, optional
        Measurement mode per construct; constructs left out are reflective (``"A"``: weights are
        covariances of the items with the inner proxy). ``"B"`` is formative: the weights are the
        multiple-regression weights of the inner proxy on the block's items. A single-item block is
        the same in both modes (weight 1) and is reported as ``"single"``.
    scheme : {"path", "centroid", "factorial"}, default="path"
        Inner weighting scheme. ``"path"`` is the path weighting scheme of ACSI/ECSI practice.
    consistent : bool, default=False
        Apply Dijkstra and Henseler's consistency correction (PLSc) to the reflective blocks of two
        or more items: their construct correlations are divided by :math:`\sqrt{\rho_{A,i}\rho_{A,j}}`
        before the path regressions, which removes the attenuation of paths by measurement error.
        Formative, single-item and interaction constructs are left as they are.
    scale : (float, float) or None, default=(1, 10)
        Lowest and highest possible item score. Items outside it are an error; it also anchors
        the 0–100 index. ``None`` skips the range check (but warns about answers far outside the
        observed pattern, such as -99 on a rating scale) and disables the index.
    missing_values : number or sequence of numbers, optional
        Sentinel codes meaning "no answer" (e.g. ``-99``). They are set missing before any check
        and never enter the estimation.
    missing : {"raise", "mean", "casewise"}, default="raise"
        What to do with missing answers: refuse with an error naming the item and rows; replace each
        by its item mean (of the fitting sample); or drop the respondents with any missing item.
        What happened is reported in :attr:`missing_report_`.
    interactions : sequence of (str, str), default=()
        ``(iv, moderator)`` pairs; each adds an interaction construct named ``"iv*moderator"``
        which ``paths`` must point at the moderated outcome (seminr's convention).
    interaction_method : {"two_stage", "product_indicator", "orthogonal"}, default="two_stage"
        How the interaction construct is measured; see :mod:`crmlab.satisfaction.moderation`.
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
        Per construct: ``mode``, ``n_items``, ``cronbach_alpha`` (raw items), ``rho_c``, ``ave``
        (NaN for single-item and formative constructs, where these are undefined) and ``rho_a``
        (1 for a single item, NaN for a formative block).
    vif_ : pandas.Series
        Variance inflation factor of each item of a formative block (collinearity of its items).
    modes_ : pandas.Series
        ``"A"``, ``"B"`` or ``"single"`` per construct.
    missing_report_ : pandas.DataFrame
        Per item: construct, ``n_coded`` (sentinel codes), ``n_missing`` (after recoding),
        ``n_replaced`` (by the mean) and ``n_rows_dropped`` (case-wise deletion).
    interactions_ : pandas.DataFrame
        One row per interaction: ``iv``, ``moderator``, ``target``, ``coefficient`` (path of the
        standardized product, the seminr/SmartPLS number) and ``product_coefficient`` (the same
        effect per unit of the product of the standardized scores, for simple slopes).
    scores_ : pandas.DataFrame
        Standardized latent scores of the fitted respondents.
    index_ : pandas.Series
        0–100 index of each construct (only when ``scale`` is given).
    n_iter_ : int
    n_samples_ : int
        Respondents used (after case-wise deletion).
    constructs_ : list of str
        Constructs in the order of ``blocks`` (interaction constructs last).

    See Also
    --------
    crmlab.satisfaction.ecsi_model, crmlab.plotting.plot_path_diagram
    crmlab.satisfaction.bootstrap.bootstrap_pls : bootstrap of paths, weights, effects and HTMT.
    crmlab.satisfaction.validity : HTMT, Fornell–Larcker, SRMR, f².
    crmlab.satisfaction.effects.indirect_effects : mediation.
    crmlab.satisfaction.plspredict.pls_predict, crmlab.satisfaction.ipma.ipma
    crmlab.synth.pls_surveys.make_pls_survey : surveys with known formative weights and interaction.

    Notes
    -----
    Standardized items :math:`x_{jk}` of block :math:`j` give the score
    :math:`Y_j = \sum_k w_{jk} x_{jk}` (unit variance). Each iteration forms the inner proxy
    :math:`Z_j = \sum_i e_{ij} Y_i`, where under the path scheme :math:`e_{ij}` is the
    multiple-regression coefficient of :math:`Y_i` in the regression of :math:`Y_j` on its
    predecessors and :math:`\operatorname{cor}(Y_i, Y_j)` for its successors (centroid: the sign of
    that correlation; factorial: the correlation), then updates the outer weights

    .. math:: \text{Mode A: } w_j \propto \operatorname{cov}(x_j, Z_j), \qquad
              \text{Mode B: } w_j \propto \operatorname{cov}(x_j)^{-1}\operatorname{cov}(x_j, Z_j).

    At convergence each endogenous score is regressed by OLS on its predecessors. Because all these
    quantities are products of the item correlation matrix and the weights, the algorithm runs on
    that matrix (which also lets the bootstrap iterate all resamples at once). The index rescales
    the unstandardized weights :math:`\tilde w_{jk} = (w_{jk}/s_{jk}) / \sum_k (w_{jk}/s_{jk})` and
    reports

    .. math:: I_j = 100\,\frac{\sum_k \tilde w_{jk}\bar x_{jk} - \min}{\max - \min}.

    Mean replacement keeps every respondent but shrinks the variance of items with many missing
    answers; case-wise deletion is unbiased only when answers are missing completely at random.

    References
    ----------
    Lohmöller, J.-B. (1989). *Latent Variable Path Modeling with Partial Least Squares*. Physica.
    Tenenhaus, M., Esposito Vinzi, V., Chatelin, Y.-M., & Lauro, C. (2005). PLS path modeling.
    *Computational Statistics & Data Analysis*, 48(1), 159–205.
    Fornell, C., et al. (1996). The American Customer Satisfaction Index. *Journal of Marketing*, 60(4), 7–18.
    Hair, J. F., Hult, G. T. M., Ringle, C. M., & Sarstedt, M. (2022). *A Primer on Partial Least
    Squares Structural Equation Modeling (PLS-SEM)*, 3rd ed. Sage.

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
        modes: Mapping[str, str] | None = None,
        scheme: str = "path",
        consistent: bool = False,
        scale: tuple[float, float] | None = (1, 10),
        missing_values: float | Sequence[float] | None = None,
        missing: str = "raise",
        interactions: Sequence[tuple[str, str]] = (),
        interaction_method: str = "two_stage",
        min_indicators: int = 1,
        max_iter: int = 300,
        tol: float = 1e-7,
    ) -> None:
        self.blocks = blocks
        self.paths = paths
        self.modes = modes
        self.scheme = scheme
        self.consistent = consistent
        self.scale = scale
        self.missing_values = missing_values
        self.missing = missing
        self.interactions = interactions
        self.interaction_method = interaction_method
        self.min_indicators = min_indicators
        self.max_iter = max_iter
        self.tol = tol

    # -- model set-up ----------------------------------------------------------------------------
    def _check_params(self, caller: str) -> None:
        check_in_choices(self.scheme, "scheme", ["path", "centroid", "factorial"], caller=caller)
        check_in_choices(self.missing, "missing", list(MISSING_OPTIONS), caller=caller)
        check_in_choices(self.interaction_method, "interaction_method", list(INTERACTION_METHODS), caller=caller)
        check_int(self.min_indicators, "min_indicators", caller=caller, minimum=1)
        check_int(self.max_iter, "max_iter", caller=caller, minimum=1)
        check_number(self.tol, "tol", caller=caller, minimum=0.0, strict_min=True)
        if not isinstance(self.consistent, bool):
            raise TypeError(f"{caller}(): 'consistent' must be True or False; got {self.consistent!r}.")
        check_missing_values(self.missing_values, caller)

    def _build(self, caller: str) -> tuple:
        """Parse the observed model and the full model (with interaction constructs); return the engine."""
        pairs = list(self.interactions)
        for pair in pairs:
            if isinstance(pair, str) or not (isinstance(pair, Sequence) and len(pair) == 2):
                raise TypeError(f"{caller}(): each interaction must be an (iv, moderator) pair; got {pair!r}.")
            for end in pair:
                if end not in self.blocks:
                    raise ValueError(f"{caller}(): interaction {tuple(pair)!r} names construct '{end}', "
                                     "which has no block in 'blocks'.")
        names = {interaction_name(iv, mod) for iv, mod in pairs}
        if len(names) < len(pairs):
            raise ValueError(f"{caller}(): 'interactions' lists the same pair twice: {pairs!r}.")
        base_paths = [e for e in self.paths if not (isinstance(e, Sequence) and len(e) == 2 and e[0] in names)]
        observed = parse_model(
            self.blocks, base_paths, min_indicators=self.min_indicators, caller=caller, modes=self.modes
        )
        if not pairs:
            return observed, observed, ()
        full_blocks = {k: list(v) for k, v in self.blocks.items()}
        for iv, mod in pairs:
            full_blocks[interaction_name(iv, mod)] = interaction_items(iv, mod, self.blocks, self.interaction_method)
        spec = parse_model(full_blocks, self.paths, min_indicators=1, caller=caller, modes=self.modes)
        pos = {c: i for i, c in enumerate(spec.constructs)}
        item_pos = {c: i for i, c in enumerate(observed.items)}
        inter = tuple(
            Interaction(
                pos[iv], pos[mod], pos[interaction_name(iv, mod)],
                np.array([item_pos[i] for i in self.blocks[iv]]), np.array([item_pos[i] for i in self.blocks[mod]]),
            )
            for iv, mod in pairs
        )
        return observed, spec, inter

    def _engine(self, observed, spec, inter) -> Engine:
        modes = spec.modes
        is_inter = np.zeros(len(spec.constructs), dtype=bool)
        is_inter[[it.construct for it in inter]] = True
        correct = np.array([m == "A" for m in modes]) & ~is_inter & self.consistent
        stage1 = observed if (inter and self.interaction_method == "two_stage") else None
        return Engine(spec, stage1, inter, self.interaction_method, self.scheme, correct, self.max_iter, self.tol)

    # -- fitting ---------------------------------------------------------------------------------
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
            Unknown/duplicate/cyclic model parts, a missing item column, missing values (with
            ``missing="raise"``), an item outside ``scale``, a constant item, too few indicators,
            or collinear constructs. The message names the construct and item.
        TypeError
            If ``X`` is not a DataFrame or an item is not numeric.

        Warns
        -----
        CrmlabWarning
            With ``scale=None``, answers far outside the pattern of their item (likely missing-value codes).
        """
        caller = "PLSPathModel.fit"
        self._check_params(caller)
        observed, spec, inter = self._build(caller)
        survey = check_survey(
            X, observed, scale=self.scale, caller=caller, missing=self.missing,
            missing_values=check_missing_values(self.missing_values, caller),
        )
        raw = survey.raw
        z, mean, sd = standardize(raw)
        engine = self._engine(observed, spec, inter)
        try:
            fit = engine.run(z[None])
            est = engine.estimate(fit, fit.weights)
        except CollinearError as exc:
            spec.raise_collinear(exc.j, caller, formative=exc.formative)
        if not fit.converged.all():
            raise ValueError(
                f"{caller}(): the PLS iterations did not converge in max_iter={self.max_iter} steps; "
                "raise max_iter or check the model specification."
            )
        self._store(spec, observed, engine, fit, est, raw, mean, sd, survey)
        return self

    def _store(self, spec, observed, engine, fit, est, raw, mean, sd, survey) -> None:
        names, items = spec.constructs, spec.items
        w, zf = fit.weights[0], fit.z[0]
        n = zf.shape[0]
        scores = zf @ w
        b = est["paths"][0]
        self.constructs_ = list(names)
        self.n_iter_ = fit.n_iter
        self.n_samples_ = n
        self._spec, self._observed, self._engine_ = spec, observed, engine
        self._mean, self._sd, self._w = mean, sd, w
        self._w1 = None if fit.stage1 is None else fit.stage1[0]
        self._z = zf
        self._raw = raw
        self._rows = survey.rows
        self._corr = est["corr"][0]
        self._extra_mean, self._extra_sd = self._extra_moments(fit, raw, mean, sd)
        self.modes_ = pd.Series(spec.modes, index=names, name="mode")
        self.missing_report_ = survey.report
        self.path_coefficients_ = pd.DataFrame(b, index=names, columns=names)
        src, tgt = np.nonzero(spec.pred)
        self.paths_ = pd.DataFrame(
            {"source": [names[i] for i in src], "target": [names[j] for j in tgt], "coefficient": b[src, tgt]}
        )
        self.total_effects_ = pd.DataFrame(total_effects(b[None])[0], index=names, columns=names)
        self.r2_ = pd.Series(est["r2"][0], index=names, name="r2").dropna()
        self.cross_loadings_ = pd.DataFrame(fit.s[0] @ w, index=items, columns=names)
        self.outer_loadings_ = spec.block_series(est["loadings"][0], "loading")
        self.outer_weights_ = spec.block_series(w, "weight")
        self.scores_ = pd.DataFrame(scores, index=survey.rows, columns=names)
        self.vif_ = self._vif(fit.s[0])
        raw_full = pd.DataFrame(np.column_stack([raw, zf[:, raw.shape[1]:]]), columns=list(items))
        self.reliability_ = spec.reliability_table(raw_full.to_numpy(), self.outer_loadings_).assign(
            rho_a=np.where(spec.mode_b, np.nan, est["rho_a"][0])
        )
        self.reliability_.insert(0, "mode", list(spec.modes))
        self.interactions_ = self._interaction_table(fit, b)
        if self.scale is not None:
            self.index_ = self._index_of(raw).mean().rename("index")

    def _extra_moments(self, fit, raw, mean, sd) -> tuple:
        """Mean and sd of the generated interaction columns in the fitting sample (for new data)."""
        if not self._engine_.interactions:
            return None, None
        z = ((raw - mean) / sd)[None]
        extra = self._extra_columns(z)
        return extra.mean(axis=-2)[0], extra.std(axis=-2, ddof=1)[0]

    def _extra_columns(self, z: np.ndarray) -> np.ndarray:
        """Unstandardized interaction columns of standardized observed items, with the fitted stage-1 weights."""
        engine = self._engine_
        scores = None if self._w1 is None else z @ self._w1
        cols = []
        for it in engine.interactions:  # loop over interaction terms
            pair = None if scores is None else (scores[..., it.iv], scores[..., it.moderator])
            cols.append(product_columns(z, it.iv_items, it.mod_items, engine.method, pair))
        return np.concatenate(cols, axis=-1)

    def _vif(self, s: np.ndarray) -> pd.Series:
        """VIF of each item of a formative block: diagonal of the inverse of the block's item correlations."""
        spec = self._spec
        out = {}
        for j in np.flatnonzero(spec.mode_b):  # loop over formative constructs
            idx = np.flatnonzero(spec.block[:, j])
            vif = np.diag(np.linalg.inv(s[np.ix_(idx, idx)]))
            out.update({(spec.constructs[j], spec.items[k]): v for k, v in zip(idx, vif, strict=True)})
        index = pd.MultiIndex.from_tuples(list(out), names=["construct", "item"])
        return pd.Series(list(out.values()), index=index, name="vif", dtype=float)

    def _interaction_table(self, fit, b: np.ndarray) -> pd.DataFrame:
        rows = []
        spec = self._spec
        for k, it in enumerate(self._engine_.interactions):  # loop over interaction terms
            if self._engine_.method == "two_stage":
                product_sd = fit.product_sd[0, k]
            else:
                sc = self._z @ self._w
                product_sd = (sc[:, it.iv] * sc[:, it.moderator]).std(ddof=1)
            for tgt in np.flatnonzero(spec.pred[it.construct]):
                rows.append((spec.constructs[it.iv], spec.constructs[it.moderator], spec.constructs[tgt],
                             b[it.construct, tgt], b[it.construct, tgt] / product_sd))
        return pd.DataFrame(rows, columns=["iv", "moderator", "target", "coefficient", "product_coefficient"])

    # -- using a fitted model ---------------------------------------------------------------------
    def _standardized_full(self, X: pd.DataFrame, caller: str) -> tuple[np.ndarray, np.ndarray, pd.Index]:
        """Raw observed items of new data and their standardized items incl. interaction columns."""
        check_is_fitted(self, "paths_")
        missing = "mean" if self.missing == "mean" else "raise"
        survey = check_survey(
            X, self._observed, scale=self.scale, caller=caller, check_variance=False, missing=missing,
            missing_values=check_missing_values(self.missing_values, caller), fill=self._mean,
        )
        z = (survey.raw - self._mean) / self._sd
        if self._engine_.interactions:
            if self._engine_.method == "orthogonal":
                raise ValueError(
                    f"{caller}(): scores of new respondents are not defined for interaction_method='orthogonal' "
                    "(its residual products depend on the sample); use 'two_stage' or 'product_indicator'."
                )
            extra = (self._extra_columns(z[None])[0] - self._extra_mean) / self._extra_sd
            z = np.column_stack([z, extra])
        return survey.raw, z, survey.rows

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        """Latent scores of new respondents with the fitted means, deviations and weights.

        Parameters
        ----------
        X : pandas.DataFrame
            Same item columns as the fitting data (missing answers as allowed by ``missing``:
            with ``"mean"`` they take the fitting sample's item mean; otherwise they are an error).

        Returns
        -------
        pandas.DataFrame
            One column per construct, on the standardized scale of the fitting sample.
        """
        _, z, rows = self._standardized_full(X, "PLSPathModel.transform")
        return pd.DataFrame(z @ self._w, index=rows, columns=self.constructs_)

    def _index_of(self, raw: np.ndarray) -> pd.DataFrame:
        lo, hi = self.scale
        p0 = raw.shape[1]
        w = self._w[:p0] / self._sd[:, None]
        observed = self._spec.block[:p0].any(axis=0)
        w = w[:, observed] / w[:, observed].sum(axis=0)
        names = [c for c, o in zip(self.constructs_, observed, strict=True) if o]
        return pd.DataFrame(100 * (raw @ w - lo) / (hi - lo), columns=names)

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
            Interaction constructs have no index.

        Raises
        ------
        ValueError
            If the model was fitted with ``scale=None``.
        """
        caller = "PLSPathModel.index_scores"
        if self.scale is None:
            raise ValueError(f"{caller}(): the 0-100 index needs the item scale; refit with scale=(low, high).")
        raw, _, rows = self._standardized_full(X, caller)
        out = self._index_of(raw)
        out.index = rows
        return out

    # -- reports (each in its own module) ---------------------------------------------------------
    def bootstrap(
        self, X: pd.DataFrame, *, n_boot: int = 200, level: float = 0.95, random_state: RandomState = None
    ) -> pd.DataFrame:
        """Bootstrap standard errors and percentile intervals of paths, loadings and formative weights.

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
            Columns ``kind`` ("path", "loading", and "weight" for formative blocks), ``source``,
            ``target`` (the construct and item for a loading or weight), ``estimate``, ``boot_mean``,
            ``std_error``, ``lower``, ``upper``.

        See Also
        --------
        bootstrap_results : all resampled quantities (effects, HTMT) with their intervals.
        """
        return self.bootstrap_results(X, n_boot=n_boot, random_state=random_state).table(level=level)

    def bootstrap_results(self, X: pd.DataFrame, *, n_boot: int = 200, random_state: RandomState = None):
        """Resample respondents and re-estimate; see :func:`crmlab.satisfaction.bootstrap.bootstrap_pls`.

        Returns
        -------
        crmlab.satisfaction.bootstrap.PLSBootstrap
        """
        from crmlab.satisfaction.bootstrap import bootstrap_pls

        return bootstrap_pls(self, X, n_boot=n_boot, random_state=random_state)

    def summary(self, boot=None) -> str:
        """Return a seminr-style text report; see :func:`crmlab.satisfaction.report.pls_summary`."""
        from crmlab.satisfaction.report import pls_summary

        return pls_summary(self, boot)
