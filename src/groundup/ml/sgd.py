"""Linear models fitted by stochastic gradient descent: ``SGDClassifier``, ``SGDRegressor``.

Both minimise mean_i L(y_i, w . x_i + b) + alpha R(w), R(w) = (1 - l1_ratio) ||w||^2 / 2
+ l1_ratio ||w||_1, one sample at a time with scikit-learn's losses, penalties and
learning-rate schedules (``_sgd_loop.py``). The classifier trains one binary problem per
class (one vs rest), all K in the same pass over the data.

Examples
--------
>>> X = [[-2.0], [-1.0], [1.0], [2.0]]
>>> SGDClassifier(random_state=0).fit(X, [0, 0, 1, 1]).predict([[-3.0], [3.0]])
array([0, 1])
"""

from __future__ import annotations

import numbers
import warnings
from typing import Any

import numpy as np

from groundup.ml._classes import check_classes
from groundup.ml._sgd_loop import SGDConfig, SGDState, sgd_epochs
from groundup.ml.base import BaseEstimator, ClassifierMixin, RegressorMixin, _store_arguments
from groundup.ml.logistic import LogisticRegression
from groundup.ml.validation import (
    ConvergenceWarning,
    _check_fit_y,
    _validate_data,
    check_is_fitted,
    check_scalar,
)

__all__ = ["SGDClassifier", "SGDRegressor"]

_CLASSIFIER_LOSSES = ("hinge", "log_loss", "modified_huber", "squared_hinge", "perceptron")
_REGRESSOR_LOSSES = ("squared_error", "huber", "epsilon_insensitive", "squared_epsilon_insensitive")
_SCHEDULES = ("constant", "optimal", "invscaling", "adaptive")


class _BaseSGD(BaseEstimator):
    """Parameter checks, the SGD run and the linear decision function, shared."""

    _losses: tuple = ()

    def _config(self) -> SGDConfig:
        name = type(self).__name__
        if self.loss not in self._losses:
            raise ValueError(f"{name}: loss must be one of {self._losses}, got {self.loss!r}")
        if self.penalty not in ("l2", "l1", "elasticnet", None):
            raise ValueError(f"{name}: penalty must be 'l2', 'l1', 'elasticnet' or None")
        if self.learning_rate not in _SCHEDULES:
            raise ValueError(f"{name}: learning_rate must be one of {_SCHEDULES}")
        check_scalar(self.alpha, "alpha", min_val=0.0)
        if self.learning_rate == "optimal" and self.alpha == 0:
            raise ValueError(f"{name}: alpha must be > 0 with learning_rate='optimal'")
        if self.learning_rate != "optimal":
            check_scalar(self.eta0, "eta0", min_val=0.0, include_boundaries="neither")
        check_scalar(self.l1_ratio, "l1_ratio", min_val=0.0, max_val=1.0)
        check_scalar(self.epsilon, "epsilon", min_val=0.0)
        check_scalar(self.max_iter, "max_iter", numbers.Integral, min_val=1)
        check_scalar(self.n_iter_no_change, "n_iter_no_change", numbers.Integral, min_val=1)
        if self.tol is not None:
            check_scalar(self.tol, "tol")
        average = int(self.average)  # True starts averaging at the first step
        if average < 0:
            raise ValueError(f"{name}: average must be a bool or an int >= 0, got {self.average}")
        return SGDConfig(
            self.loss, self.penalty, float(self.alpha), float(self.l1_ratio),
            float(self.epsilon), bool(self.fit_intercept), self.learning_rate,
            float(self.eta0), float(self.power_t), self.tol, int(self.n_iter_no_change),
            bool(self.shuffle), average,
        )  # fmt: skip

    def _run(self, X: np.ndarray, Y: np.ndarray, *, max_iter: int, reset: bool) -> int:
        """Epochs of SGD from the stored state (or a fresh one); sets coef_ and intercept_."""
        cfg = self._config()
        if reset or not hasattr(self, "_state"):
            self._state = SGDState(Y.shape[1], X.shape[1])
            self._rng = np.random.default_rng(self.random_state)
        n_iter = sgd_epochs(X, Y, self._state, cfg, max_iter=max_iter, rng=self._rng)
        s = self._state
        averaged = cfg.average and cfg.average <= s.t - 1
        self.coef_ = (s.avg_W if averaged else s.W).copy()
        self.intercept_ = (s.avg_b if averaged else s.b).copy()
        self.t_ = s.t
        return n_iter

    def _warn_if_not_converged(self) -> None:
        if self.tol is not None and self.n_iter_ == self.max_iter:
            warnings.warn(
                f"{type(self).__name__}: maximum number of iterations ({self.max_iter}) reached "
                "before convergence; consider increasing max_iter.",
                ConvergenceWarning,
                stacklevel=3,
            )


class SGDClassifier(ClassifierMixin, _BaseSGD):
    """Linear classifier (SVM, logistic regression, ...) trained by SGD, one vs rest.

    Each step w <- (1 - eta alpha) w - eta dL/dp x uses the weights the previous step
    left, so an epoch is a Python loop over the samples; the K one-vs-rest problems share
    it, each step updating all K rows at once. Expect it to be tens of times slower than
    scikit-learn's compiled loop; with ``shuffle=False`` the weights equal scikit-learn's.

    Parameters
    ----------
    loss : {"hinge", "log_loss", "modified_huber", "squared_hinge", "perceptron"}
        Default "hinge" (a linear SVM); "log_loss" is logistic regression.
    penalty : {"l2", "l1", "elasticnet"} or None, default="l2"
    alpha : float, default=1e-4
        Penalty strength; also sets the "optimal" learning rate.
    l1_ratio : float, default=0.15
        Share of L1 in "elasticnet".
    fit_intercept : bool, default=True
    max_iter : int, default=1000
        Epochs.
    tol : float or None, default=1e-3
        Stop when the epoch objective has not improved by tol for n_iter_no_change epochs.
    shuffle : bool, default=True
    epsilon : float, default=0.1
        Unused by the classification losses; kept for scikit-learn's signature.
    random_state : int or None, default=None
        Seeds the shuffling.
    learning_rate : {"optimal", "constant", "invscaling", "adaptive"}, default="optimal"
    eta0 : float, default=0.01
    power_t : float, default=0.5
    n_iter_no_change : int, default=5
    average : bool or int, default=False
        Average the weights over the steps from step ``average`` on (True: 1).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    coef_ : ndarray of shape (1, n_features) for 2 classes, else (n_classes, n_features)
    intercept_ : ndarray of shape (1,) or (n_classes,)
    n_iter_ : int
        Epochs run (the most over the one-vs-rest problems).
    t_ : float
        Steps taken plus one.
    n_features_in_ : int

    Examples
    --------
    >>> clf = SGDClassifier(loss="log_loss", random_state=0)
    >>> clf.fit([[-2.0], [-1.0], [1.0], [2.0]], [0, 0, 1, 1]).predict_proba([[3.0]]).argmax()
    np.int64(1)
    """

    _losses = _CLASSIFIER_LOSSES

    def __init__(
        self,
        loss: str = "hinge",
        *,
        penalty: str | None = "l2",
        alpha: float = 1e-4,
        l1_ratio: float = 0.15,
        fit_intercept: bool = True,
        max_iter: int = 1000,
        tol: float | None = 1e-3,
        shuffle: bool = True,
        epsilon: float = 0.1,
        random_state: Any = None,
        learning_rate: str = "optimal",
        eta0: float = 0.01,
        power_t: float = 0.5,
        n_iter_no_change: int = 5,
        average: Any = False,
    ):
        _store_arguments(self, locals())

    def _targets(self, y: np.ndarray) -> np.ndarray:
        """+-1 targets, (n, 1) for two classes (classes_[1] positive), else (n, K)."""
        idx = np.searchsorted(self.classes_, y)
        if len(self.classes_) == 2:
            return np.where(idx == 1, 1.0, -1.0)[:, None]
        return np.where(idx[:, None] == np.arange(len(self.classes_)), 1.0, -1.0)

    def fit(self, X: Any, y: Any) -> SGDClassifier:
        """Up to ``max_iter`` epochs of SGD from zero weights; returns self."""
        _check_fit_y(self, y)
        X, y = _validate_data(self, X, y, dtype=np.float64)
        self._config()
        self.classes_, _ = check_classes(y, type(self).__name__)
        self.n_iter_ = self._run(X, self._targets(y), max_iter=int(self.max_iter), reset=True)
        self._warn_if_not_converged()
        return self

    def partial_fit(self, X: Any, y: Any, classes: Any = None) -> SGDClassifier:
        """One epoch on this batch, continuing from the current weights and step count.

        ``classes`` (every label that will ever appear) is required on the first call.
        """
        _check_fit_y(self, y)
        first = not hasattr(self, "classes_")
        X, y = _validate_data(self, X, y, reset=first, dtype=np.float64)
        if first:
            if classes is None:
                raise ValueError(
                    "SGDClassifier.partial_fit: classes must be passed on the first call"
                )
            self.classes_ = np.unique(np.asarray(classes))
        unknown = np.setdiff1d(y, self.classes_)
        if unknown.size:
            raise ValueError(
                f"SGDClassifier.partial_fit: y has labels {unknown.tolist()} that are not in "
                f"classes {self.classes_.tolist()}"
            )
        self.n_iter_ = self._run(X, self._targets(y), max_iter=1, reset=first)
        return self

    # the linear model's scores and argmax, as LogisticRegression's (and Perceptron's)
    decision_function = LogisticRegression.decision_function
    predict = LogisticRegression.predict

    @property
    def predict_proba(self):
        """P(class | x), for loss "log_loss" (sigmoid) or "modified_huber" ((clip(s) + 1) / 2);
        one-vs-rest probabilities normalised to sum to 1 over the classes."""
        if self.loss not in ("log_loss", "modified_huber"):
            raise AttributeError(f"probability estimates are not available for loss={self.loss!r}")
        return self._predict_proba

    @property
    def predict_log_proba(self):
        """log of :meth:`predict_proba`."""
        self.predict_proba  # noqa: B018 - raises AttributeError for other losses
        return lambda X: np.log(self._predict_proba(X))

    def _predict_proba(self, X: Any) -> np.ndarray:
        scores = self.decision_function(X)
        scores = scores[:, None] if scores.ndim == 1 else scores
        if self.loss == "log_loss":
            P = 0.5 * (1.0 + np.tanh(0.5 * scores))  # the sigmoid, without overflow
        else:
            P = (np.clip(scores, -1.0, 1.0) + 1.0) / 2.0
        if P.shape[1] == 1:
            return np.hstack([1.0 - P, P])
        total = P.sum(axis=1, keepdims=True)
        uniform = np.full_like(P, 1.0 / P.shape[1])
        return np.where(total > 0, P / np.where(total > 0, total, 1.0), uniform)


class SGDRegressor(RegressorMixin, _BaseSGD):
    """Linear regression trained by SGD, with squared, Huber or epsilon-insensitive loss.

    Parameters
    ----------
    loss : {"squared_error", "huber", "epsilon_insensitive", "squared_epsilon_insensitive"}
        Default "squared_error".
    epsilon : float, default=0.1
        Width of the Huber / epsilon-insensitive zone.
    learning_rate : str, default="invscaling"
        The step-size schedule, as in :class:`SGDClassifier`.
    power_t : float, default=0.25
        The exponent of the "invscaling" schedule. The other parameters are those of
        :class:`SGDClassifier`.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
    intercept_ : ndarray of shape (1,)
    n_iter_ : int
    t_ : float
    n_features_in_ : int

    Examples
    --------
    >>> reg = SGDRegressor(random_state=0).fit([[0.0], [1.0], [2.0], [3.0]], [1.0, 3.0, 5.0, 7.0])
    >>> reg.predict([[4.0]]).round(1)
    array([8.8])
    """

    _losses = _REGRESSOR_LOSSES

    def __init__(
        self,
        loss: str = "squared_error",
        *,
        penalty: str | None = "l2",
        alpha: float = 1e-4,
        l1_ratio: float = 0.15,
        fit_intercept: bool = True,
        max_iter: int = 1000,
        tol: float | None = 1e-3,
        shuffle: bool = True,
        epsilon: float = 0.1,
        random_state: Any = None,
        learning_rate: str = "invscaling",
        eta0: float = 0.01,
        power_t: float = 0.25,
        n_iter_no_change: int = 5,
        average: Any = False,
    ):
        _store_arguments(self, locals())

    def fit(self, X: Any, y: Any) -> SGDRegressor:
        """Up to ``max_iter`` epochs of SGD from zero weights; returns self."""
        _check_fit_y(self, y)
        X, y = _validate_data(self, X, y, y_numeric=True, dtype=np.float64)
        self.n_iter_ = self._fit_epochs(X, y, max_iter=int(self.max_iter), reset=True)
        self._warn_if_not_converged()
        return self

    def partial_fit(self, X: Any, y: Any) -> SGDRegressor:
        """One epoch on this batch, continuing from the current weights and step count."""
        _check_fit_y(self, y)
        first = not hasattr(self, "coef_")
        X, y = _validate_data(self, X, y, reset=first, y_numeric=True, dtype=np.float64)
        self.n_iter_ = self._fit_epochs(X, y, max_iter=1, reset=first)
        return self

    def _fit_epochs(self, X: np.ndarray, y: np.ndarray, *, max_iter: int, reset: bool) -> int:
        n_iter = self._run(X, y.astype(np.float64)[:, None], max_iter=max_iter, reset=reset)
        self.coef_ = self.coef_[0]
        return n_iter

    def predict(self, X: Any) -> np.ndarray:
        """w . x + b, shape (n_samples,)."""
        check_is_fitted(self, "coef_")
        X = _validate_data(self, X, reset=False, dtype=np.float64)
        return X @ self.coef_ + self.intercept_[0]
