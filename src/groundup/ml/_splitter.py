"""The vectorised split search and partition of a tree level: no loop over nodes or samples.

The samples of all nodes being split sit in one matrix ``order`` of shape
(n_features, m): row f lists the samples grouped by node ("segments", in node order) and,
inside each segment, sorted by feature f. The whole fit sorts once, then

* :func:`find_best_splits` takes a cumulative sum of the per-sample statistics along every
  row, subtracts each segment's starting sums and scores all thresholds of all features
  of all nodes in a few array operations (a threshold between two sorted values is a
  position); a segmented max (``np.maximum.reduceat``) picks each node's best;
* :func:`partition` moves every row's samples to their child's block with a stable,
  sort-free scatter (left children first inside each node), so each child's samples stay
  sorted by every feature.

Examples
--------
>>> seg = Segments.from_counts(np.array([2, 3]))
>>> seg.id, seg.local
(array([0, 0, 1, 1, 1]), array([0, 1, 0, 1, 2]))
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from groundup.ml._criteria import Criterion

__all__ = ["FEATURE_THRESHOLD", "FitData", "Frontier", "Segments", "find_best_splits", "partition"]

# two feature values closer than this are one value, as in scikit-learn
FEATURE_THRESHOLD = 1e-7
EPSILON = np.finfo(np.float64).eps
_BLOCK = 1 << 22  # elements of one (rows, positions, stats) block of the search


@dataclass
class FitData:
    """What every node reads: features by row, per-sample statistics and weights."""

    Xt: np.ndarray  # (n_features, n_samples) float32, a feature per row
    stats: np.ndarray  # (n_samples, n_stats) float64
    split_stats: np.ndarray  # (n_split_cols, n_samples): the statistics the search sums
    w: np.ndarray  # (n_samples,)
    unit_weights: bool
    w_total: float
    y: np.ndarray | None = None  # the targets, for criteria that need more than sums


@dataclass
class Segments:
    """Node blocks of a level: ``start``/``count`` per node, ``id``/``local`` per position."""

    start: np.ndarray
    count: np.ndarray
    id: np.ndarray = field(repr=False)
    local: np.ndarray = field(repr=False)

    @classmethod
    def from_counts(cls, count: np.ndarray) -> Segments:
        start = np.concatenate([[0], np.cumsum(count)[:-1]]).astype(np.intp)
        seg_id = np.repeat(np.arange(len(count)), count)
        return cls(start, count, seg_id, np.arange(len(seg_id)) - start[seg_id])


@dataclass
class Frontier:
    """The nodes of a level that may split: tree ids, depth, sums, weights, impurities."""

    node: np.ndarray
    depth: int | np.ndarray
    sums: np.ndarray
    w: np.ndarray
    impurity: np.ndarray

    def take(self, keep: np.ndarray) -> Frontier:
        depth = self.depth if np.isscalar(self.depth) else self.depth[keep]
        return Frontier(self.node[keep], depth, self.sums[keep], self.w[keep], self.impurity[keep])


@dataclass
class Splits:
    """Per node: whether it splits, on which feature and threshold, its left size and sums."""

    split: np.ndarray
    feature: np.ndarray
    threshold: np.ndarray
    n_left: np.ndarray
    improvement: np.ndarray
    left: np.ndarray  # (K, n_split_cols) statistic sums of the left child


def _candidate_features(data, order, seg, max_features, rng) -> np.ndarray | None:
    """Features each node may split on, (K, c), scikit-learn's draw; None means all.

    Features are drawn without replacement; after ``max_features`` draws the search stops
    unless every drawn feature was constant in the node, then one more non-constant
    feature is added (scikit-learn keeps drawing until it meets one).
    """
    n_features = order.shape[0]
    if max_features >= n_features:
        return None
    first = np.take_along_axis(data.Xt, order[:, seg.start], 1)  # (F, K)
    last = np.take_along_axis(data.Xt, order[:, seg.start + seg.count - 1], 1)
    constant = (last.astype(np.float64) <= first + FEATURE_THRESHOLD).T  # (K, F)
    perm = np.argsort(rng.random_sample(constant.shape), axis=1)
    chosen = perm[:, :max_features]
    perm_constant = np.take_along_axis(constant, perm, 1)
    need = perm_constant[:, :max_features].all(1) & ~perm_constant.all(1)
    if not need.any():
        return chosen
    extra = np.argmax(~perm_constant[:, max_features:], axis=1) + max_features
    extra = np.where(
        need, perm[np.arange(len(perm)), np.minimum(extra, n_features - 1)], perm[:, 0]
    )
    return np.concatenate([chosen, extra[:, None]], axis=1)


def _block_scores(data, crit, rules, xs, rows, seg, front):
    """Proxy score of every position of a block of rows, -inf where no split is allowed.

    Position j of a row stands for "the segment's samples up to j go left".
    """
    seg_id = seg.id
    # statistics first, so every cumsum and sum runs over contiguous planes
    counts = data.split_stats  # float, or integer class counts (exact and faster)
    # np.take: about twice as fast as counts[:, rows] for this gather
    cum = np.cumsum(np.take(counts, rows, axis=1), axis=2, dtype=counts.dtype)  # (C, c, m)
    split_sums = front.sums[:, : len(counts)].astype(counts.dtype)  # exact: integer sums
    base = np.cumsum(split_sums, axis=0) - split_sums  # sums of the earlier segments
    left = cum
    left -= base.T[:, None, seg_id]  # in place: these blocks are the largest arrays of a fit
    right = split_sums.T[:, None, seg_id] - left
    if data.unit_weights:
        w_left = (seg.local + 1.0)[None, :]
    elif crit.is_classification:  # the class-weighted counts add up to the weight
        w_left = np.einsum("c...->...", left)
    else:
        w_base = np.cumsum(front.w) - front.w
        w_left = np.cumsum(data.w[rows], axis=1) - w_base[seg_id]
    w_right = front.w[seg_id] - w_left
    n_left = seg.local + 1
    ok = (n_left >= rules.min_samples_leaf) & (seg.count[seg_id] - n_left >= rules.min_samples_leaf)
    ok = np.broadcast_to(ok, rows.shape).copy()
    ok[:, :-1] &= np.subtract(xs[:, 1:], xs[:, :-1], dtype=np.float64) > FEATURE_THRESHOLD
    if rules.min_weight_leaf > 0:
        ok &= (w_left >= rules.min_weight_leaf) & (w_right >= rules.min_weight_leaf)
    with np.errstate(divide="ignore", invalid="ignore"):
        if hasattr(crit, "block_proxy"):  # absolute_error: medians, not sums
            score = crit.block_proxy(data, rows, seg)
        else:
            score = crit.proxy(left, w_left, right, w_right)
    score[~ok] = -np.inf
    return score, left, np.broadcast_to(w_left, rows.shape)


def _block_best(score: np.ndarray, seg: Segments, key) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each segment's best score, its row and its first position.

    Between rows with equal best scores the one with the smallest ``key`` (c, K) wins (the
    first row if None), like scikit-learn's first-drawn feature; inside a row, the first
    position wins.
    """
    seg_max = np.maximum.reduceat(score, seg.start, axis=1)  # (c, K)
    best = seg_max.max(axis=0)
    if key is None:
        row = np.argmax(seg_max, axis=0)
    else:
        row = np.argmin(np.where(seg_max == best, key, np.inf), axis=0)
    in_row = score[row[seg.id], np.arange(len(seg.id))]
    hit = np.flatnonzero(in_row == best[seg.id])
    first = hit[np.r_[True, seg.id[hit][1:] != seg.id[hit][:-1]]]
    return best, row, first


def find_best_splits(data: FitData, crit: Criterion, rules, order, seg, front, rng) -> Splits:
    """The best split of every segment (node) of ``order``, by blocks of feature rows."""
    n_seg, m = len(seg.start), order.shape[1]
    candidates = _candidate_features(data, order, seg, rules.max_features, rng)
    n_rows = order.shape[0] if candidates is None else candidates.shape[1]
    n_cols = len(data.split_stats)
    # with all features, ties between features go to a random one (sklearn's random order)
    keys = rng.random_sample((n_rows, n_seg)) if candidates is None else None
    best_key = np.full(n_seg, np.inf)
    best = np.full(n_seg, -np.inf)
    feature = np.zeros(n_seg, dtype=np.intp)
    pos = np.zeros(n_seg, dtype=np.intp)
    left = np.zeros((n_seg, n_cols))
    w_left = np.zeros(n_seg)
    x_pair = np.zeros((2, n_seg), dtype=np.float64)
    step = max(1, _BLOCK // max(1, m * n_cols))
    positions = np.arange(m)
    for r0 in range(0, n_rows, step):
        if candidates is None:
            feats = np.arange(r0, min(r0 + step, n_rows))
            rows = order[feats]
            xs = np.take_along_axis(data.Xt[feats], rows, 1)
        else:
            feats_at = candidates[seg.id, r0 : r0 + step].T  # (c, m)
            rows = order.ravel()[feats_at * m + positions]  # flat indices: faster than 2-D
            xs = data.Xt.ravel()[feats_at * data.Xt.shape[1] + rows]
        score, blk_left, blk_w_left = _block_scores(data, crit, rules, xs, rows, seg, front)
        key = None if keys is None else keys[r0 : r0 + step]
        blk_best, row, first = _block_best(score, seg, key)
        better = blk_best > best
        if key is not None:
            blk_key = key[row, np.arange(n_seg)]
            better |= (blk_best == best) & (blk_key < best_key)
            best_key[better] = blk_key[better]
        row, first = row[better], first[better]
        best[better] = blk_best[better]
        pos[better] = first
        chosen = feats[row] if candidates is None else feats_at[row, first]
        feature[better] = chosen
        left[better] = blk_left[:, row, first].T
        w_left[better] = blk_w_left[row, first]
        x_pair[0, better] = xs[row, first]
        x_pair[1, better] = xs[row, np.minimum(first + 1, m - 1)]
    found = np.isfinite(best)
    right = front.sums[:, :n_cols] - left
    with np.errstate(divide="ignore", invalid="ignore"):
        gain = crit.improvement(left, w_left, right, front.w - w_left, front.impurity, data.w_total)
    if hasattr(crit, "block_proxy"):  # the score is minus the children's absolute error
        gain = (front.w * front.impurity + best) / data.w_total
    split = found & (gain + EPSILON >= rules.min_impurity_decrease)
    return Splits(split, feature, _midpoints(x_pair), pos - seg.start + 1, gain, left)


def _midpoints(x_pair: np.ndarray) -> np.ndarray:
    """Threshold halfway between two sorted values; the lower one if rounding reaches the upper."""
    lo, hi = x_pair
    threshold = lo / 2.0 + hi / 2.0
    bad = (threshold == hi) | ~np.isfinite(threshold)
    return np.where(bad, lo, threshold)


def partition(order, seg, feature, n_left, go_left) -> tuple[np.ndarray, np.ndarray]:
    """Split every segment into its left then right child, keeping each row sorted.

    ``go_left`` is a scratch boolean array over all samples. Returns the new order and the
    children's sizes, interleaved (left_0, right_0, left_1, ...).
    """
    n_rows, m = order.shape
    go_left[order[feature[seg.id], np.arange(m)]] = seg.local < n_left[seg.id]
    to_left = go_left[order]  # (F, m)
    # int32 positions move half the bytes of int64 (when every flat index fits)
    pos = np.int32 if order.size < np.iinfo(np.int32).max else np.intp
    cum_left = np.cumsum(to_left, axis=1, dtype=pos)
    lefts_before = np.cumsum(n_left) - n_left
    rights_before = seg.start - lefts_before
    # left: rank among lefts + rights of earlier nodes; right: rank among rights + all
    # lefts up to this node's, where rank among rights = position + 1 - cum_left
    to_left_base = (rights_before - 1).astype(pos)[seg.id]
    to_right_base = (lefts_before + n_left).astype(pos)[seg.id] + np.arange(m, dtype=pos)
    dest = np.where(to_left, cum_left + to_left_base, to_right_base - cum_left)
    dest += (np.arange(n_rows, dtype=pos) * m)[:, None]
    new_order = np.empty(order.shape, dtype=order.dtype)  # C order: ravel() is a view
    new_order.ravel()[dest.ravel()] = order.ravel()
    counts = np.stack([n_left, seg.count - n_left], axis=1).ravel()
    return new_order, counts
