"""One seeded training run from a config, and everything it leaves in ``runs/NAME-TIMESTAMP/``.

The folder holds:

- ``config.resolved.toml``: the config with every default filled in (``groundup train``
  reads it back: the run can be repeated from it alone);
- ``env.json``: the seed, the start time, Python, the platform, package versions;
- ``metrics.csv`` and ``metrics.jsonl``: one row per epoch (``epoch`` counts from 0, as in
  Keras's ``CSVLogger``): training and validation loss and accuracy, learning rate;
- ``checkpoint.safetensors``: the final model, optimizer and schedule states, the history
  (:func:`groundup.io.save_checkpoint`: arrays plus JSON, no pickle);
- ``curves.png``: the learning curves (skipped, with a note, without matplotlib);
- ``summary.json``: the last epoch's numbers and the training time.

Everything random (initial weights, shuffling, dropout, the digits split) follows the
config's ``seed``: the same config gives the same metrics.
"""

from __future__ import annotations

import datetime
import json
import math
import os
import platform
import sys
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from groundup.callbacks import Callback, CSVLogger
from groundup.experiments.config import (
    apply_overrides,
    parse_override,
    read_config,
    resolve_config,
    to_toml,
)
from groundup.experiments.datasets import load_data
from groundup.experiments.registry import (
    build_model,
    build_optimizer,
    build_schedule,
    task_loss_and_metrics,
)

__all__ = ["RunResult", "run_experiment", "build_run", "JSONLinesLogger"]


@dataclass
class RunResult:
    """What :func:`run_experiment` returns: the run's folder, its history and summary."""

    path: str
    history: dict[str, list[float]]
    summary: dict[str, Any]


class JSONLinesLogger(Callback):
    """Append each epoch's logs to a JSON Lines file: ``{"epoch": 0, "loss": ..., ...}``."""

    def __init__(self, filename: str | os.PathLike) -> None:
        self.filename = os.fspath(filename)

    def on_train_begin(self, logs: dict | None = None) -> None:
        open(self.filename, "w").close()  # a fresh file for this run

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        with open(self.filename, "a") as f:
            f.write(json.dumps({"epoch": epoch, **(logs or {})}) + "\n")


def resolved(config: Mapping | str | os.PathLike, overrides: Iterable[str] = ()) -> dict:
    """A resolved config from a TOML path or a dict, with ``key=value`` overrides applied."""
    raw = read_config(config)
    return resolve_config(apply_overrides(raw, [parse_override(o) for o in overrides]))


def make_run_dir(runs_dir: str | os.PathLike, name: str) -> str:
    """A new folder ``runs_dir/NAME-YYYYmmdd-HHMMSS`` (``-2``, ``-3``, ... if taken)."""
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    safe = "".join(c if c.isalnum() or c in "-_.=," else "_" for c in name)
    base = os.path.join(os.fspath(runs_dir), f"{safe}-{stamp}")
    os.makedirs(os.fspath(runs_dir), exist_ok=True)
    for attempt in range(1, 1000):
        path = base if attempt == 1 else f"{base}-{attempt}"
        try:
            os.mkdir(path)
            return path
        except FileExistsError:
            continue
    raise RuntimeError(f"run_experiment: could not make a new run folder next to {base}")


def environment(seed: int) -> dict[str, Any]:
    """What ran: seed, start time, interpreter, platform and package versions."""
    import numpy

    import groundup

    return {
        "seed": seed,
        "started": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "packages": {"groundup": groundup.__version__, "numpy": numpy.__version__},
        "argv": sys.argv,
        "environment": {
            k: os.environ[k] for k in ("GROUNDUP_DATA", "OMP_NUM_THREADS") if k in os.environ
        },  # fmt: skip
    }


def _write(path: str, text: str) -> None:
    with open(path, "w") as f:
        f.write(text)


def build_run(cfg: Mapping) -> tuple[Any, Any]:
    """The compiled ``gu.Model`` and the data of a resolved config, seeded by its ``seed``."""
    import groundup as gu

    gu.manual_seed(cfg["seed"])
    data = load_data(cfg["data"], cfg["seed"])
    model = gu.Model(build_model(cfg["model"], data.info))
    optimizer = build_optimizer(cfg["optimizer"], list(model.parameters()))
    epochs, batch_size = cfg["training"]["epochs"], cfg["training"]["batch_size"]
    steps_per_epoch = math.ceil(len(data.train[0]) / batch_size)
    scheduler = build_schedule(cfg["schedule"], optimizer, epochs, steps_per_epoch)
    loss, metrics = task_loss_and_metrics(data.info["kind"])
    model.compile(optimizer=optimizer, loss=loss, metrics=metrics, scheduler=scheduler)
    return model, data


def run_experiment(
    config: Mapping | str | os.PathLike,
    *,
    runs_dir: str | os.PathLike = "runs",
    overrides: Iterable[str] = (),
    verbose: int = 2,
) -> RunResult:
    """Train the model a config describes; write the run folder; return where and how it went.

    The data and model are made before the folder, so a config that cannot run leaves none.

    Parameters
    ----------
    config : str, PathLike or dict
        A TOML config file, or a config as a dict (resolved here).
    runs_dir : str or PathLike, default "runs"
        Where the run's folder ``NAME-TIMESTAMP`` is made.
    overrides : iterable of str
        ``key=value`` assignments with dotted keys, e.g. ``"training.epochs=1"``.
    verbose : int, default 2
        ``Model.fit``'s: 0 silent, 1 a progress bar, 2 one line per epoch.

    Returns
    -------
    RunResult

    Examples
    --------
    >>> import tempfile
    >>> cfg = {"seed": 0, "data": {"dataset": "digits"}, "model": {"name": "mlp"},
    ...        "optimizer": {"name": "adam"}, "schedule": {"name": "none"},
    ...        "training": {"epochs": 1}}
    >>> result = run_experiment(cfg, runs_dir=tempfile.mkdtemp(), verbose=0)  # doctest: +ELLIPSIS
    run: ...
    >>> sorted(os.listdir(result.path))[:3], result.summary["final"]["val_accuracy"] > 0.8
    (['checkpoint.safetensors', 'config.resolved.toml', 'curves.png'], True)
    """
    from groundup.io import save_checkpoint

    cfg = resolved(config, overrides)
    model, data = build_run(cfg)
    path = make_run_dir(runs_dir, cfg["name"])
    print(f"run: {path}")
    _write(os.path.join(path, "config.resolved.toml"), to_toml(cfg))
    _write(os.path.join(path, "env.json"), json.dumps(environment(cfg["seed"]), indent=2))
    loggers = [
        CSVLogger(os.path.join(path, "metrics.csv")),
        JSONLinesLogger(os.path.join(path, "metrics.jsonl")),
    ]
    training = cfg["training"]
    start = time.perf_counter()
    history = model.fit(*data.train, batch_size=training["batch_size"], epochs=training["epochs"],
                        verbose=verbose, callbacks=loggers, validation_data=data.val)  # fmt: skip
    seconds = time.perf_counter() - start

    save_checkpoint(os.path.join(path, "checkpoint.safetensors"), model=model,
                    optimizer=model.optimizer, scheduler=model.scheduler,
                    epoch=len(history.epoch), history=history.history,
                    extra={"name": cfg["name"]})  # fmt: skip
    summary = {
        "name": cfg["name"],
        "path": path,
        "epochs": len(history.epoch),
        "train_seconds": round(seconds, 3),
        "final": {k: v[-1] for k, v in history.history.items()},
        "curves": _plot(history, os.path.join(path, "curves.png")),
    }
    _write(os.path.join(path, "summary.json"), json.dumps(summary, indent=2))
    numbers = ", ".join(f"{k} {v:.4f}" for k, v in summary["final"].items())
    print(f"done in {seconds:.1f} s: {numbers}")
    return RunResult(path, history.history, summary)


def _plot(history: Any, path: str) -> str:
    """Save the learning curves; without matplotlib, say so instead."""
    try:
        history.plot(path)
    except ImportError:
        return "skipped: matplotlib is not installed (pip install matplotlib)"
    return os.path.basename(path)
