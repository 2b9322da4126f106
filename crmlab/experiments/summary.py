"""Reading a grid: mean +- sd over seeds, k-selection rules, the best method per condition."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from crmlab._validation import check_columns, check_frame, check_in_choices, check_int
from crmlab.experiments._cell import METRIC_COLUMNS

__all__ = ["K_RULES", "best_per_condition", "data_columns", "format_mean_sd", "select_k", "summarize_grid"]

_NOT_DESIGN = {"cell_id", "replicate", "seed", "fit_seed", *METRIC_COLUMNS}
_METHOD = ("algorithm", "feature_set", "k")

#: k-selection rules: metric used and whether the best value is the largest ("max") or smallest ("min").
K_RULES = {
    "silhouette": ("silhouette", "max"),
    "calinski_harabasz": ("calinski_harabasz", "max"),
    "davies_bouldin": ("davies_bouldin", "min"),
    "stability": ("stability", "max"),
    "elbow": ("inertia", "knee"),
    "oracle": ("ari", "max"),
}


def data_columns(results: pd.DataFrame) -> list[str]:
    """Return the data-setting columns of a grid result (the conditions), in order.

    Chapter 8: every column that is not a method, replicate, seed or metric.

    Parameters
    ----------
    results : pandas.DataFrame
        Output of :func:`~crmlab.experiments.run_grid`.

    Returns
    -------
    list of str

    Raises
    ------
    TypeError
        If ``results`` is not a DataFrame.

    Examples
    --------
    >>> import pandas as pd
    >>> from crmlab.experiments import data_columns
    >>> data_columns(pd.DataFrame(columns=["cell_id", "noise", "replicate", "algorithm", "feature_set", "k"]))
    ['noise']
    """
    check_frame(results, caller="data_columns", name="results", allow_empty=True)
    return [c for c in results.columns if c not in _NOT_DESIGN and c not in _METHOD]


def summarize_grid(
    results: pd.DataFrame,
    *,
    by: Sequence[str] | None = None,
    metrics: Sequence[str] = ("ari", "nmi", "silhouette", "stability"),
) -> pd.DataFrame:
    """Average each metric over the seeds (replicates) of every design point.

    Chapter 8: the first table of any study; one row per condition and method,
    with the mean, the standard deviation over seeds and how many seeds ran.

    Parameters
    ----------
    results : pandas.DataFrame
        Output of :func:`~crmlab.experiments.run_grid` (or of :func:`select_k`).
    by : sequence of str, optional
        Grouping columns; default the data settings, ``algorithm``, ``feature_set`` and ``k``.
    metrics : sequence of str, default=("ari", "nmi", "silhouette", "stability")
        Metric columns to summarise.

    Returns
    -------
    pandas.DataFrame
        One row per group (sorted), columns ``by``, ``n`` (rows with status ``"ok"``, if there is a status) and
        ``<metric>_mean``, ``<metric>_sd`` (sample sd, NaN for one seed) per metric.

    Raises
    ------
    TypeError, ValueError
        If ``results`` is not a non-empty DataFrame or a column is missing.

    See Also
    --------
    format_mean_sd, best_per_condition, crmlab.plotting.plot_grid_metric

    Examples
    --------
    >>> import pandas as pd
    >>> from crmlab.experiments import summarize_grid
    >>> toy = pd.DataFrame({"method": ["a", "a", "b"], "ari": [0.8, 1.0, 0.5]})
    >>> summarize_grid(toy, by=["method"], metrics=["ari"]).round(3).to_dict("records")
    [{'method': 'a', 'n': 2, 'ari_mean': 0.9, 'ari_sd': 0.141}, {'method': 'b', 'n': 1, 'ari_mean': 0.5, 'ari_sd': nan}]
    """
    caller = "summarize_grid"
    check_frame(results, caller=caller, name="results")
    by = [*data_columns(results), *_METHOD] if by is None else list(by)
    metrics = list(metrics)
    check_columns(results, [*by, *metrics], caller=caller, name="results")
    ok = results[results["status"] == "ok"] if "status" in results.columns else results
    grouped = ok.groupby(by, sort=True, dropna=False)
    out = grouped.size().rename("n").to_frame()
    for metric in metrics:
        out[f"{metric}_mean"] = grouped[metric].mean()
        out[f"{metric}_sd"] = grouped[metric].std(ddof=1)
    return out.reset_index()


def format_mean_sd(summary: pd.DataFrame, *, digits: int = 2) -> pd.DataFrame:
    """Turn ``<metric>_mean`` / ``<metric>_sd`` column pairs into readable "mean ± sd" strings.

    Chapter 8: for displaying a :func:`summarize_grid` table.

    Parameters
    ----------
    summary : pandas.DataFrame
        Output of :func:`summarize_grid`.
    digits : int, default=2
        Decimals shown.

    Returns
    -------
    pandas.DataFrame
        The grouping columns and ``n`` unchanged, one string column per metric.

    Examples
    --------
    >>> import pandas as pd
    >>> from crmlab.experiments import format_mean_sd
    >>> format_mean_sd(pd.DataFrame({"n": [2], "ari_mean": [0.9], "ari_sd": [0.1414]})).to_dict("records")
    [{'n': 2, 'ari': '0.90 ± 0.14'}]
    """
    check_frame(summary, caller="format_mean_sd", name="summary")
    digits = check_int(digits, "digits", caller="format_mean_sd", minimum=0)
    out = summary.loc[:, [c for c in summary.columns if not c.endswith(("_mean", "_sd"))]].copy()
    for col in [c for c in summary.columns if c.endswith("_mean")]:
        metric = col.removesuffix("_mean")
        mean = summary[col].map(lambda v: "nan" if pd.isna(v) else f"{v:.{digits}f}")
        sd = summary.get(f"{metric}_sd", pd.Series(np.nan, index=summary.index))
        out[metric] = mean + sd.map(lambda v: "" if pd.isna(v) else f" ± {v:.{digits}f}")
    return out


def select_k(results: pd.DataFrame, rule: str | Sequence[str] = "silhouette") -> pd.DataFrame:
    r"""Apply k-selection rules to a grid: which k each rule picks, and how good that choice is.

    Chapter 8: a rule such as "take the k with the best silhouette" is itself a
    method; judged against the true segments it can be compared like one.

    Parameters
    ----------
    results : pandas.DataFrame
        Output of :func:`~crmlab.experiments.run_grid`, with several ``k`` per method.
    rule : str or sequence of str, default="silhouette"
        One or more of :data:`K_RULES`: ``"silhouette"``, ``"calinski_harabasz"``
        (largest wins), ``"davies_bouldin"`` (smallest wins), ``"stability"`` (largest
        mean subsample ARI), ``"elbow"`` (knee of the within-cluster sum of squares)
        and ``"oracle"`` (the k with the best ARI: an upper bound no real rule reaches).

    Returns
    -------
    pandas.DataFrame
        One row per rule, condition, replicate, algorithm and feature set: the design
        columns, ``replicate``, ``rule``, the chosen ``k``, and ``ari``, ``nmi`` at that k.

    Raises
    ------
    ValueError
        For an unknown rule, missing columns, or a rule whose metric is missing
        everywhere (e.g. ``"stability"`` with ``n_bootstrap=0``).

    See Also
    --------
    summarize_grid, crmlab.plotting.plot_grid_metric

    Notes
    -----
    The elbow is the kneedle point (Satopää et al., 2011) without smoothing: with
    :math:`\tilde k` and :math:`\tilde W` the k values and the within-cluster sum of squares rescaled to
    [0, 1] within each method, the chosen k maximises :math:`(1 - \tilde W) - \tilde k`.

    References
    ----------
    .. [1] Satopää, V., Albrecht, J., Irwin, D., & Raghavan, B. (2011). Finding a "kneedle" in a haystack:
       detecting knee points in system behavior. ICDCS Workshops, 166-171.

    Examples
    --------
    >>> import pandas as pd
    >>> from crmlab.experiments import select_k
    >>> toy = pd.DataFrame({"cell_id": list("abc"), "replicate": 0, "algorithm": "kmeans",
    ...                     "feature_set": "raw", "k": [2, 3, 4], "silhouette": [0.4, 0.6, 0.5],
    ...                     "ari": [0.5, 0.9, 0.8], "nmi": [0.6, 0.9, 0.8], "status": "ok"})
    >>> select_k(toy, "silhouette")[["rule", "k", "ari"]].to_dict("records")
    [{'rule': 'silhouette', 'k': 3, 'ari': 0.9}]
    """
    caller = "select_k"
    check_frame(results, caller=caller, name="results")
    rules = [rule] if isinstance(rule, str) else list(rule)
    group = [*data_columns(results), "replicate", "algorithm", "feature_set"]
    group = [c for c in group if c in results.columns and c not in ("ari", "nmi")]
    check_columns(results, [*group, "k", "ari", "nmi", "status"], caller=caller, name="results")
    parts = []
    for name in rules:
        check_in_choices(name, "rule", list(K_RULES), caller=caller)
        metric, direction = K_RULES[name]
        check_columns(results, [metric], caller=caller, name="results")
        ok = results[(results["status"] == "ok") & results[metric].notna()].sort_values([*group, "k"])
        if ok.empty:
            raise ValueError(f"select_k(): rule '{name}' needs column '{metric}', which has no values; "
                             "rerun the grid with that metric switched on (e.g. n_bootstrap > 0).")
        grouped = ok.groupby(group, sort=True, dropna=False)
        if direction == "knee":
            score = _kneedle(ok, grouped)
            pick = score.groupby([ok[c] for c in group], sort=True, dropna=False).idxmax()
        elif direction == "max":
            pick = grouped[metric].idxmax()
        else:
            pick = grouped[metric].idxmin()
        chosen = ok.loc[pick.to_numpy(), [*group, "k", "ari", "nmi"]].assign(rule=name)
        parts.append(chosen)
    out = pd.concat(parts, ignore_index=True)
    return out[[*group, "rule", "k", "ari", "nmi"]]


def _kneedle(ok: pd.DataFrame, grouped: pd.core.groupby.DataFrameGroupBy) -> pd.Series:
    def unit(col: str) -> pd.Series:
        low, high = grouped[col].transform("min"), grouped[col].transform("max")
        return ((ok[col] - low) / (high - low).where(high > low, 1.0)).astype(float)

    return (1.0 - unit("inertia")) - unit("k")


def best_per_condition(results: pd.DataFrame, *, metric: str = "ari", larger_is_better: bool = True) -> pd.DataFrame:
    """Return the best method (algorithm, feature set, k) of every data condition.

    Chapter 8: "which pipeline wins where?" in one table.

    Parameters
    ----------
    results : pandas.DataFrame
        Output of :func:`~crmlab.experiments.run_grid`.
    metric : str, default="ari"
        Metric averaged over seeds and compared.
    larger_is_better : bool, default=True
        Set ``False`` for metrics such as ``davies_bouldin``.

    Returns
    -------
    pandas.DataFrame
        One row per condition: the data settings, ``algorithm``, ``feature_set``, ``k``,
        ``n``, ``<metric>_mean`` and ``<metric>_sd``. Ties go to the first method in sorted order.

    Raises
    ------
    ValueError
        If ``metric`` is not a column of ``results``.

    See Also
    --------
    summarize_grid, select_k

    Examples
    --------
    >>> import pandas as pd
    >>> from crmlab.experiments import best_per_condition
    >>> toy = pd.DataFrame({"cell_id": list("abcd"), "noise": [0.0, 0.0, 1.0, 1.0], "replicate": 0,
    ...                     "algorithm": "kmeans", "feature_set": ["raw", "log", "raw", "log"], "k": 4,
    ...                     "ari": [0.5, 0.9, 0.4, 0.3], "status": "ok"})
    >>> best_per_condition(toy)[["noise", "feature_set", "ari_mean"]].to_dict("records")
    [{'noise': 0.0, 'feature_set': 'log', 'ari_mean': 0.9}, {'noise': 1.0, 'feature_set': 'raw', 'ari_mean': 0.4}]
    """
    summary = summarize_grid(results, metrics=[metric])
    conditions = data_columns(results)
    ranked = summary.dropna(subset=[f"{metric}_mean"]).sort_values(
        [*conditions, f"{metric}_mean"], ascending=[True] * len(conditions) + [not larger_is_better],
        kind="stable",
    )
    best = ranked.groupby(conditions, sort=True, dropna=False).head(1) if conditions else ranked.head(1)
    return best.reset_index(drop=True)
