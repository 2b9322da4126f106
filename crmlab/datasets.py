"""The datasets shipped with crmlab: find, verify and load them.

Every file lives in the repository's top-level ``datasets/`` folder, is listed in
``datasets/registry.csv`` (file, sha256, shape, dtypes, chapter, source, licence)
and is described in ``datasets/README.md``. The folder is searched in this order:

1. the environment variable ``CRMLAB_DATA_DIR``, if set;
2. the copy installed inside the package (``crmlab/_datasets`` in a wheel);
3. the repository checkout the package was imported from (editable installs).

Never the working directory, never the network. Every load verifies the file's
sha256 first, so a corrupt or truncated copy is reported rather than analysed.
"""

from __future__ import annotations

import csv
import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

__all__ = [
    "DatasetInfo",
    "dataset_info",
    "dataset_path",
    "data_dir",
    "list_datasets",
    "load",
    "load_cdnow_holdout",
    "load_course_complaints",
    "load_course_customers",
    "load_course_surveys",
    "load_course_transactions",
    "load_course_truth",
    "load_cdnow_master",
    "load_cdnow_sample",
    "load_cdnow_summary",
    "load_cdnow_tracking",
    "load_donations",
    "load_donations_annual",
    "load_donations_holdout",
    "load_mobi",
    "load_sbg_retention",
    "load_yogurt",
]

ENV_VAR = "CRMLAB_DATA_DIR"
REGISTRY_FILE = "registry.csv"


@dataclass(frozen=True)
class DatasetInfo:
    """One row of the dataset registry.

    Attributes
    ----------
    name, file, sha256 : str
        Dataset name (as in ``load_<name>``), file name in ``datasets/`` and checksum.
    rows, columns : int
        Shape of the DataFrame that ``load_<name>()`` returns.
    dtypes : dict of str to str
        Column name → dtype of the loaded frame, in column order.
    chapter, source, licence : str
        Chapters using it, provenance and licence (see ``datasets/README.md``).
    generator, seed : str
        For synthetic data, the generator call and seed that made the file.
    """

    name: str
    file: str
    sha256: str
    rows: int
    columns: int
    dtypes: dict[str, str]
    chapter: str
    source: str
    licence: str
    generator: str = ""
    seed: str = ""


def _candidate_dirs() -> list[Path]:
    dirs = []
    env = os.environ.get(ENV_VAR)
    if env:
        dirs.append(Path(env))
    here = Path(__file__).resolve().parent
    dirs.append(here / "_datasets")
    dirs.append(here.parent / "datasets")
    return dirs


def data_dir() -> Path:
    """Return the folder the datasets are read from.

    Returns
    -------
    pathlib.Path
        The first of ``$CRMLAB_DATA_DIR``, the installed package data and the
        repository's ``datasets/`` that holds a ``registry.csv``.

    Raises
    ------
    FileNotFoundError
        If none of them does, listing where it looked.
    """
    candidates = _candidate_dirs()
    for folder in candidates:
        if (folder / REGISTRY_FILE).is_file():
            return folder
    looked = ", ".join(str(d) for d in candidates)
    raise FileNotFoundError(
        f"data_dir(): no crmlab datasets folder with {REGISTRY_FILE} found (looked in: {looked}); "
        f"reinstall crmlab or set {ENV_VAR} to the repository's datasets/ folder."
    )


@lru_cache(maxsize=8)
def _read_registry(folder: Path) -> dict[str, DatasetInfo]:
    with open(folder / REGISTRY_FILE, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    out = {}
    for row in rows:
        dtypes = dict(item.split(":", 1) for item in row["dtypes"].split(";") if item)
        out[row["name"]] = DatasetInfo(
            name=row["name"],
            file=row["file"],
            sha256=row["sha256"],
            rows=int(row["rows"]),
            columns=int(row["columns"]),
            dtypes=dtypes,
            chapter=row["chapter"],
            source=row["source"],
            licence=row["licence"],
            generator=row.get("generator", "") or "",
            seed=row.get("seed", "") or "",
        )
    return out


def _registry() -> dict[str, DatasetInfo]:
    return _read_registry(data_dir())


def list_datasets() -> list[str]:
    """Return the names of every shipped dataset, sorted.

    Returns
    -------
    list of str
        Each name has a matching ``load_<name>()`` function.

    Examples
    --------
    >>> "cdnow_master" in list_datasets()
    True
    """
    return sorted(_registry())


def dataset_info(name: str) -> DatasetInfo:
    """Return the registry entry of dataset ``name``.

    Raises
    ------
    ValueError
        If ``name`` is not a shipped dataset.
    """
    registry = _registry()
    if name not in registry:
        raise ValueError(f"dataset_info(): unknown dataset {name!r}; choose one of {sorted(registry)}.")
    return registry[name]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def dataset_path(name: str, *, verify: bool = True) -> Path:
    """Return the path of dataset ``name``'s file, checking its sha256.

    Parameters
    ----------
    name : str
        A name from :func:`list_datasets`.
    verify : bool, default=True
        Compare the file's sha256 with the registry.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    FileNotFoundError
        If the file is missing (the message gives the expected checksum).
    ValueError
        If the file's checksum differs from the registry.
    """
    info = dataset_info(name)
    path = data_dir() / info.file
    if not path.is_file():
        raise FileNotFoundError(
            f"dataset_path(): file {path} of dataset {name!r} is missing (expected sha256 {info.sha256}); "
            "reinstall crmlab or restore it from the repository."
        )
    if verify:
        got = _sha256(path)
        if got != info.sha256:
            raise ValueError(
                f"dataset_path(): file {path} of dataset {name!r} is corrupt: sha256 is {got}, "
                f"expected {info.sha256}; restore it from the repository."
            )
    return path


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
        ["calibration" if y <= 2001 else "holdout" for y in df["year"]], categories=["calibration", "holdout"]
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


_PARSERS: dict[str, Callable[[Path], pd.DataFrame]] = {
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


def register_parser(name: str, parser: Callable[[Path], pd.DataFrame]) -> None:
    """Register how to read a dataset file (for modules that ship their own data)."""
    _PARSERS[name] = parser


def load(name: str) -> pd.DataFrame:
    """Load dataset ``name`` as a tidy DataFrame (the generic form of ``load_<name>``).

    Parameters
    ----------
    name : str
        A name from :func:`list_datasets`.

    Returns
    -------
    pandas.DataFrame
        With the columns and dtypes listed in ``datasets/README.md``.

    Raises
    ------
    ValueError
        For an unknown name or a corrupt file; FileNotFoundError for a missing one.
    """
    path = dataset_path(name)
    if name in _PARSERS:
        return _PARSERS[name](path)
    info = dataset_info(name)
    if info.file.endswith(".csv"):
        return _read_typed_csv(path, info)
    raise ValueError(f"load(): no reader known for dataset {name!r} (file {info.file}).")


def _read_typed_csv(path: Path, info: DatasetInfo) -> pd.DataFrame:
    """Read a crmlab-written CSV using the dtypes in the registry."""
    dates = [c for c, t in info.dtypes.items() if t.startswith("datetime")]
    plain = {c: t for c, t in info.dtypes.items() if not t.startswith("datetime")}
    df = pd.read_csv(path, dtype=plain, parse_dates=dates)
    for col in dates:
        df[col] = df[col].astype("datetime64[ns]")
    return df


def load_cdnow_master() -> pd.DataFrame:
    """Load the full CDNOW transaction log: 69,659 purchases by 23,570 customers.

    Chapters 0, 2, 3 and 6. The cohort of customers who first bought at the online
    music store CDNOW in the first quarter of 1997, followed to 30 June 1998.

    Returns
    -------
    pandas.DataFrame
        ``customer_id`` (int64), ``date`` (datetime64), ``number_of_cds`` (int64),
        ``dollar_value`` (float64, USD; 80 rows are 0.00).

    References
    ----------
    Fader, P. S., & Hardie, B. G. S. (2001). Forecasting repeat sales at CDNOW.
    *Interfaces*, 31(3), S94–S107.

    Examples
    --------
    >>> load_cdnow_master().shape
    (69659, 4)
    """
    return load("cdnow_master")


def load_cdnow_sample() -> pd.DataFrame:
    """Load the 1/10 CDNOW sample: 6,919 purchases by 2,357 customers.

    Chapters 3 and 6; the sample every BTYD paper uses.

    Returns
    -------
    pandas.DataFrame
        ``customer_id`` (sample id 1..2357), ``master_id`` (id in the full log),
        ``date``, ``number_of_cds``, ``dollar_value`` (USD).

    Examples
    --------
    >>> load_cdnow_sample()["customer_id"].nunique()
    2357
    """
    return load("cdnow_sample")


def load_cdnow_summary() -> pd.DataFrame:
    """Load the published 39-week calibration RFM table of the CDNOW sample.

    Chapter 6. Time in weeks; ``frequency`` counts repeat purchases (same-day
    purchases merged); ``monetary_value`` is the mean of repeat purchases (0 when
    there are none).

    Returns
    -------
    pandas.DataFrame
        ``customer_id``, ``frequency``, ``recency``, ``T``, ``monetary_value``.
    """
    return load("cdnow_summary")


def load_cdnow_holdout() -> pd.DataFrame:
    """Load the CDNOW sample's calibration (weeks 1–39) and holdout (weeks 40–78) table.

    Chapter 6. Unrounded weeks, as in R's BTYD.

    Returns
    -------
    pandas.DataFrame
        ``customer_id``, ``frequency_cal``, ``recency_cal``, ``T_cal``,
        ``monetary_value_cal``, ``frequency_holdout`` (repeat purchases in the
        holdout), ``duration_holdout`` (39 weeks).
    """
    return load("cdnow_holdout")


def load_cdnow_tracking() -> pd.DataFrame:
    """Load cumulative weekly repeat transactions of the CDNOW sample (weeks 1–78).

    Returns
    -------
    pandas.DataFrame
        ``week`` (1..78), ``cum_repeat_transactions``.
    """
    return load("cdnow_tracking")


def load_donations() -> pd.DataFrame:
    """Load the donations recency/frequency table used for the BG/BB model.

    Chapter 6. 11,104 first-time donors of 1995 observed over six annual
    opportunities (1996–2001), grouped by (frequency, recency).

    Returns
    -------
    pandas.DataFrame
        ``frequency``, ``recency``, ``periods`` (= 6), ``weights`` (donors).

    References
    ----------
    Fader, P. S., Hardie, B. G. S., & Shang, J. (2010). Customer-base analysis in
    a discrete-time noncontractual setting. *Marketing Science*, 29(6), 1086–1108.
    """
    return load("donations")


def load_donations_holdout() -> pd.DataFrame:
    """Load the donations table with each cell's total holdout donations (2002–2006).

    Returns
    -------
    pandas.DataFrame
        ``frequency``, ``recency``, ``periods``, ``weights``, ``holdout_transactions``.
    """
    return load("donations_holdout")


def load_donations_annual() -> pd.DataFrame:
    """Load the number of repeat donations per year, 1996–2006.

    Returns
    -------
    pandas.DataFrame
        ``year``, ``repeat_transactions``, ``period`` (calibration to 2001, then holdout).
    """
    return load("donations_annual")


def load_sbg_retention() -> pd.DataFrame:
    """Load the two contractual survival series of Fader & Hardie (2007).

    Chapter 6. Percentage of a cohort still subscribed after each year, for a
    "regular" and a "high end" segment.

    Returns
    -------
    pandas.DataFrame
        ``year`` (0..12), ``regular``, ``high_end`` (percent alive).

    References
    ----------
    Fader, P. S., & Hardie, B. G. S. (2007). How to project customer retention.
    *Journal of Interactive Marketing*, 21(1), 76–90.
    """
    return load("sbg_retention")


def load_mobi() -> pd.DataFrame:
    """Load the ECSI mobile-phone satisfaction survey: 250 respondents, 24 items.

    Chapters 4 and 5. Items are 1–10 ratings in blocks IMAG, CUEX, PERQ, PERV,
    CUSA, CUSCO and CUSL.

    Returns
    -------
    pandas.DataFrame
        24 int64 columns, one per item.

    References
    ----------
    Tenenhaus, M., Esposito Vinzi, V., Chatelin, Y.-M., & Lauro, C. (2005). PLS
    path modeling. *Computational Statistics & Data Analysis*, 48(1), 159–205.
    """
    return load("mobi")


def load_yogurt() -> pd.DataFrame:
    """Load the yogurt brand-choice panel: 2,412 purchases by 100 households.

    Chapter 5. Rows are in purchase order within each household.

    Returns
    -------
    pandas.DataFrame
        ``household_id``, ``occasion`` (1, 2, ... within household), ``choice``
        (category: yoplait, dannon, hiland, weight), ``feature_<brand>`` (0/1),
        ``price_<brand>`` (rounded to 2 d.p.).
    """
    return load("yogurt")


def load_course_customers() -> pd.DataFrame:
    """Load the profiles of the synthetic course world: 5,000 retail customers.

    Chapters 1 and 2. Made by ``crmlab.synth.make_customer_world`` (see the
    registry for the call and seed); the true behaviour behind them is in
    :func:`load_course_truth`.

    Returns
    -------
    pandas.DataFrame
        ``customer_id`` and the profile fields listed in ``datasets/README.md``.
    """
    return load("course_customers")


def load_course_transactions() -> pd.DataFrame:
    """Load the purchases of the synthetic course world.

    Returns
    -------
    pandas.DataFrame
        ``transaction_id``, ``customer_id``, ``date``, ``amount``, ``category``, ``discount``.
    """
    return load("course_transactions")


def load_course_truth() -> pd.DataFrame:
    """Load the ground truth of the synthetic course world (segment, rates, alive, value).

    Returns
    -------
    pandas.DataFrame
        One row per customer; columns in ``datasets/README.md``.
    """
    return load("course_truth")


def load_course_surveys() -> pd.DataFrame:
    """Load the survey answers of the synthetic course world (ECSI items and loyalty indicators).

    Returns
    -------
    pandas.DataFrame
        ``customer_id``, ``survey_date``, the 24 ECSI items and six ``loy_*`` items.
    """
    return load("course_surveys")


def load_course_complaints() -> pd.DataFrame:
    """Load the complaint log of the synthetic course world.

    Returns
    -------
    pandas.DataFrame
        ``complaint_id``, ``customer_id``, ``date``, ``category``, ``channel``,
        ``resolved``, ``resolution_days``.
    """
    return load("course_complaints")
