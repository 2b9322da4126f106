"""The ``crmlab course`` command: execute chapters and build the course site."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["add_arguments", "main", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``course`` sub-commands to ``parser``."""
    sub = parser.add_subparsers(dest="course_command", required=True, metavar="ACTION")
    ex = sub.add_parser("execute", help="run chapter notebooks top to bottom and store their outputs")
    ex.add_argument("notebooks", nargs="*", type=Path, help="notebooks to run (default: every chapter)")
    ex.add_argument("--timeout", type=int, default=300, help="seconds allowed per cell (default 300)")
    build = sub.add_parser("build", help="execute every chapter and write the HTML course")
    build.add_argument("--out", type=Path, default=Path("build/course"), help="output folder (default build/course)")
    build.add_argument("--no-execute", action="store_true", help="use the stored outputs as they are")
    build.add_argument("--notebooks-dir", type=Path, default=None, help="folder of chapter notebooks")


def run(args: argparse.Namespace) -> int:
    """Run the ``course`` sub-command described by ``args``; return the exit code."""
    from crmlab.course.execute import ChapterError, execute_notebooks
    from crmlab.course.meta import find_chapters

    try:
        if args.course_command == "execute":
            paths = args.notebooks or find_chapters()
            execute_notebooks(paths, timeout=args.timeout)
            return 0
        if args.course_command == "build":
            from crmlab.course.site import build_site

            paths = find_chapters(args.notebooks_dir)
            if not paths:
                print("crmlab course build: no chapter notebooks found", file=sys.stderr)
                return 2
            if not args.no_execute:
                execute_notebooks(paths)
            pages = build_site(paths, args.out)
            print(f"wrote {len(pages)} pages to {args.out}/ (open {args.out}/index.html)")
            return 0
    except ChapterError as exc:
        print(f"crmlab course: chapter failed: {exc}", file=sys.stderr)
        return 1
    return 2


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m crmlab.course``."""
    parser = argparse.ArgumentParser(prog="crmlab course", description="Execute chapters and build the course.")
    add_arguments(parser)
    return run(parser.parse_args(argv))
