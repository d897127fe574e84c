"""k-means clustering: ``KMeans`` (Lloyd's algorithm) and ``MiniBatchKMeans``.

Both minimise the inertia sum_i w_i ||x_i - c_{label(i)}||^2. Seeding is greedy
k-means++ as in scikit-learn, with the same random draws for the same ``random_state``;
the algorithms themselves live in ``_kmeans.py``.

Examples
--------
>>> X = np.array([[0.0, 0.0], [0.0, 1.0], [10.0, 0.0], [10.0, 1.0]])
>>> km = KMeans(n_clusters=2, random_state=0).fit(X)
>>> sorted(km.cluster_centers_.tolist()), km.inertia_
([[0.0, 0.5], [10.0, 0.5]], 1.0)
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from groundup.data._random import check_random_state
from groundup.ml._distances import nearest_center, pairwise_rdistances
from groundup.ml._kmeans import (
    _inertia,
    kmeans_plusplus,
    lloyd,
    minibatch_kmeans,
)
from groundup.ml.base import BaseEstimator, ClusterMixin, TransformerMixin
from groundup.ml.validation import (
    _check_sample_weight,
    _validate_data,
    check_array,
    check_is_fitted,
)

__all__ = ["KMeans", "MiniBatchKMeans"]


def _is_int(x: Any, low: int) -> bool:
    return isinstance(x, numbers.Integral) and not isinstance(x, bool) and x >= low


def _weights(sample_weight: Any, n: int) -> np.ndarray:
    return np.ones(n) if sample_weight is None else _check_sample_weight(sample_weight, n)


class _BaseKMeans(ClusterMixin, TransformerMixin, BaseEstimator):
    """Shared checks, seeding, ``predict``, ``transform`` and ``score``."""

    _default_n_init = 10

    def _check_params(self, X: np.ndarray) -> None:
        name = type(self).__name__
        if not _is_int(self.n_clusters, 1):
            raise ValueError(f"{name}: n_clusters must be an int >= 1, got {self.n_clusters!r}")
        if X.shape[0] < self.n_clusters:
            raise ValueError(f"n_samples={X.shape[0]} should be >= n_clusters={self.n_clusters}.")
        if not _is_int(self.max_iter, 1):
            raise ValueError(f"{name}: max_iter must be an int >= 1, got {self.max_iter!r}")
        if not isinstance(self.tol, numbers.Real) or self.tol < 0:
            raise ValueError(f"{name}: tol must be a float >= 0, got {self.tol!r}")
        if self.n_init != "auto" and not _is_int(self.n_init, 1):
            raise ValueError(f"{name}: n_init must be 'auto' or an int >= 1, got {self.n_init!r}")
        if isinstance(self.init, str) and self.init not in ("k-means++", "random"):
            raise ValueError(
                f"{name}: init must be 'k-means++', 'random' or an array of shape "
                f"(n_clusters, n_features), got {self.init!r}"
            )

    def _init_array(self) -> np.ndarray | None:
        """The user's initial centers, checked, or None for a named init."""
        if isinstance(self.init, str):
            return None
        init = check_array(self.init, dtype=np.float64, copy=True)
        expected = (self.n_clusters, self.n_features_in_)
        if init.shape != expected:
            raise ValueError(
                f"{type(self).__name__}: init should be of shape {expected}, got {init.shape}"
            )
        return init

    def _n_init(self) -> int:
        if not isinstance(self.init, str):
            return 1
        if self.n_init == "auto":
            return 1 if self.init == "k-means++" else self._default_n_init
        return self.n_init

    def _seed_centers(self, X, w, rs) -> np.ndarray:
        if self.init == "k-means++":
            return kmeans_plusplus(X, self.n_clusters, w, rs)
        seeds = rs.choice(X.shape[0], size=self.n_clusters, replace=False, p=w / w.sum())
        return X[seeds].copy()

    def _validate_fit(self, X: Any, sample_weight: Any) -> tuple[np.ndarray, np.ndarray]:
        X = _validate_data(self, X, dtype=np.float64)
        self._check_params(X)
        return X, _weights(sample_weight, X.shape[0])

    def _validate_predict(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "cluster_centers_")
        return _validate_data(self, X, reset=False, dtype=np.float64)

    def predict(self, X: Any) -> np.ndarray:
        """Index of the nearest center for each row of X."""
        X = self._validate_predict(X)
        return nearest_center(X, self.cluster_centers_, with_distances=False)[0]

    def fit_predict(self, X: Any, y: Any = None, sample_weight: Any = None) -> np.ndarray:
        """Fit and return ``labels_``."""
        return self.fit(X, sample_weight=sample_weight).labels_

    def transform(self, X: Any) -> np.ndarray:
        """Euclidean distance of each row of X to every center, shape (n, n_clusters)."""
        X = self._validate_predict(X)
        return np.sqrt(pairwise_rdistances(X, self.cluster_centers_))

    def fit_transform(self, X: Any, y: Any = None, sample_weight: Any = None) -> np.ndarray:
        """Fit, then the distances of X to the centers."""
        return self.fit(X, sample_weight=sample_weight).transform(X)

    def score(self, X: Any, y: Any = None, sample_weight: Any = None) -> float:
        """Minus the inertia of X under the fitted centers (higher is better)."""
        X = self._validate_predict(X)
        labels, _ = nearest_center(X, self.cluster_centers_, with_distances=False)
        return -_inertia(X, _weights(sample_weight, X.shape[0]), self.cluster_centers_, labels)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """``kmeans0``, ``kmeans1``, ... (one per center), as scikit-learn names them."""
        check_is_fitted(self, "cluster_centers_")
        prefix = type(self).__name__.lower()
        return np.asarray([f"{prefix}{i}" for i in range(self.n_clusters)], dtype=object)


class KMeans(_BaseKMeans):
    """k-means by Lloyd's algorithm: alternate c_j = mean of cluster j and nearest-center labels.

    Parameters
    ----------
    n_clusters : int, default=8
    init : {"k-means++", "random"} or array of shape (n_clusters, n_features)
    n_init : "auto" or int, default="auto"
        Runs from different seeds, the lowest inertia kept; "auto": 1 for k-means++ or
        an array, 10 for "random".
    max_iter : int, default=300
    tol : float, default=1e-4
        Stop when sum_j ||c_j - c_j_old||^2 <= tol * (mean per-feature variance of X).
    random_state : None, int or RandomState
    algorithm : {"lloyd"}, default="lloyd"

    Attributes
    ----------
    cluster_centers_ : ndarray of shape (n_clusters, n_features)
    labels_ : ndarray of shape (n_samples,)
    inertia_ : float
    n_iter_ : int

    Examples
    --------
    >>> X = np.array([[1.0, 2.0], [1.0, 4.0], [1.0, 0.0], [10.0, 2.0], [10.0, 4.0], [10.0, 0.0]])
    >>> km = KMeans(n_clusters=2, random_state=0).fit(X)
    >>> km.labels_, km.predict([[0.0, 0.0], [12.0, 3.0]])
    (array([1, 1, 1, 0, 0, 0]), array([1, 0]))
    """

    def __init__(
        self,
        n_clusters=8,
        *,
        init="k-means++",
        n_init="auto",
        max_iter=300,
        tol=1e-4,
        random_state=None,
        algorithm="lloyd",
    ):
        self.n_clusters = n_clusters
        self.init = init
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state
        self.algorithm = algorithm

    def fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> KMeans:
        """Cluster X; keeps the best of ``n_init`` runs."""
        X, w = self._validate_fit(X, sample_weight)
        if self.algorithm != "lloyd":
            raise ValueError(f"KMeans: algorithm must be 'lloyd', got {self.algorithm!r}")
        init = self._init_array()
        rs = check_random_state(self.random_state)
        tol = float(np.mean(np.var(X, axis=0))) * self.tol
        mean = X.mean(axis=0)  # centering keeps the GEMM identity accurate, as in sklearn
        Xc = X - mean
        best = None
        for _ in range(self._n_init()):
            start = init - mean if init is not None else self._seed_centers(Xc, w, rs)
            run = lloyd(Xc, w, start, self.max_iter, tol)
            if best is None or run[1] < best[1]:
                best = run
        labels, self.inertia_, centers, self.n_iter_ = best
        self.labels_, self.cluster_centers_ = labels, centers + mean
        return self


class MiniBatchKMeans(_BaseKMeans):
    """k-means on random mini-batches; each center moves by a per-center rate 1 / (its count).

    c_j <- (n_j c_j + sum_{x in batch, label j} x) / (n_j + |batch_j|), as in
    scikit-learn (Sculley 2010). Centers that see too few samples are re-seeded from the
    batch (``reassignment_ratio``).

    Parameters
    ----------
    n_clusters : int, default=8
    init : {"k-means++", "random"} or array of shape (n_clusters, n_features)
    max_iter : int, default=100
        Passes over the data (steps = max_iter * n_samples // batch_size).
    batch_size : int, default=1024
    compute_labels : bool, default=True
    random_state : None, int or RandomState
    tol : float, default=0.0
    max_no_improvement : int or None, default=10
    init_size : int or None, default=None
        Samples used for seeding (3 * batch_size by default).
    n_init : "auto" or int, default="auto"
        1 for k-means++ or an array, 3 for "random".
    reassignment_ratio : float, default=0.01

    Attributes
    ----------
    cluster_centers_, labels_, inertia_, n_iter_, n_steps_

    Examples
    --------
    >>> X = np.array([[0.0, 0.0], [0.0, 1.0], [10.0, 0.0], [10.0, 1.0]])
    >>> mbk = MiniBatchKMeans(n_clusters=2, batch_size=4, random_state=0).fit(X)
    >>> sorted(mbk.cluster_centers_.round(1).tolist()), round(mbk.inertia_, 4)
    ([[0.0, 0.4], [10.0, 0.5]], 1.0111)
    """

    _default_n_init = 3

    def __init__(
        self,
        n_clusters=8,
        *,
        init="k-means++",
        max_iter=100,
        batch_size=1024,
        compute_labels=True,
        random_state=None,
        tol=0.0,
        max_no_improvement=10,
        init_size=None,
        n_init="auto",
        reassignment_ratio=0.01,
    ):
        self.n_clusters = n_clusters
        self.init = init
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.compute_labels = compute_labels
        self.random_state = random_state
        self.tol = tol
        self.max_no_improvement = max_no_improvement
        self.init_size = init_size
        self.n_init = n_init
        self.reassignment_ratio = reassignment_ratio

    def fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> MiniBatchKMeans:
        """Cluster X by mini-batch updates."""
        X, w = self._validate_fit(X, sample_weight)
        if not _is_int(self.batch_size, 1):
            raise ValueError(
                f"MiniBatchKMeans: batch_size must be an int >= 1, got {self.batch_size!r}"
            )
        rs = check_random_state(self.random_state)
        centers, self.n_steps_, ewa = minibatch_kmeans(self, X, w, rs)
        self.cluster_centers_ = centers
        self.n_iter_ = int(np.ceil(self.n_steps_ * min(self.batch_size, X.shape[0]) / X.shape[0]))
        if self.compute_labels:
            self.labels_, _ = nearest_center(X, centers, with_distances=False)
            self.inertia_ = _inertia(X, w, centers, self.labels_)
        else:
            self.inertia_ = ewa * w.sum()
        return self
