"""Decision trees (CART) with scikit-learn's names, grown by a vectorised split search.

A node is split by the feature and threshold that lower its impurity the most; every
threshold of every feature of every node of a level is scored at once from cumulative
sums (see :mod:`groundup.ml._splitter`), and the fitted tree is flat arrays (``tree_``).

Differences from scikit-learn: nodes are numbered breadth-first (sklearn: depth-first), so
``tree_`` arrays list the same nodes in another order; ties between equally good splits
are broken by a random feature order as in sklearn, but with another generator; no
missing values, ``splitter="random"``, ``ccp_alpha``, ``monotonic_cst`` or 2-D y;
``decision_path`` returns a dense boolean array (sklearn: sparse).

Examples
--------
>>> X = [[0.0], [1.0], [2.0], [3.0]]
>>> DecisionTreeClassifier().fit(X, [0, 0, 1, 1]).predict([[0.4], [2.6]])
array([0, 1])
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from groundup.data._random import check_random_state
from groundup.ml._classes import class_weights, reject_continuous_labels
from groundup.ml._criteria import CRITERIA
from groundup.ml._mae import ABSOLUTE_ERROR
from groundup.ml._splitter import FitData
from groundup.ml._tree_builder import (
    StopRules,
    Tree,
    build_best_first,
    build_depth_first,
    presort,
)
from groundup.ml.base import BaseEstimator, ClassifierMixin, RegressorMixin
from groundup.ml.validation import (
    _check_fit_y,
    _check_sample_weight,
    _validate_data,
    check_is_fitted,
)

__all__ = ["DecisionTreeClassifier", "DecisionTreeRegressor"]

_CLF_CRITERIA = ("gini", "entropy", "log_loss")
_REG_CRITERIA = ("squared_error", "friedman_mse", "absolute_error")
_ALL_CRITERIA = {**CRITERIA, "absolute_error": ABSOLUTE_ERROR}


def _fraction_or_count(value, name: str, n_samples: int, owner: str, low: int) -> int:
    """An int >= low, or a float share of n_samples (scikit-learn's ``min_samples_*``)."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        if value < low:
            raise ValueError(f"{owner}: {name} must be an int >= {low}, got {value}")
        return int(value)
    if isinstance(value, numbers.Real) and 0.0 < value <= 1.0:
        return max(low, int(np.ceil(value * n_samples)))
    raise ValueError(f"{owner}: {name} must be an int >= {low} or a float in (0, 1], got {value!r}")


def resolve_max_features(max_features, n_features: int, owner: str) -> int:
    """Number of features a split looks at: int, share, "sqrt", "log2" or None (all).

    Examples
    --------
    >>> resolve_max_features("sqrt", 20, "tree"), resolve_max_features(0.5, 20, "tree")
    (4, 10)
    """
    if max_features is None:
        return n_features
    if max_features == "sqrt":
        return max(1, int(np.sqrt(n_features)))
    if max_features == "log2":
        return max(1, int(np.log2(n_features)))
    if isinstance(max_features, numbers.Integral) and not isinstance(max_features, bool):
        if not 1 <= max_features <= n_features:
            raise ValueError(
                f"{owner}: max_features must be in [1, n_features={n_features}], got {max_features}"
            )
        return int(max_features)
    if isinstance(max_features, numbers.Real) and 0.0 < max_features <= 1.0:
        return max(1, int(max_features * n_features))
    raise ValueError(
        f"{owner}: max_features must be None, 'sqrt', 'log2', an int >= 1 or a float in (0, 1], "
        f"got {max_features!r}"
    )


class BaseDecisionTree(BaseEstimator):
    """Validation, the fit driver and ``apply``/``get_depth``; subclasses add the target."""

    def _stop_rules(self, n_samples: int, n_features: int, w_sum: float) -> StopRules:
        name = type(self).__name__
        if self.max_depth is not None and (
            not isinstance(self.max_depth, numbers.Integral) or self.max_depth < 1
        ):
            raise ValueError(
                f"{name}: max_depth must be None or an int >= 1, got {self.max_depth!r}"
            )
        leaf = _fraction_or_count(self.min_samples_leaf, "min_samples_leaf", n_samples, name, 1)
        split = _fraction_or_count(self.min_samples_split, "min_samples_split", n_samples, name, 2)
        if not 0.0 <= self.min_weight_fraction_leaf <= 0.5:
            raise ValueError(f"{name}: min_weight_fraction_leaf must be in [0, 0.5]")
        if self.min_impurity_decrease < 0:
            raise ValueError(f"{name}: min_impurity_decrease must be >= 0")
        if self.max_leaf_nodes is not None and (
            not isinstance(self.max_leaf_nodes, numbers.Integral) or self.max_leaf_nodes < 2
        ):
            raise ValueError(
                f"{name}: max_leaf_nodes must be None or an int >= 2, got {self.max_leaf_nodes!r}"
            )
        return StopRules(
            max_depth=np.iinfo(np.int32).max if self.max_depth is None else int(self.max_depth),
            min_samples_split=max(split, 2 * leaf),
            min_samples_leaf=leaf,
            min_weight_leaf=self.min_weight_fraction_leaf * w_sum,
            min_impurity_decrease=float(self.min_impurity_decrease),
            max_features=resolve_max_features(self.max_features, n_features, name),
            max_leaf_nodes=self.max_leaf_nodes,
        )

    def _fit(self, X, y, sample_weight, check_input: bool, presorted=None) -> BaseDecisionTree:
        """``fit``; ``presorted`` (n_features, n_samples), ``argsort`` of X's columns, lets
        many fits on one float32 X (a forest's trees, a booster's) skip the sort."""
        name = type(self).__name__
        if check_input:
            _check_fit_y(self, y)
            X, y = _validate_data(self, X, y, dtype=np.float32, y_numeric=not self._is_clf)
        else:
            self.n_features_in_ = X.shape[1]
        allowed = _CLF_CRITERIA if self._is_clf else _REG_CRITERIA
        if self.criterion not in allowed:
            raise ValueError(f"{name}: criterion must be one of {allowed}, got {self.criterion!r}")
        n_samples = len(X)
        w = (
            np.ones(n_samples)
            if sample_weight is None
            else _check_sample_weight(sample_weight, n_samples)
        )
        if np.any(w < 0):
            raise ValueError(f"{name}.fit: sample_weight must be >= 0")
        y, w = self._encode_target(y, w)
        rules = self._stop_rules(n_samples, X.shape[1], float(w.sum()))
        self.tree_ = self._grow(X, y, w, rules, presorted)
        return self

    def _grow(self, X, y, w, rules: StopRules, presorted) -> Tree:
        n_classes = getattr(self, "n_classes_", 1)
        crit = _ALL_CRITERIA[self.criterion]
        stats = crit.sample_stats(y, w, n_classes)
        data = FitData(
            Xt=np.ascontiguousarray(X.T, dtype=np.float32),
            stats=stats,
            split_stats=crit.split_statistics(stats),
            w=w,
            unit_weights=bool(np.all(w == 1.0)),
            w_total=float(w.sum()),
            y=y,
        )
        tree = Tree(X.shape[1], np.array([n_classes]))
        order = presort(data.Xt, w > 0, presorted)  # zero-weight samples take no part
        build = build_depth_first if self.max_leaf_nodes is None else build_best_first
        return build(data, crit, rules, tree, order, check_random_state(self.random_state))

    def _check_X(self, X, check_input: bool = True) -> np.ndarray:
        check_is_fitted(self)
        if not check_input:
            return X
        return _validate_data(self, X, reset=False, dtype=np.float32)

    def apply(self, X: Any, check_input: bool = True) -> np.ndarray:
        """Index of the leaf each sample ends in (ids into ``tree_`` arrays)."""
        return self.tree_.apply(self._check_X(X, check_input))

    def decision_path(self, X: Any, check_input: bool = True) -> np.ndarray:
        """Dense boolean (n_samples, node_count): nodes on each sample's path (sklearn: sparse)."""
        return self.tree_.decision_path(self._check_X(X, check_input))

    def get_depth(self) -> int:
        """Depth of the tree: the longest root-to-leaf path (a lone root has depth 0)."""
        check_is_fitted(self)
        return self.tree_.max_depth

    def get_n_leaves(self) -> int:
        """Number of leaves."""
        check_is_fitted(self)
        return self.tree_.n_leaves

    @property
    def feature_importances_(self) -> np.ndarray:
        """Mean decrease in impurity per feature, normalised to sum to 1 (MDI)."""
        check_is_fitted(self)
        return self.tree_.compute_feature_importances()


class DecisionTreeClassifier(ClassifierMixin, BaseDecisionTree):
    """A CART classification tree: split where the weighted child impurity is lowest.

    Impurity: gini 1 - sum_c p_c^2, or entropy/log_loss -sum_c p_c log2 p_c.

    Parameters
    ----------
    criterion : {"gini", "entropy", "log_loss"}, default="gini"
    max_depth : int or None, default=None
        None grows until leaves are pure or ``min_samples_split`` stops them.
    min_samples_split : int or float, default=2
        Fewest samples (int, or share of n_samples) a node needs to be split.
    min_samples_leaf : int or float, default=1
        Fewest samples each child must keep.
    min_weight_fraction_leaf : float, default=0.0
        Fewest share of the total sample weight each child must keep.
    max_features : int, float, "sqrt", "log2" or None, default=None
        Features drawn at random (without replacement) per split; None: all.
    random_state : int, RandomState or None, default=None
        Draws the features of each split (and breaks ties between equal splits).
    max_leaf_nodes : int or None, default=None
        Grow best-first (largest impurity decrease first) up to this many leaves.
    min_impurity_decrease : float, default=0.0
        Split only if (w_node/W)(I - w_L/w_node I_L - w_R/w_node I_R) >= this.
    class_weight : dict, "balanced" or None, default=None
        Weight per class multiplying sample weights; "balanced": n / (n_classes * count_c).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    n_classes_ : int
    tree_ : Tree
        Flat arrays; ``tree_.value[i, 0]`` holds the class shares of node i.
    feature_importances_ : ndarray of shape (n_features,)
    n_features_in_, max_features_ : int

    Examples
    --------
    >>> clf = DecisionTreeClassifier(max_depth=1).fit([[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1])
    >>> clf.tree_.threshold[0], clf.get_depth(), clf.predict_proba([[2.5]])
    (np.float64(1.5), 1, array([[0., 1.]]))
    """

    _is_clf = True

    def __init__(
        self,
        *,
        criterion="gini",
        max_depth=None,
        min_samples_split=2,
        min_samples_leaf=1,
        min_weight_fraction_leaf=0.0,
        max_features=None,
        random_state=None,
        max_leaf_nodes=None,
        min_impurity_decrease=0.0,
        class_weight=None,
    ):
        self.criterion = criterion
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.min_weight_fraction_leaf = min_weight_fraction_leaf
        self.max_features = max_features
        self.random_state = random_state
        self.max_leaf_nodes = max_leaf_nodes
        self.min_impurity_decrease = min_impurity_decrease
        self.class_weight = class_weight

    def fit(self, X: Any, y: Any, sample_weight: Any = None, check_input: bool = True):
        """Grow the tree on X (n_samples, n_features) and class labels y."""
        return self._fit(X, y, sample_weight, check_input)

    def _encode_target(self, y: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        name = type(self).__name__
        reject_continuous_labels(y, name, "DecisionTreeRegressor")
        self.classes_, encoded = np.unique(y, return_inverse=True)
        self.n_classes_ = len(self.classes_)
        per_class = class_weights(self.class_weight, self.classes_, encoded, name)
        return encoded, w * per_class[encoded]

    def predict_proba(self, X: Any, check_input: bool = True) -> np.ndarray:
        """Class shares of the leaf of each sample, shape (n_samples, n_classes)."""
        proba = self.tree_.predict(self._check_X(X, check_input))[:, 0, :]
        return proba / proba.sum(axis=1, keepdims=True)

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """log of :meth:`predict_proba` (-inf for a class absent from the leaf)."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X: Any, check_input: bool = True) -> np.ndarray:
        """The most frequent (weighted) class in each sample's leaf."""
        return self.classes_[np.argmax(self.predict_proba(X, check_input), axis=1)]


class DecisionTreeRegressor(RegressorMixin, BaseDecisionTree):
    """A CART regression tree: split where the weighted child squared error is lowest.

    Impurity: squared_error (and friedman_mse, same splits) the variance of y, leaf value
    the mean; absolute_error the mean |y - median|, leaf value the median.

    A gradient booster fits a tree to its residuals, maps samples to leaves with
    ``apply`` and writes its own leaf values (e.g. Newton steps) into
    ``tree_.value[leaf, 0, 0]``; ``predict`` then returns those values.

    Parameters
    ----------
    criterion : {"squared_error", "friedman_mse", "absolute_error"}, default="squared_error"
    max_depth, min_samples_split, min_samples_leaf, min_weight_fraction_leaf, max_features,
    random_state, max_leaf_nodes, min_impurity_decrease
        As in :class:`DecisionTreeClassifier`.

    Attributes
    ----------
    tree_ : Tree
        ``tree_.value[i, 0, 0]`` is node i's prediction.
    feature_importances_ : ndarray of shape (n_features,)
    n_features_in_ : int

    Examples
    --------
    >>> X = [[0.0], [1.0], [2.0], [3.0]]
    >>> reg = DecisionTreeRegressor(max_depth=1).fit(X, [1.0, 1.0, 5.0, 7.0])
    >>> reg.predict([[0.5], [2.5]])
    array([1., 6.])
    """

    _is_clf = False

    def __init__(
        self,
        *,
        criterion="squared_error",
        max_depth=None,
        min_samples_split=2,
        min_samples_leaf=1,
        min_weight_fraction_leaf=0.0,
        max_features=None,
        random_state=None,
        max_leaf_nodes=None,
        min_impurity_decrease=0.0,
    ):
        self.criterion = criterion
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.min_weight_fraction_leaf = min_weight_fraction_leaf
        self.max_features = max_features
        self.random_state = random_state
        self.max_leaf_nodes = max_leaf_nodes
        self.min_impurity_decrease = min_impurity_decrease

    def fit(self, X: Any, y: Any, sample_weight: Any = None, check_input: bool = True):
        """Grow the tree on X (n_samples, n_features) and real targets y."""
        return self._fit(X, y, sample_weight, check_input)

    def _encode_target(self, y: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return y.astype(np.float64), w

    def predict(self, X: Any, check_input: bool = True) -> np.ndarray:
        """The value of each sample's leaf (the mean, or median, of its training targets)."""
        return self.tree_.predict(self._check_X(X, check_input))[:, 0, 0]
