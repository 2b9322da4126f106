"""The ``crmlab experiment <config.toml>`` command.

The main ``crmlab`` command wires it up with :func:`add_arguments` and :func:`run`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``experiment`` command's arguments to ``parser``.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The (sub)parser of ``crmlab experiment``.

    Examples
    --------
    >>> import argparse
    >>> from crmlab.experiments.cli import add_arguments
    >>> parser = argparse.ArgumentParser(prog="crmlab experiment")
    >>> add_arguments(parser)
    >>> args = parser.parse_args(["study.toml", "--n-jobs", "2", "--no-progress"])
    >>> args.config, args.n_jobs, args.progress, args.out
    ('study.toml', 2, False, None)
    """
    parser.add_argument("config", help="TOML file describing the grid (see notebooks/experiments/noise_study.toml)")
    parser.add_argument("--out", default=None, metavar="DIR",
                        help="folder for results.csv and summary.csv (default: [run] out, else ./<name>_results)")
    parser.add_argument("--n-jobs", type=int, default=None, metavar="N",
                        help="worker processes; -1 uses every core (default: [run] n_jobs, else 1)")
    parser.add_argument("--no-progress", dest="progress", action="store_false", help="hide the progress bar")


def run(args: argparse.Namespace) -> int:
    """Run the grid a config file describes; resume if its output folder already holds results.

    Writes ``results.csv`` (one row per cell, appended as cells finish) and
    ``summary.csv`` (mean and sd over seeds) to the output folder, and prints the
    best method per condition.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed by a parser set up with :func:`add_arguments`.

    Returns
    -------
    int
        0 on success, 2 for a bad config file or argument (the message goes to stderr).
    """
    from crmlab.experiments.config import load_config
    from crmlab.experiments.grid import run_grid
    from crmlab.experiments.summary import best_per_condition, summarize_grid

    try:
        config = load_config(args.config)
        out = Path(args.out) if args.out is not None else config.out or Path(f"{config.name}_results")
        n_jobs = config.n_jobs if args.n_jobs is None else args.n_jobs
        print(f"crmlab experiment '{config.name}': {len(config.grid)} cells -> {out}")
        results = run_grid(config.grid, out=out, n_jobs=n_jobs, progress=args.progress)
    except (FileNotFoundError, TypeError, ValueError, ImportError) as exc:
        print(f"crmlab experiment: error: {exc}", file=sys.stderr)
        return 2
    summary = summarize_grid(results)
    summary.to_csv(out / "summary.csv", index=False)
    attrs = results.attrs
    print(f"cells: {attrs['n_cells']} ({attrs['n_reused']} reused from an earlier run, "
          f"{attrs['n_computed']} computed now); failed: {int((results['status'] != 'ok').sum())}")
    if results["ari"].notna().any():
        print("best method per condition (mean ARI over seeds):")
        print(best_per_condition(results).round(3).to_string(index=False))
    print(f"wrote {out / 'results.csv'} and {out / 'summary.csv'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point for ``python -m crmlab.experiments.cli`` (the ``crmlab`` command wires the same)."""
    parser = argparse.ArgumentParser(prog="crmlab experiment", description="Run a segmentation experiment grid.")
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
