"""Impurity criteria of decision trees, written on sums so one ``cumsum`` scores every split.

A node holds samples with weights w_i. Each criterion turns a sample into a row of
statistics (class-weighted counts, or w*y and w*y^2); a node's impurity and value follow
from the column sums of its rows. Sorting a node's samples by one feature and taking the
cumulative sum of those rows gives the left child's sums for every threshold at once; the
right child's are the node's total minus the left's.

The split search maximises a *proxy*: a quantity that orders splits like the impurity
decrease but drops the terms that are the same for every split of the node, as
scikit-learn does:

* gini:          sum_c L_c^2 / w_L + sum_c R_c^2 / w_R
* entropy:       sum_c L_c ln L_c - w_L ln w_L + (the same on the right)
* squared_error: S_L^2 / w_L + S_R^2 / w_R          (S = sum of w*y)

``absolute_error`` has no such sum formula (its value is a median); it lives in
:mod:`groundup.ml._mae`.

Examples
--------
>>> counts = np.array([[3.0, 1.0]])
>>> float(CRITERIA["gini"].node_impurity(counts, counts.sum(1))[0])
0.375
"""

from __future__ import annotations

import numpy as np

__all__ = ["CRITERIA", "Criterion"]


def _xlogx(a: np.ndarray) -> np.ndarray:
    """a * ln(a) with 0 ln 0 = 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(a > 0, a * np.log(np.where(a > 0, a, 1.0)), 0.0)


def _sum_sq(a: np.ndarray) -> np.ndarray:
    """sum_c a_c^2 over the first axis (einsum: no temporary, far faster than np.sum here)."""
    return np.einsum("c...,c...->...", a, a)


class Criterion:
    """Interface: per-sample statistics, node impurity and value, split proxy, improvement.

    ``n_split_cols`` leading statistic columns are accumulated by the split search (None:
    all); the others (squared targets) are only needed for a node's own impurity.
    """

    name = ""
    is_classification = False
    n_split_cols: int | None = 1

    def sample_stats(self, y: np.ndarray, w: np.ndarray, n_classes: int) -> np.ndarray:
        """Rows of statistics, shape (n_samples, n_stats), whose sums describe a node."""
        raise NotImplementedError

    def split_statistics(self, stats: np.ndarray) -> np.ndarray:
        """The columns the split search sums, as contiguous rows (n_split_cols, n_samples)."""
        return np.ascontiguousarray(stats[:, : self.n_split_cols].T)

    def node_impurity(self, sums: np.ndarray, w: np.ndarray) -> np.ndarray:
        """Impurity of each node from its statistic sums (K, n_stats) and weights (K,)."""
        raise NotImplementedError

    def node_value(self, sums: np.ndarray, w: np.ndarray) -> np.ndarray:
        """Prediction of each node, shape (K, n_values)."""
        raise NotImplementedError

    def proxy(self, left: np.ndarray, w_left: np.ndarray, right: np.ndarray, w_right):
        """Split score to maximise; ``left``/``right`` are (n_split_cols, ...) sums."""
        raise NotImplementedError

    def improvement(self, left, w_left, right, w_right, impurity, w_total: float):
        """Weighted impurity decrease (w/W)(I - w_R/w I_R - w_L/w I_L), scikit-learn's."""
        w = w_left + w_right
        i_left = self.node_impurity(left, w_left)
        i_right = self.node_impurity(right, w_right)
        return (w / w_total) * (impurity - w_right / w * i_right - w_left / w * i_left)


class _ClassCriterion(Criterion):
    """Statistics are the class-weighted counts w_i [y_i == c]; the value is their share."""

    is_classification = True
    n_split_cols = None

    def sample_stats(self, y: np.ndarray, w: np.ndarray, n_classes: int) -> np.ndarray:
        stats = np.zeros((len(y), n_classes))
        stats[np.arange(len(y)), y] = w
        return stats

    def split_statistics(self, stats: np.ndarray) -> np.ndarray:
        """Integer class counts (unit weights, or a forest's bootstrap counts) as integers.

        An integer cumsum is several times faster than a float one (a float cumsum waits
        on each addition in turn) and exact, as the float sums of integers are, so every
        score keeps its bits. The proxies square the counts: int32 while total^2 fits.
        """
        counts = super().split_statistics(stats)
        total = counts.sum()
        if not np.array_equal(counts, np.round(counts)) or total >= 2**31:
            return counts
        return counts.astype(np.int32 if total**2 < 2**31 else np.int64)

    def node_value(self, sums: np.ndarray, w: np.ndarray) -> np.ndarray:
        return sums / w[:, None]


class Gini(_ClassCriterion):
    """I = 1 - sum_c p_c^2."""

    name = "gini"

    def node_impurity(self, sums, w):
        return 1.0 - np.sum((sums / w[..., None]) ** 2, axis=-1)

    def proxy(self, left, w_left, right, w_right):
        return _sum_sq(left) / w_left + _sum_sq(right) / w_right


class Entropy(_ClassCriterion):
    """I = -sum_c p_c log2 p_c (scikit-learn reports bits)."""

    name = "entropy"

    def node_impurity(self, sums, w):
        return -np.sum(_xlogx(sums / w[..., None]), axis=-1) / np.log(2.0)

    def proxy(self, left, w_left, right, w_right):
        inside = np.einsum("c...->...", _xlogx(left) + _xlogx(right))
        return inside - _xlogx(w_left) - _xlogx(w_right)


class SquaredError(Criterion):
    """I = mean of (y - mean y)^2 = sum(w y^2)/w - (sum(w y)/w)^2; the value is the mean."""

    name = "squared_error"

    def sample_stats(self, y: np.ndarray, w: np.ndarray, n_classes: int) -> np.ndarray:
        wy = w * y
        return np.stack([wy, wy * y], axis=1)

    def node_impurity(self, sums, w):
        mean = sums[..., 0] / w
        return sums[..., 1] / w - mean * mean

    def node_value(self, sums, w):
        return sums[:, :1] / w[:, None]

    def proxy(self, left, w_left, right, w_right):
        return left[0] ** 2 / w_left + right[0] ** 2 / w_right

    def improvement(self, left, w_left, right, w_right, impurity, w_total):
        # w I - w_L I_L - w_R I_R = (w_L w_R / w)(mean_L - mean_R)^2: no squared sums needed
        w = w_left + w_right
        diff = left[..., 0] / w_left - right[..., 0] / w_right
        return w_left * w_right / w * diff * diff / w_total


class FriedmanMSE(SquaredError):
    """Squared error whose improvement is Friedman's w_L w_R (mean_L - mean_R)^2 / w.

    It picks the same splits as ``squared_error`` (the proxies are equivalent); only the
    improvement compared with ``min_impurity_decrease`` differs, as in scikit-learn < 1.9.
    """

    name = "friedman_mse"

    def improvement(self, left, w_left, right, w_right, impurity, w_total):
        diff = w_right * left[..., 0] - w_left * right[..., 0]
        return diff * diff / (w_left * w_right * (w_left + w_right))


CRITERIA: dict[str, Criterion] = {
    "gini": Gini(),
    "entropy": Entropy(),
    "log_loss": Entropy(),
    "squared_error": SquaredError(),
    "friedman_mse": FriedmanMSE(),
}
