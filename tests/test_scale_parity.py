"""crmlab.scale on DuckDB equals the in-memory crmlab.rfm / crmlab.clv results (chapter 11)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmlab import clv, rfm, scale
from crmlab.datasets import load_cdnow_master
from crmlab.synth.chunked import write_btyd_world

FREQS = ["D", "W", "M"]
CAL_END = "1997-09-30"


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    log = load_cdnow_master().rename(columns={"dollar_value": "amount"})
    return log[["customer_id", "date", "amount"]]


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("world")
    write_btyd_world(3000, str(out), random_state=3, chunk_size=1000)
    return str(out / "transactions" / "*.parquet")


@pytest.fixture(scope="module")
def stamped() -> pd.DataFrame:
    """A log with times of day, same-period repeats and purchases on the boundary days."""
    rng = np.random.default_rng(5)
    n = 4000
    ids = rng.integers(1, 600, n)
    seconds = rng.integers(0, 400 * 86400, n)
    dates = pd.Timestamp("2023-12-25") + pd.to_timedelta(seconds, unit="s")
    return pd.DataFrame({"customer_id": ids, "date": dates, "amount": np.round(rng.gamma(2.0, 20.0, n) + 0.01, 2)})


def assert_same(expected: pd.DataFrame, got: pd.DataFrame) -> None:
    """Counts and times exactly, money to 1e-9 (sums in another order)."""
    assert list(got.columns) == list(expected.columns)
    assert got.index.equals(expected.index)
    assert got.index.name == expected.index.name
    for col in expected.columns:
        e, g = expected[col].to_numpy(), got[col].to_numpy()
        if "value" in col:
            np.testing.assert_allclose(g, e, rtol=1e-12, atol=1e-9, err_msg=col)
        else:
            assert g.dtype.kind == e.dtype.kind, col
            np.testing.assert_array_equal(g, e, err_msg=col)


@pytest.mark.parametrize("freq", FREQS)
def test_summary_parity_cdnow(cdnow, freq):
    kw = dict(freq=freq, time_scaler=7.0 if freq == "D" else 1.0, allow_negative=True, classic=True)
    assert_same(rfm.rfm_summary(cdnow, **kw), scale.rfm_summary(cdnow, **kw).to_pandas())


@pytest.mark.parametrize("freq", FREQS)
def test_split_parity_cdnow(cdnow, freq):
    kw = dict(freq=freq, allow_negative=True, observation_end="1998-06-30")
    assert_same(rfm.calibration_and_holdout_split(cdnow, CAL_END, **kw),
                scale.calibration_and_holdout_split(cdnow, CAL_END, **kw).to_pandas())


@pytest.mark.parametrize("freq", FREQS)
def test_parity_generated_world_from_parquet(world, freq):
    log = pd.read_parquet(world.rsplit("/", 1)[0])
    kw = dict(freq=freq, time_scaler=7.0 if freq == "D" else 1.0, observation_end="2024-12-31")
    assert_same(rfm.rfm_summary(log, **kw), scale.rfm_summary(world, **kw).to_pandas())
    split = dict(kw, observation_end="2024-12-31")
    assert_same(rfm.calibration_and_holdout_split(log, "2024-03-31", **split),
                scale.calibration_and_holdout_split(world, "2024-03-31", **split).to_pandas())


@pytest.mark.parametrize("freq", ["D", "W", "M", "h"])
def test_parity_times_of_day_and_boundaries(stamped, freq):
    kw = dict(freq=freq, include_first_transaction=True, classic=True, observation_end="2025-01-28")
    assert_same(rfm.rfm_summary(stamped, **kw), scale.rfm_summary(stamped, **kw).to_pandas())
    cut = "2024-06-30 12:00"  # an instant inside a day: purchases later that day are holdout
    assert_same(rfm.calibration_and_holdout_split(stamped, cut, freq=freq),
                scale.calibration_and_holdout_split(stamped, cut, freq=freq).to_pandas())


def test_inputs_csv_duckdb_arrow_and_string_dates(stamped, tmp_path):
    import duckdb
    import pyarrow as pa

    expected = rfm.rfm_summary(stamped, freq="W")
    text = stamped.assign(date=stamped["date"].dt.strftime("%Y-%m-%d %H:%M:%S"))
    csv = tmp_path / "log.csv"
    text.to_csv(csv, index=False)
    db = str(tmp_path / "shop.duckdb")
    with duckdb.connect(db) as con:
        con.register("df", stamped)
        con.execute("CREATE TABLE tx AS SELECT * FROM df")
    sources = [str(csv), scale.DuckDBTable(db, "tx"), pa.Table.from_pandas(stamped), text]
    for source in sources:
        assert_same(expected, scale.rfm_summary(source, freq="W").to_pandas())


def test_no_amount_and_custom_columns(stamped):
    log = stamped.rename(columns={"customer_id": "cid", "date": "when"})
    log["cid"] = "c" + log["cid"].astype(str)  # string ids sort as text in both
    kw = dict(customer_col="cid", date_col="when", amount_col=None)
    assert_same(rfm.rfm_summary(log, **kw), scale.rfm_summary(log, **kw).to_pandas())


@pytest.mark.parametrize("period", ["M", "W", "Q"])
def test_cohort_table_parity(cdnow, period):
    pd.testing.assert_frame_equal(scale.cohort_table(cdnow, period=period, max_periods=12),
                                  clv.cohort_retention(cdnow, period=period, max_periods=12))


# --- bad input: the in-memory errors, raised from the engine's data ---------------------------------------------

def test_errors_missing_column(stamped):
    with pytest.raises(ValueError, match=r"missing required column\(s\) \['amount'\]"):
        scale.rfm_summary(stamped.drop(columns="amount"))


def test_errors_negative_amount_names_customers(stamped):
    log = stamped.copy()
    log.loc[[3, 10], "amount"] = -5.0
    ids = sorted(log.loc[[3, 10], "customer_id"].tolist())
    with pytest.raises(ValueError, match=r"2 row\(s\) of 'transactions' have a negative 'amount'") as err:
        scale.rfm_summary(log)
    assert str(ids) in str(err.value)
    with pytest.raises(ValueError, match=r"2 row\(s\) of 'transactions' have a negative 'amount'"):
        rfm.rfm_summary(log)  # the in-memory function refuses the same log with the same words


def test_errors_infinite_amount_names_customers(stamped):
    log = stamped.copy()
    log.loc[[4], "amount"] = np.inf
    with pytest.raises(ValueError, match=r"column 'amount' of 'transactions' has 1 infinite value\(s\)") as err:
        scale.rfm_summary(log)
    assert str([int(log.loc[4, "customer_id"])]) in str(err.value)
    with pytest.raises(ValueError, match=r"column 'amount' of 'transactions' has 1 infinite value\(s\)"):
        rfm.rfm_summary(log)


def test_zero_amounts_are_purchases_as_in_memory(stamped):
    log = stamped.copy()
    log.loc[[2, 7], "amount"] = 0.0
    got = scale.rfm_summary(log).to_pandas().sort_index()
    want = rfm.rfm_summary(log).sort_index()
    assert (got["frequency"] == want["frequency"]).all()
    np.testing.assert_allclose(got["monetary_value"], want["monetary_value"], rtol=1e-12, atol=1e-12)


def test_errors_unparsable_dates(stamped):
    log = stamped.assign(date=stamped["date"].dt.strftime("%Y-%m-%d"))
    log.loc[7, "date"] = "2024-02-31"
    with pytest.raises(ValueError, match=r"1 value\(s\) in column 'date'.*could not be parsed") as err:
        scale.rfm_summary(log)
    assert "2024-02-31" in str(err.value) and str(log.loc[7, "customer_id"]) in str(err.value)
    log.loc[7, "date"] = "31/02/2024"  # day/month strings are refused as ambiguous, as in memory
    with pytest.raises(ValueError, match=r"day/month dates such as \['31/02/2024'\]"):
        scale.rfm_summary(log)
    with pytest.raises(ValueError, match=r"day/month dates such as \['31/02/2024'\]"):
        rfm.rfm_summary(log)


def test_errors_dates_after_observation_end(stamped):
    late = stamped["date"] > pd.Timestamp("2025-01-20")
    ids = sorted(set(stamped.loc[late, "customer_id"]))[:5]
    with pytest.raises(ValueError, match=r"have 'date' after observation_end=2025-01-19") as err:
        scale.rfm_summary(stamped, observation_end="2025-01-19")
    assert str(ids) in str(err.value)


def test_errors_empty_missing_and_wrong_types(stamped):
    with pytest.raises(ValueError, match="'transactions' is empty"):
        scale.rfm_summary(stamped.iloc[:0])
    log = stamped.copy()
    log.loc[4, "amount"] = np.nan
    with pytest.raises(ValueError, match=r"column 'amount' of 'transactions' has 1 missing value"):
        scale.rfm_summary(log)
    with pytest.raises(TypeError, match="column 'amount' of 'transactions' must be numeric"):
        scale.rfm_summary(stamped.assign(amount=stamped["amount"].astype(str)))
    with pytest.raises(ValueError, match="'calibration_end' must be before"):
        scale.calibration_and_holdout_split(stamped, "2026-01-01")
    with pytest.raises(ValueError, match="'freq' must be one of"):
        scale.rfm_summary(stamped, freq="Q")
    with pytest.raises(TypeError, match="'transactions' must be a path"):
        scale.rfm_summary(42)


# --- the compressed table and the fit on it -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def cal(cdnow):
    return scale.calibration_and_holdout_split(cdnow, CAL_END, time_scaler=7.0, allow_negative=True)


def rel(a: pd.Series, b: pd.Series) -> float:
    return float(np.max(np.abs(a.to_numpy() / b.to_numpy() - 1.0)))


def test_compressed_table_is_small_and_counts_everyone(cal):
    table = scale.compressed_table(cal)
    assert table["weights"].sum() == cal.count() == 23570
    assert len(table) < cal.count() / 2
    assert not table.duplicated(["frequency", "recency_periods", "T_periods"]).any()


@pytest.mark.parametrize("model", [clv.BetaGeoModel, clv.ParetoNBDModel, clv.ModifiedBetaGeoModel])
def test_compressed_fit_equals_per_customer_fit(cal, model):
    per_customer = cal.to_pandas()
    direct = model().fit(per_customer, frequency_col="frequency_cal", recency_col="recency_cal", T_col="T_cal")
    compressed = scale.fit_compressed(model(), scale.compressed_table(cal))
    assert rel(compressed.params_, direct.params_) < 1e-6
    assert compressed.n_customers_ == len(per_customer)
    assert compressed.log_likelihood_ == pytest.approx(direct.log_likelihood_, rel=1e-9)


def test_compressed_fit_bgbb_on_whole_periods(cdnow):
    summary = scale.rfm_summary(cdnow, freq="M", allow_negative=True)
    direct = clv.BetaGeoBetaBinomModel().fit(summary.to_pandas())
    compressed = scale.fit_compressed(clv.BetaGeoBetaBinomModel(), scale.compressed_table(summary))
    # the same maximum: log-likelihoods agree to 1e-10; BG/BB's likelihood is flat in delta near its maximum, so
    # the two optimiser runs stop about 1e-6 apart in the parameters (1.2e-6 measured on 2026-12-04)
    assert abs(compressed.log_likelihood_ / direct.log_likelihood_ - 1.0) < 1e-10
    assert rel(compressed.params_, direct.params_) < 5e-6


def test_dropping_weights_or_one_time_buyers_is_refused_or_visibly_wrong(cal):
    table = scale.compressed_table(cal)
    right = scale.fit_compressed(clv.BetaGeoModel(), table)
    with pytest.raises(ValueError, match="'weights' column"):
        scale.fit_compressed(clv.BetaGeoModel(), table.drop(columns="weights"))
    with pytest.raises(ValueError, match="one-time buyers"):
        scale.fit_compressed(clv.BetaGeoModel(), table[table["frequency"] > 0])
    unweighted = clv.BetaGeoModel().fit(table)  # each unique row counted once: the Databricks mistake
    repeaters = clv.BetaGeoModel().fit(table[table["frequency"] > 0], weights="weights")
    assert rel(unweighted.params_, right.params_) > 0.1
    assert rel(repeaters.params_, right.params_) > 0.1


def test_scores_joined_back_equal_per_customer_predictions(cdnow, tmp_path):
    log = cdnow[cdnow["amount"] > 0]
    out = str(tmp_path / "scores.parquet")
    run = scale.run_clv(log, calibration_end=CAL_END, time_scaler=7.0, horizon=39.0, discount_rate=0.01,
                        margin=0.3, out=out)
    got = pd.read_parquet(out).set_index("customer_id").sort_index()
    data = rfm.calibration_and_holdout_split(log, CAL_END, time_scaler=7.0)
    data = data.rename(columns=lambda c: c.removesuffix("_cal"))
    assert got.index.equals(data.index)
    np.testing.assert_array_equal(got["frequency"], data["frequency"])
    np.testing.assert_allclose(got["p_alive"], run.model.probability_alive(data), rtol=1e-12)
    np.testing.assert_allclose(got["expected_purchases"], run.model.expected_purchases(39.0, data), rtol=1e-12)
    spend = run.spend_model.expected_spend(data)
    np.testing.assert_allclose(got["expected_spend"], spend, rtol=1e-12)
    clv_direct = run.model.customer_lifetime_value(spend, data, horizon=39.0, discount_rate=0.01, margin=0.3)
    np.testing.assert_allclose(got["clv"], clv_direct, rtol=1e-12)
    direct_gg = clv.GammaGammaModel().fit(data)
    assert rel(run.spend_model.params_, direct_gg.params_) < 1e-5  # same likelihood; optimizer tolerance


def test_cli_clv_writes_scores(world, tmp_path, capsys):
    from crmlab.cli import main

    out = str(tmp_path / "s.parquet")
    code = main(["clv", "--transactions", world, "--calibration-end", "2024-06-30", "--time-scaler", "7",
                 "--out", out, "--quiet"])
    assert code == 0
    scores = pd.read_parquet(out)
    assert len(scores) == scores["customer_id"].nunique() > 1000
    assert main(["clv", "--transactions", world, "--out", out]) == 0
    printed = capsys.readouterr().out
    assert "bgnbd: r=" in printed and f"scores written to {out}" in printed
    assert main(["clv", "--transactions", str(tmp_path / "none.parquet"), "--quiet"]) == 2


def test_duckdb_file_in_and_table_out(world, tmp_path, capsys):
    import duckdb

    from crmlab.cli import main

    db = str(tmp_path / "shop.duckdb")
    with duckdb.connect(db) as con:
        con.execute(f"CREATE TABLE tx AS SELECT * FROM read_parquet('{world}')")
        ids = [r[0] for r in con.execute("SELECT DISTINCT customer_id FROM tx ORDER BY 1").fetchall()]
    out_db = str(tmp_path / "scores.duckdb")
    code = main(["clv", "--transactions", f"{db}:tx", "--database", out_db, "--out", "table:clv_scores", "--quiet"])
    assert code == 0, capsys.readouterr().err
    with duckdb.connect(out_db, read_only=True) as con:
        scores = con.execute("SELECT * FROM clv_scores ORDER BY customer_id").df()
    assert scores["customer_id"].tolist() == ids
    assert {"p_alive", "expected_purchases", "expected_spend", "clv"} <= set(scores.columns)
    assert scores["p_alive"].between(0, 1).all()


def test_cli_reports_a_model_that_cannot_be_fitted(stamped, tmp_path, capsys):
    from crmlab.cli import main

    path = str(tmp_path / "once.parquet")
    stamped.drop_duplicates("customer_id").to_parquet(path)  # nobody buys twice: nothing to estimate
    assert main(["clv", "--transactions", path, "--quiet"]) == 2
    assert "crmlab clv: BetaGeoModel.fit(): no customer in 'data' has a repeat purchase" in capsys.readouterr().err


def test_clv_command_is_registered_with_help(capsys):
    from crmlab.cli import build_parser, main

    assert "clv" in build_parser().format_help()
    with pytest.raises(SystemExit) as exc:
        main(["clv", "--help"])
    assert exc.value.code == 0
    assert "--calibration-end" in capsys.readouterr().out
