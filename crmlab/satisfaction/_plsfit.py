"""One PLS estimation from standardized items, batched over resamples (private).

:class:`Engine` turns standardized observed items ``z`` (B, n, p0) into outer weights and
estimates of the full model, including the generated columns of interaction constructs (two-stage
scores or item products). :meth:`PLSPathModel.fit` runs it with B = 1 and the bootstrap runs it on
chunks of resamples, so both go through the very same arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from crmlab.satisfaction._plsalgo import correlation, estimates, lohmoller, standardize
from crmlab.satisfaction._plscheck import ModelSpec
from crmlab.satisfaction.moderation import product_columns


@dataclass(frozen=True)
class Interaction:
    """Positions of one interaction: constructs in the full spec, items in the observed columns."""

    iv: int
    moderator: int
    construct: int
    iv_items: np.ndarray
    mod_items: np.ndarray


@dataclass(frozen=True)
class Fit:
    """Arrays of a batch of estimations."""

    z: np.ndarray  # (B, n, P) standardized items incl. generated interaction columns
    s: np.ndarray  # (B, P, P) their correlations
    weights: np.ndarray  # (B, P, J)
    est: dict
    converged: np.ndarray  # (B,)
    n_iter: int
    stage1: np.ndarray | None  # (B, p0, J0) stage-1 weights of the two-stage approach
    product_sd: np.ndarray | None  # (B, K) sd of each two-stage product before standardization


@dataclass(frozen=True)
class Engine:
    """Everything needed to estimate the model from standardized observed items."""

    spec: ModelSpec
    stage1: ModelSpec | None  # model without interactions (two-stage only)
    interactions: tuple[Interaction, ...]
    method: str
    scheme: str
    consistent: np.ndarray  # (J,) bool: constructs PLSc corrects
    max_iter: int
    tol: float

    def augment(self, z: np.ndarray, init1: np.ndarray | None) -> tuple:
        """Append the interaction columns; return (z_full, stage-1 weights, product sds, converged)."""
        if not self.interactions:
            return z, None, None, np.ones(z.shape[0], dtype=bool)
        w1 = None
        conv = np.ones(z.shape[0], dtype=bool)
        if self.method == "two_stage":
            sol1 = lohmoller(
                correlation(z), self.stage1.block, self.stage1.pred, self.scheme, self.max_iter, self.tol,
                self.stage1.mode_b, init1,
            )
            w1, conv = sol1.weights, sol1.converged
            scores = z @ w1
        extra, sds = [], []
        for it in self.interactions:  # loop over interaction terms (one or two)
            pair = (scores[..., it.iv], scores[..., it.moderator]) if w1 is not None else None
            cols = product_columns(z, it.iv_items, it.mod_items, self.method, pair)
            sds.append(cols.std(axis=-2, ddof=1)[..., 0])
            extra.append(cols)
        z_new, _, _ = standardize(np.concatenate(extra, axis=-1))
        return np.concatenate([z, z_new], axis=-1), w1, np.stack(sds, axis=-1), conv

    def run(self, z: np.ndarray, init: np.ndarray | None = None, init1: np.ndarray | None = None) -> Fit:
        """Estimate from standardized observed items ``z`` (B, n, p0)."""
        z_full, w1, sds, conv1 = self.augment(z, init1)
        s = correlation(z_full)
        spec = self.spec
        sol = lohmoller(s, spec.block, spec.pred, self.scheme, self.max_iter, self.tol, spec.mode_b, init)
        return Fit(z_full, s, sol.weights, {}, sol.converged & conv1, sol.n_iter, w1, sds)

    def estimate(self, fit: Fit, weights: np.ndarray) -> dict:
        """Paths, R², loadings, rho_A for (possibly sign-corrected) weights."""
        return estimates(fit.s, weights, self.spec.block, self.spec.pred, self.consistent)
