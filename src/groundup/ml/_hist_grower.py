"""Growing one regression tree on binned features from gradient histograms (LightGBM style).

For a node holding samples S, the histogram of feature j is, for every bin b,
(sum of g_i, sum of h_i, count) over i in S with x_ij in bin b. One ``np.bincount`` over
flattened (feature, bin) cells builds all features' histograms at once. A split "bin <= b"
then has left sums = cumulative sums over bins, so every threshold of every feature is
scored in a few array operations, with XGBoost's gain (Chen & Guestrin 2016, eq. 7)

    gain = G_L^2 / (H_L + lambda) + G_R^2 / (H_R + lambda) - G^2 / (H + lambda)

and the leaf value -G / (H + lambda), a Newton step. Only the smaller child's histogram is
counted; the larger one is the parent's minus it ("histogram subtraction"). Nodes are split
best-first (largest gain first) until ``max_leaf_nodes`` leaves, as in scikit-learn's
``HistGradientBoosting*``. NaN samples sit in their own bin; each split tries sending them
left and right. Gains are rounded and ties broken as scikit-learn does, so with its float32
gradients the trees come out identical to scikit-learn's.

Examples
--------
>>> Xb = np.array([[0], [1], [2], [3]], dtype=np.uint8)
>>> grower = HistGrower(Xb, n_bins_non_missing=np.array([4]), missing_bin=4,
...                     min_samples_leaf=1)
>>> tree, leaves = grower.grow(np.array([-1.0, -1.0, 1.0, 1.0]), np.ones(4))
>>> tree.predict_binned(Xb)
array([ 1.,  1., -1., -1.])
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field

import numpy as np

__all__ = ["HistGrower", "HistTree"]

_MIN_HESSIAN = 1e-3  # a child needs at least this much hessian (scikit-learn's default)
_CHUNK_CELLS = 1 << 16  # (row, feature) cells per bincount call


def _leaf_value(G, H, lam: float):
    """The Newton step -G / (H + lambda); scikit-learn adds 1e-15 against H + lambda = 0."""
    return -G / (H + lam + 1e-15)


def _loss_drop(G: np.ndarray, H: np.ndarray, lam: float) -> np.ndarray:
    """G^2 / (H + lambda), rounded as ``-G * _leaf_value(G, H, lam)`` is (one new array).

    scikit-learn's gain is parent_term - G_L * leaf_L - G_R * leaf_R with leaf = -G / d:
    flipping signs is exact in floating point, so the terms here give the same bits.
    """
    d = H + lam
    d += 1e-15
    np.divide(G, d, out=d)
    d *= G
    return d


@dataclass
class HistTree:
    """A fitted tree as flat node arrays; a leaf has ``left == right ==`` itself.

    Samples go left when ``bin <= threshold_bin``, or when their bin is the missing bin and
    ``missing_left``.
    """

    feature: np.ndarray
    threshold_bin: np.ndarray
    missing_left: np.ndarray
    left: np.ndarray
    right: np.ndarray
    value: np.ndarray
    depth: int
    missing_bin: int

    def apply_binned(self, Xb: np.ndarray) -> np.ndarray:
        """The leaf of every row of binned X, walking all rows down one level at a time."""
        n, n_features = Xb.shape
        flat = Xb.ravel()
        row_start = np.arange(n) * n_features
        node = np.zeros(n, dtype=np.intp)
        for _ in range(self.depth):
            b = flat[row_start + self.feature[node]]
            go_left = (b <= self.threshold_bin[node]) | (
                (b == self.missing_bin) & self.missing_left[node]
            )
            node = np.where(go_left, self.left[node], self.right[node])
        return node

    def predict_binned(self, Xb: np.ndarray) -> np.ndarray:
        """The leaf value of every row of binned X."""
        return self.value[self.apply_binned(Xb)]


@dataclass
class _Histogram:
    """Per (feature, bin): the sample count and the sum of g, or of g + ih (complex).

    Holding G and H as one complex array is a speed trick: a float cumsum is bound by the
    latency of one addition after another, and a complex cumsum runs the two independent
    additions (real, imaginary) side by side, in half the time of two cumsums. The parts
    are still added separately and in order, so the sums are bitwise the same. Counts stay
    integers, whose cumsum is several times faster still. Without h (all ones), H = count.
    """

    counts: np.ndarray  # (n_features, width) int
    sums: np.ndarray  # (n_features, width) float64 G, or complex128 G + iH

    @property
    def G(self) -> np.ndarray:
        return self.sums.real

    @property
    def H(self) -> np.ndarray:
        return self.sums.imag if self.sums.dtype == np.complex128 else self.counts

    def __sub__(self, other: _Histogram) -> _Histogram:
        return _Histogram(self.counts - other.counts, self.sums - other.sums)

    def left_sums(self) -> _Histogram:
        """Sums over bins <= b for every threshold b (the NaN bin, last, excluded)."""
        return _Histogram(
            np.cumsum(self.counts[:, :-1], axis=1), np.cumsum(self.sums[:, :-1], axis=1)
        )

    def with_missing(self, hist: _Histogram, features: np.ndarray) -> _Histogram:
        """These left sums of ``features`` plus their NaN bin from ``hist``."""
        return _Histogram(
            self.counts[features] + hist.counts[features, -1:],
            self.sums[features] + hist.sums[features, -1:],
        )


@dataclass
class _Node:
    samples: np.ndarray  # indices of the training rows in this node
    hist: _Histogram | None
    G: float
    H: float
    depth: int
    split: tuple | None = None  # (gain, missing_left, feature, bin, G_left, H_left)


@dataclass(order=True)
class _Candidate:
    """A node waiting to be split, ordered by gain alone: equal gains leave the heap in the
    order scikit-learn's heap gives them (a tie-break on the id would not)."""

    neg_gain: float
    node_id: int = field(compare=False)


class HistGrower:
    """Grows regression trees on one binned matrix; ``grow(g, h)`` fits one tree.

    Parameters
    ----------
    X_binned : ndarray of shape (n_samples, n_features), uint8
    n_bins_non_missing : ndarray of shape (n_features,)
    missing_bin : int
        The bin of NaN (``max_bins``); histograms have ``missing_bin + 1`` bins.
    max_leaf_nodes, max_depth : int or None
    min_samples_leaf : int
    l2_regularization : float
        lambda in the gain and leaf value.
    """

    def __init__(
        self,
        X_binned: np.ndarray,
        n_bins_non_missing: np.ndarray,
        missing_bin: int,
        *,
        max_leaf_nodes: int | None = 31,
        max_depth: int | None = None,
        min_samples_leaf: int = 20,
        l2_regularization: float = 0.0,
    ):
        self.X_binned = X_binned
        # feature-major copy: a node's partition gathers from one contiguous column
        self.columns = np.ascontiguousarray(X_binned.T)
        n_features = X_binned.shape[1]
        self.missing_bin = missing_bin
        self.max_leaf_nodes = max_leaf_nodes
        self.max_depth = max_depth
        self.min_samples_leaf = min_samples_leaf
        self.l2 = l2_regularization
        # histograms are only as wide as the most bins any feature uses, plus one for NaN
        self.width = int(n_bins_non_missing.max()) + 1
        compact = np.where(X_binned == missing_bin, self.width - 1, X_binned)
        # cell of (feature j, bin b) is j * width + b: one bincount fills every histogram
        # (intp, the type np.bincount counts in: an int32 copy would be converted every call)
        self.cells = (compact + np.arange(n_features) * self.width).astype(np.intp)
        self.has_missing = (X_binned == missing_bin).any(axis=0)
        self.missing_features = np.flatnonzero(self.has_missing)
        b = np.arange(self.width - 1)[None, :]
        last = (n_bins_non_missing - 2)[:, None]
        # a threshold at the last non-missing bin leaves the right child empty, unless NaN
        # goes right
        self.valid_nan_right = b <= last + self.has_missing[:, None]
        self.valid_nan_left = (b <= last)[self.missing_features]

    def _histogram(self, samples: np.ndarray, g: np.ndarray, h: np.ndarray | None) -> _Histogram:
        """Per-bin counts and sums of g (and of h, unless h is None: h = 1, the counts serve)."""
        n_features = self.cells.shape[1]
        size = n_features * self.width
        counts = np.zeros(size, dtype=np.intp)
        sums = np.zeros(size, dtype=np.float64 if h is None else np.complex128)
        parts = (sums,) if h is None else (sums.real, sums.imag)  # views: filled in place
        # a few thousand rows at a time keep the cell indices and weights in cache
        step = max(1, _CHUNK_CELLS // n_features)
        root = len(samples) == len(self.cells)  # all rows, in order: slice, no copy
        for start in range(0, len(samples), step):
            rows = slice(start, start + step) if root else samples[start : start + step]
            cells = self.cells[rows].ravel()
            counts += np.bincount(cells, minlength=size)
            for part, values in zip(parts, (g, h)):
                weights = np.repeat(values[rows], n_features)
                part += np.bincount(cells, weights=weights, minlength=size)
        shape = (n_features, self.width)
        return _Histogram(counts.reshape(shape), sums.reshape(shape))

    def _find_split(self, node: _Node) -> tuple | None:
        """Best (gain, missing_left, feature, bin, G_left, H_left) over all thresholds, or None.

        As scikit-learn: each feature's best threshold (NaN right, lowest bin on ties; then
        NaN left, highest bin, if strictly better), and the first feature among equal gains.
        """
        left = node.hist.left_sums()  # bins <= b go left
        gain = self._gains(node, left, self.valid_nan_right)  # (F, width - 1)
        features = np.arange(gain.shape[0])
        bins = gain.argmax(axis=1)
        best = gain[features, bins]
        nan_left = np.zeros(len(best), dtype=bool)
        m = self.missing_features
        if len(m):  # the same thresholds with the NaN bin on the left
            left_m = left.with_missing(node.hist, m)
            gain_m = self._gains(node, left_m, self.valid_nan_left)
            bins_m = gain_m.shape[1] - 1 - gain_m[:, ::-1].argmax(axis=1)
            best_m = gain_m[np.arange(len(m)), bins_m]
            better = best_m > best[m]
            best[m[better]], bins[m[better]], nan_left[m[better]] = (
                best_m[better],
                bins_m[better],
                True,
            )
            left.counts[m[better]] = left_m.counts[better]
            left.sums[m[better]] = left_m.sums[better]
        f = int(best.argmax())
        if not best[f] > 0.0:
            return None
        b = int(bins[f])
        G_left, H_left = left.G[f, b], left.H[f, b]
        return float(best[f]), bool(nan_left[f]), f, b, float(G_left), float(H_left)

    def _gains(self, node: _Node, left: _Histogram, valid: np.ndarray) -> np.ndarray:
        """Loss reduction of every threshold, -inf where a rule forbids it.

        ``left`` holds the left child's counts, G and H per threshold.
        """
        lam, msl, n = self.l2, self.min_samples_leaf, len(node.samples)
        n_left = left.counts
        forbidden = (n_left < msl) | (n_left > n - msl)  # a child under msl rows
        forbidden |= ~valid
        GL = np.ascontiguousarray(left.G)  # contiguous: faster arithmetic below
        if left.sums.dtype == np.complex128:
            HL = np.ascontiguousarray(left.H)
            HR = node.H - HL
            forbidden |= (HL < _MIN_HESSIAN) | (HR < _MIN_HESSIAN)
            # only keeps forbidden thresholds' denominators off 0
            np.maximum(HL, _MIN_HESSIAN, out=HL)
            np.maximum(HR, _MIN_HESSIAN, out=HR)
        else:  # h = 1: the hessian sums are the counts, >= min_samples_leaf where allowed
            HL, HR = n_left, n - n_left
        # term by term and in scikit-learn's order, (-parent + left) + right, so that
        # near-ties round alike
        gain = _loss_drop(GL, HL, lam)
        gain -= node.G * (node.G / (node.H + lam + 1e-15))
        gain += _loss_drop(node.G - GL, HR, lam)
        gain[forbidden] = -np.inf
        return gain

    def _can_split(self, node: _Node) -> bool:
        too_deep = self.max_depth is not None and node.depth >= self.max_depth
        return not too_deep and len(node.samples) >= 2 * self.min_samples_leaf

    def _split_children(self, node: _Node, g: np.ndarray, h: np.ndarray | None, last: bool):
        """Partition the node's samples and give each child its histogram and split.

        After the ``last`` split the leaf budget is spent: the children stay leaves, so
        their histograms and splits are not computed (scikit-learn skips them too).
        """
        _, missing_left, feature, b, G_left, H_left = node.split
        column = self.columns[feature][node.samples]
        go_left = column <= b
        if missing_left:
            go_left |= column == self.missing_bin
        depth = node.depth + 1
        children = [
            _Node(node.samples[go_left], None, G_left, H_left, depth),
            _Node(node.samples[~go_left], None, node.G - G_left, node.H - H_left, depth),
        ]
        splittable = [not last and self._can_split(c) for c in children]
        if any(splittable):
            left, right = children  # on a tie the right child is counted, as in scikit-learn
            small, large = (
                (left, right) if len(left.samples) < len(right.samples) else (right, left)
            )
            small.hist = self._histogram(small.samples, g, h)
            large.hist = node.hist - small.hist
        for child, can in zip(children, splittable):
            child.split = self._find_split(child) if can else None
            child.hist = child.hist if child.split is not None else None
        node.hist = None  # free the memory early
        return children

    def grow(self, g: np.ndarray, h: np.ndarray | None) -> tuple[HistTree, list[np.ndarray]]:
        """Fit one tree to gradients ``g`` and hessians ``h`` (None: all ones).

        Returns the tree (leaf values -G/(H + lambda), unshrunk) and the training rows of
        each node (empty arrays for inner nodes), indexed by node id.
        """
        root_samples = np.arange(self.X_binned.shape[0])
        # np.bincount sums its weights in float64: convert once here, not in every call
        g = np.asarray(g, dtype=np.float64)
        h = None if h is None else np.asarray(h, dtype=np.float64)
        hist = self._histogram(root_samples, g, h)
        # every sample is in one bin of feature 0
        G = float(np.ascontiguousarray(hist.G[0]).sum())
        H = float(len(root_samples) if h is None else np.ascontiguousarray(hist.H[0]).sum())
        root = _Node(root_samples, hist, G, H, depth=0)
        if self._can_split(root):
            root.split = self._find_split(root)
        nodes, splits, children_of = [root], {}, {}
        heap, n_leaves = [], 1
        if root.split is not None:
            heapq.heappush(heap, _Candidate(-root.split[0], 0))
        while heap and (self.max_leaf_nodes is None or n_leaves < self.max_leaf_nodes):
            node_id = heapq.heappop(heap).node_id
            node = nodes[node_id]
            last = self.max_leaf_nodes is not None and n_leaves + 1 == self.max_leaf_nodes
            left, right = self._split_children(node, g, h, last)
            splits[node_id] = node.split
            children_of[node_id] = (len(nodes), len(nodes) + 1)
            for child in (left, right):
                if child.split is not None:
                    heapq.heappush(heap, _Candidate(-child.split[0], len(nodes)))
                nodes.append(child)
            n_leaves += 1
        return self._to_tree(nodes, splits, children_of), [
            np.empty(0, np.intp) if i in splits else n.samples for i, n in enumerate(nodes)
        ]

    def _to_tree(self, nodes: list, splits: dict, children_of: dict) -> HistTree:
        """Flat node arrays from the grown nodes."""
        n_nodes = len(nodes)
        ids = np.arange(n_nodes)
        feature, threshold = np.zeros(n_nodes, np.intp), np.zeros(n_nodes, np.intp)
        missing_left = np.zeros(n_nodes, bool)
        left, right = ids.copy(), ids.copy()
        value = np.array([_leaf_value(n.G, n.H, self.l2) for n in nodes])
        for node_id, (_, miss_left, f, b, *_) in splits.items():
            feature[node_id], threshold[node_id] = f, b
            left[node_id], right[node_id] = children_of[node_id]
            if not self.has_missing[f]:  # unseen NaN at predict time: follow the majority
                miss_left = len(nodes[left[node_id]].samples) > len(nodes[right[node_id]].samples)
            missing_left[node_id] = miss_left
        depth = max(n.depth for n in nodes)
        return HistTree(
            feature, threshold, missing_left, left, right, value, depth, self.missing_bin
        )
