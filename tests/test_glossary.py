"""Tests of crmlab.glossary: both languages, a definition and an existing chapter for every term."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from crmlab.glossary import CHAPTERS, glossary

HAN = re.compile(r"[\u4e00-\u9fff]")
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"  # shared/ sits beside the repository


@pytest.fixture(scope="module")
def g():
    return glossary()


def test_columns_and_size(g):
    assert list(g.columns) == ["term", "chinese", "definition", "definition_zh", "chapter"]
    assert len(g) >= 60


def test_every_term_has_both_languages_and_a_definition(g):
    for row in g.itertuples():
        assert row.term.strip() and not HAN.search(row.term), row.term
        assert HAN.search(row.chinese), f"{row.term}: no Chinese characters in {row.chinese!r}"
        assert len(row.definition.strip()) >= 15, row.term
        assert "\n" not in row.definition, row.term


def test_every_term_has_a_chinese_definition_and_no_entry_is_left_over():
    from crmlab._glossary_zh import DEFINITIONS_ZH
    from crmlab.glossary import _TERMS

    terms = [t[0] for t in _TERMS]
    missing = sorted(set(terms) - set(DEFINITIONS_ZH))
    extra = sorted(set(DEFINITIONS_ZH) - set(terms))
    assert not missing, f"add Chinese definitions to crmlab/_glossary_zh.py for: {missing}"
    assert not extra, f"crmlab/_glossary_zh.py has entries for terms not in the glossary: {extra}"


def test_chinese_definitions_are_chinese_sentences(g):
    assert g["definition_zh"].notna().all()
    for row in g.itertuples():
        text = row.definition_zh
        assert text == text.strip() and "\n" not in text, row.term
        han = len(HAN.findall(text))
        assert han >= 6, f"{row.term}: too little Chinese in {text!r}"
        # mostly Chinese: Latin letters only for names, abbreviations and formulas
        latin_words = re.findall(r"[A-Za-z]+", text)
        assert han >= 2 * len(latin_words), f"{row.term}: more English than Chinese in {text!r}"
        assert text.endswith("。"), f"{row.term}: a definition is a sentence ending in 。"
    assert not g["definition_zh"].duplicated().any()


@pytest.mark.parametrize(
    ("term", "words"),
    [
        ("customer delivered value", ("顾客总价值", "顾客总成本")),
        ("CARE", ("工作能力", "态度", "资源", "授权")),
        ("loyalty ladder", ("潜在购买者", "跟随者", "拥护者", "合伙人")),
        ("customer lifecycle", ("考察期", "形成期", "稳定期", "退化期")),
        ("the five gaps", ("促销差距", "理解差距", "程序差距", "行为差距", "感受差距")),
        ("customer lifetime value (CLV)", ("客户取得成本", "客户保有成本")),
    ],
)
def test_chinese_definitions_use_the_lectures_terms(g, term, words):
    text = g.loc[g["term"] == term, "definition_zh"].item()
    for word in words:
        assert word in text, f"{term}: {word} missing from {text!r}"


def test_chapters_exist(g):
    assert set(g["chapter"]) <= {f"{i:02d}" for i in range(9)}
    assert set(g["chapter"]) <= set(CHAPTERS)
    assert set(CHAPTERS) == set(g["chapter"]), "every chapter teaches at least one glossary term"


def test_no_duplicates(g):
    assert not g["term"].str.casefold().duplicated().any()
    assert not g["chinese"].duplicated().any()


def test_sorted_by_term(g):
    keys = g["term"].str.casefold().tolist()
    assert keys == sorted(keys)
    assert g.index.tolist() == list(range(len(g)))


@pytest.mark.parametrize(
    ("term", "chinese", "chapter"),
    [
        ("customer delivered value", "顾客让渡价值", "02"),
        ("customer lifetime value (CLV)", "客户终生价值", "06"),
        ("customer accumulation effect", "顾客累加效应", "07"),
        ("complaint iceberg", "投诉冰山", "04"),
        ("loyalty ladder", "客户忠诚阶梯", "05"),
        ("customer ordering model", "客户顺序模型", "02"),
    ],
)
def test_key_terms_present(g, term, chinese, chapter):
    row = g[g["term"] == term]
    assert len(row) == 1, term
    assert row["chinese"].item() == chinese
    assert row["chapter"].item() == chapter


def test_brief_terms_all_present(g):
    text = " ".join(g["term"]).casefold()
    for needle in ("rfm", "80/20", "idic", "moments of truth", "care", "lical", "satisfaction", "five gaps",
                   "loyalty indicators", "apostles", "mercenaries", "hostages", "terrorists", "contact cycle",
                   "purchase cycle", "customer database", "bg/nbd", "sbg"):
        assert needle in text, needle


@pytest.mark.skipif(not SEEDS.exists(), reason="seed lecture notes not available")
def test_lecture_terms_appear_in_the_seeds(g):
    seeds = "".join(p.read_text(encoding="utf-8") for p in SEEDS.glob("00*.txt"))
    for chinese in ("顾客让渡价值", "客户终生价值", "顾客累加效应", "顾客利润累加效应", "客户顺序模型", "传道者",
                    "图利者", "囚禁者", "破坏者", "CARE方针", "顾客关怀黄金法则", "信任的瞬间", "重复购买法则"):
        assert chinese in seeds, chinese
        assert chinese in set(g["chinese"]), chinese


def test_filter_by_chapter():
    seven = glossary("07")
    assert (seven["chapter"] == "07").all() and len(seven) >= 5
    with pytest.raises(ValueError, match=r"glossary\(\): 'chapter' must be one of"):
        glossary("7")
