"""Support vector machines: ``SVC`` (kernel, SMO) and ``LinearSVC`` (dual coordinate descent).

Both minimise a hinge-type loss plus an L2 penalty, 1/2 ||w||^2 + C sum_i loss(y_i f(x_i)).
``SVC`` works in the dual with a kernel k(x, z) = phi(x) . phi(z), f(x) = sum_i a_i y_i
k(x_i, x) + b, solved by LIBSVM's SMO (``_smo.py``), one-vs-one for several classes.
``LinearSVC`` keeps w explicit, as liblinear does (``_svm_linear.py``), one-vs-rest.

Examples
--------
>>> X = [[0.0, 0.0], [1.0, 1.0], [3.0, 3.0], [4.0, 4.0]]
>>> SVC(kernel="linear").fit(X, [0, 0, 1, 1]).predict([[0.5, 0.0], [3.5, 4.0]])
array([0, 1])
"""

from __future__ import annotations

import numbers
import warnings
from functools import partial
from typing import Any

import numpy as np

from groundup.ml._classes import check_classes, class_weights
from groundup.ml._svm_linear import dual_cd, primal_newton
from groundup.ml._svm_ovo import fit_ovo, ovo_decision, ovo_votes, ovr_from_ovo
from groundup.ml._svm_platt import pairwise_coupling, pairwise_probabilities
from groundup.ml.base import BaseEstimator, ClassifierMixin
from groundup.ml.kernels import KERNELS, kernel_diagonal, pairwise_kernel, resolve_gamma
from groundup.ml.logistic import LogisticRegression
from groundup.ml.validation import (
    ConvergenceWarning,
    NotFittedError,
    _check_fit_y,
    _validate_data,
    check_is_fitted,
    check_scalar,
)

__all__ = ["SVC", "LinearSVC"]


def _class_weights(class_weight: Any, classes: np.ndarray, y: np.ndarray, name: str) -> np.ndarray:
    """Weight of each class (see ``class_weights``); a dict naming a label not in y is an error."""
    if isinstance(class_weight, dict):
        unknown = set(class_weight) - set(classes.tolist())
        if unknown:
            raise ValueError(f"{name}: class_weight has labels {sorted(unknown)!r} not in y")
    return class_weights(class_weight, classes, y, name)


def _check_common(est: Any) -> None:
    check_scalar(est.C, "C", min_val=0.0, include_boundaries="neither")
    check_scalar(est.tol, "tol", min_val=0.0, include_boundaries="neither")
    check_scalar(est.max_iter, "max_iter", numbers.Integral)


class SVC(ClassifierMixin, BaseEstimator):
    """C-support vector classification with a kernel, solved by SMO as in LIBSVM.

    Dual: min_a 1/2 a'Qa - sum a  s.t. 0 <= a_i <= C w_{y_i}, y'a = 0, Q_ij = y_i y_j
    k(x_i, x_j); decision f(x) = sum_i a_i y_i k(x_i, x) + b. Several classes: one vs one.

    Parameters
    ----------
    C : float, default=1.0
        Inverse regularisation, > 0.
    kernel : {"linear", "poly", "rbf", "sigmoid"}, default="rbf"
    degree : int, default=3
        Degree of the polynomial kernel.
    gamma : "scale", "auto" or float, default="scale"
        "scale" is 1 / (n_features X.var()), "auto" 1 / n_features.
    coef0 : float, default=0.0
        Constant term of the poly and sigmoid kernels.
    tol : float, default=1e-3
        Stop when the maximal KKT violation m(a) - M(a) falls below tol.
    cache_size : float, default=200
        Megabytes of kernel rows kept per binary problem.
    class_weight : dict, "balanced" or None, default=None
        Multiplies C per class.
    max_iter : int, default=-1
        SMO iterations per binary problem; -1 for no limit.
    decision_function_shape : {"ovr", "ovo"}, default="ovr"
        "ovr" turns the pairwise scores into one score per class (scikit-learn's rule).
    break_ties : bool, default=False
        With "ovr" and more than 2 classes, predict the argmax of the "ovr" scores
        instead of the first class with the most votes.
    probability : bool, default=False
        Fit Platt sigmoids by internal 5-fold cross-validation (5 more SMO runs per
        pair), enabling ``predict_proba``.
    random_state : int or None, default=None
        Seeds the cross-validation folds of ``probability``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    support_ : ndarray of shape (n_SV,)
        Indices of the support vectors in X, grouped by class.
    support_vectors_ : ndarray of shape (n_SV, n_features)
    n_support_ : ndarray of shape (n_classes,), int32
    dual_coef_ : ndarray of shape (n_classes - 1, n_SV)
        a_i y_i of each support vector in each of its problems.
    intercept_ : ndarray of shape (n_classes (n_classes - 1) / 2,)
    n_iter_ : ndarray of shape (n_classes (n_classes - 1) / 2,)
    probA_, probB_ : ndarray of shape (n_classes (n_classes - 1) / 2,)
        The Platt sigmoids 1 / (1 + exp(A f + B)); empty unless ``probability``.
    n_features_in_ : int

    Examples
    --------
    >>> clf = SVC(C=10.0).fit([[0.0], [1.0], [2.0], [3.0]], ["a", "a", "b", "b"])
    >>> clf.predict([[0.2], [2.8]]).tolist(), clf.n_support_.tolist()
    (['a', 'b'], [2, 2])
    """

    def __init__(
        self,
        C: float = 1.0,
        kernel: str = "rbf",
        degree: int = 3,
        gamma: Any = "scale",
        coef0: float = 0.0,
        tol: float = 1e-3,
        cache_size: float = 200.0,
        class_weight: Any = None,
        max_iter: int = -1,
        decision_function_shape: str = "ovr",
        break_ties: bool = False,
        probability: bool = False,
        random_state: Any = None,
    ):
        self.C = C
        self.kernel = kernel
        self.degree = degree
        self.gamma = gamma
        self.coef0 = coef0
        self.tol = tol
        self.cache_size = cache_size
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.decision_function_shape = decision_function_shape
        self.break_ties = break_ties
        self.probability = probability
        self.random_state = random_state

    def _check_params(self) -> None:
        _check_common(self)
        if self.kernel not in KERNELS:
            raise ValueError(f"SVC: kernel must be one of {sorted(KERNELS)}, got {self.kernel!r}")
        check_scalar(self.degree, "degree", numbers.Integral, min_val=0)
        check_scalar(self.coef0, "coef0")
        check_scalar(self.cache_size, "cache_size", min_val=0.0, include_boundaries="neither")
        if self.decision_function_shape not in ("ovr", "ovo"):
            raise ValueError(
                "SVC: decision_function_shape must be 'ovr' or 'ovo', got "
                f"{self.decision_function_shape!r}"
            )

    def _kernel_params(self) -> dict:
        return {"gamma": self._gamma, "coef0": float(self.coef0), "degree": int(self.degree)}

    def fit(self, X: Any, y: Any) -> SVC:
        """Solve one SMO problem per pair of classes; returns self."""
        _check_fit_y(self, y)
        X, y = _validate_data(self, X, y, dtype=np.float64)
        self._check_params()
        self.classes_, y_idx = check_classes(y, "SVC")
        self._gamma = resolve_gamma(self.gamma, X)
        params = self._kernel_params()
        C = self.C * _class_weights(self.class_weight, self.classes_, y_idx, "SVC")
        model = fit_ovo(
            X,
            y_idx,
            C,
            partial(pairwise_kernel, kernel=self.kernel, **params),
            kernel_diagonal(X, self.kernel, **params),
            tol=float(self.tol),
            max_iter=int(self.max_iter),
            cache_size=float(self.cache_size),
            rng=np.random.default_rng(self.random_state) if self.probability else None,
        )
        self.support_ = model.support.astype(np.int32)
        self.support_vectors_ = X[model.support]
        self.n_support_ = model.n_support
        self._dual_coef = model.dual_coef
        self._rho = model.rho
        self.n_iter_ = model.n_iter
        binary = len(self.classes_) == 2  # scikit-learn flips the sign: + means classes_[1]
        self.dual_coef_ = -model.dual_coef if binary else model.dual_coef
        self.intercept_ = model.rho if binary else -model.rho
        self.probA_ = model.prob_a if self.probability else np.empty(0)
        self.probB_ = model.prob_b if self.probability else np.empty(0)
        self.shape_fit_ = X.shape
        return self

    @property
    def coef_(self) -> np.ndarray:
        """w = sum_i a_i y_i x_i per pairwise problem; only for ``kernel="linear"``."""
        if self.kernel != "linear":
            raise AttributeError("coef_ is only available when using a linear kernel")
        check_is_fitted(self, "dual_coef_")
        # with k(x, z) = x . z, problem p's decision at the unit vector e_f is w_pf - rho_p
        no_bias = np.zeros(len(self._rho))
        w = ovo_decision(self.support_vectors_.T, self._dual_coef, self.n_support_, no_bias).T
        return -w if len(self.classes_) == 2 else w

    def _ovo_decision(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "support_vectors_")
        X = _validate_data(self, X, reset=False, dtype=np.float64)
        K_x = pairwise_kernel(X, self.support_vectors_, self.kernel, **self._kernel_params())
        return ovo_decision(K_x, self._dual_coef, self.n_support_, self._rho)

    def decision_function(self, X: Any) -> np.ndarray:
        """Scores: (n_samples,) for 2 classes (> 0 means classes_[1]); else (n_samples, K)
        for "ovr" or (n_samples, K (K - 1) / 2) for "ovo"."""
        dec = self._ovo_decision(X)
        K = len(self.classes_)
        if K == 2:
            return -dec[:, 0]
        return ovr_from_ovo(dec, K) if self.decision_function_shape == "ovr" else dec

    @property
    def predict_proba(self):
        """P(class | x), shape (n_samples, n_classes): Platt-scaled pairwise probabilities,
        coupled (needs ``probability=True``; may disagree with ``predict`` near ties)."""
        if not self.probability:
            raise AttributeError("predict_proba is not available when probability=False")
        return self._predict_proba

    @property
    def predict_log_proba(self):
        """log of :meth:`predict_proba`."""
        proba = self.predict_proba
        return lambda X: np.log(proba(X))

    def _predict_proba(self, X: Any) -> np.ndarray:
        dec = self._ovo_decision(X)
        if self.probA_.size == 0:
            raise NotFittedError("SVC.predict_proba: fit with probability=True first")
        K = len(self.classes_)
        return pairwise_coupling(pairwise_probabilities(dec, self.probA_, self.probB_, K))

    def predict(self, X: Any) -> np.ndarray:
        """The class with the most pairwise votes (ties: the first such class)."""
        dec = self._ovo_decision(X)
        K = len(self.classes_)
        if self.break_ties and self.decision_function_shape == "ovr" and K > 2:
            return self.classes_[np.argmax(ovr_from_ovo(dec, K), axis=1)]
        return self.classes_[np.argmax(ovo_votes(dec, K), axis=1)]


class LinearSVC(ClassifierMixin, BaseEstimator):
    """Linear support vector classification, liblinear's model and solvers.

    min_w 1/2 ||w||^2 + C sum_i loss(y_i (w . x_i + b)), loss the squared hinge
    max(0, 1 - m)^2 (default) or the hinge max(0, 1 - m). As in liblinear the bias is
    the weight of a constant feature ``intercept_scaling``, so it is penalised too.
    Several classes: one vs rest.

    Parameters
    ----------
    loss : {"squared_hinge", "hinge"}, default="squared_hinge"
    dual : "auto" or bool, default="auto"
        True: dual coordinate descent (Hsieh et al. 2008). False: primal Newton
        (squared hinge only). "auto", like scikit-learn: the dual when n_samples <
        n_features or the loss is the hinge, else the primal. The dual steps one
        sample at a time in a Python loop, so it is far slower than liblinear's (about
        30x on breast_cancer and digits); prefer the primal for the squared hinge.
    tol : float, default=1e-4
        Dual: stop when max - min of the projected gradients over an epoch <= tol.
        Primal: when ||grad|| <= tol ||grad(0)||.
    C : float, default=1.0
    fit_intercept : bool, default=True
    intercept_scaling : float, default=1.0
        Value of the constant feature; intercept_ = intercept_scaling * its weight.
    class_weight : dict, "balanced" or None, default=None
        Multiplies C for the samples of the class (for the positive class of each
        one-vs-rest problem, as liblinear).
    random_state : int or None, default=None
        Seeds the order in which the dual solver visits the samples.
    max_iter : int, default=1000
        Epochs (dual) or Newton steps (primal).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    coef_ : ndarray of shape (1, n_features) for 2 classes, else (n_classes, n_features)
    intercept_ : ndarray of shape (1,) or (n_classes,)
    n_iter_ : int
    n_features_in_ : int

    Examples
    --------
    >>> clf = LinearSVC(C=10.0).fit([[-2.0], [-1.0], [1.0], [2.0]], [0, 0, 1, 1])
    >>> clf.predict([[-0.5], [0.5]]), clf.coef_.round(2)
    (array([0, 1]), array([[0.98]]))
    """

    def __init__(
        self,
        loss: str = "squared_hinge",
        *,
        dual: Any = "auto",
        tol: float = 1e-4,
        C: float = 1.0,
        fit_intercept: bool = True,
        intercept_scaling: float = 1.0,
        class_weight: Any = None,
        random_state: Any = None,
        max_iter: int = 1000,
    ):
        self.loss = loss
        self.dual = dual
        self.tol = tol
        self.C = C
        self.fit_intercept = fit_intercept
        self.intercept_scaling = intercept_scaling
        self.class_weight = class_weight
        self.random_state = random_state
        self.max_iter = max_iter

    def _use_dual(self, X: np.ndarray) -> bool:
        _check_common(self)
        check_scalar(self.max_iter, "max_iter", numbers.Integral, min_val=1)
        check_scalar(self.intercept_scaling, "intercept_scaling", min_val=0.0)
        if self.loss not in ("squared_hinge", "hinge"):
            raise ValueError(
                f"LinearSVC: loss must be 'squared_hinge' or 'hinge', got {self.loss!r}"
            )
        if self.dual == "auto":
            return self.loss == "hinge" or X.shape[0] < X.shape[1]
        if self.dual not in (True, False):
            raise ValueError(f"LinearSVC: dual must be 'auto', True or False, got {self.dual!r}")
        if not self.dual and self.loss == "hinge":
            raise ValueError(
                "LinearSVC: loss='hinge' is not supported with dual=False (the hinge is not "
                "differentiable); use dual=True or loss='squared_hinge'."
            )
        return bool(self.dual)

    def fit(self, X: Any, y: Any) -> LinearSVC:
        """One-vs-rest linear SVMs by dual coordinate descent or primal Newton; returns self."""
        _check_fit_y(self, y)
        X, y = _validate_data(self, X, y, dtype=np.float64)
        use_dual = self._use_dual(X)
        self.classes_, y_idx = check_classes(y, "LinearSVC")
        weights = _class_weights(self.class_weight, self.classes_, y_idx, "LinearSVC")
        if len(self.classes_) == 2:  # one problem, classes_[1] positive
            Y = np.where(y_idx == 1, 1.0, -1.0)[:, None]
            C = (self.C * weights[y_idx])[:, None]
        else:
            Y = np.where(y_idx[:, None] == np.arange(len(self.classes_)), 1.0, -1.0)
            C = np.where(Y > 0, self.C * weights, self.C)
        if self.fit_intercept:
            X = np.hstack([X, np.full((X.shape[0], 1), float(self.intercept_scaling))])
        W, self.n_iter_ = self._solve(X, Y, C, use_dual)
        if self.n_iter_ >= self.max_iter:
            warnings.warn(
                "LinearSVC: the solver did not converge in max_iter="
                f"{self.max_iter} iterations; scale the data or raise max_iter.",
                ConvergenceWarning,
                stacklevel=2,
            )
        if self.fit_intercept:
            self.coef_, self.intercept_ = W[:, :-1], self.intercept_scaling * W[:, -1]
        else:
            self.coef_, self.intercept_ = W, np.zeros(W.shape[0])
        return self

    def _solve(self, X: np.ndarray, Y: np.ndarray, C: np.ndarray, use_dual: bool) -> tuple:
        """One binary problem per column of Y (liblinear's one-vs-rest loop)."""
        tol, max_iter = float(self.tol), int(self.max_iter)
        rng = np.random.default_rng(self.random_state)
        fits = [
            dual_cd(X, Y[:, k], C[:, k], self.loss, tol=tol, max_iter=max_iter, rng=rng)
            if use_dual
            else primal_newton(X, Y[:, k], C[:, k], tol=tol, max_iter=max_iter)
            for k in range(Y.shape[1])
        ]
        return np.array([w for w, _ in fits]), max(n for _, n in fits)

    # the linear model's scores and argmax, as LogisticRegression's (and Perceptron's)
    decision_function = LogisticRegression.decision_function
    predict = LogisticRegression.predict
