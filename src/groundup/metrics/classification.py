"""Label metrics: accuracy, the confusion matrix and the classification report.

Each takes ``y_true`` and ``y_pred`` as lists, NumPy arrays or groundup Tensors of class
labels (ints or strings) and returns scikit-learn's numbers for the same arguments. The
confusion matrix is one ``np.bincount`` over ``true * n_labels + pred``.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from groundup.metrics._checks import as_array, check_sample_weight, check_targets, encode
from groundup.metrics.precision_recall import precision_recall_fscore_support

__all__ = ["accuracy_score", "classification_report", "confusion_matrix"]


def accuracy_score(
    y_true: Any, y_pred: Any, *, normalize: bool = True, sample_weight: Any = None
) -> float:
    """Fraction (or, with ``normalize=False``, number) of correct predictions.

    Examples
    --------
    >>> accuracy_score([0, 1, 2, 3], [0, 2, 1, 3])
    0.5
    >>> accuracy_score(["a", "b"], ["a", "a"], normalize=False)
    1.0
    """
    _, _, y_true, y_pred = check_targets(y_true, y_pred)
    w = check_sample_weight(sample_weight, len(y_true))
    correct = y_true == y_pred
    if normalize:
        return float(np.average(correct, weights=w))
    return float(correct @ w) if w is not None else float(correct.sum())


def confusion_matrix(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Any = None,
    sample_weight: Any = None,
    normalize: str | None = None,
) -> np.ndarray:
    """``C[i, j]``: the number of samples of class ``labels[i]`` predicted as ``labels[j]``.

    Parameters
    ----------
    y_true, y_pred : array_like or Tensor of shape (n_samples,)
        True and predicted labels.
    labels : array_like, optional
        Rows and columns, in this order (default: the sorted labels of ``y_true`` and
        ``y_pred``); samples with other labels are left out.
    sample_weight : array_like of shape (n_samples,), optional
    normalize : {"true", "pred", "all"}, optional
        Divide by the row sums, the column sums or the total (0 where a sum is 0).

    Returns
    -------
    ndarray of shape (n_labels, n_labels)
        int64 counts, or float64 with weights or ``normalize``.

    Examples
    --------
    >>> confusion_matrix([2, 0, 2, 2, 0, 1], [0, 0, 2, 2, 0, 2])
    array([[2, 0, 0],
           [0, 0, 1],
           [1, 0, 2]])
    """
    if normalize not in (None, "true", "pred", "all"):
        raise ValueError(f"normalize must be one of None, 'true', 'pred', 'all'; got {normalize!r}")
    _, present, y_true, y_pred = check_targets(y_true, y_pred)
    w = check_sample_weight(sample_weight, len(y_true))
    if labels is None:
        labels = present
    else:
        labels = as_array(labels, "labels").reshape(-1)
        if labels.size == 0:
            raise ValueError("'labels' should contain at least one label.")
        if len(np.intersect1d(y_true, labels)) == 0:
            raise ValueError("At least one label specified must be in y_true")
    n = len(labels)
    t, t_found = encode(y_true, labels)
    p, p_found = encode(y_pred, labels)
    keep = t_found & p_found
    cells = t[keep] * n + p[keep]
    if w is None:
        cm = np.bincount(cells, minlength=n * n).astype(np.int64).reshape(n, n)
    else:
        cm = np.bincount(cells, weights=w[keep], minlength=n * n).reshape(n, n)
        if w.dtype.kind in "iub":
            cm = cm.astype(np.int64)
    if normalize is not None:
        with np.errstate(all="ignore"):
            if normalize == "true":
                cm = cm / cm.sum(axis=1, keepdims=True)
            elif normalize == "pred":
                cm = cm / cm.sum(axis=0, keepdims=True)
            else:
                cm = cm / cm.sum()
        cm = np.nan_to_num(cm)
    if cm.shape == (1, 1):
        warnings.warn(
            "A single label was found in 'y_true' and 'y_pred'. For the confusion matrix to "
            "have the correct shape, use the 'labels' parameter to pass all known labels.",
            UserWarning,
            stacklevel=2,
        )
    return cm


def classification_report(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Any = None,
    target_names: Any = None,
    sample_weight: Any = None,
    digits: int = 2,
    output_dict: bool = False,
    zero_division: Any = "warn",
) -> str | dict:
    """Precision, recall, F1 and support per class, then their averages: scikit-learn's table.

    Parameters
    ----------
    y_true, y_pred : array_like or Tensor of shape (n_samples,)
        True and predicted labels.
    labels : array_like, optional
        The classes to report, in this order (default: all present, sorted).
    target_names : list of str, optional
        Display names of ``labels``.
    sample_weight : array_like of shape (n_samples,), optional
    digits : int, default=2
        Decimals in the text table.
    output_dict : bool, default=False
        Return ``{name: {"precision": ..., "recall": ..., "f1-score": ..., "support": ...},
        "accuracy": ..., "macro avg": {...}, "weighted avg": {...}}`` instead of the text.
    zero_division : {"warn", 0.0, 1.0, np.nan}, default="warn"
        As in :func:`precision_score`.

    Returns
    -------
    str or dict

    Examples
    --------
    >>> print(classification_report([0, 1, 2, 2], [0, 1, 1, 2]))
                  precision    recall  f1-score   support
    <BLANKLINE>
               0       1.00      1.00      1.00         1
               1       0.50      1.00      0.67         1
               2       1.00      0.50      0.67         2
    <BLANKLINE>
        accuracy                           0.75         4
       macro avg       0.83      0.83      0.78         4
    weighted avg       0.88      0.75      0.75         4
    <BLANKLINE>
    """
    _, present, y_true, y_pred = check_targets(y_true, y_pred)
    labels_given = labels is not None
    labels = as_array(labels, "labels").reshape(-1) if labels_given else present
    # The "micro" average equals the accuracy when every present label is reported.
    micro_is_accuracy = not labels_given or set(labels.tolist()) >= set(present.tolist())
    if target_names is not None and len(labels) != len(target_names):
        if not labels_given:
            raise ValueError(
                f"Number of classes, {len(labels)}, does not match size of target_names, "
                f"{len(target_names)}. Try specifying the labels parameter"
            )
        warnings.warn(
            f"labels size, {len(labels)}, does not match size of target_names, {len(target_names)}",
            stacklevel=2,
        )
    if target_names is None:
        target_names = [f"{label}" for label in labels]
    headers = ["precision", "recall", "f1-score", "support"]
    kwargs = dict(labels=labels, sample_weight=sample_weight, zero_division=zero_division)
    p, r, f1, support = precision_recall_fscore_support(y_true, y_pred, average=None, **kwargs)
    rows = list(zip(target_names, p, r, f1, support))
    total = np.sum(support)

    averages = {}
    for average in ("micro", "macro", "weighted"):
        name = "accuracy" if average == "micro" and micro_is_accuracy else f"{average} avg"
        avg = precision_recall_fscore_support(y_true, y_pred, average=average, **kwargs)
        averages[name] = [avg[0], avg[1], avg[2], total]

    if output_dict:
        report = {row[0]: dict(zip(headers, [float(v) for v in row[1:]])) for row in rows}
        for name, values in averages.items():
            report[name] = dict(zip(headers, [float(v) for v in values]))
        if "accuracy" in report:
            report["accuracy"] = report["accuracy"]["precision"]
        return report

    width = max(max(len(name) for name in target_names), len("weighted avg"), digits)
    text = "{:>{width}s} ".format("", width=width) + " {:>9}" * 4
    text = text.format(*headers) + "\n\n"
    row_fmt = "{:>{width}s} " + " {:>9.{digits}f}" * 3 + " {:>9}\n"
    for row in rows:
        text += row_fmt.format(*row, width=width, digits=digits)
    text += "\n"
    for name, values in averages.items():
        if name == "accuracy":
            fmt = "{:>{width}s} " + " {:>9.{digits}}" * 2 + " {:>9.{digits}f}" + " {:>9}\n"
            text += fmt.format(name, "", "", *values[2:], width=width, digits=digits)
        else:
            text += row_fmt.format(name, *values, width=width, digits=digits)
    return text
