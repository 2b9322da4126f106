"""A text summary of a fitted PLS path model, laid out like seminr's ``summary()``.

Chapter 4: one place to read paths (with bootstrap intervals), R², reliability, discriminant
validity (HTMT, Fornell–Larcker), formative weights with VIF, loadings, SRMR and f².
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from sklearn.utils.validation import check_is_fitted

from crmlab.satisfaction.validity import f_squared, fornell_larcker, srmr

__all__ = ["pls_summary"]


def _section(title: str, body: pd.DataFrame | pd.Series | str, digits: int) -> str:
    text = body if isinstance(body, str) else body.round(digits).to_string(na_rep="")
    return f"{title}:\n{text}\n"


def pls_summary(model: Any, boot: Any = None, *, digits: int = 3) -> str:
    """Return a seminr-style report of a fitted model as text.

    Parameters
    ----------
    model : PLSPathModel
        A fitted model.
    boot : PLSBootstrap, optional
        From ``model.bootstrap_results(X, ...)``; adds standard errors and 95 % percentile intervals of
        paths, formative weights and HTMT.
    digits : int, default=3
        Decimals shown.

    Returns
    -------
    str
        Sections: model, path coefficients, R², interactions, reliability, HTMT, Fornell–Larcker,
        outer weights (with VIF for formative blocks), loadings, f², SRMR, missing data.

    Examples
    --------
    >>> from crmlab.datasets import load_mobi
    >>> from crmlab.satisfaction import ECSI_BLOCKS, ECSI_PATHS, PLSPathModel
    >>> X = load_mobi()
    >>> model = PLSPathModel(ECSI_BLOCKS, ECSI_PATHS).fit(X)
    >>> text = pls_summary(model)
    >>> print(text.splitlines()[0])
    PLS path model: 7 constructs, 12 paths, 250 respondents; scheme=path, consistent=False, converged in 6 iterations.
    >>> [line for line in text.splitlines() if line.startswith("SRMR")]
    ['SRMR (saturated model): 0.075']
    """
    check_is_fitted(model, "paths_")
    spec = model._spec
    modes = ", ".join(f"{c} ({m})" for c, m in zip(spec.constructs, spec.modes, strict=True))
    head = (
        f"PLS path model: {len(spec.constructs)} constructs, {len(model.paths_)} paths, {model.n_samples_} "
        f"respondents; scheme={model.scheme}, consistent={model.consistent}, converged in {model.n_iter_} "
        f"iterations.\nMeasurement (A reflective, B formative): {modes}\n"
    )
    parts = [head]
    paths = model.paths_.set_index(["source", "target"])
    if boot is not None:
        table = boot.table().set_index(["kind", "source", "target"])
        got = table.loc["path"]
        paths = paths.join(got[["std_error", "lower", "upper"]])
        paths["t"] = paths["coefficient"] / paths["std_error"]
    parts.append(_section("Path coefficients" + (f" ({boot.n_boot} bootstrap resamples, 95% percentile)"
                                                 if boot is not None else ""), paths, digits))
    parts.append(_section("R^2", model.r2_, digits))
    if len(model.interactions_):
        parts.append(_section("Interactions (coefficient: standardized product, as seminr/SmartPLS; "
                              "product_coefficient: per unit of the product of standardized scores)",
                              model.interactions_.set_index(["iv", "moderator", "target"]), digits))
    parts.append(_section("Reliability", model.reliability_, digits))
    if boot is not None:
        parts.append(_section("HTMT (95% percentile interval)", boot.htmt_intervals()
                              .set_index(["source", "target"])[["estimate", "lower", "upper"]], digits))
    parts.append(_section("Fornell-Larcker (sqrt AVE on the diagonal)", fornell_larcker(model), digits))
    weights = model.outer_weights_.to_frame()
    if len(model.vif_):
        weights = weights.join(model.vif_)
    if boot is not None and (table.index.get_level_values("kind") == "weight").any():
        w = table.loc["weight"].rename_axis(["construct", "item"])
        weights = weights.join(w[["std_error", "lower", "upper"]])
    parts.append(_section("Outer weights", weights, digits))
    parts.append(_section("Outer loadings", model.outer_loadings_, digits))
    parts.append(_section("Effect sizes f^2", f_squared(model).set_index(["source", "target"]), digits))
    parts.append(f"SRMR (saturated model): {srmr(model):.{digits}f}\n")
    lost = model.missing_report_
    if lost[["n_coded", "n_missing"]].to_numpy().any():
        parts.append(_section(f"Missing data (missing={model.missing!r})", lost[lost["n_missing"] > 0], digits))
    return "\n".join(parts)
