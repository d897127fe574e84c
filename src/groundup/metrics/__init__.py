"""Metrics with scikit-learn's names, arguments and numbers, on lists, arrays or Tensors.

Classification: :func:`accuracy_score`, :func:`precision_score`, :func:`recall_score`,
:func:`f1_score`, :func:`fbeta_score`, :func:`precision_recall_fscore_support`,
:func:`confusion_matrix`, :func:`classification_report`; scores and probabilities:
:func:`roc_auc_score`, :func:`log_loss`; regression: :func:`mean_squared_error`,
:func:`root_mean_squared_error`, :func:`mean_absolute_error`, :func:`r2_score`.
:func:`get_metric` finds one by the short names ``Model.compile(metrics=[...])`` takes.

Examples
--------
>>> from groundup import metrics
>>> metrics.accuracy_score([0, 1, 1], [0, 1, 0])
0.6666666666666666
>>> metrics.get_metric("mse")([1.0, 2.0], [1.0, 4.0])
2.0
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from groundup.metrics._checks import UndefinedMetricWarning
from groundup.metrics.classification import (
    accuracy_score,
    classification_report,
    confusion_matrix,
)
from groundup.metrics.precision_recall import (
    f1_score,
    fbeta_score,
    precision_recall_fscore_support,
    precision_score,
    recall_score,
)
from groundup.metrics.probabilistic import log_loss, roc_auc_score
from groundup.metrics.regression import (
    mean_absolute_error,
    mean_squared_error,
    r2_score,
    root_mean_squared_error,
)

__all__ = [
    "UndefinedMetricWarning",
    "accuracy_score",
    "classification_report",
    "confusion_matrix",
    "f1_score",
    "fbeta_score",
    "get_metric",
    "log_loss",
    "mean_absolute_error",
    "mean_squared_error",
    "precision_recall_fscore_support",
    "precision_score",
    "r2_score",
    "recall_score",
    "roc_auc_score",
    "root_mean_squared_error",
]

_BY_NAME: dict[str, Callable[..., Any]] = {
    "accuracy": accuracy_score,
    "acc": accuracy_score,
    "precision": precision_score,
    "recall": recall_score,
    "f1": f1_score,
    "auc": roc_auc_score,
    "roc_auc": roc_auc_score,
    "log_loss": log_loss,
    "mse": mean_squared_error,
    "mean_squared_error": mean_squared_error,
    "rmse": root_mean_squared_error,
    "mae": mean_absolute_error,
    "mean_absolute_error": mean_absolute_error,
    "r2": r2_score,
}


def get_metric(name: str | Callable[..., Any]) -> Callable[..., Any]:
    """The metric function for a name (``"accuracy"``, ``"f1"``, ``"mse"``, ``"r2"``, ...).

    Also accepts the full function names (``"accuracy_score"``) and passes a callable
    through. The functions take ``(y_true, y_pred)`` labels or values: a caller holding
    logits or probabilities turns them into labels first.

    Examples
    --------
    >>> get_metric("accuracy") is accuracy_score
    True
    """
    if callable(name):
        return name
    key = str(name).lower()
    if key in _BY_NAME:
        return _BY_NAME[key]
    if key in __all__ and key not in ("get_metric", "UndefinedMetricWarning"):
        return globals()[key]
    raise ValueError(
        f"get_metric: unknown metric {name!r}; expected one of {sorted(_BY_NAME)} or a "
        f"function name of groundup.metrics"
    )
