"""Synthetic customer worlds with known ground truth.

Chapter 0 and the test bed of every chapter: real data never tells you the truth,
a generator does. The entry point is :func:`make_customer_world`; stand-alone
generators cover surveys (:func:`make_ecsi_survey`) and contractual customers
(:func:`make_subscriptions`); :mod:`crmlab.synth.realism` compares a generated
transaction log with a real one such as CDNOW.

=====================  ==========================================================
module                 what it holds
=====================  ==========================================================
``config``             :class:`WorldConfig`: every option, validated
``segments``           :class:`SegmentParams`: one segment's true parameters
``presets``            default segments of the retail, b2b and subscription presets
``behaviour``          BG/NBD purchasing and drop-out, Gamma-Gamma spend, truth
``engine``             the simulation steps (segments -> latent -> behaviour -> ...)
``profiles``           individual and business customer profiles
``surveys``            ECSI structural model, items, loyalty indicators
``complaints``         the complaint iceberg
``subscriptions``      sBG subscribers
``world``              :func:`make_customer_world`, :class:`CustomerWorld`
``export``             CSV, Parquet and SQLite output
``realism``            descriptive statistics for generated-vs-real comparisons
``cli``                the ``crmlab generate`` command
=====================  ==========================================================
"""

from __future__ import annotations

from crmlab.synth import realism
from crmlab.synth.behaviour import btyd_expected_purchases, btyd_residual_value
from crmlab.synth.config import (
    ECSI_PATHS,
    LOYALTY_INDICATORS,
    PRESETS,
    SEGMENTS,
    SegmentParams,
    WorldConfig,
    default_segment_params,
)
from crmlab.synth.subscriptions import make_subscriptions
from crmlab.synth.surveys import CONSTRUCTS, ECSI_ITEMS, ECSI_LOADINGS, EcsiSurvey, make_ecsi_survey
from crmlab.synth.tv_covariates import TVCovariateWorld, simulate_tv_covariate_world
from crmlab.synth.world import CustomerWorld, make_customer_world

__all__ = [
    "CONSTRUCTS",
    "ECSI_ITEMS",
    "ECSI_LOADINGS",
    "ECSI_PATHS",
    "LOYALTY_INDICATORS",
    "PRESETS",
    "SEGMENTS",
    "CustomerWorld",
    "EcsiSurvey",
    "SegmentParams",
    "TVCovariateWorld",
    "WorldConfig",
    "btyd_expected_purchases",
    "btyd_residual_value",
    "default_segment_params",
    "make_customer_world",
    "make_ecsi_survey",
    "make_subscriptions",
    "realism",
    "simulate_tv_covariate_world",
]
