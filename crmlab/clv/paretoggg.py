r"""Pareto/GGG by MCMC: Pareto/NBD dropout with gamma inter-purchase times of customer-specific regularity.

Chapter 10. Each customer's gaps between purchases are Gamma(k_i, k_i λ_i)
(mean 1/λ_i; k_i = 1 is Poisson buying, large k_i is clockwork), with
k_i ~ Gamma(t, γ), λ_i ~ Gamma(r, α); she leaves at an exponential time
τ_i with rate μ_i ~ Gamma(s, β) (Platzer & Reutterer 2016). Fixing k_i = 1
gives the Pareto/NBD.

The sampler is Gibbs over the customers' (k_i, λ_i, μ_i, τ_i) and the six
population parameters, vectorised across customers:

* k_i and λ_i: univariate slice sampling on the log scale (stepping out and
  shrinkage run for all customers at once), from
  :math:`x[k\log(k\lambda) - \log\Gamma(k)] + (k-1)\,\mathrm{litt} - k\lambda t_x
  + \log Q(k, k\lambda(\min(\tau,T) - t_x))` plus the gamma prior
  (Q is the regularised upper incomplete gamma function);
* (τ_i, μ_i) as a block: τ_i with μ_i integrated out (a Pareto II(s, β) lifetime), alive at T
  with probability :math:`A/(A+D)`, :math:`A = Q(\cdot, T-t_x)(\beta/(\beta+T))^s`,
  :math:`D = \int_{t_x}^T s\beta^s(\beta+u)^{-s-1} Q(\cdot, u-t_x)\,du` (64-point midpoint
  rule), then T plus a Pareto II residual, or a draw from the same grid on (t_x, T); then
  μ_i ~ Gamma(s+1, β+τ_i);
* r, t: slice sampling on the log scale from their posterior with the rate integrated out
  (priors ∝ 1/θ), then α, γ from their conjugate gamma given the shape; s, β: slice sampling
  from the Pareto II likelihood of the lifetimes τ (μ integrated out).

Several chains start from dispersed points; :meth:`ParetoGGGModel.summary`
reports split R-hat and the effective sample size of the population parameters.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import gammainc, gammaincc, gammaincinv, gammaln
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from crmlab._rng import RandomState, as_generator
from crmlab._validation import check_int
from crmlab.clv._data import check_horizon, validate_rfm

__all__ = ["ParetoGGGModel", "effective_sample_size", "split_r_hat"]

_GRID = 64
_POP = ("t", "gamma", "r", "alpha", "s", "beta")


def _log_q(k: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Log of the regularised upper incomplete gamma Q(k, z), z >= 0, without underflow to -inf for large z."""
    with np.errstate(divide="ignore"):
        q = np.log(gammaincc(k, z))
    bad = ~np.isfinite(q)
    if bad.any():  # far tail: log Q ~ (k-1) log z - z - log Γ(k) (leading term of the asymptotic series)
        kb, zb = np.broadcast_to(k, q.shape)[bad], np.broadcast_to(z, q.shape)[bad]
        q = q.copy()
        q[bad] = (kb - 1.0) * np.log(zb) - zb - gammaln(kb) + np.log1p((kb - 1.0) / zb)
    return q


def _slice(logf, z0: np.ndarray, rng: np.random.Generator, width: float = 1.0, max_out: int = 10,
           max_shrink: int = 50) -> np.ndarray:
    """One univariate slice-sampling step for every element of z0 at once (Neal 2003, stepping out).

    ``logf(z, idx)`` returns the log density of the elements ``idx`` at values ``z``; each
    stepping-out and shrinkage round evaluates only the elements still moving.
    """
    n = len(z0)
    every = np.arange(n)
    y = logf(z0, every) - rng.exponential(size=n)
    left = z0 - width * rng.random(n)
    right = left + width
    for end, step in ((left, -width), (right, width)):
        idx = every
        for _ in range(max_out):  # step out while the end is inside the slice
            grow = logf(end[idx], idx) > y[idx]
            idx = idx[grow]
            if not idx.size:
                break
            end[idx] += step
    z = z0.copy()
    idx = every
    for _ in range(max_shrink):
        prop = left[idx] + rng.random(idx.size) * (right[idx] - left[idx])
        ok = logf(prop, idx) > y[idx]
        z[idx[ok]] = prop[ok]
        idx, prop = idx[~ok], prop[~ok]
        if not idx.size:
            break
        below = prop < z0[idx]
        left[idx[below]] = prop[below]
        right[idx[~below]] = prop[~below]
    return z


def split_r_hat(chains: np.ndarray) -> float:
    """Return the split R-hat (Gelman et al. 2013) of one sampled quantity.

    Parameters
    ----------
    chains : numpy.ndarray
        Draws of shape ``(n_chains, n_draws)``; each chain is cut in two halves.

    Returns
    -------
    float
        Near 1 when the half-chains agree; well above 1 (say > 1.1) when they have
        not mixed. NaN when every half-chain is constant.

    Examples
    --------
    >>> import numpy as np
    >>> chains = np.random.default_rng(0).normal(size=(4, 200))
    >>> round(split_r_hat(chains), 3)
    0.997
    >>> round(split_r_hat(chains + np.arange(4)[:, None]), 2)  # chains stuck at different levels
    1.55
    """
    half = chains.shape[1] // 2
    parts = np.concatenate([chains[:, :half], chains[:, half : 2 * half]])
    n = parts.shape[1]
    w = parts.var(axis=1, ddof=1).mean()
    b = n * parts.mean(axis=1).var(ddof=1)
    return float(np.sqrt(((n - 1) / n * w + b / n) / w)) if w > 0 else float("nan")


def effective_sample_size(chains: np.ndarray) -> float:
    """Return the effective sample size of one sampled quantity.

    It is estimated from the chains' autocorrelations, summed as Geyer's initial
    positive sequence.

    Parameters
    ----------
    chains : numpy.ndarray
        Draws of shape ``(n_chains, n_draws)``.

    Returns
    -------
    float
        The number of independent draws worth as much as all the draws; NaN when
        the chains are constant.

    Examples
    --------
    >>> import numpy as np
    >>> chains = np.random.default_rng(0).normal(size=(4, 200))  # 800 independent draws
    >>> round(effective_sample_size(chains))
    816
    """
    m, n = chains.shape
    centred = chains - chains.mean(axis=1, keepdims=True)
    var = centred.var(axis=1).mean()
    if var <= 0:
        return float("nan")
    f = np.fft.rfft(centred, n=2 * n, axis=1)
    acov = np.fft.irfft(f * np.conj(f), axis=1)[:, :n] / n
    rho = acov.mean(axis=0) / var
    pairs = rho[: n - n % 2].reshape(-1, 2).sum(axis=1)
    stop = np.flatnonzero(pairs < 0)
    tau = -1.0 + 2.0 * pairs[: stop[0] if len(stop) else len(pairs)].sum()
    return float(m * n / max(tau, 1e-9))


class ParetoGGGModel(BaseEstimator):
    r"""Pareto/GGG model of purchasing with customer-specific timing regularity, fitted by MCMC.

    Chapter 10.

    Parameters
    ----------
    n_chains : int, default=4
        Independent chains.
    n_iter : int, default=1000
        Iterations per chain after burn-in.
    burn_in : int, default=500
        Iterations discarded at the start of each chain.
    n_keep : int, default=100
        Posterior draws of every customer's (k, λ, μ, τ) kept (spread over the
        chains) for predictions.
    fixed_k : float, optional
        Fix every k_i (``fixed_k=1`` gives the Pareto/NBD by MCMC).
    random_state : None, int or numpy.random.Generator
        An int repeats exactly; a Generator advances.

    Attributes
    ----------
    trace_ : pandas.DataFrame
        Population draws: ``chain``, ``draw`` and ``t, gamma, r, alpha, s, beta``.
    customer_means_ : pandas.DataFrame
        Posterior means of ``k``, ``lambda``, ``mu`` and ``p_alive`` per customer.

    See Also
    --------
    crmlab.clv.BetaGeoCNBDModel, crmlab.clv.ParetoNBDModel

    Notes
    -----
    See the module notes for the sampler. Data need ``litt`` (sum of log gaps,
    :func:`crmlab.clv.log_intertransaction_times`) unless ``fixed_k`` is given.

    References
    ----------
    Platzer, M., & Reutterer, T. (2016). Ticking away the moments: Timing
    regularity helps to better predict customer activity. *Marketing Science*, 35(5), 779–799.
    """

    def __init__(self, n_chains: int = 4, n_iter: int = 1000, burn_in: int = 500, n_keep: int = 100,
                 fixed_k: float | None = None, random_state: RandomState = None) -> None:
        self.n_chains = n_chains
        self.n_iter = n_iter
        self.burn_in = burn_in
        self.n_keep = n_keep
        self.fixed_k = fixed_k
        self.random_state = random_state

    def fit(self, data: pd.DataFrame, *, litt_col: str = "litt") -> ParetoGGGModel:
        """Run the chains.

        Parameters
        ----------
        data : pandas.DataFrame
            ``frequency``, ``recency``, ``T`` and ``litt`` (unless ``fixed_k``).
        litt_col : str, default="litt"
            Column of the sum of log inter-purchase times.

        Returns
        -------
        self

        Raises
        ------
        ValueError
            For invalid data or settings, or ``litt`` missing.
        """
        caller = "ParetoGGGModel.fit"
        n_chains = check_int(self.n_chains, "n_chains", caller=caller, minimum=1)
        n_iter = check_int(self.n_iter, "n_iter", caller=caller, minimum=4)
        burn = check_int(self.burn_in, "burn_in", caller=caller, minimum=0)
        n_keep = check_int(self.n_keep, "n_keep", caller=caller, minimum=1)
        index, x, tx, T = validate_rfm(data, caller=caller)
        if self.fixed_k is None:
            if litt_col not in data.columns:
                raise ValueError(f"{caller}(): needs the column '{litt_col}' (sum of log inter-purchase times) "
                                 "unless fixed_k is given.")
            litt = data[litt_col].to_numpy(dtype=float)
            if not np.all(np.isfinite(litt)):
                raise ValueError(f"{caller}(): column '{litt_col}' has missing or infinite values.")
        else:
            litt = np.zeros(len(x))
        rng = as_generator(self.random_state)
        keep_every = max(1, (n_chains * n_iter) // n_keep)
        traces, kept = [], []
        sums = np.zeros((4, len(x)))
        for c in range(n_chains):  # chains in turn; each sweep updates all customers at once
            state = self._init(x, tx, T, rng, spread=c)
            for it in range(burn + n_iter):
                self._sweep(state, x, tx, T, litt, rng)
                if it >= burn:
                    j = it - burn
                    traces.append([c, j, *[state[p] for p in _POP]])
                    sums += np.vstack([state["k"], state["lam"], state["mu"], state["tau"] > T])
                    if (c * n_iter + j) % keep_every == 0:
                        kept.append(np.vstack([state["k"], state["lam"], state["mu"], state["tau"]]))
        self.trace_ = pd.DataFrame(traces, columns=["chain", "draw", *_POP])
        m = sums / (n_chains * n_iter)
        self.customer_means_ = pd.DataFrame({"k": m[0], "lambda": m[1], "mu": m[2], "p_alive": m[3]}, index=index)
        self._draws = np.stack(kept)  # (n_kept, 4, n)
        self._train = (index, x, tx, T)
        return self

    # sampler ---------------------------------------------------------------------
    def _init(self, x: np.ndarray, tx: np.ndarray, T: np.ndarray, rng: np.random.Generator,
              spread: int) -> dict[str, np.ndarray | float]:
        f = 2.0 ** (spread % 3 - 1)  # dispersed starts: x0.5, x1, x2
        lam = f * (x + 1.0) / np.maximum(T, 1e-3)
        k = np.full(len(x), 1.0 if self.fixed_k is None else float(self.fixed_k))
        mu = np.full(len(x), 1.0 / (f * max(float(np.mean(T)), 1e-3)))
        return {"k": k, "lam": lam, "mu": mu, "tau": T + rng.exponential(1.0 / mu),
                "t": f, "gamma": f, "r": f, "alpha": f / float(np.mean(lam)), "s": f, "beta": f / float(np.mean(mu))}

    def _sweep(self, st: dict, x: np.ndarray, tx: np.ndarray, T: np.ndarray, litt: np.ndarray,
               rng: np.random.Generator) -> None:
        span = np.minimum(st["tau"], T) - tx

        def ll(k: np.ndarray, lam: np.ndarray, i: np.ndarray) -> np.ndarray:
            kl = k * lam
            return x[i] * (k * np.log(kl) - gammaln(k)) + (k - 1.0) * litt[i] - kl * tx[i] + _log_q(k, kl * span[i])

        if self.fixed_k is None:
            lam = st["lam"]
            st["k"] = np.exp(_slice(lambda z, i: ll(np.exp(z), lam[i], i) + st["t"] * z - st["gamma"] * np.exp(z),
                                    np.log(st["k"]), rng))
        k = st["k"]
        st["lam"] = np.exp(_slice(lambda z, i: ll(k[i], np.exp(z), i) + st["r"] * z - st["alpha"] * np.exp(z),
                                  np.log(st["lam"]), rng))
        st["tau"] = self._draw_tau(st["k"], st["lam"], st["s"], st["beta"], tx, T, rng)  # blocked: μ integrated out
        st["mu"] = rng.gamma(st["s"] + 1.0, 1.0 / (st["beta"] + st["tau"]))
        self._update_dropout_population(st, T, rng)
        for shape, rate, vals in (("t", "gamma", st["k"]), ("r", "alpha", st["lam"])):
            if shape == "t" and self.fixed_k is not None:
                continue
            n, sv, slog = len(vals), float(vals.sum()), float(np.log(vals).sum())

            def pop(z: np.ndarray, _: np.ndarray, sv: float = sv, slog: float = slog, n: int = n) -> np.ndarray:
                a = np.exp(z)  # the shape's posterior with the rate integrated out (collapsed Gibbs)
                return gammaln(n * a) - n * gammaln(a) + (a - 1.0) * slog - n * a * np.log(sv)

            st[shape] = float(np.exp(_slice(pop, np.array([np.log(st[shape])]), rng)[0]))
            st[rate] = rng.gamma(n * st[shape], 1.0 / sv)  # conjugate under the prior 1/rate

    @staticmethod
    def _update_dropout_population(st: dict, T: np.ndarray, rng: np.random.Generator) -> None:
        """Slice-sample s, then β, from the Pareto II likelihood of the lifetimes (μ integrated out).

        Customers alive at T enter through P(τ > T) only (their residual lifetime is not data).
        """
        alive = st["tau"] > T
        dead_tau, alive_T = st["tau"][~alive], T[alive]
        n_dead = len(dead_tau)

        def ll(sv: np.ndarray, b: np.ndarray) -> np.ndarray:
            lb = np.log(b)
            dead = n_dead * np.log(sv) + n_dead * sv * lb - (sv + 1.0) * np.log(b[:, None] + dead_tau).sum(axis=1)
            return dead + sv * (len(alive_T) * lb - np.log(b[:, None] + alive_T).sum(axis=1))

        b0 = np.array([st["beta"]])
        st["s"] = float(np.exp(_slice(lambda z, _: ll(np.exp(z), b0), np.array([np.log(st["s"])]), rng)[0]))
        s0 = np.array([st["s"]])
        st["beta"] = float(np.exp(_slice(lambda z, _: ll(s0, np.exp(z)), np.array([np.log(st["beta"])]), rng)[0]))

    @staticmethod
    def _draw_tau(k: np.ndarray, lam: np.ndarray, s: float, beta: float, tx: np.ndarray, T: np.ndarray,
                  rng: np.random.Generator) -> np.ndarray:
        """Draw the dropout time with μ integrated out: τ ~ Pareto II(s, β) truncated to τ > t_x."""
        kl = k * lam
        log_alive = _log_q(k, kl * (T - tx)) + s * (np.log(beta) - np.log(beta + T))
        h = (T - tx) / _GRID
        u = tx[:, None] + h[:, None] * (np.arange(_GRID) + 0.5)[None, :]  # midpoints on (t_x, T)
        log_dens = (np.log(s) + s * np.log(beta) - (s + 1.0) * np.log(beta + u)
                    + _log_q(k[:, None], kl[:, None] * (u - tx[:, None])))
        log_dead_cells = log_dens + np.log(np.maximum(h, 1e-300))[:, None]
        log_dead = np.logaddexp.reduce(log_dead_cells, axis=1)
        p_alive = np.where(T > tx, 1.0 / (1.0 + np.exp(np.clip(log_dead - log_alive, -700, 700))), 1.0)
        alive = rng.random(len(k)) < p_alive
        cells = np.exp(log_dead_cells - log_dead[:, None])
        pick = (rng.random(len(k))[:, None] > np.cumsum(cells, axis=1)).sum(axis=1).clip(0, _GRID - 1)
        dead_tau = tx + h * (pick + rng.random(len(k)))
        extra = (beta + T) * np.expm1(-np.log1p(-rng.random(len(k))) / s)  # Pareto II residual life beyond T
        return np.where(alive, T + extra, dead_tau)

    # results ---------------------------------------------------------------------
    def summary(self) -> pd.DataFrame:
        """Return posterior mean, sd, 2.5/97.5 % quantiles, split R-hat and ESS of the population parameters.

        Returns
        -------
        pandas.DataFrame
            Index ``t, gamma, r, alpha, s, beta`` (without ``t, gamma`` when k is fixed).
        """
        check_is_fitted(self, "trace_")
        names = [p for p in _POP if self.fixed_k is None or p not in ("t", "gamma")]
        rows = {}
        for p in names:
            ch = self.trace_.pivot(index="draw", columns="chain", values=p).to_numpy().T
            v = ch.ravel()
            rows[p] = {"mean": v.mean(), "sd": v.std(ddof=1), "q2.5": np.quantile(v, 0.025),
                       "q97.5": np.quantile(v, 0.975), "r_hat": split_r_hat(ch), "ess": effective_sample_size(ch)}
        return pd.DataFrame(rows).T

    def posterior_predictive(self, t: float, random_state: RandomState = None) -> np.ndarray:
        """Return draws of every training customer's purchases in the next ``t`` time units.

        Parameters
        ----------
        t : float
            Horizon.
        random_state : None, int or numpy.random.Generator
            An int repeats exactly; a Generator advances.

        Returns
        -------
        numpy.ndarray
            Shape ``(n_kept, n_customers)``, one row per kept posterior draw.
        """
        check_is_fitted(self, "trace_")
        t = check_horizon(t, "t", caller="ParetoGGGModel.posterior_predictive")
        rng = as_generator(random_state)
        _, x, tx, T = self._train
        k, lam, _, tau = (self._draws[:, j, :] for j in range(4))
        end = np.minimum(tau, T + t)  # purchases happen before death and before the horizon
        kl = k * lam
        # first future gap: conditional on exceeding the time already elapsed since the last purchase
        lo = gammainc(k, kl * (T - tx))
        u = lo + (1.0 - lo) * rng.random(k.shape)
        nxt = tx + gammaincinv(k, np.minimum(u, 1.0 - 1e-16)) / kl
        count = np.zeros(k.shape, dtype=np.int64)
        active = nxt <= end
        while active.any():  # one pass per future purchase, all customers and draws at once
            count += active
            nxt = np.where(active, nxt + rng.gamma(k, 1.0 / kl), np.inf)
            active = nxt <= end
        return count

    def expected_purchases(self, t: float, random_state: RandomState = None) -> pd.Series:
        """Return the posterior mean of each training customer's purchases in the next ``t`` time units.

        Parameters
        ----------
        t : float
            Horizon.
        random_state : None, int or numpy.random.Generator
            An int repeats exactly; a Generator advances.

        Returns
        -------
        pandas.Series
            ``expected_purchases`` (Monte Carlo over the kept draws).
        """
        draws = self.posterior_predictive(t, random_state=random_state)
        return pd.Series(draws.mean(axis=0), index=self._train[0], name="expected_purchases")
