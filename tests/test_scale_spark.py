"""The same pipeline on a local Spark session (local[2]): parity with pandas and with DuckDB.

One session is shared by every test of this file (starting Spark costs seconds). Without
PySpark or Java the tests skip with how to install them; under CI=true they fail instead.
"""

from __future__ import annotations

import os
import shutil

import numpy as np
import pandas as pd
import pytest

from crmlab import rfm, scale
from crmlab.datasets import load_cdnow_master

HOWTO = ("Spark tests need PySpark and Java 17+: pip install 'crmlab[spark]' and "
         "apt-get install openjdk-17-jre-headless (.ci/run installs it on CI)")
CAL_END = "1997-09-30"


def _missing() -> str | None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "PySpark is not installed"
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "no 'java' on PATH"
    return None


@pytest.fixture(scope="module")
def spark():
    why = _missing()
    if why is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{why}; {HOWTO}. CI must run the Spark tests.")
        pytest.skip(f"{why}; {HOWTO}.")
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[2]").appName("crmlab-tests")
               .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", "2").config("spark.driver.memory", "1g").getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield scale.SparkEngine(session)
    session.stop()


@pytest.fixture(scope="module")
def cdnow(tmp_path_factory) -> tuple[pd.DataFrame, str]:
    log = load_cdnow_master().rename(columns={"dollar_value": "amount"})[["customer_id", "date", "amount"]]
    log = log[log["amount"] > 0].reset_index(drop=True)
    path = tmp_path_factory.mktemp("cdnow") / "cdnow.parquet"
    log.to_parquet(path, index=False, coerce_timestamps="us")  # Spark cannot read nanosecond timestamps
    return log, str(path)


@pytest.fixture(scope="module")
def cdnow_frame(spark, cdnow):
    """The CDNOW Parquet file read once by Spark (a Spark DataFrame input)."""
    return spark.session.read.parquet(cdnow[1])


def assert_same(expected: pd.DataFrame, got: pd.DataFrame) -> None:
    assert list(got.columns) == list(expected.columns)
    assert got.index.equals(expected.index)
    for col in expected.columns:
        e, g = expected[col].to_numpy(), got[col].to_numpy()
        if "value" in col:
            np.testing.assert_allclose(g, e, rtol=1e-12, atol=1e-9, err_msg=col)
        else:
            np.testing.assert_array_equal(g, e.astype(g.dtype) if e.dtype.kind == g.dtype.kind else e, err_msg=col)


@pytest.mark.parametrize("freq", ["D", "W", "M"])
def test_spark_summary_and_split_parity(spark, cdnow, cdnow_frame, freq):
    log, path = cdnow[0], cdnow_frame
    kw = dict(freq=freq, time_scaler=7.0 if freq == "D" else 1.0)
    assert_same(rfm.rfm_summary(log, classic=True, **kw),
                scale.rfm_summary(path, classic=True, engine=spark, **kw).to_pandas())
    assert_same(rfm.calibration_and_holdout_split(log, CAL_END, **kw),
                scale.calibration_and_holdout_split(path, CAL_END, engine=spark, **kw).to_pandas())


def test_spark_pipeline_equals_duckdb(spark, cdnow, tmp_path):
    _, path = cdnow
    kw = dict(calibration_end=CAL_END, time_scaler=7.0, horizon=39.0)
    on_spark = scale.run_clv(path, engine=spark, out=str(tmp_path / "spark_scores"), **kw)
    on_duck = scale.run_clv(path, out=str(tmp_path / "duck.parquet"), **kw)
    pd.testing.assert_frame_equal(on_spark.table, on_duck.table, check_dtype=False)
    np.testing.assert_array_equal(on_spark.model.params_.to_numpy(), on_duck.model.params_.to_numpy())
    a = pd.read_parquet(tmp_path / "spark_scores").set_index("customer_id").sort_index()
    b = pd.read_parquet(tmp_path / "duck.parquet").set_index("customer_id").sort_index()
    assert a.index.equals(b.index) and len(a) == on_duck.n_customers
    btyd = ["frequency", "recency", "T", "p_alive", "expected_purchases", "discounted_purchases"]
    np.testing.assert_allclose(a[btyd].to_numpy(), b[btyd].to_numpy(), rtol=1e-12)
    # Mean spends differ in the last bits (sums in another order), so the Gamma-Gamma optimum moves
    # within the optimizer's tolerance: spend and CLV agree to 1e-6, not bit for bit.
    np.testing.assert_allclose(a[["expected_spend", "clv"]].to_numpy(), b[["expected_spend", "clv"]].to_numpy(),
                               rtol=1e-6)


def test_spark_dataframe_input_and_errors(spark, cdnow):
    log, _ = cdnow
    bad = log.head(200).copy()
    bad.loc[[5, 9], "amount"] = -1.0
    frame = spark.session.createDataFrame(bad)
    with pytest.raises(ValueError, match=r"2 row\(s\) of 'transactions' have a negative 'amount'") as err:
        scale.rfm_summary(frame)  # a Spark DataFrame picks the Spark engine by itself
    assert str(sorted(bad.loc[[5, 9], "customer_id"].tolist())) in str(err.value)
    with pytest.raises(ValueError, match="missing required column"):
        scale.rfm_summary(frame.drop("date"))
    with pytest.raises(ValueError, match="after observation_end=1997-01-31"):
        scale.rfm_summary(frame, observation_end="1997-01-31", allow_negative=True)


def _messy_cases():
    """The messy-log cases of ``test_scale_messy.py`` (loaded by path: works in every pytest import mode)."""
    import importlib.util
    import sys
    from pathlib import Path

    name = "_crmlab_scale_messy_cases"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("test_scale_messy.py"))
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up here
        spec.loader.exec_module(module)
    return sys.modules[name]


MESSY = _messy_cases()


@pytest.mark.parametrize("case", MESSY.CASES, ids=[c.name for c in MESSY.CASES])
def test_spark_messy_log_matches_in_memory(spark, case):
    """date_format (TRY_TO_TIMESTAMP), after_end and duplicates on Spark: in-memory table, warnings and errors."""
    mem, eng = MESSY.run_case(case, engine=spark)
    MESSY.assert_same_outcome(mem, eng)
