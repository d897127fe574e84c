"""The losses of gradient boosting, shared by ``GradientBoosting*`` and ``HistGradientBoosting*``.

Boosting fits trees to the gradient of a loss L(y, f) in the raw prediction f (before the
inverse link). A loss gives the best constant F_0 (``init_raw``), dL/df and d2L/df2
(``gradient_hessian``), each leaf's line-search value (``leaf_values``: a Newton step for
log-loss, the median residual for absolute error, ...; Friedman 2001), its weighted mean
(``__call__``, on scikit-learn's scale) and, for classifiers, ``raw_to_proba``. Raw
predictions are 2-D, (n_samples, n_trees_per_iteration); class targets are 0..K-1. The
mixins at the end turn raw predictions into ``predict``/``predict_proba`` and their stages.

Examples
--------
>>> loss = make_loss("squared_error", n_classes=None)
>>> loss.init_raw(np.array([1.0, 2.0, 6.0]), None)
array([3.])
>>> make_loss("absolute_error", n_classes=None).init_raw(np.array([1.0, 2.0, 6.0]), None)
array([2.])
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from groundup.ml.logistic import _softmax

__all__ = [
    "AbsoluteError",
    "BinomialLogLoss",
    "HuberLoss",
    "MultinomialLogLoss",
    "PinballLoss",
    "RawClassifierOutputs",
    "RawRegressorOutputs",
    "SquaredError",
    "grouped_percentile",
    "make_loss",
]

_TINY = 1e-150  # below this a Newton denominator counts as zero (scikit-learn's _safe_divide)


def grouped_percentile(
    values: np.ndarray, weights: np.ndarray | None, groups: np.ndarray, n_groups: int, q: float
) -> np.ndarray:
    """The ``q``-percentile (0-100) of ``values`` within each group, for all groups at once.

    Without weights, NumPy's default (linear interpolation between the two nearest ranks);
    with weights, the "inverted CDF" of scikit-learn's ``_weighted_percentile``: the smallest
    value whose cumulative weight reaches ``q/100`` of its group's total. These are the rules
    scikit-learn's boosters use. Empty groups give 0.

    Examples
    --------
    >>> groups = np.array([0, 0, 0, 0, 1])
    >>> grouped_percentile(np.array([3.0, 1.0, 2.0, 4.0, 10.0]), None, groups, 2, 50)
    array([ 2.5, 10. ])
    >>> grouped_percentile(np.array([3.0, 1.0, 2.0, 4.0, 10.0]), np.ones(5), groups, 2, 50)
    array([ 2., 10.])
    """
    order = np.lexsort((values, groups))  # by group, then by value
    sorted_values = values[order]
    counts = np.bincount(groups, minlength=n_groups)
    start = np.concatenate([[0], np.cumsum(counts)[:-1]])
    if weights is None:
        rank = q / 100.0 * np.maximum(counts - 1, 0)  # fractional rank inside the group
        lo = np.floor(rank).astype(np.intp)
        hi = np.minimum(lo + 1, np.maximum(counts - 1, 0))
        end = max(len(values) - 1, 0)
        v_lo = sorted_values[np.minimum(start + lo, end)]
        v_hi = sorted_values[np.minimum(start + hi, end)]
        out = v_lo + (v_hi - v_lo) * (rank - lo)
        return np.where(counts > 0, out, 0.0)
    w = np.asarray(weights, dtype=np.float64)
    cum_w = np.cumsum(w[order])
    totals = np.bincount(groups, weights=w, minlength=n_groups)
    before = np.concatenate([[0.0], np.cumsum(totals)[:-1]])  # weight of the earlier groups
    # a hair below the target, so summation round-off cannot skip the exact rank
    targets = before + q / 100.0 * totals - 1e-12 * np.maximum(totals, 1.0)
    pos = np.clip(np.searchsorted(cum_w, targets, side="left"), start, start + counts - 1)
    out = sorted_values[np.minimum(pos, len(values) - 1)]
    return np.where(totals > 0, out, 0.0)


def _percentile(y: np.ndarray, w: np.ndarray | None, q: float) -> float:
    """One percentile of ``y`` by the rules of :func:`grouped_percentile`."""
    return float(grouped_percentile(y, w, np.zeros(len(y), dtype=np.intp), 1, q)[0])


def _leaf_sums(leaf: np.ndarray, n_leaves: int, values: np.ndarray, w: np.ndarray | None):
    """sum_i w_i values_i per leaf."""
    weights = values if w is None else values * w
    return np.bincount(leaf, weights=weights, minlength=n_leaves)


def _safe_ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den, and 0 where den is (almost) 0: no improvement possible there."""
    safe = np.abs(den) >= _TINY
    return np.where(safe, num / np.where(safe, den, 1.0), 0.0)


class _Loss:
    """Interface; subclasses fill in the math. One tree per iteration unless multinomial."""

    n_trees_per_iteration = 1
    constant_hessian = False  # True: d2L/df2 = 1, so histograms can skip the hessians
    needs_line_search = False  # True: the Newton leaf value -G/H is replaced by leaf_values
    factor = 1.0  # GradientBoosting's train_score_ is factor * loss (scikit-learn's scale)

    def __call__(self, y: np.ndarray, raw: np.ndarray, w: np.ndarray | None = None) -> float:
        return float(np.average(self.pointwise(y, raw[:, 0]), weights=w))

    def update_stage(self, y: np.ndarray, raw: np.ndarray, w: np.ndarray | None) -> None:
        """Per-stage state (Huber's delta); nothing for most losses."""

    def leaf_values(self, leaf, n_leaves, y, raw, neg_gradient, w) -> np.ndarray:
        """Line search per leaf: argmin_c sum_{i in leaf} w_i L(y_i, raw_i + c), where
        ``leaf`` is each sample's leaf id. Default: the weighted mean of the negative
        gradient (exact for squared error)."""
        return _safe_ratio(
            _leaf_sums(leaf, n_leaves, neg_gradient, w),
            _leaf_sums(leaf, n_leaves, np.ones_like(neg_gradient), w),
        )


class SquaredError(_Loss):
    """L = (y - f)^2 / 2;  dL/df = f - y;  d2L/df2 = 1;  F_0 = mean(y)."""

    constant_hessian = True
    factor = 2.0  # scikit-learn reports the mean squared error, twice this loss

    def pointwise(self, y: np.ndarray, f: np.ndarray) -> np.ndarray:
        return 0.5 * (y - f) ** 2

    def init_raw(self, y: np.ndarray, w: np.ndarray | None) -> np.ndarray:
        return np.array([np.average(y, weights=w)])

    def gradient_hessian(self, y: np.ndarray, raw: np.ndarray):
        g = raw - y[:, None]
        return g, np.ones_like(g)


class AbsoluteError(_Loss):
    """L = |y - f|;  dL/df = sign(f - y);  hessian taken as 1;  F_0 = leaf value = median."""

    needs_line_search = True

    constant_hessian = True

    def pointwise(self, y: np.ndarray, f: np.ndarray) -> np.ndarray:
        return np.abs(y - f)

    def init_raw(self, y: np.ndarray, w: np.ndarray | None) -> np.ndarray:
        return np.array([_percentile(y, w, 50)])

    def gradient_hessian(self, y: np.ndarray, raw: np.ndarray):
        g = np.where(raw > y[:, None], 1.0, -1.0)  # -1 at f = y, as scikit-learn
        return g, np.ones_like(g)

    def leaf_values(self, leaf, n_leaves, y, raw, neg_gradient, w):
        return grouped_percentile(y - raw, w, leaf, n_leaves, 50)


class PinballLoss(_Loss):
    """L = alpha (y - f) if y >= f else (1 - alpha)(f - y);  F_0 = leaf value = alpha-quantile."""

    needs_line_search = True

    constant_hessian = True

    def __init__(self, alpha: float):
        self.alpha = alpha

    def pointwise(self, y: np.ndarray, f: np.ndarray) -> np.ndarray:
        r = y - f
        return np.where(r >= 0, self.alpha * r, (self.alpha - 1.0) * r)

    def init_raw(self, y: np.ndarray, w: np.ndarray | None) -> np.ndarray:
        return np.array([_percentile(y, w, 100 * self.alpha)])

    def gradient_hessian(self, y: np.ndarray, raw: np.ndarray):
        g = np.where(y[:, None] >= raw, -self.alpha, 1.0 - self.alpha)
        return g, np.ones_like(g)

    def leaf_values(self, leaf, n_leaves, y, raw, neg_gradient, w):
        return grouped_percentile(y - raw, w, leaf, n_leaves, 100 * self.alpha)


class HuberLoss(_Loss):
    """L = r^2/2 if |r| <= delta else delta (|r| - delta/2), r = y - f.

    delta is the ``alpha``-quantile of |y - f|, re-estimated every stage (Friedman 2001).
    """

    needs_line_search = True

    def __init__(self, alpha: float):
        self.alpha = alpha
        self.delta = 1.0

    def update_stage(self, y: np.ndarray, raw: np.ndarray, w: np.ndarray | None) -> None:
        self.delta = _percentile(np.abs(y - raw[:, 0]), w, 100 * self.alpha)

    def pointwise(self, y: np.ndarray, f: np.ndarray) -> np.ndarray:
        r = np.abs(y - f)
        return np.where(r <= self.delta, 0.5 * r**2, self.delta * (r - 0.5 * self.delta))

    def init_raw(self, y: np.ndarray, w: np.ndarray | None) -> np.ndarray:
        return np.array([_percentile(y, w, 50)])

    def gradient_hessian(self, y: np.ndarray, raw: np.ndarray):
        r = y[:, None] - raw
        g = np.where(np.abs(r) <= self.delta, -r, -self.delta * np.sign(r))
        return g, (np.abs(r) <= self.delta).astype(np.float64)

    def leaf_values(self, leaf, n_leaves, y, raw, neg_gradient, w):
        """Median of the residuals plus the mean of their clipped deviations from it."""
        r = y - raw
        median = grouped_percentile(r, w, leaf, n_leaves, 50)
        diff = r - median[leaf]
        clipped = np.sign(diff) * np.minimum(self.delta, np.abs(diff))
        return median + _safe_ratio(
            _leaf_sums(leaf, n_leaves, clipped, w),
            _leaf_sums(leaf, n_leaves, np.ones_like(r), w),
        )


def _class_priors(y: np.ndarray, w: np.ndarray | None, n_classes: int) -> np.ndarray:
    """Weighted class frequencies, clipped to [eps, 1 - eps] so their logs stay finite."""
    counts = np.bincount(y, weights=w, minlength=n_classes)
    eps = np.finfo(np.float64).eps
    return np.clip(counts / counts.sum(), eps, 1 - eps)


def _expit(f: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-f)) without overflow warnings for large |f|."""
    e = np.exp(-np.abs(f))
    return np.where(f >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


class BinomialLogLoss(_Loss):
    """L = log(1 + e^f) - y f;  dL/df = p - y;  d2L/df2 = p (1 - p), p = sigmoid(f)."""

    factor = 2.0  # scikit-learn's GradientBoosting reports the binomial deviance

    def pointwise(self, y: np.ndarray, f: np.ndarray) -> np.ndarray:
        return np.logaddexp(0.0, f) - y * f

    def init_raw(self, y: np.ndarray, w: np.ndarray | None) -> np.ndarray:
        p = _class_priors(y, w, 2)[1]
        return np.array([np.log(p / (1 - p))])

    def gradient_hessian(self, y: np.ndarray, raw: np.ndarray):
        p = _expit(raw)
        return p - y[:, None], p * (1 - p)

    def leaf_values(self, leaf, n_leaves, y, raw, neg_gradient, w):
        """One Newton step: sum w (y - p) / sum w p (1 - p)."""
        p = y - neg_gradient
        return _safe_ratio(
            _leaf_sums(leaf, n_leaves, neg_gradient, w),
            _leaf_sums(leaf, n_leaves, p * (1 - p), w),
        )

    def raw_to_proba(self, raw: np.ndarray) -> np.ndarray:
        p = _expit(raw[:, 0])
        return np.column_stack([1 - p, p])

    def proba_to_raw(self, proba: np.ndarray) -> np.ndarray:
        """The link: log-odds of the positive class, shape (n_samples, 1)."""
        p = proba[:, 1]
        return np.log(p / (1 - p))[:, None]


class MultinomialLogLoss(_Loss):
    """L = logsumexp(f) - f_y;  dL/df_k = p_k - [y = k];  d2L/df_k^2 = p_k (1 - p_k)."""

    def __init__(self, n_classes: int):
        self.n_classes = n_classes
        self.n_trees_per_iteration = n_classes

    def __call__(self, y: np.ndarray, raw: np.ndarray, w: np.ndarray | None = None) -> float:
        shift = raw.max(axis=1)
        log_z = shift + np.log(np.exp(raw - shift[:, None]).sum(axis=1))
        return float(np.average(log_z - raw[np.arange(len(y)), y], weights=w))

    def init_raw(self, y: np.ndarray, w: np.ndarray | None) -> np.ndarray:
        log_p = np.log(_class_priors(y, w, self.n_classes))
        return log_p - log_p.mean()  # the symmetric link, as scikit-learn's

    def gradient_hessian(self, y: np.ndarray, raw: np.ndarray):
        p = _softmax(raw)
        g = p.copy()
        g[np.arange(len(y)), y] -= 1.0
        return g, p * (1 - p)

    def leaf_values(self, leaf, n_leaves, y, raw, neg_gradient, w):
        """Newton step on the one-vs-rest target y (0/1), scaled by (K - 1)/K (Friedman)."""
        p = y - neg_gradient
        K = self.n_classes
        return _safe_ratio(
            _leaf_sums(leaf, n_leaves, neg_gradient, w) * (K - 1) / K,
            _leaf_sums(leaf, n_leaves, p * (1 - p), w),
        )

    def raw_to_proba(self, raw: np.ndarray) -> np.ndarray:
        return _softmax(raw)

    def proba_to_raw(self, proba: np.ndarray) -> np.ndarray:
        """The symmetric link: log p_k minus the mean over classes of log p."""
        log_p = np.log(proba)
        return log_p - log_p.mean(axis=1, keepdims=True)


_REGRESSION = {"squared_error", "absolute_error", "huber", "quantile"}


def make_loss(name: str, n_classes: int | None, alpha: float = 0.9) -> Any:
    """The loss object for a ``loss=`` name; ``n_classes`` is None for regression."""
    if n_classes is not None:
        if name != "log_loss":
            raise ValueError(f"loss must be 'log_loss' for classification, got {name!r}")
        return BinomialLogLoss() if n_classes == 2 else MultinomialLogLoss(n_classes)
    if name not in _REGRESSION:
        raise ValueError(f"loss must be one of {sorted(_REGRESSION)} for regression, got {name!r}")
    if name in ("huber", "quantile") and not (isinstance(alpha, float) and 0.0 < alpha < 1.0):
        raise ValueError(f"alpha must be a float in (0, 1) for loss={name!r}, got {alpha!r}")
    if name == "squared_error":
        return SquaredError()
    if name == "absolute_error":
        return AbsoluteError()
    return HuberLoss(alpha) if name == "huber" else PinballLoss(alpha)


class RawClassifierOutputs:
    """predict / predict_proba / decision_function and their staged versions for a booster.

    The booster supplies ``_raw_predict(X)``, ``_staged_raw_predict(X)``, ``_loss`` and
    ``classes_``. Binary decision values are the single raw column, as in scikit-learn.
    """

    def _decision(self, raw: np.ndarray) -> np.ndarray:
        return raw[:, 0] if raw.shape[1] == 1 else raw

    def _labels(self, raw: np.ndarray) -> np.ndarray:
        index = (raw[:, 0] > 0).astype(np.intp) if raw.shape[1] == 1 else raw.argmax(axis=1)
        return self.classes_[index]

    def decision_function(self, X: Any) -> np.ndarray:
        """Raw scores: shape (n_samples,) for two classes, else (n_samples, n_classes)."""
        return self._decision(self._raw_predict(X))

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, shape (n_samples, n_classes), columns in ``classes_`` order."""
        return self._loss.raw_to_proba(self._raw_predict(X))

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Log of :meth:`predict_proba`."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class of every sample."""
        return self._labels(self._raw_predict(X))

    def staged_decision_function(self, X: Any) -> Iterator[np.ndarray]:
        """:meth:`decision_function` after each boosting iteration."""
        for raw in self._staged_raw_predict(X):
            yield self._decision(raw)

    def staged_predict_proba(self, X: Any) -> Iterator[np.ndarray]:
        """:meth:`predict_proba` after each boosting iteration."""
        for raw in self._staged_raw_predict(X):
            yield self._loss.raw_to_proba(raw)

    def staged_predict(self, X: Any) -> Iterator[np.ndarray]:
        """:meth:`predict` after each boosting iteration."""
        for raw in self._staged_raw_predict(X):
            yield self._labels(raw)


class RawRegressorOutputs:
    """predict and staged_predict for a booster with ``_raw_predict``/``_staged_raw_predict``."""

    def predict(self, X: Any) -> np.ndarray:
        """The sum of the initial prediction and the shrunk trees' values."""
        return self._raw_predict(X)[:, 0]

    def staged_predict(self, X: Any) -> Iterator[np.ndarray]:
        """:meth:`predict` after each boosting iteration."""
        for raw in self._staged_raw_predict(X):
            yield raw[:, 0]
