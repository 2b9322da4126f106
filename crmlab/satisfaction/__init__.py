"""Customer satisfaction: disconfirmation, service-quality gaps, NPS, Kano and PLS satisfaction indices.

Chapter 4. One small module per idea:

- :mod:`~crmlab.satisfaction.disconfirmation` — satisfaction as perceived vs expected value;
- :mod:`~crmlab.satisfaction.servqual` — SERVQUAL's five dimensions and the gaps model;
- :mod:`~crmlab.satisfaction.nps` — Net Promoter Score with a confidence interval;
- :mod:`~crmlab.satisfaction.kano` — Kano classification, better/worse coefficients;
- :mod:`~crmlab.satisfaction.reliability` — Cronbach's alpha, composite reliability, AVE;
- :mod:`~crmlab.satisfaction.pls` and :mod:`~crmlab.satisfaction.ecsi` — the ECSI model by PLS path modelling.
"""

from crmlab.satisfaction.disconfirmation import delivered_value_satisfaction, disconfirmation, satisfaction_summary
from crmlab.satisfaction.ecsi import ECSI_BLOCKS, ECSI_LAYOUT, ECSI_PATHS, ecsi_model
from crmlab.satisfaction.kano import (
    KANO_ANSWERS,
    KANO_CATEGORIES,
    kano_classify,
    kano_evaluation_table,
    kano_summary,
    make_kano_responses,
)
from crmlab.satisfaction.nps import NPSResult, make_nps_responses, net_promoter_score
from crmlab.satisfaction.pls import PLSPathModel
from crmlab.satisfaction.reliability import average_variance_extracted, composite_reliability, cronbach_alpha
from crmlab.satisfaction.servqual import (
    SERVQUAL_DIMENSIONS,
    ServqualResult,
    five_gaps,
    make_servqual_survey,
    servqual_gaps,
    servqual_items,
)

__all__ = [
    "ECSI_BLOCKS",
    "ECSI_LAYOUT",
    "ECSI_PATHS",
    "KANO_ANSWERS",
    "KANO_CATEGORIES",
    "NPSResult",
    "PLSPathModel",
    "SERVQUAL_DIMENSIONS",
    "ServqualResult",
    "average_variance_extracted",
    "composite_reliability",
    "cronbach_alpha",
    "delivered_value_satisfaction",
    "disconfirmation",
    "ecsi_model",
    "five_gaps",
    "kano_classify",
    "kano_evaluation_table",
    "kano_summary",
    "make_kano_responses",
    "make_nps_responses",
    "make_servqual_survey",
    "net_promoter_score",
    "satisfaction_summary",
    "servqual_gaps",
    "servqual_items",
]
