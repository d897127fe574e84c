"""Keras-style callbacks for ``Model.fit``: hooks run at the start and end of training, epochs
and batches.

Every hook of ``Callback`` does nothing; a callback overrides the ones it needs. ``logs``
is the dict of the epoch's numbers (``loss``, ``accuracy``, ``val_loss``, ...). ``fit``
calls the callbacks in the order given, then ``History`` last (as Keras does), so numbers a
callback adds to ``logs`` (``learning_rate``) reach the history.
"""

from __future__ import annotations

import csv
import inspect
import math
import numbers
import os
from collections.abc import Callable
from typing import Any

__all__ = [
    "Callback",
    "History",
    "ModelCheckpoint",
    "EarlyStopping",
    "CSVLogger",
    "LearningRateScheduler",
]


class Callback:
    """Base class: ``fit`` calls these hooks; ``self.model`` is the model being trained.

    ``self.params`` holds ``verbose``, ``epochs`` and ``steps`` (batches per epoch).

    Examples
    --------
    >>> class Printer(Callback):
    ...     def on_epoch_end(self, epoch, logs=None):
    ...         print(f"epoch {epoch}: loss {logs['loss']:.2f}")
    >>> Printer().on_epoch_end(0, {"loss": 0.5})
    epoch 0: loss 0.50
    """

    model: Any = None
    params: dict[str, Any] = {}  # noqa: RUF012 - replaced per instance by set_params

    def set_model(self, model: Any) -> None:
        self.model = model

    def set_params(self, params: dict[str, Any]) -> None:
        self.params = params

    def on_train_begin(self, logs: dict | None = None) -> None: ...

    def on_train_end(self, logs: dict | None = None) -> None: ...

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None: ...

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None: ...

    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        self.on_batch_begin(batch, logs)  # Keras keeps the old names as aliases

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self.on_batch_end(batch, logs)

    def on_batch_begin(self, batch: int, logs: dict | None = None) -> None: ...

    def on_batch_end(self, batch: int, logs: dict | None = None) -> None: ...


class History(Callback):
    """What ``fit`` returns: ``history`` maps each logged name to its list of epoch values.

    Examples
    --------
    >>> h = History(); h.on_epoch_end(0, {"loss": 0.5}); h.on_epoch_end(1, {"loss": 0.25})
    >>> h.history, h.epoch
    ({'loss': [0.5, 0.25]}, [0, 1])
    """

    def __init__(self) -> None:
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)

    def plot(self, path: str | os.PathLike | None = None) -> Any:
        """Plot each metric against the epoch, training and validation on the same axes.

        Saves the figure to ``path`` (format by extension), else shows it with pyplot.
        Returns the matplotlib ``Figure``. Raises ``ImportError`` without matplotlib
        (``pip install "groundup[plot]"``).
        """
        try:
            if path is None:
                import matplotlib.pyplot as plt

                fig = plt.figure()
            else:  # no pyplot: saving must not switch the user's backend (e.g. a notebook's)
                from matplotlib.figure import Figure

                fig = Figure()
        except ImportError as e:
            raise ImportError(
                'History.plot needs matplotlib: pip install "groundup[plot]" '
                "(or pip install matplotlib)"
            ) from e
        names = [k for k in self.history if not k.startswith("val_")] or ["loss"]
        fig.set_size_inches(5 * len(names), 3.5)
        axes = fig.subplots(1, len(names), squeeze=False)[0]
        epochs = [e + 1 for e in self.epoch]
        for ax, name in zip(axes, names):
            if name in self.history:
                ax.plot(epochs, self.history[name], marker="o", label=f"train {name}")
            if f"val_{name}" in self.history:
                ax.plot(epochs, self.history[f"val_{name}"], marker="o", label=f"val {name}")
            ax.set_xlabel("epoch")
            ax.set_title(name)
            ax.legend()
        fig.tight_layout()
        if path is None:
            plt.show()
        else:
            fig.savefig(os.fspath(path))
        return fig


def _monitor_op(mode: str, monitor: str, where: str) -> Callable[[float, float], bool]:
    """``is_better(a, b)``: ``<`` or ``>`` for the monitored quantity ("auto" guesses)."""
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"{where}: mode must be 'auto', 'min' or 'max', got {mode!r}")
    if mode == "auto":
        higher_is_better = ("acc", "auc", "f1", "precision", "recall", "r2", "fmeasure")
        mode = "max" if any(k in monitor for k in higher_is_better) else "min"
    return (lambda a, b: a < b) if mode == "min" else (lambda a, b: a > b)


def _monitored(callback: Callback, monitor: str, logs: dict | None) -> float:
    value = (logs or {}).get(monitor)
    if value is None:
        available = ", ".join(logs or {}) or "nothing"
        raise KeyError(
            f"{type(callback).__name__}: monitor {monitor!r} is not in the logs "
            f"(available: {available}); pass validation data for val_* metrics"
        )
    return float(value)


class ModelCheckpoint(Callback):
    """Save the model after each epoch, or only when ``monitor`` improves.

    ``filepath`` may hold ``{epoch}`` and log names, as in ``"ckpt-{epoch:02d}-{val_loss:.3f}"``;
    missing folders are made. With ``save_weights_only`` the file holds the state dict
    (``gu.load`` reads it back); otherwise a full checkpoint (model, optimizer, scheduler,
    epoch, history, RNG) that ``groundup.io.load_checkpoint`` restores. Files are written
    atomically, in the safetensors format.

    Parameters
    ----------
    filepath : str or PathLike
    monitor : str, default "val_loss"
    verbose : int, default 0
        1: print a line for each save.
    save_best_only : bool, default False
        Save only when ``monitor`` beats its best so far.
    save_weights_only : bool, default False
    mode : {"auto", "min", "max"}, default "auto"
        Whether lower or higher ``monitor`` is better ("auto": higher for accuracy-like names).
    initial_value_threshold : float, optional
        The best value to beat at the start (with ``save_best_only``).
    """

    def __init__(
        self,
        filepath: str | os.PathLike,
        monitor: str = "val_loss",
        verbose: int = 0,
        save_best_only: bool = False,
        save_weights_only: bool = False,
        mode: str = "auto",
        initial_value_threshold: float | None = None,
    ) -> None:
        self.filepath = os.fspath(filepath)
        self.monitor, self.verbose = monitor, verbose
        self.save_best_only, self.save_weights_only = save_best_only, save_weights_only
        self.monitor_op = _monitor_op(mode, monitor, "ModelCheckpoint")
        self.best = math.nan if initial_value_threshold is None else initial_value_threshold

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = logs or {}
        if self.save_best_only:
            current = _monitored(self, self.monitor, logs)
            if not (math.isnan(self.best) or self.monitor_op(current, self.best)):
                return
            self.best = current
        from groundup import io

        path = self.filepath.format(epoch=epoch + 1, **logs)
        folder = os.path.dirname(path)
        if folder:
            os.makedirs(folder, exist_ok=True)
        if self.save_weights_only:
            io.save(self.model.state_dict(), path, metadata={"epoch": epoch + 1})
        else:
            io.save_checkpoint(
                path,
                model=self.model,
                optimizer=self.model.optimizer,
                scheduler=self.model.scheduler,
                epoch=epoch + 1,
                history=self._history(logs),
            )
        if self.verbose:
            print(f"Epoch {epoch + 1}: saved the model to {path}")

    def _history(self, logs: dict) -> dict[str, list]:
        """The history so far, this epoch included (``History`` records it after us)."""
        history = self.model.history
        done = {k: list(v) for k, v in history.history.items()} if history is not None else {}
        for key, value in logs.items():
            done.setdefault(key, []).append(value)
        return done


class EarlyStopping(Callback):
    """Stop training when ``monitor`` has not improved by ``min_delta`` for ``patience`` epochs.

    As in Keras: training stops at the first epoch that ends ``patience`` epochs (at least
    one) after the best; with ``restore_best_weights`` the model ends with the weights of
    its best epoch.

    Parameters
    ----------
    monitor : str, default "val_loss"
    min_delta : float, default 0
        An improvement must beat the best by more than this.
    patience : int, default 0
        Epochs without improvement after which training stops.
    verbose : int, default 0
    mode : {"auto", "min", "max"}, default "auto"
    baseline : float, optional
        Training stops if ``monitor`` does not beat this within ``patience`` epochs.
    restore_best_weights : bool, default False
    start_from_epoch : int, default 0
        Epochs of warm-up during which nothing is monitored.

    Attributes
    ----------
    stopped_epoch : int
        The (0-based) epoch at which training stopped, 0 when it did not stop early.
    best_epoch : int
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        min_delta: float = 0.0,
        patience: int = 0,
        verbose: int = 0,
        mode: str = "auto",
        baseline: float | None = None,
        restore_best_weights: bool = False,
        start_from_epoch: int = 0,
    ) -> None:
        self.monitor, self.min_delta, self.patience = monitor, abs(min_delta), patience
        self.verbose, self.baseline = verbose, baseline
        self.restore_best_weights, self.start_from_epoch = restore_best_weights, start_from_epoch
        self.monitor_op = _monitor_op(mode, monitor, "EarlyStopping")
        self.on_train_begin()

    def _is_improvement(self, value: float, reference: float) -> bool:
        delta = self.min_delta if self.monitor_op(0.0, 1.0) else -self.min_delta
        return math.isnan(reference) or self.monitor_op(value + delta, reference)

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.wait, self.stopped_epoch, self.best_epoch = 0, 0, 0
        self.best = math.nan
        self.best_weights: dict | None = None

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        current = _monitored(self, self.monitor, logs)
        if epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights, self.best_epoch = self._weights(), epoch
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best, self.best_epoch = current, epoch
            if self.restore_best_weights:
                self.best_weights = self._weights()
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def _weights(self) -> dict:
        return {k: v.numpy().copy() for k, v in self.model.state_dict().items()}

    def on_train_end(self, logs: dict | None = None) -> None:
        if self.stopped_epoch and self.verbose:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose:
                print(
                    f"Restoring model weights from the end of the best epoch: {self.best_epoch + 1}"
                )
            self.model.load_state_dict(self.best_weights)


class CSVLogger(Callback):
    """Write each epoch's logs as a row of a CSV file: ``epoch``, then the log names sorted.

    Parameters
    ----------
    filename : str or PathLike
    separator : str, default ","
    append : bool, default False
        Add to an existing file (without a second header) instead of overwriting it.
    """

    def __init__(
        self, filename: str | os.PathLike, separator: str = ",", append: bool = False
    ) -> None:
        self.filename, self.sep, self.append = os.fspath(filename), separator, append
        self._file: Any = None
        self._writer: Any = None

    def on_train_begin(self, logs: dict | None = None) -> None:
        exists = os.path.exists(self.filename) and os.path.getsize(self.filename) > 0
        keep = self.append and exists
        self._file = open(self.filename, "a" if keep else "w", newline="")  # noqa: SIM115
        self._writer, self._has_header = None, keep

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = logs or {}
        if self._writer is None:
            fields = ["epoch", *sorted(logs)]
            self._writer = csv.DictWriter(
                self._file, fields, delimiter=self.sep, restval="NA", extrasaction="ignore"
            )
            if not self._has_header:
                self._writer.writeheader()
        self._writer.writerow({"epoch": epoch, **logs})
        self._file.flush()

    def on_train_end(self, logs: dict | None = None) -> None:
        if self._file is not None:
            self._file.close()
            self._file, self._writer = None, None


class LearningRateScheduler(Callback):
    """Set the learning rate at each epoch's start to ``schedule(epoch, lr)`` (Keras's callback).

    ``schedule`` takes the 0-based epoch and the current learning rate (or the epoch only)
    and returns the new rate; it is logged as ``learning_rate``.

    Examples
    --------
    >>> cb = LearningRateScheduler(lambda epoch, lr: lr * 0.5 if epoch > 0 else lr)
    """

    def __init__(self, schedule: Callable[..., float], verbose: int = 0) -> None:
        self.schedule, self.verbose = schedule, verbose

    def _takes_lr(self) -> bool:
        try:
            params = inspect.signature(self.schedule).parameters.values()
        except (TypeError, ValueError):  # a builtin without a signature
            return True
        kinds = [p.kind for p in params]
        positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
        return inspect.Parameter.VAR_POSITIONAL in kinds or sum(k in positional for k in kinds) >= 2

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        groups = self.model.optimizer.param_groups
        lr = groups[0]["lr"]
        lr = self.schedule(epoch, lr) if self._takes_lr() else self.schedule(epoch)
        if not isinstance(lr, numbers.Real) or isinstance(lr, bool) or not math.isfinite(lr):
            raise ValueError(
                f"LearningRateScheduler: schedule({epoch}) should return a finite float, got {lr!r}"
            )
        for group in groups:
            group["lr"] = float(lr)
        if self.verbose:
            print(f"Epoch {epoch + 1}: LearningRateScheduler setting learning rate to {lr}.")

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if logs is not None:
            logs["learning_rate"] = self.model.optimizer.param_groups[0]["lr"]
