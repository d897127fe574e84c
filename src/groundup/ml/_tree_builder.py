"""A fitted tree as flat arrays (scikit-learn's ``tree_``) and the two ways of growing it.

* :func:`build_depth_first` grows level by level: all nodes of a depth are split together
  by :func:`groundup.ml._splitter.find_best_splits`, so a level costs a few array
  operations however many nodes it has (the tree is the one scikit-learn's depth-first
  builder grows; only node numbering differs: breadth-first here).
* :func:`build_best_first` (``max_leaf_nodes``) expands, one at a time, the open node whose
  split lowers the impurity most, using a heap.

Node ``i`` of a :class:`Tree` splits on ``feature[i]`` at ``threshold[i]``: samples with
``x[feature] <= threshold`` go to ``children_left[i]``. Leaves have ``children_left == -1``.

Examples
--------
>>> tree = Tree(n_features=1, n_classes=np.array([1]))
>>> tree.node_count
0
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np

from groundup.ml._criteria import Criterion
from groundup.ml._splitter import (
    EPSILON,
    FitData,
    Frontier,
    Segments,
    find_best_splits,
    partition,
)

__all__ = [
    "StopRules",
    "Tree",
    "build_best_first",
    "build_depth_first",
    "presort",
]

TREE_LEAF = -1
TREE_UNDEFINED = -2


@dataclass
class StopRules:
    """When a node stays a leaf, and how many features each split may look at."""

    max_depth: int
    min_samples_split: int
    min_samples_leaf: int
    min_weight_leaf: float
    min_impurity_decrease: float
    max_features: int
    max_leaf_nodes: int | None = None

    def is_leaf(self, depth, count, w, impurity) -> np.ndarray:
        return (
            (depth >= self.max_depth)
            | (count < self.min_samples_split)
            | (count < 2 * self.min_samples_leaf)
            | (w < 2 * self.min_weight_leaf)
            | (impurity <= EPSILON)
        )


class Tree:
    """A binary tree as parallel arrays indexed by node id (scikit-learn's ``tree_`` layout).

    Attributes
    ----------
    children_left, children_right : ndarray of int, -1 at leaves
    feature : ndarray of int, -2 at leaves
    threshold : ndarray of float64, -2.0 at leaves
    value : ndarray of shape (node_count, 1, n_values)
        Class shares (classifier) or mean target (regressor) of each node's samples. A
        booster may overwrite the leaves' entries; :meth:`predict` returns what is there.
    impurity, weighted_n_node_samples : ndarray of float64
    n_node_samples : ndarray of int

    Examples
    --------
    >>> Tree(n_features=3, n_classes=np.array([2])).n_features
    3
    """

    def __init__(self, n_features: int, n_classes: np.ndarray, n_outputs: int = 1):
        self.n_features = n_features
        self.n_classes = np.asarray(n_classes, dtype=np.intp)
        self.n_outputs = n_outputs
        self.max_n_classes = int(self.n_classes.max())
        self.max_depth = 0
        self._count = 0
        self._fields = {
            "children_left": np.intp,
            "children_right": np.intp,
            "feature": np.intp,
            "threshold": np.float64,
            "impurity": np.float64,
            "n_node_samples": np.intp,
            "weighted_n_node_samples": np.float64,
        }
        for name, dtype in self._fields.items():
            setattr(self, name, np.zeros(0, dtype=dtype))
        self.value = np.zeros((0, n_outputs, self.max_n_classes))

    @property
    def node_count(self) -> int:
        return self._count

    @property
    def n_leaves(self) -> int:
        return int(np.sum(self.children_left[: self._count] == TREE_LEAF))

    def _reserve(self, n_nodes: int) -> None:
        """Grow every array (doubling) to hold ``n_nodes`` nodes."""
        capacity = len(self.children_left)
        if n_nodes <= capacity:
            return
        capacity = max(n_nodes, 2 * capacity, 16)
        for name in [*self._fields, "value"]:
            old = getattr(self, name)
            new = np.zeros((capacity, *old.shape[1:]), dtype=old.dtype)
            new[: len(old)] = old
            setattr(self, name, new)

    def trim(self) -> None:
        """Cut the arrays to ``node_count`` (the end of a fit)."""
        for name in [*self._fields, "value"]:
            setattr(self, name, getattr(self, name)[: self._count].copy())

    def add_leaves(self, value, impurity, count, w, depth) -> np.ndarray:
        """Append nodes as leaves; returns their ids."""
        first, k = self._count, len(impurity)
        self._reserve(first + k)
        new = slice(first, first + k)
        self.children_left[new] = self.children_right[new] = TREE_LEAF
        self.feature[new], self.threshold[new] = TREE_UNDEFINED, TREE_UNDEFINED
        self.impurity[new], self.n_node_samples[new] = impurity, count
        self.weighted_n_node_samples[new] = w
        self.value[new] = value.reshape(k, self.n_outputs, -1)
        self._count += k
        self.max_depth = max(self.max_depth, int(np.max(depth, initial=0)))
        return np.arange(first, first + k)

    def set_splits(self, node, feature, threshold, left, right) -> None:
        """Turn leaves ``node`` into internal nodes with the given tests and children."""
        self.feature[node], self.threshold[node] = feature, threshold
        self.children_left[node], self.children_right[node] = left, right

    def apply(self, X: np.ndarray) -> np.ndarray:
        """Leaf id of each row of X (float32), walking all samples one level per step."""
        leaf = np.zeros(len(X), dtype=np.intp)
        active = np.arange(len(X))
        while active.size:
            node = leaf[active]
            f = self.feature[node]
            inner = f >= 0
            active, node, f = active[inner], node[inner], f[inner]
            go_left = X[active, f] <= self.threshold[node]
            leaf[active] = np.where(go_left, self.children_left[node], self.children_right[node])
        return leaf

    def predict(self, X: np.ndarray) -> np.ndarray:
        """``value`` of each sample's leaf, shape (n_samples, 1, n_values)."""
        return self.value[self.apply(X)]

    def decision_path(self, X: np.ndarray) -> np.ndarray:
        """Dense indicator (n_samples, node_count): which nodes each sample passes through."""
        path = np.zeros((len(X), self.node_count), dtype=bool)
        node = np.zeros(len(X), dtype=np.intp)
        rows = np.arange(len(X))
        for _ in range(self.max_depth + 1):
            path[rows, node] = True
            f = self.feature[node]
            go_left = X[rows, np.maximum(f, 0)] <= self.threshold[node]
            child = np.where(go_left, self.children_left[node], self.children_right[node])
            node = np.where(f >= 0, child, node)
        return path

    def compute_feature_importances(self, normalize: bool = True) -> np.ndarray:
        """Total weighted impurity decrease per feature, / root weight (MDI)."""
        inner = np.flatnonzero(self.children_left != TREE_LEAF)
        w_imp = self.weighted_n_node_samples * self.impurity
        left, right = self.children_left[inner], self.children_right[inner]
        decrease = w_imp[inner] - w_imp[left] - w_imp[right]
        importances = np.bincount(
            self.feature[inner], weights=decrease, minlength=self.n_features
        ) / float(self.weighted_n_node_samples[0])
        total = importances.sum()
        if normalize and total > 0.0:
            importances /= total
        return importances


def _node_stats(data: FitData, crit: Criterion, row: np.ndarray, counts: np.ndarray):
    """Sums, weights, impurities and values of consecutive blocks of ``row``."""
    if hasattr(crit, "segment_stats"):  # absolute_error: medians, not sums
        return crit.segment_stats(data, row, counts)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    sums = np.add.reduceat(data.stats[row], starts, axis=0)
    w = counts.astype(np.float64) if data.unit_weights else np.add.reduceat(data.w[row], starts)
    return sums, w, crit.node_impurity(sums, w), crit.node_value(sums, w)


def _children_stats(data, crit, splits, front, keep, row, counts):
    """Children's sums, weights, impurities and values, left and right interleaved.

    When the search sums every statistic (classification), the left sums come with the
    split and the right ones are the parent's minus them: no pass over the samples.
    """
    if crit.n_split_cols is not None or hasattr(crit, "segment_stats"):
        return _node_stats(data, crit, row, counts)
    left = splits.left[keep]
    sums = np.stack([left, front.sums[keep] - left], axis=1).reshape(-1, left.shape[1])
    w = counts.astype(np.float64) if data.unit_weights else np.einsum("kc->k", sums)
    return sums, w, crit.node_impurity(sums, w), crit.node_value(sums, w)


def _root(data: FitData, crit: Criterion, rules: StopRules, tree: Tree, order: np.ndarray):
    counts = np.array([order.shape[1]])
    sums, w, impurity, value = _node_stats(data, crit, order[0], counts)
    node = tree.add_leaves(value, impurity, counts, w, [0])
    leaf = rules.is_leaf(0, counts, w, impurity)
    return Frontier(node, 0, sums, w, impurity), leaf


def _split_level(data, crit, rules, tree, order, seg, front, rng, go_left, splits=None):
    """Split the nodes of ``front`` that have a valid split; returns children and their order.

    Returns (new_order, children Frontier, children counts, children leaf flags) or None when
    nothing splits. ``splits`` are the nodes' best splits when already searched.
    """
    if splits is None:
        splits = find_best_splits(data, crit, rules, order, seg, front, rng)
    if not splits.split.any():
        return None
    keep = splits.split
    order = np.compress(np.repeat(keep, seg.count), order, axis=1)
    seg = Segments.from_counts(seg.count[keep])
    feature, n_left = splits.feature[keep], splits.n_left[keep]
    order, counts = partition(order, seg, feature, n_left, go_left)
    sums, w, impurity, value = _children_stats(data, crit, splits, front, keep, order[0], counts)
    depth = np.repeat(np.broadcast_to(front.depth, keep.shape)[keep], 2) + 1
    child = tree.add_leaves(value, impurity, counts, w, depth)
    tree.set_splits(front.node[keep], feature, splits.threshold[keep], child[0::2], child[1::2])
    children = Frontier(child, depth, sums, w, impurity)
    return order, children, counts, rules.is_leaf(depth, counts, w, impurity)


def presort(Xt: np.ndarray, used: np.ndarray, presorted: np.ndarray | None = None) -> np.ndarray:
    """Row f: the ``used`` samples sorted by feature f (the only sort of the whole fit).

    ``presorted`` (all samples sorted per feature, e.g. shared by a forest's trees) is
    filtered instead of sorting again.
    """
    if presorted is not None:
        return presorted[used[presorted]].reshape(len(presorted), -1)
    samples = np.flatnonzero(used)
    return samples[np.argsort(Xt[:, samples], axis=1)]


def build_depth_first(data, crit, rules, tree, order, rng) -> Tree:
    """Grow ``tree`` level by level from the sorted samples ``order`` (levels vectorised)."""
    front, leaf = _root(data, crit, rules, tree, order)
    counts = np.array([order.shape[1]])
    go_left = np.zeros(data.Xt.shape[1], dtype=bool)
    while not leaf.all():
        order = np.compress(np.repeat(~leaf, counts), order, axis=1)
        front, counts = front.take(~leaf), counts[~leaf]
        seg = Segments.from_counts(counts)
        grown = _split_level(data, crit, rules, tree, order, seg, front, rng, go_left)
        if grown is None:
            break
        order, front, counts, leaf = grown
    tree.trim()
    return tree


def build_best_first(data, crit, rules, tree, order, rng) -> Tree:
    """Grow ``tree`` up to ``max_leaf_nodes`` leaves, best impurity decrease first."""
    front, leaf = _root(data, crit, rules, tree, order)
    go_left = np.zeros(data.Xt.shape[1], dtype=bool)
    heap: list = []
    if not leaf[0]:
        _push_candidate(data, crit, rules, heap, order, front, rng)
    n_splits = rules.max_leaf_nodes - 1
    while heap and n_splits > 0:
        _, _, order, front, splits = heapq.heappop(heap)
        seg = Segments.from_counts(np.array([order.shape[1]]))
        order, children, counts, leaf = _split_level(
            data, crit, rules, tree, order, seg, front, rng, go_left, splits
        )
        n_splits -= 1
        starts = np.concatenate([[0], np.cumsum(counts)])
        for i in np.flatnonzero(~leaf):
            block = np.ascontiguousarray(order[:, starts[i] : starts[i + 1]])
            _push_candidate(data, crit, rules, heap, block, children.take([i]), rng)
    tree.trim()
    return tree


def _push_candidate(data, crit, rules, heap, order, front, rng) -> None:
    """Push a one-node frontier on the heap if it has a valid split, keyed by its gain."""
    seg = Segments.from_counts(np.array([order.shape[1]]))
    splits = find_best_splits(data, crit, rules, order, seg, front, rng)
    if splits.split[0]:
        front.depth = np.asarray(front.depth).reshape(1)
        heapq.heappush(heap, (-splits.improvement[0], int(front.node[0]), order, front, splits))
