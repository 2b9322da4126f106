"""Data sources for experiment grids: customer feature tables with known segments.

A source is a function ``source(n_customers=..., noise=..., random_state=int, **settings)``
returning one row per customer with the columns ``recency`` (days since the last
purchase), ``frequency`` (number of purchases), ``monetary`` (mean spend per
purchase) and, when the truth is known, ``segment``. Every keyword except
``random_state`` can be varied by the grid ("generator settings").
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from crmlab._rng import RandomState, as_generator
from crmlab._validation import check_in_choices, check_int, check_number

__all__ = [
    "SEGMENT_PROFILES", "Source", "get_source", "make_rfm_blobs", "register_source", "source_names", "world_features",
]

Source = Callable[..., pd.DataFrame]
_SOURCES: dict[str, Source] = {}

#: Typical (geometric-mean) recency in days, purchase count and mean spend of each built-in segment.
SEGMENT_PROFILES = pd.DataFrame(
    {
        "segment": ["champions", "loyal", "at_risk", "hibernating", "new", "big_spenders"],
        "recency": [10.0, 40.0, 150.0, 330.0, 15.0, 90.0],
        "frequency": [12.0, 6.0, 4.0, 1.5, 1.2, 2.5],
        "monetary": [150.0, 60.0, 90.0, 25.0, 40.0, 400.0],
        "weight": [0.15, 0.25, 0.25, 0.35, 0.2, 0.1],
    }
).set_index("segment")

_WITHIN_SD = 0.3  # spread of each segment around its profile, on the log scale


def make_rfm_blobs(
    n_customers: int = 500,
    *,
    n_segments: int = 4,
    separation: float = 1.0,
    noise: float = 0.0,
    random_state: RandomState = None,
) -> pd.DataFrame:
    r"""Generate an RFM feature table with known segments, for method experiments.

    Chapter 8: a fast, fully controlled test bed. Each customer belongs to one of
    ``n_segments`` segments (the first rows of :data:`SEGMENT_PROFILES`: champions,
    loyal, at risk, hibernating, ...); their log recency, log frequency and log
    monetary value scatter around the segment profile. ``separation`` stretches or
    shrinks the distances between segment centres and ``noise`` adds measurement
    noise, so recovering the segments gets harder as noise grows.

    Parameters
    ----------
    n_customers : int, default=500
        Number of customers (rows), at least 10.
    n_segments : int, default=4
        Number of true segments, 2 to 6.
    separation : float, default=1.0
        Factor applied to the distances between segment centres on the log scale
        (0 merges all segments, 1 is the built-in profile table).
    noise : float, default=0.0
        Standard deviation of extra Gaussian noise added to each log feature.
    random_state : None, int or numpy.random.Generator, default=None
        An int repeats exactly, a Generator advances. For one seed, the segments
        and base draws do not depend on ``noise`` or ``separation`` (common random
        numbers), so settings are compared on the same customers.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``customer_id`` (1..n), columns ``recency`` (whole days >= 0),
        ``frequency`` (purchases, int >= 1), ``monetary`` (mean spend, > 0) and
        ``segment`` (the true segment name).

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or is out of range.

    See Also
    --------
    crmlab.experiments.run_grid : the grid that uses it as its default source.

    Notes
    -----
    With segment :math:`s` of customer :math:`i`, profile centre :math:`c_s`
    (log scale), grand mean :math:`\bar c` and independent standard normals,

    .. math::

        \log x_{ij} = \bar c_j + \lambda (c_{sj} - \bar c_j) + 0.3\, z_{ij} + \sigma\, e_{ij},

    where :math:`\lambda` is ``separation`` and :math:`\sigma` is ``noise``.

    Examples
    --------
    >>> from crmlab.experiments import make_rfm_blobs
    >>> blobs = make_rfm_blobs(200, random_state=1)
    >>> list(blobs.columns)
    ['recency', 'frequency', 'monetary', 'segment']
    >>> sorted(blobs["segment"].unique())
    ['at_risk', 'champions', 'hibernating', 'loyal']
    """
    caller = "make_rfm_blobs"
    n = check_int(n_customers, "n_customers", caller=caller, minimum=10)
    n_seg = check_int(n_segments, "n_segments", caller=caller, minimum=2, maximum=len(SEGMENT_PROFILES))
    lam = check_number(separation, "separation", caller=caller, minimum=0.0)
    sigma = check_number(noise, "noise", caller=caller, minimum=0.0)
    rng = as_generator(random_state, caller=caller)

    profiles = SEGMENT_PROFILES.iloc[:n_seg]
    weights = profiles["weight"].to_numpy() / profiles["weight"].sum()
    centres = np.log(profiles[["recency", "frequency", "monetary"]].to_numpy())
    centres = centres.mean(axis=0) + lam * (centres - centres.mean(axis=0))

    labels = rng.choice(n_seg, size=n, p=weights)
    base = rng.standard_normal((n, 3))
    extra = rng.standard_normal((n, 3))
    logs = centres[labels] + _WITHIN_SD * base + sigma * extra
    values = np.exp(logs)
    return pd.DataFrame(
        {
            "recency": np.floor(values[:, 0]),
            "frequency": np.maximum(np.rint(values[:, 1]), 1).astype(np.int64),
            "monetary": np.maximum(np.round(values[:, 2], 2), 0.01),
            "segment": profiles.index.to_numpy()[labels],
        },
        index=pd.RangeIndex(1, n + 1, name="customer_id"),
    )


def world_features(
    n_customers: int = 1000,
    *,
    noise: float = 0.0,
    preset: str = "retail",
    segments: str = "champions,loyal,bargain_hunters,dormant",
    random_state: RandomState = None,
) -> pd.DataFrame:
    """Return the RFM features and true segments of a generated customer world.

    Chapter 8: the ``"world"`` source of experiment grids. It runs
    :func:`crmlab.synth.make_customer_world`, summarises the transactions at the
    world's end with :func:`crmlab.rfm.rfm_summary` (``classic=True``) and
    :func:`crmlab.segmentation.rfm_features`, and attaches each customer's true segment.

    Parameters
    ----------
    n_customers : int, default=1000
        Customers in the world (those without a purchase have no RFM row).
    noise : float, default=0.0
        Standard deviation of multiplicative log-normal measurement noise on each
        feature (frequency stays a whole number >= 1).
    preset : str, default="retail"
        World preset.
    segments : str, default="champions,loyal,bargain_hunters,dormant"
        Comma-separated latent segments of the world (a string, so a grid can vary it).
    random_state : None, int or numpy.random.Generator, default=None
        An int repeats exactly, a Generator advances.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``customer_id``: ``recency``, ``frequency``, ``monetary``, ``segment``.

    Raises
    ------
    TypeError, ValueError
        For invalid settings (checked by the world generator).

    See Also
    --------
    make_rfm_blobs : a faster, fully controlled source.

    Examples
    --------
    >>> from crmlab.experiments.sources import world_features
    >>> feats = world_features(200, random_state=3)
    >>> list(feats.columns), sorted(feats["segment"].unique())[:2]
    (['recency', 'frequency', 'monetary', 'segment'], ['bargain_hunters', 'champions'])
    """
    from crmlab.rfm import rfm_summary
    from crmlab.segmentation import rfm_features
    from crmlab.synth import make_customer_world

    caller = "world_features"
    sigma = check_number(noise, "noise", caller=caller, minimum=0.0)
    if not isinstance(segments, str):
        raise TypeError(f"{caller}(): 'segments' must be a comma-separated string; got {segments!r}.")
    rng = as_generator(random_state, caller=caller)
    names = tuple(name.strip() for name in segments.split(",") if name.strip())
    world = make_customer_world(n_customers=n_customers, preset=preset, random_state=rng, segments=names)
    summary = rfm_summary(world.transactions, observation_end=world.config.end, classic=True)
    features = rfm_features(summary)
    if sigma > 0:
        factor = np.exp(sigma * rng.standard_normal((len(features), 3)))
        noisy = features.to_numpy() * factor
        noisy[:, 1] = np.maximum(np.rint(noisy[:, 1]), 1.0)
        features = pd.DataFrame(noisy, index=features.index, columns=features.columns)
    truth = world.truth.set_index("customer_id")["segment"]
    features["segment"] = truth.reindex(features.index).to_numpy()
    features.index.name = "customer_id"
    return features


def register_source(name: str, source: Source) -> None:
    """Make a data source available to experiment grids under ``name``.

    Chapter 8: any generator of customer features with known segments can feed a grid.

    Parameters
    ----------
    name : str
        Name used as ``source`` in grids and config files.
    source : callable
        ``source(n_customers=..., noise=..., random_state=int, **settings)`` returning
        a DataFrame with columns ``recency``, ``frequency``, ``monetary`` and, if
        known, ``segment``.

    Raises
    ------
    TypeError
        If ``name`` is not a string or ``source`` is not callable.

    Examples
    --------
    >>> from crmlab.experiments import make_rfm_blobs, register_source, source_names
    >>> register_source("six_blobs", lambda **kw: make_rfm_blobs(n_segments=6, **kw))
    >>> "six_blobs" in source_names()
    True
    """
    if not isinstance(name, str) or not name:
        raise TypeError(f"register_source(): 'name' must be a non-empty string; got {name!r}.")
    if not callable(source):
        raise TypeError(f"register_source(): 'source' must be callable; got {type(source).__name__}.")
    _SOURCES[name] = source


def source_names() -> list[str]:
    """Return the names of the registered data sources, sorted.

    Chapter 8: the names an experiment grid or config file may use as ``source``.

    Returns
    -------
    list of str

    Examples
    --------
    >>> from crmlab.experiments import source_names
    >>> [name for name in source_names() if name in ("rfm_blobs", "world")]
    ['rfm_blobs', 'world']
    """
    return sorted(_SOURCES)


def get_source(name: str, *, caller: str = "get_source") -> Source:
    """Return the data source registered under ``name``, or raise listing the known names.

    Parameters
    ----------
    name : str
        A registered name (see :func:`source_names`).
    caller : str, default="get_source"
        Public function named in the error message.

    Returns
    -------
    callable
        The function that generates the data set of one experiment condition.

    Raises
    ------
    ValueError
        If ``name`` is not registered.

    Examples
    --------
    >>> callable(get_source("world"))
    True
    """
    check_in_choices(name, "source", source_names(), caller=caller)
    return _SOURCES[name]


register_source("rfm_blobs", make_rfm_blobs)
register_source("world", world_features)
