"""Clustering segmentation: features, estimators, choosing k, stability, profiles, recovery.

Chapter 3 (and the research grids of chapter 8). Everything a grid varies has a name:

- feature preparation: :func:`prepare_features` / :func:`make_feature_pipeline` with
  :data:`FEATURE_SETS` (``raw``, ``scaled``, ``log_scaled``, ``rank``);
- clustering method: :func:`make_clusterer` with :data:`CLUSTERERS` (``kmeans``, ``gmm``,
  ``ward``, ``hdbscan``, ``kprototypes``), or :func:`make_segmentation_pipeline`;
- metrics are plain functions: :func:`internal_scores`, :func:`recovery_scores`,
  :func:`stability_scores` / :func:`stability_by_k`.

Typical use::

    feats = rfm_features(rfm_summary(log, classic=True))
    X = prepare_features(feats, "log_scaled")
    table = choose_k_table(X)            # elbow, silhouette, CH, DB, gap, BIC
    stab = stability_by_k(X)             # resampling ARI per k
    labels = make_clusterer("kmeans", stable_k(stab), random_state=7).fit_predict(X)
    segment_profiles(feats, labels)      # size, revenue share, R/F/M, name, action
"""

from __future__ import annotations

from crmlab.segmentation.choose_k import CRITERIA, choose_k_table, elbow_k, internal_scores, suggest_k, within_ss
from crmlab.segmentation.features import (
    FEATURE_SETS,
    RFM_FEATURES,
    Log1pTransformer,
    feature_set_names,
    make_feature_pipeline,
    prepare_features,
    rfm_features,
)
from crmlab.segmentation.models import (
    CLUSTERERS,
    GaussianMixtureClusterer,
    KPrototypesClusterer,
    clusterer_names,
    make_clusterer,
    make_segmentation_pipeline,
)
from crmlab.segmentation.profiles import (
    ACTIONS,
    compare_with_ordering,
    projection_2d,
    segment_profiles,
    snake_table,
    suggest_actions,
)
from crmlab.segmentation.recovery import FOUR_SEGMENT_WORLD, match_segments, recovery_scores
from crmlab.segmentation.stability import stability_by_k, stability_scores, stable_k

__all__ = [
    "ACTIONS",
    "CLUSTERERS",
    "CRITERIA",
    "FEATURE_SETS",
    "FOUR_SEGMENT_WORLD",
    "RFM_FEATURES",
    "GaussianMixtureClusterer",
    "KPrototypesClusterer",
    "Log1pTransformer",
    "choose_k_table",
    "clusterer_names",
    "compare_with_ordering",
    "elbow_k",
    "feature_set_names",
    "internal_scores",
    "make_clusterer",
    "make_feature_pipeline",
    "make_segmentation_pipeline",
    "match_segments",
    "prepare_features",
    "projection_2d",
    "recovery_scores",
    "rfm_features",
    "segment_profiles",
    "snake_table",
    "stability_by_k",
    "stability_scores",
    "stable_k",
    "suggest_actions",
    "suggest_k",
    "within_ss",
]
