"""The ``crmlab`` command: one entry point for the course, the generator and experiments.

Examples
--------
::

    crmlab course build              # execute every chapter, write build/course/
    crmlab generate --customers 5000 --seed 7 --out world/
    crmlab experiment notebooks/experiments/noise_study.toml
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

__all__ = ["build_parser", "main"]

# sub-command name -> (module providing add_arguments/run, one-line help, longer description)
_COMMANDS: dict[str, tuple[str, str, str]] = {
    "course": (
        "crmlab.course.cli",
        "execute the chapters and build the course site, student copies or slides",
        "Work with the course itself: run the chapter notebooks, build the browsable HTML course, "
        "write exercise copies for students, or write offline slide decks for lectures.",
    ),
    "generate": (
        "crmlab.synth.cli",
        "generate a synthetic customer world with known ground truth",
        "Generate customers, transactions, surveys and complaints from an explicit model whose true "
        "parameters are saved alongside, and write them as CSV, Parquet or SQLite.",
    ),
    "experiment": (
        "crmlab.experiments.cli",
        "run a segmentation experiment grid described by a TOML file",
        "Run every combination of algorithms, feature sets, k and seeds listed in a TOML config and save a "
        "tidy table of metrics; an interrupted run resumes where it stopped.",
    ),
    "clv": (
        "crmlab.scale.cli",
        "RFM summary, BTYD fit and CLV scores for a log larger than memory (DuckDB or Spark)",
        "Summarise a Parquet/CSV/DuckDB/Spark transaction log inside the engine, fit a BTYD model on the "
        "compressed customer table, and write every customer's scores back where the data live.",
    ),
}


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``crmlab`` command.

    Returns
    -------
    argparse.ArgumentParser
        One subcommand per area (``course``, ``generate``, ``experiment``, ``clv``).

    Examples
    --------
    >>> build_parser().parse_args(["course", "catalogue-status"]).command
    'course'
    """
    parser = argparse.ArgumentParser(
        prog="crmlab",
        description="crmlab: customer relationship management analytics, a course and a toolkit.",
        epilog="Run 'crmlab COMMAND --help' for the options of one command.",
    )
    from crmlab import __version__

    parser.add_argument("--version", action="version", version=f"crmlab {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (module_name, help_text, description) in _COMMANDS.items():
        module = importlib.import_module(module_name)
        cmd = sub.add_parser(name, help=help_text, description=description)
        module.add_arguments(cmd)
        cmd.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the ``crmlab`` command line; return its exit code.

    Parameters
    ----------
    argv : list of str, optional
        The arguments after ``crmlab``; by default those of the running process.

    Returns
    -------
    int
        0 on success, non-zero on failure.

    Examples
    --------
    >>> main(["course", "catalogue-status", "--help"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    SystemExit: 0
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    out = getattr(args, "out", None)
    # --out is a folder, except for `generate --format sqlite` and commands that declare a file (`clv` scores)
    wants_folder = getattr(args, "format", None) != "sqlite" and not getattr(args, "out_is_file", False)
    if out is not None and wants_folder and Path(out).is_file():
        print(f"crmlab {args.command}: error: --out {str(out)!r} is an existing file, not a folder; pass a folder "
              "(it is created if needed) or remove the file.", file=sys.stderr)
        return 2
    try:
        return int(args._run(args) or 0)
    except (FileExistsError, NotADirectoryError) as exc:  # --out names a file where a folder is needed
        out = getattr(args, "out", None)
        if out is None:
            raise
        print(f"crmlab {args.command}: error: --out {str(out)!r} is an existing file, not a folder; pass a folder "
              f"(it is created if needed) or remove the file. ({exc.strerror})", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
