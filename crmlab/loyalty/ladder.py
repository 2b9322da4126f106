"""The loyalty ladder: stages from behaviour, a stage-transition Markov chain, its steady state.

Chapter 5. The ladder (客户忠诚阶梯) has six rungs, from prospect (潜在购买者) to
partner (合伙人). Each period every customer stands on one rung; moving between
rungs from one period to the next is modelled as a Markov chain whose transition
matrix is estimated from consecutive periods.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from crmlab._rng import RandomState, as_generator
from crmlab._validation import CrmlabWarning, check_columns, check_dates, check_frame, check_int, check_no_missing
from crmlab.loyalty._markov import check_stochastic, count_pairs, encode, labels_frame, simulate_codes, stationary

__all__ = ["LADDER_STAGES", "LadderChain", "fit_ladder_chain", "ladder_stages", "ladder_transition_counts"]

#: The six rungs of the loyalty ladder, bottom to top.
LADDER_STAGES: tuple[str, ...] = ("prospect", "buyer", "customer", "follower", "advocate", "partner")


@dataclass(frozen=True, eq=False)
class LadderChain:
    r"""A finite Markov chain over loyalty-ladder stages (QuantEcon ``MarkovChain`` style).

    Chapter 5 (loyalty ladder dynamics, 忠诚阶梯的动态).

    Parameters
    ----------
    P : array-like of shape (k, k)
        Transition matrix: ``P[i, j]`` is the probability that a customer on stage *i* this period
        is on stage *j* next period. Rows sum to 1.
    stages : tuple of str, default=LADDER_STAGES
        Stage names, bottom rung first; ``len(stages)`` must equal ``k``.

    Attributes
    ----------
    n_stages : int
        Number of stages *k*.
    stationary_distribution : pandas.Series
        Long-run share of customers on each stage.

    Raises
    ------
    ValueError
        If ``P`` is not square and row-stochastic or ``stages`` does not match it.

    See Also
    --------
    fit_ladder_chain, crmlab.plotting.plot_ladder_path

    Notes
    -----
    The stage distribution evolves as :math:`\mu_{t+1} = \mu_t P`; the steady state solves
    :math:`\pi = \pi P`, :math:`\sum_j \pi_j = 1`.

    References
    ----------
    Christopher, M., Payne, A., & Ballantyne, D. (1991). *Relationship Marketing*. Butterworth-Heinemann.

    Examples
    --------
    >>> chain = LadderChain([[0.8, 0.2], [0.1, 0.9]], stages=("buyer", "advocate"))
    >>> chain.stationary_distribution.round(3).tolist()
    [0.333, 0.667]
    """

    P: Any
    stages: tuple[str, ...] = field(default=LADDER_STAGES)

    def __post_init__(self) -> None:
        P = check_stochastic(self.P, caller="LadderChain", name="P")
        stages = tuple(str(s) for s in self.stages)
        if len(stages) != P.shape[0] or len(set(stages)) != len(stages):
            raise ValueError(
                f"LadderChain(): 'stages' must hold {P.shape[0]} distinct names, one per row of P; got {stages}."
            )
        object.__setattr__(self, "P", P)
        object.__setattr__(self, "stages", stages)

    @property
    def n_stages(self) -> int:
        """Return the number of stages."""
        return len(self.stages)

    @property
    def stationary_distribution(self) -> pd.Series:
        """Return the steady-state share of customers on each stage (raises if the chain is reducible)."""
        pi = stationary(self.P, caller="LadderChain.stationary_distribution")
        return pd.Series(pi, index=pd.Index(self.stages, name="stage"), name="stationary_share")

    def to_frame(self) -> pd.DataFrame:
        """Return ``P`` as a labelled DataFrame (rows: from, columns: to)."""
        return pd.DataFrame(self.P, index=pd.Index(self.stages, name="from"), columns=pd.Index(self.stages, name="to"))

    def _initial(self, init: Any, caller: str) -> np.ndarray:
        if isinstance(init, str):
            init = encode([init], self.stages, caller=caller, name="init", what="stage")[0]
            return np.eye(self.n_stages)[init]
        dist = np.asarray(init, dtype=float).ravel()
        if dist.shape != (self.n_stages,) or (dist < 0).any() or abs(dist.sum() - 1) > 1e-6:
            raise ValueError(
                f"{caller}(): 'init' must be a stage name or a distribution of {self.n_stages} non-negative "
                f"shares summing to 1; got {init!r}."
            )
        return dist / dist.sum()

    def distribution_path(self, init: Any = "prospect", n_periods: int = 12) -> pd.DataFrame:
        """Return the expected share of customers on each stage for periods 0..n_periods.

        Parameters
        ----------
        init : str or array-like, default="prospect"
            Starting stage (everyone there) or starting distribution over stages.
        n_periods : int, default=12
            Number of steps to take.

        Returns
        -------
        pandas.DataFrame
            Index ``period`` (0..n_periods), one column per stage, rows summing to 1.
        """
        n_periods = check_int(n_periods, "n_periods", caller="LadderChain.distribution_path", minimum=0)
        mu = self._initial(init, "LadderChain.distribution_path")
        rows = [mu]
        for _ in range(n_periods):
            rows.append(rows[-1] @ self.P)
        return pd.DataFrame(rows, index=pd.RangeIndex(n_periods + 1, name="period"), columns=list(self.stages))

    def simulate(
        self, n_periods: int, *, n_customers: int = 1, init: Any = "prospect", random_state: RandomState = None
    ) -> pd.DataFrame:
        """Simulate customers climbing (and slipping down) the ladder.

        Parameters
        ----------
        n_periods : int
            Number of periods to record (period 0 is the starting stage).
        n_customers : int, default=1
            Number of independent customers.
        init : str or array-like, default="prospect"
            Starting stage, or a distribution from which each customer's start is drawn.
        random_state : None, int or numpy.random.Generator, default=None
            An int repeats exactly; a Generator advances.

        Returns
        -------
        pandas.DataFrame
            Index ``customer_id`` (1..n_customers), columns periods 0..n_periods-1, stage names as
            ordered categoricals (the panel format read by :func:`fit_ladder_chain`).
        """
        caller = "LadderChain.simulate"
        n_periods = check_int(n_periods, "n_periods", caller=caller, minimum=1)
        n_customers = check_int(n_customers, "n_customers", caller=caller, minimum=1)
        mu = self._initial(init, caller)
        rng = as_generator(random_state, caller=caller)
        start = rng.choice(self.n_stages, size=n_customers, p=mu)
        codes = simulate_codes(self.P, start, n_periods, rng)
        return labels_frame(codes, self.stages, pd.RangeIndex(1, n_customers + 1, name="customer_id"),
                            range(n_periods))


def _panel_codes(panel: pd.DataFrame, stages: Sequence[str], caller: str) -> np.ndarray:
    check_frame(panel, caller=caller, name="panel")
    if panel.shape[1] < 2:
        raise ValueError(
            f"{caller}(): 'panel' has {panel.shape[1]} period column(s); transitions need at least two "
            "consecutive periods (one column per period, one row per customer)."
        )
    return encode(panel, stages, caller=caller, name="panel", what="stage")


def ladder_transition_counts(panel: pd.DataFrame, *, stages: Sequence[str] = LADDER_STAGES) -> pd.DataFrame:
    """Count stage-to-stage moves between consecutive periods.

    Chapter 5.

    Parameters
    ----------
    panel : pandas.DataFrame
        One row per customer, one column per period in time order, values stage names.
    stages : sequence of str, default=LADDER_STAGES
        The stage names, bottom first.

    Returns
    -------
    pandas.DataFrame
        Square int table, rows ``from`` stage, columns ``to`` stage.

    Raises
    ------
    ValueError
        Fewer than two periods, missing values, or a label not in ``stages``.

    See Also
    --------
    fit_ladder_chain

    Examples
    --------
    >>> import pandas as pd
    >>> panel = pd.DataFrame({0: ["buyer", "buyer"], 1: ["customer", "buyer"]})
    >>> ladder_transition_counts(panel, stages=["buyer", "customer"]).to_numpy().tolist()
    [[1, 1], [0, 0]]
    """
    codes = _panel_codes(panel, stages, "ladder_transition_counts")
    counts = count_pairs(codes[:, :-1].ravel(), codes[:, 1:].ravel(), len(stages))
    return pd.DataFrame(counts, index=pd.Index(list(stages), name="from"), columns=pd.Index(list(stages), name="to"))


def fit_ladder_chain(panel: pd.DataFrame, *, stages: Sequence[str] = LADDER_STAGES) -> LadderChain:
    r"""Estimate the ladder's transition matrix from a customer × period panel of stages.

    Chapter 5.

    Parameters
    ----------
    panel : pandas.DataFrame
        One row per customer, one column per period in time order (e.g. from
        :func:`ladder_stages` or :meth:`LadderChain.simulate`), values stage names.
    stages : sequence of str, default=LADDER_STAGES
        The stage names, bottom first.

    Returns
    -------
    LadderChain
        With :math:`\hat P_{ij} = n_{ij} / \sum_k n_{ik}`. A stage never left from (never seen
        before the last period) gets a self-loop row and a :class:`crmlab.CrmlabWarning`.

    Raises
    ------
    ValueError
        As :func:`ladder_transition_counts`.

    See Also
    --------
    LadderChain, ladder_stages

    Notes
    -----
    The maximum-likelihood estimate of a time-homogeneous Markov chain from consecutive periods,
    :math:`\hat P_{ij} = n_{ij} / \sum_k n_{ik}`, pooling all customers and period pairs.

    References
    ----------
    Anderson, T. W., & Goodman, L. A. (1957). Statistical inference about Markov chains. *Annals of
    Mathematical Statistics*, 28(1), 89–110.

    Examples
    --------
    >>> chain = LadderChain([[0.7, 0.3], [0.2, 0.8]], stages=("buyer", "customer"))
    >>> panel = chain.simulate(50, n_customers=400, init="buyer", random_state=1)
    >>> fit_ladder_chain(panel, stages=chain.stages).P.round(1).tolist()
    [[0.7, 0.3], [0.2, 0.8]]
    """
    counts = ladder_transition_counts(panel, stages=stages).to_numpy().astype(float)
    totals = counts.sum(axis=1)
    empty = np.flatnonzero(totals == 0)
    if empty.size:
        import warnings

        warnings.warn(
            f"fit_ladder_chain(): stage(s) {[stages[i] for i in empty]} are never observed before the last period; "
            "their rows are set to 'stay put' (a self-loop). Observe more periods to estimate them.",
            CrmlabWarning,
            stacklevel=2,
        )
        counts[empty, empty] = 1.0
        totals = counts.sum(axis=1)
    return LadderChain(counts / totals[:, None], stages=tuple(stages))


def _window_sum(counts: np.ndarray, k: int) -> np.ndarray:
    """Return the sum over the last ``k`` periods (including this one) for every period."""
    c = np.concatenate([np.zeros((counts.shape[0], 1), dtype=np.int64), np.cumsum(counts, axis=1)], axis=1)
    return c[:, 1:] - c[:, np.maximum(np.arange(counts.shape[1]) + 1 - k, 0)]


def _windowed(active: np.ndarray, k: int) -> np.ndarray:
    """Return True where the last ``k`` periods (including this one) were all active."""
    return _window_sum(active.astype(np.int64), k) >= k


def _event_matrix(events: pd.DataFrame, ids: pd.Index, periods: pd.PeriodIndex, freq: str, caller: str, name: str):
    check_columns(events, ["customer_id", "date"], caller=caller, name=name)
    check_no_missing(events, ["customer_id", "date"], caller=caller, name=name, id_col="customer_id")
    dates = check_dates(events, "date", caller=caller, name=name, id_col="customer_id")
    per = dates.dt.to_period(freq)
    row = ids.get_indexer(events["customer_id"])
    col = periods.get_indexer(per)
    bad = (row < 0) | (col < 0)
    if bad.any():
        raise ValueError(
            f"{caller}(): {int(bad.sum())} row(s) of '{name}' fall outside the customers or the period range "
            f"{periods[0]}..{periods[-1]} (first customer_id values: {events.loc[bad, 'customer_id'].head().tolist()})."
        )
    out = np.zeros((len(ids), len(periods)), dtype=np.int64)
    np.add.at(out, (row, col), 1)
    return out


def ladder_stages(
    transactions: pd.DataFrame,
    *,
    customers: Sequence[Any] | None = None,
    referrals: pd.DataFrame | None = None,
    freq: str = "Q",
    start: Any = None,
    end: Any = None,
    follower_periods: int = 2,
    partner_referrals: int = 3,
    referral_periods: int | None = 4,
) -> pd.DataFrame:
    r"""Classify every customer onto a ladder stage in every period, from behaviour.

    Chapter 5 (loyalty ladder, 忠诚阶梯).

    Parameters
    ----------
    transactions : pandas.DataFrame
        Columns ``customer_id`` and ``date``.
    customers : sequence or None, default=None
        All customer ids (those who never bought stay prospects). Default: ids in ``transactions``.
    referrals : pandas.DataFrame or None, default=None
        Referral events with ``customer_id`` and ``date`` (one row per referral made). Without them
        nobody reaches advocate or partner.
    freq : str, default="Q"
        Period length as a pandas period alias ("M", "Q", "Y").
    start, end : date-like or None, default=None
        First and last period; default the first and last transaction dates.
    follower_periods : int, default=2
        A customer who bought in each of the last ``follower_periods`` periods is a follower.
    partner_referrals : int, default=3
        A follower with this many recent referrals is a partner (with at least one, an advocate).
    referral_periods : int or None, default=4
        Referrals count if made in the last ``referral_periods`` periods (including this one), so
        advocates who stop recommending slip back; None counts every referral so far.

    Returns
    -------
    pandas.DataFrame
        Index ``customer_id``, one column per period (``str`` labels such as ``"2023Q1"``), stage names
        as ordered categoricals (prospect < buyer < ... < partner).

    Raises
    ------
    ValueError
        Missing columns or values, unparsable dates, transactions of unknown customers or outside
        ``start``..``end``.

    See Also
    --------
    fit_ladder_chain

    Notes
    -----
    Rules, applied to the history up to the end of each period (top rule first):
    partner = follower with :math:`\ge` ``partner_referrals`` recent referrals; advocate = follower with a
    recent referral; follower = bought in each of the last ``follower_periods`` periods; customer = two or more
    purchases so far; buyer = one purchase so far; prospect = none yet.

    References
    ----------
    Christopher, M., Payne, A., & Ballantyne, D. (1991). *Relationship Marketing*. Butterworth-Heinemann.

    Examples
    --------
    >>> import pandas as pd
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 1, 2], "date": pd.to_datetime(["2024-01-05", "2024-04-02",
    ...     "2024-07-09", "2024-09-01"])})
    >>> ladder_stages(tx, freq="Q").to_numpy().tolist()
    [['buyer', 'follower', 'follower'], ['prospect', 'prospect', 'buyer']]
    """
    caller = "ladder_stages"
    check_frame(transactions, caller=caller, name="transactions")
    check_columns(transactions, ["customer_id", "date"], caller=caller, name="transactions")
    k = check_int(follower_periods, "follower_periods", caller=caller, minimum=1)
    m = check_int(partner_referrals, "partner_referrals", caller=caller, minimum=1)
    if referral_periods is not None:
        referral_periods = check_int(referral_periods, "referral_periods", caller=caller, minimum=1)
    dates = check_dates(transactions, "date", caller=caller, name="transactions", id_col="customer_id")
    first = pd.Timestamp(start) if start is not None else dates.min()
    last = pd.Timestamp(end) if end is not None else dates.max()
    periods = pd.period_range(first, last, freq=freq)
    ids = pd.Index(pd.unique(transactions["customer_id"]) if customers is None else list(customers), name="customer_id")
    ids = ids.sort_values()
    buys = _event_matrix(transactions, ids, periods, freq, caller, "transactions")
    refs = (
        np.zeros_like(buys)
        if referrals is None
        else _event_matrix(check_frame(referrals, caller=caller, name="referrals"), ids, periods, freq, caller,
                           "referrals")
    )
    n_buys = np.cumsum(buys, axis=1)
    n_refs = np.cumsum(refs, axis=1) if referral_periods is None else _window_sum(refs, referral_periods)
    follower = _windowed(buys > 0, k) & (n_buys >= 2)
    code = np.select(
        [follower & (n_refs >= m), follower & (n_refs >= 1), follower, n_buys >= 2, n_buys == 1],
        [5, 4, 3, 2, 1],
        default=0,
    )
    out = labels_frame(code, LADDER_STAGES, ids, [str(p) for p in periods])
    out.columns.name = "period"
    return out
