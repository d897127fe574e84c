"""Regression metrics: mean squared and absolute error and R^2, as scikit-learn computes them."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from groundup.metrics._checks import UndefinedMetricWarning, as_array, check_sample_weight

__all__ = ["mean_absolute_error", "mean_squared_error", "r2_score", "root_mean_squared_error"]

_MULTIOUTPUT = ("raw_values", "uniform_average", "variance_weighted")


def _check_reg_targets(
    y_true: Any, y_pred: Any, sample_weight: Any, multioutput: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, Any]:
    """(y_true, y_pred) as float (n_samples, n_outputs) arrays, the weights, multioutput."""
    y_true = as_array(y_true, "y_true")
    y_pred = as_array(y_pred, "y_pred")
    if len(y_true) != len(y_pred):
        raise ValueError(
            f"Found input variables with inconsistent numbers of samples: "
            f"[{len(y_true)}, {len(y_pred)}]"
        )
    y_true = y_true.reshape(len(y_true), -1) if y_true.ndim == 1 else y_true
    y_pred = y_pred.reshape(len(y_pred), -1) if y_pred.ndim == 1 else y_pred
    if y_true.ndim != 2 or y_pred.ndim != 2:
        raise ValueError(f"expected 1-d or 2-d targets, got {y_true.shape} and {y_pred.shape}")
    if y_true.shape[1] != y_pred.shape[1]:
        raise ValueError(
            f"y_true and y_pred have different number of output "
            f"({y_true.shape[1]}!={y_pred.shape[1]})"
        )
    if y_true.dtype.kind not in "fc" and y_pred.dtype.kind not in "fc":  # ints -> float64
        y_true = y_true.astype(np.float64)
    w = check_sample_weight(sample_weight, len(y_true))
    if isinstance(multioutput, str):
        if multioutput not in _MULTIOUTPUT:
            raise ValueError(
                f"Allowed 'multioutput' string values are {_MULTIOUTPUT}. You provided "
                f"multioutput={multioutput!r}"
            )
    elif multioutput is not None:
        multioutput = as_array(multioutput, "multioutput").reshape(-1)
        if y_true.shape[1] == 1:
            raise ValueError("Custom weights are useful only in multi-output cases.")
        if len(multioutput) != y_true.shape[1]:
            raise ValueError(
                f"There must be equally many custom weights ({len(multioutput)}) as outputs "
                f"({y_true.shape[1]})."
            )
    return y_true, y_pred, w, multioutput


def _combine(errors: np.ndarray, multioutput: Any) -> Any:
    if isinstance(multioutput, str) and multioutput == "raw_values":
        return errors
    weights = None if isinstance(multioutput, str) else multioutput
    return float(np.average(errors, weights=weights))


def mean_squared_error(
    y_true: Any,
    y_pred: Any,
    *,
    sample_weight: Any = None,
    multioutput: Any = "uniform_average",
) -> Any:
    """Mean squared error, ``mean((y_true - y_pred)^2)``.

    Parameters
    ----------
    y_true, y_pred : array_like or Tensor of shape (n_samples,) or (n_samples, n_outputs)
    sample_weight : array_like of shape (n_samples,), optional
    multioutput : {"raw_values", "uniform_average"} or array_like, default="uniform_average"
        With several outputs: one error each, their mean, or their weighted mean.

    Returns
    -------
    float or ndarray of shape (n_outputs,)

    Examples
    --------
    >>> mean_squared_error([3.0, -0.5, 2.0, 7.0], [2.5, 0.0, 2.0, 8.0])
    0.375
    """
    y_true, y_pred, w, multioutput = _check_reg_targets(y_true, y_pred, sample_weight, multioutput)
    return _combine(np.average((y_true - y_pred) ** 2, axis=0, weights=w), multioutput)


def root_mean_squared_error(
    y_true: Any,
    y_pred: Any,
    *,
    sample_weight: Any = None,
    multioutput: Any = "uniform_average",
) -> Any:
    """Root mean squared error, ``sqrt(mean((y_true - y_pred)^2))`` per output, then averaged.

    Parameters as :func:`mean_squared_error`.

    Examples
    --------
    >>> root_mean_squared_error([3.0, -0.5, 2.0, 7.0], [2.5, 0.0, 2.0, 8.0])
    0.6123724356957945
    """
    y_true, y_pred, w, multioutput = _check_reg_targets(y_true, y_pred, sample_weight, multioutput)
    return _combine(np.sqrt(np.average((y_true - y_pred) ** 2, axis=0, weights=w)), multioutput)


def mean_absolute_error(
    y_true: Any,
    y_pred: Any,
    *,
    sample_weight: Any = None,
    multioutput: Any = "uniform_average",
) -> Any:
    """Mean absolute error, ``mean(|y_true - y_pred|)``.

    Parameters as :func:`mean_squared_error`.

    Examples
    --------
    >>> mean_absolute_error([3.0, -0.5, 2.0, 7.0], [2.5, 0.0, 2.0, 8.0])
    0.5
    """
    y_true, y_pred, w, multioutput = _check_reg_targets(y_true, y_pred, sample_weight, multioutput)
    return _combine(np.average(np.abs(y_pred - y_true), axis=0, weights=w), multioutput)


def r2_score(
    y_true: Any,
    y_pred: Any,
    *,
    sample_weight: Any = None,
    multioutput: Any = "uniform_average",
    force_finite: bool = True,
) -> Any:
    """Coefficient of determination, ``1 - sum((y - y_pred)^2) / sum((y - mean(y))^2)``.

    1 is a perfect fit, 0 predicting the mean; it can be negative. With a constant
    ``y_true`` the ratio is 0/0 or x/0: ``force_finite`` then gives 1.0 (perfect) or 0.0,
    else NaN or -inf, as in scikit-learn.

    Parameters
    ----------
    y_true, y_pred : array_like or Tensor of shape (n_samples,) or (n_samples, n_outputs)
    sample_weight : array_like of shape (n_samples,), optional
    multioutput : {"raw_values", "uniform_average", "variance_weighted"} or array_like
        Default "uniform_average"; "variance_weighted" weights each output by the variance
        of its ``y_true``.
    force_finite : bool, default=True

    Returns
    -------
    float or ndarray of shape (n_outputs,)
        NaN (with a warning) for fewer than two samples.

    Examples
    --------
    >>> r2_score([3.0, -0.5, 2.0, 7.0], [2.5, 0.0, 2.0, 8.0])
    0.9486081370449679
    """
    y_true, y_pred, w, multioutput = _check_reg_targets(y_true, y_pred, sample_weight, multioutput)
    if len(y_pred) < 2:
        warnings.warn(
            "R^2 score is not well-defined with less than two samples.",
            UndefinedMetricWarning,
            stacklevel=2,
        )
        return math.nan
    weight = 1.0 if w is None else w[:, None]
    numerator = np.sum(weight * (y_true - y_pred) ** 2, axis=0)
    mean = np.average(y_true, axis=0, weights=w)
    denominator = np.sum(weight * (y_true - mean) ** 2, axis=0)
    nonzero_den, nonzero_num = denominator != 0, numerator != 0
    if force_finite:
        scores = np.ones(y_true.shape[1], dtype=numerator.dtype)
        valid = nonzero_den & nonzero_num
        scores[valid] = 1 - numerator[valid] / denominator[valid]
        scores[nonzero_num & ~nonzero_den] = 0.0
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            scores = 1 - numerator / denominator
    if isinstance(multioutput, str) and multioutput == "raw_values":
        return scores
    if isinstance(multioutput, str):
        weights = None
        if multioutput == "variance_weighted" and nonzero_den.any():
            weights = denominator
    else:
        weights = multioutput
    return float(np.average(scores, weights=weights))
