"""Cross-validation and grid search over estimators, with scikit-learn's folds and numbers.

``train_test_split``, ``KFold`` and ``StratifiedKFold`` are the ones of
:mod:`groundup.data.splits` (identical indices to scikit-learn's).

Examples
--------
>>> from groundup.ml.preprocessing import StandardScaler
>>> [len(t) for _, t in KFold(n_splits=3).split(range(7))]
[3, 2, 2]
"""

from __future__ import annotations

import numbers
import time
import warnings
from collections.abc import Callable, Iterable
from itertools import product
from typing import Any

import numpy as np

from groundup import metrics
from groundup.data.splits import KFold, StratifiedKFold, _take, train_test_split
from groundup.ml.base import BaseEstimator, clone
from groundup.ml.validation import check_is_fitted

__all__ = [
    "GridSearchCV",
    "KFold",
    "ParameterGrid",
    "StratifiedKFold",
    "check_cv",
    "cross_val_score",
    "get_scorer",
    "train_test_split",
]


def _is_classifier(estimator: Any) -> bool:
    if getattr(estimator, "_estimator_type", None) == "classifier":
        return True
    if hasattr(estimator, "__sklearn_tags__"):
        try:
            return estimator.__sklearn_tags__().estimator_type == "classifier"
        except ImportError:
            return False
    return False


def check_cv(cv: Any = 5, y: Any = None, *, classifier: bool = False) -> Any:
    """A splitter for ``cv``: an int gives StratifiedKFold for class labels, else KFold.

    Examples
    --------
    >>> check_cv(3, [0, 1, 0, 1, 0, 1], classifier=True)
    StratifiedKFold(n_splits=3, random_state=None, shuffle=False)
    """
    cv = 5 if cv is None else cv
    if isinstance(cv, numbers.Integral) and not isinstance(cv, bool):
        if classifier and y is not None:
            y_arr = np.asarray(y)
            discrete = y_arr.ndim == 1 and (
                y_arr.dtype.kind in "OUSbiu" or np.all(y_arr == np.round(y_arr))
            )
            if discrete:
                return StratifiedKFold(int(cv))
        return KFold(int(cv))
    if hasattr(cv, "split"):
        return cv
    if isinstance(cv, Iterable):
        return _FixedSplits(list(cv))
    raise ValueError(
        "Expected cv as an integer, cross-validation object (from sklearn.model_selection) or "
        f"an iterable. Got {cv}."
    )


class _FixedSplits:
    def __init__(self, splits: list):
        self.splits = splits

    def get_n_splits(self, *args: Any) -> int:
        return len(self.splits)

    def split(self, *args: Any) -> Any:
        yield from ((np.asarray(tr), np.asarray(te)) for tr, te in self.splits)


def _proba_positive(est: Any, X: Any) -> np.ndarray:
    if hasattr(est, "decision_function"):
        return np.asarray(est.decision_function(X))
    return np.asarray(est.predict_proba(X))[:, 1]


_SCORERS: dict[str, Callable[[Any, Any, Any], float]] = {
    "accuracy": lambda e, X, y: metrics.accuracy_score(y, e.predict(X)),
    "r2": lambda e, X, y: metrics.r2_score(y, e.predict(X)),
    "f1": lambda e, X, y: metrics.f1_score(y, e.predict(X)),
    "precision": lambda e, X, y: metrics.precision_score(y, e.predict(X)),
    "recall": lambda e, X, y: metrics.recall_score(y, e.predict(X)),
    "f1_macro": lambda e, X, y: metrics.f1_score(y, e.predict(X), average="macro"),
    "roc_auc": lambda e, X, y: metrics.roc_auc_score(y, _proba_positive(e, X)),
    "neg_log_loss": lambda e, X, y: -metrics.log_loss(y, e.predict_proba(X)),
    "neg_mean_squared_error": lambda e, X, y: -metrics.mean_squared_error(y, e.predict(X)),
    "neg_mean_absolute_error": lambda e, X, y: -metrics.mean_absolute_error(y, e.predict(X)),
    "neg_root_mean_squared_error": lambda e, X, y: (
        -metrics.root_mean_squared_error(y, e.predict(X))
    ),
}


def get_scorer(scoring: Any) -> Callable[[Any, Any, Any], float]:
    """A ``scorer(estimator, X, y)``: by name, a callable as is, None uses ``estimator.score``.

    Examples
    --------
    >>> sorted(_SCORERS)[:2]
    ['accuracy', 'f1']
    """
    if scoring is None:
        return lambda e, X, y: e.score(X, y)
    if callable(scoring):
        return scoring
    if scoring not in _SCORERS:
        raise ValueError(
            f"{scoring!r} is not a valid scoring value. Valid options are {sorted(_SCORERS)}."
        )
    return _SCORERS[scoring]


def _fit_and_score(
    estimator: Any, X: Any, y: Any, train: Any, test: Any, scorer: Any, error_score: Any
) -> tuple[float, float, float]:
    X_tr, X_te = _take(X, train), _take(X, test)
    y_tr = None if y is None else _take(y, train)
    y_te = None if y is None else _take(y, test)
    start = time.perf_counter()
    try:
        if y_tr is None:
            estimator.fit(X_tr)
        else:
            estimator.fit(X_tr, y_tr)
    except Exception as e:
        if error_score == "raise":
            raise
        warnings.warn(f"Estimator fit failed; score set to {error_score}: {e!r}", stacklevel=3)
        return float(error_score), time.perf_counter() - start, 0.0
    fit_time = time.perf_counter() - start
    start = time.perf_counter()
    score = float(scorer(estimator, X_te, y_te))
    return score, fit_time, time.perf_counter() - start


def cross_val_score(
    estimator: Any,
    X: Any,
    y: Any = None,
    *,
    scoring: Any = None,
    cv: Any = None,
    error_score: Any = np.nan,
) -> np.ndarray:
    """Score a fresh clone of ``estimator`` on each fold of ``cv`` (default 5 folds).

    Classifiers with an int ``cv`` get stratified folds, as in scikit-learn.

    Examples
    --------
    >>> from groundup.ml.preprocessing import StandardScaler
    >>> class Mean(BaseEstimator):
    ...     def fit(self, X, y):
    ...         self.m_ = np.mean(y)
    ...         return self
    ...     def score(self, X, y):
    ...         return -abs(self.m_ - np.mean(y))
    >>> cross_val_score(Mean(), [[0]] * 4, [1.0, 1.0, 3.0, 3.0], cv=2).tolist()
    [-2.0, -2.0]
    """
    splitter = check_cv(cv, y, classifier=_is_classifier(estimator))
    scorer = get_scorer(scoring)
    scores = [
        _fit_and_score(clone(estimator), X, y, tr, te, scorer, error_score)[0]
        for tr, te in splitter.split(X, y)
    ]
    return np.asarray(scores)


class ParameterGrid:
    """Every combination of a grid (dict or list of dicts), keys in sorted order.

    Examples
    --------
    >>> list(ParameterGrid({"b": [1, 2], "a": ["x"]}))
    [{'a': 'x', 'b': 1}, {'a': 'x', 'b': 2}]
    """

    def __init__(self, param_grid: Any):
        grids = [param_grid] if isinstance(param_grid, dict) else list(param_grid)
        for g in grids:
            for k, v in g.items():
                if isinstance(v, (str, bytes)) or not isinstance(v, Iterable):
                    raise TypeError(
                        f"Parameter grid for parameter {k!r} needs to be a list or a numpy "
                        f"array, but got {v!r} (of type {type(v).__name__}) instead. Single "
                        "values need to be wrapped in a list with one element."
                    )
        self.param_grid = grids

    def __iter__(self) -> Any:
        for g in self.param_grid:
            items = sorted(g.items())
            if not items:
                yield {}
                continue
            keys, values = zip(*items)
            for v in product(*values):
                yield dict(zip(keys, v))

    def __len__(self) -> int:
        return sum(int(np.prod([len(v) for v in g.values()])) for g in self.param_grid)


class GridSearchCV(BaseEstimator):
    """Cross-validate every parameter combination; refit the best on all the data.

    Parameters
    ----------
    estimator : estimator
    param_grid : dict or list of dicts
        Parameter name (``step__param`` for pipelines) to the values to try.
    scoring : str, callable or None, default=None
        None uses ``estimator.score``.
    refit : bool, default=True
    cv : int, splitter or iterable, default=None (5 folds)
    error_score : "raise" or float, default=np.nan
    return_train_score : bool, default=False
        Accepted for compatibility; train scores are not computed.

    Attributes
    ----------
    cv_results_ : dict
        ``params``, ``mean_test_score``, ``std_test_score``, ``rank_test_score``,
        ``split<k>_test_score``, ``param_<name>``.
    best_params_, best_score_, best_index_, best_estimator_ (with ``refit``)

    Examples
    --------
    >>> class Const(BaseEstimator):
    ...     def __init__(self, c=0.0):
    ...         self.c = c
    ...     def fit(self, X, y):
    ...         self.fitted_ = True
    ...         return self
    ...     def score(self, X, y):
    ...         return -abs(self.c - 1.0)
    >>> gs = GridSearchCV(Const(), {"c": [0.0, 1.0, 3.0]}, cv=2).fit([[0]] * 4, [0.0] * 4)
    >>> gs.best_params_, gs.best_score_
    ({'c': 1.0}, 0.0)
    """

    def __init__(
        self,
        estimator: Any,
        param_grid: Any,
        *,
        scoring: Any = None,
        refit: bool = True,
        cv: Any = None,
        error_score: Any = np.nan,
        return_train_score: bool = False,
    ):
        self.estimator = estimator
        self.param_grid = param_grid
        self.scoring = scoring
        self.refit = refit
        self.cv = cv
        self.error_score = error_score
        self.return_train_score = return_train_score

    def fit(self, X: Any, y: Any = None) -> GridSearchCV:
        """Run the search (and refit the best parameters on X, y)."""
        candidates = list(ParameterGrid(self.param_grid))
        splitter = check_cv(self.cv, y, classifier=_is_classifier(self.estimator))
        splits = list(splitter.split(X, y))
        self.n_splits_ = len(splits)
        self.scorer_ = get_scorer(self.scoring)
        scores = np.empty((len(candidates), len(splits)))
        fit_t = np.empty_like(scores)
        score_t = np.empty_like(scores)
        for i, params in enumerate(candidates):
            for k, (tr, te) in enumerate(splits):
                est = clone(self.estimator).set_params(**clone(params, safe=False))
                out = _fit_and_score(est, X, y, tr, te, self.scorer_, self.error_score)
                scores[i, k], fit_t[i, k], score_t[i, k] = out
        self.cv_results_ = self._results(candidates, scores, fit_t, score_t)
        self.best_index_ = int(np.argmin(self.cv_results_["rank_test_score"]))
        self.best_params_ = candidates[self.best_index_]
        self.best_score_ = float(self.cv_results_["mean_test_score"][self.best_index_])
        if self.refit:
            self.best_estimator_ = clone(self.estimator).set_params(
                **clone(self.best_params_, safe=False)
            )
            start = time.perf_counter()
            if y is None:
                self.best_estimator_.fit(X)
            else:
                self.best_estimator_.fit(X, y)
            self.refit_time_ = time.perf_counter() - start
        return self

    @staticmethod
    def _results(candidates: list, scores: np.ndarray, fit_t: Any, score_t: Any) -> dict:
        results: dict[str, Any] = {}
        for name, a in (("fit_time", fit_t), ("score_time", score_t)):
            results[f"mean_{name}"] = a.mean(axis=1)
            results[f"std_{name}"] = a.std(axis=1)
        names = sorted({k for p in candidates for k in p})
        for name in names:
            col = np.ma.MaskedArray(np.empty(len(candidates), dtype=object), mask=True)
            for i, p in enumerate(candidates):
                if name in p:
                    col[i] = p[name]
            results[f"param_{name}"] = col
        results["params"] = candidates
        for k in range(scores.shape[1]):
            results[f"split{k}_test_score"] = scores[:, k]
        mean = np.average(scores, axis=1)
        results["mean_test_score"] = mean
        results["std_test_score"] = np.sqrt(np.average((scores - mean[:, None]) ** 2, axis=1))
        # rank 1 = best; ties share the lowest rank (scipy's rankdata method="min").
        key = np.where(np.isnan(mean), -np.inf, mean)
        results["rank_test_score"] = np.array(
            [1 + int(np.sum(key > v)) for v in key], dtype=np.int32
        )
        return results

    def _best(self, method: str) -> Any:
        check_is_fitted(self, "best_estimator_")
        return getattr(self.best_estimator_, method)

    def predict(self, X: Any) -> Any:
        """``best_estimator_.predict``."""
        return self._best("predict")(X)

    def predict_proba(self, X: Any) -> Any:
        """``best_estimator_.predict_proba``."""
        return self._best("predict_proba")(X)

    def decision_function(self, X: Any) -> Any:
        """``best_estimator_.decision_function``."""
        return self._best("decision_function")(X)

    def transform(self, X: Any) -> Any:
        """``best_estimator_.transform``."""
        return self._best("transform")(X)

    def score(self, X: Any, y: Any = None) -> float:
        """The search's scorer on ``best_estimator_``."""
        check_is_fitted(self, "best_estimator_")
        return float(self.scorer_(self.best_estimator_, X, y))

    @property
    def classes_(self) -> Any:
        return self._best("classes_")

    @property
    def _estimator_type(self) -> Any:
        return getattr(self.estimator, "_estimator_type", None)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        if hasattr(self.estimator, "__sklearn_tags__"):
            sub = self.estimator.__sklearn_tags__()
            tags.estimator_type = sub.estimator_type
            tags.target_tags = sub.target_tags
            tags.transformer_tags = sub.transformer_tags
            tags.classifier_tags = sub.classifier_tags
            tags.regressor_tags = sub.regressor_tags
        return tags
