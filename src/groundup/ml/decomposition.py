"""Principal component analysis (``PCA``) and ``TruncatedSVD``, matching scikit-learn.

PCA: with the centered data X_c = X - mean = U S V^T, the principal axes are the rows of
V^T and the variance along axis j is S_j^2 / (n - 1). For tall, skinny data the same
V and S come from the small covariance matrix C = X_c^T X_c / (n - 1) = V diag(S^2 / (n-1)) V^T
by ``eigh``, without touching X twice. Signs follow scikit-learn's ``svd_flip`` with the
V-based rule: the largest-magnitude entry of every component is positive, so components
are equal to scikit-learn's, not only up to sign.

Examples
--------
>>> X = np.array([[-1.0, -1.0], [-2.0, -1.0], [-3.0, -2.0], [1.0, 1.0], [2.0, 1.0], [3.0, 2.0]])
>>> PCA(n_components=2).fit(X).explained_variance_ratio_.round(4)
array([0.9924, 0.0076])
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from groundup.ml._svd import mle_dimension, randomized_svd, svd_flip
from groundup.ml.base import BaseEstimator, TransformerMixin
from groundup.ml.validation import _validate_data, check_array, check_is_fitted

__all__ = ["PCA", "TruncatedSVD"]


def _choose_solver(solver: str, shape: tuple[int, int], n_components: Any) -> str:
    """scikit-learn's "auto" rule for PCA's solver."""
    if solver != "auto":
        return solver
    n, d = shape
    if d <= 1000 and n >= 10 * d:
        return "covariance_eigh"
    if max(shape) <= 500 or n_components == "mle":
        return "full"
    if 1 <= n_components < 0.8 * min(shape):
        return "randomized"
    return "full"


def _spectrum_full(Xc: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """U, S, Vt of the centered data by LAPACK's SVD."""
    return np.linalg.svd(Xc, full_matrices=False)


def _spectrum_covariance(X: np.ndarray, mean: np.ndarray) -> tuple[None, np.ndarray, np.ndarray]:
    """S, Vt from the eigen-decomposition of the covariance (X^T X - n m m^T) / (n - 1)."""
    n = X.shape[0]
    C = X.T @ X
    C -= n * np.outer(mean, mean)
    C /= n - 1
    eigvals, eigvecs = np.linalg.eigh(C)  # ascending
    eigvals = np.maximum(eigvals[::-1], 0.0)
    return None, np.sqrt(eigvals * (n - 1)), eigvecs[:, ::-1].T


def _n_kept(n_components: Any, variance: np.ndarray, ratio: np.ndarray, n: int, d: int) -> int:
    """Components to keep: all, an int, Minka's MLE, or the fewest whose share exceeds a float."""
    if n_components is None:
        return min(n, d)
    if n_components == "mle":
        return mle_dimension(variance, n)
    if 0 < n_components < 1.0 and not isinstance(n_components, numbers.Integral):
        return int(np.searchsorted(np.cumsum(ratio), n_components, side="right") + 1)
    return int(n_components)


def _component_names(est: Any) -> np.ndarray:
    """Output names as scikit-learn gives them: the lower-case class name and an index."""
    check_is_fitted(est, "components_")
    prefix = type(est).__name__.lower()
    return np.asarray([f"{prefix}{i}" for i in range(len(est.components_))], dtype=object)


def _check_n_components(est: Any, n: int, d: int, solver: str) -> None:
    k, name = est.n_components, type(est).__name__
    if k is None or (k == "mle" and solver != "randomized"):
        if k == "mle" and n < d:
            raise ValueError("n_components='mle' is only supported if n_samples >= n_features")
        return
    if isinstance(k, numbers.Integral) and not isinstance(k, bool):
        low = 1 if solver == "randomized" else 0
        if low <= k <= min(n, d):
            return
    elif isinstance(k, numbers.Real) and 0 < k < 1 and solver != "randomized":
        return
    raise ValueError(
        f"{name}: n_components={k!r} must be between 0 and min(n_samples, n_features)="
        f"{min(n, d)} with svd_solver={solver!r} (or a float in (0, 1), 'mle' or None)"
    )


class PCA(TransformerMixin, BaseEstimator):
    """Project onto the directions of largest variance: Z = (X - mean) V_k^T.

    Parameters
    ----------
    n_components : int, float in (0, 1), "mle" or None, default=None
        Components kept: a number; the fewest whose explained-variance share exceeds the
        float; Minka's maximum-likelihood choice; or all (min(n_samples, n_features)).
    whiten : bool, default=False
        Divide each projected coordinate by its standard deviation sqrt(explained_variance_).
    svd_solver : {"auto", "full", "covariance_eigh", "randomized"}, default="auto"
        "auto" is scikit-learn's rule (covariance_eigh for n_samples >= 10 n_features and
        n_features <= 1000; randomized for few components of large data; else full).
    iterated_power : int or "auto", default="auto"
    n_oversamples : int, default=10
    power_iteration_normalizer : {"auto", "QR", "none"}, default="auto"
    random_state : None, int or RandomState
        For the randomized solver.

    Attributes
    ----------
    components_ : ndarray of shape (n_components_, n_features)
    explained_variance_, explained_variance_ratio_, singular_values_ : ndarray
    mean_ : ndarray of shape (n_features,)
    n_components_, n_samples_ : int
    noise_variance_ : float
        Mean variance of the dropped directions (probabilistic PCA's sigma^2).

    Examples
    --------
    >>> X = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]])
    >>> pca = PCA(n_components=1).fit(X)
    >>> pca.components_.round(4), pca.transform([[3.0, 3.0]]).round(4)
    (array([[0.7071, 0.7071]]), array([[2.8284]]))
    """

    def __init__(
        self,
        n_components=None,
        *,
        copy=True,
        whiten=False,
        svd_solver="auto",
        tol=0.0,
        iterated_power="auto",
        n_oversamples=10,
        power_iteration_normalizer="auto",
        random_state=None,
    ):
        self.n_components = n_components
        self.copy = copy
        self.whiten = whiten
        self.svd_solver = svd_solver
        self.tol = tol
        self.iterated_power = iterated_power
        self.n_oversamples = n_oversamples
        self.power_iteration_normalizer = power_iteration_normalizer
        self.random_state = random_state

    def fit(self, X: Any, y: Any = None) -> PCA:
        """Learn the mean and the principal axes of X."""
        self._fit(X)
        return self

    def fit_transform(self, X: Any, y: Any = None) -> np.ndarray:
        """Fit, then project X (from the SVD's U when it was computed)."""
        U, S, X = self._fit(X)
        if U is None:
            return self.transform(X)
        U = U[:, : self.n_components_]
        return U * np.sqrt(X.shape[0] - 1) if self.whiten else U * S[: self.n_components_]

    def _fit(self, X: Any) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
        X = _validate_data(self, X, dtype=np.float64)
        n, d = X.shape
        solver = _choose_solver(self.svd_solver, (n, d), self.n_components)
        if solver not in ("full", "covariance_eigh", "randomized"):
            raise ValueError(
                "PCA: svd_solver must be 'auto', 'full', 'covariance_eigh' or 'randomized', "
                f"got {self.svd_solver!r}"
            )
        _check_n_components(self, n, d, solver)
        self._fit_svd_solver, self.mean_ = solver, X.mean(axis=0)
        if solver == "randomized":
            return self._fit_randomized(X)
        if solver == "full":
            U, S, Vt = _spectrum_full(X - self.mean_)
        else:
            U, S, Vt = _spectrum_covariance(X, self.mean_)
        U, Vt = svd_flip(U, Vt)
        variance = S**2 / (n - 1)
        ratio = variance / variance.sum()
        k = _n_kept(self.n_components, variance, ratio, n, d)
        self.noise_variance_ = float(variance[k:].mean()) if k < min(n, d) else 0.0
        self._keep(Vt, variance, ratio, S, k, n)
        return U, S, X

    def _fit_randomized(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        n, d = X.shape
        k = self.n_components
        n_iter = self.iterated_power
        if n_iter == "auto":
            n_iter = 7 if k < 0.1 * min(n, d) else 4
        Xc = X - self.mean_
        U, S, Vt = randomized_svd(
            Xc,
            k,
            n_oversamples=self.n_oversamples,
            n_iter=n_iter,
            power_iteration_normalizer=self.power_iteration_normalizer,
            random_state=self.random_state,
        )
        U, Vt = svd_flip(U, Vt)
        variance = S**2 / (n - 1)
        total = np.einsum("ij,ij->", Xc, Xc) / (n - 1)
        rest = min(n, d) - k
        self.noise_variance_ = float((total - variance.sum()) / rest) if rest else 0.0
        self._keep(Vt, variance, variance / total, S, k, n)
        return U, S, X

    def _keep(self, Vt, variance, ratio, S, k, n) -> None:
        self.n_components_, self.n_samples_ = k, n
        self.components_ = Vt[:k].copy()
        self.explained_variance_ = variance[:k].copy()
        self.explained_variance_ratio_ = ratio[:k].copy()
        self.singular_values_ = S[:k].copy()

    def transform(self, X: Any) -> np.ndarray:
        """Coordinates of X on the principal axes (divided by their std if ``whiten``)."""
        check_is_fitted(self, "components_")
        X = _validate_data(self, X, reset=False, dtype=np.float64)
        Z = X @ self.components_.T - self.mean_ @ self.components_.T
        if self.whiten:
            Z /= np.maximum(np.sqrt(self.explained_variance_), np.finfo(np.float64).eps)
        return Z

    def inverse_transform(self, X: Any) -> np.ndarray:
        """Back to feature space: X V_k (+ whitening undone) + mean."""
        check_is_fitted(self, "components_")
        Z = check_array(X, dtype=np.float64)
        V = self.components_
        if self.whiten:
            V = np.sqrt(self.explained_variance_)[:, None] * V
        return Z @ V + self.mean_

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """``pca0``, ``pca1``, ... one per component."""
        return _component_names(self)


class TruncatedSVD(TransformerMixin, BaseEstimator):
    """Rank-k SVD of X without centering: X ~ U_k S_k V_k^T; transform gives X V_k^T.

    Parameters
    ----------
    n_components : int, default=2
    algorithm : {"randomized", "arpack"}, default="randomized"
        "arpack" here means the exact truncated SVD (computed by LAPACK's full SVD,
        no ARPACK): the same numbers scikit-learn's ARPACK converges to.
    n_iter : int, default=5
    n_oversamples : int, default=10
    power_iteration_normalizer : {"auto", "QR", "none"}, default="auto"
    random_state : None, int or RandomState
    tol : float, default=0.0
        Unused (kept for scikit-learn's signature).

    Attributes
    ----------
    components_ : ndarray of shape (n_components, n_features)
    explained_variance_, explained_variance_ratio_, singular_values_ : ndarray

    Examples
    --------
    >>> X = np.array([[3.0, 0.0, 0.0], [0.0, 2.0, 0.0], [0.0, 0.0, 1.0]])
    >>> TruncatedSVD(n_components=2, algorithm="arpack").fit(X).singular_values_
    array([3., 2.])
    """

    def __init__(
        self,
        n_components=2,
        *,
        algorithm="randomized",
        n_iter=5,
        n_oversamples=10,
        power_iteration_normalizer="auto",
        random_state=None,
        tol=0.0,
    ):
        self.n_components = n_components
        self.algorithm = algorithm
        self.n_iter = n_iter
        self.n_oversamples = n_oversamples
        self.power_iteration_normalizer = power_iteration_normalizer
        self.random_state = random_state
        self.tol = tol

    def fit(self, X: Any, y: Any = None) -> TruncatedSVD:
        """Learn the top ``n_components`` right singular vectors of X."""
        self.fit_transform(X)
        return self

    def fit_transform(self, X: Any, y: Any = None) -> np.ndarray:
        """Fit, then X V_k^T."""
        X = _validate_data(self, X, dtype=np.float64, ensure_min_features=2)
        k = self.n_components
        if not isinstance(k, numbers.Integral) or isinstance(k, bool) or k < 1:
            raise ValueError(f"TruncatedSVD: n_components must be an int >= 1, got {k!r}")
        if k > X.shape[1]:
            raise ValueError(f"n_components({k}) must be <= n_features({X.shape[1]}).")
        if self.algorithm == "arpack":
            _, S, Vt = np.linalg.svd(X, full_matrices=False)
        elif self.algorithm == "randomized":
            _, S, Vt = randomized_svd(
                X,
                k,
                n_oversamples=self.n_oversamples,
                n_iter=self.n_iter,
                power_iteration_normalizer=self.power_iteration_normalizer,
                random_state=self.random_state,
            )
        else:
            raise ValueError(
                f"TruncatedSVD: algorithm must be 'randomized' or 'arpack', got {self.algorithm!r}"
            )
        _, Vt = svd_flip(None, Vt[:k])
        self.components_, self.singular_values_ = Vt, S[:k].copy()
        Z = X @ Vt.T
        self.explained_variance_ = Z.var(axis=0)
        self.explained_variance_ratio_ = self.explained_variance_ / X.var(axis=0).sum()
        return Z

    def transform(self, X: Any) -> np.ndarray:
        """X V_k^T."""
        check_is_fitted(self, "components_")
        return _validate_data(self, X, reset=False, dtype=np.float64) @ self.components_.T

    def inverse_transform(self, X: Any) -> np.ndarray:
        """Z V_k: back to feature space (the rank-k approximation)."""
        check_is_fitted(self, "components_")
        return check_array(X, dtype=np.float64) @ self.components_

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """``truncatedsvd0``, ``truncatedsvd1``, ... one per component."""
        return _component_names(self)
