"""Scalers, encoders and polynomial features with scikit-learn's names, attributes and numbers.

Examples
--------
>>> StandardScaler().fit_transform([[0.0], [2.0]]).ravel()
array([-1.,  1.])
"""

from __future__ import annotations

from itertools import chain, combinations, combinations_with_replacement
from typing import Any

import numpy as np

from groundup.ml.base import BaseEstimator, TransformerMixin
from groundup.ml.encoders import LabelEncoder, OneHotEncoder
from groundup.ml.validation import (
    _check_n_features,
    _check_sample_weight,
    _handle_zeros_in_scale,
    _names_out,
    _validate_data,
    check_array,
    check_is_fitted,
)

__all__ = ["LabelEncoder", "MinMaxScaler", "OneHotEncoder", "PolynomialFeatures", "StandardScaler"]

_FLOATS = (np.float64, np.float32)


class _OneToOneMixin:
    """One output column per input column, in the input's float dtype."""

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Output feature names: the input names (``x0, x1, ...`` without them)."""
        return _names_out(self, input_features)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


class StandardScaler(_OneToOneMixin, TransformerMixin, BaseEstimator):
    """Standardise features: z = (x - mean_) / scale_, scale_ = sqrt(var_) (1 if constant).

    Parameters
    ----------
    copy : bool, default=True
        False transforms a float array in place.
    with_mean, with_std : bool, default=True
        Centre / scale to unit variance.

    Attributes
    ----------
    mean_, var_, scale_ : ndarray of shape (n_features,) or None
    n_samples_seen_ : int
    n_features_in_ : int

    Examples
    --------
    >>> s = StandardScaler().fit([[1.0, 0.0], [3.0, 0.0]])
    >>> s.mean_, s.scale_
    (array([2., 0.]), array([1., 1.]))
    """

    def __init__(self, *, copy: bool = True, with_mean: bool = True, with_std: bool = True):
        self.copy = copy
        self.with_mean = with_mean
        self.with_std = with_std

    def fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> StandardScaler:
        """Learn the mean and variance of each feature."""
        X = _validate_data(self, X, dtype=_FLOATS)
        # scikit-learn's _incremental_mean_and_var: float64 sums, then a correction term
        if sample_weight is None:
            n = X.shape[0]
            mean = np.sum(X, axis=0, dtype=np.float64) / n
            temp = X - mean
            correction = np.sum(temp, axis=0, dtype=np.float64)
            var = (np.sum(temp * temp, axis=0, dtype=np.float64) - correction**2 / n) / n
        else:
            w = _check_sample_weight(sample_weight, X.shape[0])
            n = float(w.sum())
            mean = (X.T @ w) / n
            temp = X - mean
            correction = temp.T @ w
            var = ((temp * temp).T @ w - correction**2 / n) / n
        self.n_samples_seen_ = n
        self.mean_ = mean if self.with_mean or self.with_std else None
        if self.with_std:
            eps = np.finfo(np.float64).eps
            constant = var <= n * eps * var + (n * mean * eps) ** 2
            self.var_ = var
            self.scale_ = _handle_zeros_in_scale(np.sqrt(var), constant)
        else:
            self.var_ = None
            self.scale_ = None
        return self

    def transform(self, X: Any, copy: bool | None = None) -> np.ndarray:
        """Standardise X with the fitted mean and scale."""
        check_is_fitted(self)
        copy = self.copy if copy is None else copy
        X = _validate_data(self, X, reset=False, dtype=_FLOATS, copy=copy)
        if self.with_mean:
            X -= self.mean_.astype(X.dtype)
        if self.with_std:
            X /= self.scale_.astype(X.dtype)
        return X

    def inverse_transform(self, X: Any, copy: bool | None = None) -> np.ndarray:
        """Undo :meth:`transform`: x = z * scale_ + mean_."""
        check_is_fitted(self)
        copy = self.copy if copy is None else copy
        X = check_array(X, dtype=_FLOATS, copy=copy, estimator=self)
        _check_n_features(self, X, reset=False)
        if self.with_std:
            X *= self.scale_.astype(X.dtype)
        if self.with_mean:
            X += self.mean_.astype(X.dtype)
        return X


class MinMaxScaler(_OneToOneMixin, TransformerMixin, BaseEstimator):
    """Scale each feature into ``feature_range``: x * scale_ + min_.

    scale_ = (hi - lo) / (data_max_ - data_min_) (range 1 for a constant feature),
    min_ = lo - data_min_ * scale_.

    Parameters
    ----------
    feature_range : tuple (lo, hi), default=(0, 1)
    copy : bool, default=True
    clip : bool, default=False
        Clip transformed values into ``feature_range``.

    Examples
    --------
    >>> MinMaxScaler().fit_transform([[1.0], [3.0], [2.0]]).ravel()
    array([0. , 1. , 0.5])
    """

    def __init__(self, feature_range: tuple = (0, 1), *, copy: bool = True, clip: bool = False):
        self.feature_range = feature_range
        self.copy = copy
        self.clip = clip

    def fit(self, X: Any, y: Any = None) -> MinMaxScaler:
        """Learn each feature's minimum and maximum."""
        lo, hi = self.feature_range
        if lo >= hi:
            raise ValueError(
                "Minimum of desired feature range must be smaller than maximum. Got "
                f"{self.feature_range!r}."
            )
        X = _validate_data(self, X, dtype=_FLOATS)
        self.n_samples_seen_ = X.shape[0]
        self.data_min_ = np.min(X, axis=0)
        self.data_max_ = np.max(X, axis=0)
        self.data_range_ = self.data_max_ - self.data_min_
        self.scale_ = (hi - lo) / _handle_zeros_in_scale(self.data_range_)
        self.min_ = lo - self.data_min_ * self.scale_
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Scale X into ``feature_range``."""
        check_is_fitted(self)
        X = _validate_data(self, X, reset=False, dtype=_FLOATS, copy=self.copy)
        X *= self.scale_
        X += self.min_
        if self.clip:
            np.clip(X, self.feature_range[0], self.feature_range[1], out=X)
        return X

    def inverse_transform(self, X: Any) -> np.ndarray:
        """Undo :meth:`transform`."""
        check_is_fitted(self)
        X = check_array(X, dtype=_FLOATS, copy=self.copy, estimator=self)
        _check_n_features(self, X, reset=False)
        X -= self.min_
        X /= self.scale_
        return X


class PolynomialFeatures(TransformerMixin, BaseEstimator):
    """All products of features up to ``degree``, in scikit-learn's column order.

    For features (a, b) and degree 2: 1, a, b, a^2, a b, b^2.

    Parameters
    ----------
    degree : int, default=2
    interaction_only : bool, default=False
        Only products of distinct features (no a^2).
    include_bias : bool, default=True
        Lead with a column of ones.

    Attributes
    ----------
    powers_ : ndarray of shape (n_output_features_, n_features_in_)
        Exponent of each input feature in each output column.

    Examples
    --------
    >>> PolynomialFeatures().fit_transform([[2.0, 3.0]])
    array([[1., 2., 3., 4., 6., 9.]])
    """

    def __init__(
        self, degree: int = 2, *, interaction_only: bool = False, include_bias: bool = True
    ):
        self.degree = degree
        self.interaction_only = interaction_only
        self.include_bias = include_bias

    def _combinations(self) -> Any:
        comb = combinations if self.interaction_only else combinations_with_replacement
        n = self.n_features_in_
        terms = chain.from_iterable(comb(range(n), d) for d in range(1, self.degree + 1))
        return chain(comb(range(n), 0), terms) if self.include_bias else terms

    def fit(self, X: Any, y: Any = None) -> PolynomialFeatures:
        """Work out the output columns (``powers_``) for X's feature count."""
        if isinstance(self.degree, bool) or not isinstance(self.degree, (int, np.integer)):
            raise ValueError(f"degree must be a non-negative int, got {self.degree!r}.")
        if self.degree < 0 or (self.degree == 0 and not self.include_bias):
            raise ValueError(
                f"degree must be a non-negative int (and > 0 without include_bias), "
                f"got {self.degree}."
            )
        X = _validate_data(self, X, dtype=_FLOATS)
        combos = list(self._combinations())
        self.powers_ = np.vstack([np.bincount(c, minlength=X.shape[1]) for c in combos]).astype(
            np.int64
        )
        self.n_output_features_ = len(combos)
        return self

    def transform(self, X: Any) -> np.ndarray:
        """The polynomial features of X, shape (n_samples, n_output_features_)."""
        check_is_fitted(self)
        X = _validate_data(self, X, reset=False, dtype=_FLOATS)
        out = np.empty((X.shape[0], self.n_output_features_), dtype=X.dtype)
        for k, combo in enumerate(self._combinations()):
            col = np.ones(X.shape[0], dtype=X.dtype)
            if combo:
                # x_i (x_j x_k): scikit-learn multiplies each lower-degree term by one feature
                col = X[:, combo[-1]].copy()
                for j in reversed(combo[:-1]):
                    col *= X[:, j]
            out[:, k] = col
        return out

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names such as ``1``, ``x0``, ``x0^2``, ``x0 x1``."""
        names = _names_out(self, input_features)
        out = []
        for row in self.powers_:
            terms = [names[j] if p == 1 else f"{names[j]}^{p}" for j, p in enumerate(row) if p]
            out.append(" ".join(terms) if terms else "1")
        return np.asarray(out, dtype=object)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
