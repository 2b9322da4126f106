"""The two-language course site: language switch on every page, <html lang>, CJK fonts, offline browser check."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pytest

from crmlab.course import find_chapters
from crmlab.course.i18n import edition_chapters

CHAPTERS = find_chapters()
TRANSLATED, UNTRANSLATED = edition_chapters(CHAPTERS, "zh")
SWITCH = re.compile(r'<a class="crmlab-lang"[^>]*href="([^"]+)"')


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from crmlab.course.site import build_site

    out = tmp_path_factory.mktemp("site")
    build_site(CHAPTERS, out)
    return out


def _pages(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.html"))


def test_both_editions_have_every_shared_page(site):
    for name in ("index.html", "glossary.html", "datasets.html"):
        assert (site / name).is_file() and (site / "zh" / name).is_file()
    assert {p.stem for p in _pages(site / "zh") if p.name[:2].isdigit()} == {p.stem for p in TRANSLATED}


@pytest.mark.parametrize("edition, lang", [("", "en"), ("zh", "zh-CN")])
def test_every_page_declares_its_language_and_switches_to_an_existing_page(site, edition, lang):
    folder = site / edition if edition else site
    pages = _pages(folder)
    assert len(pages) >= 4
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert re.search(rf'<html lang="{lang}"', text), f"{page.name}: wrong or missing <html lang>"
        links = SWITCH.findall(text)
        assert links, f"{page.name}: no language switch"
        for href in links:
            target = (page.parent / href).resolve()
            assert target.is_file(), f"{page.name}: switch points to missing {href}"
            assert (target.parent == (site / "zh").resolve()) == (edition == ""), f"{page.name}: switch stays put"
            if page.name[:2].isdigit() and edition == "zh":
                assert target.name == page.name, "a Chinese chapter switches to the same English chapter"


def test_english_chapter_switch_goes_to_its_translation_or_the_chinese_index(site):
    for path in CHAPTERS:
        href = SWITCH.search((site / f"{path.stem}.html").read_text(encoding="utf-8")).group(1)
        expected = f"zh/{path.stem}.html" if path in TRANSLATED else "zh/index.html"
        assert href == expected


def test_chinese_index_lists_untranslated_chapters_honestly(site):
    index = (site / "zh" / "index.html").read_text(encoding="utf-8")
    for path in TRANSLATED:
        assert f'href="{path.stem}.html"' in index
    for path in UNTRANSLATED:
        assert f'href="../{path.stem}.html"' in index
    assert ("尚未翻译" in index) == bool(UNTRANSLATED)


def test_css_names_cjk_fonts_with_fallbacks(site):
    css = (site / "zh" / "index.html").read_text(encoding="utf-8")
    for family in ('"Noto Sans CJK SC"', '"WenQuanYi Zen Hei"', '"PingFang SC"', '"Microsoft YaHei"'):
        assert family in css
    assert re.search(r"html:lang\(zh\) body[^{]*\{ font-family: [^}]*sans-serif; \}", css)
    assert re.search(r"html:lang\(zh\) pre, html:lang\(zh\) code \{ font-family: [^}]*monospace; \}", css)


def test_chinese_glossary_page_puts_chinese_first(site):
    page = (site / "zh" / "glossary.html").read_text(encoding="utf-8")
    assert "<th>中文术语</th><th>English</th>" in page
    assert '<td lang="zh-CN"><strong>顾客让渡价值</strong></td>' in page


def test_chinese_glossary_page_gives_chinese_definitions(site):
    from crmlab.glossary import glossary

    page = (site / "zh" / "glossary.html").read_text(encoding="utf-8")
    english = (site / "glossary.html").read_text(encoding="utf-8")
    assert "<th>定义</th>" in page and "定义（英文）" not in page
    for row in glossary().itertuples():
        assert f'<td lang="zh-CN">{html.escape(row.definition_zh)}</td>' in page, row.term
        assert html.escape(row.definition) not in page, f"{row.term}: English definition on the Chinese page"
        assert html.escape(row.definition) in english and html.escape(row.definition_zh) not in english


chromium = pytest.mark.skipif(shutil.which("chromium") is None, reason="needs Debian's chromium")


@chromium
@pytest.mark.parametrize("edition, label", [("", "Solution (click to show)"), ("zh", "参考答案（点击展开）")])
def test_solutions_are_folded_until_clicked(site, edition, label):
    """Every solution cell of every chapter page sits inside a closed <details> with the edition's label."""
    import nbformat

    folder = site / edition if edition else site
    chapters = TRANSLATED if edition else CHAPTERS
    for path in chapters:
        nb = nbformat.read(path, as_version=4)
        n_solutions = sum("solution" in c.metadata.get("tags", []) for c in nb.cells)
        page = (folder / f"{path.stem}.html").read_text(encoding="utf-8")
        folded = re.findall(r'<details class="crmlab-folded crmlab-folded-solution"><summary>([^<]*)</summary>\s*'
                            r'<div class="jp-Cell[^"]*celltag_solution', page)
        assert n_solutions > 0, path.stem
        assert folded == [label] * n_solutions, (path.stem, len(folded), n_solutions)
        assert page.count("celltag_solution") == n_solutions  # none left outside a fold


def test_tofu_measure_tells_real_glyphs_from_missing_glyph_boxes(tmp_path):
    from playwright.sync_api import sync_playwright

    from crmlab.course.check import _CHROMIUM_ARGS, _CJK_FACTS, find_chromium

    # the same measurement, applied to any non-Latin character: CJK (installed font) vs Adlam (no font has it)
    script = _CJK_FACTS.replace("/[\u4e00-\u9fff]/", r"/[^\s\w.,<>]/u")
    assert script != _CJK_FACTS
    results = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=find_chromium(), args=_CHROMIUM_ARGS)
        page = browser.new_page()
        for name, text in (("cjk", "客户关系管理顾客让渡价值"), ("boxes", "".join(map(chr, range(0x1E900, 0x1E908))))):
            path = tmp_path / f"{name}.html"
            path.write_text(f"<html><body>{text}</body></html>", encoding="utf-8")
            page.goto(path.as_uri())
            results[name] = page.evaluate(script)
        browser.close()
    if results["cjk"]["cjk_distinct"] < results["cjk"]["cjk_chars"]:
        pytest.skip("no CJK font installed")
    assert results["cjk"]["cjk_em"] >= 0.9
    assert results["boxes"]["cjk_distinct"] < results["boxes"]["cjk_chars"]


@chromium
@pytest.mark.slow
def test_offline_browser_check_passes_on_both_editions(site, tmp_path):
    from crmlab.course.check import check_site

    report = check_site(site, tmp_path)
    assert report.ok, report.problems
    assert report.pages["zh/index.html"]["lang"] == "zh-CN"
    assert (tmp_path / "zh-index.png").is_file()


def test_chinese_datasets_page_shows_the_chinese_data_cards(site):
    page = (site / "zh" / "datasets.html").read_text(encoding="utf-8")
    english = (site / "datasets.html").read_text(encoding="utf-8")
    assert "在线音乐商店 CDNOW 的购买记录" in page and "online music store CDNOW" not in page
    assert "online music store CDNOW" in english and "在线音乐商店" not in english
    assert "暂为英文" not in page
    for name in ("cdnow_master", "donations_annual", "sbg_retention", "mobi", "yogurt", "course_truth"):
        assert f"<code>{name}</code>" in page, name


@pytest.mark.parametrize("edition", ["", "zh"])
def test_lecturers_say_notes_show_their_text_not_the_call(site, edition):
    """A speaker note written with say() appears folded as its rendered text; its code never reaches the page."""
    import nbformat

    from crmlab.course.prose import prose_outputs

    folder = site / edition if edition else site
    chapters = TRANSLATED if edition else CHAPTERS
    seen = 0
    for path in chapters:
        nb = nbformat.read(path, as_version=4)
        notes = [c for c in nb.cells if c.cell_type == "code" and "instructor" in c.metadata.get("tags", [])]
        page = html.unescape(re.sub(r"<[^>]+>", "", (folder / f"{path.stem}.html").read_text(encoding="utf-8")))
        for cell in notes:
            seen += 1
            call = next(line for line in cell.source.splitlines() if line.lstrip().startswith("say("))
            assert call not in page, f"{path.stem}: the code of note {cell.id} is on the page"
            if not edition:  # the Chinese text differs; the English one must be there word for word
                text = prose_outputs({"cells": [cell]})[0]["text"]
                words = re.sub(r"[*$\\]", "", text.splitlines()[0])[:40]
                assert words in page, f"{path.stem}: note {cell.id} is not shown"
    assert seen, "no chapter has a speaker note written with say()"
