"""The ``absolute_error`` criterion: leaf value the weighted median, impurity the mean |y - median|.

Medians have no running-sum formula, so this criterion scores splits differently from
the others: for the samples of one node sorted by a feature, the absolute error of the
first i samples about any value v is A[i, v] = sum_{k<=i} w_k |y_k - v| (a cumulative sum
over k), and its minimum over v is reached at the prefix's median, one of the node's
targets. So min_v A[i, v] over the node's targets is the left child's error for every i
at once; the same from the end gives the right child's. This costs O(n_node^2) per node
and feature (scikit-learn's Fenwick tree costs O(n log n)): fine for a few thousand
samples, slow beyond. Nodes are visited in a Python loop (the one such loop in the trees).

Examples
--------
>>> float(weighted_median(np.array([1.0, 2.0, 10.0, 11.0]), np.ones(4)))
6.0
"""

from __future__ import annotations

import numpy as np

from groundup.ml._criteria import SquaredError

__all__ = ["ABSOLUTE_ERROR", "AbsoluteError", "weighted_median"]


def weighted_median(y: np.ndarray, w: np.ndarray) -> float:
    """Where the cumulative weight of sorted y reaches half; the midpoint if it lands on it."""
    order = np.argsort(y, kind="stable")
    y, cw = y[order], np.cumsum(w[order])
    half = 0.5 * cw[-1]
    k = int(np.searchsorted(cw, half))  # first index with cw >= half
    if cw[k] == half and k + 1 < len(y):
        return (y[k] + y[k + 1]) / 2.0
    return y[k]


def _prefix_abs_errors(y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """sum_{k<=i} w_k |y_k - median_i| for every prefix i, with rows of y (c, s)."""
    dev = w[:, :, None] * np.abs(y[:, :, None] - y[:, None, :])  # (c, s, s): sample k, value v
    return np.cumsum(dev, axis=1).min(axis=2)


class AbsoluteError(SquaredError):
    """I = sum w |y - median| / w; the value is the weighted median."""

    name = "absolute_error"
    n_split_cols = 1

    def segment_stats(self, data, row: np.ndarray, counts: np.ndarray):
        """Sums, weights, impurities and medians of consecutive blocks of ``row``."""
        y, w = data.y[row], data.w[row]
        bounds = np.concatenate([[0], np.cumsum(counts)])
        sums = np.add.reduceat(data.stats[row], bounds[:-1], axis=0)
        node_w = np.add.reduceat(w, bounds[:-1])
        medians = np.array(
            [weighted_median(y[a:b], w[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]
        )
        abs_err = np.add.reduceat(w * np.abs(y - np.repeat(medians, counts)), bounds[:-1])
        return sums, node_w, abs_err / node_w, medians[:, None]

    def block_proxy(self, data, rows: np.ndarray, seg) -> np.ndarray:
        """-(left + right absolute error) at every position of every row, node by node."""
        score = np.empty(rows.shape)
        for a, n in zip(seg.start.tolist(), seg.count.tolist()):
            y, w = data.y[rows[:, a : a + n]], data.w[rows[:, a : a + n]]
            left = _prefix_abs_errors(y, w)
            right = _prefix_abs_errors(y[:, ::-1], w[:, ::-1])[:, ::-1]
            score[:, a : a + n - 1] = -(left[:, :-1] + right[:, 1:])
            score[:, a + n - 1] = -np.inf
        return score


ABSOLUTE_ERROR = AbsoluteError()
