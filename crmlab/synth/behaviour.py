"""Purchasing, drop-out and spend from explicit BTYD models (vectorised).

Chapter 0 (and the test bed of chapters 3 and 6). Every function here works on
whole arrays of customers at once: counts first (Poisson, geometric), then all
purchase times together from exponential spacings, never a loop over customers.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import special

from crmlab._rng import RandomState, as_generator
from crmlab._validation import check_number
from crmlab.synth.config import SegmentParams

__all__ = [
    "btyd_expected_purchases",
    "btyd_residual_value",
    "simulate_btyd",
]

WEEK_DAYS = 7.0


def segment_array(params: Sequence[SegmentParams], seg: np.ndarray, name: str) -> np.ndarray:
    """Return field ``name`` of each customer's segment as a float array."""
    return np.array([getattr(p, name) for p in params], dtype=float)[seg]


def copula_normal(z_loyalty: np.ndarray, coupling: float, sign: float, rng: np.random.Generator) -> np.ndarray:
    """Return standard normal scores correlated ``sign * coupling`` with ``z_loyalty`` (a Gaussian copula)."""
    noise = rng.standard_normal(z_loyalty.shape[0])
    return sign * coupling * z_loyalty + np.sqrt(1.0 - coupling**2) * noise


_GRID = np.linspace(-8.5, 8.5, 2049)


def beta_of_normal(group: np.ndarray, a: Sequence[float], b: Sequence[float], z: np.ndarray) -> np.ndarray:
    """Beta(a[g], b[g]) quantiles of the normal scores ``z``: exact Beta marginals for copula draws.

    The quantile function of each group (segment) is tabulated once on a fine grid
    of normal scores and interpolated in log space, which is far faster than
    inverting the incomplete beta function for every customer.
    """
    out = np.empty(z.shape[0])
    u = special.ndtr(_GRID)
    for k, (ak, bk) in enumerate(zip(a, b, strict=True)):  # one table per segment, not per customer
        mask = group == k
        low = special.betaincinv(ak, bk, u)
        upper_tail = special.betaincinv(bk, ak, u[::-1])  # 1 - q, accurate near 1
        log_q_upper = np.log1p(-np.minimum(upper_tail, np.nextafter(1.0, 0.0)))  # finite even where unused
        table = np.where(low > 0.5, log_q_upper, np.log(np.maximum(low, 1e-300)))
        out[mask] = np.exp(np.interp(z[mask], _GRID, table))
    return np.clip(out, 1e-9, 1.0 - 1e-9)


def gamma_by_group(group: np.ndarray, shape: Sequence[float], rng: np.random.Generator) -> np.ndarray:
    """Unit-rate Gamma(shape[g]) draws, one per element of ``group``, one batch per group."""
    out = np.empty(group.shape[0])
    for k, value in enumerate(shape):  # one batch per segment
        mask = group == k
        out[mask] = rng.standard_gamma(value, int(mask.sum()))
    return out


def simulate_btyd(
    lam: np.ndarray, p: np.ndarray, exposure: np.ndarray, *, random_state: RandomState = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    r"""Simulate repeat purchases and drop-out of many BG/NBD customers at once.

    Each customer buys at time 0 (the first purchase) and then as a Poisson
    process with rate ``lam``; after each repeat purchase she drops out with
    probability ``p``. Observation lasts ``exposure`` weeks.

    Parameters
    ----------
    lam, p, exposure : numpy.ndarray
        Weekly purchase rate, drop-out probability and exposure (weeks) per customer.
    random_state : None, int or numpy.random.Generator, default=None
        An int repeats exactly; a Generator advances.

    Returns
    -------
    x : numpy.ndarray of int64
        Number of repeat purchases in ``(0, exposure)``.
    times : numpy.ndarray of float
        All repeat-purchase times (weeks since the first purchase), grouped by
        customer in customer order and increasing within a customer.
    alive : numpy.ndarray of bool
        Still alive at the end of exposure.
    dropout_time : numpy.ndarray of float
        Week of drop-out (the last repeat purchase) or NaN when alive.

    Raises
    ------
    TypeError
        If an input is not numeric.
    ValueError
        If the arrays are not 1-D of one length, a rate or exposure is negative or not
        finite, or a ``p`` lies outside (0, 1].

    Notes
    -----
    With :math:`N \sim \mathrm{Poisson}(\lambda T)` purchase opportunities and
    :math:`J \sim \mathrm{Geometric}(p)` purchases before drop-out, the customer
    makes :math:`x = \min(N, J)` repeat purchases and is alive iff :math:`N < J`.
    The first :math:`x` of :math:`N` sorted uniforms on :math:`(0, T)` are
    :math:`T S_i / (S_x + G)` with :math:`S_i` partial sums of unit exponentials and
    :math:`G \sim \mathrm{Gamma}(N + 1 - x)`, so only :math:`\sum x` exponentials
    are drawn, with no sort.

    Examples
    --------
    >>> import numpy as np
    >>> counts, times, alive, last = simulate_btyd(np.full(3, 0.5), np.full(3, 0.2), np.full(3, 30.0), random_state=0)
    >>> bool(len(times) == counts.sum()), counts.dtype.kind
    (True, 'i')
    """
    caller = "simulate_btyd"
    lam, p, exposure = _simulation_arrays(lam, p, exposure, caller)
    rng = as_generator(random_state, caller=caller)
    n = rng.poisson(lam * exposure)
    j = rng.geometric(p)
    x = np.minimum(n, j).astype(np.int64)
    alive = n < j
    total = int(x.sum())
    spacings = rng.standard_exponential(total)
    csum = np.cumsum(spacings)
    ends = np.cumsum(x)
    starts = ends - x
    base = np.zeros(x.shape[0])
    has_prior = starts > 0
    base[has_prior] = csum[starts[has_prior] - 1]
    s_last = np.zeros(x.shape[0])
    bought = x > 0
    s_last[bought] = csum[ends[bought] - 1] - base[bought]
    g = rng.standard_gamma(n - x + 1.0)
    scale = exposure / (s_last + g)
    owner = np.repeat(np.arange(x.shape[0]), x)
    times = (csum - base[owner]) * scale[owner]
    dropout_time = np.where(alive, np.nan, s_last * scale)
    return x, times, alive, dropout_time


def _simulation_arrays(
    lam: np.ndarray, p: np.ndarray, exposure: np.ndarray, caller: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validate the per-customer inputs of :func:`simulate_btyd` (same length, in range)."""
    try:
        arrays = [np.asarray(a, dtype=float) for a in (lam, p, exposure)]
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{caller}(): 'lam', 'p' and 'exposure' must be numeric arrays.") from exc
    if any(a.ndim != 1 for a in arrays) or len({a.shape[0] for a in arrays}) != 1:
        raise ValueError(f"{caller}(): 'lam', 'p' and 'exposure' must be 1-D arrays of the same length; got shapes "
                         f"{[a.shape for a in arrays]}.")
    lam_a, p_a, exp_a = arrays
    for name, bad, rule in (("lam", ~(np.isfinite(lam_a) & (lam_a >= 0)), "finite rates >= 0"),
                            ("p", ~((p_a > 0) & (p_a <= 1)), "drop-out probabilities in (0, 1]"),
                            ("exposure", ~(np.isfinite(exp_a) & (exp_a >= 0)), "finite lengths >= 0")):
        if bad.any():
            raise ValueError(f"{caller}(): '{name}' must hold {rule}; {int(bad.sum())} value(s) do not "
                             f"(first positions: {np.flatnonzero(bad)[:5].tolist()}).")
    return lam_a, p_a, exp_a


def _btyd_arrays(
    lam: np.ndarray, p: np.ndarray, alive: np.ndarray, caller: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validate and broadcast the individual BTYD parameters of the public truth functions."""
    try:
        lam_a, p_a = np.asarray(lam, dtype=float), np.asarray(p, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{caller}(): 'lam' and 'p' must be numeric arrays.") from exc
    alive_a = np.asarray(alive)
    if alive_a.dtype != bool:
        raise TypeError(f"{caller}(): 'alive' must be a boolean array; got dtype {alive_a.dtype}.")
    try:
        lam_a, p_a, alive_a = np.broadcast_arrays(lam_a, p_a, alive_a)
    except ValueError as exc:
        raise ValueError(
            f"{caller}(): 'lam', 'p' and 'alive' must have the same length; got shapes "
            f"{np.shape(lam)}, {np.shape(p)} and {np.shape(alive)}."
        ) from exc
    if not np.all(np.isfinite(lam_a) & (lam_a >= 0)):
        raise ValueError(f"{caller}(): 'lam' must hold finite purchase rates >= 0.")
    if not np.all((p_a >= 0) & (p_a <= 1)):
        raise ValueError(f"{caller}(): 'p' must hold drop-out probabilities in [0, 1].")
    return lam_a, p_a, alive_a


def btyd_expected_purchases(
    lam: np.ndarray, p: np.ndarray, alive: np.ndarray, horizon: float
) -> np.ndarray:
    r"""Return the expected purchases in the next ``horizon`` weeks under known individual parameters.

    Chapter 6 (truth of the BTYD models).

    Parameters
    ----------
    lam, p : numpy.ndarray
        Weekly purchase rate and drop-out probability per purchase.
    alive : numpy.ndarray of bool
        Whether each customer is alive at the start of the horizon.
    horizon : float
        Horizon in weeks.

    Returns
    -------
    numpy.ndarray
        :math:`(1 - e^{-\lambda p h}) / p` for live customers (its limit
        :math:`\lambda h` when :math:`p = 0`), 0 otherwise.

    Raises
    ------
    TypeError
        If ``lam`` or ``p`` is not numeric or ``alive`` is not boolean.
    ValueError
        If the arrays differ in length, a rate is negative, a ``p`` lies outside [0, 1]
        or ``horizon`` is negative.

    Notes
    -----
    While alive, purchases arrive at rate :math:`\lambda` and death at rate
    :math:`\lambda p` (each purchase ends the relationship with probability
    :math:`p`), so

    .. math:: E[X(h) \mid \lambda, p, \text{alive}] = \int_0^h \lambda e^{-\lambda p t}\,dt
              = \frac{1 - e^{-\lambda p h}}{p}.

    Examples
    --------
    >>> import numpy as np
    >>> btyd_expected_purchases(np.array([1.0]), np.array([0.1]), np.array([True]), 10.0).round(3)
    array([6.321])
    """
    caller = "btyd_expected_purchases"
    lam, p, alive = _btyd_arrays(lam, p, alive, caller)
    h = check_number(horizon, "horizon", caller=caller, minimum=0.0)
    dies = p > 0  # p = 0 never drops out: the limit of (1 - exp(-lam p h)) / p is lam h, without a 0/0
    value = np.where(dies, -np.expm1(-lam * p * h) / np.where(dies, p, 1.0), lam * h)
    return np.where(alive, value, 0.0)


def btyd_residual_value(
    lam: np.ndarray, p: np.ndarray, alive: np.ndarray, mean_spend: np.ndarray, margin: float, annual_rate: float
) -> np.ndarray:
    r"""Discounted expected future margin of each customer (true residual value).

    Chapter 6.

    Parameters
    ----------
    lam, p : numpy.ndarray
        Weekly purchase rate and drop-out probability per purchase.
    alive : numpy.ndarray of bool
        Alive at the valuation date.
    mean_spend : numpy.ndarray
        Expected spend per transaction.
    margin : float
        Gross margin share of spend.
    annual_rate : float
        Yearly discount rate, converted to a continuous weekly rate
        :math:`\delta = \ln(1 + d) / 52`.

    Returns
    -------
    numpy.ndarray
        Zero for customers who already dropped out.

    Raises
    ------
    TypeError
        If ``lam``, ``p`` or ``mean_spend`` is not numeric or ``alive`` is not boolean.
    ValueError
        If the arrays differ in length, a rate is negative, a ``p`` lies outside [0, 1],
        ``margin`` lies outside [0, 1], ``annual_rate`` is negative, or ``p = 0`` with
        ``annual_rate = 0`` (an undiscounted customer who never leaves is worth an infinite amount).

    Notes
    -----
    .. math:: RV = m\,\bar z \int_0^\infty \lambda e^{-(\lambda p + \delta) t}\,dt
              = m\,\bar z\,\frac{\lambda}{\lambda p + \delta}.

    Examples
    --------
    >>> import numpy as np
    >>> btyd_residual_value(np.array([1.0]), np.array([0.1]), np.array([True]), np.array([10.0]), 0.5, 0.0)
    array([50.])
    """
    caller = "btyd_residual_value"
    lam, p, alive = _btyd_arrays(lam, p, alive, caller)
    m = check_number(margin, "margin", caller=caller, minimum=0.0, maximum=1.0)
    rate = check_number(annual_rate, "annual_rate", caller=caller, minimum=0.0)
    delta = np.log1p(rate) / 52.0
    if delta == 0 and np.any(alive & (p == 0) & (lam > 0)):
        raise ValueError(f"{caller}(): with 'annual_rate' 0, customers with p = 0 have an infinite residual value.")
    with np.errstate(invalid="ignore"):  # lam = 0 and p = 0 and delta = 0 gives 0/0: no purchases, worth 0
        det = np.where(lam > 0, lam / (lam * p + delta), 0.0)
    return np.where(alive, m * np.asarray(mean_spend, dtype=float) * det, 0.0)


def category_draws(
    favourite: np.ndarray, loyalty_share: np.ndarray, owner: np.ndarray, popularity: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Draw the category of each purchase (favourite or a popularity draw, so customers cross-buy).

    A purchase is in the owner's favourite category with probability ``loyalty_share``,
    otherwise in a category drawn from the population's ``popularity``.
    """
    other = np.searchsorted(np.cumsum(popularity), rng.random(owner.shape[0]), side="right")
    other = np.minimum(other, popularity.shape[0] - 1)
    fav = rng.random(owner.shape[0]) < loyalty_share[owner]
    return np.where(fav, favourite[owner], other).astype(np.int16)


def category_popularity(n_categories: int) -> np.ndarray:
    """Share of each category in the population (a gentle Zipf law)."""
    base = 1.0 / np.arange(1, n_categories + 1) ** 0.6
    return base / base.sum()
