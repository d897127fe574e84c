"""Input checks shared by the metrics: arrays from lists or tensors, target types, labels."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

__all__ = [
    "UndefinedMetricWarning",
    "as_array",
    "check_sample_weight",
    "check_targets",
    "encode",
    "target_type",
    "unique_labels",
    "warn_undefined",
]


class UndefinedMetricWarning(UserWarning):
    """A score is undefined for the data (e.g. a precision with no positive predictions)."""


def as_array(y: Any, name: str) -> np.ndarray:
    """y as a NumPy array: lists, arrays and groundup Tensors (on any device) are accepted."""
    if hasattr(y, "detach") and hasattr(y, "numpy"):  # a groundup (or torch) tensor
        y = y.detach().cpu().numpy() if hasattr(y, "cpu") else y.numpy()
    try:
        return np.asarray(y)
    except ValueError as e:
        raise ValueError(f"{name}: cannot make an array of the input ({e})") from e


def _is_integral(y: np.ndarray) -> bool:
    return y.dtype.kind != "f" or bool(np.all(np.isfinite(y)) and np.all(y == np.round(y)))


def target_type(y: np.ndarray, name: str) -> str:
    """'binary', 'multiclass', 'continuous' or a 2-d kind, as scikit-learn's type_of_target."""
    if y.ndim == 2 and y.shape[1] == 1:
        y = y.ravel()
    if y.ndim > 2 or (y.ndim == 2 and y.shape[1] > 1):
        if y.ndim == 2 and np.isin(y, (0, 1)).all():
            return "multilabel-indicator"
        return "multiclass-multioutput"
    if y.ndim == 0:
        raise ValueError(f"{name}: expected a 1-d array of labels, got a scalar")
    if y.dtype.kind == "f" and not _is_integral(y):
        return "continuous"
    return "binary" if len(np.unique(y)) <= 2 else "multiclass"


def unique_labels(*ys: np.ndarray) -> np.ndarray:
    """The sorted union of the labels in ys; refuses a mix of strings and numbers."""
    kinds = {"str" if y.dtype.kind in "USO" and _all_str(y) else "num" for y in ys if y.size}
    if len(kinds) > 1 or any(y.dtype.kind == "O" and not _all_str(y) and _any_str(y) for y in ys):
        raise ValueError("Mix of label input types (string and number)")
    return np.unique(np.concatenate([y.ravel() for y in ys]))


def _all_str(y: np.ndarray) -> bool:
    return y.dtype.kind in "US" or all(isinstance(v, str) for v in y.ravel())


def _any_str(y: np.ndarray) -> bool:
    return any(isinstance(v, str) for v in y.ravel())


def check_targets(y_true: Any, y_pred: Any) -> tuple[str, np.ndarray, np.ndarray, np.ndarray]:
    """(type, sorted labels, y_true, y_pred) for a binary or multiclass task, 1-d arrays.

    Raises ValueError for different lengths, an empty input, continuous or multi-output
    targets, and a mix of string and number labels, as scikit-learn does.
    """
    y_true, y_pred = as_array(y_true, "y_true"), as_array(y_pred, "y_pred")
    if len(y_true) != len(y_pred):
        raise ValueError(
            f"Found input variables with inconsistent numbers of samples: "
            f"[{len(y_true)}, {len(y_pred)}]"
        )
    if len(y_true) == 0:
        raise ValueError(
            "Found empty input array (e.g., `y_true` or `y_pred`) while a minimum of 1 sample "
            "is required."
        )
    type_true, type_pred = target_type(y_true, "y_true"), target_type(y_pred, "y_pred")
    types = {type_true, type_pred}
    if types == {"binary", "multiclass"}:
        types = {"multiclass"}
    if len(types) > 1:
        raise ValueError(
            f"Classification metrics can't handle a mix of {type_true} and {type_pred} targets"
        )
    y_type = types.pop()
    if y_type not in ("binary", "multiclass"):
        raise ValueError(
            f"{y_type} targets are not supported: expected 1-d class labels, got y_true of "
            f"shape {y_true.shape} and y_pred of shape {y_pred.shape}"
        )
    y_true, y_pred = y_true.reshape(-1), y_pred.reshape(-1)
    labels = unique_labels(y_true, y_pred)
    if y_type == "binary" and len(labels) > 2:
        y_type = "multiclass"
    return y_type, labels, y_true, y_pred


def check_sample_weight(sample_weight: Any, n: int) -> np.ndarray | None:
    """sample_weight as a 1-d numeric array of length n (None stays None; ints stay ints)."""
    if sample_weight is None:
        return None
    w = as_array(sample_weight, "sample_weight")
    if w.ndim != 1 or len(w) != n:
        raise ValueError(
            f"sample_weight.shape == {w.shape}, expected ({n},): one weight per sample"
        )
    return w if w.dtype.kind in "iuf" else w.astype(np.float64)


def encode(y: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(index of each y in labels, mask of the y found there); labels in any order."""
    order = np.argsort(labels, kind="stable")
    sorted_labels = labels[order]
    pos = np.searchsorted(sorted_labels, y).clip(max=len(labels) - 1)
    found = sorted_labels[pos] == y
    return order[pos], found


def warn_undefined(message: str) -> None:
    warnings.warn(message, UndefinedMetricWarning, stacklevel=4)
