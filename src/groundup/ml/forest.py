"""Random forests: many decision trees on bootstrap samples and random features, averaged.

Each tree sees a bootstrap sample (n draws with replacement, given to the tree as
sample weights = draw counts, as scikit-learn does) and looks at ``max_features`` random
features per split; the forest averages the trees' class shares (classifier) or
predictions (regressor). The samples a tree never drew are its out-of-bag (OOB) samples
and give a free estimate of the test score.

Examples
--------
>>> X = [[0.0], [1.0], [2.0], [3.0]] * 5
>>> forest = RandomForestClassifier(n_estimators=5, random_state=0).fit(X, [0, 0, 1, 1] * 5)
>>> forest.predict([[0.2], [2.8]])
array([0, 1])
"""

from __future__ import annotations

import numbers
import os
import warnings
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from groundup.data._random import check_random_state
from groundup.metrics import accuracy_score, r2_score
from groundup.ml._classes import class_weights, reject_continuous_labels
from groundup.ml.base import BaseEstimator, ClassifierMixin, RegressorMixin
from groundup.ml.tree import DecisionTreeClassifier, DecisionTreeRegressor
from groundup.ml.validation import (
    _check_fit_y,
    _check_sample_weight,
    _validate_data,
    check_is_fitted,
)

__all__ = ["RandomForestClassifier", "RandomForestRegressor"]

_MAX_INT = np.iinfo(np.int32).max
_TREE_PARAMS = (
    "criterion",
    "max_depth",
    "min_samples_split",
    "min_samples_leaf",
    "min_weight_fraction_leaf",
    "max_features",
    "max_leaf_nodes",
    "min_impurity_decrease",
)


def bootstrap_counts(seed: int, n_samples: int, n_draws: int, p=None) -> np.ndarray:
    """How often each sample is drawn in a tree's bootstrap (scikit-learn's draws for ``seed``).

    With sample weights ``p`` (scikit-learn >= 1.9), samples are drawn with probability
    proportional to their weight, and the counts alone weight the tree.

    Examples
    --------
    >>> bootstrap_counts(0, 5, 5)
    array([1, 0, 0, 3, 1])
    """
    rng = np.random.RandomState(seed)
    if p is None:
        draws = rng.randint(0, n_samples, n_draws)
    else:
        draws = rng.choice(n_samples, n_draws, replace=True, p=p / p.sum())
    return np.bincount(draws, minlength=n_samples)


def _n_draws(max_samples, n_samples: int, owner: str) -> int:
    if max_samples is None:
        return n_samples
    if isinstance(max_samples, numbers.Integral) and not isinstance(max_samples, bool):
        if not 1 <= max_samples <= n_samples:
            raise ValueError(f"{owner}: max_samples must be in [1, {n_samples}], got {max_samples}")
        return int(max_samples)
    if isinstance(max_samples, numbers.Real) and 0.0 < max_samples <= 1.0:
        return max(round(n_samples * max_samples), 1)
    raise ValueError(f"{owner}: max_samples must be None, an int or a float in (0, 1]")


def _n_workers(n_jobs, n_tasks: int) -> int:
    if n_jobs is None:
        return 1
    if n_jobs < 0:
        n_jobs = max(1, (os.cpu_count() or 1) + 1 + n_jobs)
    return max(1, min(int(n_jobs), n_tasks))


class BaseForest(BaseEstimator):
    """Bootstrap, tree fitting (optionally on threads), averaging, OOB and importances."""

    def _make_tree(self, seed: int):
        params = {name: getattr(self, name) for name in _TREE_PARAMS}
        return self._tree_class(**params, random_state=seed)

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> BaseForest:
        """Grow ``n_estimators`` trees, each on its own bootstrap sample."""
        name = type(self).__name__
        _check_fit_y(self, y)
        X, y = _validate_data(self, X, y, dtype=np.float32, y_numeric=not self._is_clf)
        if not isinstance(self.n_estimators, numbers.Integral) or self.n_estimators < 1:
            raise ValueError(f"{name}: n_estimators must be an int >= 1, got {self.n_estimators!r}")
        if self.oob_score and not self.bootstrap:
            raise ValueError(f"{name}: out-of-bag estimation is only available if bootstrap=True")
        n = len(X)
        y = self._encode_y(y)
        w = None if sample_weight is None else _check_sample_weight(sample_weight, n)
        w = self._weight_classes(y, w)
        seeds = check_random_state(self.random_state).randint(_MAX_INT, size=self.n_estimators)
        n_draws = _n_draws(self.max_samples, n, name) if self.bootstrap else n
        presorted = np.argsort(X.T, axis=1)  # sorted once, filtered by each tree

        def grow(seed):
            tree = self._make_tree(int(seed))
            if self.bootstrap:
                counts = bootstrap_counts(seed, n, n_draws, w)
                tree_w = counts * self._subsample_weight(y, counts)
            else:
                tree_w = np.ones(n) if w is None else w
            return tree._fit(X, y, tree_w, check_input=False, presorted=presorted)

        n_workers = _n_workers(self.n_jobs, self.n_estimators)
        if n_workers == 1:
            self.estimators_ = [grow(s) for s in seeds]
        else:  # NumPy releases the GIL inside sorts, cumsums and fancy indexing
            with ThreadPoolExecutor(n_workers) as pool:
                self.estimators_ = list(pool.map(grow, seeds))
        if self.oob_score:
            self._set_oob(X, y, seeds, n_draws, w)
        return self

    def _weight_classes(self, y: np.ndarray, w: np.ndarray | None) -> np.ndarray | None:
        """Sample weights times class weights (classifier); None when all are 1."""
        return w

    def _subsample_weight(self, y: np.ndarray, counts: np.ndarray) -> float | np.ndarray:
        """Extra per-sample weight computed on one bootstrap ("balanced_subsample")."""
        return 1.0

    @staticmethod
    def _leaf_output(tree, X: np.ndarray) -> np.ndarray:
        """A tree's leaf values at X, shape (n_samples, n_values)."""
        return tree.tree_.predict(X)[:, 0, :]

    def _tree_outputs(self, X: np.ndarray) -> np.ndarray:
        """Every tree's leaf values at X, shape (n_estimators, n_samples, n_values)."""
        return np.stack([self._leaf_output(t, X) for t in self.estimators_])

    def _oob_sum(self, X, seeds, n_draws, w) -> tuple[np.ndarray, np.ndarray]:
        """Sum of each sample's predictions by the trees that did not draw it, and their count."""
        n = len(X)
        total = np.zeros((n, self.estimators_[0].tree_.value.shape[2]))
        count = np.zeros(n)
        for tree, seed in zip(self.estimators_, seeds):
            out = np.flatnonzero(bootstrap_counts(seed, n, n_draws, w) == 0)
            total[out] += self._leaf_output(tree, X[out])
            count[out] += 1
        if np.any(count == 0):
            warnings.warn(
                "Some inputs do not have OOB scores. This probably means too few trees were "
                "used to compute any reliable OOB estimates.",
                UserWarning,
                stacklevel=3,
            )
        return total, np.maximum(count, 1)[:, None]

    def _check_X(self, X: Any) -> np.ndarray:
        check_is_fitted(self)
        return _validate_data(self, X, reset=False, dtype=np.float32)

    def apply(self, X: Any) -> np.ndarray:
        """Leaf index of each sample in each tree, shape (n_samples, n_estimators)."""
        X = self._check_X(X)
        return np.stack([t.tree_.apply(X) for t in self.estimators_], axis=1)

    @property
    def feature_importances_(self) -> np.ndarray:
        """Mean over trees of each tree's normalised impurity decrease (MDI)."""
        check_is_fitted(self)
        grown = [t.feature_importances_ for t in self.estimators_ if t.tree_.node_count > 1]
        if not grown:
            return np.zeros(self.n_features_in_)
        mean = np.mean(grown, axis=0)
        return mean / mean.sum()


# shared by both forests' docstrings (appended to their Parameters sections)
_FOREST_DOC_PARAMS = """n_estimators : int, default=100
    bootstrap : bool, default=True
        Fit each tree on n draws with replacement (else on all samples).
    oob_score : bool, default=False
        Score on the out-of-bag samples (``oob_score_``).
    n_jobs : int or None, default=None
        Threads growing trees at once (-1: all cores); None is 1.
    random_state : int, RandomState or None, default=None
        Seeds each tree (its bootstrap and features) as scikit-learn does.
    max_samples : int, float or None, default=None
        Draws per bootstrap: a count, a share of n_samples, or n_samples.
    criterion, max_depth, min_samples_split, min_samples_leaf, min_weight_fraction_leaf,
    max_features, max_leaf_nodes, min_impurity_decrease
        Passed to every tree (see the decision trees).
"""


class RandomForestClassifier(ClassifierMixin, BaseForest):
    """A forest of classification trees; predicts the class with the largest mean share.

    Parameters
    ----------
    max_features : default="sqrt"
    class_weight : dict, "balanced", "balanced_subsample" or None, default=None
        "balanced_subsample" recomputes the balanced weights on each bootstrap sample.
    """

    __doc__ += (
        _FOREST_DOC_PARAMS
        + """
    Attributes
    ----------
    estimators_ : list of DecisionTreeClassifier
    classes_ : ndarray of shape (n_classes,)
    feature_importances_ : ndarray of shape (n_features,)
    oob_score_ : float
    oob_decision_function_ : ndarray of shape (n_samples, n_classes)

    Examples
    --------
    >>> X = [[0.0], [1.0], [2.0], [3.0]] * 5
    >>> forest = RandomForestClassifier(n_estimators=3, random_state=0).fit(X, [0, 0, 1, 1] * 5)
    >>> forest.predict_proba([[3.0]])
    array([[0., 1.]])
    """
    )

    _is_clf = True
    _tree_class = DecisionTreeClassifier

    def __init__(
        self,
        n_estimators=100,
        *,
        criterion="gini",
        max_depth=None,
        min_samples_split=2,
        min_samples_leaf=1,
        min_weight_fraction_leaf=0.0,
        max_features="sqrt",
        max_leaf_nodes=None,
        min_impurity_decrease=0.0,
        bootstrap=True,
        oob_score=False,
        n_jobs=None,
        random_state=None,
        class_weight=None,
        max_samples=None,
    ):
        self.n_estimators = n_estimators
        self.criterion = criterion
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.min_weight_fraction_leaf = min_weight_fraction_leaf
        self.max_features = max_features
        self.max_leaf_nodes = max_leaf_nodes
        self.min_impurity_decrease = min_impurity_decrease
        self.bootstrap = bootstrap
        self.oob_score = oob_score
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.class_weight = class_weight
        self.max_samples = max_samples

    def _encode_y(self, y: np.ndarray) -> np.ndarray:
        reject_continuous_labels(y, type(self).__name__, "RandomForestRegressor")
        self.classes_, encoded = np.unique(y, return_inverse=True)
        self.n_classes_ = len(self.classes_)
        return encoded

    def _weight_classes(self, y: np.ndarray, w: np.ndarray | None) -> np.ndarray | None:
        subsample = self.class_weight == "balanced_subsample"
        if self.class_weight is None or (subsample and self.bootstrap):
            return w
        rule = "balanced" if subsample else self.class_weight
        per_sample = class_weights(rule, self.classes_, y, type(self).__name__)[y]
        return per_sample if w is None else w * per_sample

    def _subsample_weight(self, y: np.ndarray, counts: np.ndarray) -> float | np.ndarray:
        if self.class_weight != "balanced_subsample":
            return 1.0
        # "balanced" on the drawn sample: n_draws / (classes drawn * draws of the class)
        drawn = np.bincount(y, weights=counts, minlength=self.n_classes_)
        per_class = counts.sum() / (np.count_nonzero(drawn) * np.maximum(drawn, 1))
        return per_class[y]

    def _set_oob(self, X, y, seeds, n_draws, w) -> None:
        total, count = self._oob_sum(X, seeds, n_draws, w)
        self.oob_decision_function_ = total / count
        self.oob_score_ = accuracy_score(y, np.argmax(self.oob_decision_function_, axis=1))

    def predict_proba(self, X: Any) -> np.ndarray:
        """Mean over trees of the class shares in each sample's leaf, (n_samples, n_classes)."""
        return self._tree_outputs(self._check_X(X)).mean(axis=0)

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """log of :meth:`predict_proba`."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X: Any) -> np.ndarray:
        """The class with the largest mean share."""
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


class RandomForestRegressor(RegressorMixin, BaseForest):
    """A forest of regression trees; predicts the mean of the trees' predictions.

    Parameters
    ----------
    criterion : default="squared_error"
    max_features : default=1.0
        All features, as scikit-learn's default for regression (bagged trees).
    """

    __doc__ += (
        _FOREST_DOC_PARAMS
        + """
    Attributes
    ----------
    estimators_ : list of DecisionTreeRegressor
    feature_importances_ : ndarray of shape (n_features,)
    oob_score_ : float
        R² of ``oob_prediction_``.
    oob_prediction_ : ndarray of shape (n_samples,)

    Examples
    --------
    >>> X = [[0.0], [1.0], [2.0], [3.0]] * 5
    >>> forest = RandomForestRegressor(n_estimators=3, random_state=0)
    >>> forest = forest.fit(X, [0.0, 0.0, 1.0, 1.0] * 5)
    >>> forest.predict([[0.0], [3.0]])
    array([0., 1.])
    """
    )

    _is_clf = False
    _tree_class = DecisionTreeRegressor

    def __init__(
        self,
        n_estimators=100,
        *,
        criterion="squared_error",
        max_depth=None,
        min_samples_split=2,
        min_samples_leaf=1,
        min_weight_fraction_leaf=0.0,
        max_features=1.0,
        max_leaf_nodes=None,
        min_impurity_decrease=0.0,
        bootstrap=True,
        oob_score=False,
        n_jobs=None,
        random_state=None,
        max_samples=None,
    ):
        self.n_estimators = n_estimators
        self.criterion = criterion
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.min_weight_fraction_leaf = min_weight_fraction_leaf
        self.max_features = max_features
        self.max_leaf_nodes = max_leaf_nodes
        self.min_impurity_decrease = min_impurity_decrease
        self.bootstrap = bootstrap
        self.oob_score = oob_score
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.max_samples = max_samples

    def _encode_y(self, y: np.ndarray) -> np.ndarray:
        return y.astype(np.float64)

    def _set_oob(self, X, y, seeds, n_draws, w) -> None:
        total, count = self._oob_sum(X, seeds, n_draws, w)
        self.oob_prediction_ = (total / count)[:, 0]
        self.oob_score_ = r2_score(y, self.oob_prediction_)

    def predict(self, X: Any) -> np.ndarray:
        """Mean of the trees' predictions."""
        return self._tree_outputs(self._check_X(X)).mean(axis=0)[:, 0]
