"""Classifier targets: encoding the labels of y, and the ``class_weight`` argument."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["check_classes", "class_weights", "reject_continuous_labels"]


def reject_continuous_labels(y: np.ndarray, name: str, regressor: str = "a regressor") -> None:
    """Raise scikit-learn's "Unknown label type: continuous" (its checks grep it) for real y.

    Examples
    --------
    >>> reject_continuous_labels(np.array([0.0, 1.0]), "Clf")  # whole numbers are labels
    """
    if y.dtype.kind == "f" and np.any(y != np.round(y)):
        raise ValueError(
            f"{name}.fit: Unknown label type: continuous. Expected class labels; for a "
            f"real-valued target use {regressor}."
        )


def check_classes(y: np.ndarray, name: str) -> tuple[np.ndarray, np.ndarray]:
    """``classes_`` and encoded y; reject continuous targets and a single class.

    Examples
    --------
    >>> check_classes(np.array(["b", "a", "b"]), "Clf")
    (array(['a', 'b'], dtype='<U1'), array([1, 0, 1]))
    """
    reject_continuous_labels(y, name)
    classes, encoded = np.unique(y, return_inverse=True)
    if len(classes) < 2:
        raise ValueError(
            f"{name}.fit: needs samples of at least 2 classes in the data, but the data "
            f"contains only one class: {classes[0]!r}"
        )
    return classes, encoded


def class_weights(
    class_weight: Any, classes: np.ndarray, encoded: np.ndarray, name: str
) -> np.ndarray:
    """Weight of each class: 1, ``n / (K count_c)`` for "balanced", or by label from a dict.

    ``encoded`` holds each sample's class index into ``classes``; a class absent from it
    (a forest's bootstrap draw) counts as 1 under "balanced". Index the result with
    ``encoded`` for per-sample weights.

    Examples
    --------
    >>> class_weights("balanced", np.array([0, 1]), np.array([0, 0, 0, 1]), "Tree")
    array([0.66666667, 2.        ])
    >>> class_weights({1: 3.0}, np.array([0, 1]), np.array([0, 1]), "Tree")
    array([1., 3.])
    """
    K = len(classes)
    if class_weight is None:
        return np.ones(K)
    if isinstance(class_weight, str) and class_weight == "balanced":
        counts = np.bincount(encoded, minlength=K)
        return len(encoded) / (K * np.maximum(counts, 1))
    if isinstance(class_weight, dict):
        return np.array([float(class_weight.get(c, 1.0)) for c in classes.tolist()])
    raise ValueError(
        f"{name}: class_weight must be None, 'balanced' or a dict, got {class_weight!r}"
    )
