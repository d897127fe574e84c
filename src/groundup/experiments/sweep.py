"""A grid sweep: one run per combination of ``key=v1,v2`` values, then a comparison table.

``runs/NAME-sweep-TIMESTAMP/`` holds each run's folder (as :func:`run_experiment` writes
it) and ``results.csv`` / ``results.md``: a row per run with its grid values, the last
epoch's metrics and its training time, and the run with the lowest validation loss named.
"""

from __future__ import annotations

import csv
import itertools
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from groundup.experiments.config import (
    ConfigError,
    apply_overrides,
    parse_grid,
    parse_override,
    read_config,
    resolve_config,
)
from groundup.experiments.run import make_run_dir, run_experiment

__all__ = ["SweepResult", "run_sweep"]


@dataclass
class SweepResult:
    """What :func:`run_sweep` returns: its folder and one row of results per run."""

    path: str
    rows: list[dict[str, Any]]


def _label(assignment: Mapping[str, Any]) -> str:
    """``{"optimizer.lr": 0.001, "model.hidden": [64, 32]}`` -> ``"lr=0.001,hidden=64x32"``."""

    def text(value: Any) -> str:
        return "x".join(map(str, value)) if isinstance(value, list) else str(value)

    return ",".join(f"{key.rsplit('.', 1)[-1]}={text(v)}" for key, v in assignment.items())


def _parsed_grid(grid: Mapping[str, Sequence] | Iterable[str]) -> dict[str, list]:
    pairs = grid.items() if isinstance(grid, Mapping) else map(parse_grid, grid)
    out = {key: list(values) for key, values in pairs}
    if not out:
        raise ConfigError("sweep: the grid is empty; pass --grid KEY=V1,V2")
    return out


def run_sweep(
    config: Mapping | str | os.PathLike,
    grid: Mapping[str, Sequence] | Iterable[str],
    *,
    runs_dir: str | os.PathLike = "runs",
    overrides: Iterable[str] = (),
    verbose: int = 0,
) -> SweepResult:
    """Run every combination of the grid's values; write the comparison table.

    Parameters
    ----------
    config : str, PathLike or dict
        The base config (a TOML file or a dict).
    grid : dict of key -> values, or iterable of str
        ``{"optimizer.lr": [1e-3, 3e-3]}``, or ``["optimizer.lr=1e-3,3e-3"]``.
    runs_dir : str or PathLike, default "runs"
    overrides : iterable of str
        ``key=value`` assignments applied to the base config first.
    verbose : int, default 0
        Passed to each run's ``Model.fit``.

    Returns
    -------
    SweepResult

    Examples
    --------
    >>> import tempfile
    >>> cfg = {"seed": 0, "data": {"dataset": "digits", "limit": 200}, "model": {"name": "mlp"},
    ...        "optimizer": {"name": "sgd"}, "schedule": {"name": "none"},
    ...        "training": {"epochs": 1}}
    >>> sweep = run_sweep(cfg, ["optimizer.lr=0.01,0.1"], runs_dir=tempfile.mkdtemp())
    ... # doctest: +ELLIPSIS
    sweep: ...
    >>> [row["optimizer.lr"] for row in sweep.rows]
    [0.01, 0.1]
    """
    grid = _parsed_grid(grid)
    base = apply_overrides(read_config(config), [parse_override(o) for o in overrides])
    configs = []
    for values in itertools.product(*grid.values()):
        assignment = dict(zip(grid, values))
        name = f"{base.get('name', 'run')}-{_label(assignment)}"
        raw = apply_overrides(base, [*assignment.items(), ("name", name)])
        configs.append((assignment, resolve_config(raw)))  # every config checked before any run

    path = make_run_dir(runs_dir, f"{base.get('name', 'run')}-sweep")
    print(f"sweep: {path} ({len(configs)} runs)")
    rows = []
    for assignment, cfg in configs:
        result = run_experiment(cfg, runs_dir=path, verbose=verbose)
        final = {k: v for k, v in result.summary["final"].items() if k != "learning_rate"}
        rows.append({**assignment, **final, "train_seconds": result.summary["train_seconds"],
                     "run": os.path.basename(result.path)})  # fmt: skip
    _write_csv(os.path.join(path, "results.csv"), rows)
    with open(os.path.join(path, "results.md"), "w") as f:
        f.write(markdown_table(rows))
    return SweepResult(path, rows)


def _columns(rows: list[dict]) -> list[str]:
    return list(dict.fromkeys(key for row in rows for key in row))


def _write_csv(path: str, rows: list[dict]) -> None:
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, _columns(rows), restval="")
        writer.writeheader()
        writer.writerows(rows)


def _cell(value: Any) -> str:
    return f"{value:.4f}" if isinstance(value, float) else str(value)


def markdown_table(rows: list[dict]) -> str:
    """The rows as a Markdown table, then the run with the lowest ``val_loss``.

    Examples
    --------
    >>> print(markdown_table([{"lr": 0.1, "val_loss": 0.5, "run": "a"},
    ...                       {"lr": 0.01, "val_loss": 0.25, "run": "b"}]))
    | lr | val_loss | run |
    | --- | --- | --- |
    | 0.1000 | 0.5000 | a |
    | 0.0100 | 0.2500 | b |
    <BLANKLINE>
    lowest val_loss: b (0.2500)
    <BLANKLINE>
    """
    columns = _columns(rows)
    lines = [
        "| " + " | ".join(columns) + " |",
        "| " + " | ".join("---" for _ in columns) + " |",
        *("| " + " | ".join(_cell(row.get(c, "")) for c in columns) + " |" for row in rows),
        "",
    ]
    scored = [row for row in rows if isinstance(row.get("val_loss"), float)]
    if scored:
        best = min(scored, key=lambda row: row["val_loss"])
        lines += [f"lowest val_loss: {best['run']} ({best['val_loss']:.4f})", ""]
    return "\n".join(lines)
