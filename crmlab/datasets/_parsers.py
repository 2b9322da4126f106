"""Readers that turn each shipped raw file into its documented, tidy DataFrame."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["PARSERS"]


def _cdnow_master(path: Path) -> pd.DataFrame:
    df = pd.read_csv(
        path,
        sep=r"\s+",
        skiprows=1,
        header=None,
        names=["customer_id", "date", "number_of_cds", "dollar_value"],
        dtype={"customer_id": "int64", "date": str, "number_of_cds": "int64", "dollar_value": "float64"},
    )
    df["date"] = pd.to_datetime(df["date"], format="%Y%m%d").astype("datetime64[ns]")
    return df


def _cdnow_sample(path: Path) -> pd.DataFrame:
    df = pd.read_csv(
        path,
        sep=r"\s+",
        header=None,
        names=["master_id", "customer_id", "date", "number_of_cds", "dollar_value"],
        dtype={"master_id": "int64", "customer_id": "int64", "date": str, "number_of_cds": "int64"},
    )
    df["date"] = pd.to_datetime(df["date"], format="%Y%m%d").astype("datetime64[ns]")
    return df[["customer_id", "master_id", "date", "number_of_cds", "dollar_value"]]


def _cdnow_summary(path: Path) -> pd.DataFrame:
    df = pd.read_csv(path)
    return df.rename(columns={"ID": "customer_id", "x": "frequency", "t_x": "recency", "zbar": "monetary_value"})


def _cdnow_holdout(path: Path) -> pd.DataFrame:
    df = pd.read_csv(path)
    out = pd.DataFrame(
        {
            "customer_id": df["sample_id"].astype("int64"),
            "frequency_cal": df["x"].astype("int64"),
            "recency_cal": df["t.x"],
            "T_cal": df["T.cal"],
            "monetary_value_cal": df["m.x"],
            "frequency_holdout": df["x.star"].astype("int64"),
            "duration_holdout": 39.0,
        }
    )
    return out


def _cdnow_tracking(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype="int64")


def _donations(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype="int64")


def _donations_holdout(path: Path) -> pd.DataFrame:
    df = pd.read_csv(path).astype("int64")
    df = df.rename(
        columns={
            "x": "frequency",
            "t.x": "recency",
            "n.cal": "periods",
            "custs": "weights",
            "x.star": "holdout_transactions",
        }
    )
    return df.sort_values(["frequency", "recency"], ignore_index=True)


def _donations_annual(path: Path) -> pd.DataFrame:
    df = pd.read_csv(path, dtype="int64").rename(columns={"transactions": "repeat_transactions"})
    period = pd.Categorical(
        np.where(df["year"].to_numpy() <= 2001, "calibration", "holdout"), categories=["calibration", "holdout"]
    )
    return df.assign(period=period)


def _sbg_retention(path: Path) -> pd.DataFrame:
    df = pd.read_csv(path, dtype={"year": "int64"})
    return df.rename(columns={"regular_pct_alive": "regular", "highend_pct_alive": "high_end"})


def _mobi(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype="int64")


def _yogurt(path: Path) -> pd.DataFrame:
    df = pd.read_csv(path)
    brands = ["yoplait", "dannon", "hiland", "weight"]
    out = pd.DataFrame({"household_id": df["id"].astype("int64")})
    out["occasion"] = out.groupby("household_id").cumcount().astype("int64") + 1
    out["choice"] = pd.Categorical(df["choice"], categories=brands)
    for brand in brands:
        out[f"feature_{brand}"] = df[f"feat.{brand}"].astype("int64")
    for brand in brands:
        out[f"price_{brand}"] = df[f"price.{brand}"].round(2)
    return out


PARSERS: dict[str, Callable[[Path], pd.DataFrame]] = {
    "cdnow_master": _cdnow_master,
    "cdnow_sample": _cdnow_sample,
    "cdnow_summary": _cdnow_summary,
    "cdnow_holdout": _cdnow_holdout,
    "cdnow_tracking": _cdnow_tracking,
    "donations": _donations,
    "donations_holdout": _donations_holdout,
    "donations_annual": _donations_annual,
    "sbg_retention": _sbg_retention,
    "mobi": _mobi,
    "yogurt": _yogurt,
}
