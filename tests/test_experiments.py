"""Tests for crmlab.experiments: grids, resuming, parallel runs, configs, summaries, the command."""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from sklearn.cluster import KMeans  # noqa: E402

from crmlab.experiments import (  # noqa: E402
    ExperimentGrid,
    best_per_condition,
    config_from_dict,
    format_mean_sd,
    load_config,
    make_rfm_blobs,
    register_algorithm,
    run_grid,
    select_k,
    summarize_grid,
)
from crmlab.experiments.cli import add_arguments, run  # noqa: E402
from crmlab.plotting import plot_grid_metric  # noqa: E402

EXAMPLE = Path(__file__).resolve().parents[1] / "notebooks" / "experiments" / "noise_study.toml"
VOLATILE = ["seconds"]  # run time is the one column allowed to differ between runs


def small_grid(**overrides):
    settings = dict(feature_sets=["raw", "log_scaled"], k=[3, 4], n_seeds=2, n_bootstrap=2, base_seed=3,
                    data={"n_customers": 120, "noise": [0.0, 0.6]}, algorithm_params={"kmeans": {"n_init": 2}})
    settings.update(overrides)
    return ExperimentGrid(**settings)


def stable_part(df):
    return df.drop(columns=VOLATILE).reset_index(drop=True)


# --- the data source: ground truth --------------------------------------------------------------------


def test_blobs_reproducible_and_common_random_numbers():
    a = make_rfm_blobs(300, noise=0.5, random_state=11)
    pd.testing.assert_frame_equal(a, make_rfm_blobs(300, noise=0.5, random_state=11))
    assert not a.equals(make_rfm_blobs(300, noise=0.5, random_state=12))
    # the same seed gives the same customers and segments whatever the noise level
    b = make_rfm_blobs(300, noise=0.0, random_state=11)
    assert (a["segment"] == b["segment"]).all()
    assert (a["frequency"] >= 1).all() and (a["monetary"] > 0).all() and (a["recency"] >= 0).all()


def test_blobs_segment_medians_follow_the_profile_table():
    blobs = make_rfm_blobs(4000, random_state=0)
    medians = blobs.groupby("segment")[["recency", "monetary"]].median()
    # profile centres: champions recency 10 / monetary 150, hibernating 330 / 25 (log-normal medians)
    assert medians.loc["champions", "recency"] == pytest.approx(10, rel=0.15)
    assert medians.loc["hibernating", "recency"] == pytest.approx(330, rel=0.1)
    assert medians.loc["champions", "monetary"] == pytest.approx(150, rel=0.1)
    shares = blobs["segment"].value_counts(normalize=True)
    assert shares["hibernating"] == pytest.approx(0.35, abs=0.03)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"n_customers": 5}, ValueError, "'n_customers' must be an integer >= 10"),
        ({"n_segments": 7}, ValueError, "'n_segments' must be an integer >= 2 and <= 6"),
        ({"noise": -0.1}, ValueError, "'noise' must be a number >= 0"),
        ({"separation": "big"}, TypeError, "'separation' must be a number"),
    ],
)
def test_blobs_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        make_rfm_blobs(**kwargs)


# --- the grid: design, seeds, metrics --------------------------------------------------------------------


def test_cells_are_deterministic_and_seeds_derive_from_base_seed():
    grid = small_grid()
    cells = grid.cells()
    assert len(cells) == len(grid) == 2 * 2 * 2 * 2  # noise levels x seeds x feature sets x k
    assert cells["cell_id"].is_unique
    pd.testing.assert_frame_equal(cells, small_grid().cells())
    # replicate r: one data seed and one fitting seed, shared by every method and setting (common random numbers)
    assert cells.groupby("replicate")["seed"].nunique().eq(1).all()
    expected = np.random.SeedSequence(3, spawn_key=(1,)).generate_state(2)
    assert cells.loc[cells["replicate"] == 1, "seed"].iloc[0] == int(expected[0])
    other = small_grid(base_seed=4).cells()
    assert set(other["seed"]).isdisjoint(set(cells["seed"]))
    assert set(other["cell_id"]).isdisjoint(set(cells["cell_id"]))
    # adding a noise level keeps the ids of the cells already planned
    bigger = small_grid(data={"n_customers": 120, "noise": [0.0, 0.6, 1.2]}).cells()
    assert set(cells["cell_id"]) <= set(bigger["cell_id"])


def test_same_grid_same_metrics_and_truth_is_recovered():
    grid = small_grid(feature_sets=["raw", "log_scaled"], k=[2, 4], n_seeds=2, n_bootstrap=1,
                      data={"n_customers": 240, "noise": [0.0, 1.0]})
    first = run_grid(grid, progress=False)
    pd.testing.assert_frame_equal(stable_part(first), stable_part(run_grid(grid, progress=False)))
    assert (first["status"] == "ok").all() and (first["seconds"] >= 0).all()
    assert first["n_found"].eq(first["k"]).all()
    mean_ari = first.groupby(["noise", "feature_set", "k"])["ari"].mean()
    # four well-separated log-normal segments: log + scaling recovers them at the true k, raw values do not
    assert mean_ari[(0.0, "log_scaled", 4)] >= 0.9
    assert mean_ari[(0.0, "raw", 4)] < mean_ari[(0.0, "log_scaled", 4)] - 0.2
    # noise makes recovery harder
    assert mean_ari[(1.0, "log_scaled", 4)] < mean_ari[(0.0, "log_scaled", 4)] - 0.2
    # hand-checkable bounds of the metrics
    assert first["silhouette"].between(-1, 1).all() and first["stability"].between(-0.5, 1).all()
    assert (first["davies_bouldin"] > 0).all() and (first["inertia"] > 0).all()


def test_parallel_results_equal_serial():
    grid = small_grid(k=[3], n_bootstrap=1)
    serial = run_grid(grid, n_jobs=1, progress=False)
    parallel = run_grid(grid, n_jobs=2, progress=False)
    pd.testing.assert_frame_equal(stable_part(serial), stable_part(parallel))


# --- saving and resuming ---------------------------------------------------------------------------------

CALLS: list[int] = []
INTERRUPT_AT: list[int] = []


def _counting_kmeans(k, seed):
    if k in INTERRUPT_AT:
        raise KeyboardInterrupt  # what Ctrl-C in the middle of a long grid looks like
    CALLS.append(k)
    return KMeans(n_clusters=k, n_init=2, random_state=seed)


register_algorithm("counting_kmeans", _counting_kmeans)


def test_interrupted_grid_resumes_and_computes_only_missing_cells(tmp_path):
    grid = small_grid(algorithms=["counting_kmeans"], algorithm_params={}, n_bootstrap=0, k=[2, 3, 4],
                      feature_sets=["log_scaled"])
    CALLS.clear()
    INTERRUPT_AT[:] = [4]
    with pytest.raises(KeyboardInterrupt):
        run_grid(grid, out=tmp_path, progress=False)
    saved = pd.read_csv(tmp_path / "results.csv")
    assert len(saved) == 2 and saved["k"].tolist() == [2, 3]  # the cells finished before the interruption

    INTERRUPT_AT.clear()
    CALLS.clear()
    resumed = run_grid(grid, out=tmp_path, progress=False)
    assert resumed.attrs == {"n_cells": len(grid), "n_reused": 2, "n_computed": len(grid) - 2}
    assert len(CALLS) == len(grid) - 2
    fresh = run_grid(grid, progress=False)
    pd.testing.assert_frame_equal(stable_part(resumed), stable_part(fresh))

    CALLS.clear()
    again = run_grid(grid, out=tmp_path, progress=False)
    assert CALLS == [] and again.attrs["n_computed"] == 0
    pd.testing.assert_frame_equal(again, resumed)


def test_half_written_line_is_computed_again(tmp_path):
    grid = small_grid(k=[3], n_seeds=1, n_bootstrap=0)
    run_grid(grid, out=tmp_path, progress=False)
    path = tmp_path / "results.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines[:-1]) + "\n" + lines[-1][: len(lines[-1]) // 2])  # killed mid-write
    resumed = run_grid(grid, out=tmp_path, progress=False)
    assert resumed.attrs["n_computed"] == 1 and (resumed["status"] == "ok").all()
    assert len(pd.read_csv(path).dropna(subset=["status"]).query("status == 'ok'")) == len(grid)
    # the torn line is gone: one header plus exactly one line per cell, every line complete
    text = path.read_text()
    assert text.endswith("\n") and len(text.splitlines()) == 1 + len(grid)


def test_torn_header_starts_a_fresh_file(tmp_path):
    grid = small_grid(k=[3], n_seeds=1, n_bootstrap=0)
    (tmp_path / "results.csv").write_text("cell_id,alg")  # killed while writing the header
    results = run_grid(grid, out=tmp_path, progress=False)
    assert results.attrs["n_computed"] == len(grid)
    assert len((tmp_path / "results.csv").read_text().splitlines()) == 1 + len(grid)


def test_results_file_of_another_design_is_refused(tmp_path):
    (tmp_path / "results.csv").write_text("cell_id,something_else\nabc,1\n")
    with pytest.raises(ValueError, match="holds results with columns"):
        run_grid(small_grid(), out=tmp_path, progress=False)


def test_failing_method_is_recorded_not_fatal():
    def broken(k, seed):
        raise RuntimeError("singular matrix")

    register_algorithm("broken", broken)
    results = run_grid(small_grid(algorithms=["kmeans", "broken"], n_seeds=1), progress=False)
    bad = results[results["algorithm"] == "broken"]
    assert (bad["status"] == "error").all() and bad["ari"].isna().all()
    assert bad["message"].str.contains("RuntimeError: singular matrix").all()
    assert (results.loc[results["algorithm"] == "kmeans", "status"] == "ok").all()


# --- validation ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"algorithms": ["kmeanz"]}, ValueError, r"ExperimentGrid\(\): 'algorithm' must be one of .*'kmeans'"),
        ({"feature_sets": ["log"]}, ValueError, "'feature_set' must be one of"),
        ({"source": "nowhere"}, ValueError, "'source' must be one of"),
        ({"k": [1, 2]}, ValueError, "'k' must be an integer >= 2"),
        ({"k": [3, 3]}, ValueError, "distinct"),
        ({"n_seeds": 0}, ValueError, "'n_seeds' must be an integer >= 1"),
        ({"subsample": 1.0}, ValueError, "'subsample' must be a number > 0.0 and < 1.0"),
        ({"data": {"nois": [0.1]}}, ValueError, r"source 'rfm_blobs' has no setting\(s\) \['nois'\]"),
        ({"data": {"noise": [[0.1]]}}, TypeError, "data setting 'noise' must be"),
        ({"algorithm_params": {"gmm": {"n_init": 2}}}, ValueError, "not in 'algorithms'"),
        ({"algorithms": "kmeans, gmm"}, ValueError, "'algorithm' must be one of"),
    ],
)
def test_grid_bad_design(kwargs, error, match):
    with pytest.raises(error, match=match):
        small_grid(**kwargs)


def test_run_grid_bad_arguments():
    with pytest.raises(TypeError, match="'grid' must be an ExperimentGrid"):
        run_grid({"k": [2]})
    with pytest.raises(ValueError, match="'n_jobs' must be a positive integer or -1"):
        run_grid(small_grid(), n_jobs=0)


# --- summaries -------------------------------------------------------------------------------------------


def toy_results():
    # one method, one replicate... hand-made metrics per k
    k = [2, 3, 4, 5, 6]
    return pd.DataFrame({
        "cell_id": [f"c{i}" for i in k], "noise": 0.0, "replicate": 0, "algorithm": "kmeans",
        "feature_set": "log_scaled", "k": k,
        "silhouette": [0.50, 0.45, 0.48, 0.40, 0.35],
        "calinski_harabasz": [300.0, 320.0, 400.0, 380.0, 350.0],
        "davies_bouldin": [0.9, 0.8, 0.7, 0.85, 0.95],
        "stability": [0.99, 0.80, 0.95, 0.70, 0.60],
        "inertia": [100.0, 50.0, 20.0, 17.0, 15.0],
        "ari": [0.40, 0.60, 0.95, 0.85, 0.80], "nmi": [0.5, 0.6, 0.9, 0.85, 0.8], "status": "ok",
    })


def test_select_k_rules_on_a_hand_checked_table():
    chosen = select_k(toy_results(), list(["silhouette", "calinski_harabasz", "davies_bouldin", "stability",
                                           "elbow", "oracle"])).set_index("rule")
    assert chosen["k"].to_dict() == {"silhouette": 2, "calinski_harabasz": 4, "davies_bouldin": 4,
                                     "stability": 2, "elbow": 4, "oracle": 4}
    assert chosen.loc["calinski_harabasz", "ari"] == 0.95
    with pytest.raises(ValueError, match="'rule' must be one of"):
        select_k(toy_results(), "gap")
    with pytest.raises(ValueError, match="rule 'stability' needs column 'stability'"):
        select_k(toy_results().assign(stability=np.nan), "stability")


def test_summaries_mean_sd_and_best():
    two = pd.concat([toy_results(), toy_results().assign(replicate=1, cell_id=lambda d: d["cell_id"] + "b",
                                                         ari=lambda d: d["ari"] - 0.1)])
    summary = summarize_grid(two, metrics=["ari"]).set_index("k")
    assert summary.loc[4, "n"] == 2
    assert summary.loc[4, "ari_mean"] == pytest.approx(0.90)
    assert summary.loc[4, "ari_sd"] == pytest.approx(np.sqrt(0.005))
    shown = format_mean_sd(summary.reset_index(), digits=2).set_index("k")
    assert shown.loc[4, "ari"] == "0.90 ± 0.07"
    best = best_per_condition(two)
    assert best[["noise", "k"]].to_dict("records") == [{"noise": 0.0, "k": 4}]
    assert best_per_condition(two, metric="davies_bouldin", larger_is_better=False)["k"].tolist() == [4]


def test_select_k_on_a_real_grid_keeps_one_row_per_method():
    results = run_grid(small_grid(k=[2, 3, 4, 5], n_seeds=1), progress=False)
    chosen = select_k(results, ["silhouette", "oracle"])
    assert len(chosen) == 2 * 2 * 2  # rules x noise levels x feature sets
    oracle = chosen[chosen["rule"] == "oracle"]
    best = results.groupby(["noise", "feature_set"])["ari"].max()
    assert np.allclose(oracle.set_index(["noise", "feature_set"])["ari"].sort_index(), best.sort_index())


# --- config files and the command ------------------------------------------------------------------------


def test_example_config_loads():
    config = load_config(EXAMPLE)
    assert config.name == "noise_study" and config.grid.k == (2, 3, 4, 5, 6)
    assert config.grid.data["noise"] == (0.0, 0.5, 1.0) and config.n_jobs == 1
    assert config.grid.algorithm_params == {"kmeans": {"n_init": 3}}


def write(tmp_path, text):
    path = tmp_path / "study.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("text", "error", "match"),
    [
        ("[experiment]\nalgoritms = ['kmeans']\n", ValueError, r"unknown key\(s\) \['algoritms'\] in \[experiment\]"),
        ("[experiments]\nk = [2]\n", ValueError, r"unknown key\(s\) \['experiments'\] in the file"),
        ("[experiment]\nalgorithms = ['kmean']\n", ValueError, r"load_config\(\): 'algorithm' must be one of"),
        ("[experiment]\nk = '2-6'\n", TypeError, "'k' must be an integer"),
        ("[experiment]\nk = {start = 2}\n", ValueError, "needs both 'start' and 'stop'"),
        ("[experiment]\nk = [2, 3\n", ValueError, "is not valid TOML"),
        ("[data]\nsource = 'rfm_blobs'\nnoize = [0.5]\n", ValueError, r"has no setting\(s\) \['noize'\]"),
        ("[run]\nn_jobs = 0\n", ValueError, "'n_jobs' must be a positive integer or -1"),
        ("[run]\nout = 3\n", TypeError, "'out' must be a folder path string"),
    ],
)
def test_bad_config_files(tmp_path, text, error, match):
    with pytest.raises(error, match=match):
        load_config(write(tmp_path, text))


def test_config_paths_and_missing_file(tmp_path):
    config = load_config(write(tmp_path, "[run]\nout = 'res'\n"))
    assert config.out == tmp_path / "res" and config.name == "study"
    with pytest.raises(FileNotFoundError, match="no config file"):
        load_config(tmp_path / "missing.toml")
    with pytest.raises(TypeError, match=r"load_config\(\): 'path' must be a str or path-like; got NoneType"):
        load_config(None)
    assert len(config_from_dict({"experiment": {"k": [2, 3]}, "data": {"noise": [0.0, 0.5]}}).grid) == 12


def test_command_runs_and_resumes(tmp_path, capsys):
    text = ("[experiment]\nfeature_sets = ['log_scaled']\nk = [3, 4]\nn_seeds = 1\nn_bootstrap = 0\n"
            "[experiment.algorithm_params.kmeans]\nn_init = 2\n[data]\nn_customers = 100\nnoise = [0.0, 0.5]\n")
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args([str(write(tmp_path, text)), "--out", str(tmp_path / "out"), "--no-progress"])
    assert run(args) == 0
    first = capsys.readouterr().out
    assert "4 cells" in first and "0 reused from an earlier run, 4 computed now" in first
    assert (tmp_path / "out" / "results.csv").exists() and (tmp_path / "out" / "summary.csv").exists()
    assert run(args) == 0
    assert "4 reused from an earlier run, 0 computed now" in capsys.readouterr().out


def test_command_reports_bad_config(tmp_path, capsys):
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    assert run(parser.parse_args([str(write(tmp_path, "[experiment]\nk = [1]\n"))])) == 2
    assert "'k' must be an integer >= 2" in capsys.readouterr().err


# --- plotting --------------------------------------------------------------------------------------------


def test_plot_grid_metric_draws_one_line_per_level():
    summary = summarize_grid(toy_results(), by=["feature_set", "k"], metrics=["ari"])
    ax = plot_grid_metric(summary, x="k", hue="feature_set")
    assert len(ax.containers) == 1 and ax.get_xlabel() == "k"
    np.testing.assert_allclose(ax.lines[0].get_ydata(), toy_results()["ari"])
    with pytest.raises(ValueError, match="several rows per"):
        plot_grid_metric(summary, x="feature_set")
    plt.close("all")


def test_world_source_runs_on_generated_customer_worlds():
    grid = ExperimentGrid(source="world", feature_sets=["raw", "log_scaled"], k=[4], n_seeds=1, n_bootstrap=0,
                          data={"n_customers": 400})
    results = run_grid(grid, progress=False).set_index("feature_set")
    assert (results["status"] == "ok").all() and results["n_found"].eq(4).all()
    # the BTYD segments of a world overlap in RFM space, yet log-scaled features beat chance and raw values
    assert results.loc["log_scaled", "ari"] > 0.1
    assert results.loc["log_scaled", "ari"] > results.loc["raw", "ari"]
