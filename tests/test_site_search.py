"""Offline site search: an index built with the site, answering English, Chinese and symbol queries."""

from __future__ import annotations

import json
import shutil

import pytest

from crmlab.course import find_chapters
from crmlab.course.search import SEARCH_SCRIPT, page_sections, search

CHAPTERS = find_chapters()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from crmlab.course.site import build_site

    out = tmp_path_factory.mktemp("site")
    build_site(CHAPTERS, out)
    return out


def _index(site, lang):
    text = (site / "_static" / f"search-{lang}.js").read_text(encoding="utf-8")
    assert text.startswith("window.CRMLAB_SEARCH = ")
    return json.loads(text.removeprefix("window.CRMLAB_SEARCH = ").rstrip().rstrip(";"))


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("query", ["accumulation", "客户满意度", "P(alive)"])
def test_search_finds_the_required_queries(site, lang, query):
    hits = search(_index(site, lang), query)
    assert hits, f"{lang}: nothing found for {query!r}"
    root = site if lang == "en" else site / "zh"
    for hit in hits:
        assert (root / hit["url"].split("#")[0]).is_file(), hit["url"]


def test_search_links_land_on_headings(site):
    hits = search(_index(site, "en"), "accumulation")
    anchored = [h for h in hits if "#" in h["url"]]
    assert anchored
    page, anchor = anchored[0]["url"].split("#")
    assert f'id="{anchor}"' in (site / page).read_text(encoding="utf-8")


def test_search_rule_needs_every_word_and_ignores_case():
    index = [
        {"url": "a.html", "page": "A", "title": "Customer accumulation", "text": "B/A rises as A loses customers"},
        {"url": "b.html", "page": "B", "title": "Satisfaction", "text": "客户满意度 = 感知值 / 期望值"},
    ]
    assert [h["url"] for h in search(index, "ACCUMULATION loses")] == ["a.html"]
    assert search(index, "accumulation 满意") == []
    assert [h["url"] for h in search(index, "满意度")] == ["b.html"]
    assert search(index, "   ") == []


def test_sections_split_at_headings_and_skip_scripts():
    page = (
        "<html><head><title>T</title></head><body><nav>nav text</nav><h2 id=\"x\">One</h2><p>alpha</p>"
        "<script>secret()</script><h3 id=\"y\">Two</h3><p>beta</p></body></html>"
    )
    sections = page_sections(page, "p.html")
    assert [(s["url"], s["title"]) for s in sections] == [("p.html#x", "One"), ("p.html#y", "Two")]
    assert "secret" not in json.dumps(sections) and "nav text" not in json.dumps(sections)


def test_every_page_has_the_search_box_and_no_network(site):
    assert (site / "_static" / "search.js").read_text(encoding="utf-8") == SEARCH_SCRIPT
    for page in [*site.glob("*.html"), *(site / "zh").glob("*.html")]:
        text = page.read_text(encoding="utf-8")
        assert 'class="crmlab-search"' in text, page.name
        assert "http://" not in SEARCH_SCRIPT and "https://" not in SEARCH_SCRIPT


@pytest.mark.skipif(shutil.which("chromium") is None, reason="needs Debian's chromium")
def test_search_box_works_in_the_browser(site):
    from playwright.sync_api import sync_playwright

    from crmlab.course.check import _CHROMIUM_ARGS, SEARCH_QUERIES, _search, find_chromium

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=find_chromium(), args=_CHROMIUM_ARGS)
        page = browser.new_context(offline=True).new_page()
        page.goto((site / "zh" / "index.html").as_uri())
        hits = _search(page, SEARCH_QUERIES)
        page.fill("input.crmlab-search", "zzzz-no-such-word")
        empty = page.inner_text("ul.crmlab-results")
        browser.close()
    assert all(n > 0 for n in hits.values()), hits
    assert empty == "没有找到结果"
