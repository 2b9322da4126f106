"""Configuration of a synthetic customer world: segments, presets and validation.

Chapter 0. Every number that drives :func:`crmlab.synth.make_customer_world` lives
in two frozen dataclasses: :class:`SegmentParams` (the heterogeneity
distributions of one latent segment) and :class:`WorldConfig` (the world: size,
window, preset, segment mix, economics, survey and complaint settings). Both are
validated on construction and name the offending field and its allowed range.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import pandas as pd

from crmlab._validation import check_date_arg, check_in_choices, check_int, check_number, check_probability
from crmlab.synth.presets import _CATEGORIES, _DEFAULT_MIX, _PRESET_PARAMS, PRESETS, SEGMENTS, default_segment_params
from crmlab.synth.segments import SegmentParams

__all__ = [
    "ECSI_PATHS",
    "LOYALTY_INDICATORS",
    "PRESETS",
    "SEGMENTS",
    "SegmentParams",
    "WorldConfig",
    "default_segment_params",
]


#: Standardized ECSI inner-model path coefficients (defaults: the mobi estimates of Tenenhaus et al. 2005).
ECSI_PATHS: Mapping[str, float] = MappingProxyType({
    "image->expectation": 0.505,
    "image->satisfaction": 0.179,
    "image->loyalty": 0.196,
    "expectation->quality": 0.557,
    "expectation->value": 0.050,
    "expectation->satisfaction": 0.063,
    "quality->value": 0.558,
    "quality->satisfaction": 0.512,
    "value->satisfaction": 0.195,
    "satisfaction->complaints": 0.528,
    "satisfaction->loyalty": 0.485,
    "complaints->loyalty": 0.067,
})

#: The six loyalty indicators of the course and their default generating weights on latent loyalty.
LOYALTY_INDICATORS: Mapping[str, float] = MappingProxyType({
    "loy_repeat": 0.80,
    "loy_cross_buying": 0.60,
    "loy_price_sensitivity": -0.55,
    "loy_tolerance": 0.50,
    "loy_choice_time": -0.45,
    "loy_referral": 0.70,
})

_CALLER = "WorldConfig"


def _freeze(mapping: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    return None if mapping is None else MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class WorldConfig:
    """Everything that defines a synthetic customer world (validated on construction).

    Chapter 0. Build one through :func:`make_customer_world`, which passes its
    keyword overrides here; ``world.config`` keeps it next to the data.

    Parameters
    ----------
    n_customers : int, default=1000
        Number of customers (>= 1).
    start, end : str or Timestamp, default="2023-01-01", "2024-12-31"
        Observation window (inclusive days); ``end`` must be after ``start``.
    preset : {"retail", "b2b", "subscription"}, default="retail"
        Individual consumers, business customers, or a contractual subscription business.
    segments : tuple of str, optional
        Which latent segments exist (subset of :data:`SEGMENTS`); their shares come from
        the default mix renormalised. Ignored when ``segment_mix`` is given.
    segment_mix : mapping of str to float, optional
        Segment name -> share (non-negative, renormalised to sum 1). For example, a
        world of four well-separated segments:
        ``{"champions": .15, "loyal": .25, "bargain_hunters": .3, "dormant": .3}``.
    segment_params : mapping of str to SegmentParams or dict, optional
        Per-segment overrides of the preset's :class:`SegmentParams`; a dict replaces
        only the fields it names, e.g. ``{"loyal": {"r": 5.0}}``.
    horizon_weeks : float, default=52.0
        Horizon of the truth's ``expected_purchases`` and ``expected_spend``.
    margin : float, default=0.3
        Gross margin per unit of spend, in [0, 1], used for ``residual_value``.
    annual_discount_rate : float, default=0.1
        Yearly discount rate (>= 0) for ``residual_value``.
    loyalty_coupling : float, default=0.6
        Gaussian-copula correlation in [0, 1] between latent loyalty and the
        behavioural propensities (retention, discount avoidance, referrals, credit).
        Purchase rates and spend stay independent of drop-out, as the BG/NBD and
        Gamma-Gamma models assume.
    survey_share : float, default=0.2
        Share of customers answering the satisfaction survey, in [0, 1].
    dissatisfied_threshold : float, default=-0.5
        A customer is dissatisfied when latent satisfaction (mean 0, sd 1 when every
        image shift is 0) is below this value.
    complaint_share_dissatisfied : float, default=0.04
        Probability that a dissatisfied customer complains (the complaint iceberg: 4 in 100).
    complaint_share_satisfied : float, default=0.002
        Probability that a satisfied customer complains.
    resolution_share : float, default=0.8
        Probability that a complaint is resolved.
    path_coefficients : mapping, optional
        Standardized ECSI paths (keys as in :data:`ECSI_PATHS`); missing keys keep the default.
    loyalty_weights : mapping, optional
        Generating weights of the six loyalty indicators (keys as in :data:`LOYALTY_INDICATORS`).
    categories : tuple of str, optional
        Product categories; the preset's list by default.
    referral_channel_share : float, default=0.15
        Share of customers acquired through a referral (channels "referral" and "friend").
    exact_mix : bool, default=True
        Segment sizes are the rounded shares (so a 25% segment has exactly 25% of the
        customers); ``False`` draws them from a multinomial.

    Raises
    ------
    ValueError
        If a value is out of range (the message names the field and its allowed range),
        ``end`` is not after ``start``, or a preset or segment name is unknown.
    TypeError
        If a field has the wrong type.

    Examples
    --------
    >>> cfg = WorldConfig(n_customers=100, segments=("champions", "dormant"))
    >>> sorted(cfg.mix)
    ['champions', 'dormant']
    >>> WorldConfig(n_customers=0)
    Traceback (most recent call last):
    ...
    ValueError: WorldConfig(): 'n_customers' must be an integer >= 1; got 0.
    """

    n_customers: int = 1000
    start: Any = "2023-01-01"
    end: Any = "2024-12-31"
    preset: str = "retail"
    segments: tuple[str, ...] | None = None
    segment_mix: Mapping[str, float] | None = None
    segment_params: Mapping[str, Any] | None = None
    exact_mix: bool = field(default=True, kw_only=True)
    horizon_weeks: float = 52.0
    margin: float = 0.3
    annual_discount_rate: float = 0.1
    loyalty_coupling: float = 0.6
    survey_share: float = 0.2
    dissatisfied_threshold: float = -0.5
    complaint_share_dissatisfied: float = 0.04
    complaint_share_satisfied: float = 0.002
    resolution_share: float = 0.8
    path_coefficients: Mapping[str, float] | None = None
    loyalty_weights: Mapping[str, float] | None = None
    categories: tuple[str, ...] | None = None
    referral_channel_share: float = 0.15
    params: Mapping[str, SegmentParams] = field(init=False, repr=False, compare=False)
    mix: Mapping[str, float] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        set_ = object.__setattr__  # frozen dataclass: normalise fields once, here
        check_int(self.n_customers, "n_customers", caller=_CALLER, minimum=1)
        check_in_choices(self.preset, "preset", PRESETS, caller=_CALLER)
        start, end = _parse_date(self.start, "start"), _parse_date(self.end, "end")
        if end <= start:
            raise ValueError(f"{_CALLER}(): 'end' must be after 'start'; got start={start.date()}, end={end.date()}.")
        set_(self, "start", start)
        set_(self, "end", end)
        check_number(self.horizon_weeks, "horizon_weeks", caller=_CALLER, minimum=0.0, strict_min=True)
        check_number(self.annual_discount_rate, "annual_discount_rate", caller=_CALLER, minimum=0.0)
        check_number(self.dissatisfied_threshold, "dissatisfied_threshold", caller=_CALLER, minimum=-5.0, maximum=5.0)
        for name in ("margin", "loyalty_coupling", "survey_share", "complaint_share_dissatisfied",
                     "complaint_share_satisfied", "resolution_share", "referral_channel_share"):
            check_probability(getattr(self, name), name, caller=_CALLER)
        if not isinstance(self.exact_mix, bool):
            raise TypeError(f"{_CALLER}(): 'exact_mix' must be a bool; got {self.exact_mix!r}.")
        mix = self._resolve_mix()
        set_(self, "mix", MappingProxyType(mix))
        set_(self, "segments", tuple(mix))
        set_(self, "params", MappingProxyType(self._resolve_params(mix)))
        set_(self, "path_coefficients", _freeze(_merge_known(self.path_coefficients, ECSI_PATHS,
                                                             "path_coefficients", -1.0, 1.0)))
        set_(self, "loyalty_weights", _freeze(_merge_known(self.loyalty_weights, LOYALTY_INDICATORS,
                                                           "loyalty_weights", -0.99, 0.99)))
        cats = _CATEGORIES[self.preset] if self.categories is None else tuple(self.categories)
        if len(cats) < 1 or len(set(cats)) != len(cats) or not all(isinstance(c, str) for c in cats):
            raise ValueError(f"{_CALLER}(): 'categories' must be distinct strings (at least one); got {cats!r}.")
        set_(self, "categories", cats)
        set_(self, "segment_mix", _freeze(self.segment_mix))
        set_(self, "segment_params", _freeze(self.segment_params))

    def _resolve_mix(self) -> dict[str, float]:
        if self.segment_mix is not None:
            if not isinstance(self.segment_mix, Mapping) or not self.segment_mix:
                raise TypeError(f"{_CALLER}(): 'segment_mix' must be a non-empty mapping segment -> share; "
                                f"got {self.segment_mix!r}.")
            raw = dict(self.segment_mix)
        else:
            names = SEGMENTS if self.segments is None else self.segments
            if isinstance(names, str) or not names:
                raise TypeError(f"{_CALLER}(): 'segments' must be a non-empty tuple of segment names; got {names!r}.")
            raw = {name: _DEFAULT_MIX.get(name, 0.0) for name in names}
        for name, share in raw.items():
            check_in_choices(name, "segments", SEGMENTS, caller=_CALLER)
            check_number(share, f"segment_mix[{name!r}]", caller=_CALLER, minimum=0.0)
        total = sum(raw.values())
        if total <= 0:
            raise ValueError(f"{_CALLER}(): 'segment_mix' shares must sum to a positive number; got {raw!r}.")
        return {name: raw[name] / total for name in SEGMENTS if name in raw}

    def _resolve_params(self, mix: Mapping[str, float]) -> dict[str, SegmentParams]:
        params = dict(_PRESET_PARAMS[self.preset])
        for name, override in (self.segment_params or {}).items():
            check_in_choices(name, "segment_params", SEGMENTS, caller=_CALLER)
            if isinstance(override, SegmentParams):
                params[name] = override
            elif isinstance(override, Mapping):
                unknown = set(override) - {f.name for f in dataclasses.fields(SegmentParams)}
                if unknown:
                    raise ValueError(f"{_CALLER}(): segment_params[{name!r}] has unknown field(s) {sorted(unknown)}.")
                try:
                    params[name] = dataclasses.replace(params[name], **override)
                except (TypeError, ValueError) as exc:  # SegmentParams' own check, placed in context
                    detail = str(exc).removeprefix("SegmentParams(): ")
                    raise type(exc)(f"{_CALLER}(): in segment_params[{name!r}], {detail}") from None
            else:
                raise TypeError(f"{_CALLER}(): segment_params[{name!r}] must be a SegmentParams or a dict; "
                                f"got {type(override).__name__}.")
        return {name: params[name] for name in mix}

    @property
    def window_weeks(self) -> float:
        """Length of the observation window in weeks (``end`` day inclusive)."""
        return ((self.end - self.start).days + 1) / 7.0

    def parameters(self) -> pd.DataFrame:
        """Return the true population parameters, one row per segment.

        Returns
        -------
        pandas.DataFrame
            Indexed by ``segment``: ``share`` and every :class:`SegmentParams` field
            (``r``, ``alpha``, ``a``, ``b``, ``p``, ``q``, ``gamma``, ...).
        """
        rows = []
        for name, seg in self.params.items():
            row = {"segment": name, "share": self.mix[name], **dataclasses.asdict(seg)}
            row["acquisition"] = f"{seg.acquisition[0]:g}-{seg.acquisition[1]:g}"
            rows.append(row)
        return pd.DataFrame(rows).set_index("segment")


def _parse_date(value: Any, name: str) -> pd.Timestamp:
    return check_date_arg(value, name, caller=_CALLER).normalize()


def _merge_known(
    given: Mapping[str, float] | None, default: Mapping[str, float], name: str, low: float, high: float,
    *, caller: str = _CALLER,
) -> dict[str, float]:
    """Return ``default`` updated with ``given``, checking keys and value ranges in ``caller``'s name."""
    if given is not None and not isinstance(given, Mapping):
        raise TypeError(f"{caller}(): '{name}' must be a mapping of name to number; got {type(given).__name__}.")
    out = dict(default)
    for key, value in (given or {}).items():
        if key not in default:
            raise ValueError(f"{caller}(): '{name}' has unknown key {key!r}; allowed keys are {list(default)}.")
        out[key] = check_number(value, f"{name}[{key!r}]", caller=caller, minimum=low, maximum=high)
    return out
