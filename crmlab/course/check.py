"""Open the built course in headless Chromium, offline, and check what a student sees.

Used by ``make check-site``. Every request that leaves the machine is blocked
and reported; the check fails if a figure does not load, a formula is not
typeset, the navigation or the language switch is missing, a page declares the
wrong language, or Chinese text renders as missing-glyph boxes. Screenshots of
both editions are saved for a person to look at.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["SEARCH_QUERIES", "SiteReport", "SlidesReport", "check_site", "check_slides", "find_chromium"]

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
    lang: document.documentElement.lang,
    switch_href: (document.querySelector('a.crmlab-lang') || {}).href || null,
  };
}"""

# Tofu check: draw the page's own Chinese characters with the page's font stack on a canvas.
# Real glyphs are about 1 em wide and every character looks different; missing-glyph boxes
# all look alike (and are narrower), so the number of distinct bitmaps gives them away.
_CJK_FACTS = """() => {
  const text = document.body.innerText;
  const chars = Array.from(new Set(Array.from(text).filter(c => /[\u4e00-\u9fff]/.test(c)))).slice(0, 40);
  if (chars.length === 0) { return {cjk_chars: 0, cjk_distinct: 0, cjk_em: null}; }
  const family = getComputedStyle(document.body).fontFamily;
  const canvas = document.createElement('canvas');
  canvas.width = 64; canvas.height = 64;
  const ctx = canvas.getContext('2d', {willReadFrequently: true});
  ctx.font = `48px ${family}`;
  ctx.textBaseline = 'top';
  const seen = new Set();
  let width = 0;
  for (const c of chars) {
    ctx.clearRect(0, 0, 64, 64);
    ctx.fillText(c, 4, 4);
    const px = ctx.getImageData(0, 0, 64, 64).data;
    let sig = '';
    for (let i = 3; i < px.length; i += 4 * 7) { sig += px[i] > 127 ? '1' : '0'; }
    seen.add(sig);
    width += ctx.measureText(c).width / 48;
  }
  return {cjk_chars: chars.length, cjk_distinct: seen.size, cjk_em: Math.round(100 * width / chars.length) / 100,
          font_family: family};
}"""


@dataclass
class SiteReport:
    """What the browser saw on each page, and the problems found (returned by :func:`check_site`).

    Parameters
    ----------
    pages : dict of str to dict, default={}
        Per page checked: what was measured there (figures, formulas, links).
    blocked_requests : list of str, default=[]
        Network requests the offline browser refused (a page that needs the network).
    problems : list of str, default=[]
        One sentence per problem found; none means the site passed.
    screenshots : list of Path, default=[]
        Screenshots taken of the pages.

    Examples
    --------
    >>> report = SiteReport(problems=["index.html: formula not rendered"])
    >>> report.ok, SiteReport().ok
    (False, True)
    """

    pages: dict[str, dict] = field(default_factory=dict)
    blocked_requests: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    screenshots: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return not self.problems


def find_chromium() -> str:
    """Return the path of a Chromium binary, or raise with how to install one.

    Returns
    -------
    str
        The first of ``chromium``, ``chromium-browser`` and ``google-chrome`` found on the ``PATH``.

    Raises
    ------
    RuntimeError
        If none is installed.
    """
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise RuntimeError("no Chromium found; install it (Debian: 'apt-get install chromium').")


def _edition_pages(site: Path, chapter: str | None) -> list[Path]:
    """Return the pages checked in one edition: index, a chapter, glossary and datasets."""
    if not (site / "index.html").is_file():
        return []
    chapter_page = site / chapter if chapter and (site / chapter).is_file() else None
    if chapter_page is None:
        pages = sorted(site.glob("[0-9][0-9]_*.html"))
        chapter_page = _math_chapter(site) if pages else None
    return [p for p in (site / "index.html", chapter_page, site / "glossary.html", site / "datasets.html") if p]


def _math_chapter(site: Path) -> Path:
    """Pick the chapter page with the most display formulas (then the most figures)."""
    pages = sorted(p for p in site.glob("[0-9][0-9]_*.html"))
    if not pages:
        raise RuntimeError(f"no chapter pages in {site}; run 'crmlab course build' first.")

    def score(p: Path) -> tuple[int, int]:
        text = p.read_text(encoding="utf-8")
        return text.count("$$"), text.count("<img")

    return max(pages, key=score)


def check_site(site_dir: str | Path, screenshots_dir: str | Path, *, chapter: str | None = None) -> SiteReport:
    """Check both editions of a built course in headless Chromium, offline.

    For the English site and its Chinese edition (``zh/``): the index, one chapter
    page, the glossary and the datasets page. Every page must declare its language,
    link to an existing page in the other language, load its figures and typeset
    its formulas; the Chinese pages must render their characters (no missing-glyph
    boxes, measured on a canvas with the page's fonts).

    Parameters
    ----------
    site_dir : str or Path
        The folder written by ``crmlab course build``.
    screenshots_dir : str or Path
        Where to save the screenshots (``index.png``, ``zh-index.png``, chapter pages and close-ups).
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
    targets = _edition_pages(site, chapter)
    if not targets:
        raise RuntimeError(f"no index.html in {site}; run 'crmlab course build' first.")
    chapter_pages = {targets[1]}
    zh_targets = _edition_pages(site / "zh", chapter)
    if zh_targets:
        chapter_pages.add(zh_targets[1])
    else:
        report.problems.append("zh/: the Chinese edition is missing")
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
        for target in targets + zh_targets:
            name = target.relative_to(site).as_posix()
            if not target.is_file():
                report.problems.append(f"{name}: page missing")
                continue
            page.goto(target.as_uri(), wait_until="load")
            if target in chapter_pages:
                page.wait_for_function(
                    "() => window.MathJax && MathJax.Hub && MathJax.Hub.queue.pending === 0 "
                    "&& document.querySelectorAll('.MathJax_Processing').length === 0",
                    timeout=30000,
                )
            facts = page.evaluate(_PAGE_FACTS)
            facts.update(page.evaluate(_CJK_FACTS))
            href = facts.pop("switch_href")
            facts["switch_target"] = _local_target(href, site)
            report.pages[name] = facts
            shot = shots / (name.replace("/", "-").removesuffix(".html") + ".png")
            page.screenshot(path=str(shot), full_page=False)
            report.screenshots.append(shot)
            if target in chapter_pages:
                report.screenshots += _close_ups(page, shot.with_suffix(""))
            if target.name == "index.html":
                facts["search_hits"] = _search(page, SEARCH_QUERIES)
                search_shot = shot.with_name(shot.stem + "-search.png")
                page.screenshot(path=str(search_shot), full_page=False)
                report.screenshots.append(search_shot)
        browser.close()
    _judge(report, targets[1].relative_to(site).as_posix())
    if zh_targets:
        _judge(report, zh_targets[1].relative_to(site).as_posix(), prefix="zh/")
    return report


#: Queries the offline search box must answer on both editions' index pages (issue 18, section 6).
SEARCH_QUERIES = ("accumulation", "客户满意度", "P(alive)")


def _search(page, queries) -> dict[str, int]:
    """Type each query into the page's search box; return how many results it lists."""
    box = page.query_selector("input.crmlab-search")
    if box is None:
        return dict.fromkeys(queries, -1)
    hits = {}
    for query in queries:
        box.fill(query)
        hits[query] = len(page.query_selector_all("ul.crmlab-results li a"))
    return hits


def _local_target(href: str | None, site: Path) -> str | None:
    """Return the site-relative path a ``file://`` link points to, or None when it leaves the site or is absent."""
    if not href or not href.startswith("file://"):
        return None
    from urllib.parse import unquote, urlparse

    path = Path(unquote(urlparse(href).path))
    try:
        rel = path.resolve().relative_to(site)
    except ValueError:
        return None
    return rel.as_posix() if path.is_file() else f"MISSING {rel.as_posix()}"


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


def _judge(report: SiteReport, chapter_name: str, prefix: str = "") -> None:
    lang = "zh-CN" if prefix else "en"
    other = "en" if prefix else "zh-CN"
    for name in (f"{prefix}index.html", chapter_name, f"{prefix}glossary.html", f"{prefix}datasets.html"):
        facts = report.pages.get(name)
        if facts is None:
            continue
        if facts.get("lang") != lang:
            report.problems.append(f"{name}: <html lang> is {facts.get('lang')!r}, expected {lang!r}")
        target = facts.get("switch_target")
        if target is None or target.startswith("MISSING"):
            report.problems.append(f"{name}: the language switch is missing or points nowhere ({target})")
        elif target.startswith("zh/") == bool(prefix):
            report.problems.append(f"{name}: the language switch does not lead to the {other} edition ({target})")
        if prefix or facts.get("cjk_chars", 0):
            if prefix and facts.get("cjk_chars", 0) < 5:
                report.problems.append(f"{name}: hardly any Chinese text on a Chinese page")
            if facts.get("cjk_distinct", 0) < facts.get("cjk_chars", 0) or (facts.get("cjk_em") or 1) < 0.9:
                report.problems.append(
                    f"{name}: Chinese characters render as missing-glyph boxes ({facts.get('cjk_distinct')} distinct "
                    f"shapes for {facts.get('cjk_chars')} characters, {facts.get('cjk_em')} em wide); install "
                    "fonts-noto-cjk or fonts-wqy-zenhei"
                )
    index = report.pages.get(f"{prefix}index.html", {})
    for query, hits in index.get("search_hits", {}).items():
        if hits < 1:
            report.problems.append(f"{prefix}index.html: the search box finds nothing for {query!r}")
    if "search_hits" not in index and index:
        report.problems.append(f"{prefix}index.html: no search box")
    if index.get("chapter_links", 0) < 1:
        report.problems.append(f"{prefix}index.html: no chapter links")
    if index.get("nav_links", 0) < 3:
        report.problems.append(f"{prefix}index.html: navigation bar missing")
    ch = report.pages.get(chapter_name, {})
    if not prefix and ch.get("images", 0) < 1:
        report.problems.append(f"{chapter_name}: no figure on the page")
    if ch.get("broken_images", 0):
        report.problems.append(f"{chapter_name}: {ch['broken_images']} figure(s) did not load")
    if not prefix and ch.get("math", 0) < 1:
        report.problems.append(f"{chapter_name}: no typeset formula (MathJax did not run)")
    if ch.get("math_errors", 0):
        report.problems.append(f"{chapter_name}: {ch['math_errors']} formula(s) failed to typeset")
    if ch.get("nav_links", 0) < 4 or ch.get("toc_links", 0) < 5:
        report.problems.append(f"{chapter_name}: navigation or table of contents missing")
    if report.pages.get(f"{prefix}glossary.html", {}).get("nav_links", 0) < 3:
        report.problems.append(f"{prefix}glossary.html: navigation missing")
    if report.blocked_requests and not prefix:
        report.problems.append(f"pages tried to reach the network: {sorted(set(report.blocked_requests))[:5]}")


@dataclass
class SlidesReport:
    """What the browser measured on every slide of every deck (returned by :func:`check_slides`).

    Parameters
    ----------
    decks : dict of str to dict
        Per deck (path relative to the decks folder): number of slides, of
        overflowing and of scaled slides, visible code cells, audience and,
        for a student deck, solution cells.
    overflowing : list of str
        One line per slide still taller or wider than the slide after scaling.
    problems : list of str
        Other failures: solutions in a student deck, code shown by default.
    screenshots : list of Path
        The screenshots saved.

    Examples
    --------
    >>> SlidesReport().ok
    True
    >>> SlidesReport(overflowing=["06_customer_lifetime_value.slides.html slide 12 (800x1280 px)"]).ok
    False
    """

    decks: dict[str, dict] = field(default_factory=dict)
    overflowing: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    screenshots: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no slide overflows and no student deck shows a solution."""
        return not (self.problems or self.overflowing)


_SLIDE_FACTS = """() => {
  const slide = Reveal.getCurrentSlide();
  const box = slide.querySelector(':scope > .crmlab-fit') || slide;
  const cfg = Reveal.getConfig();
  const scale = Reveal.getScale();
  const r = box.getBoundingClientRect();
  return {
    height: Math.round(r.height / scale), width: Math.round(r.width / scale),
    overflow: r.height / scale > cfg.height + 2 || r.width / scale > cfg.width + 2,
    fit_scale: parseFloat(slide.dataset.crmlabScale || '1'),
    images: slide.querySelectorAll('img').length,
    trimmed: slide.querySelectorAll('.crmlab-trimmed').length,
    visible_code: Array.from(slide.querySelectorAll('.jp-CodeCell .jp-Cell-inputWrapper'))
      .filter(e => e.offsetParent).length,
  };
}"""


def check_slides(decks_dir: str | Path, screenshots_dir: str | Path) -> SlidesReport:
    """Open every deck under ``decks_dir`` in headless Chromium at 1280x720, offline, and measure every slide.

    A slide overflows when its content, after the deck's own fit-to-slide scaling,
    is taller or wider than the slide. Student decks (marked so by
    ``crmlab course slides --student``) must hold no solution cell, and no deck
    may show code by default. Three slides are saved as screenshots (a title
    slide, a figure and a trimmed table).

    Parameters
    ----------
    decks_dir : str or Path
        Folder searched (recursively) for ``*.slides.html`` decks.
    screenshots_dir : str or Path
        Folder the screenshots are saved to (created if needed).

    Returns
    -------
    SlidesReport

    Raises
    ------
    RuntimeError
        If ``decks_dir`` holds no deck.
    """
    from playwright.sync_api import sync_playwright

    root = Path(decks_dir).resolve()
    decks = sorted(root.rglob("*.slides.html"))
    if not decks:
        raise RuntimeError(f"no decks in {decks_dir}; run 'crmlab course slides' first.")
    shots = Path(screenshots_dir)
    shots.mkdir(parents=True, exist_ok=True)
    report = SlidesReport()
    wanted = {"title": None, "figure": None, "trimmed": None}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=find_chromium(), args=_CHROMIUM_ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1280, "height": 720}, offline=True)
        context.route(
            "**/*",
            lambda route: (
                route.continue_() if route.request.url.startswith(("file://", "data:", "about:")) else route.abort()
            ),
        )
        page = context.new_page()
        for deck in decks:
            name = deck.relative_to(root).as_posix()
            page.goto(deck.as_uri(), wait_until="load")
            page.wait_for_function("() => window.Reveal && Reveal.isReady()", timeout=30000)
            audience = page.evaluate(
                "() => (document.querySelector('meta[name=crmlab-audience]') || {}).content || 'instructor'"
            )
            total = page.evaluate("() => Reveal.getTotalSlides()")
            facts = {"slides": total, "overflowing": 0, "scaled": 0, "visible_code": 0}
            for k in range(total):
                page.evaluate(
                    "(k) => { const i = Reveal.getIndices(Reveal.getSlides()[k]); Reveal.slide(i.h, i.v); }",
                    k,
                )
                page.wait_for_function(
                    "() => Reveal.getCurrentSlide().dataset.crmlabScale !== undefined && "
                    "(!window.MathJax || !MathJax.Hub || MathJax.Hub.queue.pending === 0)",
                    timeout=30000,
                )
                slide = page.evaluate(_SLIDE_FACTS)
                facts["scaled"] += slide["fit_scale"] < 1
                facts["visible_code"] += slide["visible_code"]
                if slide["overflow"]:
                    facts["overflowing"] += 1
                    report.overflowing.append(f"{name} slide {k + 1} ({slide['height']}x{slide['width']} px)")
                for kind, hit in (
                    ("title", k == 0),
                    ("figure", slide["images"] > 0),
                    ("trimmed", slide["trimmed"] > 0),
                ):
                    if hit and wanted[kind] is None and audience == "instructor":
                        wanted[kind] = shots / f"slide-{kind}-{deck.name.removesuffix('.slides.html')}-{k + 1}.png"
                        page.screenshot(path=str(wanted[kind]))
                        report.screenshots.append(wanted[kind])
            facts["audience"] = audience
            if audience == "student":
                facts["solutions"] = page.evaluate("() => document.querySelectorAll('.celltag_solution').length")
                if facts["solutions"]:
                    report.problems.append(f"{name}: {facts['solutions']} solution cell(s) in a student deck")
            if facts["visible_code"]:
                report.problems.append(f"{name}: code is shown by default on {facts['visible_code']} cell(s)")
            report.decks[name] = facts
        browser.close()
    return report
