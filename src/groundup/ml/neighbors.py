"""k-nearest neighbours by brute force, matching scikit-learn's ``algorithm="brute"``.

The search itself lives in ``_distances.py`` (shared with KMeans): distances to the
training set for chunks of query rows, one GEMM per chunk for euclidean, the k smallest
found without sorting whole rows. Among equal distances the smaller training index wins.

Examples
--------
>>> KNeighborsClassifier(n_neighbors=1).fit([[0.0], [1.0]], [0, 1]).predict([[0.9]])
array([1])
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from groundup.ml._classes import check_classes
from groundup.ml._distances import kneighbors_search
from groundup.ml.base import BaseEstimator, ClassifierMixin, RegressorMixin
from groundup.ml.validation import _check_fit_y, _validate_data, check_is_fitted

__all__ = ["KNeighborsClassifier", "KNeighborsRegressor"]

_METRICS = ("minkowski", "euclidean", "manhattan")


class _KNeighborsBase(BaseEstimator):
    """Shared fitting, distance and neighbour search."""

    def __init__(self, n_neighbors=5, *, weights="uniform", metric="minkowski", p=2):
        self.n_neighbors = n_neighbors
        self.weights = weights
        self.metric = metric
        self.p = p

    def _check_params(self) -> None:
        name = type(self).__name__
        k = self.n_neighbors
        if not isinstance(k, numbers.Integral) or isinstance(k, bool) or k < 1:
            raise ValueError(f"{name}: n_neighbors must be an int >= 1, got {k!r}")
        if self.weights not in ("uniform", "distance"):
            raise ValueError(
                f"{name}: weights must be 'uniform' or 'distance', got {self.weights!r}"
            )
        if self.metric not in _METRICS:
            raise ValueError(f"{name}: metric must be one of {_METRICS}, got {self.metric!r}")
        if not isinstance(self.p, numbers.Real) or isinstance(self.p, bool) or self.p < 1:
            raise ValueError(f"{name}: p must be a real number >= 1, got {self.p!r}")

    def _fit_X(self, X: Any, y: Any) -> np.ndarray:
        self._check_params()
        _check_fit_y(self, y)
        X, y = _validate_data(self, X, y, dtype=(np.float64, np.float32))
        self._fit_X_ = X.astype(np.float64)
        self.n_samples_fit_ = X.shape[0]
        self.effective_metric_ = self._metric()[0]
        return y

    def _metric(self) -> tuple[str, float]:
        if self.metric == "euclidean" or (self.metric == "minkowski" and self.p == 2):
            return "euclidean", 2.0
        if self.metric == "manhattan" or (self.metric == "minkowski" and self.p == 1):
            return "manhattan", 1.0
        return "minkowski", float(self.p)

    def kneighbors(
        self, X: Any = None, n_neighbors: int | None = None, return_distance: bool = True
    ) -> Any:
        """The ``n_neighbors`` nearest training samples of each row of X, nearest first.

        With ``X=None`` each training sample is queried, excluding itself.

        Returns
        -------
        neigh_dist : ndarray of shape (n_queries, n_neighbors), if ``return_distance``
        neigh_ind : ndarray of shape (n_queries, n_neighbors)
        """
        check_is_fitted(self, "_fit_X_")
        k = self.n_neighbors if n_neighbors is None else n_neighbors
        if not isinstance(k, numbers.Integral) or isinstance(k, bool) or k < 1:
            raise ValueError(f"Expected n_neighbors > 0. Got {k!r}")
        query_is_train = X is None
        if query_is_train:
            Q, k = self._fit_X_, k + 1
        else:
            Q = _validate_data(self, X, reset=False, dtype=(np.float64, np.float32))
            Q = np.asarray(Q, dtype=np.float64)
        n_fit = self.n_samples_fit_
        if k > n_fit:
            raise ValueError(
                f"Expected n_neighbors <= n_samples_fit, but n_neighbors = {k}, "
                f"n_samples_fit = {n_fit}, n_samples = {Q.shape[0]}"
            )
        metric, p = self._metric()
        neigh_dist, neigh_ind = kneighbors_search(Q, self._fit_X_, k, metric=metric, p=p)
        if query_is_train:
            neigh_ind, neigh_dist = _drop_self(neigh_ind, neigh_dist)
        return (neigh_dist, neigh_ind) if return_distance else neigh_ind

    def _weights(self, dist: np.ndarray) -> np.ndarray:
        """Neighbour weights: ones, or 1/d with exact matches taking all the weight."""
        if self.weights == "uniform":
            return np.ones_like(dist)
        with np.errstate(divide="ignore"):
            w = 1.0 / dist
        inf_mask = np.isinf(w)
        inf_row = inf_mask.any(1)
        w[inf_row] = inf_mask[inf_row]
        return w

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.pairwise = False
        return tags


def _drop_self(ind: np.ndarray, dist: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Remove each training sample from its own neighbour list (the last one if absent)."""
    n = ind.shape[0]
    mask = ind != np.arange(n)[:, None]
    mask[~(~mask).any(1), -1] = False
    k = ind.shape[1] - 1
    return ind[mask].reshape(n, k), dist[mask].reshape(n, k)


class KNeighborsClassifier(ClassifierMixin, _KNeighborsBase):
    """Vote among the k nearest samples: P(c|x) = sum_{i in N_k(x)} w_i [y_i = c] / sum w_i.

    Parameters
    ----------
    n_neighbors : int, default=5
    weights : {"uniform", "distance"}, default="uniform"
        "distance" weighs each neighbour by 1/d (an exact match takes all the weight).
    metric : {"minkowski", "euclidean", "manhattan"}, default="minkowski"
    p : float, default=2
        Power of the Minkowski metric (1 manhattan, 2 euclidean).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    n_features_in_, n_samples_fit_ : int
    effective_metric_ : str

    Examples
    --------
    >>> clf = KNeighborsClassifier(n_neighbors=3).fit([[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1])
    >>> clf.predict([[1.1]]), clf.predict_proba([[1.1]]).round(2)
    (array([0]), array([[0.67, 0.33]]))
    """

    def fit(self, X: Any, y: Any) -> KNeighborsClassifier:
        """Store the training set and the encoded classes."""
        y = self._fit_X(X, y)
        self.classes_, self._y_ = check_classes(y, type(self).__name__)
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, shape (n_samples, n_classes), columns in ``classes_`` order."""
        check_is_fitted(self, "_fit_X_")
        dist, ind = self.kneighbors(X)
        w = self._weights(dist)  # (n, k)
        n, n_classes = ind.shape[0], len(self.classes_)
        cell = (np.arange(n)[:, None] * n_classes + self._y_[ind]).ravel()
        proba = np.bincount(cell, weights=w.ravel(), minlength=n * n_classes)
        proba = proba.reshape(n, n_classes)
        total = proba.sum(1, keepdims=True)
        total[total == 0.0] = 1.0
        return proba / total

    def predict(self, X: Any) -> np.ndarray:
        """The class with the most (weighted) votes; ties go to the first in ``classes_``."""
        check_is_fitted(self, "_fit_X_")
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


class KNeighborsRegressor(RegressorMixin, _KNeighborsBase):
    """Average the targets of the k nearest training samples: y(x) = sum w_i y_i / sum w_i.

    Parameters
    ----------
    n_neighbors : int, default=5
    weights : {"uniform", "distance"}, default="uniform"
    metric : {"minkowski", "euclidean", "manhattan"}, default="minkowski"
    p : float, default=2

    Attributes
    ----------
    n_features_in_, n_samples_fit_ : int
    effective_metric_ : str

    Examples
    --------
    >>> reg = KNeighborsRegressor(n_neighbors=2).fit([[0.0], [1.0], [2.0]], [0.0, 1.0, 4.0])
    >>> reg.predict([[1.8]])
    array([2.5])
    """

    def fit(self, X: Any, y: Any) -> KNeighborsRegressor:
        """Store the training set and targets."""
        y = self._fit_X(X, y)
        self._y_ = y.astype(np.float64) if y.dtype.kind in "biu" else y
        return self

    def predict(self, X: Any) -> np.ndarray:
        """The (weighted) mean target of each row's neighbours."""
        check_is_fitted(self, "_fit_X_")
        dist, ind = self.kneighbors(X)
        yk = self._y_[ind]  # (n, k)
        if self.weights == "uniform":
            return yk.mean(1)
        w = self._weights(dist)
        return (yk * w).sum(1) / w.sum(1)
