"""Write the browsable HTML course: an index page and one page per chapter."""

from __future__ import annotations

import html
from pathlib import Path

import nbformat

from crmlab.course.meta import ChapterMeta, chapter_meta

__all__ = ["build_site", "render_chapter", "render_index"]

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 60rem; margin: 2rem auto;
       padding: 0 1rem; line-height: 1.5; color: #1f2933; }
nav.chapter-nav { display: flex; justify-content: space-between; border-top: 1px solid #ccd; border-bottom:
       1px solid #ccd; padding: .5rem 0; margin: 1rem 0; }
.chapter-card { border: 1px solid #d8dde6; border-radius: 6px; padding: .8rem 1rem; margin: 1rem 0; }
.chapter-card h2 { margin: 0 0 .3rem 0; font-size: 1.2rem; }
.meta { color: #52606d; font-size: .9rem; }
"""


def _page(title: str, body: str, head_extra: str = "") -> str:
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<title>{html.escape(title)}</title>\n<style>{_CSS}</style>\n{head_extra}</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def _nav(chapters: list[ChapterMeta], i: int) -> str:
    prev_link = (
        f'<a rel="prev" href="{chapters[i - 1].slug}.html">&larr; {html.escape(chapters[i - 1].title)}</a>'
        if i > 0 else "<span></span>"
    )
    next_link = (
        f'<a rel="next" href="{chapters[i + 1].slug}.html">{html.escape(chapters[i + 1].title)} &rarr;</a>'
        if i + 1 < len(chapters) else "<span></span>"
    )
    return f'<nav class="chapter-nav">{prev_link}<a href="index.html">Course index</a>{next_link}</nav>'


def render_index(chapters: list[ChapterMeta]) -> str:
    """Return the HTML of the course index: every chapter with summary and learning goals."""
    cards = []
    for ch in chapters:
        goals = "".join(f"<li>{html.escape(g)}</li>" for g in ch.goals)
        minutes = f" · about {ch.minutes} minutes" if ch.minutes else ""
        cards.append(
            f'<section class="chapter-card"><h2><a href="{ch.slug}.html">Chapter {int(ch.number)}: '
            f"{html.escape(ch.title)}</a></h2>"
            f'<p>{html.escape(ch.summary)}</p><p class="meta">Learning goals{minutes}</p><ul>{goals}</ul></section>'
        )
    body = (
        "<h1>crmlab — customer relationship management analytics</h1>"
        "<p>A course in chapters: each page is a notebook executed top to bottom, with its code, tables "
        "and figures. Run them yourself with <code>make lab</code>.</p>" + "".join(cards)
    )
    return _page("crmlab course", body)


def render_chapter(chapter: ChapterMeta, chapters: list[ChapterMeta], i: int) -> str:
    """Return the HTML page of one executed chapter, with previous/next links."""
    from nbconvert import HTMLExporter

    nb = nbformat.read(chapter.path, as_version=4)
    exporter = HTMLExporter(template_name="classic")
    exporter.exclude_input_prompt = False
    body, _ = exporter.from_notebook_node(nb)
    nav = _nav(chapters, i)
    # insert navigation right after <body> and before </body>
    start = body.find(">", body.find("<body")) + 1
    end = body.rfind("</body>")
    return body[:start] + nav + body[start:end] + nav + body[end:]


def build_site(notebooks: list[Path], out_dir: str | Path) -> list[Path]:
    """Write ``index.html`` and one page per chapter notebook into ``out_dir``.

    Parameters
    ----------
    notebooks : list of Path
        Executed chapter notebooks, in chapter order.
    out_dir : str or Path
        Destination folder (created if needed).

    Returns
    -------
    list of Path
        The pages written, index first.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    chapters = [chapter_meta(p) for p in notebooks]
    written = [out / "index.html"]
    written[0].write_text(render_index(chapters), encoding="utf-8")
    for i, chapter in enumerate(chapters):
        page = out / f"{chapter.slug}.html"
        page.write_text(render_chapter(chapter, chapters, i), encoding="utf-8")
        written.append(page)
    return written
