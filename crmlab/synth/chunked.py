"""A transaction log of any size, written to Parquet in chunks with memory independent of its size.

Chapter 11. Customers follow the BG/NBD purchase process (Fader, Hardie & Lee
2005) with Gamma-Gamma spend, so a fit on the written log can be checked against
the true parameters. Customers are generated in fixed blocks of ``BLOCK``
customers; block ``k`` draws from its own stream, the ``k``-th child of the
``random_state`` seed sequence (``SeedSequence(random_state, spawn_key=(k,))`` for an
integer), so the data do not depend on how many blocks are generated at a time (the
chunk size): two chunk sizes give identical rows.

Layout of ``out``::

    params.json                     the true parameters and the window
    customers/part-00000.parquet    customer_id, first_date, lam, p, nu (the truth)
    transactions/part-00000.parquet customer_id, date, amount
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from tqdm import tqdm

from crmlab._validation import check_date_arg, check_int

__all__ = ["BLOCK", "BTYDWorld", "write_btyd_world"]

#: Customers per random stream; part of the world's definition (changing it changes the data).
BLOCK = 50_000


@dataclass(frozen=True)
class BTYDWorld:
    """True parameters of a chunked world: BG/NBD purchases (rates per week) and Gamma-Gamma spend.

    Parameters
    ----------
    r, alpha : float, default=0.5, 2.0
        Gamma heterogeneity of the purchase rate per week (shape, rate).
    a, b : float, default=0.5, 3.0
        Beta heterogeneity of the drop-out probability after each repeat purchase.
    p : float, default=6.0
        Gamma shape of each purchase amount.
    q, gamma : float, default=4.0, 15.0
        Gamma heterogeneity (shape, rate) of the customers' spend rate ``nu``.

    Examples
    --------
    >>> BTYDWorld(r=0.8).r, BTYDWorld().alpha
    (0.8, 2.0)
    """

    r: float = 0.5
    alpha: float = 2.0
    a: float = 0.5
    b: float = 3.0
    p: float = 6.0
    q: float = 4.0
    gamma: float = 15.0


def _block_stream(root: np.random.SeedSequence, k: int) -> np.random.SeedSequence:
    """Return the ``k``-th child of ``root``, whatever children ``root`` has spawned already."""
    return np.random.SeedSequence(root.entropy, spawn_key=(*root.spawn_key, k), pool_size=root.pool_size)


def _root_sequence(random_state: object, caller: str) -> np.random.SeedSequence:
    """Return the seed sequence that ``random_state`` (int >= 0 or SeedSequence) stands for."""
    if isinstance(random_state, np.random.SeedSequence):
        return random_state
    return np.random.SeedSequence(check_int(random_state, "random_state", caller=caller, minimum=0))


def _block(
    k: int, n: int, first_id: int, days: int, world: BTYDWorld, root: np.random.SeedSequence,
) -> tuple[pd.DataFrame, ...]:
    """Return customers ``first_id .. first_id + n - 1`` of block ``k`` and their purchases."""
    rng = np.random.default_rng(_block_stream(root, k))
    lam = rng.gamma(world.r, 1.0 / world.alpha, n) / 7.0  # purchases per day
    drop = rng.beta(world.a, world.b, n)
    nu = rng.gamma(world.q, 1.0 / world.gamma, n)
    first = rng.integers(0, days // 2, n)  # acquisition in the first half of the window
    ids = np.arange(first_id, first_id + n, dtype=np.int64)
    who, when = [np.arange(n)], [first.astype(float)]
    t = first.astype(float)
    alive = np.ones(n, dtype=bool)
    while alive.any():  # one round per purchase number, vectorised over customers
        idx = np.flatnonzero(alive)
        t_next = t[idx] + rng.exponential(1.0, idx.size) / np.maximum(lam[idx], 1e-12)
        keep = t_next < days
        alive[idx[~keep]] = False
        idx, t_next = idx[keep], t_next[keep]
        t[idx] = t_next
        who.append(idx)
        when.append(t_next)
        alive[idx[rng.random(idx.size) < drop[idx]]] = False  # drop out after a repeat purchase
    who_a, when_a = np.concatenate(who), np.floor(np.concatenate(when)).astype(np.int64)
    order = np.lexsort((when_a, who_a))
    who_a, when_a = who_a[order], when_a[order]
    amount = np.round(rng.gamma(world.p, 1.0 / nu[who_a]), 2)
    amount = np.maximum(amount, 0.01)
    customers = pd.DataFrame({"customer_id": ids, "first_day": first, "lam": lam * 7.0, "p": drop, "nu": nu})
    tx = pd.DataFrame({"customer_id": ids[who_a], "day": when_a, "amount": amount})
    return customers, tx


def _seed_record(root: np.random.SeedSequence) -> object:
    """Return the seed as written to ``params.json``: the int, or entropy and spawn key of a sequence."""
    if not root.spawn_key and isinstance(root.entropy, int):
        return root.entropy
    entropy = root.entropy if isinstance(root.entropy, int) else [int(e) for e in np.atleast_1d(root.entropy)]
    return {"entropy": entropy, "spawn_key": [int(k) for k in root.spawn_key]}


def write_btyd_world(
    n_customers: int, out: str, *, start: str = "2023-01-01", end: str = "2024-12-31",
    random_state: int | np.random.SeedSequence = 0,
    chunk_size: int = 500_000, world: BTYDWorld | None = None, progress: bool = False,
) -> list[str]:
    """Write a BG/NBD + Gamma-Gamma transaction log to partitioned Parquet, chunk by chunk.

    Parameters
    ----------
    n_customers : int
        Number of customers (any size: memory depends on ``chunk_size`` only).
    out : str
        Output folder (created).
    start, end : date-like
        Observation window; customers are acquired in its first half.
    random_state : int or numpy.random.SeedSequence, default=0
        Seed of the world: block ``k`` of ``BLOCK`` customers draws from the ``k``-th
        child of this seed sequence, so the same seed gives identical data for every
        ``chunk_size``.
    chunk_size : int, default=500_000
        Customers per output file, rounded up to a whole number of blocks of ``BLOCK``.
    world : BTYDWorld, optional
        True parameters (default :class:`BTYDWorld`).
    progress : bool
        Show a progress bar over chunks.

    Returns
    -------
    list of str
        The files written.

    Examples
    --------
    >>> import tempfile
    >>> import pandas as pd
    >>> with tempfile.TemporaryDirectory() as out:
    ...     paths = write_btyd_world(200, out, random_state=0)
    ...     tx = pd.read_parquet(paths[2])
    >>> [p.replace(out, "out") for p in paths]
    ['out/params.json', 'out/customers/part-00000.parquet', 'out/transactions/part-00000.parquet']
    >>> list(tx.columns), int(tx["customer_id"].nunique())
    (['customer_id', 'date', 'amount'], 200)
    """
    caller = "write_btyd_world"
    n_customers = check_int(n_customers, "n_customers", caller=caller, minimum=1)
    chunk_size = check_int(chunk_size, "chunk_size", caller=caller, minimum=1)
    root = _root_sequence(random_state, caller)
    t0, t1 = check_date_arg(start, "start", caller=caller), check_date_arg(end, "end", caller=caller)
    days = (t1.normalize() - t0.normalize()).days + 1
    if days < 2:
        raise ValueError(f"{caller}(): 'end' must be after 'start'; got start={t0.date()}, end={t1.date()}.")
    world = world or BTYDWorld()
    per_chunk = -(-chunk_size // BLOCK)
    n_blocks = -(-n_customers // BLOCK)
    for sub in ("customers", "transactions"):
        os.makedirs(os.path.join(out, sub), exist_ok=True)
    paths = [os.path.join(out, "params.json")]
    with open(paths[0], "w", encoding="utf-8") as fh:
        json.dump({"n_customers": n_customers, "start": str(t0.date()), "end": str(t1.date()),
                   "seed": _seed_record(root), "block": BLOCK, "time_unit_of_rates": "week",
                   **asdict(world)}, fh, indent=2)
    base = np.datetime64(t0.date(), "D")
    starts = range(0, n_blocks, per_chunk)
    for part, b0 in enumerate(tqdm(starts, desc="generate", disable=not progress, unit="chunk")):
        frames = [_block(k, min(BLOCK, n_customers - k * BLOCK), k * BLOCK + 1, days, world, root)
                  for k in range(b0, min(b0 + per_chunk, n_blocks))]
        customers = pd.concat([f[0] for f in frames], ignore_index=True)
        tx = pd.concat([f[1] for f in frames], ignore_index=True)
        customers.insert(1, "first_date", base + customers.pop("first_day").to_numpy().astype("timedelta64[D]"))
        tx.insert(1, "date", base + tx.pop("day").to_numpy().astype("timedelta64[D]"))
        for sub, frame in (("customers", customers), ("transactions", tx)):
            path = os.path.join(out, sub, f"part-{part:05d}.parquet")
            pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path)
            paths.append(path)
    return paths
