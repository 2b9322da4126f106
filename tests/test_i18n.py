"""The Chinese edition: catalogues complete and fresh, same code and outputs, glossary terms carried over."""

from __future__ import annotations

import re
import shutil

import nbformat
import numpy as np
import pytest

from crmlab.course import find_chapters
from crmlab.course.i18n import (
    PROSE_CONTEXT,
    PROSE_WORD_CONTEXT,
    StaleTranslationError,
    build_edition,
    catalogue_path,
    catalogue_status,
    compare_editions,
    edition_chapters,
    read_catalogue,
    translate_notebook,
    update_catalogue,
)

CHAPTERS = find_chapters()
TRANSLATED, UNTRANSLATED = edition_chapters(CHAPTERS, "zh")
IDS = [p.stem for p in TRANSLATED]
CJK = re.compile(r"[\u4e00-\u9fff]")


def _markdown(nb) -> str:
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


@pytest.fixture(scope="module")
def zh_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("zh")
    build_edition(CHAPTERS, out, "zh")
    return out


def test_some_chapters_are_translated():
    assert TRANSLATED, "no chapter has a Chinese catalogue in notebooks/locale/zh/"


@pytest.mark.parametrize("path", TRANSLATED, ids=IDS)
def test_catalogue_is_complete_and_fresh(path):
    nb = nbformat.read(path, as_version=4)
    status = catalogue_status(nb, read_catalogue(catalogue_path(path)), path.stem)
    assert status.ok, "\n" + status.describe() + f"\nfix with: crmlab course catalogue-update {path.stem}"


@pytest.mark.parametrize("path", TRANSLATED, ids=IDS)
def test_zh_edition_holds_exactly_the_english_code_and_outputs(path, zh_dir):
    en = nbformat.read(path, as_version=4)
    zh = nbformat.read(zh_dir / path.name, as_version=4)
    assert compare_editions(en, zh) == []
    assert zh.metadata["crmlab"]["language"] == "zh"
    for a, b in zip(en.cells, zh.cells, strict=True):
        if a.cell_type == "markdown" and a.source.strip():
            assert CJK.search(b.source), f"{path.stem}: cell {a.id} is not in Chinese"
            assert a.source != b.source


def _glossary_keys():
    from crmlab.glossary import glossary

    keys = []
    for r in glossary().itertuples(index=False):
        english = re.sub(r"\s*\(.*\)$", "", r.term).strip()
        chinese = re.split(r"[(（=]", r.chinese)[0].strip()
        keys.append((english, chinese))
    return keys


def _missing_terms(en_text: str, zh_text: str) -> list[str]:
    """Glossary terms used in ``en_text`` whose Chinese term is absent from ``zh_text``."""
    missing = []
    for english, chinese in _glossary_keys():
        flags = 0 if english.isupper() else re.I  # acronyms (CARE, RFM) match only in capitals
        if re.search(rf"(?<![\w-]){re.escape(english)}(?![\w-])", en_text, flags=flags) and chinese not in zh_text:
            missing.append(f"{english} -> {chinese}")
    return missing


@pytest.mark.parametrize("path", TRANSLATED, ids=IDS)
def test_glossary_terms_keep_their_chinese_term(path, zh_dir):
    en_text = _markdown(nbformat.read(path, as_version=4))
    zh_text = _markdown(nbformat.read(zh_dir / path.name, as_version=4))
    missing = _missing_terms(en_text, zh_text)
    assert not missing, f"{path.stem}: the Chinese text lacks the lecture's term for {missing}"


def test_glossary_check_can_fail():
    en = "The customer accumulation effect, the loyalty ladder and customer care (not the CARE rules)."
    assert _missing_terms(en, "顾客累加效应、客户忠诚阶梯和顾客关怀。") == ["CARE -> CARE方针"]
    assert _missing_terms(en, "客户积累效应、忠诚的阶梯、顾客关怀和 CARE方针。") == [
        "customer accumulation effect -> 顾客累加效应",
        "loyalty ladder -> 客户忠诚阶梯",
    ]
    assert _missing_terms("customer care", "顾客关怀") == []


def _tiny_chapter(tmp_path):
    """Copy the first translated chapter and its catalogue into a temporary notebooks folder."""
    src = TRANSLATED[0]
    folder = tmp_path / "notebooks"
    (folder / "locale" / "zh").mkdir(parents=True)
    shutil.copy(src, folder / src.name)
    shutil.copy(catalogue_path(src), catalogue_path(folder / src.name))
    return folder / src.name


def test_an_edited_english_cell_makes_the_translation_stale(tmp_path):
    path = _tiny_chapter(tmp_path)
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if c.cell_type == "markdown" and c.id != nb.cells[0].id)
    cell.source += "\n\nA sentence the translator has not seen."
    nbformat.write(nb, path)
    status = catalogue_status(nb, read_catalogue(catalogue_path(path)), path.stem)
    assert not status.ok and status.stale == [cell.id]
    assert f"{path.stem}: cell {cell.id} translates an older English text" in status.describe()
    with pytest.raises(StaleTranslationError, match=rf"{path.stem}: cell {cell.id} translates an older"):
        translate_notebook(nb, read_catalogue(catalogue_path(path)), chapter=path.stem)

    # the skeleton keeps the old translation, flagged fuzzy with the previous English for the translator
    update_catalogue(path)
    po_text = catalogue_path(path).read_text(encoding="utf-8")
    assert "#, fuzzy" in po_text and "#| msgid" in po_text
    catalog = read_catalogue(catalogue_path(path))
    assert catalogue_status(nb, catalog, path.stem).stale == [cell.id]
    message = next(m for m in catalog if m.context == cell.id)
    message.flags.discard("fuzzy")
    message.string += "\n\n译者尚未见过的一句话。"
    assert catalogue_status(nb, catalog, path.stem).ok


def test_a_new_english_cell_is_missing(tmp_path):
    path = _tiny_chapter(tmp_path)
    nb = nbformat.read(path, as_version=4)
    new = nbformat.v4.new_markdown_cell("A brand-new paragraph.")
    new.id = "zh-test-001"
    nb.cells.insert(2, new)
    status = catalogue_status(nb, read_catalogue(catalogue_path(path)), path.stem)
    assert status.missing == ["zh-test-001"] and not status.stale


def test_catalogue_status_command_fails_on_a_stale_chapter(tmp_path, capsys):
    from crmlab.cli import main

    path = _tiny_chapter(tmp_path)
    assert main(["course", "catalogue-status", "--notebooks-dir", str(path.parent)]) == 0
    nb = nbformat.read(path, as_version=4)
    nb.cells[0].source = nb.cells[0].source.replace("Chapter", "Chapter ", 1)
    nbformat.write(nb, path)
    assert main(["course", "catalogue-status", "--notebooks-dir", str(path.parent)]) == 1
    assert f"{path.stem}: cell {nb.cells[0].id} translates an older English text" in capsys.readouterr().out


def _prose_notebook():
    template = "The top {share:.0%} of customers bring {revenue:,.1f} of revenue."
    values = {"share": 0.2, "revenue": 1234.5}
    output = nbformat.v4.new_output(
        "display_data",
        data={"text/markdown": template.format(**values), "text/plain": "<IPython.core.display.Markdown object>"},
        metadata={"crmlab": {"prose": {"template": template, "values": values}}},
    )
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# Chapter 1 — Tiny", id="md-000"),
            nbformat.v4.new_code_cell("say(...)", id="code-001", outputs=[output], execution_count=1),
            nbformat.v4.new_code_cell("1 + 1", id="code-002", execution_count=2),
        ]
    )
    nb.cells[2].outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "2"}, execution_count=2)]
    return nb, template


def _catalogue(entries):
    from babel.messages.catalog import Catalog

    catalog = Catalog(locale="zh_Hans_CN")
    for context, msgid, msgstr in entries:
        catalog.add(msgid, msgstr, context=context)
    return catalog


def test_prose_outputs_are_rendered_from_the_translated_template():
    nb, template = _prose_notebook()
    catalog = _catalogue(
        [
            ("md-000", nb.cells[0].source, "# 第 1 章 — 小例子"),
            (PROSE_CONTEXT, template, "排名前 {share:.0%} 的客户带来 {revenue:,.1f} 的收入。"),
        ]
    )
    zh = translate_notebook(nb, catalog, chapter="tiny")
    assert zh.cells[1].outputs[0]["data"]["text/markdown"] == "排名前 20% 的客户带来 1,234.5 的收入。"
    assert zh.cells[2].outputs == nb.cells[2].outputs
    assert compare_editions(nb, zh) == []
    assert nb.cells[1].outputs[0]["data"]["text/markdown"].startswith("The top 20%"), "input modified"


def test_prose_without_translation_or_with_other_placeholders_is_reported():
    nb, template = _prose_notebook()
    missing = _catalogue([("md-000", nb.cells[0].source, "# 第 1 章 — 小例子")])
    status = catalogue_status(nb, missing, "tiny")
    assert status.missing == [f"prose '{template[:40]}'"]
    broken = _catalogue(
        [("md-000", nb.cells[0].source, "# 第 1 章 — 小例子"), (PROSE_CONTEXT, template, "前 {share:.0%} 的客户。")]
    )
    status = catalogue_status(nb, broken, "tiny")
    assert status.broken and not status.missing
    with pytest.raises(StaleTranslationError, match="tiny"):
        translate_notebook(nb, broken, chapter="tiny")


def test_a_word_the_code_puts_in_a_sentence_is_translated_too():
    nb, _ = _prose_notebook()
    template = "The interval {covers} the truth."
    nb.cells[1].outputs[0]["metadata"]["crmlab"]["prose"] = {"template": template, "values": {"covers": "covers"}}
    nb.cells[1].outputs[0]["data"]["text/markdown"] = "The interval covers the truth."
    entries = [("md-000", nb.cells[0].source, "# 第 1 章 — 小例子"), (PROSE_CONTEXT, template, "区间{covers}真值。")]
    status = catalogue_status(nb, _catalogue(entries), "tiny")
    assert status.missing == ["prose word 'covers'"]
    zh = translate_notebook(nb, _catalogue([*entries, (PROSE_WORD_CONTEXT, "covers", "覆盖了")]), chapter="tiny")
    assert zh.cells[1].outputs[0]["data"]["text/markdown"] == "区间覆盖了真值。"


def test_compare_editions_sees_a_changed_output_or_code():
    nb, _ = _prose_notebook()
    other = nbformat.reads(nbformat.writes(nb), as_version=4)
    other.cells[2].outputs[0]["data"]["text/plain"] = "3"
    assert compare_editions(nb, other) == ["cell code-002: output 0 differs"]
    other = nbformat.reads(nbformat.writes(nb), as_version=4)
    other.cells[2].source = "1 + 2"
    assert compare_editions(nb, other) == ["cell code-002: code or tags differ"]
    other = nbformat.reads(nbformat.writes(nb), as_version=4)
    other.cells[1].outputs[0]["metadata"]["crmlab"]["prose"]["values"]["share"] = 0.3
    assert compare_editions(nb, other) == ["cell code-001: output 0 differs"]


def test_a_reexecuted_edition_is_held_to_the_english_sentence_not_the_last_bit():
    """A value that moved in its last bit (a sum in another order) renders the same sentence."""
    nb, _ = _prose_notebook()
    other = nbformat.reads(nbformat.writes(nb), as_version=4)
    values = other.cells[1].outputs[0]["metadata"]["crmlab"]["prose"]["values"]
    values["share"] = float(np.nextafter(values["share"], 1.0))
    assert compare_editions(nb, other) == ["cell code-001: output 0 differs"], "stored editions: exact"
    assert compare_editions(nb, other, images=False) == []
    values["share"] = 0.3  # shows "30%" where English shows "20%"
    assert compare_editions(nb, other, images=False) == ["cell code-001: output 0 differs"]


def test_skeleton_lists_every_markdown_cell(tmp_path):
    src = CHAPTERS[0]
    folder = tmp_path / "notebooks"
    folder.mkdir()
    shutil.copy(src, folder / src.name)
    target = update_catalogue(folder / src.name)
    assert target == folder / "locale" / "zh" / f"{src.stem}.po"
    nb = nbformat.read(src, as_version=4)
    catalog = read_catalogue(target)
    ids = [c.id for c in nb.cells if c.cell_type == "markdown" and c.source.strip()]
    # the chapter's say() sentences and words follow the cells (prose and prose-word entries)
    assert [m.context for m in catalog if m.id and m.context not in (PROSE_CONTEXT, PROSE_WORD_CONTEXT)] == ids
    assert catalogue_status(nb, catalog, src.stem).missing[: len(ids)] == ids


def test_executed_edition_must_reproduce_the_english_outputs(tmp_path):
    from crmlab.course.execute import execute_notebook
    from crmlab.course.i18n import EditionMismatchError, execute_edition

    source = tmp_path / "notebooks"
    (source / "locale" / "zh").mkdir(parents=True)
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# Chapter 1 — Tiny", id="md-000"),
            nbformat.v4.new_code_cell("print(6 * 7)", id="code-001"),
        ]
    )
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = source / "01_tiny.ipynb"
    nbformat.write(nb, path)
    execute_notebook(path)
    catalog = _catalogue([("md-000", nb.cells[0].source, "# 第 1 章 — 小例子")])
    from babel.messages.pofile import write_po

    with open(catalogue_path(path), "wb") as fh:
        write_po(fh, catalog)
    written = build_edition([path], tmp_path / "zh")
    execute_edition(written, source)  # same outputs: passes
    assert nbformat.read(written[0], as_version=4).cells[1].outputs[0]["text"] == "42\n"

    # a chapter whose output depends on the language fails, naming the cell
    nb.cells[1].source = "import os\nprint(os.environ.get('CRMLAB_LANG'))"
    nbformat.write(nb, path)
    execute_notebook(path)
    written = build_edition([path], tmp_path / "zh")
    with pytest.raises(EditionMismatchError, match=r"01_tiny .*\n.*cell code-001: output 0 differs"):
        execute_edition(written, source)
