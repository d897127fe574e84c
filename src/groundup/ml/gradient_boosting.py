"""Gradient boosting with CART regression trees (Friedman 2001), as scikit-learn's.

Start from a constant F_0 (the mean, median or class log-odds), then at every stage fit a
regression tree to the negative gradient -dL/dF of the loss, replace each leaf's value by
the loss's line-search step (a Newton step for log-loss, the median residual for absolute
error, ...) and add it, shrunk:

    F_m(x) = F_{m-1}(x) + learning_rate * tree_m(x).

With ``subsample < 1`` each stage sees a random share of the rows (stochastic gradient
boosting); the rest give ``oob_improvement_``. Multiclass log-loss fits K trees per stage.

Examples
--------
>>> from groundup.data import make_classification
>>> X, y = make_classification(200, 5, random_state=0)
>>> clf = GradientBoostingClassifier(n_estimators=20, random_state=0).fit(X, y)
>>> round(clf.score(X, y), 2)
0.99
"""

from __future__ import annotations

import numbers
from collections.abc import Iterator
from typing import Any

import numpy as np

from groundup.data._random import check_random_state
from groundup.data.splits import train_test_split
from groundup.ml._classes import check_classes
from groundup.ml._losses import (
    RawClassifierOutputs,
    RawRegressorOutputs,
    make_loss,
)
from groundup.ml.base import BaseEstimator, ClassifierMixin, RegressorMixin, _store_arguments, clone
from groundup.ml.tree import DecisionTreeRegressor
from groundup.ml.validation import (
    _check_fit_y,
    _check_sample_weight,
    _validate_data,
    check_is_fitted,
    check_scalar,
)

__all__ = ["GradientBoostingClassifier", "GradientBoostingRegressor"]


def _is_zero(init: Any) -> bool:
    return isinstance(init, str) and init == "zero"


class _BaseGradientBoosting(BaseEstimator):
    """The stage loop; subclasses choose the loss, encode y and turn raw scores into output."""

    def _check_params(self) -> None:
        check_scalar(self.learning_rate, "learning_rate", min_val=0, include_boundaries="neither")
        check_scalar(self.n_estimators, "n_estimators", numbers.Integral, min_val=1)
        check_scalar(self.subsample, "subsample", min_val=0, max_val=1, include_boundaries="right")
        if self.n_iter_no_change is not None:
            check_scalar(self.n_iter_no_change, "n_iter_no_change", numbers.Integral, min_val=1)
        check_scalar(
            self.validation_fraction, "validation_fraction", min_val=0, max_val=1,
            include_boundaries="neither",
        )  # fmt: skip
        check_scalar(self.tol, "tol", min_val=0)
        if not (self.init is None or _is_zero(self.init) or hasattr(self.init, "fit")):
            raise ValueError(
                f"{type(self).__name__}: init must be None, 'zero' or an estimator with fit, "
                f"got {self.init!r}"
            )

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> _BaseGradientBoosting:
        """Fit ``n_estimators`` stages (fewer with early stopping); returns self."""
        _check_fit_y(self, y)
        X, y = _validate_data(self, X, y, dtype=np.float32, y_numeric=not self._is_clf)
        self._check_params()
        y = self._encode_y(y)
        w = (
            np.ones(len(y))
            if sample_weight is None
            else _check_sample_weight(sample_weight, len(y))
        )
        self._loss = self._make_loss()
        self.n_trees_per_iteration_ = self._loss.n_trees_per_iteration
        train, val = self._split_validation(X, y, w)
        raw = self._fit_init(*train, weighted=sample_weight is not None)
        self._fit_stages(train, val, raw)
        return self

    def _split_validation(self, X, y, w) -> tuple[tuple, tuple | None]:
        if self.n_iter_no_change is None:
            return (X, y, w), None
        stratify = y if self._is_clf else None
        X, X_val, y, y_val, w, w_val = train_test_split(
            X, y, w, test_size=self.validation_fraction, random_state=self.random_state,
            stratify=stratify,
        )  # fmt: skip
        if self._is_clf and len(np.unique(y)) != len(self.classes_):
            raise ValueError(
                f"{type(self).__name__}: the training data after the early stopping split is "
                "missing some classes. Try using another random seed."
            )
        return (X, y, w), (X_val, y_val, w_val)

    def _fit_init(self, X, y, w, *, weighted: bool) -> np.ndarray:
        """Fit the initial model; returns its raw predictions on X."""
        if self.init is None:
            self.init_ = self._loss.init_raw(y, w if weighted else None)
        elif _is_zero(self.init):
            self.init_ = "zero"
        else:
            self.init_ = clone(self.init)
            fit_args = {"sample_weight": w} if weighted else {}
            self.init_.fit(X, self._decode_y(y), **fit_args)
        return self._init_raw(X)

    def _init_raw(self, X: np.ndarray) -> np.ndarray:
        K = self.n_trees_per_iteration_
        if isinstance(self.init_, str):
            return np.zeros((len(X), K))
        if isinstance(self.init_, np.ndarray):
            return np.tile(self.init_, (len(X), 1))
        if self._is_clf:
            eps = np.finfo(np.float64).eps
            proba = np.clip(self.init_.predict_proba(X), eps, 1 - eps)
            return self._loss.proba_to_raw(proba)
        return np.asarray(self.init_.predict(X), dtype=np.float64).reshape(-1, 1)

    def _fit_stages(self, train: tuple, val: tuple | None, raw: np.ndarray) -> None:
        X, y, w = train
        n, loss = len(y), self._loss
        rng = check_random_state(self.random_state)
        n_inbag = max(1, int(self.subsample * n))
        self.estimators_ = np.empty((self.n_estimators, raw.shape[1]), dtype=object)
        self.train_score_ = np.zeros(self.n_estimators)
        do_oob = self.subsample < 1.0
        if do_oob:
            self.oob_improvement_ = np.zeros(self.n_estimators)
            self.oob_scores_ = np.zeros(self.n_estimators)
        if val is not None:
            raw_val, history = self._init_raw(val[0]), np.full(self.n_iter_no_change, np.inf)
        inbag = np.ones(n, dtype=bool)
        for i in range(self.n_estimators):
            if do_oob:
                inbag = np.zeros(n, dtype=bool)
                inbag[rng.choice(n, n_inbag, replace=False)] = True
                if i == 0:
                    previous = loss.factor * loss(y[~inbag], raw[~inbag], w[~inbag])
            self._fit_stage(i, X, y, w, inbag, raw, rng)
            self.train_score_[i] = loss.factor * loss(y[inbag], raw[inbag], w[inbag])
            if do_oob:
                self.oob_scores_[i] = loss.factor * loss(y[~inbag], raw[~inbag], w[~inbag])
                self.oob_improvement_[i] = previous - self.oob_scores_[i]
                previous = self.oob_scores_[i]
            if val is not None:
                raw_val += self._stage_raw(i, val[0])
                val_loss = loss.factor * loss(val[1], raw_val, val[2])
                if not np.any(val_loss + self.tol < history):
                    break  # no gain over the last n_iter_no_change stages: stop
                history[i % len(history)] = val_loss
        self._truncate(i + 1)

    def _truncate(self, n_stages: int) -> None:
        self.n_estimators_ = n_stages
        self.estimators_ = self.estimators_[:n_stages]
        self.train_score_ = self.train_score_[:n_stages]
        if hasattr(self, "oob_scores_"):
            self.oob_improvement_ = self.oob_improvement_[:n_stages]
            self.oob_scores_ = self.oob_scores_[:n_stages]
            self.oob_score_ = self.oob_scores_[-1]

    def _fit_stage(self, i, X, y, w, inbag, raw, rng) -> None:
        """Fit stage i's trees to the negative gradient; update ``raw`` in place."""
        loss = self._loss
        loss.update_stage(y, raw, w)
        neg_gradient = -loss.gradient_hessian(y, raw)[0]
        w_inbag = w * inbag
        for k in range(raw.shape[1]):
            tree = DecisionTreeRegressor(
                criterion="squared_error",  # scikit-learn >= 1.9 (same splits as friedman_mse)
                max_depth=self.max_depth,
                min_samples_split=self.min_samples_split,
                min_samples_leaf=self.min_samples_leaf,
                min_weight_fraction_leaf=self.min_weight_fraction_leaf,
                min_impurity_decrease=self.min_impurity_decrease,
                max_features=self.max_features,
                max_leaf_nodes=self.max_leaf_nodes,
                random_state=rng,
            )
            tree.fit(X, neg_gradient[:, k], sample_weight=w_inbag, check_input=False)
            leaf = tree.apply(X, check_input=False)
            y_k = (y == k).astype(np.float64) if raw.shape[1] > 1 else y
            value = tree.tree_.value[:, 0, 0]
            is_leaf = tree.tree_.children_left == -1
            step = loss.leaf_values(
                leaf[inbag],
                len(value),
                y_k[inbag],
                raw[inbag, k],
                neg_gradient[inbag, k],
                w[inbag],
            )
            value[is_leaf] = step[is_leaf]
            raw[:, k] += self.learning_rate * value[leaf]
            self.estimators_[i, k] = tree

    def _stage_raw(self, i: int, X: np.ndarray) -> np.ndarray:
        """Stage i's shrunk contribution to the raw prediction of X (float32)."""
        columns = [tree.predict(X, check_input=False) for tree in self.estimators_[i]]
        return self.learning_rate * np.column_stack(columns)

    def _checked_X(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "estimators_")
        return _validate_data(self, X, reset=False, dtype=np.float32)

    def _accumulate(self, X: Any) -> Iterator[np.ndarray]:
        """The raw prediction of X after each stage (one array, updated in place)."""
        X = self._checked_X(X)
        raw = self._init_raw(X)
        for i in range(self.n_estimators_):
            raw += self._stage_raw(i, X)
            yield raw

    def _staged_raw_predict(self, X: Any) -> Iterator[np.ndarray]:
        for raw in self._accumulate(X):
            yield raw.copy()

    def _raw_predict(self, X: Any) -> np.ndarray:
        *_, raw = self._accumulate(X)
        return raw

    @property
    def feature_importances_(self) -> np.ndarray:
        """Mean impurity decrease per feature over all trees that split, normalised to 1."""
        check_is_fitted(self, "estimators_")
        trees = [t.tree_ for t in self.estimators_.ravel() if t.tree_.node_count > 1]
        if not trees:
            return np.zeros(self.n_features_in_)
        mean = np.mean([t.compute_feature_importances(normalize=False) for t in trees], axis=0)
        return mean / mean.sum()

    def apply(self, X: Any) -> np.ndarray:
        """Leaf index of every sample in every tree, shape (n_samples, n_stages, K)."""
        X = self._checked_X(X)
        leaves = [[t.apply(X, check_input=False) for t in stage] for stage in self.estimators_]
        return np.array(leaves).transpose(2, 0, 1)


_PARAMS_DOC = """
    learning_rate : float, default=0.1
        Shrinkage of every tree's values.
    n_estimators : int, default=100
        Boosting stages.
    subsample : float, default=1.0
        Share of the rows each stage's trees see; < 1 gives stochastic gradient boosting.
    min_samples_split, min_samples_leaf, min_weight_fraction_leaf, max_depth,
    min_impurity_decrease, max_features, max_leaf_nodes
        Passed to each :class:`~groundup.ml.tree.DecisionTreeRegressor` (``max_depth=3``).
    init : estimator, 'zero' or None, default=None
        The initial model; None: the best constant (class priors, mean or median).
    random_state : int, RandomState or None
        Seeds subsampling, the trees' feature order and the validation split.
    validation_fraction : float, default=0.1
        Held out for early stopping when ``n_iter_no_change`` is set.
    n_iter_no_change : int or None, default=None
        Stop when the validation loss has not improved by ``tol`` for this many stages.
    tol : float, default=1e-4
"""

_ATTRIBUTES_DOC = """
    estimators_ : ndarray of DecisionTreeRegressor, shape (n_estimators_, K)
    n_estimators_ : int
        Stages fitted (fewer than ``n_estimators`` after early stopping).
    n_trees_per_iteration_ : int
    train_score_ : ndarray of shape (n_estimators_,)
        Loss on the in-bag samples after every stage (scikit-learn's scale).
    oob_improvement_, oob_scores_ : ndarray of shape (n_estimators_,)
        Out-of-bag loss change and loss, only when ``subsample < 1``.
    feature_importances_ : ndarray of shape (n_features,)
    init_ : estimator, ndarray or 'zero'
        The fitted initial model (an ndarray: the constant raw prediction).
    n_features_in_ : int
"""


class GradientBoostingClassifier(RawClassifierOutputs, ClassifierMixin, _BaseGradientBoosting):
    """Gradient boosting for classification with the log-loss (binomial or multinomial).

    Parameters
    ----------
    loss : {'log_loss'}, default='log_loss'
    """

    _is_clf = True
    __doc__ += _PARAMS_DOC + "\n    Attributes\n    ----------\n    classes_ : ndarray\n"
    __doc__ += (
        _ATTRIBUTES_DOC
        + """
    Examples
    --------
    >>> clf = GradientBoostingClassifier(n_estimators=10)
    >>> clf.fit([[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1]).predict([[0.5], [2.5]])
    array([0, 1])
    """
    )

    def __init__(
        self,
        *,
        loss="log_loss",
        learning_rate=0.1,
        n_estimators=100,
        subsample=1.0,
        min_samples_split=2,
        min_samples_leaf=1,
        min_weight_fraction_leaf=0.0,
        max_depth=3,
        min_impurity_decrease=0.0,
        init=None,
        random_state=None,
        max_features=None,
        max_leaf_nodes=None,
        validation_fraction=0.1,
        n_iter_no_change=None,
        tol=1e-4,
    ):
        _store_arguments(self, locals())

    def _encode_y(self, y: np.ndarray) -> np.ndarray:
        self.classes_, encoded = check_classes(y, type(self).__name__)
        self.n_classes_ = len(self.classes_)
        return encoded

    def _decode_y(self, y: np.ndarray) -> np.ndarray:
        return self.classes_[y]

    def _make_loss(self) -> Any:
        return make_loss(self.loss, n_classes=len(self.classes_))


class GradientBoostingRegressor(RawRegressorOutputs, RegressorMixin, _BaseGradientBoosting):
    """Gradient boosting for regression.

    Parameters
    ----------
    loss : {'squared_error', 'absolute_error', 'huber', 'quantile'}, default='squared_error'
        Leaves are refitted to the loss: the mean, the median, Huber's M-step or the
        ``alpha``-quantile of their residuals.
    alpha : float, default=0.9
        Huber's delta is this quantile of |residual|; the quantile for ``loss='quantile'``.
    """

    _is_clf = False
    __doc__ += (
        _PARAMS_DOC
        + "\n    Attributes\n    ----------"
        + _ATTRIBUTES_DOC
        + """
    Examples
    --------
    >>> reg = GradientBoostingRegressor(n_estimators=50)
    >>> reg.fit([[0.0], [1.0], [2.0], [3.0]], [0.0, 0.0, 1.0, 1.0]).predict([[3.0]]).round(3)
    array([0.997])
    """
    )

    def __init__(
        self,
        *,
        loss="squared_error",
        learning_rate=0.1,
        n_estimators=100,
        subsample=1.0,
        min_samples_split=2,
        min_samples_leaf=1,
        min_weight_fraction_leaf=0.0,
        max_depth=3,
        min_impurity_decrease=0.0,
        init=None,
        random_state=None,
        max_features=None,
        alpha=0.9,
        max_leaf_nodes=None,
        validation_fraction=0.1,
        n_iter_no_change=None,
        tol=1e-4,
    ):
        _store_arguments(self, locals())

    def _encode_y(self, y: np.ndarray) -> np.ndarray:
        return y.astype(np.float64)

    def _decode_y(self, y: np.ndarray) -> np.ndarray:
        return y

    def _make_loss(self) -> Any:
        return make_loss(self.loss, n_classes=None, alpha=self.alpha)
