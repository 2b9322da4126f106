"""Default segment parameters of the three presets (retail, b2b, subscription).

Chapter 0. The numbers are chosen so that the default retail world looks like a
real customer base: a long tail of one-time buyers, the top fifth of customers
bringing about 80% of revenue, roughly nine transactions per customer over two years.
"""

from __future__ import annotations

import dataclasses

from crmlab._validation import check_in_choices
from crmlab.synth.segments import SegmentParams

__all__ = ["PRESETS", "SEGMENTS", "default_segment_params"]

PRESETS = ("retail", "b2b", "subscription")
SEGMENTS = ("champions", "loyal", "bargain_hunters", "new", "at_risk", "dormant")


_RETAIL = {
    "champions": SegmentParams(r=4.0, alpha=6.0, a=0.3, b=10.0, p=6.0, q=8.0, gamma=60.0, discount_a=1.5,
                               discount_b=10.0, breadth=2.0, image_shift=0.8, referral_rate=0.6,
                               acquisition=(0.0, 0.5), contact_cycle_days=14),
    "loyal": SegmentParams(r=3.0, alpha=9.0, a=0.5, b=10.0, p=5.0, q=6.0, gamma=40.0, discount_a=2.0,
                           discount_b=8.0, breadth=1.0, image_shift=0.5, referral_rate=0.3,
                           acquisition=(0.0, 0.5), contact_cycle_days=30),
    "bargain_hunters": SegmentParams(r=1.5, alpha=6.0, a=1.0, b=5.0, p=3.0, q=5.0, gamma=24.0, discount_a=6.0,
                                     discount_b=3.0, breadth=0.8, image_shift=-0.2, referral_rate=0.1,
                                     acquisition=(0.0, 0.5), contact_cycle_days=30),
    "new": SegmentParams(r=1.0, alpha=4.0, a=1.0, b=4.0, p=4.0, q=5.0, gamma=36.0, discount_a=3.0,
                         discount_b=5.0, breadth=0.6, image_shift=0.2, referral_rate=0.1,
                         acquisition=(0.85, 1.0), contact_cycle_days=14),
    "at_risk": SegmentParams(r=0.8, alpha=4.0, a=1.5, b=3.0, p=4.0, q=5.0, gamma=36.0, discount_a=2.0,
                             discount_b=5.0, breadth=0.6, image_shift=-0.6, referral_rate=0.05,
                             acquisition=(0.0, 0.5), contact_cycle_days=21),
    "dormant": SegmentParams(r=0.25, alpha=4.4, a=0.8, b=2.4, p=3.0, q=4.0, gamma=30.0, discount_a=2.0,
                             discount_b=4.0, breadth=0.4, image_shift=-0.4, referral_rate=0.02,
                             acquisition=(0.0, 0.5), contact_cycle_days=90),
}

_B2B = {
    "champions": SegmentParams(r=6.0, alpha=12.0, a=0.2, b=12.0, p=4.0, q=6.0, gamma=4000.0, discount_a=1.5,
                               discount_b=8.0, breadth=2.5, image_shift=0.8, referral_rate=0.3,
                               acquisition=(0.0, 0.5), contact_cycle_days=7),
    "loyal": SegmentParams(r=3.0, alpha=10.0, a=0.4, b=12.0, p=4.0, q=6.0, gamma=2000.0, discount_a=2.0,
                           discount_b=8.0, breadth=1.5, image_shift=0.5, referral_rate=0.15,
                           acquisition=(0.0, 0.5), contact_cycle_days=14),
    "bargain_hunters": SegmentParams(r=2.0, alpha=10.0, a=1.0, b=6.0, p=3.0, q=5.0, gamma=1200.0, discount_a=6.0,
                                     discount_b=3.0, breadth=1.0, image_shift=-0.2, referral_rate=0.05,
                                     acquisition=(0.0, 0.5), contact_cycle_days=30),
    "new": SegmentParams(r=2.0, alpha=8.0, a=1.0, b=6.0, p=3.0, q=5.0, gamma=1600.0, discount_a=3.0,
                         discount_b=5.0, breadth=0.8, image_shift=0.2, referral_rate=0.05,
                         acquisition=(0.85, 1.0), contact_cycle_days=14),
    "at_risk": SegmentParams(r=0.8, alpha=4.0, a=1.5, b=3.0, p=3.0, q=5.0, gamma=1600.0, discount_a=2.0,
                             discount_b=5.0, breadth=0.8, image_shift=-0.6, referral_rate=0.02,
                             acquisition=(0.0, 0.5), contact_cycle_days=21),
    "dormant": SegmentParams(r=0.25, alpha=5.0, a=0.8, b=2.4, p=3.0, q=4.0, gamma=900.0, discount_a=2.0,
                             discount_b=4.0, breadth=0.5, image_shift=-0.4, referral_rate=0.01,
                             acquisition=(0.0, 0.5), contact_cycle_days=90),
}

# Subscription preset: a/b are the sBG churn Beta per monthly period; spend sets the monthly fee.
_SUBSCRIPTION = {
    name: dataclasses.replace(seg, acquisition=(0.0, 1.0) if name != "new" else (0.85, 1.0), **ab)
    for (name, seg), ab in zip(
        _RETAIL.items(),
        [{"a": 0.5, "b": 12.0}, {"a": 0.8, "b": 8.0}, {"a": 1.0, "b": 3.0}, {"a": 1.0, "b": 4.0},
         {"a": 2.0, "b": 3.0}, {"a": 3.0, "b": 2.0}],
        strict=True,
    )
}

_PRESET_PARAMS = {"retail": _RETAIL, "b2b": _B2B, "subscription": _SUBSCRIPTION}

_DEFAULT_MIX = {
    "champions": 0.08, "loyal": 0.15, "bargain_hunters": 0.18, "new": 0.12, "at_risk": 0.15, "dormant": 0.32,
}

_CATEGORIES = {
    "retail": ("groceries", "fresh food", "household", "beauty", "apparel", "electronics", "home & garden",
               "books & media"),
    "b2b": ("raw materials", "components", "equipment", "consumables", "software", "services"),
    "subscription": ("basic plan", "standard plan", "premium plan"),
}


def default_segment_params(preset: str = "retail") -> dict[str, SegmentParams]:
    """Return the default :class:`SegmentParams` of every segment of ``preset``.

    Chapter 0.

    Parameters
    ----------
    preset : {"retail", "b2b", "subscription"}, default="retail"
        The world preset.

    Returns
    -------
    dict of str to SegmentParams
        Keyed by segment name in :data:`SEGMENTS` order.

    Raises
    ------
    ValueError
        If ``preset`` is unknown.

    Examples
    --------
    >>> params = default_segment_params("retail")
    >>> round(params["loyal"].mean_rate, 3)
    0.333
    """
    check_in_choices(preset, "preset", PRESETS, caller="default_segment_params")
    return dict(_PRESET_PARAMS[preset])
