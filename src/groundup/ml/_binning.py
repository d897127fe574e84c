"""Quantile binning for histogram gradient boosting: each feature to at most 255 small ints.

A feature with at most ``max_bins`` distinct values gets one bin per value (thresholds at
the midpoints between neighbours); otherwise thresholds sit at its quantiles, so each bin
holds about the same number of samples. Value x falls in bin i iff
``thresholds[i - 1] < x <= thresholds[i]``. NaN goes to one extra bin, index ``max_bins``,
so a tree can learn on which side missing values belong. As scikit-learn's ``_BinMapper``.

Examples
--------
>>> mapper = BinMapper(max_bins=3).fit(np.array([[0.0], [1.0], [2.0], [np.nan]]))
>>> mapper.thresholds_[0]
array([0.5, 1.5])
>>> mapper.transform(np.array([[-1.0], [1.0], [9.0], [np.nan]])).ravel()
array([0, 1, 2, 3], dtype=uint8)
"""

from __future__ import annotations

import numpy as np

__all__ = ["BinMapper", "find_bin_thresholds"]

_SUBSAMPLE = 200_000  # quantiles are estimated on at most this many rows (scikit-learn's)


def find_bin_thresholds(column: np.ndarray, max_bins: int) -> np.ndarray:
    """Increasing thresholds cutting one feature into at most ``max_bins`` bins; NaN ignored.

    Examples
    --------
    >>> find_bin_thresholds(np.array([1.0, 1.0, 3.0, np.nan]), max_bins=255)
    array([2.])
    """
    values = column[~np.isnan(column)]
    distinct = np.unique(values)
    if len(distinct) <= max_bins:
        thresholds = (distinct[:-1] + distinct[1:]) / 2.0
    else:
        percentiles = np.linspace(0, 100, num=max_bins + 1)[1:-1]
        thresholds = np.unique(np.percentile(values, percentiles, method="averaged_inverted_cdf"))
    # +inf values still fall in the last bin
    return np.minimum(thresholds, np.finfo(np.float64).max)


class BinMapper:
    """Learns per-feature thresholds (``fit``) and maps features to uint8 bins (``transform``).

    Parameters
    ----------
    max_bins : int, default=255
        Bins for non-missing values, 2 to 255; bin ``max_bins`` holds NaN.
    random_state : numpy RandomState or None
        Draws the subsample when there are more than 200,000 rows.

    Attributes
    ----------
    thresholds_ : list of ndarray
        The thresholds of each feature.
    n_bins_non_missing_ : ndarray of shape (n_features,)
        Bins used by non-missing values, per feature.
    missing_bin_ : int
        The bin of NaN, ``max_bins``.

    Examples
    --------
    >>> BinMapper(max_bins=2).fit(np.array([[0.0], [1.0], [5.0], [6.0]])).thresholds_
    [array([3.])]
    """

    def __init__(self, max_bins: int = 255, random_state: np.random.RandomState | None = None):
        self.max_bins = max_bins
        self.random_state = random_state

    def fit(self, X: np.ndarray) -> BinMapper:
        """Learn the thresholds of every column of X (NaN allowed)."""
        if X.shape[0] > _SUBSAMPLE:
            rng = self.random_state or np.random.RandomState(0)
            X = X[rng.choice(X.shape[0], _SUBSAMPLE, replace=False)]
        X = X.astype(np.float64, copy=False)
        self.thresholds_ = [find_bin_thresholds(X[:, j], self.max_bins) for j in range(X.shape[1])]
        self.n_bins_non_missing_ = np.array([len(t) + 1 for t in self.thresholds_], dtype=np.intp)
        self.missing_bin_ = self.max_bins
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        """Bin index of every entry, shape (n_samples, n_features), dtype uint8."""
        binned = np.empty(X.shape, dtype=np.uint8)
        for j, thresholds in enumerate(self.thresholds_):  # one vectorised search per feature
            column = X[:, j]
            binned[:, j] = np.searchsorted(thresholds, column, side="left")
            binned[np.isnan(column), j] = self.missing_bin_
        return binned
