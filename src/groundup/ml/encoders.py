"""Encoders with scikit-learn's names, attributes and numbers: ``LabelEncoder``, ``OneHotEncoder``.

Examples
--------
>>> LabelEncoder().fit_transform(["b", "a", "b"])
array([1, 0, 1])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from groundup.ml.base import BaseEstimator, TransformerMixin
from groundup.ml.validation import (
    _column,
    _names_out,
    _validate_data,
    check_array,
    check_is_fitted,
)

__all__ = ["LabelEncoder", "OneHotEncoder"]


class LabelEncoder(TransformerMixin, BaseEstimator):
    """Encode labels as 0 .. n_classes - 1 in sorted order (``classes_``).

    Examples
    --------
    >>> le = LabelEncoder().fit(["b", "a", "b"])
    >>> le.classes_.tolist(), le.transform(["b", "a"]).tolist()
    (['a', 'b'], [1, 0])
    """

    def fit(self, y: Any) -> LabelEncoder:
        """Learn the sorted distinct labels."""
        self.classes_ = np.unique(_column(y))
        return self

    def transform(self, y: Any) -> np.ndarray:
        """The code of each label; unseen labels raise ``ValueError``."""
        check_is_fitted(self)
        y = _column(y)
        if y.size == 0:
            return np.array([], dtype=np.int64)
        unseen = np.setdiff1d(y, self.classes_)
        if len(unseen):
            raise ValueError(f"y contains previously unseen labels: {unseen.tolist()}")
        return np.searchsorted(self.classes_, y)

    def inverse_transform(self, y: Any) -> np.ndarray:
        """The label of each code."""
        check_is_fitted(self)
        y = _column(y)
        if y.size == 0:
            return np.array([], dtype=self.classes_.dtype)
        bad = np.setdiff1d(y, np.arange(len(self.classes_)))
        if len(bad):
            raise ValueError(f"y contains previously unseen labels: {bad.tolist()}")
        return self.classes_[np.asarray(y, dtype=np.intp)]

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.target_tags.one_d_labels = True
        return tags


class OneHotEncoder(TransformerMixin, BaseEstimator):
    """One column per (feature, category): 1 where the sample has that category, else 0.

    Dense output only (``sparse_output=False``); scikit-learn's default is sparse.

    Parameters
    ----------
    categories : "auto", default="auto"
    drop : None or "first", default=None
        "first" drops each feature's first category.
    sparse_output : False, default=False
    dtype : numeric type, default=np.float64
    handle_unknown : {"error", "ignore"}, default="error"
        "ignore" encodes an unseen category as all zeros.

    Examples
    --------
    >>> enc = OneHotEncoder().fit([["a", 1], ["b", 2], ["a", 2]])
    >>> enc.transform([["b", 1]])
    array([[0., 1., 1., 0.]])
    >>> enc.get_feature_names_out().tolist()
    ['x0_a', 'x0_b', 'x1_1', 'x1_2']
    """

    def __init__(
        self,
        *,
        categories: str = "auto",
        drop: str | None = None,
        sparse_output: bool = False,
        dtype: Any = np.float64,
        handle_unknown: str = "error",
    ):
        self.categories = categories
        self.drop = drop
        self.sparse_output = sparse_output
        self.dtype = dtype
        self.handle_unknown = handle_unknown

    def _check_X(self, X: Any, reset: bool) -> np.ndarray:
        a = check_array(X, dtype=None, ensure_all_finite=False, estimator=self)
        if not hasattr(X, "dtype") and a.dtype.kind == "U":
            # a list keeps its Python values (ints stay ints), as in scikit-learn
            a = check_array(X, dtype=object, ensure_all_finite=False, estimator=self)
        if a.dtype.kind == "f" and not np.isfinite(a).all():
            raise ValueError("Input X contains NaN or infinity.")
        if a.dtype.kind == "O" and any(v is None for v in a.ravel()):
            raise ValueError("Input X contains None; OneHotEncoder does not encode missing values.")
        _validate_data(self, a, reset=reset, dtype=None)
        return a

    def fit(self, X: Any, y: Any = None) -> OneHotEncoder:
        """Learn each feature's sorted categories (``categories_``)."""
        if self.categories != "auto":
            raise ValueError(f"categories must be 'auto', got {self.categories!r}")
        if self.sparse_output:
            raise ValueError("sparse_output=True is not supported; use sparse_output=False")
        if self.handle_unknown not in ("error", "ignore"):
            raise ValueError(
                f"handle_unknown should be 'error' or 'ignore', got {self.handle_unknown!r}."
            )
        if self.drop not in (None, "first"):
            raise ValueError(f"drop must be None or 'first', got {self.drop!r}")
        X = self._check_X(X, reset=True)
        self.categories_ = [np.unique(X[:, j]) for j in range(X.shape[1])]
        self.drop_idx_ = None if self.drop is None else np.zeros(X.shape[1], dtype=object)
        return self

    def transform(self, X: Any) -> np.ndarray:
        """The one-hot matrix of X, shape (n_samples, total kept categories)."""
        check_is_fitted(self)
        X = self._check_X(X, reset=False)
        blocks = []
        for j, cats in enumerate(self.categories_):
            col = X[:, j]
            known = np.isin(col, cats)
            if not known.all() and self.handle_unknown == "error":
                unknown = np.unique(col[~known]).tolist()
                raise ValueError(
                    f"Found unknown categories {unknown} in column {j} during transform"
                )
            idx = np.searchsorted(cats, np.where(known, col, cats[0]))
            block = np.zeros((X.shape[0], len(cats)), dtype=self.dtype)
            block[np.flatnonzero(known), idx[known]] = 1
            blocks.append(block[:, 1:] if self.drop == "first" else block)
        return np.hstack(blocks) if blocks else np.zeros((X.shape[0], 0), dtype=self.dtype)

    def inverse_transform(self, X: Any) -> np.ndarray:
        """The category of each one-hot block (None for an all-zero block)."""
        check_is_fitted(self)
        X = check_array(X, estimator=self)
        out = np.empty((X.shape[0], len(self.categories_)), dtype=object)
        start = 0
        for j, cats in enumerate(self.categories_):
            width = len(cats) - (self.drop == "first")
            block = X[:, start : start + width]
            start += width
            if self.drop == "first":
                block = np.hstack([np.zeros((len(X), 1)), block])
                block[block[:, 1:].sum(axis=1) == 0, 0] = 1
            out[:, j] = np.where(block.sum(axis=1) > 0, cats[np.argmax(block, axis=1)], None)
        kinds = {c.dtype.kind for c in self.categories_}
        if "O" not in kinds and not any(v is None for v in out.ravel()):
            out = out.astype(np.result_type(*self.categories_))  # numbers back as numbers
        return out

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names ``<feature>_<category>`` of the output columns."""
        names = _names_out(self, input_features)
        skip = 1 if self.drop == "first" else 0
        return np.asarray(
            [f"{n}_{c}" for n, cats in zip(names, self.categories_) for c in cats[skip:]],
            dtype=object,
        )

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        tags.transformer_tags.preserves_dtype = []
        return tags
