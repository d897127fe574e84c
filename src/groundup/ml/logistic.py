"""Linear classifiers: L2 logistic regression (L-BFGS or Newton, written here); Perceptron.

Objective, scikit-learn's scaling (>= 1.2): the mean log-loss plus ||W||^2 / (2 C n), the
intercept not penalised; binary (sigmoid, one weight row) for 2 classes, multinomial (softmax)
above.

Examples
--------
>>> from groundup.ml.logistic import LogisticRegression
>>> clf = LogisticRegression().fit([[-2.0], [-1.0], [1.0], [2.0]], ["no", "no", "yes", "yes"])
>>> clf.predict([[-3.0], [3.0]]).tolist()
['no', 'yes']
"""

from __future__ import annotations

import numbers
import warnings
from typing import Any

import numpy as np

from groundup.ml._classes import reject_continuous_labels
from groundup.ml._lbfgs import minimize_lbfgs
from groundup.ml.base import BaseEstimator, ClassifierMixin
from groundup.ml.validation import (
    ConvergenceWarning,
    _check_fit_y,
    _validate_data,
    check_is_fitted,
    check_scalar,
)

__all__ = ["LogisticRegression", "Perceptron"]

_FLOATS = (np.float64, np.float32)
_SOLVERS = ("lbfgs", "newton-cholesky")


def _softmax(Z: np.ndarray) -> np.ndarray:
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


class _LogLoss:
    """f(theta) = mean_i log-loss_i + l2/2 ||pen * theta||^2 and its gradient, in one pass.

    theta is (K, p) flattened, the intercept in the last column of Xa; K = 1 is the binary
    case (label 1 against the rest). The residual R = P - Y (probabilities minus one-hot
    targets) gives the gradient in one GEMM: R' Xa / n + l2 pen theta.
    """

    def __init__(self, Xa: np.ndarray, idx: np.ndarray, K: int, pen: np.ndarray, l2: float):
        self.Xa, self.idx, self.K = Xa, idx, K
        self.pen_l2 = pen * l2  # (K, p): l2 on weights, 0 on the intercept
        self.rows = np.arange(len(idx))
        self.y = (idx == 1).astype(np.float64)

    def residual(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        """Sum of the log-losses and R = P - Y, shape (n, K)."""
        Z = self.Xa @ theta.T  # (n, K)
        if self.K == 1:
            z = Z[:, 0]
            log1p_exp = np.logaddexp(0.0, z)
            P = np.exp(z - log1p_exp)  # sigmoid(z), without overflow
            return float(log1p_exp.sum() - self.y @ z), (P - self.y)[:, None]
        Z -= Z.max(axis=1, keepdims=True)
        E = np.exp(Z)
        s = E.sum(axis=1)
        loss = float(np.log(s).sum() - Z[self.rows, self.idx].sum())
        E /= s[:, None]
        E[self.rows, self.idx] -= 1.0
        return loss, E

    def __call__(self, flat: np.ndarray) -> tuple[float, np.ndarray]:
        theta = flat.reshape(self.pen_l2.shape)
        loss, R = self.residual(theta)
        n = len(self.idx)
        reg = self.pen_l2 * theta
        G = R.T @ self.Xa
        G *= 1.0 / n
        G += reg
        return loss / n + 0.5 * float(np.sum(reg * theta)), G.ravel()

    def hessian(self, theta: np.ndarray) -> np.ndarray:
        """The (K p, K p) Hessian: block (k, l) = Xa' diag(P_k (delta_kl - P_l)) Xa / n + l2."""
        K, p = theta.shape
        P = self.residual(theta)[1]  # back to probabilities: add Y
        if K == 1:
            P += self.y[:, None]
        else:
            P[self.rows, self.idx] += 1.0
        Xw = self.Xa / len(self.idx)
        H = np.empty((K, p, K, p))
        for k in range(K):  # over class pairs, not samples
            for j in range(k, K):
                w = P[:, k] * ((k == j) - P[:, j])
                H[k, :, j, :] = self.Xa.T @ (w[:, None] * Xw)
                H[j, :, k, :] = H[k, :, j, :].T
        H = H.reshape(K * p, K * p)
        H[np.diag_indices(K * p)] += self.pen_l2.ravel()
        return H


def _newton_solve(H: np.ndarray, g: np.ndarray, null: np.ndarray | None) -> np.ndarray:
    """Minimum-norm solution of H s = g.

    H is positive definite but for ``null`` (unit vector, H null = 0, g orthogonal to it), so
    (H + null null') s = g has the same solution as the pseudo-inverse, by Cholesky.
    """
    A = H if null is None else H + np.outer(null, null)
    try:
        L = np.linalg.cholesky(A)
        return np.linalg.solve(L.T, np.linalg.solve(L, g))
    except np.linalg.LinAlgError:
        return np.linalg.lstsq(H, g, rcond=None)[0]


def _newton(
    fun: _LogLoss, theta: np.ndarray, max_iter: int, tol: float, null: np.ndarray | None
) -> tuple[np.ndarray, int, bool]:
    """Damped Newton steps (minimum-norm solve, Armijo backtracking) from theta.

    Newton converges quadratically, so it asks max |gradient| < tol * 1e-4, which costs one
    or two more steps than tol itself; it also stops, converged if max |gradient| <= tol,
    when a step no longer lowers the objective in float64. Returns (theta, iterations,
    converged).
    """
    loss, g = fun(theta.ravel())
    for it in range(max_iter):
        if np.max(np.abs(g)) < tol * 1e-4:
            return theta, it, True
        step = -_newton_solve(fun.hessian(theta), g, null).reshape(theta.shape)
        slope, t = float(g @ step.ravel()), 1.0
        while True:
            new_loss, new_g = fun((theta + t * step).ravel())
            if new_loss <= loss + 1e-4 * t * slope or t < 1e-10:
                break
            t *= 0.5
        if new_loss >= loss:  # no decrease left in float64: done if the gradient is small
            return theta, it + 1, bool(np.max(np.abs(g)) <= tol)
        theta, loss, g = theta + t * step, new_loss, new_g
    return theta, max_iter, bool(np.max(np.abs(g)) <= tol)


class LogisticRegression(ClassifierMixin, BaseEstimator):
    """L2-regularised logistic regression: binary for 2 classes, multinomial for more.

    min_W mean_i -log softmax(W x_i + b)_{y_i} + ||W||^2 / (2 C n), scikit-learn's objective.
    ``lbfgs`` (default) is limited-memory BFGS with a strong-Wolfe line search, stopping as
    scipy's L-BFGS-B does under scikit-learn: max |gradient| <= tol, or a relative decrease
    of the objective <= 64 machine epsilons. ``newton-cholesky`` takes damped Newton steps on
    the full (K p)^2 Hessian: few iterations, each costly; for small problems and teaching.

    Parameters
    ----------
    C : float, default=1.0
        Inverse penalty strength, > 0.
    fit_intercept : bool, default=True
    max_iter : int, default=100
        Solver iterations; a ConvergenceWarning when they run out.
    tol : float, default=1e-4
    solver : {"lbfgs", "newton-cholesky"}, default="lbfgs"

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    coef_ : ndarray of shape (1, n_features) for 2 classes, else (n_classes, n_features)
    intercept_ : ndarray of shape (1,) or (n_classes,)
    n_iter_ : ndarray of shape (1,)
    n_features_in_ : int

    Examples
    --------
    >>> X, y = [[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1]
    >>> LogisticRegression(C=10.0).fit(X, y).predict_proba([[1.5]]).round(2)
    array([[0.5, 0.5]])
    """

    def __init__(
        self,
        C: float = 1.0,
        *,
        fit_intercept: bool = True,
        max_iter: int = 100,
        tol: float = 1e-4,
        solver: str = "lbfgs",
    ):
        self.C = C
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.solver = solver

    def _check_params(self) -> None:
        check_scalar(self.C, "C", min_val=0.0, include_boundaries="neither")
        check_scalar(self.max_iter, "max_iter", numbers.Integral, min_val=1)
        check_scalar(self.tol, "tol", min_val=0.0)
        if self.solver not in _SOLVERS:
            raise ValueError(
                f"LogisticRegression: solver must be one of {_SOLVERS}, got {self.solver!r}"
            )

    def fit(self, X: Any, y: Any) -> LogisticRegression:
        """Minimise the penalised mean log-loss with ``solver``; returns self."""
        _check_fit_y(self, y)
        X, y = _validate_data(self, X, y, dtype=_FLOATS)
        self._check_params()
        reject_continuous_labels(y, type(self).__name__)
        self.classes_, idx = np.unique(y, return_inverse=True)
        K = len(self.classes_)
        if K < 2:
            raise ValueError(
                "This solver needs samples of at least 2 classes in the data, but the data "
                f"contains only one class: {self.classes_[0]!r}"
            )
        n, d = X.shape
        Xa = X.astype(np.float64)
        if self.fit_intercept:
            Xa = np.hstack([Xa, np.ones((n, 1))])
        rows, p = (1 if K == 2 else K), Xa.shape[1]
        pen = np.ones((rows, p))
        if self.fit_intercept:
            pen[:, -1] = 0.0
        fun = _LogLoss(Xa, idx, rows, pen, 1.0 / (float(self.C) * n))
        theta, n_iter, converged = self._solve(fun, np.zeros((rows, p)), pen)
        if not converged:
            warnings.warn(
                f"LogisticRegression: the {self.solver} solver stopped at max_iter="
                f"{self.max_iter} before reaching tol={self.tol}; scale the data (e.g. "
                "StandardScaler) or raise max_iter.",
                ConvergenceWarning,
                stacklevel=2,
            )
        self.n_iter_ = np.array([n_iter])
        self.coef_ = theta[:, :d].astype(X.dtype)
        b = theta[:, d] if self.fit_intercept else np.zeros(rows)
        self.intercept_ = b.astype(X.dtype)
        return self

    def _solve(
        self, fun: _LogLoss, theta0: np.ndarray, pen: np.ndarray
    ) -> tuple[np.ndarray, int, bool]:
        """(theta, iterations, converged) by the chosen solver, from theta0."""
        if self.solver == "lbfgs":
            res = minimize_lbfgs(fun, theta0.ravel(), gtol=self.tol, max_iter=self.max_iter)
            return res.x.reshape(theta0.shape), res.n_iter, res.converged
        rows = theta0.shape[0]
        # the one flat direction: the same shift of every class's intercept (softmax ignores it)
        null = (1.0 - pen).ravel() / np.sqrt(rows) if rows > 1 and self.fit_intercept else None
        return _newton(fun, theta0, self.max_iter, self.tol, null)

    def decision_function(self, X: Any) -> np.ndarray:
        """Scores X @ coef_.T + intercept_: shape (n_samples,) for 2 classes, else (n, K)."""
        check_is_fitted(self)
        X = _validate_data(self, X, reset=False, dtype=_FLOATS)
        S = X @ self.coef_.T.astype(X.dtype) + self.intercept_.astype(X.dtype)
        return S[:, 0] if S.shape[1] == 1 else S

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities (sigmoid or softmax of the scores), shape (n_samples, K)."""
        S = self.decision_function(X)
        if S.ndim == 1:
            p1 = np.exp(-np.logaddexp(0.0, -S))  # sigmoid(S), without overflow
            return np.stack([1.0 - p1, p1], axis=1)
        return _softmax(S)

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Log of :meth:`predict_proba`."""
        return np.log(self.predict_proba(X))

    def predict(self, X: Any) -> np.ndarray:
        """The class with the highest score for each sample."""
        S = self.decision_function(X)
        idx = (S > 0).astype(int) if S.ndim == 1 else S.argmax(axis=1)
        return self.classes_[idx]


class Perceptron(ClassifierMixin, BaseEstimator):
    """Rosenblatt's perceptron, full-batch: one-vs-rest rows, updated on all mistakes at once.

    Each epoch, with M the mistakes (y_ik s_ik <= 0, y in {-1, +1}):
    W += eta0 * (M * Y)' X / n and b += eta0 * sum_i (M * Y)_i / n. Training stops when the
    perceptron loss mean_i sum_k max(0, -y_ik s_ik) has not fallen by ``tol`` below its best
    for ``n_iter_no_change`` epochs, or reaches 0. Unlike scikit-learn's per-sample SGD there
    is no shuffling, so the weights are deterministic but differ from scikit-learn's.

    Parameters
    ----------
    eta0 : float, default=1.0
        Step size, > 0.
    fit_intercept : bool, default=True
    max_iter : int, default=1000
        Epochs.
    tol : float, default=1e-3
    n_iter_no_change : int, default=5

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    coef_ : ndarray of shape (1, n_features) for 2 classes, else (n_classes, n_features)
    intercept_ : ndarray of shape (1,) or (n_classes,)
    n_iter_ : int
    loss_curve_ : list of float
    n_features_in_ : int

    Examples
    --------
    >>> Perceptron().fit([[-2.0], [-1.0], [1.0], [2.0]], [0, 0, 1, 1]).predict([[-3.0], [3.0]])
    array([0, 1])
    """

    def __init__(
        self,
        *,
        eta0: float = 1.0,
        fit_intercept: bool = True,
        max_iter: int = 1000,
        tol: float = 1e-3,
        n_iter_no_change: int = 5,
    ):
        self.eta0 = eta0
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change

    def fit(self, X: Any, y: Any) -> Perceptron:
        """Batch perceptron updates until the loss stops improving; returns self."""
        _check_fit_y(self, y)
        X, y = _validate_data(self, X, y, dtype=_FLOATS)
        check_scalar(self.eta0, "eta0", min_val=0.0, include_boundaries="neither")
        check_scalar(self.max_iter, "max_iter", numbers.Integral, min_val=1)
        check_scalar(self.tol, "tol", min_val=0.0)
        check_scalar(self.n_iter_no_change, "n_iter_no_change", numbers.Integral, min_val=1)
        reject_continuous_labels(y, type(self).__name__)
        self.classes_, idx = np.unique(y, return_inverse=True)
        K = len(self.classes_)
        if K < 2:
            raise ValueError(
                "The number of classes has to be greater than one; got 1 class: "
                f"{self.classes_[0]!r} (the data contains only one class)"
            )
        Xf = X.astype(np.float64)
        n = Xf.shape[0]
        Y = np.where(idx == 1, 1.0, -1.0)[:, None] if K == 2 else 2.0 * np.eye(K)[idx] - 1.0
        W, b = np.zeros((Y.shape[1], Xf.shape[1])), np.zeros(Y.shape[1])
        best, stale = np.inf, 0
        self.loss_curve_ = []
        for _ in range(self.max_iter):
            M = (Y * (Xf @ W.T + b) <= 0) * Y  # (n, K): +-1 on mistakes, else 0
            W += self.eta0 * (M.T @ Xf) / n
            if self.fit_intercept:
                b += self.eta0 * M.sum(axis=0) / n
            loss = float(np.maximum(-Y * (Xf @ W.T + b), 0.0).sum() / n)
            self.loss_curve_.append(loss)
            stale = stale + 1 if loss > best - self.tol else 0
            best = min(best, loss)
            if loss == 0.0 or stale >= self.n_iter_no_change:
                break
        self.n_iter_ = len(self.loss_curve_)
        self.coef_, self.intercept_ = W.astype(X.dtype), b.astype(X.dtype)
        return self

    decision_function = LogisticRegression.decision_function

    def predict(self, X: Any) -> np.ndarray:
        """The class with the highest score for each sample."""
        S = self.decision_function(X)
        idx = (S > 0).astype(int) if S.ndim == 1 else S.argmax(axis=1)
        return self.classes_[idx]
