"""A first look at the shipped datasets (Chapter 0): a catalogue and one summary each."""

from __future__ import annotations

import pandas as pd

from crmlab import datasets
from crmlab._validation import check_in_choices

__all__ = ["TOUR_DATASETS", "catalogue", "dataset_overview"]

TOUR_DATASETS = ("cdnow_master", "donations", "sbg_retention", "mobi", "yogurt")


def catalogue() -> pd.DataFrame:
    """Return one row per shipped dataset: size, chapters, source and licence.

    Chapter 0.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``name``; columns ``file``, ``rows``, ``columns``, ``chapters``,
        ``source``, ``licence``, ``synthetic`` (bool).

    Examples
    --------
    >>> int(catalogue().loc["mobi", "rows"])
    250
    """
    rows = []
    for name in datasets.list_datasets():
        info = datasets.dataset_info(name)
        rows.append(
            {
                "name": name,
                "file": info.file,
                "rows": info.rows,
                "columns": info.columns,
                "chapters": info.chapter,
                "source": info.source,
                "licence": info.licence,
                "synthetic": bool(info.generator),
            }
        )
    return pd.DataFrame(rows).set_index("name")


def dataset_overview(name: str) -> pd.DataFrame:
    """Return the small table behind the Chapter 0 figure of one dataset.

    Chapter 0 (getting started): what each real dataset looks like at a glance.

    Parameters
    ----------
    name : {"cdnow_master", "donations", "sbg_retention", "mobi", "yogurt"}
        Which dataset to summarise.

    Returns
    -------
    pandas.DataFrame
        ``cdnow_master``: weekly purchases and revenue (index ``week``);
        ``donations``: donors by number of repeat years (index ``frequency``);
        ``sbg_retention``: percent still subscribed by year and segment;
        ``mobi``: mean rating of each item (index ``item``, with its ``block``);
        ``yogurt``: purchase share of each brand (index ``brand``).

    Raises
    ------
    ValueError
        If ``name`` is not one of the toured datasets.

    See Also
    --------
    crmlab.plotting.plot_dataset_overview

    Examples
    --------
    >>> dataset_overview("sbg_retention").loc[1].tolist()
    [63.1, 86.9]
    """
    check_in_choices(name, "name", TOUR_DATASETS, caller="dataset_overview")
    if name == "cdnow_master":
        df = datasets.load_cdnow_master()
        week = ((df["date"] - pd.Timestamp("1997-01-01")).dt.days // 7 + 1).rename("week")
        return df.groupby(week).agg(purchases=("customer_id", "size"), revenue=("dollar_value", "sum"))
    if name == "donations":
        df = datasets.load_donations()
        return df.groupby("frequency").agg(donors=("weights", "sum"))
    if name == "sbg_retention":
        return datasets.load_sbg_retention().set_index("year")
    if name == "mobi":
        df = datasets.load_mobi()
        means = df.mean().rename("mean_rating").to_frame()
        means.index.name = "item"
        means["block"] = means.index.str.extract(r"^([A-Z]+?)\d*$", expand=False).to_numpy()
        return means
    df = datasets.load_yogurt()
    share = df["choice"].value_counts(normalize=True, sort=False).rename("share").to_frame()
    share.index = share.index.astype(str)
    share.index.name = "brand"
    return share
