"""The complaint iceberg and service recovery: what a complaint count hides, and what winning back is worth.

Chapter 4.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from crmlab._rng import RandomState, as_generator
from crmlab._validation import check_int, check_probability

__all__ = ["ComplaintIceberg", "ServiceRecovery"]


@dataclass(frozen=True)
class ComplaintIceberg:
    r"""The complaint iceberg: each unhappy customer complains with probability ``complaint_rate``.

    Chapter 4. The lecture's figure: 96% of dissatisfied customers never complain, so a firm
    hears from 4 in every 100.

    Parameters
    ----------
    complaint_rate : float, default=0.04
        Probability that a dissatisfied customer complains, in (0, 1].

    Raises
    ------
    ValueError
        If ``complaint_rate`` is not in (0, 1].

    See Also
    --------
    ServiceRecovery, crmlab.plotting.plot_complaint_iceberg

    Notes
    -----
    With :math:`N` unhappy customers, complaints :math:`C \sim \operatorname{Bin}(N, r)` and
    :math:`E[N - C] = N(1 - r)`. Read backwards, after :math:`c` complaints the number of
    silent unhappy customers is negative binomial (failures before the :math:`c`-th complaint):

    .. math:: E[\text{hidden} \mid c] = c\,\frac{1 - r}{r}, \qquad E[N \mid c] = \frac{c}{r}.

    With :math:`r = 0.04` every complaint stands for 24 silent unhappy customers.

    References
    ----------
    TARP (Technical Assistance Research Programs) (1986). *Consumer Complaint Handling in
    America: An Update Study*. U.S. Office of Consumer Affairs.

    Examples
    --------
    >>> ice = ComplaintIceberg()
    >>> ice.hidden_per_complaint
    24.0
    >>> ice.expected_unhappy(10)
    250.0
    """

    complaint_rate: float = 0.04

    def __post_init__(self) -> None:
        """Validate the parameter."""
        r = check_probability(self.complaint_rate, "complaint_rate", caller="ComplaintIceberg", open_low=True)
        object.__setattr__(self, "complaint_rate", r)

    @property
    def hidden_per_complaint(self) -> float:
        """Expected silent unhappy customers behind each complaint, :math:`(1 - r)/r`."""
        return float(round((1 - self.complaint_rate) / self.complaint_rate, 12))

    def expected_complaints(self, n_unhappy: int) -> float:
        """Return the expected number of complaints from ``n_unhappy`` dissatisfied customers."""
        return float(
            check_int(n_unhappy, "n_unhappy", caller="ComplaintIceberg.expected_complaints", minimum=0)
            * self.complaint_rate
        )

    def expected_unhappy(self, n_complaints: int) -> float:
        """Return the expected number of dissatisfied customers behind ``n_complaints`` complaints, :math:`c/r`."""
        c = check_int(n_complaints, "n_complaints", caller="ComplaintIceberg.expected_unhappy", minimum=0)
        return float(round(c / self.complaint_rate, 9))

    def unhappy_interval(self, n_complaints: int, level: float = 0.9) -> tuple[int, int]:
        """Central interval for the number of unhappy customers behind ``n_complaints`` complaints.

        Uses the negative binomial law of the silent customers (see Notes of the class).
        """
        caller = "ComplaintIceberg.unhappy_interval"
        c = check_int(n_complaints, "n_complaints", caller=caller, minimum=1)
        level = check_probability(level, "level", caller=caller, open_low=True, open_high=True)
        lo, hi = stats.nbinom.ppf([(1 - level) / 2, (1 + level) / 2], c, self.complaint_rate)
        return int(c + lo), int(c + hi)

    def simulate(self, n_unhappy: int, *, n_sims: int = 1000, random_state: RandomState = None) -> pd.DataFrame:
        """Simulate how many of ``n_unhappy`` dissatisfied customers complain, ``n_sims`` times.

        Parameters
        ----------
        n_unhappy : int
            Dissatisfied customers in each simulated period.
        n_sims : int, default=1000
        random_state : None, int or numpy.random.Generator, default=None
            An int repeats exactly; a Generator advances.

        Returns
        -------
        pandas.DataFrame
            Indexed by ``sim``: ``unhappy``, ``complaints``, ``hidden`` (unhappy who stay silent),
            ``hidden_per_complaint`` (NaN when nobody complained).
        """
        caller = "ComplaintIceberg.simulate"
        n = check_int(n_unhappy, "n_unhappy", caller=caller, minimum=0)
        sims = check_int(n_sims, "n_sims", caller=caller, minimum=1)
        rng = as_generator(random_state, caller=caller)
        complaints = rng.binomial(n, self.complaint_rate, size=sims)
        hidden = n - complaints
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(complaints > 0, hidden / np.maximum(complaints, 1), np.nan)
        return pd.DataFrame(
            {"unhappy": n, "complaints": complaints, "hidden": hidden, "hidden_per_complaint": ratio},
            index=pd.RangeIndex(sims, name="sim"),
        )


@dataclass(frozen=True)
class ServiceRecovery:
    r"""What happens to dissatisfied customers: silent, complained and recovered, complained and not.

    Chapter 4: "welcome complaints — a complaint is a chance to recover" (golden rule of
    customer care) made quantitative. The default retention rates are illustrative
    assumptions in the direction reported by complaint-handling studies, not measurements.

    Parameters
    ----------
    complaint_rate : float, default=0.04
        Share of dissatisfied customers who complain.
    resolve_rate : float, default=0.8
        Share of complaints resolved to the customer's satisfaction.
    retention_silent : float, default=0.6
        Probability that a dissatisfied customer who never complains stays.
    retention_resolved : float, default=0.9
        Retention after a complaint that was resolved.
    retention_unresolved : float, default=0.5
        Retention after a complaint that was not resolved.

    Raises
    ------
    ValueError
        If a rate is outside [0, 1].

    See Also
    --------
    ComplaintIceberg

    Notes
    -----
    .. math:: \rho = (1 - r)\,\rho_S + r\,[s\,\rho_R + (1 - s)\,\rho_U]

    with complaint rate :math:`r` and resolve rate :math:`s`. Raising :math:`r` (making complaining
    easy) pays when :math:`s\rho_R + (1 - s)\rho_U > \rho_S`.

    References
    ----------
    Hart, C. W. L., Heskett, J. L., & Sasser, W. E. (1990). The profitable art of service recovery.
    *Harvard Business Review*, 68(4), 148–156.

    Examples
    --------
    >>> round(ServiceRecovery().retention_rate, 4)
    0.6088
    """

    complaint_rate: float = 0.04
    resolve_rate: float = 0.8
    retention_silent: float = 0.6
    retention_resolved: float = 0.9
    retention_unresolved: float = 0.5

    def __post_init__(self) -> None:
        """Validate the rates."""
        for name in (
            "complaint_rate",
            "resolve_rate",
            "retention_silent",
            "retention_resolved",
            "retention_unresolved",
        ):
            object.__setattr__(self, name, check_probability(getattr(self, name), name, caller="ServiceRecovery"))

    def _paths(self) -> pd.DataFrame:
        r, s = self.complaint_rate, self.resolve_rate
        return pd.DataFrame(
            {
                "share": [1 - r, r * s, r * (1 - s)],
                "retention": [self.retention_silent, self.retention_resolved, self.retention_unresolved],
            },
            index=pd.Index(["silent", "complained, resolved", "complained, unresolved"], name="path"),
        )

    @property
    def retention_rate(self) -> float:
        """Expected retention of a dissatisfied customer."""
        p = self._paths()
        return float((p["share"] * p["retention"]).sum())

    def expected_outcomes(self, n_unhappy: int) -> pd.DataFrame:
        """Tabulate expected and retained customers on each path, for ``n_unhappy`` dissatisfied.

        Returns
        -------
        pandas.DataFrame
            Indexed by ``path``: ``share``, ``retention``, ``customers``, ``retained``, ``lost``.
        """
        n = check_int(n_unhappy, "n_unhappy", caller="ServiceRecovery.expected_outcomes", minimum=0)
        p = self._paths()
        p["customers"] = n * p["share"]
        p["retained"] = p["customers"] * p["retention"]
        p["lost"] = p["customers"] - p["retained"]
        return p

    def simulate(self, n_unhappy: int, *, n_sims: int = 1000, random_state: RandomState = None) -> pd.DataFrame:
        """Simulate retained customers by path, ``n_sims`` times.

        Parameters
        ----------
        n_unhappy : int
        n_sims : int, default=1000
        random_state : None, int or numpy.random.Generator, default=None
            An int repeats exactly; a Generator advances.

        Returns
        -------
        pandas.DataFrame
            Indexed by ``sim``: customers and retained customers per path and ``retained`` in total.
        """
        caller = "ServiceRecovery.simulate"
        n = check_int(n_unhappy, "n_unhappy", caller=caller, minimum=0)
        sims = check_int(n_sims, "n_sims", caller=caller, minimum=1)
        rng = as_generator(random_state, caller=caller)
        p = self._paths()
        counts = rng.multinomial(n, p["share"].to_numpy(), size=sims)
        kept = rng.binomial(counts, p["retention"].to_numpy())
        out = pd.DataFrame(
            np.hstack([counts, kept]),
            columns=["silent", "resolved", "unresolved", "silent_retained", "resolved_retained", "unresolved_retained"],
            index=pd.RangeIndex(sims, name="sim"),
        )
        out["retained"] = kept.sum(axis=1)
        return out
