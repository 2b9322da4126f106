"""Write the browsable HTML course: index, chapter pages, glossary and datasets pages.

Every page works offline: figures are embedded in the page, formulas are typeset
by a local copy of MathJax in ``_static/``, and no script is fetched from the web.
The course has two editions: English in ``<out>/`` and Chinese in ``<out>/zh/``
(the chapters whose translation catalogue exists, see :mod:`crmlab.course.i18n`);
every page links to the same page in the other language.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from crmlab.course.assets import MATHJAX_CONFIG, copy_mathjax, templates_dir
from crmlab.course.meta import ChapterMeta, chapter_meta
from crmlab.course.prose import rendered_note
from crmlab.course.search import search_box, write_search_index

__all__ = [
    "UI",
    "build_course",
    "build_site",
    "page_toc",
    "render_chapter",
    "render_datasets_page",
    "render_glossary_page",
    "render_index",
]

#: The words of the site itself, per language.
UI = {
    "en": {
        "html_lang": "en",
        "index": "Course index",
        "glossary": "Glossary",
        "datasets": "Datasets",
        "contents": "Contents",
        "chapter": "Chapter {n}: {title}",
        "switch": "中文",
        "switch_lang": "zh-CN",
        "goals": "Learning goals",
        "minutes": " · about {m} minutes",
        "course_title": "crmlab — customer relationship management analytics",
        "site_title": "crmlab course",
        "solution": "Solution (click to show)",
        "instructor": "Notes for the lecturer (click to show)",
    },
    "zh": {
        "html_lang": "zh-CN",
        "index": "课程目录",
        "glossary": "术语表",
        "datasets": "数据集",
        "contents": "本章目录",
        "chapter": "第 {n} 章：{title}",
        "switch": "English",
        "switch_lang": "en",
        "goals": "学习目标",
        "minutes": " · 约 {m} 分钟",
        "course_title": "crmlab — 客户关系管理数据分析",
        "site_title": "crmlab 课程",
        "solution": "参考答案（点击展开）",
        "instructor": "教师讲课提示（点击展开）",
    },
}

# Latin text first in the system UI font; CJK glyphs from the fonts Debian's fonts-noto-cjk or
# fonts-wqy-zenhei install, or the ones macOS and Windows ship; then the generic family.
_CJK_FONTS = '"Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "PingFang SC", "Microsoft YaHei"'

_CSS = """
body.crmlab { font-family: system-ui, -apple-system, "Segoe UI", CJKFONTS, sans-serif; max-width: 62rem;
  margin: 1.5rem auto; padding: 0 1rem; line-height: 1.5; color: #1f2933; }
html:lang(zh) body, html:lang(zh) .jp-RenderedHTMLCommon, td:lang(zh) { font-family: CJKFONTS, system-ui, sans-serif; }
html:lang(zh) body.crmlab, html:lang(zh) .jp-RenderedHTMLCommon { line-height: 1.75; }
html:lang(zh) pre, html:lang(zh) code { font-family: var(--jp-code-font-family, monospace), "Noto Sans Mono CJK SC",
  monospace; }
a.crmlab-lang { font-weight: 600; }
.crmlab-search-wrap { position: relative; display: inline-block; }
input.crmlab-search { font: inherit; padding: .1rem .4rem; width: 11rem; }
ul.crmlab-results { position: absolute; right: 0; z-index: 10; width: 28rem; max-height: 24rem; overflow-y: auto;
  background: #fff; border: 1px solid #ccd; border-radius: 4px; list-style: none; margin: .2rem 0; padding: .3rem .6rem;
  text-align: left; box-shadow: 0 2px 8px rgba(0, 0, 0, .15); }
ul.crmlab-results li { margin: .3rem 0; }
.not-translated { color: #52606d; }
nav.crmlab-nav { display: flex; justify-content: space-between; gap: 1rem; border-top: 1px solid #ccd;
  border-bottom: 1px solid #ccd; padding: .5rem 1rem; margin: .5rem 0 1rem 0; font-family: system-ui, sans-serif; }
nav.crmlab-toc { border: 1px solid #d8dde6; border-radius: 6px; padding: .5rem 1rem; margin: 0 1rem 1rem 1rem;
  font-family: system-ui, sans-serif; font-size: .95rem; }
nav.crmlab-toc li.h3 { margin-left: 1.2rem; font-size: .9rem; }
.chapter-card { border: 1px solid #d8dde6; border-radius: 6px; padding: .8rem 1rem; margin: 1rem 0; }
.chapter-card h2 { margin: 0 0 .3rem 0; font-size: 1.2rem; }
.meta { color: #52606d; font-size: .9rem; }
table.crmlab-table { border-collapse: collapse; font-size: .92rem; }
details.crmlab-folded { border: 1px solid #d8dde6; border-radius: 6px; margin: .5rem 1rem; padding: .3rem .6rem; }
details.crmlab-folded > summary { cursor: pointer; font-family: system-ui, sans-serif; color: #1f4e79; }
table.crmlab-table td, table.crmlab-table th { border-bottom: 1px solid #e4e7eb; padding: .25rem .6rem;
  text-align: left; vertical-align: top; }
""".replace("CJKFONTS", _CJK_FONTS)


def _page(title: str, body: str, *, mathjax: bool = False, lang: str = "en") -> str:
    script = ""
    if mathjax:
        script = (
            '<script type="text/x-mathjax-config">MathJax.Hub.Config({tex2jax: {inlineMath: [["$","$"], '
            '["\\\\(","\\\\)"]], processEscapes: true}});</script>\n'
            f'<script src="_static/mathjax/MathJax.js?config={MATHJAX_CONFIG}"></script>\n'
        )
    return (
        f'<!DOCTYPE html>\n<html lang="{UI[lang]["html_lang"]}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>{_CSS}</style>\n{script}</head>\n"
        f'<body class="crmlab">\n{body}\n</body>\n</html>\n'
    )


@dataclass
class Edition:
    """One language edition of the site.

    Attributes
    ----------
    lang : str
        ``"en"`` or ``"zh"``.
    chapters : list of ChapterMeta
        The chapters of this edition, in order (read from its notebooks).
    pages_other : set of str
        File names of the pages the other edition has (the language switch targets).
    untranslated : list of ChapterMeta
        English chapters this edition does not have yet (listed on its index).
    """

    lang: str = "en"
    chapters: list[ChapterMeta] = field(default_factory=list)
    pages_other: set[str] = field(default_factory=set)
    untranslated: list[ChapterMeta] = field(default_factory=list)

    @property
    def ui(self) -> dict[str, str]:
        return UI[self.lang]

    @property
    def static(self) -> str:
        """Relative URL of the shared ``_static`` folder."""
        return "_static" if self.lang == "en" else "../_static"

    def switch_href(self, page: str) -> str:
        """Link to ``page`` in the other edition (its index when it lacks the page)."""
        prefix = "zh/" if self.lang == "en" else "../"
        return prefix + (page if page in self.pages_other or self.lang != "en" else "index.html")


def _switch(edition: Edition, page: str) -> str:
    ui = edition.ui
    return (
        f'<a class="crmlab-lang" hreflang="{ui["switch_lang"]}" lang="{ui["switch_lang"]}" '
        f'href="{edition.switch_href(page)}">{ui["switch"]}</a>'
    )


def _nav(
    chapters: list[ChapterMeta],
    i: int | None,
    edition: Edition | None = None,
    page: str = "index.html",
    *,
    search: bool = True,
) -> str:
    edition = edition or Edition(chapters=chapters)
    ui = edition.ui
    prev_link = next_link = "<span></span>"
    if i is not None and i > 0:
        ch = chapters[i - 1]
        prev_link = f'<a rel="prev" href="{ch.slug}.html">&larr; {int(ch.number)}. {html.escape(ch.title)}</a>'
    if i is not None and i + 1 < len(chapters):
        ch = chapters[i + 1]
        next_link = f'<a rel="next" href="{ch.slug}.html">{int(ch.number)}. {html.escape(ch.title)} &rarr;</a>'
    targets = (("index.html", ui["index"]), ("glossary.html", ui["glossary"]), ("datasets.html", ui["datasets"]))
    middle = " · ".join(f'<a href="{href}">{label}</a>' for href, label in targets)
    middle += " · " + _switch(edition, page)
    if search:
        middle += " " + search_box(edition.static, edition.lang)
    return f'<nav class="crmlab-nav">{prev_link}<span>{middle}</span>{next_link}</nav>'


def _inline(text: str) -> str:
    """Escape ``text`` for HTML and render its inline Markdown (code, bold, italics)."""
    out = html.escape(text, quote=False)
    out = re.sub(r"`([^`]+)`", r"<code>\1</code>", out)
    out = re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", out)
    return re.sub(r"(?<![A-Za-z0-9_*])\*([^*\s][^*]*)\*(?![A-Za-z0-9_*])", r"<em>\1</em>", out)


_INTRO = {
    "en": "<p>A course in chapters. Each page is a notebook executed top to bottom, with its code, tables and "
    "figures; run them yourself with <code>make lab</code>, or get the exercise copies with "
    "<code>make student</code>. Total estimated time: about {h} h {m} min.</p>",
    "zh": "<p>本课程按章节组织。每一页都是一个从头到尾执行过的笔记本，包含代码、表格和图形；"
    "可以用 <code>make lab EDITION=zh</code> 自己运行，或用 <code>make student</code> 获取练习版。"
    "中文版与英文版的代码和输出完全相同，只是叙述文字换成了中文。预计总用时约 {h} 小时 {m} 分钟。</p>",
}


def render_index(chapters: list[ChapterMeta], edition: Edition | None = None) -> str:
    """Return the HTML of the course index: every chapter with summary, goals and time.

    Parameters
    ----------
    chapters : list of ChapterMeta
        Every chapter of the edition, in order (for the navigation).
    edition : Edition, optional
        The language edition; by default English with ``chapters``.

    Returns
    -------
    str
        A whole HTML page.

    Examples
    --------
    >>> from pathlib import Path
    >>> from crmlab.course.meta import ChapterMeta
    >>> chapters = [ChapterMeta("03", Path("03_rfm.ipynb"), "RFM segmentation", "Who buys.", "Who buys.",
    ...                         goals=["Score customers"], minutes=90)]
    >>> page = render_index(chapters)
    >>> '<a href="03_rfm.html">' in page, "Score customers" in page
    (True, True)
    """
    edition = edition or Edition(chapters=chapters)
    ui = edition.ui
    cards = []
    for ch in chapters:
        goals = "".join(f"<li>{_inline(g)}</li>" for g in ch.goals)
        minutes = ui["minutes"].format(m=ch.minutes) if ch.minutes else ""
        heading = ui["chapter"].format(n=int(ch.number), title=html.escape(ch.title))
        cards.append(
            f'<section class="chapter-card"><h2><a href="{ch.slug}.html">{heading}</a></h2>'
            f'<p>{_inline(ch.summary)}</p><p class="meta">{ui["goals"]}{minutes}</p><ul>{goals}</ul></section>'
        )
    total = sum(ch.minutes or 0 for ch in chapters)
    missing = ""
    if edition.untranslated:
        items = "".join(
            f'<li><a href="../{ch.slug}.html" hreflang="en">第 {int(ch.number)} 章：{html.escape(ch.title)}</a>'
            "（尚未翻译，链接到英文版）</li>"
            for ch in edition.untranslated
        )
        missing = (
            '<section id="not-translated" class="not-translated"><h2>尚未翻译的章节</h2>'
            "<p>下列章节的中文译文尚未完成，目前只有英文版：</p>"
            f"<ul>{items}</ul></section>"
        )
    body = (
        _nav(chapters, None, edition, "index.html")
        + f"<h1>{ui['course_title']}</h1>"
        + _INTRO[edition.lang].format(h=total // 60, m=total % 60)
        + "".join(cards)
        + missing
    )
    return _page(ui["site_title"], body, lang=edition.lang)


def page_toc(page_html: str) -> list[tuple[int, str, str]]:
    """Return ``(level, anchor, text)`` for every h2/h3 heading of a converted chapter page.

    Parameters
    ----------
    page_html : str
        HTML of a chapter as nbconvert writes it (headings carry ``id`` anchors).

    Returns
    -------
    list of tuple of (int, str, str)
        Heading level (2 or 3), anchor and plain text, in page order.

    Examples
    --------
    >>> page_toc('<h1 id="t">Title</h1><h2 id="goals">Learning <em>goals</em></h2><h3 id="a">A</h3>')
    [(2, 'goals', 'Learning goals'), (3, 'a', 'A')]
    """
    found = []
    for level, anchor, inner in re.findall(r'<h([23]) id="([^"]+)">(.*?)</h\1>', page_html, flags=re.S):
        text = re.sub(r"<[^>]+>", "", inner).replace("¶", "").strip()
        found.append((int(level), anchor, html.unescape(text)))
    return found


def render_chapter(chapter: ChapterMeta, chapters: list[ChapterMeta], i: int, edition: Edition | None = None) -> str:
    """Return the HTML page of one executed chapter, with navigation and a table of contents.

    Parameters
    ----------
    chapter : ChapterMeta
        The chapter to render (its notebook must be executed).
    chapters : list of ChapterMeta
        Every chapter of the edition, in order (for the navigation).
    i : int
        Position of ``chapter`` in ``chapters`` (for the previous/next links).
    edition : Edition, optional
        The language edition; by default English with ``chapters``.

    Returns
    -------
    str
        A whole HTML page.
    """
    from nbconvert import HTMLExporter

    edition = edition or Edition(chapters=chapters)
    ui = edition.ui
    nb = nbformat.read(chapter.path, as_version=4)
    # lecturer's notes written with say() show their rendered text, not the call
    nb.cells = [nbformat.from_dict(rendered_note(c)) if "instructor" in c.metadata.get("tags", []) else c
                for c in nb.cells]
    exporter = HTMLExporter(
        template_name="crmlab_lab",
        extra_template_basedirs=[str(templates_dir())],
        mathjax_url=f"{edition.static}/mathjax/MathJax.js?config={MATHJAX_CONFIG}",
    )
    name = ui["chapter"].format(n=int(chapter.number), title=chapter.title)
    # solutions and lecturer's notes are folded (<details>): a student tries the exercise before opening them
    body, _ = exporter.from_notebook_node(
        nb, resources={"metadata": {"name": name}, "crmlab_folded": {"solution": ui["solution"],
                                                                   "instructor": ui["instructor"]}},
    )
    body = re.sub(r"<html[^>]*>", f'<html lang="{ui["html_lang"]}">', body, count=1)
    items = "".join(
        f'<li class="h{level}"><a href="#{html.escape(anchor)}">{html.escape(text)}</a></li>'
        for level, anchor, text in page_toc(body)
    )
    toc = (
        f'<nav class="crmlab-toc" aria-label="{ui["contents"]}"><strong>{ui["contents"]}</strong><ul>{items}</ul></nav>'
    )
    nav = _nav(chapters, i, edition, f"{chapter.slug}.html")
    bottom_nav = _nav(chapters, i, edition, f"{chapter.slug}.html", search=False)
    style = f"<style>{_CSS}</style>"
    body = body.replace("</head>", style + "</head>", 1)
    start = body.find(">", body.find("<body")) + 1
    end = body.rfind("</body>")
    return body[:start] + nav + toc + body[start:end] + bottom_nav + body[end:]


def render_glossary_page(chapters: list[ChapterMeta], edition: Edition | None = None) -> str:
    """Return the glossary page: each term in English and Chinese, its definition in the page's language, its chapter.

    Parameters
    ----------
    chapters : list of ChapterMeta
        Every chapter of the edition, in order (for the navigation).
    edition : Edition, optional
        The language edition; by default English with ``chapters``.

    Returns
    -------
    str
        A whole HTML page.

    Examples
    --------
    >>> from pathlib import Path
    >>> from crmlab.course.meta import ChapterMeta
    >>> chapters = [ChapterMeta("03", Path("03_rfm.ipynb"), "RFM segmentation", "Who buys.", "Who buys.",
    ...                         goals=["Score customers"], minutes=90)]
    >>> "<table" in render_glossary_page(chapters)
    True
    """
    from crmlab.glossary import glossary

    edition = edition or Edition(chapters=chapters)
    zh = edition.lang == "zh"
    links = {ch.number: f'<a href="{ch.slug}.html">{int(ch.number)}. {html.escape(ch.title)}</a>' for ch in chapters}
    if zh:
        links.update(
            {
                ch.number: f'<a href="../{ch.slug}.html" hreflang="en">{int(ch.number)}. {html.escape(ch.title)}</a>'
                "（英文）"
                for ch in edition.untranslated
            }
        )
    rows = []
    for r in glossary().itertuples(index=False):
        zh_cell = f'<td lang="zh-CN"><strong>{html.escape(r.chinese)}</strong></td>'
        term = html.escape(r.term)
        en_cell = f'<td lang="en">{term}</td>' if zh else f"<td><strong>{term}</strong></td>"
        cells = [zh_cell, en_cell] if zh else [en_cell, zh_cell.replace("<strong>", "").replace("</strong>", "")]
        chapter_link = links.get(r.chapter, html.escape(r.chapter))
        definition = (
            f'<td lang="zh-CN">{html.escape(r.definition_zh)}</td>' if zh else f"<td>{html.escape(r.definition)}</td>"
        )
        rows.append(f'<tr>{"".join(cells)}{definition}<td>{chapter_link}</td></tr>')
    head = (
        "<th>中文术语</th><th>English</th><th>定义</th><th>章节</th>"
        if zh
        else "<th>Term</th><th>中文</th><th>Definition</th><th>Chapter</th>"
    )
    table = f'<table class="crmlab-table"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    title = (
        "<h1>术语表（英汉对照）</h1><p>每个术语的中文说法以讲义为准；英文定义见英文版术语表。</p>"
        if zh
        else "<h1>Glossary (术语表)</h1>"
    )
    return _page(
        edition.ui["site_title"] + (" · 术语表" if zh else " glossary"),
        _nav(chapters, None, edition, "glossary.html") + title + table,
        lang=edition.lang,
    )


def render_datasets_page(chapters: list[ChapterMeta], edition: Edition | None = None) -> str:
    """Return the datasets page: the catalogue table followed by the data cards in the page's language.

    The Chinese edition reads ``datasets/README.zh.md``, the English one ``datasets/README.md``.

    Parameters
    ----------
    chapters : list of ChapterMeta
        Every chapter of the edition, in order (for the navigation).
    edition : Edition, optional
        The language edition; by default English with ``chapters``.

    Returns
    -------
    str
        A whole HTML page.

    Examples
    --------
    >>> from pathlib import Path
    >>> from crmlab.course.meta import ChapterMeta
    >>> chapters = [ChapterMeta("03", Path("03_rfm.ipynb"), "RFM segmentation", "Who buys.", "Who buys.",
    ...                         goals=["Score customers"], minutes=90)]
    >>> "cdnow" in render_datasets_page(chapters)
    True
    """
    from nbconvert.filters import markdown2html_mistune

    from crmlab import datasets
    from crmlab.tour import catalogue

    edition = edition or Edition(chapters=chapters)
    zh = edition.lang == "zh"
    table = catalogue()[["file", "rows", "columns", "chapters", "source", "licence"]]
    rows = "".join(
        "<tr>"
        + f"<td><code>{html.escape(name)}</code></td>"
        + "".join(f"<td>{html.escape(str(v))}</td>" for v in row)
        + "</tr>"
        for name, row in zip(table.index, table.itertuples(index=False), strict=True)
    )
    columns = ["名称", "文件", "行数", "列数", "章节", "来源", "许可"] if zh else ["name", *table.columns]
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    cards_md = (datasets.data_dir() / ("README.zh.md" if zh else "README.md")).read_text(encoding="utf-8")
    intro = (
        "<h1>数据集</h1><p>任一数据集都可以用 <code>crmlab.datasets.load_&lt;name&gt;()</code> 载入。"
        "表格之后是各数据集的数据说明卡（data cards）。</p>"
        if zh
        else "<h1>Datasets</h1><p>Load any of them with <code>crmlab.datasets.load_&lt;name&gt;()</code>.</p>"
    )
    cards = markdown2html_mistune(cards_md)
    body = (
        _nav(chapters, None, edition, "datasets.html")
        + intro
        + f'<table class="crmlab-table"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'
        + cards
    )
    return _page(edition.ui["site_title"] + (" · 数据集" if zh else " datasets"), body, lang=edition.lang)


def _write_edition(edition: Edition, out: Path, static: Path) -> dict[Path, str]:
    chapters = edition.chapters
    pages = {out / "index.html": render_index(chapters, edition)}
    for i, chapter in enumerate(chapters):
        pages[out / f"{chapter.slug}.html"] = render_chapter(chapter, chapters, i, edition)
    pages[out / "glossary.html"] = render_glossary_page(chapters, edition)
    pages[out / "datasets.html"] = render_datasets_page(chapters, edition)
    out.mkdir(parents=True, exist_ok=True)
    for path, text in pages.items():
        path.write_text(text, encoding="utf-8")
    write_search_index(pages, out, static, edition.lang)
    return pages


_SHARED_PAGES = {"index.html", "glossary.html", "datasets.html"}


def build_site(
    notebooks: list[Path], out_dir: str | Path, *, zh_notebooks: list[Path] | None = None, execute_zh: bool = False,
    cache: str | Path | None = None,
) -> list[Path]:
    """Write the whole course site: English in ``out_dir``, Chinese in ``out_dir/zh``.

    Parameters
    ----------
    notebooks : list of Path
        Executed English chapter notebooks, in chapter order.
    out_dir : str or Path
        Destination folder (created if needed).
    zh_notebooks : list of Path, optional
        The Chinese edition's notebooks (from :func:`crmlab.course.i18n.build_edition`);
        by default they are generated from the catalogues into ``out_dir/zh/_notebooks``.
    execute_zh : bool, default=False
        Re-execute the generated Chinese notebooks so their figures have Chinese labels,
        checking that every other output equals the English one
        (:func:`crmlab.course.i18n.execute_edition`); otherwise they hold the English outputs as stored.
    cache : str or Path, optional
        A cache of executions for the Chinese notebooks (see :mod:`crmlab.course.cache`).

    Returns
    -------
    list of Path
        The pages written: for each edition index, one per chapter, glossary, datasets.
    """
    from crmlab.course.i18n import build_edition, execute_edition

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    copy_mathjax(out / "_static")
    if zh_notebooks is None:
        zh_notebooks = build_edition(notebooks, out / "zh" / "_notebooks", "zh")
        if execute_zh and zh_notebooks:
            execute_edition(zh_notebooks, Path(notebooks[0]).parent, "zh", cache=cache)
    en_chapters = [chapter_meta(p) for p in notebooks]
    zh_chapters = [chapter_meta(p) for p in zh_notebooks]
    zh_slugs = {ch.slug for ch in zh_chapters}
    en = Edition("en", en_chapters, _SHARED_PAGES | {f"{s}.html" for s in zh_slugs})
    zh = Edition(
        "zh",
        zh_chapters,
        _SHARED_PAGES | {f"{ch.slug}.html" for ch in en_chapters},
        [ch for ch in en_chapters if ch.slug not in zh_slugs],
    )
    pages = _write_edition(en, out, out / "_static")
    pages.update(_write_edition(zh, out / "zh", out / "_static"))
    return list(pages)


def build_course(notebooks: list[Path], out_dir: str | Path) -> list[Path]:
    """Build the course site with the default Chinese edition; an alias of :func:`build_site`.

    Kept for the command line.

    Parameters
    ----------
    notebooks : list of Path
        Executed English chapter notebooks, in chapter order.
    out_dir : str or Path
        Destination folder (created if needed); the Chinese edition goes in ``out_dir/zh``.

    Returns
    -------
    list of Path
        The pages written, as :func:`build_site` returns them.
    """
    return build_site(notebooks, out_dir)
