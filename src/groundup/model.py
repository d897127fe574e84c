"""``Model``: Keras's ``add`` / ``compile`` / ``fit`` / ``evaluate`` / ``predict`` on any module.

Two ways in: ``gu.Model()`` then ``model.add(layer)`` for a stack of layers (``gu.Sequential``
is the same class), or ``gu.Model(my_module)`` to train a PyTorch-style module the Keras way.
``state_dict()`` keys are those of the layers (``0.weight``) or of the wrapped module, so
weights move to and from an equivalent PyTorch model unchanged.

``fit`` is the loop one writes by hand: for each mini-batch, ``out = model(x)``,
``loss = loss_fn(out, y)``, ``optimizer.zero_grad()``, ``loss.backward()``,
``optimizer.step()``; then validation, the scheduler's step and the callbacks, once per epoch.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from groundup import nn
from groundup.autograd import no_grad
from groundup.callbacks import Callback, History
from groundup.compile_utils import (
    as_arrays,
    as_inputs,
    check_batch_size,
    first_in_features,
    get_loss,
    get_metric,
    get_optimizer,
    output_activation,
    split_validation,
)
from groundup.creation import from_numpy, zeros
from groundup.nn.modules.linear import unbuilt_layers
from groundup.optim.lr_scheduler import OneCycleLR, ReduceLROnPlateau
from groundup.random import generator

__all__ = ["Model", "Sequential"]


class Model(nn.Module):
    """A trainable model with Keras's API.

    Parameters
    ----------
    layers : Module or list of Module, optional
        A module to wrap, or layers to stack (more can be added with ``add``).

    Examples
    --------
    >>> import numpy as np, groundup as gu
    >>> from groundup import nn
    >>> _ = gu.manual_seed(0)
    >>> X = np.random.default_rng(0).normal(size=(64, 2)).astype("float32")
    >>> y = (X[:, 0] > 0).astype("int64")
    >>> model = gu.Model()
    >>> model.add(nn.Dense(8, activation="relu", input_dim=2))
    >>> model.add(nn.Dense(2))
    >>> model.compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy"])
    >>> history = model.fit(X, y, epochs=2, batch_size=16, verbose=0)
    >>> sorted(history.history)
    ['accuracy', 'loss']
    """

    def __init__(self, layers: Any = None) -> None:
        super().__init__()
        if layers is None or isinstance(layers, (list, tuple)):
            self.net = nn.Sequential(*(layers or []))
        elif isinstance(layers, nn.Module):
            self.net = layers
        else:
            got = type(layers).__name__
            raise TypeError(f"Model: expected a Module or a list of layers, got {got}")
        self.optimizer = self.scheduler = self.loss_fn = self.history = None
        self.metric_fns: list = []
        self.stop_training = False
        self._input_shape: tuple | None = None
        self._build()

    # ------------------------------------------------------------------ structure
    def add(self, layer: nn.Module) -> None:
        """Append a layer to the stack (building lazy layers once the input size is known)."""
        if not isinstance(self.net, nn.Sequential):
            raise TypeError("Model.add: this model wraps a module; add layers to that module")
        if not isinstance(layer, nn.Module):
            raise TypeError(f"Model.add: expected a layer (a Module), got {type(layer).__name__}")
        self.net.append(layer)
        self._build()

    def _build(self, X: np.ndarray | None = None) -> None:
        """Give lazy layers their weights as soon as the input shape is known (as Keras does).

        Then ``model.parameters()`` is complete right after ``add``, so an optimizer made by
        hand sees every weight. The shape comes from ``X``, an earlier call, or the first
        layer's ``in_features`` (``input_dim=``).
        """
        if not unbuilt_layers(self.net):
            return
        if X is not None:
            sample = from_numpy(X[:1])
        else:
            shape = self._input_shape or first_in_features(self.net)
            if shape is None:
                return
            sample = zeros((1, *shape))
        was_training = self.training
        self.eval()  # so batch norm's running statistics stay untouched
        with no_grad():
            self(sample)
        self.train(was_training)

    def forward(self, x: Any) -> Any:
        if isinstance(x, np.ndarray):
            x = from_numpy(as_inputs(x, self._takes_indices()))
        if self._input_shape is None:
            self._input_shape = tuple(x.shape[1:])
        return self.net(x)

    def state_dict(self, *args: Any, **kwargs: Any) -> Any:
        """The layers' (or wrapped module's) state dict, with their own keys."""
        return self.net.state_dict(*args, **kwargs)

    def load_state_dict(self, state_dict: Any, strict: bool = True) -> Any:
        """Load weights saved from this model, or from an equivalent PyTorch model."""
        return self.net.load_state_dict(state_dict, strict=strict)

    def _takes_indices(self) -> bool:
        """Whether the first layer is an ``Embedding`` (integer inputs stay integers)."""
        first = next((m for m in self.net.modules() if not next(m.children(), None)), None)
        return isinstance(first, nn.Embedding)

    # ------------------------------------------------------------------ compile
    def compile(
        self,
        optimizer: Any = "rmsprop",
        loss: Any = None,
        metrics: Sequence[Any] | None = None,
        scheduler: Any = None,
    ) -> None:
        """Choose the optimizer, loss, metrics and (optionally) a learning-rate scheduler.

        Parameters
        ----------
        optimizer : str or Optimizer, default "rmsprop" (Keras's default)
            A name (``"sgd"``, ``"adam"``, ``"adamw"``, ``"rmsprop"``, ``"adagrad"``) gives
            that optimizer over all parameters with Keras's default learning rate (0.01 for
            SGD, else 1e-3) and PyTorch's other defaults; or an instance made by hand.
        loss : str or callable
            ``"cross_entropy"`` / ``"sparse_categorical_crossentropy"`` (class indices),
            ``"categorical_crossentropy"`` (one-hot), ``"binary_crossentropy"``, ``"mse"``,
            ``"mae"``: on logits, or on probabilities when the last layer is a softmax or
            sigmoid (as Keras). Or a callable ``(output, target) -> loss`` (PyTorch's order).
        metrics : list of str or callable, optional
            Names such as ``"accuracy"``, ``"f1"``, ``"mae"`` (see ``compile_utils``), or
            callables ``(y_true, output) -> float`` on NumPy arrays.
        scheduler : LRScheduler or callable, optional
            A scheduler instance, or a callable ``optimizer -> scheduler``. It steps once per
            epoch (``ReduceLROnPlateau`` with the epoch's ``val_loss``, else ``loss``), or once
            per batch for ``OneCycleLR``; the epoch's learning rate is logged.
        """
        if loss is None:
            raise ValueError("compile: pass a loss, e.g. loss='cross_entropy'")
        get_optimizer(optimizer, None)  # unknown names fail here, not at fit (as in Keras)
        get_loss(loss, None)
        for metric in metrics or []:
            get_metric(metric, None)
        self._optimizer_spec, self._loss_spec, self._scheduler_spec = optimizer, loss, scheduler
        self._metric_specs = list(metrics or [])
        self.optimizer = None if isinstance(optimizer, str) else optimizer
        self.loss_fn = None

    def _prepare(self, X: np.ndarray, where: str) -> None:
        """Build lazy layers with one sample, then make the optimizer, loss and metrics."""
        if not hasattr(self, "_loss_spec"):
            raise RuntimeError(f"{where}: call model.compile(optimizer=..., loss=...) first")
        if self.loss_fn is not None:
            return
        self._build(X)
        self.optimizer = get_optimizer(self._optimizer_spec, list(self.parameters()))
        self._check_optimizer_holds_dense_weights()
        spec = self._scheduler_spec
        builds_scheduler = callable(spec) and not hasattr(spec, "step")
        self.scheduler = spec(self.optimizer) if builds_scheduler else spec
        if getattr(self.scheduler, "optimizer", self.optimizer) is not self.optimizer:
            raise ValueError(
                "compile: the scheduler was made for another optimizer; with an optimizer "
                "name pass scheduler=lambda opt: optim.lr_scheduler.StepLR(opt, ...)"
            )
        activation = output_activation(self.net)
        self.loss_fn = get_loss(self._loss_spec, activation)
        self.metric_fns = [get_metric(m, activation) for m in self._metric_specs]

    def _check_optimizer_holds_dense_weights(self) -> None:
        """A hand-made optimizer that misses lazy layers' weights would leave them untrained."""
        held = {id(p) for group in self.optimizer.param_groups for p in group["params"]}
        missing = [
            name
            for name, m in self.net.named_modules()
            if isinstance(m, nn.Dense)
            and any(p.requires_grad and id(p) not in held for p in m.parameters())
        ]
        if missing:
            raise ValueError(
                f"compile: the optimizer does not hold the weights of Dense layer(s) {missing} "
                "(built after the optimizer was made?), so they would not train; make the "
                "optimizer once the model is built (give the first layer input_dim=), pass a "
                "name such as optimizer='adam', or freeze them with requires_grad_(False)"
            )

    # ------------------------------------------------------------------ training
    def fit(
        self,
        x: Any = None,
        y: Any = None,
        batch_size: int | None = None,
        epochs: int = 1,
        verbose: int | str = "auto",
        callbacks: Sequence[Callback] | None = None,
        validation_split: float = 0.0,
        validation_data: tuple | None = None,
        shuffle: bool = True,
        initial_epoch: int = 0,
    ) -> History:
        """Train for ``epochs`` passes over ``(x, y)`` in mini-batches; returns the ``History``.

        ``batch_size`` defaults to 32. ``verbose``: 1 (``"auto"``) a progress bar per epoch,
        2 one line per epoch, 0 silent. ``validation_split`` holds out that fraction from
        the end of the data, before any shuffling (as Keras does); ``validation_data``
        ``(x_val, y_val)`` takes precedence. Training resumes at ``initial_epoch``
        (0-based). A callback stops training by setting ``model.stop_training = True``; a
        non-finite loss stops it with a warning.
        """
        takes_indices = self._takes_indices()
        X, Y = as_arrays(x, y, takes_indices, "fit")
        X, Y, val = split_validation(X, Y, validation_split, validation_data, takes_indices)
        batch_size = check_batch_size(batch_size, "fit")
        verbose = 1 if verbose == "auto" else int(verbose)
        self._prepare(X, "fit")
        self.history = History()
        cbs = [*(callbacks or []), self.history]  # History last, as in Keras
        params = {"verbose": verbose, "epochs": epochs, "steps": math.ceil(len(X) / batch_size)}
        for cb in cbs:
            cb.set_model(self)
            cb.set_params(params)
        self.stop_training = False
        _call(cbs, "on_train_begin")
        for epoch in range(initial_epoch, epochs):
            _call(cbs, "on_epoch_begin", epoch)
            start, lr = time.perf_counter(), self.optimizer.param_groups[0]["lr"]
            desc = f"Epoch {epoch + 1}/{epochs}"
            bar = _progress_bar(len(X), batch_size, desc) if verbose == 1 else None
            logs = self._train_epoch(X, Y, batch_size, shuffle, cbs, bar)
            if val is not None:
                scores = self.evaluate(*val, batch_size=batch_size, verbose=0, return_dict=True)
                logs.update({f"val_{k}": v for k, v in scores.items()})
            self._step_scheduler(logs, lr)
            _call(cbs, "on_epoch_end", epoch, logs)
            numbers = {k: f"{v:.4f}" for k, v in logs.items()}
            if bar is not None:
                bar.set_postfix(numbers, refresh=False)
                bar.close()
            elif verbose == 2:
                text = " - ".join(f"{k}: {v}" for k, v in numbers.items())
                print(f"{desc} - {time.perf_counter() - start:.1f}s - {text}")
            if self.stop_training:
                break
        _call(cbs, "on_train_end")
        return self.history

    def _train_epoch(self, X: np.ndarray, Y: np.ndarray, batch_size: int, shuffle: bool,
                     cbs: list[Callback], bar: Any) -> dict:  # fmt: skip
        self.train()
        n = len(X)
        order = generator().permutation(n) if shuffle else np.arange(n)
        per_batch = isinstance(self.scheduler, OneCycleLR)
        total, seen, outputs = 0.0, 0, []
        for i, first in enumerate(range(0, n, batch_size)):
            _call(cbs, "on_train_batch_begin", i)
            idx = order[first : first + batch_size]
            out = self(from_numpy(X[idx]))
            loss = self.loss_fn(out, from_numpy(Y[idx]))
            self.optimizer.zero_grad()
            loss.backward()
            self.optimizer.step()
            if per_batch:
                self.scheduler.step()
            value = loss.item()
            total, seen = total + value * len(idx), seen + len(idx)
            if self.metric_fns:
                outputs.append(out.data)
            _call(cbs, "on_train_batch_end", i, {"loss": total / seen})
            if bar is not None:
                bar.update(1)
                if i % 10 == 0:
                    bar.set_postfix(loss=f"{total / seen:.4f}", refresh=False)
            if not math.isfinite(value):
                warnings.warn(
                    f"fit: the loss is {value} at batch {i}; stopping. Lower the learning "
                    "rate, or check the inputs and targets for nan/inf",
                    RuntimeWarning,
                    stacklevel=3,
                )
                self.stop_training = True
            if self.stop_training:
                break
        logs = {"loss": total / max(seen, 1)}
        if self.metric_fns and outputs:
            logs.update(self._metrics(Y[order[:seen]], np.concatenate(outputs)))
        return logs

    def _metrics(self, y_true: np.ndarray, outputs: np.ndarray) -> dict:
        return {name: float(fn(y_true, outputs)) for name, fn in self.metric_fns}

    def _step_scheduler(self, logs: dict, lr: float) -> None:
        """Step an epoch-wise scheduler; log the learning rate the epoch began with."""
        if self.scheduler is None:
            return
        if isinstance(self.scheduler, ReduceLROnPlateau):
            self.scheduler.step(logs.get("val_loss", logs["loss"]))
        elif not isinstance(self.scheduler, OneCycleLR):
            self.scheduler.step()
        logs["learning_rate"] = lr

    # ------------------------------------------------------------------ inference
    def predict(self, x: Any, batch_size: int | None = None, verbose: int | str = 0) -> np.ndarray:
        """The model's outputs for ``x`` (eval mode, no graph), as a NumPy array.

        Runs in batches of ``batch_size`` (default 32) with dropout off and batch norm using
        its running statistics; the model's training mode is restored afterwards.
        """
        X, _ = as_arrays(x, None, self._takes_indices(), "predict")
        batch_size = check_batch_size(batch_size, "predict")
        was_training = self.training
        self.eval()
        try:
            with no_grad():
                starts = range(0, len(X), batch_size)
                outs = [self(from_numpy(X[i : i + batch_size])).data for i in starts]
        finally:
            self.train(was_training)
        return np.concatenate(outs) if outs else np.empty((0,), np.float32)

    def evaluate(self, x: Any, y: Any = None, batch_size: int | None = None,
                 verbose: int | str = 0, return_dict: bool = False) -> Any:  # fmt: skip
        """Loss (and metrics) on ``(x, y)`` in eval mode.

        Returns the loss as a float when no metrics were compiled, else ``[loss, *metrics]``
        in the compiled order, or a dict ``{"loss": ..., name: ...}`` with ``return_dict``.
        ``verbose=1`` prints them on one line.
        """
        X, Y = as_arrays(x, y, self._takes_indices(), "evaluate")
        self._prepare(X, "evaluate")
        outputs = self.predict(X, batch_size=batch_size)
        with no_grad():
            loss = float(self.loss_fn(from_numpy(outputs), from_numpy(Y)).item())
        logs = {"loss": loss, **self._metrics(Y, outputs)}
        if verbose:
            print(" - ".join(f"{k}: {v:.4f}" for k, v in logs.items()))
        if return_dict:
            return logs
        return loss if len(logs) == 1 else list(logs.values())

    def summary(self, print_fn: Any = print) -> str:
        """Print (with ``print_fn``) and return a Keras-like table of the layers, their output
        shapes and parameter counts. Needs the input size: ``input_dim=`` or one call."""
        from groundup.model_summary import summary_table

        text = summary_table(self)
        if print_fn is not None:
            print_fn(text)
        return text


Sequential = Model


def _progress_bar(n: int, batch_size: int, desc: str) -> Any:
    from tqdm.auto import tqdm

    return tqdm(total=math.ceil(n / batch_size), desc=desc, unit="batch", leave=True)


def _call(callbacks: list[Callback], hook: str, *args: Any) -> None:
    for cb in callbacks:
        getattr(cb, hook)(*args)
