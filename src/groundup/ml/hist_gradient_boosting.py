"""Histogram gradient boosting (LightGBM / scikit-learn's ``HistGradientBoosting*``).

Features are binned once into at most 255 quantile bins (plus a bin for NaN); every
iteration then fits one tree per output to the loss gradients g and hessians h, scoring
splits from per-bin sums (see :mod:`groundup.ml._hist_grower`), and adds
``learning_rate * tree`` to the raw prediction:

    F_m(x) = F_{m-1}(x) + learning_rate * tree_m(x),   leaf value = -G / (H + lambda).

Examples
--------
>>> from groundup.data import make_classification
>>> X, y = make_classification(200, 5, random_state=0)
>>> clf = HistGradientBoostingClassifier(max_iter=20, random_state=0).fit(X, y)
>>> round(clf.score(X, y), 2)  # scikit-learn's HistGradientBoostingClassifier: 0.96 too
0.96
"""

from __future__ import annotations

import numbers
from collections.abc import Iterator
from typing import Any

import numpy as np

from groundup.data._random import check_random_state
from groundup.data.splits import train_test_split
from groundup.ml._binning import BinMapper
from groundup.ml._classes import check_classes
from groundup.ml._hist_grower import HistGrower, HistTree
from groundup.ml._losses import (
    RawClassifierOutputs,
    RawRegressorOutputs,
    make_loss,
)
from groundup.ml.base import BaseEstimator, ClassifierMixin, RegressorMixin, _store_arguments
from groundup.ml.validation import (
    _check_fit_y,
    _check_sample_weight,
    _validate_data,
    check_is_fitted,
    check_scalar,
)

__all__ = ["HistGradientBoostingClassifier", "HistGradientBoostingRegressor"]

_FLOATS = (np.float64, np.float32)
_AUTO_EARLY_STOPPING_ABOVE = 10_000  # 'auto' turns early stopping on above this many rows


class _BaseHistGradientBoosting(BaseEstimator):
    """The boosting loop; subclasses choose the loss and encode y."""

    def _check_params(self) -> None:
        check_scalar(self.learning_rate, "learning_rate", min_val=0, include_boundaries="neither")
        check_scalar(self.max_iter, "max_iter", numbers.Integral, min_val=1)
        if self.max_leaf_nodes is not None:
            check_scalar(self.max_leaf_nodes, "max_leaf_nodes", numbers.Integral, min_val=2)
        if self.max_depth is not None:
            check_scalar(self.max_depth, "max_depth", numbers.Integral, min_val=1)
        check_scalar(self.min_samples_leaf, "min_samples_leaf", numbers.Integral, min_val=1)
        check_scalar(self.l2_regularization, "l2_regularization", min_val=0)
        check_scalar(self.max_bins, "max_bins", numbers.Integral, min_val=2, max_val=255)
        check_scalar(self.n_iter_no_change, "n_iter_no_change", numbers.Integral, min_val=1)
        check_scalar(self.tol, "tol", min_val=0)
        if self.early_stopping not in ("auto", True, False):
            raise ValueError(
                f"{type(self).__name__}: early_stopping must be 'auto', True or False, "
                f"got {self.early_stopping!r}"
            )
        if self.scoring not in ("loss", None):
            raise ValueError(
                f"{type(self).__name__}: only scoring='loss' is implemented, got {self.scoring!r}"
            )

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> _BaseHistGradientBoosting:
        """Bin X, then add ``max_iter`` rounds of trees (fewer with early stopping)."""
        _check_fit_y(self, y)
        X, y = _validate_data(
            self, X, y, dtype=_FLOATS, ensure_all_finite="allow-nan", y_numeric=not self._is_clf
        )
        self._check_params()
        y = self._encode_y(y)
        w = None if sample_weight is None else _check_sample_weight(sample_weight, len(y))
        rng = check_random_state(self.random_state)
        self._loss = self._make_loss()
        self.n_trees_per_iteration_ = self._loss.n_trees_per_iteration
        stop = self.early_stopping
        self.do_early_stopping_ = len(y) > _AUTO_EARLY_STOPPING_ABOVE if stop == "auto" else stop
        train, val = self._split_validation(X, y, w, rng)
        self._bin_mapper = BinMapper(self.max_bins, rng).fit(train[0])
        self._baseline_prediction = self._loss.init_raw(train[1], train[2])
        self._boost(train, val)
        return self

    def _split_validation(self, X, y, w, rng) -> tuple[tuple, tuple | None]:
        """(X, y, w) for training and for early stopping (None: score on training data)."""
        if not self.do_early_stopping_ or self.validation_fraction is None:
            return (X, y, w), None
        seed = rng.randint(np.iinfo(np.uint32).max, dtype="u8")  # as scikit-learn draws it
        stratify = y if self._is_clf else None
        arrays = (X, y) if w is None else (X, y, w)
        parts = train_test_split(
            *arrays, test_size=self.validation_fraction, random_state=seed, stratify=stratify
        )
        train, val = parts[0::2], parts[1::2]
        if w is None:
            train, val = [*train, None], [*val, None]
        return tuple(train), tuple(val)

    def _boost(self, train: tuple, val: tuple | None) -> None:
        """The boosting loop, with scikit-learn's "loss" early stopping."""
        X, y, w = train
        Xb = self._bin_mapper.transform(X)
        grower = HistGrower(
            Xb,
            self._bin_mapper.n_bins_non_missing_,
            self._bin_mapper.missing_bin_,
            max_leaf_nodes=self.max_leaf_nodes,
            max_depth=self.max_depth,
            min_samples_leaf=self.min_samples_leaf,
            l2_regularization=self.l2_regularization,
        )
        raw = np.tile(self._baseline_prediction, (len(y), 1))
        self._predictors: list[list[HistTree]] = []
        self.train_score_, self.validation_score_ = [], []
        if val is not None:
            Xb_val = self._bin_mapper.transform(val[0])
            raw_val = np.tile(self._baseline_prediction, (len(val[1]), 1))
            val = (*val[1:], raw_val)  # (y, w, raw) of the validation rows
        if self.do_early_stopping_:
            self._record_scores(y, raw, w, val)
        for _ in range(self.max_iter):
            trees = self._fit_iteration(grower, y, raw, w)
            self._predictors.append(trees)
            if not self.do_early_stopping_:
                continue
            if val is not None:
                for k, tree in enumerate(trees):
                    raw_val[:, k] += tree.predict_binned(Xb_val)
            self._record_scores(y, raw, w, val)
            if self._should_stop():
                break
        self.n_iter_ = len(self._predictors)
        self.train_score_ = np.asarray(self.train_score_)
        self.validation_score_ = np.asarray(self.validation_score_)

    def _fit_iteration(self, grower: HistGrower, y, raw, w) -> list[HistTree]:
        """One tree per output on the current gradients; updates ``raw`` in place."""
        g, h = self._loss.gradient_hessian(y, raw)
        if w is not None:
            g, h = g * w[:, None], h * w[:, None]
        # kept in float32, as scikit-learn keeps them (histograms still sum in float64), so
        # near-tied splits mostly fall the same way as in scikit-learn
        g, h = g.astype(np.float32), h.astype(np.float32)
        constant = self._loss.constant_hessian and w is None
        trees = []
        for k in range(raw.shape[1]):
            tree, node_samples = grower.grow(g[:, k], None if constant else h[:, k])
            leaf_of = np.zeros(len(y), dtype=np.intp)
            for node_id, samples in enumerate(node_samples):
                leaf_of[samples] = node_id
            if self._loss.needs_line_search:
                tree.value = self._loss.leaf_values(
                    leaf_of, len(tree.value), y, raw[:, k], -g[:, k], w
                )
            tree.value = tree.value * self.learning_rate
            raw[:, k] += tree.value[leaf_of]
            trees.append(tree)
        return trees

    def _record_scores(self, y, raw, w, val: tuple | None) -> None:
        """Minus the loss on the training rows and, if any, on the validation rows."""
        self.train_score_.append(-self._loss(y, raw, w))
        if val is not None:
            y_val, w_val, raw_val = val
            self.validation_score_.append(-self._loss(y_val, raw_val, w_val))

    def _should_stop(self) -> bool:
        """Stop when none of the last ``n_iter_no_change`` scores beats the one before by tol."""
        scores = self.validation_score_ if len(self.validation_score_) else self.train_score_
        reference = self.n_iter_no_change + 1
        if len(scores) < reference:
            return False
        return not any(s > scores[-reference] + self.tol for s in scores[-reference + 1 :])

    def _binned(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "_predictors")
        X = _validate_data(self, X, reset=False, dtype=_FLOATS, ensure_all_finite="allow-nan")
        return self._bin_mapper.transform(X)

    def _accumulate(self, X: Any) -> Iterator[np.ndarray]:
        """The raw prediction after each iteration (one array, updated in place)."""
        Xb = self._binned(X)
        raw = np.tile(self._baseline_prediction, (Xb.shape[0], 1))
        for trees in self._predictors:
            for k, tree in enumerate(trees):
                raw[:, k] += tree.predict_binned(Xb)
            yield raw

    def _staged_raw_predict(self, X: Any) -> Iterator[np.ndarray]:
        for raw in self._accumulate(X):
            yield raw.copy()

    def _raw_predict(self, X: Any) -> np.ndarray:
        *_, raw = self._accumulate(X)
        return raw

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags


_PARAMS_DOC = """
    learning_rate : float, default=0.1
        Shrinkage of every tree's values.
    max_iter : int, default=100
        Boosting iterations (trees per output).
    max_leaf_nodes : int or None, default=31
        Leaves per tree; nodes are split best-first.
    max_depth : int or None, default=None
    min_samples_leaf : int, default=20
    l2_regularization : float, default=0.0
        lambda in the leaf value -G / (H + lambda).
    max_bins : int, default=255
        Bins for non-missing values (NaN gets one more).
    early_stopping : 'auto' or bool, default='auto'
        'auto' turns it on above 10,000 samples.
    scoring : 'loss' or None, default='loss'
        Early stopping watches the loss on the validation data.
    validation_fraction : float or None, default=0.1
        Held out for early stopping; None watches the training loss.
    n_iter_no_change : int, default=10
    tol : float, default=1e-7
    random_state : int, RandomState or None
        Seeds the validation split and the binning subsample.
"""


class HistGradientBoostingClassifier(
    RawClassifierOutputs, ClassifierMixin, _BaseHistGradientBoosting
):
    """Histogram gradient boosting for classification with the log-loss.

    One tree per iteration for two classes (on the log-odds), K trees for K > 2 classes
    (one per class, on the softmax scores).

    Parameters
    ----------
    loss : {'log_loss'}, default='log_loss'
    """

    _is_clf = True
    __doc__ += (
        _PARAMS_DOC
        + """
    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    n_iter_ : int
        Iterations actually run (early stopping may stop before ``max_iter``).
    n_trees_per_iteration_ : int
    do_early_stopping_ : bool
    train_score_, validation_score_ : ndarray of shape (n_iter_ + 1,)
        Minus the loss before the first and after every iteration (early stopping only).
    n_features_in_ : int

    Examples
    --------
    >>> clf = HistGradientBoostingClassifier(max_iter=10, min_samples_leaf=1)
    >>> clf.fit([[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1]).predict([[0.5], [2.5]])
    array([0, 1])
    """
    )

    def __init__(
        self,
        loss="log_loss",
        *,
        learning_rate=0.1,
        max_iter=100,
        max_leaf_nodes=31,
        max_depth=None,
        min_samples_leaf=20,
        l2_regularization=0.0,
        max_bins=255,
        early_stopping="auto",
        scoring="loss",
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-7,
        random_state=None,
    ):
        _store_arguments(self, locals())

    def _encode_y(self, y: np.ndarray) -> np.ndarray:
        self.classes_, encoded = check_classes(y, type(self).__name__)
        return encoded

    def _make_loss(self) -> Any:
        return make_loss(self.loss, n_classes=len(self.classes_))


class HistGradientBoostingRegressor(RawRegressorOutputs, RegressorMixin, _BaseHistGradientBoosting):
    """Histogram gradient boosting for regression.

    Parameters
    ----------
    loss : {'squared_error', 'absolute_error', 'quantile'}, default='squared_error'
        For absolute error and quantile, each leaf's value is then set to the median
        (quantile) of its residuals, as scikit-learn does.
    quantile : float or None, default=None
        The quantile for ``loss='quantile'``, in (0, 1).
    """

    _is_clf = False
    __doc__ += (
        _PARAMS_DOC
        + """
    Attributes
    ----------
    n_iter_ : int
    n_trees_per_iteration_ : int
        Always 1.
    do_early_stopping_ : bool
    train_score_, validation_score_ : ndarray of shape (n_iter_ + 1,)
    n_features_in_ : int

    Examples
    --------
    >>> reg = HistGradientBoostingRegressor(max_iter=50, min_samples_leaf=1)
    >>> reg.fit([[0.0], [1.0], [2.0], [3.0]], [0.0, 0.0, 1.0, 1.0]).predict([[3.0]]).round(3)
    array([0.997])
    """
    )

    def __init__(
        self,
        loss="squared_error",
        *,
        quantile=None,
        learning_rate=0.1,
        max_iter=100,
        max_leaf_nodes=31,
        max_depth=None,
        min_samples_leaf=20,
        l2_regularization=0.0,
        max_bins=255,
        early_stopping="auto",
        scoring="loss",
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-7,
        random_state=None,
    ):
        _store_arguments(self, locals())

    def _encode_y(self, y: np.ndarray) -> np.ndarray:
        return y.astype(np.float64)

    def _make_loss(self) -> Any:
        name = type(self).__name__
        if self.loss == "huber":
            raise ValueError(f"{name}: loss='huber' is not supported")
        q = self.quantile
        if self.loss == "quantile" and not (isinstance(q, float) and 0.0 < q < 1.0):
            raise ValueError(f"{name}: loss='quantile' needs quantile in (0, 1), got {q!r}")
        return make_loss(self.loss, n_classes=None, alpha=q)
