"""Customer loyalty: indicators and index, the ladder, satisfaction–loyalty types, switching, programmes.

Chapter 5 (客户忠诚). One small module per idea of the lectures:

=====================  ==============================================================
module                 concept
=====================  ==============================================================
``indicators``         the six loyalty indicators → standardised → a loyalty index
``stages``             the loyalty ladder: stages from purchases and referrals
``lifecycle``          customer life-cycle stages (acquisition, growth, maturity, decline, churn)
``ladder``             the loyalty ladder: Markov dynamics, estimation, steady state
``types``              satisfaction vs loyalty curves and the loyalty types
``hostage``            switching cost as a moderator: the hostage effect
``dick_basu``          attitude × behaviour: true, latent, spurious and no loyalty
``switching``          brand switching, repeat rate, stationary shares
``scr``                share of category requirements (behavioural loyalty from a panel)
``programmes``         loyalty programme vs a price cut of the same cost
=====================  ==============================================================
"""

from __future__ import annotations

from crmlab.loyalty.dick_basu import DICK_BASU_CELLS, dick_basu_segments, dick_basu_table
from crmlab.loyalty.hostage import HostageEffect, hostage_effect, make_switching_cost_survey
from crmlab.loyalty.indicators import (
    INDICATOR_DIRECTIONS,
    INDICATORS,
    LoyaltyIndex,
    loyalty_indicators,
    loyalty_profile,
)
from crmlab.loyalty.ladder import (
    LADDER_STAGES,
    LadderChain,
    fit_ladder_chain,
    ladder_transition_counts,
)
from crmlab.loyalty.lifecycle import LIFECYCLE_STAGES, lifecycle_stages
from crmlab.loyalty.programmes import ProgrammeScenario, compare_programme_vs_price_cut, expected_survivors
from crmlab.loyalty.scr import share_of_category_requirements
from crmlab.loyalty.stages import ladder_stages
from crmlab.loyalty.switching import (
    repeat_rate,
    stationary_shares,
    switching_summary,
    transition_counts,
    transition_matrix,
)
from crmlab.loyalty.types import (
    FOUR_TYPES,
    SIX_TYPES,
    classify_loyalty_types,
    loyalty_type_table,
    satisfaction_loyalty_curves,
    satisfaction_loyalty_scores,
)

__all__ = [
    "DICK_BASU_CELLS",
    "FOUR_TYPES",
    "INDICATORS",
    "INDICATOR_DIRECTIONS",
    "LADDER_STAGES",
    "LIFECYCLE_STAGES",
    "SIX_TYPES",
    "HostageEffect",
    "LadderChain",
    "LoyaltyIndex",
    "ProgrammeScenario",
    "classify_loyalty_types",
    "compare_programme_vs_price_cut",
    "dick_basu_segments",
    "dick_basu_table",
    "expected_survivors",
    "fit_ladder_chain",
    "hostage_effect",
    "ladder_stages",
    "lifecycle_stages",
    "ladder_transition_counts",
    "loyalty_indicators",
    "loyalty_profile",
    "loyalty_type_table",
    "make_switching_cost_survey",
    "repeat_rate",
    "satisfaction_loyalty_curves",
    "satisfaction_loyalty_scores",
    "share_of_category_requirements",
    "stationary_shares",
    "switching_summary",
    "transition_counts",
    "transition_matrix",
]
