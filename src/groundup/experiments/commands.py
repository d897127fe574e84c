"""``groundup train CONFIG`` and ``groundup sweep CONFIG --grid KEY=V1,V2``: the argument
parsing for :mod:`groundup.cli`, which hands these two commands to :func:`run_command`."""

from __future__ import annotations

import argparse
import sys
from typing import Any

__all__ = ["add_commands", "run_command", "COMMANDS"]

COMMANDS = ("train", "sweep")


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("config", help="the experiment's TOML file (see configs/)")
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a config value, dotted keys: --set training.epochs=1 (repeatable)",
    )
    p.add_argument("--runs-dir", default="runs", help="where run folders are made (runs)")


def add_commands(commands: Any) -> None:
    """Add ``train`` and ``sweep`` to the ``groundup`` command's subparsers."""
    p = commands.add_parser(
        "train",
        help="train the model an experiment config describes (seeded, logged to runs/)",
        description="Train the model a TOML config describes; write runs/NAME-TIMESTAMP/ with "
        "the resolved config, the environment, per-epoch metrics (CSV, JSONL), the final "
        "checkpoint and the learning curves.",
    )
    _common(p)
    p.add_argument(
        "--verbose", type=int, choices=[0, 1, 2], default=1, help="0 silent, 1 bars, 2 lines"
    )
    p = commands.add_parser(
        "sweep",
        help="train a grid of variants of a config and compare them in a table",
        description="Train one run per combination of the grid's values and write "
        "results.md and results.csv in runs/NAME-sweep-TIMESTAMP/.",
    )
    _common(p)
    p.add_argument(
        "--grid",
        action="append",
        required=True,
        metavar="KEY=V1,V2",
        help="values to try for a dotted key: --grid optimizer.lr=1e-3,3e-3 (repeatable)",
    )
    p.add_argument(
        "--verbose", type=int, choices=[0, 1, 2], default=0, help="0 silent, 1 bars, 2 lines"
    )


def run_command(args: argparse.Namespace) -> int:
    """Run ``train`` or ``sweep``; a bad config prints its error and returns 2."""
    from groundup.experiments import ConfigError, run_experiment, run_sweep
    from groundup.experiments.sweep import markdown_table

    try:
        if args.command == "train":
            run_experiment(args.config, runs_dir=args.runs_dir, overrides=args.set,
                           verbose=args.verbose)  # fmt: skip
        else:
            result = run_sweep(args.config, args.grid, runs_dir=args.runs_dir,
                               overrides=args.set, verbose=args.verbose)  # fmt: skip
            print(markdown_table(result.rows))
    except (ConfigError, FileNotFoundError) as e:
        print(f"groundup {args.command}: {e}", file=sys.stderr)
        return 2
    return 0
