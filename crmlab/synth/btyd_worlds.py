"""Worlds of BTYD buyers for the research chapter: regular (Erlang-k) buyers with the truth kept.

Chapter 10. Each customer buys while alive with inter-purchase gaps
Erlang-k with rate λ (mean gap k/λ), λ ~ Gamma(r, rate α), and drops out
after each repeat purchase with probability p ~ Beta(a, b) (BG/CNBD-k) or
also right after the first purchase (MBG/CNBD-k, ``dropout_at_zero=True``).
k = 1 gives BG/NBD (MBG/NBD) buyers. Simulation is vectorised across
customers; the only loop is over purchase number.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab._rng import RandomState, as_generator
from crmlab._validation import check_int, check_number

__all__ = ["simulate_cnbd", "simulate_covariate_world", "simulate_pareto_ggg", "simulate_retention_covariates",
           "simulate_spend_covariates"]


def simulate_cnbd(
    n_customers: int, *, r: float, alpha: float, a: float, b: float, k: int = 1, T: float | np.ndarray,
    future: float = 0.0, dropout_at_zero: bool = False, return_gaps: bool = False,
    random_state: RandomState = None,
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Simulate (M)BG/CNBD-k customers: calibration summary, ``litt`` and the true state and future.

    Chapter 10.

    Parameters
    ----------
    n_customers : int
        Number of customers.
    r, alpha : float
        Gamma shape and rate of the Erlang rate λ (mean purchase rate r / (k α)).
    a, b : float
        Beta parameters of the dropout probability p.
    k : int, default=1
        Erlang order of the gaps (1 = exponential, Poisson buying).
    T : float or array-like
        Each customer's calibration length after her first purchase.
    future : float, default=0.0
        Length of the holdout window after ``T``.
    dropout_at_zero : bool, default=False
        MBG variant: a customer may drop out right after her first purchase.
    return_gaps : bool, default=False
        Also return the calibration inter-purchase times (``customer_id``, ``gap``),
        the input of :func:`crmlab.clv.estimate_regularity`.
    random_state : None, int or numpy.random.Generator
        An int repeats exactly; a Generator advances.

    Returns
    -------
    pandas.DataFrame
        Index ``customer_id`` (0..n-1); columns ``frequency``, ``recency``, ``T``,
        ``litt`` (sum of log gaps in calibration), ``frequency_holdout``
        (purchases in ``(T, T+future]``), ``alive`` (alive at T),
        ``active_holdout`` (bought in the holdout), ``lambda``, ``p`` (the truth);
        with ``return_gaps=True`` a tuple ``(data, gaps)``.

    Examples
    --------
    >>> data = simulate_cnbd(1000, r=2.0, alpha=10.0, a=1.0, b=20.0, k=3, T=52.0, random_state=0)
    >>> list(data.columns)
    ['frequency', 'recency', 'T', 'litt', 'frequency_holdout', 'alive', 'active_holdout', 'lambda', 'p']
    >>> data.equals(simulate_cnbd(1000, r=2.0, alpha=10.0, a=1.0, b=20.0, k=3, T=52.0, random_state=0))
    True
    """
    caller = "simulate_cnbd"
    n = check_int(n_customers, "n_customers", caller=caller, minimum=1)
    k = check_int(k, "k", caller=caller, minimum=1)
    r, alpha, a, b = (check_number(v, nm, caller=caller, minimum=0.0, strict_min=True)
                      for v, nm in ((r, "r"), (alpha, "alpha"), (a, "a"), (b, "b")))
    future = check_number(future, "future", caller=caller, minimum=0.0)
    Tarr = np.broadcast_to(np.asarray(T, dtype=float), (n,)).copy()
    if not np.all(np.isfinite(Tarr)) or np.any(Tarr <= 0):
        raise ValueError(f"{caller}(): 'T' must be positive and finite.")
    rng = as_generator(random_state)
    lam = rng.gamma(r, 1.0 / alpha, size=n)
    p = rng.beta(a, b, size=n)
    out, gaps = _bg_buyers(lam, p, k, Tarr, future, rng, dropout_at_zero=dropout_at_zero)
    out = out.assign(**{"lambda": lam, "p": p})
    return (out, gaps) if return_gaps else out


def _bg_buyers(lam: np.ndarray, p: np.ndarray, k: int, Tarr: np.ndarray, future: float, rng: np.random.Generator,
               *, dropout_at_zero: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Purchase histories of BG-type buyers with given rates and dropout probabilities, and calibration gaps."""
    n = len(lam)
    alive = np.ones(n, dtype=bool)
    if dropout_at_zero:
        alive = rng.random(n) >= p
    t = np.zeros(n)
    x = np.zeros(n, dtype=np.int64)
    tx = np.zeros(n)
    litt = np.zeros(n)
    hold = np.zeros(n, dtype=np.int64)
    alive_at_T = alive.copy()
    end = Tarr + future
    active = np.flatnonzero(alive)
    who, gaps = [], []
    while active.size:  # one pass per purchase number, all still-buying customers at once
        gap = rng.gamma(k, 1.0 / lam[active])
        t_new = t[active] + gap
        in_cal = t_new <= Tarr[active]
        in_hold = ~in_cal & (t_new <= end[active])
        ci = active[in_cal]
        x[ci] += 1
        tx[ci] = t_new[in_cal]
        litt[ci] += np.log(gap[in_cal])
        who.append(ci)
        gaps.append(gap[in_cal])
        hold[active[in_hold]] += 1
        t[active] = t_new
        bought = in_cal | in_hold
        drop = bought & (rng.random(active.size) < p[active])
        alive_at_T[active[in_cal & drop]] = False
        active = active[bought & ~drop]
    data = pd.DataFrame({
        "frequency": x, "recency": tx, "T": Tarr, "litt": litt, "frequency_holdout": hold,
        "alive": alive_at_T, "active_holdout": hold > 0,
    }, index=pd.RangeIndex(n, name="customer_id"))
    gap_table = pd.DataFrame({"customer_id": np.concatenate([np.zeros(0, dtype=np.intp), *who]),
                              "gap": np.concatenate([np.zeros(0), *gaps])})
    return data, gap_table


def simulate_covariate_world(
    n_customers: int, *, model: str, params: dict[str, float], purchase_effects: dict[str, float],
    dropout_effects: dict[str, float], T: float | np.ndarray, future: float = 0.0,
    random_state: RandomState = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    r"""Simulate BG/NBD or Pareto/NBD buyers whose parameters depend on covariates (exp link), truth kept.

    Chapter 10. Covariates named in the effect dicts are drawn per customer:
    a name starting with ``"is_"`` is a 0/1 indicator (probability 0.4), any
    other name is standard normal. The links are those of
    :mod:`crmlab.clv.covariates`:

    * purchase: :math:`lpha_i = lpha_0 e^{-\gamma_P' z_i}` (both models);
    * Pareto/NBD dropout: :math:`eta_i = eta_0 e^{-\gamma_D' z_i}`;
    * BG/NBD dropout: :math:`a_i = a_0 e^{\gamma_a' z_i}`, :math:`b_i = b_0 e^{\gamma_b' z_i}`,
      with ``dropout_effects`` keys ``"a:name"`` and ``"b:name"``.

    Parameters
    ----------
    n_customers : int
        Number of customers.
    model : {"bgnbd", "paretonbd"}
        Which model generates the data.
    params : dict
        Base parameters: ``r, alpha, a, b`` (BG/NBD) or ``r, alpha, s, beta`` (Pareto/NBD).
    purchase_effects, dropout_effects : dict of str to float
        True coefficients by covariate name (see above for BG/NBD dropout keys).
    T : float or array-like
        Calibration length per customer.
    future : float, default=0.0
        Holdout length.
    random_state : None, int or numpy.random.Generator
        An int repeats exactly; a Generator advances.

    Returns
    -------
    data : pandas.DataFrame
        Index ``customer_id``; ``frequency``, ``recency``, ``T``,
        ``frequency_holdout``, ``alive``, ``active_holdout``.
    covariates : pandas.DataFrame
        Index ``customer_id``; one column per covariate.

    Examples
    --------
    >>> data, covariates = simulate_covariate_world(
    ...     100, model="paretonbd", params={"r": 0.5, "alpha": 4.0, "s": 0.6, "beta": 12.0},
    ...     purchase_effects={"income": 0.5, "is_member": 0.3}, dropout_effects={"income": -0.2},
    ...     T=52.0, random_state=0)
    >>> list(covariates.columns), sorted(covariates["is_member"].unique().tolist())
    (['income', 'is_member'], [0.0, 1.0])
    >>> data.index.equals(covariates.index)
    True
    """
    caller = "simulate_covariate_world"
    n = check_int(n_customers, "n_customers", caller=caller, minimum=1)
    if model not in ("bgnbd", "paretonbd"):
        raise ValueError(f"{caller}(): 'model' must be 'bgnbd' or 'paretonbd'; got {model!r}.")
    rng = as_generator(random_state)
    Tarr = np.broadcast_to(np.asarray(T, dtype=float), (n,)).copy()
    names = sorted({k.split(":")[-1] for k in [*purchase_effects, *dropout_effects]})
    cov = pd.DataFrame({nm: (rng.random(n) < 0.4).astype(float) if nm.startswith("is_") else rng.standard_normal(n)
                        for nm in names}, index=pd.RangeIndex(n, name="customer_id"))

    def lin(effects: dict[str, float], prefix: str = "") -> np.ndarray:
        out = np.zeros(n)
        for key, g in effects.items():
            if key.startswith(prefix):
                out += g * cov[key.split(":")[-1]].to_numpy()
        return out

    alpha_i = params["alpha"] * np.exp(-lin(purchase_effects))
    lam = rng.gamma(params["r"], 1.0 / alpha_i)
    if model == "bgnbd":
        a_i = params["a"] * np.exp(lin(dropout_effects, "a:"))
        b_i = params["b"] * np.exp(lin(dropout_effects, "b:"))
        p = rng.beta(a_i, b_i)
        data = _bg_buyers(lam, p, 1, Tarr, float(future), rng, dropout_at_zero=False)[0].drop(columns="litt")
        return data, cov
    beta_i = params["beta"] * np.exp(-lin(dropout_effects))
    mu = rng.gamma(params["s"], 1.0 / beta_i)
    death = rng.exponential(1.0 / np.maximum(mu, 1e-300))
    span = np.minimum(death, Tarr)
    x = rng.poisson(lam * span)
    jj = np.maximum(x, 1)
    tx = np.where(x > 0, span * rng.beta(jj, 1.0), 0.0)  # the largest of x uniform purchase times
    hold = rng.poisson(lam * np.clip(death - Tarr, 0.0, future))
    data = pd.DataFrame({"frequency": x, "recency": tx, "T": Tarr, "frequency_holdout": hold, "alive": death > Tarr,
                         "active_holdout": hold > 0}, index=cov.index)
    return data, cov


def _draw_covariates(names: list[str], n: int, rng: np.random.Generator) -> pd.DataFrame:
    return pd.DataFrame({nm: (rng.random(n) < 0.4).astype(float) if nm.startswith("is_") else rng.standard_normal(n)
                         for nm in names}, index=pd.RangeIndex(n, name="customer_id"))


def simulate_spend_covariates(
    n_customers: int, *, p: float, q: float, gamma: float, effects: dict[str, float],
    max_frequency: int = 10, random_state: RandomState = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    r"""Simulate repeat buyers' mean spend under the Gamma-Gamma model with covariates, truth kept.

    Chapter 10. :math:`\gamma_i = \gamma e^{\delta' z_i}`; frequency uniform on 1..max_frequency.
    Covariate names starting with ``"is_"`` are 0/1 (probability 0.4), others standard normal.

    Parameters
    ----------
    n_customers : int
        Number of repeat buyers.
    p, q, gamma : float
        Base Gamma-Gamma parameters.
    effects : dict of str to float
        True coefficients δ.
    max_frequency : int, default=10
        Largest number of repeat purchases.
    random_state : None, int or numpy.random.Generator
        An int repeats exactly; a Generator advances.

    Returns
    -------
    data : pandas.DataFrame
        ``frequency``, ``monetary_value``, ``nu`` (true ν_i), indexed by ``customer_id``.
    covariates : pandas.DataFrame
        One column per covariate.

    Examples
    --------
    >>> spend, covariates = simulate_spend_covariates(200, p=6.0, q=4.0, gamma=15.0, effects={"x": 0.3},
    ...                                               random_state=0)
    >>> list(spend.columns), list(covariates.columns)
    (['frequency', 'monetary_value', 'nu'], ['x'])
    """
    rng = as_generator(random_state)
    n = check_int(n_customers, "n_customers", caller="simulate_spend_covariates", minimum=1)
    cov = _draw_covariates(sorted(effects), n, rng)
    g_i = gamma * np.exp(cov.to_numpy() @ np.array([effects[c] for c in cov.columns]))
    nu = rng.gamma(q, 1.0 / g_i)
    x = rng.integers(1, max_frequency + 1, n).astype(float)
    total = rng.gamma(p * x, 1.0 / nu)
    return pd.DataFrame({"frequency": x, "monetary_value": total / x, "nu": nu}, index=cov.index), cov


def simulate_retention_covariates(
    n_customers: int, *, alpha: float, beta: float, effects_alpha: dict[str, float],
    effects_beta: dict[str, float], horizon: int = 12, random_state: RandomState = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    r"""Simulate sBG subscribers with covariates on α and β, observed for ``horizon`` periods.

    Chapter 10. Covariate names starting with ``"is_"`` are 0/1, others standard normal.

    Parameters
    ----------
    n_customers : int
        Number of subscribers.
    alpha, beta : float
        Base beta parameters of the churn probability.
    effects_alpha, effects_beta : dict of str to float
        True coefficients on α and β.
    horizon : int, default=12
        Periods observed (lifetimes beyond it are censored).
    random_state : None, int or numpy.random.Generator
        An int repeats exactly; a Generator advances.

    Returns
    -------
    data : pandas.DataFrame
        ``lifetime``, ``churned``, ``theta`` (true churn probability), indexed by ``customer_id``.
    covariates : pandas.DataFrame
        One column per covariate.

    Examples
    --------
    >>> lifetimes, covariates = simulate_retention_covariates(
    ...     200, alpha=1.0, beta=3.0, effects_alpha={"x": 0.3}, effects_beta={}, horizon=12, random_state=0)
    >>> list(lifetimes.columns), list(covariates.columns)
    (['lifetime', 'churned', 'theta'], ['x'])
    >>> bool(lifetimes["lifetime"].between(1, 12).all())
    True
    """
    rng = as_generator(random_state)
    n = check_int(n_customers, "n_customers", caller="simulate_retention_covariates", minimum=1)
    cov = _draw_covariates(sorted(set(effects_alpha) | set(effects_beta)), n, rng)
    z = cov.to_numpy()
    a_i = alpha * np.exp(z @ np.array([effects_alpha.get(c, 0.0) for c in cov.columns]))
    b_i = beta * np.exp(z @ np.array([effects_beta.get(c, 0.0) for c in cov.columns]))
    theta = rng.beta(a_i, b_i)
    life = rng.geometric(theta)
    churned = life <= horizon
    return pd.DataFrame({"lifetime": np.minimum(life, horizon), "churned": churned, "theta": theta},
                        index=cov.index), cov


def simulate_pareto_ggg(
    n_customers: int, *, t: float, gamma: float, r: float, alpha: float, s: float, beta: float,
    T: float | np.ndarray, future: float = 0.0, random_state: RandomState = None,
) -> pd.DataFrame:
    """Simulate Pareto/GGG customers (gamma gaps of customer-specific regularity), truth kept.

    Chapter 10. k_i ~ Gamma(t, γ), λ_i ~ Gamma(r, α), gaps Gamma(k_i, k_i λ_i),
    lifetime Exp(μ_i) with μ_i ~ Gamma(s, β) (all gammas with shape, rate).

    Parameters
    ----------
    n_customers : int
        Number of customers.
    t, gamma, r, alpha, s, beta : float
        Population parameters.
    T : float or array-like
        Calibration length per customer.
    future : float, default=0.0
        Holdout length.
    random_state : None, int or numpy.random.Generator
        An int repeats exactly; a Generator advances.

    Returns
    -------
    pandas.DataFrame
        ``frequency``, ``recency``, ``T``, ``litt``, ``frequency_holdout``, ``alive``,
        ``k``, ``lambda``, ``mu`` (the truth), indexed by ``customer_id``.

    Examples
    --------
    >>> data = simulate_pareto_ggg(100, t=2.0, gamma=2.0, r=0.8, alpha=4.0, s=0.6, beta=12.0, T=52.0,
    ...                            random_state=0)
    >>> list(data.columns)
    ['frequency', 'recency', 'T', 'litt', 'frequency_holdout', 'alive', 'k', 'lambda', 'mu']
    """
    n = check_int(n_customers, "n_customers", caller="simulate_pareto_ggg", minimum=1)
    rng = as_generator(random_state)
    Tarr = np.broadcast_to(np.asarray(T, dtype=float), (n,)).copy()
    k = rng.gamma(t, 1.0 / gamma, n)
    lam = rng.gamma(r, 1.0 / alpha, n)
    mu = rng.gamma(s, 1.0 / beta, n)
    tau = rng.exponential(1.0 / mu)
    end_cal, end = np.minimum(tau, Tarr), np.minimum(tau, Tarr + future)
    now = np.zeros(n)
    x = np.zeros(n, dtype=np.int64)
    tx = np.zeros(n)
    litt = np.zeros(n)
    hold = np.zeros(n, dtype=np.int64)
    active = np.arange(n)
    while active.size:  # one pass per purchase number, all customers at once
        gap = rng.gamma(k[active], 1.0 / (k[active] * lam[active]))
        nxt = now[active] + gap
        cal = nxt <= end_cal[active]
        hol = ~cal & (nxt <= end[active])
        ci = active[cal]
        x[ci] += 1
        tx[ci] = nxt[cal]
        litt[ci] += np.log(gap[cal])
        hold[active[hol]] += 1
        now[active] = nxt
        active = active[cal | hol]
    return pd.DataFrame({"frequency": x, "recency": tx, "T": Tarr, "litt": litt, "frequency_holdout": hold,
                         "alive": tau > Tarr, "k": k, "lambda": lam, "mu": mu},
                        index=pd.RangeIndex(n, name="customer_id"))
