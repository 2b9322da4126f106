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
    pa_ = write_btyd_world(1800, str(a), random_state=11, chunk_size=250)
    pb_ = write_btyd_world(1800, str(b), random_state=11, chunk_size=1000)
    assert len(pa_) > len(pb_)  # different files...
    for sub in ("transactions", "customers"):
        assert digest(a / sub) == digest(b / sub)  # ...identical data
    other = tmp_path / "c"
    write_btyd_world(1800, str(other), random_state=12, chunk_size=1000)
    assert digest(other / "transactions") != digest(a / "transactions")


def test_seed_sequence_random_state(tmp_path, small_blocks):
    import numpy as np

    def rows(name):
        return pq.read_table(tmp_path / name / "transactions").to_pandas()

    # an int and the SeedSequence it stands for give the same world, whatever the chunk size
    write_btyd_world(900, str(tmp_path / "int"), random_state=7, chunk_size=250)
    write_btyd_world(900, str(tmp_path / "seq"), random_state=np.random.SeedSequence(7), chunk_size=500)
    pd.testing.assert_frame_equal(rows("int"), rows("seq"))
    # a spawned child is a different world, the same for two chunk sizes; a used parent keeps its own
    parent = np.random.SeedSequence(7)
    child = parent.spawn(1)[0]
    write_btyd_world(900, str(tmp_path / "c1"), random_state=child, chunk_size=250)
    write_btyd_world(900, str(tmp_path / "c2"), random_state=child, chunk_size=900)
    write_btyd_world(900, str(tmp_path / "p"), random_state=parent, chunk_size=900)
    pd.testing.assert_frame_equal(rows("c1"), rows("c2"))
    assert not rows("c1").equals(rows("int"))
    pd.testing.assert_frame_equal(rows("p"), rows("int"))
    assert json.loads((tmp_path / "c1" / "params.json").read_text())["seed"]["spawn_key"] == [0]
    with pytest.raises(TypeError, match="random_state"):
        write_btyd_world(10, str(tmp_path / "bad"), random_state=1.5)


def test_world_content_and_truth(tmp_path, small_blocks):
    write_btyd_world(1000, str(tmp_path), random_state=1, chunk_size=300, start="2024-01-01", end="2024-12-31")
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
