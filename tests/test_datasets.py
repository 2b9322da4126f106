"""Every shipped dataset: registered, intact, and loading with its documented shape and dtypes."""

from __future__ import annotations

import csv
import hashlib
import shutil
from pathlib import Path

import pandas as pd
import pytest

import crmlab
from crmlab import datasets

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "datasets"
NAMES = datasets.list_datasets()
NOT_DATA = {"registry.csv", "README.md", "README.zh.md"}


def test_registry_lists_every_file_and_only_existing_ones():
    with open(DATA / "registry.csv", newline="", encoding="utf-8") as fh:
        registered = {row["file"] for row in csv.DictReader(fh)}
    on_disk = {p.name for p in DATA.iterdir() if p.is_file()} - NOT_DATA
    assert on_disk - registered == set(), f"unregistered files in datasets/: {sorted(on_disk - registered)}"
    assert registered - on_disk == set(), f"registered but missing: {sorted(registered - on_disk)}"


@pytest.mark.parametrize("name", NAMES)
def test_checksum_matches(name):
    info = datasets.dataset_info(name)
    digest = hashlib.sha256((DATA / info.file).read_bytes()).hexdigest()
    assert digest == info.sha256


@pytest.mark.parametrize("name", NAMES)
def test_loads_with_documented_shape_and_dtypes(name):
    info = datasets.dataset_info(name)
    loader = getattr(datasets, f"load_{name}", None)
    df = loader() if loader is not None else datasets.load(name)
    assert isinstance(df, pd.DataFrame)
    assert df.shape == (info.rows, info.columns)
    assert {c: str(t) for c, t in df.dtypes.items()} == info.dtypes


@pytest.mark.parametrize("name", NAMES)
def test_every_dataset_has_a_data_card_section(name):
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    assert f"`{name}`" in readme, f"datasets/README.md has no section for {name}"


def test_chinese_data_cards_keep_the_structure_of_the_english_ones():
    import re

    english = (DATA / "README.md").read_text(encoding="utf-8")
    chinese = (DATA / "README.zh.md").read_text(encoding="utf-8")

    def headings(text):
        return re.findall(r"^(#+) ", text, flags=re.M)

    def table_rows(text):
        # first cell of every table row: the dataset names, in order
        return re.findall(r"^\| (`[a-z_]+`) \|", text, flags=re.M)

    def names(text):
        return [re.findall(r"`([a-z_]+)`", line) for line in text.splitlines() if line.startswith("## ")]

    assert headings(chinese) == headings(english)
    assert names(chinese) == names(english)
    assert table_rows(chinese) == table_rows(english)
    for paragraph in re.split(r"\n\s*\n", chinese):
        if not paragraph.startswith(("|", "#")):
            assert re.search(r"[\u4e00-\u9fff]", paragraph), f"untranslated paragraph: {paragraph[:80]!r}"
    # every number in the English cards (counts, fitted parameters, facts) is in the Chinese cards too
    numbers = set(re.findall(r"\d[\d,.]*\d|\d", english))
    missing = sorted(n for n in numbers if n not in chinese)
    assert not missing, f"numbers of README.md missing from README.zh.md: {missing}"


def test_every_dataset_has_a_loader_function():
    for name in NAMES:
        assert callable(getattr(datasets, f"load_{name}", None)), f"no load_{name}()"


def test_cdnow_facts_from_the_data_card():
    master = datasets.load_cdnow_master()
    assert master["customer_id"].nunique() == 23570
    assert master["date"].min() == pd.Timestamp("1997-01-01")
    assert master["date"].max() == pd.Timestamp("1998-06-30")
    assert int((master["dollar_value"] == 0).sum()) == 80
    summary = datasets.load_cdnow_summary()
    assert int(summary["frequency"].sum()) == 2457
    assert int((summary["frequency"] > 0).sum()) == 946
    holdout = datasets.load_cdnow_holdout()
    assert (holdout["frequency_cal"].to_numpy() == summary["frequency"].to_numpy()).all()


def test_donations_and_yogurt_facts():
    assert int(datasets.load_donations()["weights"].sum()) == 11104
    yogurt = datasets.load_yogurt()
    assert yogurt["household_id"].nunique() == 100
    assert sorted(yogurt["choice"].cat.categories) == ["dannon", "hiland", "weight", "yoplait"]


def test_unknown_dataset_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown dataset 'nope'"):
        datasets.dataset_info("nope")
    with pytest.raises(ValueError, match=r"load\(\): unknown dataset 'nope'"):
        datasets.load("nope")
    with pytest.raises(TypeError, match=r"dataset_path\(\): 'name' must be a str"):
        datasets.dataset_path(3)


def test_donations_annual_split_at_2001():
    annual = datasets.load_donations_annual()
    assert (annual.loc[annual["year"] <= 2001, "period"] == "calibration").all()
    assert (annual.loc[annual["year"] > 2001, "period"] == "holdout").all()


def _copy_data(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


def test_corrupt_file_names_file_and_checksum(tmp_path, monkeypatch):
    folder = _copy_data(tmp_path)
    (folder / "donations.csv").write_text("frequency,recency,periods,weights\n0,0,6,1\n")
    monkeypatch.setenv("CRMLAB_DATA_DIR", str(folder))
    expected = datasets.dataset_info("donations").sha256
    with pytest.raises(ValueError, match=rf"donations\.csv.*corrupt.*expected {expected}"):
        datasets.load_donations()


def test_missing_file_names_file_and_checksum(tmp_path, monkeypatch):
    folder = _copy_data(tmp_path)
    (folder / "mobi.csv").unlink()
    monkeypatch.setenv("CRMLAB_DATA_DIR", str(folder))
    with pytest.raises(FileNotFoundError, match=r"mobi\.csv.*missing.*expected sha256 8411783c"):
        datasets.load_mobi()


def test_data_dir_never_uses_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.delenv("CRMLAB_DATA_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "registry.csv").write_text("bogus")
    assert datasets.data_dir().resolve() != tmp_path.resolve()
    assert crmlab.datasets.load_donations().shape == (22, 4)
