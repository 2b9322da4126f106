"""Offline search of the course site: an index written at build time, searched in the page by a small script.

``make course`` writes, per edition, ``_static/search-<lang>.js`` holding one entry
per page section (its heading, link and text) and ``_static/search.js``, which
searches the entries as the reader types. Matching is a case-insensitive
substring search over every word of the query, which needs no tokenizer for
Chinese and keeps symbols such as ``P(alive)``. Nothing is fetched from the
network; the index is a script (not JSON) because browsers refuse to ``fetch``
files from ``file://`` pages.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

__all__ = ["SEARCH_SCRIPT", "page_sections", "search", "search_box", "write_search_index"]

_HEADING = re.compile(r"<h([1-3])([^>]*)>(.*?)</h\1>", re.S)
_ID = re.compile(r'\bid="([^"]*)"')
_DROP = re.compile(r"<(script|style|svg|nav|noscript)\b.*?</\1>", re.S | re.I)
_IMG = re.compile(r"<img\b[^>]*>", re.I)
_TAG = re.compile(r"<[^>]+>")
_ROW = re.compile(r"<tr>(.*?)</tr>", re.S)
_TABLE = re.compile(r'<table class="crmlab-table">.*?</table>', re.S)
_MAX_TEXT = 3000


def _text(fragment: str) -> str:
    fragment = _IMG.sub(" ", _DROP.sub(" ", fragment))
    text = html.unescape(_TAG.sub(" ", fragment)).replace("¶", " ")
    return re.sub(r"\s+", " ", text).strip()


def _anchor(attributes: str) -> str:
    found = _ID.search(attributes)
    return found.group(1) if found else ""


def page_sections(page_html: str, page: str) -> list[dict[str, str]]:
    """Split a built page into sections at its h1–h3 headings.

    Parameters
    ----------
    page_html : str
        The HTML of one built page.
    page : str
        Its path relative to the edition's root, used in the links (``"03_rfm_segmentation.html"``).

    Returns
    -------
    list of dict
        ``{"url": page#anchor, "page": page title, "title": heading, "text": section text}``.
        Each row of a ``crmlab-table`` (glossary, datasets) is an entry of its own.

    Examples
    --------
    >>> html = '<title>RFM</title><body><h2 id="scores">RFM scores</h2><p>Recency first.</p></body>'
    >>> page_sections(html, "03.html")
    [{'url': '03.html#scores', 'page': 'RFM', 'title': 'RFM scores', 'text': 'RFM scores Recency first.'}]
    """
    title_match = re.search(r"<title>(.*?)</title>", page_html, re.S)
    page_title = _text(title_match.group(1)) if title_match else page
    body_start = page_html.find("<body")
    body = page_html[body_start:] if body_start >= 0 else page_html
    marks = list(_HEADING.finditer(body))
    sections = []
    starts = [(0, "", page_title)] + [(m.start(), _anchor(m.group(2)), _text(m.group(3))) for m in marks]
    for i, (start, anchor, heading) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else len(body)
        chunk = body[start:end]
        rows = _ROW.findall(_DROP.sub(" ", chunk)) if 'class="crmlab-table"' in chunk else []
        for row in rows:  # a table of terms or datasets: one entry per row, so none is cut off
            cells = [_text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            if cells:
                title = " · ".join(cells[:2])
                sections.append({"url": page, "page": page_title, "title": title, "text": " ".join(cells)})
        chunk = _TABLE.sub(" ", chunk) if rows else chunk
        text = _text(chunk)
        if not text:
            continue
        url = f"{page}#{anchor}" if anchor else page
        sections.append({"url": url, "page": page_title, "title": heading or page_title, "text": text[:_MAX_TEXT]})
    return sections


def search(index: list[dict[str, str]], query: str, limit: int = 20) -> list[dict[str, str]]:
    """Return the sections whose title or text contains every word of ``query`` (case-insensitive).

    The same rule as the in-page script, for tests and for the command line.

    Parameters
    ----------
    index : list of dict
        Sections as :func:`page_sections` returns them (keys ``title`` and ``text`` are searched).
    query : str
        Words separated by spaces; every word must occur as a substring.
    limit : int, default=20
        Largest number of sections returned.

    Returns
    -------
    list of dict
        The matching sections, those with more query words in their title
        first, then in index order; empty for an empty query.

    Examples
    --------
    >>> index = [{"title": "Churn", "text": "P(alive) of a customer"}, {"title": "P(alive)", "text": "BG/NBD"}]
    >>> [hit["title"] for hit in search(index, "p(alive)")]
    ['P(alive)', 'Churn']
    """
    words = [w for w in query.lower().split() if w]
    if not words:
        return []
    hits = []
    for entry in index:
        haystack = f"{entry['title']} {entry['text']}".lower()
        if all(w in haystack for w in words):
            score = sum(w in entry["title"].lower() for w in words)
            hits.append((-score, len(hits), entry))
    return [e for _, _, e in sorted(hits, key=lambda h: h[:2])][:limit]


SEARCH_SCRIPT = r"""// crmlab offline search: substring match of every query word; the index is in window.CRMLAB_SEARCH.
(function () {
  function esc(s) { return s.replace(/[&<>"]/g, c => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;'})[c]); }
  function find(query) {
    const words = query.toLowerCase().split(/\s+/).filter(Boolean);
    if (!words.length) { return []; }
    const hits = [];
    (window.CRMLAB_SEARCH || []).forEach((e, i) => {
      const hay = (e.title + ' ' + e.text).toLowerCase();
      if (words.every(w => hay.includes(w))) {
        hits.push([-words.filter(w => e.title.toLowerCase().includes(w)).length, i, e]);
      }
    });
    hits.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    return hits.slice(0, 20).map(h => h[2]);
  }
  function snippet(text, query) {
    const w = query.toLowerCase().split(/\s+/).filter(Boolean)[0] || '';
    const at = Math.max(0, text.toLowerCase().indexOf(w) - 40);
    return (at > 0 ? '…' : '') + text.slice(at, at + 120) + '…';
  }
  window.crmlabSearch = find;
  document.addEventListener('DOMContentLoaded', function () {
    document.querySelectorAll('input.crmlab-search').forEach(function (box) {
      const list = box.parentElement.querySelector('ul.crmlab-results');
      box.addEventListener('input', function () {
        const hits = find(box.value);
        list.innerHTML = hits.map(e => '<li><a href="' + esc(e.url) + '">' + esc(e.title) + '</a> <small>' +
          esc(e.page) + '</small><br><small>' + esc(snippet(e.text, box.value)) + '</small></li>').join('');
        list.hidden = !box.value.trim();
        if (box.value.trim() && !hits.length) { list.innerHTML = '<li>' + esc(box.dataset.none) + '</li>'; }
      });
    });
  });
})();
"""


def search_box(static: str, lang: str) -> str:
    """Return the HTML of the search box, its result list and the scripts it needs.

    Parameters
    ----------
    static : str
        Link to the edition's ``_static`` folder from the page (e.g. ``"_static"`` or ``"../_static"``).
    lang : str
        ``"zh"`` for Chinese prompts; any other value gives English ones.

    Returns
    -------
    str
        An HTML fragment for the page header.

    Examples
    --------
    >>> box = search_box("_static", "en")
    >>> 'placeholder="Search the course…"' in box, '<script src="_static/search-en.js">' in box
    (True, True)
    """
    placeholder, none = ("搜索课程…", "没有找到结果") if lang == "zh" else ("Search the course…", "No results")
    return (
        f'<span class="crmlab-search-wrap"><input type="search" class="crmlab-search" placeholder="{placeholder}" '
        f'aria-label="{placeholder}" data-none="{none}"><ul class="crmlab-results" hidden></ul></span>'
        f'<script src="{static}/search-{lang}.js"></script><script src="{static}/search.js"></script>'
    )


def write_search_index(pages: dict[Path, str], root: Path, static: Path, lang: str) -> Path:
    """Index the ``pages`` of one edition (paths under ``root``) into ``static/search-<lang>.js``.

    Also writes the search script itself, ``static/search.js``.

    Parameters
    ----------
    pages : dict of Path to str
        Each built page's path (under ``root``) and its HTML.
    root : Path
        The edition's root folder; links in the index are relative to it.
    static : Path
        The folder the two scripts are written to (created if needed).
    lang : str
        The edition's language, part of the index's file name.

    Returns
    -------
    Path
        The index script written, ``static / f"search-{lang}.js"``.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     root = Path(tmp)
    ...     pages = {root / "index.html": '<title>Course</title><body><h1 id="top">CRM</h1></body>'}
    ...     index = write_search_index(pages, root, root / "_static", "en")
    ...     index.name, index.read_text(encoding="utf-8").startswith("window.CRMLAB_SEARCH = [")
    ('search-en.js', True)
    """
    entries = []
    for path, text in pages.items():
        entries += page_sections(text, Path(path).relative_to(root).as_posix())
    static.mkdir(parents=True, exist_ok=True)
    (static / "search.js").write_text(SEARCH_SCRIPT, encoding="utf-8")
    target = static / f"search-{lang}.js"
    payload = json.dumps(entries, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    target.write_text(f"window.CRMLAB_SEARCH = {payload};\n", encoding="utf-8")
    return target
