"""Naive Bayes classifiers with scikit-learn's names, attributes and numbers.

All of them score a sample by its joint log-likelihood log P(c) + log P(x|c) and
normalise in log space, so tiny probabilities do not underflow.

Examples
--------
>>> GaussianNB().fit([[0.0], [0.2], [3.0], [3.2]], [0, 0, 1, 1]).predict([[2.5]])
array([1])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from groundup.ml._classes import check_classes
from groundup.ml.base import BaseEstimator, ClassifierMixin
from groundup.ml.validation import _check_fit_y, _validate_data, check_is_fitted

__all__ = ["BernoulliNB", "GaussianNB", "MultinomialNB"]

_FLOATS = (np.float64, np.float32)


def _logsumexp(a: np.ndarray) -> np.ndarray:
    """log sum_j exp(a_ij) per row, shifted by the row maximum (scipy's formula)."""
    a_max = a.max(1, keepdims=True)
    a_max[~np.isfinite(a_max)] = 0.0
    return np.log(np.exp(a - a_max).sum(1)) + a_max[:, 0]


class _BaseNB(ClassifierMixin, BaseEstimator):
    """predict / predict_log_proba / predict_proba from ``_joint_log_likelihood``."""

    def _check_X(self, X: Any) -> np.ndarray:
        return _validate_data(self, X, reset=False, dtype=_FLOATS)

    def predict(self, X: Any) -> np.ndarray:
        """The class with the largest posterior."""
        check_is_fitted(self)
        jll = self._joint_log_likelihood(self._check_X(X))
        return self.classes_[np.argmax(jll, axis=1)]

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """log P(c|x) = jll_c - logsumexp(jll), shape (n_samples, n_classes)."""
        check_is_fitted(self)
        jll = self._joint_log_likelihood(self._check_X(X))
        return jll - _logsumexp(jll)[:, None]

    def predict_proba(self, X: Any) -> np.ndarray:
        """P(c|x), shape (n_samples, n_classes), columns in ``classes_`` order."""
        return np.exp(self.predict_log_proba(X))


class GaussianNB(_BaseNB):
    """Gaussian naive Bayes: log P(x|c) = -1/2 sum_j [log(2 pi v_cj) + (x_j - m_cj)^2 / v_cj].

    Parameters
    ----------
    priors : array-like of shape (n_classes,), default=None
        Class priors; None estimates them from the class frequencies.
    var_smoothing : float, default=1e-9
        Adds ``var_smoothing * max feature variance`` to every variance, for stability.

    Attributes
    ----------
    classes_, class_count_, class_prior_ : ndarray of shape (n_classes,)
    theta_, var_ : ndarray of shape (n_classes, n_features)
    epsilon_ : float
    n_features_in_ : int

    Examples
    --------
    >>> nb = GaussianNB().fit([[0.0], [0.2], [3.0], [3.2]], [0, 0, 1, 1])
    >>> nb.theta_.ravel().round(2), nb.predict_proba([[1.6]]).round(2)
    (array([0.1, 3.1]), array([[0.5, 0.5]]))
    """

    def __init__(self, *, priors=None, var_smoothing=1e-9):
        self.priors = priors
        self.var_smoothing = var_smoothing

    def fit(self, X: Any, y: Any) -> GaussianNB:
        """Per-class means and variances of X."""
        for name in ("classes_", "theta_"):
            if hasattr(self, name):
                delattr(self, name)
        _check_fit_y(self, y)
        X, y = _validate_data(self, X, y, dtype=_FLOATS)
        return self._partial_fit(X, y, check_classes(y, type(self).__name__)[0], first=True)

    def partial_fit(self, X: Any, y: Any, classes: Any = None) -> GaussianNB:
        """Update the means and variances with one more batch (Chan et al.'s merge).

        ``classes`` (all the labels) is required on the first call.
        """
        return self._partial_fit(X, y, classes, first=not hasattr(self, "theta_"))

    def _partial_fit(self, X: Any, y: Any, classes: Any, *, first: bool) -> GaussianNB:
        name = type(self).__name__
        _check_fit_y(self, y)
        X, y = _validate_data(self, X, y, reset=first, dtype=_FLOATS)
        if not (isinstance(self.var_smoothing, (int, float)) and self.var_smoothing >= 0):
            raise ValueError(f"{name}: var_smoothing must be >= 0, got {self.var_smoothing!r}")
        # recomputed from every batch, and subtracted below from the old variances, as in
        # scikit-learn (so partial_fit matches it exactly)
        self.epsilon_ = self.var_smoothing * np.var(X, axis=0).max()
        if first:
            if classes is None:
                raise ValueError(f"{name}.partial_fit: classes must be passed on the first call.")
            self.classes_ = check_classes(np.asarray(classes), name)[0]
            n_classes, n_features = len(self.classes_), X.shape[1]
            # float32 X keeps float32 statistics, as in scikit-learn
            self.theta_ = np.zeros((n_classes, n_features), dtype=X.dtype)
            self.var_ = np.zeros((n_classes, n_features), dtype=X.dtype)
            self.class_count_ = np.zeros(n_classes, dtype=X.dtype)
            if self.priors is not None:
                priors = np.asarray(self.priors, dtype=X.dtype)
                if priors.shape != (n_classes,):
                    raise ValueError(f"{name}: number of priors must match number of classes.")
                if not np.isclose(priors.sum(), 1.0):
                    raise ValueError(f"{name}: the sum of the priors should be 1.")
                if (priors < 0).any():
                    raise ValueError(f"{name}: priors must be non-negative.")
                self.class_prior_ = priors
            else:
                self.class_prior_ = np.zeros(n_classes, dtype=X.dtype)
        else:
            self.var_[:, :] -= self.epsilon_
        unique_y = np.unique(y)
        unseen = ~np.isin(unique_y, self.classes_)
        if unseen.any():
            raise ValueError(
                f"{name}.partial_fit: the target label(s) {unique_y[unseen]} in y do not "
                f"exist in the initial classes {self.classes_}"
            )
        for y_i in unique_y:
            i = np.searchsorted(self.classes_, y_i)
            X_i = X[y == y_i]
            self.theta_[i], self.var_[i] = self._update_mean_variance(
                self.class_count_[i], self.theta_[i], self.var_[i], X_i
            )
            self.class_count_[i] += X_i.shape[0]
        self.var_[:, :] += self.epsilon_
        if self.priors is None:
            self.class_prior_ = self.class_count_ / self.class_count_.sum()
        return self

    @staticmethod
    def _update_mean_variance(
        n_past: float, mu: np.ndarray, var: np.ndarray, X: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Merge (n_past, mu, var) with the batch X: Chan, Golub and LeVeque's update."""
        n_new = X.shape[0]
        new_var, new_mu = np.var(X, axis=0), np.mean(X, axis=0)
        if n_past == 0:
            return new_mu, new_var
        n_total = float(n_past + n_new)
        total_mu = (n_new * new_mu + n_past * mu) / n_total
        total_ssd = n_past * var + n_new * new_var + (n_new * n_past / n_total) * (mu - new_mu) ** 2
        return total_mu, total_ssd / n_total

    def _joint_log_likelihood(self, X: np.ndarray) -> np.ndarray:
        joint = []
        for i in range(len(self.classes_)):  # one pass per class, as scikit-learn sums
            n_ij = -0.5 * np.sum(np.log(2.0 * np.pi * self.var_[i, :]))
            n_ij -= 0.5 * np.sum(((X - self.theta_[i, :]) ** 2) / (self.var_[i, :]), 1)
            joint.append(np.log(self.class_prior_[i]) + n_ij)
        return np.array(joint).T


class _BaseDiscreteNB(_BaseNB):
    """Count-based naive Bayes: feature counts per class plus additive smoothing."""

    def _prepare_X(self, X: np.ndarray) -> np.ndarray:
        return X

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.poor_score = True  # as scikit-learn: counts models on real data
        return tags

    def _check_X(self, X: Any) -> np.ndarray:
        return self._prepare_X(super()._check_X(X))

    def fit(self, X: Any, y: Any) -> _BaseDiscreteNB:
        """Count each feature per class, then smooth and take logs."""
        name = type(self).__name__
        _check_fit_y(self, y)
        X, y = _validate_data(self, X, y, dtype=_FLOATS)
        if not (isinstance(self.alpha, (int, float)) and self.alpha >= 0):
            raise ValueError(f"{name}: alpha must be >= 0, got {self.alpha!r}")
        self.classes_, encoded = check_classes(y, name)
        X = self._prepare_X(X)
        Y = (encoded[:, None] == np.arange(len(self.classes_))).astype(np.float64)  # (n, C)
        self.feature_count_ = Y.T @ X  # (C, n_features)
        self.class_count_ = Y.sum(axis=0)
        self._update_feature_log_prob(self.alpha)
        if self.fit_prior:
            with np.errstate(divide="ignore"):
                log_count = np.log(self.class_count_)
            self.class_log_prior_ = log_count - np.log(self.class_count_.sum())
        else:
            self.class_log_prior_ = np.full(len(self.classes_), -np.log(len(self.classes_)))
        return self


class MultinomialNB(_BaseDiscreteNB):
    """Multinomial naive Bayes: log P(x|c) = sum_j x_j log((N_cj + alpha) / (N_c + alpha n)).

    Parameters
    ----------
    alpha : float, default=1.0
        Additive (Laplace/Lidstone) smoothing.
    fit_prior : bool, default=True
        Learn class priors; False uses a uniform prior.

    Attributes
    ----------
    classes_, class_count_, class_log_prior_ : ndarray of shape (n_classes,)
    feature_count_, feature_log_prob_ : ndarray of shape (n_classes, n_features)
    n_features_in_ : int

    Examples
    --------
    >>> MultinomialNB().fit([[3, 0], [2, 1], [0, 4]], [0, 0, 1]).predict([[1, 3]])
    array([1])
    """

    def __init__(self, *, alpha=1.0, fit_prior=True):
        self.alpha = alpha
        self.fit_prior = fit_prior

    def _prepare_X(self, X: np.ndarray) -> np.ndarray:
        if (X < 0).any():
            raise ValueError("Negative values in data passed to MultinomialNB (input X).")
        return X

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.positive_only = True
        return tags

    def _update_feature_log_prob(self, alpha: float) -> None:
        smoothed_fc = self.feature_count_ + alpha
        smoothed_cc = smoothed_fc.sum(axis=1)
        self.feature_log_prob_ = np.log(smoothed_fc) - np.log(smoothed_cc.reshape(-1, 1))

    def _joint_log_likelihood(self, X: np.ndarray) -> np.ndarray:
        return X @ self.feature_log_prob_.T + self.class_log_prior_


class BernoulliNB(_BaseDiscreteNB):
    """Bernoulli naive Bayes: log P(x|c) = sum_j [x_j log p_cj + (1 - x_j) log(1 - p_cj)].

    Parameters
    ----------
    alpha : float, default=1.0
        Additive smoothing: p_cj = (N_cj + alpha) / (N_c + 2 alpha).
    binarize : float or None, default=0.0
        Threshold mapping features to {0, 1}; None means X is already binary.
    fit_prior : bool, default=True

    Attributes
    ----------
    classes_, class_count_, class_log_prior_ : ndarray of shape (n_classes,)
    feature_count_, feature_log_prob_ : ndarray of shape (n_classes, n_features)
    n_features_in_ : int

    Examples
    --------
    >>> BernoulliNB().fit([[1, 0], [1, 0], [0, 1]], [0, 0, 1]).predict([[0, 1]])
    array([1])
    """

    def __init__(self, *, alpha=1.0, binarize=0.0, fit_prior=True):
        self.alpha = alpha
        self.binarize = binarize
        self.fit_prior = fit_prior

    def _prepare_X(self, X: np.ndarray) -> np.ndarray:
        if self.binarize is None:
            return X
        return (self.binarize < X).astype(X.dtype)

    def _update_feature_log_prob(self, alpha: float) -> None:
        smoothed_fc = self.feature_count_ + alpha
        smoothed_cc = self.class_count_ + alpha * 2
        self.feature_log_prob_ = np.log(smoothed_fc) - np.log(smoothed_cc.reshape(-1, 1))

    def _joint_log_likelihood(self, X: np.ndarray) -> np.ndarray:
        neg_prob = np.log(1 - np.exp(self.feature_log_prob_))
        jll = X @ (self.feature_log_prob_ - neg_prob).T
        return jll + self.class_log_prior_ + neg_prob.sum(axis=1)
