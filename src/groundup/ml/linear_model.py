"""Linear regression family: ordinary least squares, Ridge (L2) and Lasso (L1).

Each centres X and y when ``fit_intercept`` (so the intercept is never penalised), solves
for ``coef_`` on the centred data and recovers ``intercept_ = y_mean - x_mean @ coef_``.

Examples
--------
>>> from groundup.ml.linear_model import LinearRegression
>>> LinearRegression().fit([[0.0], [1.0], [2.0]], [1.0, 3.0, 5.0]).coef_.round(6)
array([2.])
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from groundup.ml.base import BaseEstimator, RegressorMixin
from groundup.ml.validation import _check_fit_y, _validate_data, check_is_fitted, check_scalar

__all__ = ["Lasso", "LinearRegression", "Ridge"]

_FLOATS = (np.float64, np.float32)


def _center(X: np.ndarray, y: np.ndarray, fit_intercept: bool) -> tuple:
    """Centred copies of X and y (float64) and their means (zeros without an intercept)."""
    X64, y64 = X.astype(np.float64), y.astype(np.float64)
    if not fit_intercept:
        return X64, y64, np.zeros(X.shape[1]), 0.0
    x_mean, y_mean = X64.mean(axis=0), y64.mean()
    return X64 - x_mean, y64 - y_mean, x_mean, y_mean


class _LinearRegressor(RegressorMixin, BaseEstimator):
    """Shared ``predict``: ``X @ coef_ + intercept_`` in the dtype of the fitted X."""

    def _validate_fit(self, X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
        _check_fit_y(self, y)
        X, y = _validate_data(self, X, y, dtype=_FLOATS, y_numeric=True)
        if y.dtype.kind not in "f":
            y = y.astype(np.float64)
        return X, y

    def _set_coef(self, w: np.ndarray, x_mean: np.ndarray, y_mean: float, dtype: Any) -> None:
        self.coef_ = w.astype(dtype)
        intercept = float(y_mean - x_mean @ w) if self.fit_intercept else 0.0
        self.intercept_ = dtype(intercept) if self.fit_intercept else 0.0

    def predict(self, X: Any) -> np.ndarray:
        """Predicted targets ``X @ coef_ + intercept_``, shape (n_samples,)."""
        check_is_fitted(self)
        X = _validate_data(self, X, reset=False, dtype=_FLOATS)
        return X @ self.coef_.astype(X.dtype) + X.dtype.type(self.intercept_)


class LinearRegression(_LinearRegressor):
    """Ordinary least squares: min_w ||y - Xw - b||^2, solved by SVD (``np.linalg.lstsq``).

    Parameters
    ----------
    fit_intercept : bool, default=True
        Centre X and y first, so ``intercept_`` is fitted and not shrunk.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
    intercept_ : float
    rank_ : int
        Rank of the centred X.
    singular_ : ndarray of shape (min(n_samples, n_features),)
    n_features_in_ : int

    Examples
    --------
    >>> LinearRegression().fit([[0.0], [1.0], [2.0]], [1.0, 3.0, 5.0]).predict([[3.0]]).round(6)
    array([7.])
    """

    def __init__(self, *, fit_intercept: bool = True):
        self.fit_intercept = fit_intercept

    def fit(self, X: Any, y: Any) -> LinearRegression:
        """Least-squares coefficients of y on X; returns self."""
        X, y = self._validate_fit(X, y)
        Xc, yc, x_mean, y_mean = _center(X, y, self.fit_intercept)
        # minimum-norm solution, as scipy.linalg.lstsq in scikit-learn
        w, _, self.rank_, self.singular_ = np.linalg.lstsq(Xc, yc, rcond=None)
        self._set_coef(w, x_mean, y_mean, X.dtype.type)
        return self


class Ridge(_LinearRegressor):
    """Least squares with an L2 penalty: min_w ||y - Xw - b||^2 + alpha ||w||^2.

    Parameters
    ----------
    alpha : float, default=1.0
        Penalty strength, >= 0.
    fit_intercept : bool, default=True
    solver : {"auto", "cholesky", "svd", "gd"}, default="auto"
        "cholesky" solves (X'X + alpha I) w = X'y; "svd" uses w = V diag(s / (s^2 + alpha)) U'y;
        "auto" is "cholesky". "gd" is full-batch gradient descent on
        (||y - Xw||^2 + alpha ||w||^2) / (2 n), for teaching; it records ``loss_curve_``.
    learning_rate : float, default=0.01
        Step size of "gd".
    max_iter : int, default=1000
        Epochs of "gd".

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
    intercept_ : float
    loss_curve_ : list of float
        Objective after each "gd" epoch (only with ``solver="gd"``).
    n_iter_ : int
        Epochs of "gd"; 1 (one linear solve) for the closed-form solvers.
    n_features_in_ : int

    Examples
    --------
    >>> Ridge(alpha=0.1).fit([[0.0], [1.0], [2.0]], [0.0, 1.0, 2.0]).predict([[3.0]]).round(2)
    array([2.9])
    """

    def __init__(
        self,
        alpha: float = 1.0,
        *,
        fit_intercept: bool = True,
        solver: str = "auto",
        learning_rate: float = 0.01,
        max_iter: int = 1000,
    ):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.solver = solver
        self.learning_rate = learning_rate
        self.max_iter = max_iter

    def fit(self, X: Any, y: Any) -> Ridge:
        """Fit the penalised least-squares coefficients; returns self."""
        X, y = self._validate_fit(X, y)
        check_scalar(self.alpha, "alpha", min_val=0.0)
        if self.solver not in ("auto", "cholesky", "svd", "gd"):
            raise ValueError(
                f"Ridge: solver must be 'auto', 'cholesky', 'svd' or 'gd', got {self.solver!r}."
            )
        Xc, yc, x_mean, y_mean = _center(X, y, self.fit_intercept)
        a = float(self.alpha)
        if self.solver == "gd":
            w = self._gradient_descent(Xc, yc, a)
        elif self.solver == "svd" or a == 0.0:
            U, s, Vt = np.linalg.svd(Xc, full_matrices=False)
            d = np.divide(s, s**2 + a, out=np.zeros_like(s), where=s > 1e-15)
            w = Vt.T @ (d * (U.T @ yc))
        else:
            A = Xc.T @ Xc
            A[np.diag_indices_from(A)] += a
            try:
                L = np.linalg.cholesky(A)
                w = np.linalg.solve(L.T, np.linalg.solve(L, Xc.T @ yc))
            except np.linalg.LinAlgError:  # singular: fall back to least squares
                w = np.linalg.lstsq(A, Xc.T @ yc, rcond=None)[0]
        if self.solver != "gd":
            self.n_iter_ = 1
        self._set_coef(w, x_mean, y_mean, X.dtype.type)
        return self

    def _gradient_descent(self, X: np.ndarray, y: np.ndarray, alpha: float) -> np.ndarray:
        """w <- w - lr * (X'(Xw - y) + alpha w) / n, from w = 0."""
        check_scalar(self.learning_rate, "learning_rate", min_val=0.0, include_boundaries="neither")
        check_scalar(self.max_iter, "max_iter", numbers.Integral, min_val=1)
        n = X.shape[0]
        w = np.zeros(X.shape[1])
        self.loss_curve_ = []
        for _ in range(self.max_iter):
            r = X @ w - y
            w = w - self.learning_rate * (X.T @ r + alpha * w) / n
            r = X @ w - y
            self.loss_curve_.append(float((r @ r + alpha * w @ w) / (2 * n)))
        self.n_iter_ = self.max_iter
        return w


class Lasso(_LinearRegressor):
    """L1-penalised least squares by cyclic coordinate descent, scikit-learn's objective.

    min_w (1 / (2 n)) ||y - Xw - b||^2 + alpha ||w||_1; each coordinate step is the soft
    threshold w_j = S(x_j'r_j, n alpha) / ||x_j||^2, where r_j is the residual without
    feature j. It stops when the duality gap falls below ``tol * ||y||^2``.

    Parameters
    ----------
    alpha : float, default=1.0
    fit_intercept : bool, default=True
    max_iter : int, default=1000
        Passes over the features.
    tol : float, default=1e-4

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
    intercept_ : float
    n_iter_ : int
    dual_gap_ : float
        Final duality gap of the objective as written above (divided by n).
    n_features_in_ : int

    Examples
    --------
    >>> Lasso(alpha=0.1).fit([[0.0], [1.0], [2.0]], [0.0, 1.0, 2.0]).coef_.round(2)
    array([0.85])
    """

    def __init__(
        self,
        alpha: float = 1.0,
        *,
        fit_intercept: bool = True,
        max_iter: int = 1000,
        tol: float = 1e-4,
    ):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol

    def fit(self, X: Any, y: Any) -> Lasso:
        """Coordinate descent on the Lasso objective; returns self."""
        X, y = self._validate_fit(X, y)
        check_scalar(self.alpha, "alpha", min_val=0.0)
        check_scalar(self.max_iter, "max_iter", numbers.Integral, min_val=1)
        check_scalar(self.tol, "tol", min_val=0.0)
        Xc, yc, x_mean, y_mean = _center(X, y, self.fit_intercept)
        w, self.dual_gap_, self.n_iter_ = _lasso_cd(
            Xc, yc, float(self.alpha), self.max_iter, self.tol
        )
        self._set_coef(w, x_mean, y_mean, X.dtype.type)
        return self


def _duality_gap(X: np.ndarray, y: np.ndarray, w: np.ndarray, r: np.ndarray, l1: float) -> float:
    """Primal minus dual objective (both times n), as scikit-learn's enet_coordinate_descent."""
    dual_norm = np.max(np.abs(X.T @ r)) if X.shape[1] else 0.0
    r2 = r @ r
    if dual_norm > l1:
        const = l1 / dual_norm
        gap = 0.5 * (r2 + r2 * const**2)
    else:
        const = 1.0
        gap = r2
    return float(gap + l1 * np.abs(w).sum() - const * (r @ y))


def _lasso_cd(X: np.ndarray, y: np.ndarray, alpha: float, max_iter: int, tol: float) -> tuple:
    """Cyclic coordinate descent (loops over features, vectorised over samples)."""
    n, d = X.shape
    l1 = alpha * n
    w = np.zeros(d)
    r = y.copy()
    col_norm2 = (X**2).sum(axis=0)
    d_w_tol, tol = tol, tol * (y @ y)
    gap, it = tol + 1.0, 0
    for it in range(1, max_iter + 1):
        w_max = d_w_max = 0.0
        for j in range(d):
            if col_norm2[j] == 0.0:
                continue
            w_old = w[j]
            rho = X[:, j] @ r + w_old * col_norm2[j]
            w[j] = np.sign(rho) * max(abs(rho) - l1, 0.0) / col_norm2[j]
            if w[j] != w_old:
                r -= (w[j] - w_old) * X[:, j]
            d_w_max = max(d_w_max, abs(w[j] - w_old))
            w_max = max(w_max, abs(w[j]))
        if w_max == 0.0 or d_w_max / w_max < d_w_tol or it == max_iter:
            gap = _duality_gap(X, y, w, r, l1)
            if gap <= tol:
                break
    return w, gap / n, it
