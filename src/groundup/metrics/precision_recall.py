"""Precision, recall and F-scores, per label or averaged, with scikit-learn's numbers and rules.

Counts come from three ``np.bincount`` calls (true positives, predictions, true labels per
label), no loop over samples or classes; averages "binary", "micro", "macro", "weighted" or
None and ``zero_division`` behave as in scikit-learn.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from groundup.metrics._checks import as_array, check_sample_weight, check_targets, warn_undefined

__all__ = [
    "f1_score",
    "fbeta_score",
    "precision_recall_fscore_support",
    "precision_score",
    "recall_score",
]

_AVERAGES = (None, "micro", "macro", "weighted", "samples")


def _zero_division_value(zero_division: Any) -> float:
    if isinstance(zero_division, str) and zero_division == "warn":
        return 0.0
    if isinstance(zero_division, (int, float)) and not isinstance(zero_division, bool):
        if zero_division in (0, 1):
            return float(zero_division)
        if math.isnan(zero_division):
            return math.nan
    raise ValueError(f"zero_division must be 'warn', 0.0, 1.0 or np.nan; got {zero_division!r}")


def _set_wise_labels(
    y_type: str, present: np.ndarray, average: str | None, labels: Any, pos_label: Any
) -> Any:
    """The labels to score: [pos_label] for average='binary', else the user's (or None)."""
    if average not in _AVERAGES and average != "binary":
        raise ValueError(f"average has to be one of {_AVERAGES}")
    if average == "samples":
        raise ValueError(
            "Samplewise metrics are not available outside of multilabel classification."
        )
    if average == "binary":
        if y_type == "binary":
            if pos_label not in present.tolist() and len(present) >= 2:
                raise ValueError(
                    f"pos_label={pos_label!r} is not a valid label. It should be one of "
                    f"{present.tolist()}"
                )
            return [pos_label]
        raise ValueError(
            f"Target is {y_type} but average='binary'. Please choose another average setting, "
            f"one of {[None, 'micro', 'macro', 'weighted']}."
        )
    if pos_label not in (None, 1):
        warnings.warn(
            f"Note that pos_label (set to {pos_label!r}) is ignored when average != 'binary' "
            f"(got {average!r}). You may use labels=[pos_label] to specify a single positive "
            f"class.",
            UserWarning,
            stacklevel=4,
        )
    return labels


def _label_counts(
    y_true: np.ndarray, y_pred: np.ndarray, present: np.ndarray, labels: Any, w: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(true positives, predicted, true) per label, in the order of labels (default: sorted)."""
    if labels is None:
        chosen = present
    else:
        chosen = as_array(labels, "labels").reshape(-1)
    every = np.unique(np.concatenate([chosen, np.setdiff1d(present, chosen)]))
    t = np.searchsorted(every, y_true)
    p = np.searchsorted(every, y_pred)
    hit = t == p
    m = len(every)
    tp = np.bincount(t[hit], weights=None if w is None else w[hit], minlength=m)
    pred = np.bincount(p, weights=w, minlength=m)
    true = np.bincount(t, weights=w, minlength=m)
    idx = np.searchsorted(every, chosen)
    return tp[idx], pred[idx], true[idx]


def _prf_divide(
    num: np.ndarray,
    den: np.ndarray,
    metric: str,
    modifier: str,
    average: str | None,
    warn_for: Any,
    zero_division: Any,
) -> np.ndarray:
    """num / den, with zero_division where den == 0 (and a warning if it is "warn")."""
    den = np.asarray(den, dtype=np.float64)
    mask = den == 0
    out = np.asarray(num, dtype=np.float64) / np.where(mask, 1.0, den)
    if not mask.any():
        return out
    out[mask] = _zero_division_value(zero_division)
    if isinstance(zero_division, str) and zero_division == "warn" and metric in warn_for:
        where = "due to" if len(out) == 1 else "in labels with"
        warn_undefined(
            f"{metric.capitalize()} is ill-defined and being set to 0.0 {where} no {modifier} "
            f"samples. Use `zero_division` parameter to control this behavior."
        )
    return out


def _nanaverage(a: np.ndarray, weights: np.ndarray | None) -> float:
    """Average of a ignoring NaNs (scikit-learn's ``_nanaverage``); NaN when all are NaN."""
    nan = np.isnan(a)
    if len(a) == 0 or nan.all():
        return math.nan
    if weights is None:
        return float(np.mean(a[~nan]))
    a, weights = a[~nan], np.asarray(weights)[~nan]
    try:
        return float(np.average(a, weights=weights))
    except ZeroDivisionError:  # all weights zero
        return float(np.average(a))


def precision_recall_fscore_support(
    y_true: Any,
    y_pred: Any,
    *,
    beta: float = 1.0,
    labels: Any = None,
    pos_label: Any = 1,
    average: str | None = None,
    warn_for: Any = ("precision", "recall", "f-score"),
    sample_weight: Any = None,
    zero_division: Any = "warn",
) -> tuple:
    """Precision ``tp / (tp + fp)``, recall ``tp / (tp + fn)``, F-beta and support, per label.

    ``F_beta = (1 + beta^2) tp / ((1 + beta^2) tp + beta^2 fn + fp)``. Parameters as in
    :func:`precision_score` (plus ``beta``, ``warn_for``); with ``average=None`` the four
    results are arrays over the labels, else three floats and None.

    Examples
    --------
    >>> p, r, f, s = precision_recall_fscore_support([0, 1, 1, 2], [0, 1, 2, 2])
    >>> p.tolist(), r.tolist(), s.tolist()
    ([1.0, 1.0, 0.5], [1.0, 0.5, 1.0], [1, 2, 1])
    """
    _zero_division_value(zero_division)
    if beta < 0:
        raise ValueError(f"beta should be >= 0, got {beta}")
    y_type, present, y_true, y_pred = check_targets(y_true, y_pred)
    w = check_sample_weight(sample_weight, len(y_true))
    labels = _set_wise_labels(y_type, present, average, labels, pos_label)
    tp, pred, true = _label_counts(y_true, y_pred, present, labels, w)
    if average == "micro":
        tp, pred, true = tp.sum(keepdims=True), pred.sum(keepdims=True), true.sum(keepdims=True)
    args = (average, warn_for, zero_division)
    precision = _prf_divide(tp, pred, "precision", "predicted", *args)
    recall = _prf_divide(tp, true, "recall", "true", *args)
    if np.isposinf(beta):
        f_score = recall
    elif beta == 0:
        f_score = precision
    else:
        beta2 = beta**2
        den = beta2 * true.astype(np.float64) + pred.astype(np.float64)
        num = (1 + beta2) * tp.astype(np.float64)
        f_score = _prf_divide(num, den, "f-score", "true nor predicted", *args)
    if average is None:
        return precision, recall, f_score, true
    weights = true if average == "weighted" else None
    return (
        _nanaverage(precision, weights),
        _nanaverage(recall, weights),
        _nanaverage(f_score, weights),
        None,
    )


def precision_score(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Any = None,
    pos_label: Any = 1,
    average: str | None = "binary",
    sample_weight: Any = None,
    zero_division: Any = "warn",
) -> Any:
    """Precision, ``tp / (tp + fp)``: the fraction of positive predictions that are right.

    Parameters
    ----------
    y_true, y_pred : array_like or Tensor of shape (n_samples,)
        True and predicted labels (ints or strings).
    labels : array_like, optional
        The labels to score (default: all present, sorted); may include absent ones.
    pos_label : int or str, default=1
        The positive class for ``average="binary"``.
    average : {"binary", "micro", "macro", "weighted"} or None, default="binary"
        "binary": the score of ``pos_label`` (binary targets only); "micro": from the total
        counts; "macro": unweighted mean over labels; "weighted": mean weighted by support;
        None: one score per label.
    sample_weight : array_like of shape (n_samples,), optional
    zero_division : {"warn", 0.0, 1.0, np.nan}, default="warn"
        The value where the denominator is 0 ("warn": 0.0 and an UndefinedMetricWarning).

    Returns
    -------
    float or ndarray of shape (n_labels,)

    Examples
    --------
    >>> precision_score([0, 1, 1, 0], [1, 1, 1, 0])
    0.6666666666666666
    >>> precision_score(["a", "b", "c"], ["a", "c", "c"], average="macro", zero_division=0)
    0.5
    """
    p, _, _, _ = precision_recall_fscore_support(
        y_true,
        y_pred,
        labels=labels,
        pos_label=pos_label,
        average=average,
        warn_for=("precision",),
        sample_weight=sample_weight,
        zero_division=zero_division,
    )
    return p


def recall_score(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Any = None,
    pos_label: Any = 1,
    average: str | None = "binary",
    sample_weight: Any = None,
    zero_division: Any = "warn",
) -> Any:
    """Recall, ``tp / (tp + fn)``: the fraction of the positives that are found.

    Parameters and returns as :func:`precision_score`.

    Examples
    --------
    >>> recall_score([0, 1, 1, 0], [1, 1, 0, 0])
    0.5
    """
    _, r, _, _ = precision_recall_fscore_support(
        y_true,
        y_pred,
        labels=labels,
        pos_label=pos_label,
        average=average,
        warn_for=("recall",),
        sample_weight=sample_weight,
        zero_division=zero_division,
    )
    return r


def fbeta_score(
    y_true: Any,
    y_pred: Any,
    *,
    beta: float,
    labels: Any = None,
    pos_label: Any = 1,
    average: str | None = "binary",
    sample_weight: Any = None,
    zero_division: Any = "warn",
) -> Any:
    """F-beta, ``(1 + beta^2) P R / (beta^2 P + R)``: recall weighs ``beta`` times as much.

    ``beta`` (>= 0) is required; the other parameters and the returns are as in
    :func:`precision_score`.

    Examples
    --------
    >>> round(fbeta_score([0, 1, 1, 0], [1, 1, 0, 0], beta=2.0), 4)
    0.5
    """
    _, _, f, _ = precision_recall_fscore_support(
        y_true,
        y_pred,
        beta=beta,
        labels=labels,
        pos_label=pos_label,
        average=average,
        warn_for=("f-score",),
        sample_weight=sample_weight,
        zero_division=zero_division,
    )
    return f


def f1_score(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Any = None,
    pos_label: Any = 1,
    average: str | None = "binary",
    sample_weight: Any = None,
    zero_division: Any = "warn",
) -> Any:
    """F1, the harmonic mean of precision and recall: ``2 P R / (P + R)``.

    Parameters and returns as :func:`precision_score`.

    Examples
    --------
    >>> f1_score([0, 1, 1, 0], [1, 1, 0, 0])
    0.5
    >>> f1_score([0, 1, 2, 0], [0, 2, 1, 0], average=None).tolist()
    [1.0, 0.0, 0.0]
    """
    return fbeta_score(
        y_true,
        y_pred,
        beta=1.0,
        labels=labels,
        pos_label=pos_label,
        average=average,
        sample_weight=sample_weight,
        zero_division=zero_division,
    )
