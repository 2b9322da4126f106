"""Bounded-memory chunked generation: the same seed gives the same data whatever the chunk size."""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import pyarrow.parquet as pq
import pytest

from crmlab.synth import chunked
from crmlab.synth.chunked import write_btyd_world


def digest(folder) -> str:
    """Hash of every column's bytes, the parts read in order."""
    table = pq.read_table(folder).combine_chunks()
    h = hashlib.sha256()
    for name in table.column_names:
        for buf in table.column(name).chunks[0].buffers():
            if buf is not None:
                h.update(buf.to_pybytes())
    return h.hexdigest()


@pytest.fixture
def small_blocks(monkeypatch):
    monkeypatch.setattr(chunked, "BLOCK", 250)


def test_same_bytes_for_two_chunk_sizes(tmp_path, small_blocks):
    a, b = tmp_path / "a", tmp_path / "b"
    pa_ = write_btyd_world(1800, str(a), seed=11, chunk_size=250)
    pb_ = write_btyd_world(1800, str(b), seed=11, chunk_size=1000)
    assert len(pa_) > len(pb_)  # different files...
    for sub in ("transactions", "customers"):
        assert digest(a / sub) == digest(b / sub)  # ...identical data
    other = tmp_path / "c"
    write_btyd_world(1800, str(other), seed=12, chunk_size=1000)
    assert digest(other / "transactions") != digest(a / "transactions")


def test_world_content_and_truth(tmp_path, small_blocks):
    write_btyd_world(1000, str(tmp_path), seed=1, chunk_size=300, start="2024-01-01", end="2024-12-31")
    tx = pq.read_table(tmp_path / "transactions").to_pandas()
    customers = pq.read_table(tmp_path / "customers").to_pandas()
    assert customers["customer_id"].tolist() == list(range(1, 1001))
    assert set(tx["customer_id"]) == set(customers["customer_id"])  # everyone bought at least once
    first = tx.groupby("customer_id")["date"].min()
    assert (first.to_numpy() == customers.set_index("customer_id")["first_date"].to_numpy()).all()
    assert tx["date"].max() <= pd.Timestamp("2024-12-31") and (tx["amount"] > 0).all()
    params = json.loads((tmp_path / "params.json").read_text())
    assert params["r"] == chunked.BTYDWorld().r and params["n_customers"] == 1000


def test_cli_generate_parquet_in_chunks(tmp_path, capsys):
    from crmlab.cli import main

    out = tmp_path / "w"
    code = main(["generate", "--customers", "1200", "--format", "parquet", "--chunk-size", "500", "--seed", "4",
                 "--out", str(out)])
    assert code == 0
    assert "BG/NBD" in capsys.readouterr().out
    assert pq.read_table(out / "customers").num_rows == 1200
