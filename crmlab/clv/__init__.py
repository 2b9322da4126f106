"""Customer lifetime value (客户终生价值): from the lecture's formula to BTYD models.

Chapter 6. The subpackage holds

* :mod:`~crmlab.clv.formulas` – the lecture's average CLV and acquisition cost,
  discounted purchase streams (the 25- vs 65-year-old buyer), retention-based CLV
  and cohort retention curves;
* :class:`ShiftedBetaGeoModel` – contractual retention (sBG);
* :class:`BetaGeoModel`, :class:`ParetoNBDModel`, :class:`ModifiedBetaGeoModel` –
  non-contractual, continuous time; :class:`BetaGeoBetaBinomModel` – discrete time;
  :class:`GammaGammaModel` – spend per transaction;
* :mod:`~crmlab.clv.evaluation` – calibration/holdout tables, tracking and the
  tables behind the plots;
* ``simulate_*`` – customers with known truth for checking the models.

All models are fitted by maximum likelihood on unique (frequency, recency, T)
rows with weights; they take :func:`crmlab.rfm.rfm_summary` output directly.
"""

from crmlab.clv._ml import FitError
from crmlab.clv.bgbb import BetaGeoBetaBinomModel
from crmlab.clv.bgnbd import BetaGeoModel
from crmlab.clv.boundary import BetaGeoCommonDropoutModel, fit_bgnbd
from crmlab.clv.cnbd import BetaGeoCNBDModel, ModifiedBetaGeoCNBDModel
from crmlab.clv.covariates import BetaGeoCovariateModel, ParetoNBDCovariateModel, check_covariates
from crmlab.clv.evaluation import (
    calibration_holdout_table,
    expected_cumulative_transactions,
    frequency_distribution,
    frequency_recency_matrix,
    mixing_distributions,
    probability_alive_calibration,
    probability_alive_history,
    probability_alive_matrix,
)
from crmlab.clv.formulas import (
    acquisition_cost,
    age_example,
    average_clv,
    clv_sensitivity,
    cohort_retention,
    purchase_stream_value,
    retention_clv,
)
from crmlab.clv.gammagamma import GammaGammaModel
from crmlab.clv.holdout import HoldoutReport, holdout_report, normalized_gini
from crmlab.clv.intervals import PredictionIntervals, interval_coverage, prediction_intervals
from crmlab.clv.mbgnbd import ModifiedBetaGeoModel
from crmlab.clv.paretoggg import ParetoGGGModel, effective_sample_size, split_r_hat
from crmlab.clv.paretonbd import ParetoNBDModel
from crmlab.clv.regularity import (
    estimate_regularity,
    intertransaction_times,
    log_intertransaction_times,
    regularity_profile,
)
from crmlab.clv.retention_covariates import ShiftedBetaGeoCovariateModel
from crmlab.clv.sbg import ShiftedBetaGeoModel, survival_to_cohort
from crmlab.clv.simulate import simulate_bgnbd, simulate_pareto_nbd
from crmlab.clv.spend_covariates import GammaGammaCovariateModel
from crmlab.clv.tv_covariates import ParetoNBDTimeVaryingModel

__all__ = [
    "BetaGeoBetaBinomModel",
    "BetaGeoCNBDModel",
    "BetaGeoCommonDropoutModel",
    "BetaGeoCovariateModel",
    "BetaGeoModel",
    "FitError",
    "GammaGammaCovariateModel",
    "GammaGammaModel",
    "HoldoutReport",
    "ModifiedBetaGeoCNBDModel",
    "ModifiedBetaGeoModel",
    "ParetoGGGModel",
    "ParetoNBDCovariateModel",
    "PredictionIntervals",
    "ParetoNBDModel",
    "ParetoNBDTimeVaryingModel",
    "ShiftedBetaGeoCovariateModel",
    "ShiftedBetaGeoModel",
    "acquisition_cost",
    "age_example",
    "average_clv",
    "check_covariates",
    "calibration_holdout_table",
    "clv_sensitivity",
    "cohort_retention",
    "effective_sample_size",
    "estimate_regularity",
    "expected_cumulative_transactions",
    "fit_bgnbd",
    "frequency_distribution",
    "frequency_recency_matrix",
    "holdout_report",
    "interval_coverage",
    "intertransaction_times",
    "log_intertransaction_times",
    "mixing_distributions",
    "normalized_gini",
    "probability_alive_calibration",
    "probability_alive_history",
    "prediction_intervals",
    "probability_alive_matrix",
    "purchase_stream_value",
    "regularity_profile",
    "retention_clv",
    "simulate_bgnbd",
    "simulate_pareto_nbd",
    "split_r_hat",
    "survival_to_cohort",
]
