"""Missing answers and sentinel codes in PLS path models."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from crmlab._validation import CrmlabWarning
from crmlab.datasets import load_mobi
from crmlab.satisfaction import ecsi_model


@pytest.fixture(scope="module")
def holes():
    data = load_mobi().astype(float)
    rng = np.random.default_rng(0)
    mask = rng.random(data.shape) < 0.03
    return data.mask(mask), mask


def test_default_refuses_and_names_item(holes):
    data, mask = holes
    with pytest.raises(ValueError, match=r"has \d+ missing value\(s\).*missing='mean' or missing='casewise'"):
        ecsi_model().fit(data)


def test_casewise_equals_fitting_complete_rows(holes):
    data, mask = holes
    model = ecsi_model(missing="casewise").fit(data)
    complete = ecsi_model().fit(data.dropna())
    pd.testing.assert_frame_equal(model.paths_, complete.paths_)
    assert model.n_samples_ == int((~mask.any(axis=1)).sum())
    report = model.missing_report_.loc[list(data.columns)]
    assert (report["n_missing"].to_numpy() == mask.sum(axis=0)).all()
    assert (report["n_rows_dropped"] == report["n_missing"]).all()  # every row with a hole is dropped
    assert (report["n_replaced"] == 0).all()
    assert list(model.scores_.index) == list(data.dropna().index)


def test_mean_replacement_equals_fitting_imputed_data(holes):
    data, mask = holes
    model = ecsi_model(missing="mean").fit(data)
    imputed = ecsi_model().fit(data.fillna(data.mean()))
    pd.testing.assert_frame_equal(model.paths_, imputed.paths_)
    report = model.missing_report_.loc[list(data.columns)]
    assert (report["n_replaced"].to_numpy() == mask.sum(axis=0)).all()
    assert model.n_samples_ == len(data)
    # new respondents with a gap get the fitting sample's item mean
    new = data.iloc[:3].copy()
    new.iloc[0, 0] = np.nan
    expected = ecsi_model(missing="mean").fit(data).transform(new.fillna(data.mean()))
    assert np.allclose(model.transform(new), expected)


def test_sentinel_codes_never_enter_the_estimation(holes):
    data, mask = holes
    reference = ecsi_model(missing="casewise").fit(data)
    for code in (-99, 999):
        coded = data.fillna(code)
        model = ecsi_model(missing="casewise", missing_values=code).fit(coded)
        pd.testing.assert_frame_equal(model.paths_, reference.paths_)
        assert (model.missing_report_.loc[list(data.columns), "n_coded"].to_numpy() == mask.sum(axis=0)).all()
        # without declaring the code, the scale check catches it and says how to fix it
        with pytest.raises(ValueError, match=r"outside the scale \[1, 10\].*missing_values="):
            ecsi_model(missing="casewise").fit(coded)
    several = data.fillna(-99)
    several.iloc[0, 0] = -98
    model = ecsi_model(missing="mean", missing_values=[-99, -98]).fit(several)
    assert model.missing_report_["n_coded"].sum() == mask.sum() + (not mask[0, 0])


def test_scale_none_warns_about_codes_used_as_answers(holes):
    data, _ = holes
    coded = data.fillna(-99)
    with pytest.warns(CrmlabWarning, match=r"far outside the range.*-99.*missing_values="):
        ecsi_model(scale=None).fit(coded)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ecsi_model(scale=None, missing="casewise", missing_values=-99).fit(coded)
        ecsi_model(scale=None).fit(load_mobi())  # ordinary answers: no warning


def test_missing_argument_errors(holes):
    data, _ = holes
    with pytest.raises(ValueError, match="'missing' must be one of"):
        ecsi_model(missing="drop").fit(data)
    with pytest.raises(TypeError, match="'missing_values' must be a number"):
        ecsi_model(missing_values="-99").fit(data)


def test_bootstrap_with_missing_handling(holes):
    data, _ = holes
    model = ecsi_model(missing="casewise").fit(data)
    boot = model.bootstrap(data, n_boot=20, random_state=1)
    again = ecsi_model().fit(data.dropna()).bootstrap(data.dropna(), n_boot=20, random_state=1)
    pd.testing.assert_frame_equal(boot, again)
