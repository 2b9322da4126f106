"""Figures for every chapter, in one place (matplotlib lives only here).

This is the only part of crmlab that imports matplotlib. Each concept has its
own submodule (``crmlab.plotting.rfm``, ``crmlab.plotting.clv``, ...); every
``plot_*`` function of every submodule is re-exported here, so
``from crmlab.plotting import plot_lorenz_curve`` works whichever file defines it.
A new submodule adds its import below (a test checks none is missing).

Figures speak English or Chinese: ``with crmlab.plotting.language("zh"): ...``
or ``crmlab.plotting.set_language("zh")`` (see :mod:`crmlab.plotting._labels`);
``with crmlab.plotting.projector(): ...`` makes text and lines large enough to project.
"""

from __future__ import annotations

from crmlab.plotting._label_words import word
from crmlab.plotting._labels import CJKFontWarning, concept, get_language, language, set_language, tr
from crmlab.plotting._style import PROJECTOR_RC, projector, set_projector
from crmlab.plotting.accumulation import (
    plot_accumulation_table,
    plot_customer_base,
    plot_equity_sensitivity,
    plot_relative_size,
    plot_share_paths,
)
from crmlab.plotting.clv import (
    plot_calibration_holdout,
    plot_cumulative_transactions,
    plot_frequency_recency_matrix,
    plot_incremental_transactions,
    plot_mixing_distributions,
    plot_period_transactions,
    plot_probability_alive_calibration,
    plot_probability_alive_history,
    plot_probability_alive_matrix,
)
from crmlab.plotting.clv_research import (
    plot_holdout_deciles,
    plot_holdout_report,
    plot_regularity,
)
from crmlab.plotting.demos import (
    plot_disconfirmation_point,
    plot_probability_alive_curve,
    plot_retention_clv_curve,
)
from crmlab.plotting.experiments import (
    plot_grid_metric,
)
from crmlab.plotting.loyalty import (
    plot_dick_basu,
    plot_hostage_effect,
    plot_ladder_path,
    plot_loyalty_types,
    plot_loyalty_weights,
    plot_programme_comparison,
    plot_satisfaction_loyalty_curves,
    plot_share_comparison,
    plot_switching_matrix,
)
from crmlab.plotting.realism import (
    plot_gap_distributions,
    plot_repeat_distributions,
)
from crmlab.plotting.rfm import (
    plot_rfm_bin_sizes,
    plot_rfm_heatmap,
    plot_rfm_segments,
)
from crmlab.plotting.satisfaction import (
    plot_complaint_iceberg,
    plot_ipma,
    plot_kano,
    plot_nps,
    plot_path_diagram,
    plot_servqual_gaps,
    plot_simple_slopes,
)
from crmlab.plotting.segmentation import (
    plot_choose_k,
    plot_segments_2d,
    plot_snake,
    plot_stability,
)
from crmlab.plotting.tour import (
    plot_dataset_overview,
)
from crmlab.plotting.value import (
    plot_lorenz_curve,
    plot_value_matrix,
)

__all__ = [
    "CJKFontWarning",
    "PROJECTOR_RC",
    "concept",
    "get_language",
    "language",
    "plot_accumulation_table",
    "plot_calibration_holdout",
    "plot_choose_k",
    "plot_complaint_iceberg",
    "plot_cumulative_transactions",
    "plot_customer_base",
    "plot_dataset_overview",
    "plot_dick_basu",
    "plot_disconfirmation_point",
    "plot_equity_sensitivity",
    "plot_frequency_recency_matrix",
    "plot_gap_distributions",
    "plot_grid_metric",
    "plot_holdout_deciles",
    "plot_holdout_report",
    "plot_hostage_effect",
    "plot_incremental_transactions",
    "plot_ipma",
    "plot_kano",
    "plot_ladder_path",
    "plot_lorenz_curve",
    "plot_loyalty_types",
    "plot_loyalty_weights",
    "plot_mixing_distributions",
    "plot_nps",
    "plot_path_diagram",
    "plot_period_transactions",
    "plot_probability_alive_calibration",
    "plot_probability_alive_curve",
    "plot_probability_alive_history",
    "plot_probability_alive_matrix",
    "plot_programme_comparison",
    "plot_regularity",
    "plot_relative_size",
    "plot_repeat_distributions",
    "plot_retention_clv_curve",
    "plot_rfm_bin_sizes",
    "plot_rfm_heatmap",
    "plot_rfm_segments",
    "plot_satisfaction_loyalty_curves",
    "plot_segments_2d",
    "plot_servqual_gaps",
    "plot_share_comparison",
    "plot_share_paths",
    "plot_simple_slopes",
    "plot_snake",
    "plot_stability",
    "plot_switching_matrix",
    "plot_value_matrix",
    "projector",
    "set_language",
    "set_projector",
    "tr",
    "word",
]
