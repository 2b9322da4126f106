"""The ``crmlab course`` command: execute chapters, build the site, student copies and slides."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["add_arguments", "main", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``course`` actions (execute, build, student, slides, ...) to ``parser``.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The parser of ``crmlab course`` (or of ``python -m crmlab.course``).

    Examples
    --------
    >>> import argparse
    >>> parser = argparse.ArgumentParser(prog="crmlab course")
    >>> add_arguments(parser)
    >>> parser.parse_args(["catalogue-status"]).course_command
    'catalogue-status'
    """
    sub = parser.add_subparsers(dest="course_command", required=True, metavar="ACTION")
    ex = sub.add_parser(
        "execute",
        help="run chapters top to bottom in a fresh kernel and store their outputs",
        description="Run chapter notebooks top to bottom in a fresh kernel and save them with their outputs.",
    )
    ex.add_argument("notebooks", nargs="*", type=Path, help="notebooks to run (default: every chapter)")
    ex.add_argument("--timeout", type=int, default=300, help="seconds allowed per cell (default: 300)")
    ex.add_argument("--jobs", type=int, default=1, help="chapters executed at the same time (default: 1)")
    ex.add_argument(
        "--cache", type=Path, default=None,
        help="a folder of executed notebooks keyed by everything their outputs depend on (cells, crmlab, data, "
        "installed packages, CRMLAB_* variables): a chapter whose key is there is not run again (default: no cache)",
    )
    build = sub.add_parser(
        "build",
        help="execute every chapter and write the HTML course in English and Chinese (index, chapters, glossary, "
        "datasets)",
        description="Execute every chapter, then write a browsable offline HTML course: English in OUT/, the "
        "Chinese edition (translated chapters, executed again with Chinese figure labels and checked to hold the "
        "English outputs) in OUT/zh/.",
    )
    build.add_argument("--out", type=Path, default=Path("build/course"), help="output folder (default: build/course)")
    build.add_argument("--no-execute", action="store_true", help="use the outputs stored in the notebooks as they are")
    build.add_argument("--jobs", type=int, default=1, help="chapters executed at the same time (default: 1)")
    build.add_argument(
        "--cache", type=Path, default=None,
        help="a folder of executed notebooks keyed by everything their outputs depend on (cells, crmlab, data, "
        "installed packages, CRMLAB_* variables): a chapter whose key is there is not run again (default: no cache)",
    )
    build.add_argument(
        "--execute-zh",
        action="store_true",
        help="with --no-execute: still run the Chinese notebooks (Chinese figure labels, checked against the English "
        "outputs)",
    )
    student = sub.add_parser(
        "student",
        help="write student copies: exercises kept, solutions and instructor notes removed",
        description="Write a copy of every chapter for students, without solution or instructor cells.",
    )
    student.add_argument(
        "--out", type=Path, default=Path("build/student"), help="output folder (default: build/student)"
    )
    slides = sub.add_parser(
        "slides",
        help="write an offline reveal.js slide deck per chapter",
        description="Write one reveal.js deck per chapter from the cells' slideshow metadata; works offline.",
    )
    slides.add_argument("--out", type=Path, default=Path("build/slides"), help="output folder (default: build/slides)")
    slides.add_argument(
        "--student", action="store_true", help="student decks: no solution or instructor cells (default: lecturer's)"
    )
    check = sub.add_parser(
        "check",
        help="open the built site in headless Chromium with no network and check figures, formulas, links",
        description="Open the built course offline in headless Chromium, save screenshots, and fail if a figure, "
        "a formula or the navigation is missing.",
    )
    check.add_argument("--site", type=Path, default=Path("build/course"), help="built site (default: build/course)")
    check.add_argument("--screenshots", type=Path, default=Path("build/site-check"), help="screenshot folder")
    check.add_argument(
        "--slides",
        type=Path,
        default=None,
        help="check the slide decks under this folder instead of the site: every slide at 1280x720, none may "
        "overflow, no solution in a student deck",
    )
    status = sub.add_parser(
        "catalogue-status",
        help="list the cells of chapters whose translation is missing or stale",
        description="For each chapter, list the markdown cells (and prose templates) whose translation in "
        "notebooks/locale/<lang>/<chapter>.po is missing or translates an older English text. Exit code 1 if any.",
    )
    status.add_argument("chapters", nargs="*", help="chapter names or notebooks (default: every catalogue)")
    update = sub.add_parser(
        "catalogue-update",
        help="write or refresh a chapter's translation catalogue skeleton (.po)",
        description="Write notebooks/locale/<lang>/<chapter>.po with one entry per markdown cell and prose "
        "template, keeping existing translations; changed cells are marked fuzzy with the previous English.",
    )
    update.add_argument("chapters", nargs="+", help="chapter names (e.g. 04_satisfaction) or notebooks")
    translate = sub.add_parser(
        "translate",
        help="write the Chinese edition of the translated chapters (same code and outputs, Chinese text)",
        description="Write the notebooks of a language edition: every chapter that has a catalogue, with its "
        "markdown translated and its code cells and outputs those of the English chapter.",
    )
    translate.add_argument("--out", type=Path, default=Path("build/zh"), help="output folder (default: build/zh)")
    for p in (status, update, translate):
        p.add_argument("--lang", default="zh", choices=["zh"], help="language (default: zh)")
    for p in (student, slides):
        p.add_argument(
            "--lang",
            default="en",
            choices=["en", "zh"],
            help="edition: en (default) or zh (the translated chapters, same code and outputs)",
        )
    for p in (build, student, slides, status, update, translate):
        p.add_argument(
            "--notebooks-dir", type=Path, default=None, help="folder of chapter notebooks (default: notebooks/)"
        )


def run(args: argparse.Namespace) -> int:
    """Run the ``course`` action described by ``args``; return the exit code.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed by a parser that :func:`add_arguments` set up.

    Returns
    -------
    int
        0 on success; non-zero when a chapter fails or a catalogue is stale.
    """
    from crmlab.course.execute import ChapterError, execute_notebooks
    from crmlab.course.meta import find_chapters

    action = args.course_command
    if action == "check":
        return _run_check(args)
    if action in ("catalogue-status", "catalogue-update", "translate"):
        return _run_i18n(args)
    paths = (
        list(args.notebooks)
        if action == "execute" and args.notebooks
        else find_chapters(getattr(args, "notebooks_dir", None))
    )
    if not paths:
        print(f"crmlab course {action}: no chapter notebooks found", file=sys.stderr)
        return 2
    try:
        if action == "execute":
            execute_notebooks(paths, timeout=args.timeout, n_jobs=args.jobs, cache=args.cache)
            return 0
        if action == "build":
            from crmlab.course.i18n import EditionMismatchError, StaleTranslationError
            from crmlab.course.site import build_site

            if not args.no_execute:
                execute_notebooks(paths, n_jobs=args.jobs, cache=args.cache)
            try:
                pages = build_site(paths, args.out, execute_zh=args.execute_zh or not args.no_execute,
                                   cache=args.cache)
            except (StaleTranslationError, EditionMismatchError) as exc:
                print(f"crmlab course build: {exc}", file=sys.stderr)
                return 1
            print(f"wrote {len(pages)} pages to {args.out}/ - open {args.out}/index.html")
            return 0
    except ChapterError as exc:
        print(f"crmlab course {action}: a chapter failed: {exc}", file=sys.stderr)
        return 1
    if getattr(args, "lang", "en") == "zh" and action in ("student", "slides"):
        import tempfile

        from crmlab.course.i18n import StaleTranslationError, build_edition

        try:
            paths = build_edition(paths, Path(tempfile.mkdtemp(prefix="crmlab-zh-")), "zh")
        except StaleTranslationError as exc:
            print(f"crmlab course {action}: {exc}", file=sys.stderr)
            return 1
    if action == "student":
        from crmlab.course.student import write_student_copies

        written = write_student_copies(paths, args.out)
        print(f"wrote {len(written)} student notebooks to {args.out}/")
        return 0
    from crmlab.course.slides import build_slides

    written = build_slides(paths, args.out, student=args.student)
    print(f"wrote {len(written)} slide decks to {args.out}/ - open {args.out}/<chapter>.slides.html")
    return 0


def _run_check(args: argparse.Namespace) -> int:
    from crmlab.course.check import check_site, check_slides

    if args.slides is not None:
        slides = check_slides(args.slides, args.screenshots)
        for name, facts in slides.decks.items():
            print(f"{name}: " + ", ".join(f"{k}={v}" for k, v in facts.items()))
        print("screenshots: " + ", ".join(str(p) for p in slides.screenshots))
        total = sum(f["slides"] for f in slides.decks.values())
        print(f"{len(slides.overflowing)} overflowing slides of {total} in {len(slides.decks)} decks")
        for problem in slides.problems + [f"overflows: {s}" for s in slides.overflowing]:
            print(f"PROBLEM: {problem}", file=sys.stderr)
        return 0 if slides.ok else 1

    report = check_site(args.site, args.screenshots)
    for name, facts in report.pages.items():
        print(f"{name}: " + ", ".join(f"{k}={v}" for k, v in facts.items()))
    print("screenshots: " + ", ".join(str(p) for p in report.screenshots))
    if report.ok:
        print("site check passed")
        return 0
    for problem in report.problems:
        print(f"PROBLEM: {problem}", file=sys.stderr)
    return 1


def _resolve(names: list[str], folder: Path | None) -> list[Path]:
    from crmlab.course.meta import find_chapters

    chapters = find_chapters(folder)
    found = []
    for name in names:
        stem = Path(name).stem
        match = [p for p in chapters if p.stem == stem or (stem.isdigit() and p.name[:2] == stem.zfill(2))]
        if not match:
            raise SystemExit(f"crmlab course: no chapter named {name!r}; chapters: {[p.stem for p in chapters]}")
        found += match
    return found


def _run_i18n(args: argparse.Namespace) -> int:
    import nbformat

    from crmlab.course.i18n import (
        StaleTranslationError,
        build_edition,
        catalogue_path,
        catalogue_status,
        edition_chapters,
        read_catalogue,
        update_catalogue,
    )
    from crmlab.course.meta import find_chapters

    folder = getattr(args, "notebooks_dir", None)
    if args.course_command == "catalogue-update":
        for path in _resolve(args.chapters, folder):
            target = update_catalogue(path, args.lang)
            print(f"wrote {target}")
        return 0
    if args.course_command == "translate":
        try:
            written = build_edition(find_chapters(folder), args.out, args.lang)
        except StaleTranslationError as exc:
            print(f"crmlab course translate: {exc}", file=sys.stderr)
            return 1
        print(f"wrote {len(written)} translated chapters to {args.out}/")
        return 0
    paths = _resolve(args.chapters, folder) if args.chapters else find_chapters(folder)
    with_cat, without = edition_chapters(paths, args.lang)
    bad = 0
    for path in with_cat:
        nb = nbformat.read(path, as_version=4)
        status = catalogue_status(nb, read_catalogue(catalogue_path(path, args.lang)), path.stem)
        print(status.describe())
        bad += not status.ok
    for path in without:
        print(f"{path.stem}: not yet translated (no {catalogue_path(path, args.lang)})")
    return 1 if bad else 0


def main(argv: list[str] | None = None) -> int:
    """Run ``python -m crmlab.course``: parse ``argv`` and run the action.

    Parameters
    ----------
    argv : list of str, optional
        The arguments after the command; by default those of the running process.

    Returns
    -------
    int
        The exit code of :func:`run`.
    """
    parser = argparse.ArgumentParser(prog="crmlab course", description="Execute chapters and build the course.")
    add_arguments(parser)
    return run(parser.parse_args(argv))
