"""Write the browsable HTML course: index, chapter pages, glossary and datasets pages.

Every page works offline: figures are embedded in the page, formulas are typeset
by a local copy of MathJax in ``_static/``, and no script is fetched from the web.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import nbformat

from crmlab.course.assets import MATHJAX_CONFIG, copy_mathjax, templates_dir
from crmlab.course.meta import ChapterMeta, chapter_meta

__all__ = ["build_site", "page_toc", "render_chapter", "render_datasets_page", "render_glossary_page", "render_index"]

_CSS = """
body.crmlab { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 62rem; margin: 1.5rem auto;
  padding: 0 1rem; line-height: 1.5; color: #1f2933; }
nav.crmlab-nav { display: flex; justify-content: space-between; gap: 1rem; border-top: 1px solid #ccd;
  border-bottom: 1px solid #ccd; padding: .5rem 1rem; margin: .5rem 0 1rem 0; font-family: system-ui, sans-serif; }
nav.crmlab-toc { border: 1px solid #d8dde6; border-radius: 6px; padding: .5rem 1rem; margin: 0 1rem 1rem 1rem;
  font-family: system-ui, sans-serif; font-size: .95rem; }
nav.crmlab-toc li.h3 { margin-left: 1.2rem; font-size: .9rem; }
.chapter-card { border: 1px solid #d8dde6; border-radius: 6px; padding: .8rem 1rem; margin: 1rem 0; }
.chapter-card h2 { margin: 0 0 .3rem 0; font-size: 1.2rem; }
.meta { color: #52606d; font-size: .9rem; }
table.crmlab-table { border-collapse: collapse; font-size: .92rem; }
table.crmlab-table td, table.crmlab-table th { border-bottom: 1px solid #e4e7eb; padding: .25rem .6rem;
  text-align: left; vertical-align: top; }
"""


def _page(title: str, body: str, *, mathjax: bool = False) -> str:
    script = ""
    if mathjax:
        script = (
            '<script type="text/x-mathjax-config">MathJax.Hub.Config({tex2jax: {inlineMath: [["$","$"], '
            '["\\\\(","\\\\)"]], processEscapes: true}});</script>\n'
            f'<script src="_static/mathjax/MathJax.js?config={MATHJAX_CONFIG}"></script>\n'
        )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>{_CSS}</style>\n{script}</head>\n"
        f'<body class="crmlab">\n{body}\n</body>\n</html>\n'
    )


def _nav(chapters: list[ChapterMeta], i: int | None) -> str:
    prev_link = next_link = "<span></span>"
    if i is not None and i > 0:
        ch = chapters[i - 1]
        prev_link = f'<a rel="prev" href="{ch.slug}.html">&larr; {int(ch.number)}. {html.escape(ch.title)}</a>'
    if i is not None and i + 1 < len(chapters):
        ch = chapters[i + 1]
        next_link = f'<a rel="next" href="{ch.slug}.html">{int(ch.number)}. {html.escape(ch.title)} &rarr;</a>'
    targets = (("index.html", "Course index"), ("glossary.html", "Glossary"), ("datasets.html", "Datasets"))
    middle = " · ".join(f'<a href="{href}">{label}</a>' for href, label in targets)
    return f'<nav class="crmlab-nav">{prev_link}<span>{middle}</span>{next_link}</nav>'


def _inline(text: str) -> str:
    """Escape ``text`` for HTML and render its inline Markdown (code, bold, italics)."""
    out = html.escape(text, quote=False)
    out = re.sub(r"`([^`]+)`", r"<code>\1</code>", out)
    out = re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", out)
    return re.sub(r"(?<![\w*])\*([^*\s][^*]*)\*(?![\w*])", r"<em>\1</em>", out)


def render_index(chapters: list[ChapterMeta]) -> str:
    """Return the HTML of the course index: every chapter with summary, goals and time."""
    cards = []
    for ch in chapters:
        goals = "".join(f"<li>{_inline(g)}</li>" for g in ch.goals)
        minutes = f" · about {ch.minutes} minutes" if ch.minutes else ""
        cards.append(
            f'<section class="chapter-card"><h2><a href="{ch.slug}.html">Chapter {int(ch.number)}: '
            f"{html.escape(ch.title)}</a></h2><p>{_inline(ch.summary)}</p>"
            f'<p class="meta">Learning goals{minutes}</p><ul>{goals}</ul></section>'
        )
    total = sum(ch.minutes or 0 for ch in chapters)
    body = (
        _nav(chapters, None) + "<h1>crmlab — customer relationship management analytics</h1>"
        "<p>A course in chapters. Each page is a notebook executed top to bottom, with its code, tables and "
        "figures; run them yourself with <code>make lab</code>, or get the exercise copies with "
        f"<code>make student</code>. Total estimated time: about {total // 60} h {total % 60} min.</p>" + "".join(cards)
    )
    return _page("crmlab course", body)


def page_toc(page_html: str) -> list[tuple[int, str, str]]:
    """Return ``(level, anchor, text)`` for every h2/h3 heading of a converted chapter page."""
    found = []
    for level, anchor, inner in re.findall(r'<h([23]) id="([^"]+)">(.*?)</h\1>', page_html, flags=re.S):
        text = re.sub(r"<[^>]+>", "", inner).replace("¶", "").strip()
        found.append((int(level), anchor, html.unescape(text)))
    return found


def render_chapter(chapter: ChapterMeta, chapters: list[ChapterMeta], i: int) -> str:
    """Return the HTML page of one executed chapter, with navigation and a table of contents."""
    from nbconvert import HTMLExporter

    nb = nbformat.read(chapter.path, as_version=4)
    exporter = HTMLExporter(
        template_name="crmlab_lab",
        extra_template_basedirs=[str(templates_dir())],
        mathjax_url=f"_static/mathjax/MathJax.js?config={MATHJAX_CONFIG}",
    )
    body, _ = exporter.from_notebook_node(
        nb, resources={"metadata": {"name": f"Chapter {int(chapter.number)}: {chapter.title}"}}
    )
    items = "".join(
        f'<li class="h{level}"><a href="#{html.escape(anchor)}">{html.escape(text)}</a></li>'
        for level, anchor, text in page_toc(body)
    )
    toc = f'<nav class="crmlab-toc" aria-label="Contents"><strong>Contents</strong><ul>{items}</ul></nav>'
    nav = _nav(chapters, i)
    style = f"<style>{_CSS}</style>"
    body = body.replace("</head>", style + "</head>", 1)
    start = body.find(">", body.find("<body")) + 1
    end = body.rfind("</body>")
    return body[:start] + nav + toc + body[start:end] + nav + body[end:]


def render_glossary_page(chapters: list[ChapterMeta]) -> str:
    """Return the glossary page: every key term in English and Chinese, with its chapter."""
    from crmlab.glossary import glossary

    links = {ch.number: f'<a href="{ch.slug}.html">{int(ch.number)}. {html.escape(ch.title)}</a>' for ch in chapters}
    rows = "".join(
        f'<tr><td><strong>{html.escape(r.term)}</strong></td><td lang="zh">{html.escape(r.chinese)}</td>'
        f"<td>{html.escape(r.definition)}</td><td>{links.get(r.chapter, html.escape(r.chapter))}</td></tr>"
        for r in glossary().itertuples(index=False)
    )
    table = (
        '<table class="crmlab-table"><thead><tr><th>Term</th><th>中文</th><th>Definition</th><th>Chapter</th></tr>'
        f"</thead><tbody>{rows}</tbody></table>"
    )
    return _page("crmlab glossary", _nav(chapters, None) + "<h1>Glossary (术语表)</h1>" + table)


def render_datasets_page(chapters: list[ChapterMeta]) -> str:
    """Return the datasets page: the catalogue table followed by the data cards."""
    from nbconvert.filters import markdown2html_mistune

    from crmlab import datasets
    from crmlab.tour import catalogue

    table = catalogue()[["file", "rows", "columns", "chapters", "source", "licence"]]
    rows = "".join(
        "<tr>"
        + f"<td><code>{html.escape(name)}</code></td>"
        + "".join(f"<td>{html.escape(str(v))}</td>" for v in row)
        + "</tr>"
        for name, row in zip(table.index, table.itertuples(index=False), strict=True)
    )
    head = "".join(f"<th>{html.escape(c)}</th>" for c in ["name", *table.columns])
    cards_md = (datasets.data_dir() / "README.md").read_text(encoding="utf-8")
    body = (
        _nav(chapters, None)
        + "<h1>Datasets</h1><p>Load any of them with <code>crmlab.datasets.load_&lt;name&gt;()</code>.</p>"
        f'<table class="crmlab-table"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'
        + markdown2html_mistune(cards_md)
    )
    return _page("crmlab datasets", body)


def build_site(notebooks: list[Path], out_dir: str | Path) -> list[Path]:
    """Write the whole course site into ``out_dir``.

    Parameters
    ----------
    notebooks : list of Path
        Executed chapter notebooks, in chapter order.
    out_dir : str or Path
        Destination folder (created if needed).

    Returns
    -------
    list of Path
        The pages written: index, one per chapter, glossary, datasets.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    copy_mathjax(out / "_static")
    chapters = [chapter_meta(p) for p in notebooks]
    pages = {out / "index.html": render_index(chapters)}
    for i, chapter in enumerate(chapters):
        pages[out / f"{chapter.slug}.html"] = render_chapter(chapter, chapters, i)
    pages[out / "glossary.html"] = render_glossary_page(chapters)
    pages[out / "datasets.html"] = render_datasets_page(chapters)
    for path, text in pages.items():
        path.write_text(text, encoding="utf-8")
    return list(pages)
