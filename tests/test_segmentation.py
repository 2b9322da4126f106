"""Tests for crmlab.segmentation: recovery of known segments, choosing k, stability, profiles."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from threadpoolctl import threadpool_limits

from crmlab.plotting import (
    plot_choose_k,
    plot_rfm_bin_sizes,
    plot_rfm_heatmap,
    plot_rfm_segments,
    plot_segments_2d,
    plot_snake,
    plot_stability,
)
from crmlab.rfm import rfm_bin_sizes, rfm_scores, rfm_segments, rfm_summary
from crmlab.segmentation import (
    Log1pTransformer,
    choose_k_table,
    clusterer_names,
    compare_with_ordering,
    elbow_k,
    feature_set_names,
    internal_scores,
    make_clusterer,
    make_segmentation_pipeline,
    match_segments,
    prepare_features,
    projection_2d,
    recovery_scores,
    rfm_features,
    segment_profiles,
    snake_table,
    stability_by_k,
    stable_k,
    suggest_k,
    within_ss,
)
from crmlab.value import customer_ordering


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """Small fits: one OpenMP/BLAS thread each is much faster than thread start-up on a shared machine."""
    with threadpool_limits(limits=1):
        yield


@pytest.fixture(scope="module")
def world(four_segment_world):
    w = four_segment_world
    summary = rfm_summary(w.transactions, observation_end=w.config.end, classic=True)
    truth = w.truth.set_index("customer_id").loc[summary.index, "segment"].to_numpy()
    return summary, rfm_features(summary), truth


@pytest.fixture(scope="module")
def blobs():
    rng = np.random.default_rng(3)
    centres = np.array([[0.0, 0.0], [5.0, 0.0], [0.0, 5.0]])
    truth = np.repeat([0, 1, 2], 40)
    return centres[truth] + rng.normal(0, 0.5, (120, 2)), truth


# --- the chapter's must-show: recovery and stability on a four-segment world -----------------------


def test_recommended_pipeline_recovers_four_known_segments(world):
    _, feats, truth = world
    labels = make_segmentation_pipeline("kmeans", 4, feature_set="log_scaled", random_state=7).fit_predict(feats)
    scores = recovery_scores(truth, labels)
    assert scores["ari"] >= 0.8 and scores["nmi"] >= 0.8
    # without the log transform the skewed features recover much less
    raw = make_segmentation_pipeline("kmeans", 4, feature_set="raw", random_state=7).fit_predict(feats)
    assert recovery_scores(truth, raw)["ari"] < scores["ari"] - 0.2


def test_stability_points_at_the_true_k(world):
    _, feats, _ = world
    X = prepare_features(feats, "log_scaled")
    table = stability_by_k(X, range(2, 8), n_resamples=8, random_state=7, n_init=3)
    assert stable_k(table) == 4
    assert table.loc[4, "ari_mean"] > table.loc[[5, 6, 7], "ari_mean"].max()


# --- features and models ---------------------------------------------------------------------------


def test_feature_sets_by_name_are_pure_and_shaped(world):
    _, feats, _ = world
    before = feats.copy()
    for name in feature_set_names():
        out = prepare_features(feats, name)
        assert out.shape == feats.shape and list(out.columns) == list(feats.columns)
        assert np.isfinite(out.to_numpy()).all()
    pd.testing.assert_frame_equal(feats, before)
    z = prepare_features(feats, "log_scaled")
    np.testing.assert_allclose(z.mean().to_numpy(), 0, atol=1e-9)
    np.testing.assert_allclose(z.std(ddof=0).to_numpy(), 1, atol=1e-9)
    np.testing.assert_allclose(z["frequency"], (np.log1p(feats["frequency"]) - np.log1p(feats["frequency"]).mean())
                               / np.log1p(feats["frequency"]).std(ddof=0))


def test_feature_errors():
    bad = pd.DataFrame({"recency": [-1.0, 2.0], "frequency": [1.0, 2.0], "monetary": [1.0, 2.0]})
    with pytest.raises(ValueError, match="negative 'recency'"):
        prepare_features(bad, "log_scaled")
    with pytest.raises(ValueError, match="'feature_set' must be one of"):
        prepare_features(bad, "pca")
    with pytest.raises(ValueError, match="missing required column"):
        prepare_features(bad.drop(columns="monetary"))
    with pytest.raises(ValueError, match="must be non-negative"):
        Log1pTransformer().fit(np.array([[-1.0]]))


@pytest.mark.parametrize("name", ["kmeans", "gmm", "ward", "hdbscan"])
def test_every_named_clusterer_finds_three_blobs(blobs, name):
    X, truth = blobs
    params = {"min_cluster_size": 10} if name == "hdbscan" else {}
    labels = make_clusterer(name, 3, random_state=0, **params).fit_predict(X)
    assert recovery_scores(truth, labels)["ari"] > 0.9


def test_kprototypes_uses_numeric_and_categorical_columns():
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"spend": np.r_[rng.normal(0, 0.3, 30), rng.normal(3, 0.3, 30)],
                       "channel": ["web"] * 30 + ["store"] * 30})
    labels = make_clusterer("kprototypes", 2, random_state=0).fit_predict(df)
    assert recovery_scores(df["channel"], labels)["ari"] == 1.0
    with pytest.raises(ValueError, match="both numeric and categorical"):
        make_clusterer("kprototypes", 2, random_state=0).fit(df[["spend"]])
    assert sorted(clusterer_names()) == ["gmm", "hdbscan", "kmeans", "kprototypes", "ward"]
    with pytest.raises(ValueError, match="'name' must be one of"):
        make_clusterer("dbscan")


def test_same_seed_same_labels(world):
    _, feats, _ = world
    X = prepare_features(feats)
    for name in ("kmeans", "gmm"):
        a = make_clusterer(name, 4, random_state=11).fit_predict(X)
        b = make_clusterer(name, 4, random_state=11).fit_predict(X)
        np.testing.assert_array_equal(a, b)


# --- choosing k ------------------------------------------------------------------------------------


def test_choose_k_criteria_pick_three_blobs(blobs):
    X, _ = blobs
    table = choose_k_table(X, range(1, 7), n_refs=5, random_state=0)
    picks = suggest_k(table)["k"]
    for crit in ("inertia", "silhouette", "calinski_harabasz", "davies_bouldin", "gap", "bic"):
        assert picks[crit] == 3, crit
    assert np.isnan(table.loc[1, "silhouette"])


def test_within_ss_and_internal_scores_by_hand():
    X = np.array([[0.0, 0.0], [0.0, 2.0], [10.0, 0.0], [10.0, 2.0]])
    assert within_ss(X, [0, 0, 1, 1]) == pytest.approx(4.0)
    s = internal_scores(X, [0, 0, 1, 1])
    # silhouette of each point: a = 2, b = mean distance to the other pair = (10 + sqrt(104)) / 2
    b = (10 + np.sqrt(104)) / 2
    assert s["silhouette"] == pytest.approx(1 - 2 / b)
    # a sharp bend after k = 4: steep drops before it, a flat tail after it
    assert elbow_k(pd.DataFrame({"inertia": [100.0, 80.0, 60.0, 10.0, 8.0, 6.0]}, index=range(1, 7))) == 4


def test_choose_k_errors(blobs):
    X, _ = blobs
    with pytest.raises(ValueError, match="at least two values"):
        choose_k_table(X, [3])
    with pytest.raises(ValueError, match="'criteria' must be one of"):
        choose_k_table(X, [2, 3], criteria=["aic"])
    with pytest.raises(ValueError, match="must be finite"):
        choose_k_table(np.array([[np.nan, 1.0]] * 5), [2, 3])


def test_stable_k_rule():
    table = pd.DataFrame({"ari_mean": [1.0, 0.999, 0.998, 0.9]}, index=[2, 3, 4, 5])
    assert stable_k(table) == 4
    assert stable_k(table, tolerance=0.0) == 2
    with pytest.raises(ValueError, match="no k >= min_k"):
        stable_k(table, min_k=9)


# --- profiles, ordering model, recovery helpers --------------------------------------------------------


def test_profiles_add_up_and_name_the_segments(world):
    _, feats, truth = world
    prof = segment_profiles(feats, truth)
    assert prof["n_customers"].sum() == len(feats)
    assert prof["revenue_share"].sum() == pytest.approx(1.0) and prof["customer_share"].sum() == pytest.approx(1.0)
    assert prof["revenue_share"].is_monotonic_decreasing
    assert prof.loc["champions", "name"] == "Champions"
    assert prof.loc["dormant", "recency"] > prof.loc["champions", "recency"]
    assert prof.loc["champions", "revenue_share"] > prof.loc["champions", "customer_share"]  # the vital few
    snake = snake_table(feats, truth)
    assert snake.loc["champions", "frequency"] > 0 > snake.loc["dormant", "frequency"]


def test_segments_compared_with_the_ordering_model(world):
    summary, feats, truth = world
    ordering = customer_ordering(summary, factors=("scale", "loyalty"), scale_col="total_value",
                                 loyalty_col="n_purchases")
    table = compare_with_ordering(truth, ordering, normalize=True)
    assert table.loc["champions", 1] == pytest.approx(1.0)  # large scale, high loyalty: develop first
    np.testing.assert_allclose(table.sum(axis=1), 1.0)
    counts = compare_with_ordering(truth, ordering)
    assert counts.to_numpy().sum() == len(summary)
    with pytest.raises(ValueError, match="one label per row"):
        compare_with_ordering(truth[:5], ordering)


def test_recovery_scores_ignore_label_names_and_match_segments():
    truth = np.array(["a", "a", "b", "b", "c", "c"])
    found = np.array([2, 2, 0, 0, 1, 1])
    assert recovery_scores(truth, found) == {"ari": 1.0, "ami": 1.0, "nmi": 1.0, "accuracy": 1.0}
    assert match_segments(truth, found).columns.tolist() == [2, 0, 1]
    with pytest.raises(ValueError, match="same non-zero length"):
        recovery_scores(truth, found[:3])


# --- plots (smoke: they draw what the public functions return) -----------------------------------------


def test_plots_draw_without_error(world, blobs):
    summary, feats, truth = world
    X, _ = blobs
    scores = rfm_scores(summary)
    assert plot_rfm_heatmap(scores).get_title() == "RFM grid: customers"
    plot_rfm_heatmap(scores, value=summary["mean_value"])
    plot_rfm_bin_sizes(rfm_bin_sizes(scores))
    plot_rfm_segments(rfm_segments(scores)["segment"], value=summary["total_value"])
    plot_choose_k(choose_k_table(X, range(2, 5), n_refs=2, criteria=["inertia", "silhouette"], random_state=0))
    plot_stability(stability_by_k(X, [2, 3], n_resamples=2, random_state=0), chosen=3)
    ax = plot_snake(snake_table(feats, truth))
    assert len(ax.get_lines()) == 5  # four segments + the zero line
    proj = projection_2d(prepare_features(feats))
    assert len(plot_segments_2d(proj, truth).collections) == 4
