"""Offline reveal.js slide decks from the chapters' slideshow metadata."""

from __future__ import annotations

from pathlib import Path

import nbformat

from crmlab.course.assets import MATHJAX_CONFIG, copy_mathjax, copy_reveal, templates_dir

__all__ = ["build_slides", "render_slides"]


def render_slides(path: str | Path) -> str:
    """Return the reveal.js HTML deck of one chapter notebook.

    Slide breaks follow each cell's ``slideshow.slide_type`` metadata; the deck
    loads reveal.js and MathJax from ``_static/`` next to it.
    """
    from nbconvert import SlidesExporter

    nb = nbformat.read(path, as_version=4)
    exporter = SlidesExporter(
        template_name="crmlab_reveal",
        extra_template_basedirs=[str(templates_dir())],
        reveal_url_prefix="_static/reveal.js",
        reveal_theme="white",
        reveal_transition="none",
        mathjax_url=f"_static/mathjax/MathJax.js?config={MATHJAX_CONFIG}",
    )
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": Path(path).stem}})
    return body


def build_slides(notebooks: list[Path], out_dir: str | Path) -> list[Path]:
    """Write ``<chapter>.slides.html`` for every notebook, plus the offline assets.

    Returns
    -------
    list of Path
        The decks written.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    copy_reveal(out / "_static")
    copy_mathjax(out / "_static")
    written = []
    for path in notebooks:
        target = out / f"{Path(path).stem}.slides.html"
        target.write_text(render_slides(path), encoding="utf-8")
        written.append(target)
    return written
