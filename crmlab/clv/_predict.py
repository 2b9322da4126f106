"""Prediction methods shared by the recency-frequency models (P(alive), expectations, CLV).

Chapter 6.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from crmlab._validation import (
    check_int,
    check_number,
)
from crmlab.clv._data import check_horizon, factorize_rows


def _unique_rfm_rows(x: np.ndarray, tx: np.ndarray, T: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """Return the unique ``(x, t_x, T)`` rows and the map back to every row (two or three hash passes, not six).

    ``x`` holds whole numbers (validated), so it enters the row key as it is; ``t_x`` and
    ``T`` are coded by hashing, and the three codes are packed into one integer per row.
    Falls back to :func:`factorize_rows` when the packed key could overflow.
    """
    n = len(x)
    if n == 0 or x.min() < 0 or x.max() >= 2**20:
        return factorize_rows(x, tx, T)
    c_tx, u_tx = pd.factorize(tx)
    c_T, u_T = pd.factorize(T)
    span_x = int(x.max()) + 1
    if len(u_T) * len(u_tx) * span_x >= 2**62:
        return factorize_rows(x, tx, T)
    key = (c_T.astype(np.int64) * len(u_tx) + c_tx) * span_x + x.astype(np.int64)
    n_keys = len(u_T) * len(u_tx) * span_x
    if n_keys <= 4 * n:  # few possible keys (data on a grid): a dense table, no third hash pass
        seen = np.zeros(n_keys, dtype=bool)
        seen[key] = True
        uniq = np.flatnonzero(seen)
        code = np.zeros(n_keys, dtype=np.intp)  # lazily zeroed: only the used keys' pages are touched
        code[uniq] = np.arange(len(uniq))
        inv = code[key]
    else:
        inv, uniq = pd.factorize(key)
    xi = uniq % span_x
    rest = uniq // span_x
    return [xi.astype(float), np.asarray(u_tx, dtype=float)[rest % len(u_tx)],
            np.asarray(u_T, dtype=float)[rest // len(u_tx)]], inv


class PredictionMixin:
    """Public prediction methods shared by the recency-frequency models.

    Subclasses implement ``_h_p_alive(p, x, tx, T)``, ``_h_cond_expected(p, t, x, tx, T)``,
    ``_h_new_expected(p, t)`` and optionally ``_h_cond_pmf(p, k, t, x, tx, T)`` and
    ``_h_new_pmf(p, k, t)``, all vectorised over customers.
    """

    _time_word = "time units"

    def _series(self, values: np.ndarray, index: pd.Index, name: str) -> pd.Series:
        return pd.Series(values, index=index, name=name)

    def _on_unique(self, fn: Callable[..., np.ndarray], x: np.ndarray, tx: np.ndarray,
                   T: np.ndarray) -> np.ndarray:
        (ux, utx, uT), inv = self._unique_rows_cached(x, tx, T)
        with np.errstate(all="ignore"):
            return np.asarray(fn(ux, utx, uT))[inv]

    def _unique_rows_cached(self, x: np.ndarray, tx: np.ndarray,
                            T: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
        """:func:`_unique_rfm_rows`, reused when the previous call had equal arrays (methods called together).

        The cache is checked by value (``array_equal`` on the three arrays), never by identity,
        so other data can never get these rows.
        """
        cached = getattr(self, "_unique_rows_cache", None)
        if cached is not None and all(np.array_equal(a, b) for a, b in zip(cached[0], (x, tx, T), strict=True)):
            return cached[1], cached[2]
        uniq, inv = _unique_rfm_rows(x, tx, T)
        self._unique_rows_cache = ((x, tx, T), uniq, inv)
        return uniq, inv

    def probability_alive(self, data: pd.DataFrame | None = None) -> pd.Series:
        """Return each customer's probability of still being active at the end of observation.

        Parameters
        ----------
        data : pandas.DataFrame, optional
            Columns ``frequency``, ``recency``, ``T``; default the training data.

        Returns
        -------
        pandas.Series
            ``p_alive`` in [0, 1], with the index of ``data``.
        """
        caller = f"{type(self).__name__}.probability_alive"
        index, x, tx, T = self._rows(data, caller)
        p = self._p()
        out = self._on_unique(lambda a, b, c: self._h_p_alive(p, a, b, c), x, tx, T)
        return self._series(np.clip(out, 0.0, 1.0), index, "p_alive")

    def expected_purchases(self, t: float, data: pd.DataFrame | None = None) -> pd.Series:
        """Return each customer's expected number of purchases in the next ``t`` time units.

        Parameters
        ----------
        t : float
            Length of the future window, in the time unit of the data (>= 0).
        data : pandas.DataFrame, optional
            Columns ``frequency``, ``recency``, ``T``; default the training data.

        Returns
        -------
        pandas.Series
            ``expected_purchases``, indexed like :meth:`probability_alive`.
        """
        caller = f"{type(self).__name__}.expected_purchases"
        t = check_horizon(t, "t", caller=caller)
        index, x, tx, T = self._rows(data, caller)
        p = self._p()
        out = self._on_unique(lambda a, b, c: self._h_cond_expected(p, t, a, b, c), x, tx, T)
        return self._series(out, index, "expected_purchases")

    def expected_purchases_new_customer(self, t: float | np.ndarray) -> float | np.ndarray:
        """Return the expected number of repeat purchases of a new customer within ``t``.

        Parameters
        ----------
        t : float or array-like
            Time(s) since acquisition.

        Returns
        -------
        float or numpy.ndarray
            Same shape as ``t``.
        """
        caller = f"{type(self).__name__}.expected_purchases_new_customer"
        arr = np.asarray(t, dtype=float)
        if not np.all(np.isfinite(arr)) or np.any(arr < 0):
            raise ValueError(f"{caller}(): 't' must be finite and >= 0; got {t!r}.")
        with np.errstate(all="ignore"):
            out = np.asarray(self._h_new_expected(self._p(), arr), dtype=float)
        return float(out) if out.ndim == 0 else out

    def probability_of_purchases(self, k: int, t: float, data: pd.DataFrame | None = None) -> pd.Series:
        """Return each customer's probability of exactly ``k`` purchases in the next ``t``.

        Parameters
        ----------
        k : int
            Number of purchases (>= 0).
        t : float
            Length of the future window.
        data : pandas.DataFrame, optional
            Default the training data.

        Returns
        -------
        pandas.Series
            ``probability``.
        """
        caller = f"{type(self).__name__}.probability_of_purchases"

        k = check_int(k, "k", caller=caller, minimum=0)
        t = check_horizon(t, "t", caller=caller)
        index, x, tx, T = self._rows(data, caller)
        p = self._p()
        out = self._on_unique(lambda a, b, c: self._h_cond_pmf(p, k, t, a, b, c), x, tx, T)
        return self._series(np.clip(out, 0.0, 1.0), index, "probability")

    def probability_of_purchases_new_customer(self, k: int | np.ndarray, t: float) -> float | np.ndarray:
        """Return P(X(t) = k) for a newly acquired customer (k may be an array).

        Parameters
        ----------
        k : int or array-like of int
            Numbers of repeat purchases.
        t : float
            Time since acquisition.

        Returns
        -------
        float or numpy.ndarray
        """
        caller = f"{type(self).__name__}.probability_of_purchases_new_customer"
        t = check_horizon(t, "t", caller=caller)
        karr = np.asarray(k)
        if not np.issubdtype(karr.dtype, np.integer) or np.any(karr < 0):
            raise ValueError(f"{caller}(): 'k' must hold integers >= 0; got {k!r}.")
        with np.errstate(all="ignore"):
            out = np.clip(np.asarray(self._h_new_pmf(self._p(), karr.astype(float), t), dtype=float), 0, 1)
        return float(out) if out.ndim == 0 else out

    def discounted_expected_transactions(
        self, data: pd.DataFrame | None = None, *, horizon: float, discount_rate: float,
        period_length: float = 1.0,
    ) -> pd.Series:
        """Return discounted expected residual transactions over a finite horizon.

        The horizon is cut into periods of ``period_length`` time units; the
        expected purchases falling in period ``i`` are discounted by
        ``(1 + discount_rate) ** i``.

        Parameters
        ----------
        data : pandas.DataFrame, optional
            Default the training data.
        horizon : float
            Total future time, in the data's time unit.
        discount_rate : float
            Discount rate per period (>= 0).
        period_length : float, default=1.0
            Length of one discounting period, in the data's time unit.

        Returns
        -------
        pandas.Series
            ``discounted_transactions``.
        """
        caller = f"{type(self).__name__}.discounted_expected_transactions"
        horizon = check_number(horizon, "horizon", caller=caller, minimum=0.0, strict_min=True)
        d = check_number(discount_rate, "discount_rate", caller=caller, minimum=0.0)
        step = check_number(period_length, "period_length", caller=caller, minimum=0.0, strict_min=True)
        n_per = int(np.ceil(horizon / step - 1e-9))
        if n_per > 10_000:
            raise ValueError(f"{caller}(): horizon/period_length gives {n_per} periods; use at most 10,000.")
        index, x, tx, T = self._rows(data, caller)
        p = self._p()
        ends = np.minimum(np.arange(1, n_per + 1) * step, horizon)
        disc = (1.0 + d) ** -np.arange(1, n_per + 1)

        def fn(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
            cum = np.column_stack([self._h_cond_expected(p, e, a, b, c) for e in ends])
            inc = np.diff(np.column_stack([np.zeros(len(a)), cum]), axis=1)
            return inc @ disc

        return self._series(self._on_unique(fn, x, tx, T), index, "discounted_transactions")

    def customer_lifetime_value(
        self, spend: pd.Series | np.ndarray | float, data: pd.DataFrame | None = None, *, horizon: float,
        discount_rate: float, period_length: float = 1.0, margin: float = 1.0,
    ) -> pd.Series:
        """Return each customer's discounted residual lifetime value.

        CLV = margin × expected spend per purchase × discounted expected
        residual transactions (see :meth:`discounted_expected_transactions`).

        Parameters
        ----------
        spend : float or array-like
            Expected spend per purchase for each customer (e.g.
            ``GammaGammaModel.expected_spend``), or one number for everyone.
        data : pandas.DataFrame, optional
            Default the training data.
        horizon, discount_rate, period_length
            As in :meth:`discounted_expected_transactions`.
        margin : float, default=1.0
            Profit margin applied to spend.

        Returns
        -------
        pandas.Series
            ``clv``.
        """
        caller = f"{type(self).__name__}.customer_lifetime_value"
        m = check_number(margin, "margin", caller=caller)
        dert = self.discounted_expected_transactions(data, horizon=horizon, discount_rate=discount_rate,
                                                     period_length=period_length)
        if isinstance(spend, pd.Series) and not spend.index.equals(dert.index):
            raise ValueError(f"{caller}(): 'spend' is a Series whose index differs from the customers' index; "
                             "align it first (e.g. spend.reindex(data.index)) so no customer gets another's spend.")
        s = np.asarray(spend, dtype=float)
        if s.ndim > 0 and s.shape != (len(dert),):
            raise ValueError(f"{caller}(): 'spend' must be one number or one value per customer "
                             f"({len(dert)}); got shape {s.shape}.")
        if np.any(~np.isfinite(s)) or np.any(s < 0):
            raise ValueError(f"{caller}(): 'spend' must be finite and >= 0.")
        return self._series(m * s * dert.to_numpy(), dert.index, "clv")

    def _h_cond_pmf(self, p: tuple[float, ...], k: int, t: float, x: np.ndarray, tx: np.ndarray,
                    T: np.ndarray) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__} does not implement probability_of_purchases.")

    def _h_new_pmf(self, p: tuple[float, ...], k: np.ndarray, t: float) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__} does not implement probability_of_purchases_new_customer.")

