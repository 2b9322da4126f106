"""RFM: from a transaction log to recency–frequency–monetary summaries, scores and segments.

Chapter 3. RFM (最近一次消费 recency, 消费频率 frequency, 消费金额 monetary) is the
course's first customer-differentiation (客户差异分析) tool:

- :func:`rfm_summary` — one row per customer in the ``lifetimes`` / ``pymc-marketing``
  convention (``frequency``, ``recency``, ``T``, ``monetary_value``), fast on large logs;
- :func:`calibration_and_holdout_split` — the same for a calibration window plus
  holdout counts, for validating models (chapter 6);
- :func:`rfm_scores` and :func:`rfm_bin_sizes` — 1–5 scores with an explicit tie rule;
- :func:`rfm_segments` with :data:`DEFAULT_SEGMENT_RULES` — named segments from a rule
  table that is data.
"""

from __future__ import annotations

from crmlab.rfm.scores import rfm_bin_sizes, rfm_scores
from crmlab.rfm.segments import DEFAULT_SEGMENT_RULES, rfm_segments
from crmlab.rfm.summary import calibration_and_holdout_split, rfm_summary

__all__ = [
    "DEFAULT_SEGMENT_RULES",
    "calibration_and_holdout_split",
    "rfm_bin_sizes",
    "rfm_scores",
    "rfm_segments",
    "rfm_summary",
]
