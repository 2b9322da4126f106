"""PLSpredict, IPMA and the seminr-style summary."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmlab.datasets import load_mobi
from crmlab.satisfaction import PLSPathModel, ecsi_model
from crmlab.satisfaction.ipma import ipma
from crmlab.satisfaction.plspredict import pls_predict
from crmlab.synth.pls_surveys import make_pls_survey


@pytest.fixture(scope="module")
def mobi():
    return load_mobi()


@pytest.fixture(scope="module")
def fitted(mobi):
    return ecsi_model().fit(mobi)


def test_pls_predict_by_hand_on_two_folds(mobi, fitted):
    table = pls_predict(fitted, mobi, n_folds=2, random_state=4)
    fold = np.random.default_rng(4).permutation(np.arange(len(mobi)) % 2)
    item = "CUSA1"
    pred, lm_pred, naive = np.empty(len(mobi)), np.empty(len(mobi)), np.empty(len(mobi))
    for k in range(2):
        train, test = mobi[fold != k], mobi[fold == k]
        m = ecsi_model().fit(train)
        z = (test - train.mean()) / train.std()
        scores = m.transform(test)
        lv = scores[["Image", "Expectation", "Quality", "Value"]] @ m.path_coefficients_.loc[
            ["Image", "Expectation", "Quality", "Value"], "Satisfaction"]
        loading = np.corrcoef(((train - train.mean()) / train.std())[item], m.scores_["Satisfaction"])[0, 1]
        pred[fold == k] = train[item].mean() + train[item].std() * loading * lv
        x_items = [c for c in mobi.columns if c[:4] in ("IMAG", "CUEX", "PERQ", "PERV")]
        x = np.column_stack([np.ones(len(train)), train[x_items]])
        coef = np.linalg.lstsq(x, train[item], rcond=None)[0]
        lm_pred[fold == k] = np.column_stack([np.ones(len(test)), test[x_items]]) @ coef
        naive[fold == k] = train[item].mean()
        assert np.allclose(z.shape, test.shape)
    y = mobi[item].to_numpy()
    row = table.loc[item]
    assert row["rmse_pls"] == pytest.approx(np.sqrt(np.mean((y - pred) ** 2)))
    assert row["mae_pls"] == pytest.approx(np.mean(np.abs(y - pred)))
    assert row["rmse_lm"] == pytest.approx(np.sqrt(np.mean((y - lm_pred) ** 2)))
    assert row["q2_predict"] == pytest.approx(1 - np.sum((y - pred) ** 2) / np.sum((y - naive) ** 2))
    assert set(table["construct"]) == {"Expectation", "Quality", "Value", "Satisfaction", "Complaints", "Loyalty"}
    assert (table.loc[["CUSA1", "CUSA2", "CUSA3"], "q2_predict"] > 0.3).all()


def test_pls_predict_errors():
    s = make_pls_survey(200, random_state=1)
    model = PLSPathModel(s.blocks, s.paths, modes=s.modes, interactions=s.interactions).fit(s.items)
    with pytest.raises(ValueError, match="interaction terms are not supported"):
        pls_predict(model, s.items)


def test_ipma_by_hand(mobi, fitted):
    table = ipma(fitted, "Loyalty")
    perf = fitted.index_scores(mobi)
    assert np.allclose(table["performance"], fitted.index_[table.index])
    # Complaints reaches Loyalty only directly: its importance is the OLS slope on the 0-100 scores
    x = np.column_stack([np.ones(len(perf)), perf[["Image", "Satisfaction", "Complaints"]]])
    slopes = np.linalg.lstsq(x, perf["Loyalty"], rcond=None)[0]
    assert table.loc["Complaints", "importance"] == pytest.approx(slopes[3])
    xc = np.column_stack([np.ones(len(perf)), perf["Satisfaction"]])
    sat_to_comp = np.linalg.lstsq(xc, perf["Complaints"], rcond=None)[0][1]
    assert table.loc["Satisfaction", "importance"] == pytest.approx(slopes[2] + sat_to_comp * slopes[3])
    assert table["importance"].is_monotonic_decreasing
    with pytest.raises(ValueError, match="'target' must be one of"):
        ipma(fitted, "Delight")
    with pytest.raises(ValueError, match="needs the item scale"):
        ipma(ecsi_model(scale=None).fit(mobi), "Loyalty")


def test_summary_reads_like_seminr(mobi):
    model = ecsi_model(modes={"Image": "B", "Quality": "B", "Value": "B"}).fit(mobi)
    boot = model.bootstrap_results(mobi, n_boot=30, random_state=1)
    text = model.summary(boot)
    for section in ("Path coefficients (30 bootstrap resamples", "R^2:", "Reliability:", "HTMT", "Fornell-Larcker",
                    "Outer weights:", "Outer loadings:", "Effect sizes f^2:", "SRMR (saturated model):"):
        assert section in text, section
    assert "Image (B)" in text and "Complaints (single)" in text
    assert f"{model.r2_['Satisfaction']:.3f}" in text
    plain = model.summary()
    assert "HTMT" not in plain and "Path coefficients:" in plain
    pd.testing.assert_frame_equal(model.paths_, ecsi_model(modes={"Image": "B", "Quality": "B", "Value": "B"})
                                  .fit(mobi).paths_)


def test_summary_reports_interactions_and_missing_data():
    s = make_pls_survey(300, random_state=1, missing_rate=0.02)
    model = PLSPathModel(s.blocks, s.paths, modes=s.modes, interactions=s.interactions, missing="mean").fit(s.items)
    text = model.summary()
    assert "Interactions (coefficient: standardized product" in text
    assert "Missing data (missing='mean')" in text
    assert f"{model.interactions_['coefficient'].iloc[0]:.3f}" in text


def test_ipma_warns_about_negative_weights(mobi):
    flipped = mobi.assign(PERQ2=11 - mobi["PERQ2"])  # a reverse-keyed item gets a negative formative weight
    model = ecsi_model(modes={"Quality": "B"}).fit(flipped)
    assert model.outer_weights_[("Quality", "PERQ2")] < 0
    with pytest.warns(UserWarning, match=r"negative .*\('Quality', 'PERQ2'\)"):
        ipma(model, "Satisfaction")
