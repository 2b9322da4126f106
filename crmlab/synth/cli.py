"""The ``crmlab generate`` command: a synthetic customer world from the shell.

Chapter 0. Wired into ``crmlab/cli.py`` as a sub-command::

    crmlab generate --customers 100000 --seed 7 --preset retail --format parquet --out world/
"""

from __future__ import annotations

import argparse
import sys

from crmlab.synth.config import PRESETS
from crmlab.synth.world import FORMATS, make_customer_world

__all__ = ["add_arguments", "run"]

PROGRESS_FROM = 50_000
CHUNKED_FROM = 1_000_000  # from here --format parquet writes a transactions-only world in chunks


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``crmlab generate`` to ``parser``.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The sub-command parser to fill.

    Examples
    --------
    >>> import argparse
    >>> parser = argparse.ArgumentParser(prog="crmlab generate")
    >>> add_arguments(parser)
    >>> "--out" in parser.format_help()
    True
    """
    parser.add_argument("--customers", type=int, default=1000, help="number of customers (default 1000)")
    parser.add_argument("--seed", type=int, default=0, help="random seed; the same seed gives identical files")
    parser.add_argument("--preset", choices=PRESETS, default="retail", help="kind of business (default retail)")
    parser.add_argument("--format", choices=FORMATS, default="csv", help="output format (default csv)")
    parser.add_argument("--out", default=None,
                        help="output folder (csv, parquet) or database file (sqlite); default crmlab_world[.sqlite]")
    parser.add_argument("--start", default="2023-01-01", help="first day of the observation window")
    parser.add_argument("--end", default="2024-12-31", help="last day of the observation window")
    parser.add_argument("--quiet", action="store_true", help="no progress bar and no summary")
    parser.add_argument("--chunk-size", type=int, default=None,
                        help=f"with --format parquet: write a BG/NBD transaction log in chunks of this many customers "
                             f"(memory independent of --customers); the default from {CHUNKED_FROM:,} customers on")


def run(args: argparse.Namespace) -> int:
    """Generate the world described by ``args`` and write it; return the exit code.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed options from :func:`add_arguments`.

    Returns
    -------
    int
        0 on success, 2 when an option value is invalid (the message goes to stderr).
    """
    out = args.out or ("crmlab_world.sqlite" if args.format == "sqlite" else "crmlab_world")
    progress = not args.quiet and args.customers >= PROGRESS_FROM
    chunked = args.format == "parquet" and (args.chunk_size is not None or args.customers >= CHUNKED_FROM)
    if chunked:
        return _run_chunked(args, out, progress=progress)
    try:
        world = make_customer_world(args.customers, start=args.start, end=args.end, preset=args.preset,
                                    random_state=args.seed, progress=progress)
    except (TypeError, ValueError) as exc:
        print(f"crmlab generate: {exc}", file=sys.stderr)
        return 2
    paths = world.export(out, args.format, progress=progress)
    if not args.quiet:
        print(f"{world!r}")
        for path in paths:
            print(f"wrote {path}")
    return 0


def _run_chunked(args: argparse.Namespace, out: str, *, progress: bool) -> int:
    """Write the chunked BG/NBD world of :mod:`crmlab.synth.chunked` (bounded memory)."""
    from crmlab.synth.chunked import write_btyd_world

    if not args.quiet:
        print("writing a transactions-only BG/NBD + Gamma-Gamma world in Parquet chunks (crmlab.synth.chunked); "
              "true parameters in params.json")
    try:
        paths = write_btyd_world(args.customers, out, start=args.start, end=args.end, random_state=args.seed,
                                 chunk_size=args.chunk_size or 500_000, progress=progress)
    except (TypeError, ValueError) as exc:
        print(f"crmlab generate: {exc}", file=sys.stderr)
        return 2
    if not args.quiet:
        print(f"wrote {len(paths)} files under {out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run ``crmlab generate`` on its own (``python -m crmlab.synth.cli``)."""
    parser = argparse.ArgumentParser(prog="crmlab generate", description="Generate a synthetic customer world.")
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
