"""Metrics on scores and probabilities: ROC AUC (rank-based, ties counted half) and log loss."""

from __future__ import annotations

import math
import warnings
from itertools import combinations
from typing import Any

import numpy as np

from groundup.metrics._checks import (
    as_array,
    check_sample_weight,
    target_type,
    unique_labels,
    warn_undefined,
)

__all__ = ["log_loss", "roc_auc_score"]


def _binary_auc(positive: np.ndarray, score: np.ndarray, w: np.ndarray | None) -> float:
    """P(score of a positive > score of a negative) + P(tie) / 2, each pair weighted w_i w_j.

    The area under the ROC curve (the Mann-Whitney U statistic, normalised): sort the scores
    once, sum the weights of positives and negatives per distinct score, and count for each
    positive the negatives below it plus half those tied with it.
    """
    if len(np.unique(positive)) != 2:
        warn_undefined(
            "Only one class is present in y_true. ROC AUC score is not defined in that case."
        )
        return math.nan
    order = np.argsort(score, kind="mergesort")
    s = score[order]
    w = np.ones(len(s)) if w is None else np.asarray(w, dtype=np.float64)[order]
    pos = np.where(positive[order], w, 0.0)
    neg = w - pos
    starts = np.concatenate([[0], np.flatnonzero(s[1:] != s[:-1]) + 1])  # first of each tie group
    pos_g, neg_g = np.add.reduceat(pos, starts), np.add.reduceat(neg, starts)
    neg_below = np.cumsum(neg_g) - neg_g
    return float(np.sum(pos_g * (neg_below + 0.5 * neg_g)) / (pos_g.sum() * neg_g.sum()))


def _average_ovr(y_onehot: np.ndarray, score: np.ndarray, average: Any, w: Any) -> Any:
    """One-vs-rest AUC of each column, then averaged as scikit-learn's _average_binary_score."""
    if average == "micro":
        w = None if w is None else np.repeat(w, y_onehot.shape[1])
        return _binary_auc(y_onehot.ravel() == 1, score.ravel(), w)
    aucs = np.array(
        [_binary_auc(y_onehot[:, c] == 1, score[:, c], w) for c in range(score.shape[1])]
    )
    if average is None:
        return aucs
    weights = None
    if average == "weighted":
        weights = (y_onehot * (1.0 if w is None else w[:, None])).sum(axis=0)
        if np.isclose(weights.sum(), 0.0):
            return 0.0
        aucs[weights == 0] = 0.0
    return float(np.average(aucs, weights=weights))


def roc_auc_score(
    y_true: Any,
    y_score: Any,
    *,
    average: str | None = "macro",
    sample_weight: Any = None,
    multi_class: str = "raise",
    labels: Any = None,
) -> Any:
    """Area under the ROC curve: the probability that a random positive outranks a random negative.

    Binary targets: ``y_score`` holds the score of the greater label (``predict_proba(X)[:,
    1]`` or a decision function); tied scores count half. Multiclass targets: ``y_score`` is
    ``(n_samples, n_classes)`` probabilities, columns in sorted label order, with
    ``multi_class="ovr"`` (each class against the rest) or ``"ovo"`` (Hand and Till's mean
    over pairs). Same numbers as scikit-learn.

    Parameters
    ----------
    y_true : array_like or Tensor of shape (n_samples,)
        True labels.
    y_score : array_like or Tensor of shape (n_samples,) or (n_samples, n_classes)
        Scores or probabilities.
    average : {"macro", "weighted", "micro"} or None, default="macro"
        Multiclass only: mean over classes (or pairs), weighted by prevalence, pooled
        ("micro", ovr only), or one score per class (None, ovr only).
    sample_weight : array_like of shape (n_samples,), optional
        Not with ``"ovo"``.
    multi_class : {"raise", "ovr", "ovo"}, default="raise"
        Required for multiclass targets.
    labels : array_like, optional
        Multiclass only: the sorted labels of the columns of ``y_score``.

    Returns
    -------
    float or ndarray
        NaN (with a warning) when ``y_true`` holds a single class.

    Examples
    --------
    >>> roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    0.75
    >>> roc_auc_score([0, 1, 1], [0.5, 0.5, 0.9])
    0.75
    """
    y_true = as_array(y_true, "y_true")
    y_score = as_array(y_score, "y_score").astype(np.float64)
    if y_true.ndim == 2 and y_true.shape[1] == 1:
        y_true = y_true.ravel()
    if len(y_true) != len(y_score):
        raise ValueError(
            f"Found input variables with inconsistent numbers of samples: "
            f"[{len(y_true)}, {len(y_score)}]"
        )
    w = check_sample_weight(sample_weight, len(y_true))
    y_type = target_type(y_true, "y_true")
    if y_type == "multiclass" or (
        y_type == "binary" and y_score.ndim == 2 and y_score.shape[1] > 2
    ):
        return _multiclass_auc(y_true, y_score, labels, multi_class, average, w)
    if y_type != "binary":
        raise ValueError(f"roc_auc_score: {y_type} y_true is not supported")
    if y_score.ndim != 1:
        raise ValueError(
            f"roc_auc_score: binary y_true needs y_score of shape (n_samples,), the score of "
            f"the greater label; got {y_score.shape} (pass y_score[:, 1])"
        )
    positive = y_true == np.unique(y_true)[-1]  # the greater label (all, if only one)
    return _binary_auc(positive, y_score, w)


def _multiclass_auc(
    y_true: np.ndarray,
    y_score: np.ndarray,
    labels: Any,
    multi_class: str,
    average: str | None,
    w: np.ndarray | None,
) -> Any:
    """AUC of (n_samples, n_classes) probabilities: one-vs-rest, or Hand and Till's one-vs-one."""
    if y_score.ndim != 2:
        raise ValueError(
            f"`y_score` needs to be of shape `(n_samples, n_classes)`, since `y_true` contains "
            f"multiple classes. Got `y_score.shape={y_score.shape}`."
        )
    if multi_class == "raise":
        raise ValueError("multi_class must be in ('ovo', 'ovr')")
    if multi_class not in ("ovr", "ovo"):
        raise ValueError(f"multi_class={multi_class!r} is not supported: use 'ovr' or 'ovo'")
    if not np.allclose(1, y_score.sum(axis=1)):
        raise ValueError(
            "Target scores need to be probabilities for multiclass roc_auc, i.e. they should "
            "sum up to 1.0 over classes"
        )
    options = (
        ("micro", "macro", "weighted", None) if multi_class == "ovr" else ("macro", "weighted")
    )
    if average not in options:
        raise ValueError(f"average must be one of {options} for multi_class={multi_class!r}")
    if labels is not None:
        classes = as_array(labels, "labels").reshape(-1)
        if len(np.unique(classes)) != len(classes):
            raise ValueError("Parameter 'labels' must be unique")
        if not np.array_equal(np.unique(classes), classes):
            raise ValueError("Parameter 'labels' must be ordered")
        if len(classes) != y_score.shape[1]:
            raise ValueError(
                f"Number of given labels, {len(classes)}, not equal to the number of columns "
                f"in 'y_score', {y_score.shape[1]}"
            )
        if len(np.setdiff1d(y_true, classes)):
            raise ValueError("'y_true' contains labels not in parameter 'labels'")
    else:
        classes = np.unique(y_true)
        if len(classes) != y_score.shape[1]:
            raise ValueError(
                "Number of classes in y_true not equal to the number of columns in 'y_score'"
            )
    codes = np.searchsorted(classes, y_true)
    if multi_class == "ovr":
        y_onehot = (codes[:, None] == np.arange(len(classes))).astype(np.int64)
        return _average_ovr(y_onehot, y_score, average, w)
    if w is not None:
        raise ValueError(
            "sample_weight is not supported for multiclass one-vs-one ROC AUC, 'sample_weight' "
            "must be None in this case."
        )
    present = np.unique(codes)
    pair_scores, prevalence = [], []
    for a, b in combinations(present, 2):
        in_ab = (codes == a) | (codes == b)
        is_a = codes[in_ab] == a
        a_auc = _binary_auc(is_a, y_score[in_ab, a], None)
        b_auc = _binary_auc(~is_a, y_score[in_ab, b], None)
        pair_scores.append((a_auc + b_auc) / 2)
        prevalence.append(in_ab.mean())
    return float(np.average(pair_scores, weights=prevalence if average == "weighted" else None))


def log_loss(
    y_true: Any,
    y_proba: Any,
    *,
    normalize: bool = True,
    sample_weight: Any = None,
    labels: Any = None,
) -> float:
    """Cross-entropy of the true labels under the predicted probabilities: ``-mean log p[y]``.

    Probabilities are clipped to ``[eps, 1 - eps]`` (``eps`` of their dtype), as scikit-learn
    does. A 1-d ``y_proba`` is the probability of the greater of two labels.

    Parameters
    ----------
    y_true : array_like or Tensor of shape (n_samples,)
        True labels.
    y_proba : array_like or Tensor of shape (n_samples,) or (n_samples, n_classes)
        Predicted probabilities, columns in sorted label order.
    normalize : bool, default=True
        Mean over samples; False gives the sum.
    sample_weight : array_like of shape (n_samples,), optional
    labels : array_like, optional
        All the labels, when ``y_true`` lacks some.

    Returns
    -------
    float

    Examples
    --------
    >>> y_proba = [[0.1, 0.9], [0.9, 0.1], [0.8, 0.2], [0.35, 0.65]]
    >>> round(log_loss(["spam", "ham", "ham", "spam"], y_proba), 6)
    0.216162
    """
    p = as_array(y_proba, "y_proba")
    p = p if p.dtype in (np.float32, np.float64) else p.astype(np.float64)
    y = as_array(y_true, "y_true").reshape(-1)
    if p.max() > 1:
        raise ValueError(f"y_prob contains values greater than 1: {p.max()}")
    if p.min() < 0:
        raise ValueError(f"y_prob contains values lower than 0: {p.min()}")
    if len(p) != len(y):
        raise ValueError(
            f"Found input variables with inconsistent numbers of samples: [{len(y)}, {len(p)}]"
        )
    w = check_sample_weight(sample_weight, len(y))
    if labels is not None:
        given = as_array(labels, "labels").reshape(-1)
        classes = unique_labels(given)
        if not np.array_equal(classes, given):
            warnings.warn(
                f"Labels passed were {labels}. But this function assumes labels are ordered "
                f"lexicographically. Pass the ordered labels={classes.tolist()} and ensure that "
                f"the columns of y_prob correspond to this ordering.",
                UserWarning,
                stacklevel=2,
            )
        if not np.isin(y, classes).all():
            raise ValueError(
                f"y_true contains values {set(y[~np.isin(y, classes)].tolist())} not belonging "
                f"to the passed labels {list(labels)}."
            )
    else:
        classes = unique_labels(y)
    if len(classes) == 1:
        raise ValueError(
            f"y_true contains only one label ({classes[0]}). Please provide the list of all "
            f"expected class labels explicitly through the labels argument."
            if labels is None
            else f"The labels array needs to contain at least two labels, got {classes}."
        )
    if p.ndim == 1:
        p = p[:, None]
    if p.shape[1] == 1:
        p = np.concatenate([1 - p, p], axis=1)
    if len(classes) != p.shape[1]:
        raise ValueError(
            f"y_true and y_prob contain different number of classes: {len(classes)} vs "
            f"{p.shape[1]}. Please provide the true labels explicitly through the labels "
            f"argument. Classes found in y_true: {classes}"
        )
    eps = np.finfo(p.dtype).eps
    if not np.allclose(p.sum(axis=1), 1, rtol=np.sqrt(eps)):
        warnings.warn(
            "The y_prob values do not sum to one. Make sure to pass probabilities.",
            UserWarning,
            stacklevel=2,
        )
    p = np.clip(p, eps, 1 - eps)
    loss = -np.log(p[np.arange(len(y)), np.searchsorted(classes, y)])
    if normalize:
        return float(np.average(loss, weights=w))
    return float(loss @ w) if w is not None else float(loss.sum())
