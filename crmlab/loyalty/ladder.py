"""The loyalty ladder as a stage-transition Markov chain: estimation, paths, steady state.

Chapter 5. The ladder (客户忠诚阶梯) has six rungs, from prospect (潜在购买者) to
partner (合伙人). Each period every customer stands on one rung; moving between
rungs from one period to the next is modelled as a Markov chain whose transition
matrix is estimated from consecutive periods. Placing customers on the rungs
from their purchases is :func:`crmlab.loyalty.ladder_stages` (module ``stages``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from crmlab._rng import RandomState, as_generator
from crmlab._validation import CrmlabWarning, check_frame, check_int
from crmlab.loyalty._markov import check_stochastic, count_pairs, encode, labels_frame, simulate_codes, stationary

__all__ = ["LADDER_STAGES", "LadderChain", "fit_ladder_chain", "ladder_transition_counts"]

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
        :func:`~crmlab.loyalty.ladder_stages` or :meth:`LadderChain.simulate`), values stage names.
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
    LadderChain, crmlab.loyalty.ladder_stages

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
