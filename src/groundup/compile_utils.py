"""What ``Model.compile`` accepts by name (optimizers, losses, metrics), resolved Keras-style,
and the arrays ``fit``/``evaluate``/``predict`` take.

Keras losses take probabilities (a model ending in softmax/sigmoid) while PyTorch's take
logits. ``get_loss`` looks at the model's last layer and picks the matching form, so
``Dense(10, activation="softmax")`` + ``"sparse_categorical_crossentropy"`` and a bare
``Dense(10)`` + ``"cross_entropy"`` both train correctly.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from groundup import metrics as M
from groundup import nn, optim
from groundup.tensor import Tensor

__all__ = [
    "get_optimizer",
    "get_loss",
    "get_metric",
    "output_activation",
    "as_arrays",
    "as_inputs",
    "check_batch_size",
    "first_in_features",
    "split_validation",
]

# name -> (optimizer class name, Keras's default learning rate); the other hyperparameters
# are PyTorch's defaults (Adam's eps 1e-8, RMSprop's alpha 0.99), as the classes have them.
OPTIMIZERS = {
    "sgd": ("SGD", 0.01),
    "adam": ("Adam", 1e-3),
    "adamw": ("AdamW", 1e-3),
    "rmsprop": ("RMSprop", 1e-3),
    "adagrad": ("Adagrad", 1e-3),
}

LOSSES = (
    "cross_entropy",
    "sparse_categorical_crossentropy",
    "categorical_crossentropy",
    "binary_crossentropy",
    "mse",
    "mae",
)


def get_optimizer(spec: Any, params: list | None) -> Any:
    """An optimizer instance from a name (``"adam"``) or the instance itself.

    With ``params=None`` the spec is only checked (None is returned).
    """
    if not isinstance(spec, str):
        if not hasattr(spec, "step") or not hasattr(spec, "param_groups"):
            raise TypeError(
                f"compile: optimizer must be a name ({', '.join(OPTIMIZERS)}) or an optimizer "
                f"instance such as optim.Adam(model.parameters()), got {type(spec).__name__}"
            )
        return spec
    key = spec.lower()
    if key not in OPTIMIZERS:
        raise ValueError(f"compile: unknown optimizer {spec!r}; expected one of {list(OPTIMIZERS)}")
    name, lr = OPTIMIZERS[key]
    return None if params is None else getattr(optim, name)(params, lr=lr)


def output_activation(model: Any) -> str | None:
    """``"softmax"`` or ``"sigmoid"`` when the model's last layer outputs probabilities."""
    last = model
    while True:
        children = list(last.children()) if hasattr(last, "children") else []
        if not children:
            break
        last = children[-1]
    activation = getattr(last, "activation", None)  # Dense(..., activation="softmax")
    name = activation if isinstance(activation, str) else type(last).__name__.lower()
    return name if name in ("softmax", "sigmoid") else None


def _nll_of_probabilities(p: Any, target: Any) -> Any:
    """-mean(log p[target]) for probabilities p (N, C) and class indices (N,)."""
    rows = p._xp.arange(p.shape[0])
    return -(p[rows, target.data].clip(1e-7, 1.0).log()).mean()


def _categorical_of_probabilities(p: Any, target: Any) -> Any:
    """-mean(sum(y log p)) for probabilities p and one-hot (or soft) targets y."""
    return -(target * p.clip(1e-7, 1.0).log()).sum(dim=1).mean()


def _named(fn: Callable, like: Any) -> Callable:
    fn.__name__ = getattr(like, "__name__", type(like).__name__)
    return fn


def _class_targets(loss: Callable) -> Callable:
    """Class indices as int64 (Keras accepts float labels and (N, 1) columns)."""

    def fn(output: Any, target: Any) -> Any:
        if target.ndim == 2 and target.shape[1] == 1:
            target = target.reshape(-1)
        if target.dtype.kind != "i":
            target = target.long()
        return loss(output, target)

    return _named(fn, loss)


def _float_targets(loss: Callable) -> Callable:
    """One-hot, 0/1 or real targets as the output's dtype, and (N,) matched to (N, 1)."""

    def fn(output: Any, target: Any) -> Any:
        if target.shape != output.shape and target.data.size == output.data.size:
            target = target.reshape(output.shape)
        return loss(output, target.to(output.dtype))

    return _named(fn, loss)


def get_loss(spec: Any, activation: str | None) -> Callable:
    """A loss function ``(output, target) -> scalar tensor`` from a name or a callable.

    A callable is used as given, with PyTorch's argument order ``(output, target)``.
    """
    if not isinstance(spec, str):
        if not callable(spec):
            raise TypeError(
                f"compile: loss must be a name or a callable (output, target), got {spec!r}"
            )
        return spec
    key = spec.lower()
    probabilities = activation is not None
    if key in ("cross_entropy", "sparse_categorical_crossentropy"):
        return _class_targets(_nll_of_probabilities if probabilities else nn.CrossEntropyLoss())
    if key == "categorical_crossentropy":
        return _float_targets(
            _categorical_of_probabilities if probabilities else nn.CrossEntropyLoss()
        )
    if key in ("binary_crossentropy", "bce"):
        return _float_targets(nn.BCELoss() if probabilities else nn.BCEWithLogitsLoss())
    if key in ("mse", "mean_squared_error"):
        return _float_targets(nn.MSELoss())
    if key in ("mae", "mean_absolute_error"):
        return _float_targets(nn.L1Loss())
    raise ValueError(
        f"compile: unknown loss {spec!r}; expected one of {', '.join(LOSSES)}, "
        "or a callable (output, target) such as nn.CrossEntropyLoss()"
    )


def _predicted_classes(output: np.ndarray, activation: str | None) -> np.ndarray:
    if output.ndim > 1 and output.shape[-1] > 1:
        return output.argmax(axis=-1)
    threshold = 0.5 if activation is not None else 0.0  # probabilities, or logits
    return (output.reshape(len(output)) > threshold).astype(np.int64)


def _true_classes(target: np.ndarray) -> np.ndarray:
    if target.ndim > 1 and target.shape[-1] > 1:  # one-hot
        return target.argmax(axis=-1)
    return target.reshape(len(target)).astype(np.int64)


def _positive_score(output: np.ndarray) -> np.ndarray:
    """A score that orders samples as P(class 1) does: the output, or p1 - p0 (l1 - l0)."""
    if output.ndim > 1 and output.shape[-1] == 2:
        return output[:, 1] - output[:, 0]
    if output.ndim > 1 and output.shape[-1] > 2:
        raise ValueError(f"metric 'auc': needs a binary output, got shape {output.shape}")
    return output.reshape(len(output))


def get_metric(spec: Any, activation: str | None) -> tuple[str, Callable]:
    """``(name, fn(y_true, output) -> float)`` for a metric name or a callable.

    Names: ``accuracy`` (also ``acc``, ``binary_accuracy``, ``categorical_accuracy``,
    ``sparse_categorical_accuracy``), ``precision``, ``recall``, ``f1`` (binary, or macro
    averages for more than two classes), ``auc`` (binary), ``mse``, ``mae``, ``r2``. A
    callable gets the targets and the raw outputs as NumPy arrays; it is logged under its
    ``__name__``.
    """
    if callable(spec):
        return getattr(spec, "__name__", type(spec).__name__), spec
    if not isinstance(spec, str):
        raise TypeError(f"compile: a metric must be a name or a callable, got {spec!r}")
    key = spec.lower()

    def classes(score: Callable, averaged: bool = False) -> Callable:
        def fn(y_true: np.ndarray, output: np.ndarray) -> float:
            pred, true = _predicted_classes(output, activation), _true_classes(y_true)
            if not averaged:
                return float(score(true, pred))
            multiclass = output.ndim > 1 and output.shape[-1] > 2
            return float(score(true, pred, average="macro" if multiclass else "binary"))

        return fn

    def values(score: Callable) -> Callable:
        return lambda y_true, output: float(score(y_true.ravel(), output.ravel()))

    accuracy = classes(M.accuracy_score)
    table = {
        "accuracy": accuracy,
        "acc": accuracy,
        "binary_accuracy": accuracy,
        "categorical_accuracy": accuracy,
        "sparse_categorical_accuracy": accuracy,
        "precision": classes(M.precision_score, averaged=True),
        "recall": classes(M.recall_score, averaged=True),
        "f1": classes(M.f1_score, averaged=True),
        "auc": lambda y, out: float(M.roc_auc_score(_true_classes(y), _positive_score(out))),
        "mse": values(M.mean_squared_error),
        "mae": values(M.mean_absolute_error),
        "r2": values(M.r2_score),
    }
    if key not in table:
        raise ValueError(f"compile: unknown metric {spec!r}; expected one of {list(table)}")
    return key, table[key]


# ---------------------------------------------------------------------- what fit takes
def check_batch_size(batch_size: int | None, where: str) -> int:
    """``batch_size`` as an int, 32 (Keras's default) for None."""
    if batch_size is None:
        return 32
    if not isinstance(batch_size, (int, np.integer)) or batch_size < 1 or batch_size is True:
        raise ValueError(f"{where}: batch_size must be a positive int, got {batch_size!r}")
    return int(batch_size)


def as_inputs(X: np.ndarray, takes_indices: bool) -> np.ndarray:
    """float32 (Keras's default), except integer indices for a model starting with Embedding."""
    if X.dtype.kind in "iu" and takes_indices:
        return X.astype(np.int64, copy=False)
    if X.dtype.kind in "fiub" and X.dtype != np.float32:
        return X.astype(np.float32)
    return X


def as_arrays(x: Any, y: Any, takes_indices: bool, where: str) -> tuple[np.ndarray, Any]:
    """Inputs via ``as_inputs``; targets as int64 classes or float32 values."""
    if x is None:
        raise ValueError(f"{where}: pass the inputs x")
    X = as_inputs(x.numpy() if isinstance(x, Tensor) else np.asarray(x), takes_indices)
    if X.ndim == 0:
        raise ValueError(f"{where}: x must have a batch dimension, got a scalar")
    if y is None:
        return X, None
    Y = y.numpy() if isinstance(y, Tensor) else np.asarray(y)
    Y = Y.astype(np.int64) if Y.dtype.kind in "iub" else Y.astype(np.float32, copy=False)
    if len(X) != len(Y):
        raise ValueError(f"{where}: x has {len(X)} samples but y has {len(Y)}")
    return X, Y


def first_in_features(net: nn.Module) -> tuple | None:
    """``(in_features,)`` of the first layer when it knows it (``input_dim=``), else None."""
    first = next(iter(net.children()), None)
    n_in = getattr(first, "in_features", None) if first is not None else None
    return (n_in,) if isinstance(n_in, int) else None


def split_validation(X: np.ndarray, Y: np.ndarray, validation_split: float,
                     validation_data: Any, takes_indices: bool) -> tuple:  # fmt: skip
    """``(X, Y, (X_val, Y_val) or None)``: ``validation_data``, else the last
    ``validation_split`` of the samples, before any shuffling (Keras's rule)."""
    if validation_data is not None:
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
            raise ValueError("fit: validation_data must be a tuple (x_val, y_val)")
        return X, Y, as_arrays(*validation_data[:2], takes_indices, "fit: validation_data")
    if not validation_split:
        return X, Y, None
    if not 0.0 < validation_split < 1.0:
        raise ValueError(f"fit: validation_split must be in (0, 1), got {validation_split}")
    cut = math.floor(len(X) * (1.0 - validation_split))
    if cut in (0, len(X)):
        raise ValueError(
            f"fit: {len(X)} samples are too few to split off validation_split={validation_split}"
        )
    return X[:cut], Y[:cut], (X[cut:], Y[cut:])
