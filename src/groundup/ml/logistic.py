"""Linear classifiers: L2 logistic regression by Newton's method written here; Perceptron.

Objective (scikit-learn's ``lbfgs`` one): sum_i log-loss_i + ||W||^2 / (2 C), the intercept
not penalised; binary (sigmoid, one weight row) for 2 classes, multinomial (softmax) above.

Examples
--------
>>> from groundup.ml.logistic import LogisticRegression
>>> clf = LogisticRegression().fit([[-2.0], [-1.0], [1.0], [2.0]], ["no", "no", "yes", "yes"])
>>> clf.predict([[-3.0], [3.0]]).tolist()
['no', 'yes']
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from groundup.ml.base import BaseEstimator, ClassifierMixin
from groundup.ml.validation import _check_fit_y, _validate_data, check_is_fitted, check_scalar

__all__ = ["LogisticRegression", "Perceptron"]

_FLOATS = (np.float64, np.float32)


def _check_classification_targets(y: np.ndarray, name: str) -> None:
    """Reject continuous targets with scikit-learn's message (its checks grep it)."""
    if y.dtype.kind == "f" and np.any(y != np.round(y)):
        raise ValueError(
            f"Unknown label type: continuous. {name} is a classifier: y holds class labels; "
            "for real-valued targets use a regressor."
        )


def _softmax(Z: np.ndarray) -> np.ndarray:
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


def _loss_grad_hess(
    theta: np.ndarray, Xa: np.ndarray, Y: np.ndarray, pen: np.ndarray, C: float, hess: bool = True
):
    """Objective, gradient (K, p) and Hessian (K p, K p) at theta (K, p).

    K = 1 is the binary case (Y holds 0/1); else Y is one-hot (n, K) and the Hessian block
    (k, l) is Xa' diag(P_k (delta_kl - P_l)) Xa.
    """
    K, p = theta.shape
    Z = Xa @ theta.T  # (n, K)
    reg = 0.5 / C * np.sum(pen * theta**2)
    if K == 1:
        z, y = Z[:, 0], Y[:, 0]
        P = 1.0 / (1.0 + np.exp(-z))
        loss = np.sum(np.logaddexp(0.0, z) - y * z) + reg
        G = ((P - y) @ Xa)[None, :]
        if not hess:
            return loss, G + pen * theta / C, None
        H = Xa.T @ ((P * (1.0 - P))[:, None] * Xa)
        H[np.diag_indices(p)] += pen[0] / C
        return loss, G + pen * theta / C, H
    m = Z.max(axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.exp(Z - m).sum(axis=1))
    P = _softmax(Z)
    loss = np.sum(lse - np.sum(Y * Z, axis=1)) + reg
    G = (P - Y).T @ Xa + pen * theta / C
    if not hess:
        return loss, G, None
    H = np.empty((K, p, K, p))
    for k in range(K):  # over class pairs, not samples
        for j in range(k, K):
            w = P[:, k] * ((k == j) - P[:, j])
            H[k, :, j, :] = Xa.T @ (w[:, None] * Xa)
            H[j, :, k, :] = H[k, :, j, :].T
    H = H.reshape(K * p, K * p)
    H[np.diag_indices(K * p)] += (pen / C).ravel()
    return loss, G, H


def _newton_solve(H: np.ndarray, G: np.ndarray, null: np.ndarray | None) -> np.ndarray:
    """Minimum-norm solution of H s = g.

    H is positive definite but for ``null`` (unit vector, H null = 0, g orthogonal to it), so
    (H + null null') s = g has the same solution as the pseudo-inverse, by Cholesky.
    """
    g = G.ravel()
    A = H if null is None else H + np.outer(null, null)
    try:
        L = np.linalg.cholesky(A)
        return np.linalg.solve(L.T, np.linalg.solve(L, g))
    except np.linalg.LinAlgError:
        return np.linalg.lstsq(H, g, rcond=None)[0]


class LogisticRegression(ClassifierMixin, BaseEstimator):
    """L2-regularised logistic regression: binary for 2 classes, multinomial for more.

    min_W sum_i -log softmax(W x_i + b)_{y_i} + ||W||^2 / (2 C), by damped Newton steps
    (minimum-norm solve, Armijo backtracking). Newton converges quadratically, so it stops
    once max |gradient| / n_samples < tol * 1e-4, which costs one or two more steps.

    Parameters
    ----------
    C : float, default=1.0
        Inverse penalty strength, > 0.
    fit_intercept : bool, default=True
    max_iter : int, default=100
        Newton iterations.
    tol : float, default=1e-4

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
        self, C: float = 1.0, *, fit_intercept: bool = True, max_iter: int = 100, tol: float = 1e-4
    ):
        self.C = C
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol

    def fit(self, X: Any, y: Any) -> LogisticRegression:
        """Minimise the penalised log-loss by Newton's method; returns self."""
        _check_fit_y(self, y)
        X, y = _validate_data(self, X, y, dtype=_FLOATS)
        check_scalar(self.C, "C", min_val=0.0, include_boundaries="neither")
        check_scalar(self.max_iter, "max_iter", numbers.Integral, min_val=1)
        check_scalar(self.tol, "tol", min_val=0.0)
        _check_classification_targets(y, type(self).__name__)
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
        p = Xa.shape[1]
        Y = (idx == 1).astype(np.float64)[:, None] if K == 2 else np.eye(K)[idx]
        rows = Y.shape[1]
        pen = np.ones((rows, p))
        if self.fit_intercept:
            pen[:, -1] = 0.0
        theta = np.zeros((rows, p))
        # the one flat direction: the same shift of every class's intercept (softmax ignores it)
        null = (1.0 - pen).ravel() / np.sqrt(rows) if rows > 1 and self.fit_intercept else None
        C = float(self.C)
        loss, G, H = _loss_grad_hess(theta, Xa, Y, pen, C)
        it = 0
        for it in range(1, self.max_iter + 1):
            if np.max(np.abs(G)) / n < self.tol * 1e-4:
                it -= 1
                break
            step = -_newton_solve(H, G, null).reshape(rows, p)
            slope, t = float(G.ravel() @ step.ravel()), 1.0
            while True:
                new_loss = _loss_grad_hess(theta + t * step, Xa, Y, pen, C, hess=False)[0]
                if new_loss <= loss + 1e-4 * t * slope or t < 1e-10:
                    break
                t *= 0.5
            theta = theta + t * step
            loss, G, H = _loss_grad_hess(theta, Xa, Y, pen, C)
        self.n_iter_ = np.array([it])
        W = theta[:, :d] if self.fit_intercept else theta
        self.coef_ = W.astype(X.dtype)
        b = theta[:, d] if self.fit_intercept else np.zeros(rows)
        self.intercept_ = b.astype(X.dtype)
        return self

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
            p1 = 1.0 / (1.0 + np.exp(-S))
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
        _check_classification_targets(y, type(self).__name__)
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
