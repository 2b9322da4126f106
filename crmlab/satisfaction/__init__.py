"""Customer satisfaction: disconfirmation, service-quality gaps, NPS, Kano and PLS satisfaction indices.

Chapter 4. One small module per idea:

- :mod:`~crmlab.satisfaction.disconfirmation` — satisfaction as perceived vs expected value;
- :mod:`~crmlab.satisfaction.servqual` — SERVQUAL's five dimensions and the gaps model;
- :mod:`~crmlab.satisfaction.nps` — Net Promoter Score with a confidence interval;
- :mod:`~crmlab.satisfaction.kano` — Kano classification, better/worse coefficients;
- :mod:`~crmlab.satisfaction.reliability` — Cronbach's alpha, composite reliability, AVE;
- :mod:`~crmlab.satisfaction.pls` and :mod:`~crmlab.satisfaction.ecsi` — the ECSI model by PLS path modelling
  (reflective, formative and single-item blocks; missing-data options; interactions);
- :mod:`~crmlab.satisfaction.bootstrap` — vectorised bootstrap of a PLS model (paths, weights, HTMT intervals);
- :mod:`~crmlab.satisfaction.validity` — HTMT, Fornell–Larcker, SRMR and f²;
- :mod:`~crmlab.satisfaction.effects` — specific indirect and total effects (mediation);
- :mod:`~crmlab.satisfaction.moderation` — interaction terms (two-stage, product-indicator, orthogonalised);
- :mod:`~crmlab.satisfaction.plspredict` and :mod:`~crmlab.satisfaction.ipma` — PLSpredict and the
  importance–performance map;
- :mod:`~crmlab.satisfaction.report` — a seminr-style text summary.
"""

from crmlab.satisfaction.bootstrap import PLSBootstrap, bootstrap_pls
from crmlab.satisfaction.disconfirmation import delivered_value_satisfaction, disconfirmation, satisfaction_summary
from crmlab.satisfaction.ecsi import ECSI_BLOCKS, ECSI_LAYOUT, ECSI_PATHS, ecsi_model
from crmlab.satisfaction.effects import indirect_effects
from crmlab.satisfaction.ipma import ipma
from crmlab.satisfaction.kano import (
    KANO_ANSWERS,
    KANO_CATEGORIES,
    kano_classify,
    kano_evaluation_table,
    kano_summary,
    make_kano_responses,
)
from crmlab.satisfaction.moderation import INTERACTION_METHODS
from crmlab.satisfaction.nps import NPSResult, make_nps_responses, net_promoter_score
from crmlab.satisfaction.pls import PLSPathModel
from crmlab.satisfaction.plspredict import pls_predict
from crmlab.satisfaction.reliability import average_variance_extracted, composite_reliability, cronbach_alpha
from crmlab.satisfaction.report import pls_summary
from crmlab.satisfaction.servqual import (
    SERVQUAL_DIMENSIONS,
    ServqualResult,
    five_gaps,
    make_servqual_survey,
    servqual_gaps,
    servqual_items,
)
from crmlab.satisfaction.validity import f_squared, fornell_larcker, htmt, srmr

__all__ = [
    "ECSI_BLOCKS",
    "ECSI_LAYOUT",
    "ECSI_PATHS",
    "INTERACTION_METHODS",
    "KANO_ANSWERS",
    "KANO_CATEGORIES",
    "NPSResult",
    "PLSBootstrap",
    "PLSPathModel",
    "SERVQUAL_DIMENSIONS",
    "ServqualResult",
    "average_variance_extracted",
    "bootstrap_pls",
    "composite_reliability",
    "cronbach_alpha",
    "delivered_value_satisfaction",
    "disconfirmation",
    "ecsi_model",
    "f_squared",
    "five_gaps",
    "fornell_larcker",
    "htmt",
    "indirect_effects",
    "ipma",
    "kano_classify",
    "kano_evaluation_table",
    "kano_summary",
    "make_kano_responses",
    "make_nps_responses",
    "make_servqual_survey",
    "net_promoter_score",
    "pls_predict",
    "pls_summary",
    "satisfaction_summary",
    "servqual_gaps",
    "servqual_items",
    "srmr",
]
