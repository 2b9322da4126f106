"""One ``load_<name>()`` per shipped dataset: thin, documented wrappers around :func:`load`."""

from __future__ import annotations

import pandas as pd

from crmlab.datasets._registry import load

__all__ = [
    "load_cdnow_holdout",
    "load_cdnow_master",
    "load_cdnow_sample",
    "load_cdnow_summary",
    "load_cdnow_tracking",
    "load_course_complaints",
    "load_course_customers",
    "load_course_surveys",
    "load_course_transactions",
    "load_course_truth",
    "load_donations",
    "load_donations_annual",
    "load_donations_holdout",
    "load_mobi",
    "load_sbg_retention",
    "load_yogurt",
]


def load_cdnow_master() -> pd.DataFrame:
    """Load the full CDNOW transaction log: 69,659 purchases by 23,570 customers.

    Chapters 0, 2, 3 and 6. The cohort of customers who first bought at the online
    music store CDNOW in the first quarter of 1997, followed to 30 June 1998.

    Returns
    -------
    pandas.DataFrame
        ``customer_id`` (int64), ``date`` (datetime64), ``number_of_cds`` (int64),
        ``dollar_value`` (float64, USD; 80 rows are 0.00).

    Raises
    ------
    FileNotFoundError
        If the file is missing from the datasets folder.
    ValueError
        If the file's sha256 differs from the registry (a corrupt copy).

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

    Raises
    ------
    FileNotFoundError
        If the file is missing from the datasets folder.
    ValueError
        If the file's sha256 differs from the registry (a corrupt copy).

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

    Raises
    ------
    FileNotFoundError
        If the file is missing from the datasets folder.
    ValueError
        If the file's sha256 differs from the registry (a corrupt copy).

    Examples
    --------
    >>> load_cdnow_summary().shape
    (2357, 5)
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

    Raises
    ------
    FileNotFoundError
        If the file is missing from the datasets folder.
    ValueError
        If the file's sha256 differs from the registry (a corrupt copy).

    Examples
    --------
    >>> load_cdnow_holdout().shape
    (2357, 7)
    """
    return load("cdnow_holdout")


def load_cdnow_tracking() -> pd.DataFrame:
    """Load cumulative weekly repeat transactions of the CDNOW sample (weeks 1–78).

    Chapter 6.

    Returns
    -------
    pandas.DataFrame
        ``week`` (1..78), ``cum_repeat_transactions``.

    Raises
    ------
    FileNotFoundError
        If the file is missing from the datasets folder.
    ValueError
        If the file's sha256 differs from the registry (a corrupt copy).

    Examples
    --------
    >>> load_cdnow_tracking().shape
    (78, 2)
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

    Raises
    ------
    FileNotFoundError
        If the file is missing from the datasets folder.
    ValueError
        If the file's sha256 differs from the registry (a corrupt copy).

    References
    ----------
    Fader, P. S., Hardie, B. G. S., & Shang, J. (2010). Customer-base analysis in
    a discrete-time noncontractual setting. *Marketing Science*, 29(6), 1086–1108.

    Examples
    --------
    >>> load_donations().shape
    (22, 4)
    """
    return load("donations")


def load_donations_holdout() -> pd.DataFrame:
    """Load the donations table with each cell's total holdout donations (2002–2006).

    Chapter 6.

    Returns
    -------
    pandas.DataFrame
        ``frequency``, ``recency``, ``periods``, ``weights``, ``holdout_transactions``.

    Raises
    ------
    FileNotFoundError
        If the file is missing from the datasets folder.
    ValueError
        If the file's sha256 differs from the registry (a corrupt copy).

    Examples
    --------
    >>> load_donations_holdout().shape
    (22, 5)
    """
    return load("donations_holdout")


def load_donations_annual() -> pd.DataFrame:
    """Load the number of repeat donations per year, 1996–2006.

    Chapter 6.

    Returns
    -------
    pandas.DataFrame
        ``year``, ``repeat_transactions``, ``period`` (calibration to 2001, then holdout).

    Raises
    ------
    FileNotFoundError
        If the file is missing from the datasets folder.
    ValueError
        If the file's sha256 differs from the registry (a corrupt copy).

    Examples
    --------
    >>> load_donations_annual().shape
    (11, 3)
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

    Raises
    ------
    FileNotFoundError
        If the file is missing from the datasets folder.
    ValueError
        If the file's sha256 differs from the registry (a corrupt copy).

    References
    ----------
    Fader, P. S., & Hardie, B. G. S. (2007). How to project customer retention.
    *Journal of Interactive Marketing*, 21(1), 76–90.

    Examples
    --------
    >>> load_sbg_retention().shape
    (13, 3)
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

    Raises
    ------
    FileNotFoundError
        If the file is missing from the datasets folder.
    ValueError
        If the file's sha256 differs from the registry (a corrupt copy).

    References
    ----------
    Tenenhaus, M., Esposito Vinzi, V., Chatelin, Y.-M., & Lauro, C. (2005). PLS
    path modeling. *Computational Statistics & Data Analysis*, 48(1), 159–205.

    Examples
    --------
    >>> load_mobi().shape
    (250, 24)
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

    Raises
    ------
    FileNotFoundError
        If the file is missing from the datasets folder.
    ValueError
        If the file's sha256 differs from the registry (a corrupt copy).

    Examples
    --------
    >>> load_yogurt().shape
    (2412, 11)
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

    Raises
    ------
    FileNotFoundError
        If the file is missing from the datasets folder.
    ValueError
        If the file's sha256 differs from the registry (a corrupt copy).

    Examples
    --------
    >>> load_course_customers().shape
    (5000, 25)
    """
    return load("course_customers")


def load_course_transactions() -> pd.DataFrame:
    """Load the purchases of the synthetic course world.

    Chapters 0, 2, 3, 6, 7 and 8.

    Returns
    -------
    pandas.DataFrame
        ``transaction_id``, ``customer_id``, ``date``, ``amount``, ``category``, ``discount``.

    Raises
    ------
    FileNotFoundError
        If the file is missing from the datasets folder.
    ValueError
        If the file's sha256 differs from the registry (a corrupt copy).

    Examples
    --------
    >>> load_course_transactions().shape
    (44913, 6)
    """
    return load("course_transactions")


def load_course_truth() -> pd.DataFrame:
    """Load the ground truth of the synthetic course world (segment, rates, alive, value).

    Chapters 0, 3, 6, 7 and 8.

    Returns
    -------
    pandas.DataFrame
        One row per customer; columns in ``datasets/README.md``.

    Raises
    ------
    FileNotFoundError
        If the file is missing from the datasets folder.
    ValueError
        If the file's sha256 differs from the registry (a corrupt copy).

    Examples
    --------
    >>> load_course_truth().shape
    (5000, 23)
    """
    return load("course_truth")


def load_course_surveys() -> pd.DataFrame:
    """Load the survey answers of the synthetic course world (ECSI items and loyalty indicators).

    Chapters 4 and 5.

    Returns
    -------
    pandas.DataFrame
        ``customer_id``, ``survey_date``, the 24 ECSI items and six ``loy_*`` items.

    Raises
    ------
    FileNotFoundError
        If the file is missing from the datasets folder.
    ValueError
        If the file's sha256 differs from the registry (a corrupt copy).

    Examples
    --------
    >>> load_course_surveys().shape
    (987, 32)
    """
    return load("course_surveys")


def load_course_complaints() -> pd.DataFrame:
    """Load the complaint log of the synthetic course world.

    Chapter 4.

    Returns
    -------
    pandas.DataFrame
        ``complaint_id``, ``customer_id``, ``date``, ``category``, ``channel``,
        ``resolved``, ``resolution_days``.

    Raises
    ------
    FileNotFoundError
        If the file is missing from the datasets folder.
    ValueError
        If the file's sha256 differs from the registry (a corrupt copy).

    Examples
    --------
    >>> load_course_complaints().shape
    (104, 7)
    """
    return load("course_complaints")
