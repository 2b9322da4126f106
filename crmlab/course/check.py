"""Open the built course in headless Chromium, offline, and check what a student sees.

Used by ``make check-site``. Every request that leaves the machine is blocked
and reported; the check fails if a figure does not load, a formula is not
typeset, or the navigation is missing. Screenshots are saved for a person to look at.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["SiteReport", "check_site", "find_chromium"]

_CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--proxy-server=127.0.0.1:9",
    "--proxy-bypass-list=<-loopback>",
]

_PAGE_FACTS = """() => {
  const imgs = Array.from(document.querySelectorAll('img'));
  return {
    images: imgs.length,
    broken_images: imgs.filter(i => !(i.complete && i.naturalWidth > 0)).length,
    math: document.querySelectorAll('.MathJax_CHTML, .MathJax, mjx-container').length,
    math_errors: document.querySelectorAll('.MathJax_Error, merror, mjx-merror').length,
    raw_tex: (document.body.innerText.match(/\\$\\$|\\\\frac|\\\\sum_/g) || []).length,
    nav_links: document.querySelectorAll('nav.crmlab-nav a').length,
    toc_links: document.querySelectorAll('nav.crmlab-toc a').length,
    chapter_links: document.querySelectorAll('.chapter-card a').length,
  };
}"""


@dataclass
class SiteReport:
    """What the browser saw on each page, and the problems found."""

    pages: dict[str, dict] = field(default_factory=dict)
    blocked_requests: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    screenshots: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return not self.problems


def find_chromium() -> str:
    """Return the path of a Chromium binary, or raise with how to install one."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise RuntimeError("no Chromium found; install it (Debian: 'apt-get install chromium').")


def _math_chapter(site: Path) -> Path:
    """Pick the chapter page with the most display formulas."""
    pages = sorted(p for p in site.glob("[0-9][0-9]_*.html"))
    if not pages:
        raise RuntimeError(f"no chapter pages in {site}; run 'crmlab course build' first.")
    return max(pages, key=lambda p: p.read_text(encoding="utf-8").count("$$"))


def check_site(site_dir: str | Path, screenshots_dir: str | Path, *, chapter: str | None = None) -> SiteReport:
    """Check the index and one chapter page of a built course in headless Chromium.

    Parameters
    ----------
    site_dir : str or Path
        The folder written by ``crmlab course build``.
    screenshots_dir : str or Path
        Where to save ``index.png`` and ``<chapter>.png``.
    chapter : str, optional
        File name of the chapter page to check; default the one with most formulas.

    Returns
    -------
    SiteReport
    """
    from playwright.sync_api import sync_playwright

    site = Path(site_dir).resolve()
    shots = Path(screenshots_dir)
    shots.mkdir(parents=True, exist_ok=True)
    report = SiteReport()
    chapter_page = site / chapter if chapter else _math_chapter(site)
    targets = [site / "index.html", chapter_page, site / "glossary.html"]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=find_chromium(), args=_CHROMIUM_ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1200, "height": 900}, offline=True)

        def _route(route):
            url = route.request.url
            if url.startswith(("file://", "data:", "about:")):
                route.continue_()
            else:
                report.blocked_requests.append(url)
                route.abort()

        context.route("**/*", _route)
        page = context.new_page()
        for target in targets:
            if not target.is_file():
                report.problems.append(f"{target.name}: page missing")
                continue
            page.goto(target.as_uri(), wait_until="load")
            if target == chapter_page:
                page.wait_for_function(
                    "() => window.MathJax && MathJax.Hub && MathJax.Hub.queue.pending === 0 "
                    "&& document.querySelectorAll('.MathJax_Processing').length === 0",
                    timeout=30000,
                )
            facts = page.evaluate(_PAGE_FACTS)
            report.pages[target.name] = facts
            shot = shots / f"{target.stem}.png"
            page.screenshot(path=str(shot), full_page=False)
            report.screenshots.append(shot)
            if target == chapter_page:
                report.screenshots += _close_ups(page, shots / target.stem)
        browser.close()
    _judge(report, chapter_page.name)
    return report


def _close_ups(page, stem: Path) -> list[Path]:
    """Screenshot the first figure and the first display formula of a chapter page."""
    taken = []
    for suffix, selector in (("figure", "img"), ("formula", ".MathJax_Display, .MathJax_CHTML")):
        element = page.query_selector(selector)
        if element is None:
            continue
        element.scroll_into_view_if_needed()
        path = stem.with_name(f"{stem.name}-{suffix}.png")
        page.screenshot(path=str(path), full_page=False)
        taken.append(path)
    return taken


def _judge(report: SiteReport, chapter_name: str) -> None:
    index = report.pages.get("index.html", {})
    if index.get("chapter_links", 0) < 1:
        report.problems.append("index.html: no chapter links")
    if index.get("nav_links", 0) < 3:
        report.problems.append("index.html: navigation bar missing")
    ch = report.pages.get(chapter_name, {})
    if ch.get("images", 0) < 1:
        report.problems.append(f"{chapter_name}: no figure on the page")
    if ch.get("broken_images", 0):
        report.problems.append(f"{chapter_name}: {ch['broken_images']} figure(s) did not load")
    if ch.get("math", 0) < 1:
        report.problems.append(f"{chapter_name}: no typeset formula (MathJax did not run)")
    if ch.get("math_errors", 0):
        report.problems.append(f"{chapter_name}: {ch['math_errors']} formula(s) failed to typeset")
    if ch.get("nav_links", 0) < 4 or ch.get("toc_links", 0) < 5:
        report.problems.append(f"{chapter_name}: navigation or table of contents missing")
    if report.pages.get("glossary.html", {}).get("nav_links", 0) < 3:
        report.problems.append("glossary.html: navigation missing")
    if report.blocked_requests:
        report.problems.append(f"pages tried to reach the network: {sorted(set(report.blocked_requests))[:5]}")
