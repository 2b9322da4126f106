"""Mode A / Mode B / single-item PLS, interactions and indirect effects against a plainly written PLS-PM."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmlab.datasets import load_mobi
from crmlab.satisfaction import ECSI_BLOCKS, ECSI_PATHS, PLSPathModel
from crmlab.satisfaction.effects import indirect_effects
from crmlab.synth.pls_surveys import make_pls_survey

MOBI_MODE_B = {"Image": "B", "Quality": "B", "Value": "B"}


# ---------------------------------------------------------------- a second implementation, written plainly
def reference_pls(data: pd.DataFrame, blocks: dict, paths: list, modes: dict) -> dict:
    """Wold's PLS-PM with a data matrix per block, ddof=0 scaling and lstsq for Mode B.

    Returns weights (per construct, for standardized items), scores and path coefficients.
    """
    x = (data - data.mean()) / data.std(ddof=0)
    names = list(blocks)

    def unit(v):
        return (v - v.mean()) / v.std(ddof=0)

    preds = {n: [s for s, t in paths if t == n] for n in names}
    succs = {n: [t for s, t in paths if s == n] for n in names}
    weights = {n: np.ones(len(blocks[n])) for n in names}
    scores = {n: unit(x[list(blocks[n])].to_numpy() @ weights[n]) for n in names}
    for _ in range(5000):
        new_scores, new_weights = {}, {}
        for n in names:
            inner = np.zeros(len(x))
            if preds[n]:
                design = np.column_stack([scores[p] for p in preds[n]])
                coef = np.linalg.lstsq(design, scores[n], rcond=None)[0]
                inner += design @ coef
            for s in succs[n]:
                inner += np.mean(scores[n] * scores[s]) * scores[s]
            block = x[list(blocks[n])].to_numpy()
            if modes.get(n, "A") == "B" and block.shape[1] > 1:
                w = np.linalg.lstsq(block, inner, rcond=None)[0]
            else:
                w = block.T @ inner / len(x)
            score = block @ w
            w = w / score.std(ddof=0)
            new_weights[n], new_scores[n] = w, block @ w
        change = max(np.max(np.abs(new_weights[n] - weights[n])) for n in names)
        weights, scores = new_weights, new_scores
        if change < 1e-13:
            break
    for n in names:  # items load positively on average
        block = x[list(blocks[n])].to_numpy()
        if np.sum(block.T @ scores[n]) < 0:
            weights[n], scores[n] = -weights[n], -scores[n]
    coefs = {}
    for n in names:
        if preds[n]:
            design = np.column_stack([scores[p] for p in preds[n]])
            beta = np.linalg.lstsq(design, scores[n], rcond=None)[0]
            coefs.update({(p, n): float(b) for p, b in zip(preds[n], beta, strict=True)})
    return {"weights": weights, "scores": scores, "paths": coefs}


def reference_two_stage(data: pd.DataFrame, blocks: dict, paths: list, modes: dict, iv: str, mod: str) -> dict:
    """Two-stage interaction: product of stage-1 scores as the single item of a new construct."""
    name = f"{iv}*{mod}"
    stage1 = reference_pls(data, blocks, [p for p in paths if p[0] != name], modes)
    product = stage1["scores"][iv] * stage1["scores"][mod]
    augmented = data.assign(**{name: product})
    return reference_pls(augmented, {**blocks, name: [name]}, paths, modes)


@pytest.fixture(scope="module")
def mobi():
    return load_mobi()


@pytest.fixture(scope="module")
def mobi_b(mobi):
    return PLSPathModel(ECSI_BLOCKS, ECSI_PATHS, modes=MOBI_MODE_B, tol=1e-12).fit(mobi)


def test_mode_b_mobi_equals_plain_implementation(mobi, mobi_b):
    ref = reference_pls(mobi, {k: list(v) for k, v in ECSI_BLOCKS.items()}, list(ECSI_PATHS), MOBI_MODE_B)
    for name in mobi_b.constructs_:
        got = mobi_b.outer_weights_.loc[name].to_numpy()
        # ddof=0 (reference) and ddof=1 scaling give the same weights: both rescale items and score alike
        assert np.allclose(got, ref["weights"][name], atol=1e-6), name
    for row in mobi_b.paths_.itertuples():
        assert row.coefficient == pytest.approx(ref["paths"][(row.source, row.target)], abs=1e-6)
    assert list(mobi_b.modes_) == ["B", "A", "B", "B", "A", "single", "A"]


def test_mode_b_mobi_reported_numbers(mobi_b):
    """The seminr-style mobi model (Image, Quality, Value formative): numbers quoted in the report."""
    paths = mobi_b.paths_.set_index(["source", "target"])["coefficient"]
    assert paths[("Quality", "Satisfaction")] == pytest.approx(0.551, abs=5e-4)
    assert paths[("Image", "Expectation")] == pytest.approx(0.504, abs=5e-4)
    assert mobi_b.r2_["Satisfaction"] == pytest.approx(0.701, abs=5e-4)
    assert mobi_b.outer_weights_[("Value", "PERV2")] == pytest.approx(0.868, abs=5e-4)
    # formative blocks: VIF from the item correlations, no alpha / rho_c / AVE
    vif = mobi_b.vif_.loc["Value"]
    r = np.corrcoef(load_mobi()[["PERV1", "PERV2"]], rowvar=False)[0, 1]
    assert np.allclose(vif, 1 / (1 - r**2))
    undefined = mobi_b.reliability_.loc[["Image", "Quality", "Value"], ["cronbach_alpha", "rho_c", "ave", "rho_a"]]
    assert undefined.isna().all().all()
    assert mobi_b.reliability_.loc["Image", "n_items"] == 5


def test_mode_b_fixed_point_property(mobi, mobi_b):
    """At convergence Mode B weights are the regression of the inner proxy on the block's items."""
    x = (mobi - mobi.mean()) / mobi.std()
    y = mobi_b.scores_
    corr = y.corr()
    for name in mobi_b.constructs_:
        inner = pd.Series(0.0, index=y.index)
        preds = [s for s, t in ECSI_PATHS if t == name]
        if preds:
            inner += y[preds] @ np.linalg.solve(corr.loc[preds, preds], corr.loc[preds, name])
        for succ in (t for s, t in ECSI_PATHS if s == name):
            inner += corr.loc[name, succ] * y[succ]
        items = list(ECSI_BLOCKS[name])
        if MOBI_MODE_B.get(name) == "B":
            target = np.linalg.lstsq(x[items].to_numpy(), inner.to_numpy(), rcond=None)[0]
        else:
            target = x[items].apply(lambda col, z=inner: np.cov(col, z)[0, 1]).to_numpy()
        w = mobi_b.outer_weights_.loc[name].to_numpy()
        assert np.allclose(w / np.linalg.norm(w), target / np.linalg.norm(target), atol=1e-8), name
    assert np.allclose(y.std(), 1.0)


def test_mode_a_default_unchanged_and_single_item(mobi):
    """Mode B on a one-item block is the same model (weight 1); mode A stays the default."""
    a = PLSPathModel(ECSI_BLOCKS, ECSI_PATHS).fit(mobi)
    b = PLSPathModel(ECSI_BLOCKS, ECSI_PATHS, modes={"Complaints": "B"}).fit(mobi)
    pd.testing.assert_frame_equal(a.paths_, b.paths_)
    assert b.modes_["Complaints"] == "single"
    assert b.outer_weights_[("Complaints", "CUSCO")] == pytest.approx(1.0)


def test_mode_errors(mobi):
    twin = mobi.assign(IMAG6=mobi["IMAG1"] * 2 + 1)
    blocks = {**{k: list(v) for k, v in ECSI_BLOCKS.items()}, "Image": [*ECSI_BLOCKS["Image"], "IMAG6"]}
    with pytest.raises(ValueError, match="items .* of formative construct 'Image' are .*collinear"):
        PLSPathModel(blocks, ECSI_PATHS, modes={"Image": "B"}, scale=(1, 30)).fit(twin)
    PLSPathModel(blocks, ECSI_PATHS, scale=(1, 30)).fit(twin)  # Mode A copes with a duplicated item
    with pytest.raises(ValueError, match="mode of construct 'Image' must be 'A'.*got 'C'"):
        PLSPathModel(ECSI_BLOCKS, ECSI_PATHS, modes={"Image": "C"}).fit(mobi)
    with pytest.raises(ValueError, match="'modes' names construct 'Imago'"):
        PLSPathModel(ECSI_BLOCKS, ECSI_PATHS, modes={"Imago": "B"}).fit(mobi)


# ---------------------------------------------------------------- interactions and indirect effects
@pytest.fixture(scope="module")
def driver():
    return make_pls_survey(400, random_state=7)


def test_two_stage_interaction_equals_plain_implementation(driver):
    model = PLSPathModel(driver.blocks, driver.paths, modes=driver.modes, interactions=driver.interactions,
                         tol=1e-12).fit(driver.items)
    ref = reference_two_stage(driver.items, driver.blocks, driver.paths, driver.modes, "Satisfaction",
                              "SwitchingCost")
    for row in model.paths_.itertuples():
        assert row.coefficient == pytest.approx(ref["paths"][(row.source, row.target)], abs=1e-6), row
    got = model.outer_weights_.loc["Quality"].to_numpy()
    assert np.allclose(got, ref["weights"]["Quality"], atol=1e-6)
    # the reported product coefficient divides by the sd of the stage-1 product
    inter = model.interactions_.iloc[0]
    sat, swc = (reference_pls(driver.items, driver.blocks, driver.paths[:-1], driver.modes)["scores"][k]
                for k in ("Satisfaction", "SwitchingCost"))
    n = len(driver.items)
    product = sat * swc * (n - 1) / n  # reference scores have unit variance with ddof=0, crmlab's with ddof=1
    assert inter["product_coefficient"] == pytest.approx(inter["coefficient"] / product.std(ddof=1), abs=1e-6)


def test_product_indicator_and_orthogonal_equal_plain_implementation(driver):
    items = driver.items
    z = (items - items.mean()) / items.std()
    sat, swc = driver.blocks["Satisfaction"], driver.blocks["SwitchingCost"]
    products = pd.DataFrame({f"{a}*{b}": z[a] * z[b] for a in sat for b in swc})
    design = np.column_stack([np.ones(len(z)), z[sat + swc]])
    residual = products - design @ np.linalg.lstsq(design, products, rcond=None)[0]
    for method, extra in (("product_indicator", products), ("orthogonal", residual)):
        model = PLSPathModel(driver.blocks, driver.paths, modes=driver.modes, interactions=driver.interactions,
                             interaction_method=method, tol=1e-12).fit(items)
        blocks = {**driver.blocks, "Satisfaction*SwitchingCost": list(extra.columns)}
        ref = reference_pls(pd.concat([items, extra], axis=1), blocks, driver.paths, driver.modes)
        for row in model.paths_.itertuples():
            assert row.coefficient == pytest.approx(ref["paths"][(row.source, row.target)], abs=1e-6), (method, row)


def test_indirect_and_total_effects_equal_products_of_paths(driver):
    model = PLSPathModel(driver.blocks, driver.paths[:-1], modes=driver.modes, tol=1e-12).fit(driver.items)
    ref = reference_pls(driver.items, driver.blocks, driver.paths[:-1], driver.modes)["paths"]
    eff = indirect_effects(model).set_index(["source", "via", "target"])["effect"]
    expected = ref[("Quality", "Satisfaction")] * ref[("Satisfaction", "Loyalty")]
    assert eff[("Quality", "Satisfaction", "Loyalty")] == pytest.approx(expected, abs=1e-6)
    total = model.total_effects_.loc["Quality", "Loyalty"]
    assert total == pytest.approx(expected + ref[("Quality", "Loyalty")], abs=1e-6)
    boot = model.bootstrap_results(driver.items, n_boot=50, random_state=3)
    spec = boot.specific_effect(["Quality", "Satisfaction", "Loyalty"]).iloc[0]
    draws = boot.paths[:, 0, 1] * boot.paths[:, 1, 3]
    assert spec["std_error"] == pytest.approx(draws.std(ddof=1))
    assert spec["lower"] == pytest.approx(np.quantile(draws, 0.025))
    with pytest.raises(ValueError, match="no path Quality -> SwitchingCost"):
        boot.specific_effect(["Quality", "SwitchingCost", "Loyalty"])


def test_interaction_errors(driver):
    with pytest.raises(ValueError, match="interaction.*names construct 'Joy'"):
        PLSPathModel(driver.blocks, driver.paths, interactions=[("Joy", "SwitchingCost")]).fit(driver.items)
    with pytest.raises(ValueError, match="'interaction_method' must be one of"):
        PLSPathModel(driver.blocks, driver.paths, interactions=driver.interactions,
                     interaction_method="mean_centred").fit(driver.items)
    model = PLSPathModel(driver.blocks, driver.paths, modes=driver.modes, interactions=driver.interactions,
                         interaction_method="orthogonal").fit(driver.items)
    with pytest.raises(ValueError, match="not defined for interaction_method='orthogonal'"):
        model.transform(driver.items)
    two = PLSPathModel(driver.blocks, driver.paths, modes=driver.modes, interactions=driver.interactions).fit(
        driver.items
    )
    assert np.allclose(two.transform(driver.items), two.scores_)


def test_interaction_model_fixed_point_property(driver):
    """Stage 2 of the two-stage model: every block's weights reproduce themselves from its inner proxy."""
    paths = driver.paths
    model = PLSPathModel(driver.blocks, paths, modes=driver.modes, interactions=driver.interactions,
                         tol=1e-12).fit(driver.items)
    x = (driver.items - driver.items.mean()) / driver.items.std()
    y = model.scores_
    corr = y.corr()
    for name, items in driver.blocks.items():
        inner = pd.Series(0.0, index=y.index)
        preds = [s for s, t in paths if t == name]
        if preds:
            inner += y[preds] @ np.linalg.solve(corr.loc[preds, preds], corr.loc[preds, name])
        for succ in (t for s, t in paths if s == name):
            inner += corr.loc[name, succ] * y[succ]
        if driver.modes.get(name) == "B":
            target = np.linalg.lstsq(x[items].to_numpy(), inner.to_numpy(), rcond=None)[0]
        else:
            target = x[items].T.to_numpy() @ inner.to_numpy()
        w = model.outer_weights_.loc[name].to_numpy()
        assert np.allclose(w / np.linalg.norm(w), target / np.linalg.norm(target), atol=1e-8), name
    product = model.scores_["Satisfaction*SwitchingCost"]
    assert product.std() == pytest.approx(1.0) and abs(product.mean()) < 1e-12
