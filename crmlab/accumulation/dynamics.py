"""The accumulation effect over time: a Markov chain over {A, B, neither}.

Each period every customer of store A stays with A (retention), switches to
the rival B, or leaves the market ("neither"); the same for B; and people in
the market pool are acquired by A or by B. A small retention gap between the
stores compounds, period after period, into a large gap in share and profit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from crmlab._rng import RandomState, as_generator
from crmlab._validation import check_int, check_number, check_probability

__all__ = ["STATES", "AccumulationChain"]

#: The three states of the chain, in the order of the transition matrix.
STATES: tuple[str, str, str] = ("A", "B", "neither")
_TOL = 1e-10


def _pair(value: float | Sequence[float], name: str, caller: str) -> tuple[float, float]:
    """Return a (store A, store B) pair of probabilities from a scalar or a pair."""
    seq = [value, value] if np.ndim(value) == 0 else list(value)
    if len(seq) != 2:
        raise ValueError(f"{caller}(): '{name}' must be one probability or a pair (A, B); got {value!r}.")
    return (check_probability(seq[0], f"{name}[A]", caller=caller), check_probability(seq[1], f"{name}[B]",
                                                                                      caller=caller))


@dataclass(frozen=True, eq=False)
class AccumulationChain:
    r"""Customers moving between store A, store B and neither, period by period.

    Chapter 7. A three-state Markov chain: row :math:`i` of the transition
    matrix gives where a person in state :math:`i` (A, B, neither) is one
    period later. Expected counts follow :math:`n_{t+1} = n_t P`; the chain is
    the customer accumulation effect (顾客累加效应) of the two-store table made
    dynamic.

    Parameters
    ----------
    transition : array-like of shape (3, 3)
        Row-stochastic matrix over ``("A", "B", "neither")``: entries in
        [0, 1], each row summing to 1. Usually built with :meth:`from_rates`.

    Attributes
    ----------
    P : numpy.ndarray of shape (3, 3)
        The validated transition matrix (read-only copy).

    Raises
    ------
    ValueError
        If the matrix is not 3 × 3, has entries outside [0, 1] or NaN, or a
        row does not sum to 1.

    See Also
    --------
    from_rates : build the matrix from retention, switching and acquisition rates.
    crmlab.accumulation.TwoStoreMarket : the static two-store table.
    crmlab.plotting.plot_share_paths : draw expected (and simulated) paths.

    Notes
    -----
    With retention :math:`r_j`, switching to the rival :math:`s_j` and
    acquisition from the pool :math:`a_j` for store :math:`j`:

    .. math::

        P = \begin{pmatrix}
        r_A & s_A & 1 - r_A - s_A \\
        s_B & r_B & 1 - r_B - s_B \\
        a_A & a_B & 1 - a_A - a_B
        \end{pmatrix}.

    The expected path is :math:`n_t = n_0 P^t` (exact); the steady state is the
    stationary distribution :math:`\pi = \pi P`, :math:`\sum \pi = 1`, times the
    market size; the distance to it shrinks like :math:`|\lambda_2|^t`, the
    second largest eigenvalue modulus, so it halves about every
    :math:`\ln 2 / (-\ln |\lambda_2|)` periods. :meth:`simulate` draws each
    period's moves from a multinomial distribution per state.

    References
    ----------
    .. [1] Course lecture 004, the customer accumulation effect (顾客累加效应).
    .. [2] Pfeifer, P. E. and Carraway, R. L. (2000). Modeling customer
       relationships as Markov chains. Journal of Interactive Marketing, 14(2), 43-55.
    .. [3] Sargent, T. J. and Stachurski, J. QuantEcon, "Finite Markov Chains".

    Examples
    --------
    >>> chain = AccumulationChain.from_rates(retention=(0.80, 0.90), switching=0.05, acquisition=0.10)
    >>> path = chain.expected_path([100, 100, 800], periods=2)
    >>> path.loc[1, ["A", "B"]].round(2).tolist()
    [165.0, 175.0]
    >>> {k: round(v, 3) for k, v in chain.stationary_distribution.items()}
    {'A': 0.261, 'B': 0.435, 'neither': 0.304}
    """

    transition: np.ndarray
    P: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        caller = "AccumulationChain"
        try:
            p = np.array(self.transition, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"{caller}(): 'transition' must be a 3 x 3 array of numbers; got {self.transition!r}.")\
                from None
        if p.shape != (3, 3):
            raise ValueError(f"{caller}(): 'transition' must have shape (3, 3) over {STATES}; got shape {p.shape}.")
        if not np.all(np.isfinite(p)):
            raise ValueError(f"{caller}(): 'transition' has NaN or infinite entries; got {p.tolist()}.")
        if np.any((p < 0) | (p > 1)):
            raise ValueError(f"{caller}(): every entry of 'transition' must lie in [0, 1]; got {p.tolist()}.")
        sums = p.sum(axis=1)
        bad = np.abs(sums - 1.0) > 1e-8
        if bad.any():
            rows = {STATES[i]: round(float(sums[i]), 10) for i in np.flatnonzero(bad)}
            raise ValueError(
                f"{caller}(): every row of 'transition' must sum to 1; rows {rows} do not "
                "(each row lists where one person in that state goes next period)."
            )
        p.setflags(write=False)
        object.__setattr__(self, "transition", p)
        object.__setattr__(self, "P", p)

    @classmethod
    def from_rates(
        cls,
        *,
        retention: float | Sequence[float],
        switching: float | Sequence[float] = 0.0,
        acquisition: float | Sequence[float] = 0.0,
    ) -> AccumulationChain:
        """Build the chain from per-store rates (a scalar applies to both stores).

        Parameters
        ----------
        retention : float or (float, float)
            Share of each store's customers kept for another period.
        switching : float or (float, float), default=0.0
            Share of each store's customers who move to the rival.
        acquisition : float or (float, float), default=0.0
            Share of the market pool ("neither") each store wins per period.

        Returns
        -------
        AccumulationChain

        Raises
        ------
        ValueError
            If a rate lies outside [0, 1], retention + switching exceeds 1 for
            a store, or the two acquisition rates sum to more than 1.
        """
        caller = "AccumulationChain.from_rates"
        r = _pair(retention, "retention", caller)
        s = _pair(switching, "switching", caller)
        a = _pair(acquisition, "acquisition", caller)
        for j, store in enumerate(("A", "B")):
            if r[j] + s[j] > 1 + _TOL:
                raise ValueError(
                    f"{caller}(): retention + switching must be <= 1 for store {store}; "
                    f"got {r[j]} + {s[j]} = {r[j] + s[j]}."
                )
        if a[0] + a[1] > 1 + _TOL:
            raise ValueError(f"{caller}(): the acquisition rates must sum to <= 1; got {a[0]} + {a[1]}.")
        p = np.array([
            [r[0], s[0], max(0.0, 1 - r[0] - s[0])],
            [s[1], r[1], max(0.0, 1 - r[1] - s[1])],
            [a[0], a[1], max(0.0, 1 - a[0] - a[1])],
        ])
        return cls(p)

    @property
    def stationary_distribution(self) -> dict[str, float]:
        """Long-run shares of A, B and neither, from a linear solve of ``pi = pi P``.

        Raises
        ------
        ValueError
            If the chain has no unique stationary distribution (for example
            nobody ever leaves A and nobody ever joins it).
        """
        a = np.vstack([self.P.T - np.eye(3), np.ones((1, 3))])
        b = np.array([0.0, 0.0, 0.0, 1.0])
        if np.linalg.matrix_rank(self.P.T - np.eye(3)) < 2:
            raise ValueError(
                "AccumulationChain.stationary_distribution(): the chain has several stationary distributions "
                "(it splits into closed groups of states); the long run depends on where it starts."
            )
        pi, *_ = np.linalg.lstsq(a, b, rcond=None)
        pi = np.clip(pi, 0.0, None)
        pi = pi / pi.sum()
        return {s: float(v) for s, v in zip(STATES, pi, strict=True)}

    @property
    def second_eigenvalue(self) -> float:
        """Modulus of the second largest eigenvalue: the speed of convergence."""
        mods = np.sort(np.abs(np.linalg.eigvals(self.P)))[::-1]
        return float(mods[1])

    @property
    def half_life(self) -> float:
        r"""Periods for the distance to the steady state to halve, :math:`\ln 2 / (-\ln|\lambda_2|)`."""
        lam = self.second_eigenvalue
        if lam <= 0:
            return 0.0
        if lam >= 1 - _TOL:
            return float("inf")
        return float(np.log(2.0) / -np.log(lam))

    @staticmethod
    def _initial(initial: Sequence[float] | np.ndarray, caller: str, *, integer: bool = False) -> np.ndarray:
        n = np.asarray(initial, dtype=float)
        if n.shape != (3,):
            raise ValueError(f"{caller}(): 'initial' must hold 3 counts (A, B, neither); got shape {n.shape}.")
        if not np.all(np.isfinite(n)) or np.any(n < 0):
            raise ValueError(f"{caller}(): 'initial' customers must be finite and non-negative; got {n.tolist()}.")
        if integer and np.any(n != np.round(n)):
            raise ValueError(f"{caller}(): 'initial' must hold whole numbers of people to simulate; got {n.tolist()}.")
        return n

    def steady_state(self, initial: Sequence[float] | np.ndarray) -> dict[str, float]:
        """Return the long-run expected counts for a market of ``sum(initial)`` people.

        Parameters
        ----------
        initial : array-like of 3 numbers
            Counts in A, B and neither; only their total matters.

        Returns
        -------
        dict
            Expected counts per state in the long run.

        Raises
        ------
        ValueError
            If ``initial`` is not three non-negative counts.
        """
        total = self._initial(initial, "AccumulationChain.steady_state").sum()
        return {s: float(total * v) for s, v in self.stationary_distribution.items()}

    def expected_path(
        self, initial: Sequence[float] | np.ndarray, periods: int, *, margin: float | Sequence[float] = 0.0
    ) -> pd.DataFrame:
        """Return the exact expected counts ``n_0 P^t`` for ``t = 0..periods``.

        Parameters
        ----------
        initial : array-like of 3 numbers
            Counts in A, B and neither at period 0.
        periods : int
            Number of periods to project (>= 1).
        margin : float or (float, float), default=0.0
            Profit per customer per period of A and B, for the profit columns.

        Returns
        -------
        pandas.DataFrame
            Indexed by ``period``; columns ``A``, ``B``, ``neither`` (counts),
            ``share_A``, ``share_B`` (shares of the customers of either store),
            ``gap`` (B − A), ``relative_size`` (B/A), ``profit_A``, ``profit_B``.

        Raises
        ------
        ValueError
            If ``initial`` is not three non-negative counts or ``periods`` < 1.
        """
        caller = "AccumulationChain.expected_path"
        n0 = self._initial(initial, caller)
        t = check_int(periods, "periods", caller=caller, minimum=1)
        m = _margins(margin, caller)
        counts = np.empty((t + 1, 3))
        counts[0] = n0
        for k in range(t):  # a loop over periods, not customers
            counts[k + 1] = counts[k] @ self.P
        return _frame(counts, m)

    def half_gap_time(self, initial: Sequence[float] | np.ndarray, *, max_periods: int = 10_000) -> int:
        r"""Return the first period at which B − A has covered half its way to the steady state.

        Parameters
        ----------
        initial : array-like of 3 numbers
            Counts in A, B and neither at period 0.
        max_periods : int, default=10000
            Give up after this many periods.

        Returns
        -------
        int
            Smallest :math:`t` with :math:`|g_t - g_\infty| \le |g_0 - g_\infty| / 2`
            for the expected gap :math:`g_t = B_t - A_t` (0 if already there).

        Raises
        ------
        ValueError
            If the half gap is not reached within ``max_periods``.
        """
        caller = "AccumulationChain.half_gap_time"
        n = self._initial(initial, caller)
        limit = check_int(max_periods, "max_periods", caller=caller, minimum=1)
        ss = self.steady_state(n)
        target = ss["B"] - ss["A"]
        start = abs(n[1] - n[0] - target)
        for t in range(limit + 1):  # a loop over periods
            if abs(n[1] - n[0] - target) <= start / 2 + 1e-12:
                return t
            n = n @ self.P
        raise ValueError(f"{caller}(): half the gap was not reached within max_periods={limit}.")

    def simulate(
        self,
        initial: Sequence[int] | np.ndarray,
        periods: int,
        *,
        n_paths: int = 1,
        margin: float | Sequence[float] = 0.0,
        random_state: RandomState = None,
    ) -> pd.DataFrame:
        """Simulate whole numbers of people moving with multinomial draws.

        Parameters
        ----------
        initial : array-like of 3 whole numbers
            Counts in A, B and neither at period 0.
        periods : int
            Number of periods (>= 1).
        n_paths : int, default=1
            Independent paths to simulate (vectorised over paths).
        margin : float or (float, float), default=0.0
            Profit per customer per period of A and B.
        random_state : None, int or numpy.random.Generator, default=None
            An int repeats exactly; a Generator advances.

        Returns
        -------
        pandas.DataFrame
            Columns ``path``, ``period`` and the columns of :meth:`expected_path`,
            one row per path and period.

        Raises
        ------
        ValueError
            If ``initial`` is not three whole non-negative numbers, or
            ``periods`` / ``n_paths`` < 1.
        """
        caller = "AccumulationChain.simulate"
        n0 = self._initial(initial, caller, integer=True).astype(np.int64)
        t = check_int(periods, "periods", caller=caller, minimum=1)
        k = check_int(n_paths, "n_paths", caller=caller, minimum=1)
        m = _margins(margin, caller)
        rng = as_generator(random_state, caller=caller)
        counts = np.empty((k, t + 1, 3), dtype=np.int64)
        counts[:, 0] = n0
        for step in range(t):  # periods x 3 origin states; each draw is vectorised over paths
            now = counts[:, step]
            moves = sum(rng.multinomial(now[:, i], self.P[i]) for i in range(3))
            counts[:, step + 1] = moves
        frame = _frame(counts.reshape(-1, 3).astype(float), m).reset_index(drop=True)
        frame[list(STATES)] = frame[list(STATES)].astype(np.int64)
        frame.insert(0, "period", np.tile(np.arange(t + 1), k))
        frame.insert(0, "path", np.repeat(np.arange(k), t + 1))
        return frame


def _margins(margin: float | Sequence[float], caller: str) -> np.ndarray:
    seq = [margin, margin] if np.ndim(margin) == 0 else list(margin)
    if len(seq) != 2:
        raise ValueError(f"{caller}(): 'margin' must be one number or a pair (A, B); got {margin!r}.")
    return np.array([check_number(v, "margin", caller=caller, minimum=0) for v in seq])


def _frame(counts: np.ndarray, margin: np.ndarray) -> pd.DataFrame:
    a, b = counts[:, 0], counts[:, 1]
    served = a + b
    with np.errstate(divide="ignore", invalid="ignore"):
        share_a = np.where(served > 0, a / np.where(served > 0, served, 1), np.nan)
        ratio = np.where(a > 0, b / np.where(a > 0, a, 1), np.inf)
    frame = pd.DataFrame({
        "A": a, "B": b, "neither": counts[:, 2], "share_A": share_a, "share_B": 1 - share_a,
        "gap": b - a, "relative_size": ratio, "profit_A": a * margin[0], "profit_B": b * margin[1],
    })
    frame.index.name = "period"
    return frame
