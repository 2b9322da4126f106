"""HTMT, Fornell-Larcker, SRMR, f2 and the vectorised bootstrap, checked by hand."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from crmlab.datasets import load_mobi
from crmlab.satisfaction import ECSI_BLOCKS, ecsi_model
from crmlab.satisfaction import bootstrap as boot_module
from crmlab.satisfaction.validity import f_squared, fornell_larcker, htmt, srmr


@pytest.fixture(scope="module")
def mobi():
    return load_mobi()


@pytest.fixture(scope="module")
def fitted(mobi):
    return ecsi_model().fit(mobi)


def test_htmt_by_hand(mobi, fitted):
    blocks = {k: list(v) for k, v in ECSI_BLOCKS.items()}
    r = mobi.corr()

    def mono(items):
        if len(items) == 1:
            return 1.0
        return np.mean([r.loc[a, b] for a, b in itertools.permutations(items, 2)])

    table = htmt(mobi, blocks)
    for a, b in itertools.combinations(blocks, 2):
        hetero = np.mean([r.loc[i, j] for i in blocks[a] for j in blocks[b]])
        assert table.loc[a, b] == pytest.approx(hetero / np.sqrt(mono(blocks[a]) * mono(blocks[b])))
        assert table.loc[b, a] == pytest.approx(table.loc[a, b])
    assert np.isnan(np.diag(table)).all()


def test_fornell_larcker_and_f2_by_hand(fitted):
    fl = fornell_larcker(fitted)
    assert np.allclose(np.diag(fl), np.sqrt(fitted.reliability_["ave"]), equal_nan=True)
    assert fl.loc["Loyalty", "Satisfaction"] == pytest.approx(fitted.scores_.corr().loc["Loyalty", "Satisfaction"])
    assert np.isnan(fl.loc["Satisfaction", "Loyalty"])
    f2 = f_squared(fitted).set_index(["source", "target"])["f2"]
    y = fitted.scores_
    for (src, tgt), value in f2.items():
        others = [s for s, t in f2.index if t == tgt and s != src]
        r2_in = fitted.r2_[tgt]
        r2_ex = 0.0
        if others:
            x = np.column_stack([np.ones(len(y)), y[others]])
            resid = y[tgt] - x @ np.linalg.lstsq(x, y[tgt], rcond=None)[0]
            r2_ex = 1 - resid.var() / y[tgt].var()
        assert value == pytest.approx((r2_in - r2_ex) / (1 - r2_in), abs=1e-9), (src, tgt)


def test_srmr_by_hand(mobi, fitted):
    items = [i for b in ECSI_BLOCKS.values() for i in b]
    owner = {i: c for c, b in ECSI_BLOCKS.items() for i in b}
    s = mobi[items].corr().to_numpy()
    lam = {i: fitted.outer_loadings_[(owner[i], i)] for i in items}
    corr = fitted.scores_.corr()
    total, count = 0.0, 0
    for a in range(len(items)):
        for b in range(a + 1):
            i, j = items[a], items[b]
            implied = 1.0 if a == b else lam[i] * lam[j] * corr.loc[owner[i], owner[j]]
            total += (s[a, b] - implied) ** 2
            count += 1
    assert srmr(fitted) == pytest.approx(np.sqrt(total / count))
    assert 0 < srmr(fitted) < 0.1


def test_bootstrap_equals_refitting_each_resample(mobi, fitted):
    boot = fitted.bootstrap_results(mobi, n_boot=6, random_state=11)
    idx = np.random.default_rng(11).integers(0, len(mobi), size=(6, len(mobi)))
    for r in range(6):
        refit = ecsi_model().fit(mobi.iloc[idx[r]].reset_index(drop=True))
        assert np.allclose(boot.paths[r], refit.path_coefficients_.to_numpy(), atol=1e-6), r
        assert np.allclose(boot.htmt[r], htmt(mobi.iloc[idx[r]], ECSI_BLOCKS).to_numpy(), equal_nan=True)


def test_bootstrap_chunking_and_seed(mobi, fitted, monkeypatch):
    one = fitted.bootstrap(mobi, n_boot=40, random_state=5)
    monkeypatch.setattr(boot_module, "_CHUNK", 7)
    two = fitted.bootstrap(mobi, n_boot=40, random_state=5)
    pd.testing.assert_frame_equal(one, two, atol=1e-12, rtol=0)
    three = fitted.bootstrap(mobi, n_boot=40, random_state=6)
    assert not np.allclose(one["std_error"], three["std_error"])
    with pytest.raises(ValueError, match="was fitted to 250"):
        fitted.bootstrap(mobi.iloc[:100], n_boot=10)
