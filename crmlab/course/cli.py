"""The ``crmlab course`` command: execute chapters, build the site, student copies and slides."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["add_arguments", "main", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``course`` actions (execute, build, student, slides) to ``parser``."""
    sub = parser.add_subparsers(dest="course_command", required=True, metavar="ACTION")
    ex = sub.add_parser(
        "execute",
        help="run chapters top to bottom in a fresh kernel and store their outputs",
        description="Run chapter notebooks top to bottom in a fresh kernel and save them with their outputs.",
    )
    ex.add_argument("notebooks", nargs="*", type=Path, help="notebooks to run (default: every chapter)")
    ex.add_argument("--timeout", type=int, default=300, help="seconds allowed per cell (default: 300)")
    ex.add_argument("--jobs", type=int, default=1, help="chapters executed at the same time (default: 1)")
    build = sub.add_parser(
        "build",
        help="execute every chapter and write the HTML course (index, chapters, glossary, datasets)",
        description="Execute every chapter, then write a browsable offline HTML course.",
    )
    build.add_argument("--out", type=Path, default=Path("build/course"), help="output folder (default: build/course)")
    build.add_argument("--no-execute", action="store_true", help="use the outputs stored in the notebooks as they are")
    build.add_argument("--jobs", type=int, default=1, help="chapters executed at the same time (default: 1)")
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
    check = sub.add_parser(
        "check",
        help="open the built site in headless Chromium with no network and check figures, formulas, links",
        description="Open the built course offline in headless Chromium, save screenshots, and fail if a figure, "
        "a formula or the navigation is missing.",
    )
    check.add_argument("--site", type=Path, default=Path("build/course"), help="built site (default: build/course)")
    check.add_argument("--screenshots", type=Path, default=Path("build/site-check"), help="screenshot folder")
    for p in (build, student, slides):
        p.add_argument(
            "--notebooks-dir", type=Path, default=None, help="folder of chapter notebooks (default: notebooks/)"
        )


def run(args: argparse.Namespace) -> int:
    """Run the ``course`` action described by ``args``; return the exit code."""
    from crmlab.course.execute import ChapterError, execute_notebooks
    from crmlab.course.meta import find_chapters

    action = args.course_command
    if action == "check":
        return _run_check(args)
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
            execute_notebooks(paths, timeout=args.timeout, n_jobs=args.jobs)
            return 0
        if action == "build":
            from crmlab.course.site import build_site

            if not args.no_execute:
                execute_notebooks(paths, n_jobs=args.jobs)
            pages = build_site(paths, args.out)
            print(f"wrote {len(pages)} pages to {args.out}/ - open {args.out}/index.html")
            return 0
    except ChapterError as exc:
        print(f"crmlab course {action}: a chapter failed: {exc}", file=sys.stderr)
        return 1
    if action == "student":
        from crmlab.course.student import write_student_copies

        written = write_student_copies(paths, args.out)
        print(f"wrote {len(written)} student notebooks to {args.out}/")
        return 0
    from crmlab.course.slides import build_slides

    written = build_slides(paths, args.out)
    print(f"wrote {len(written)} slide decks to {args.out}/ - open {args.out}/<chapter>.slides.html")
    return 0


def _run_check(args: argparse.Namespace) -> int:
    from crmlab.course.check import check_site

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


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m crmlab.course``."""
    parser = argparse.ArgumentParser(prog="crmlab course", description="Execute chapters and build the course.")
    add_arguments(parser)
    return run(parser.parse_args(argv))
