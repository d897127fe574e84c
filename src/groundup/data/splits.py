"""Splitting samples: ``train_test_split``, ``KFold`` and ``StratifiedKFold``, as in scikit-learn.

The sizes, the fold order and, for an int ``random_state``, the very indices equal
scikit-learn's (same algorithm, same ``RandomState`` stream), so results move across.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np

from groundup.data._random import check_random_state
from groundup.tensor import Tensor

__all__ = ["KFold", "StratifiedKFold", "train_test_split"]


def _num_samples(a: Any) -> int:
    shape = getattr(a, "shape", None)
    if shape is not None:
        if len(shape) == 0:
            raise TypeError("expected an array of samples, got a 0-d array (a scalar)")
        return int(shape[0])
    if not hasattr(a, "__len__"):
        raise TypeError(f"expected an array, list or tensor of samples, got {type(a).__name__}")
    return len(a)


def _take(a: Any, indices: np.ndarray) -> Any:
    """Rows ``indices`` of a, as the same kind of container (array, Tensor or list)."""
    if isinstance(a, Tensor):
        return Tensor._wrap(a.data[indices], a.device) if a.device == "cpu" else a[indices]
    if isinstance(a, (list, tuple)):
        return [a[i] for i in indices]
    return a[indices]


def _validate_shuffle_split(n: int, test_size: Any, train_size: Any) -> tuple[int, int]:
    """(n_train, n_test) as scikit-learn computes them: ceil for a test fraction, floor train."""
    if test_size is None and train_size is None:
        test_size = 0.25
    sizes = []
    for name, size in (("test_size", test_size), ("train_size", train_size)):
        if size is not None:
            if isinstance(size, bool) or not isinstance(size, (int, float, np.number)):
                raise ValueError(f"Invalid value for {name}: {size!r}")
            size = float(size) if isinstance(size, (float, np.floating)) else int(size)
        sizes.append(size)
        if (isinstance(size, int) and not 0 < size < n) or (
            isinstance(size, float) and not 0 < size < 1
        ):
            raise ValueError(
                f"{name}={size} should be either positive and smaller than the number of "
                f"samples {n} or a float in the (0, 1) range"
            )
    test_size, train_size = sizes
    fractions = isinstance(test_size, float) and isinstance(train_size, float)
    if fractions and train_size + test_size > 1:
        raise ValueError(
            f"The sum of test_size and train_size = {train_size + test_size}, should be in the "
            f"(0, 1) range. Reduce test_size and/or train_size."
        )
    n_test = math.ceil(test_size * n) if isinstance(test_size, float) else test_size
    n_train = math.floor(train_size * n) if isinstance(train_size, float) else train_size
    if train_size is None:
        n_train = n - n_test
    elif test_size is None:
        n_test = n - n_train
    if n_train + n_test > n:
        raise ValueError(
            f"The sum of train_size and test_size = {n_train + n_test}, should be smaller than "
            f"the number of samples {n}. Reduce test_size and/or train_size."
        )
    if n_train == 0:
        raise ValueError(
            f"With n_samples={n}, test_size={test_size} and train_size={train_size}, the "
            f"resulting train set will be empty. Adjust any of the aforementioned parameters."
        )
    return int(n_train), int(n_test)


def _approximate_mode(class_counts: np.ndarray, n_draws: int, rng: Any) -> np.ndarray:
    """Per-class draws summing to n_draws, proportional to class_counts; ties broken at random.

    Floors each class's share, then hands the rest to the largest remainders (scikit-learn's
    ``_approximate_mode``, same random draws).
    """
    continuous = class_counts / class_counts.sum() * n_draws
    floored = np.floor(continuous)
    need_to_add = int(n_draws - floored.sum())
    if need_to_add > 0:
        remainder = continuous - floored
        for value in np.sort(np.unique(remainder))[::-1]:
            (inds,) = np.where(remainder == value)
            add_now = min(len(inds), need_to_add)
            floored[rng.choice(inds, size=add_now, replace=False)] += 1
            need_to_add -= add_now
            if need_to_add == 0:
                break
    return floored.astype(int)


def _stratified_indices(y: Any, n_train: int, n_test: int, rng: Any) -> tuple:
    """scikit-learn's StratifiedShuffleSplit, one split: each class split in proportion."""
    y = np.asarray(y.numpy() if isinstance(y, Tensor) else y)
    if y.ndim == 2:  # multilabel rows: stratify on the row as a whole
        y = np.array([" ".join(row.astype("str")) for row in y])
    classes, y_indices, class_counts = np.unique(y, return_inverse=True, return_counts=True)
    if class_counts.min() < 2:
        raise ValueError(
            "The least populated classes in y have only 1 member, which is too few. The minimum "
            "number of groups for any class cannot be less than 2. Classes with too few members "
            f"are: {classes[class_counts < 2].tolist()}"
        )
    for name, size in (("train_size", n_train), ("test_size", n_test)):
        if size < len(classes):
            raise ValueError(
                f"The {name} = {size} should be greater or equal to the number of classes = "
                f"{len(classes)}"
            )
    class_indices = np.split(np.argsort(y_indices, kind="stable"), np.cumsum(class_counts)[:-1])
    n_i = _approximate_mode(class_counts, n_train, rng)
    t_i = _approximate_mode(class_counts - n_i, n_test, rng)
    train, test = [], []
    for i in range(len(classes)):
        members = class_indices[i].take(rng.permutation(class_counts[i]), mode="clip")
        train.extend(members[: n_i[i]])
        test.extend(members[n_i[i] : n_i[i] + t_i[i]])
    return rng.permutation(train), rng.permutation(test)


def train_test_split(
    *arrays: Any,
    test_size: float | int | None = None,
    train_size: float | int | None = None,
    random_state: Any = None,
    shuffle: bool = True,
    stratify: Any = None,
) -> list:
    """Split arrays into random train and test subsets, like scikit-learn's.

    ``n_test = ceil(test_size * n)`` for a fraction (an int is a count), ``n_train`` the rest
    (or ``floor(train_size * n)``). With an int ``random_state`` the split equals
    scikit-learn's exactly, stratified or not.

    Parameters
    ----------
    *arrays : ndarray, Tensor or list
        Same length along dimension 0; each is split the same way.
    test_size : float or int, optional
        Fraction in (0, 1) or count of test samples; default 0.25 when ``train_size`` is None
        too, else the complement of ``train_size``.
    train_size : float or int, optional
        Fraction or count of training samples; default the complement of ``test_size``.
    random_state : int, RandomState, Generator or None
        Seeds the shuffle; None draws from groundup's generator (``gu.manual_seed``).
    shuffle : bool, default=True
        Shuffle before splitting; if False the test set is the last samples.
    stratify : array_like, optional
        Class labels: keep their proportions in both subsets.

    Returns
    -------
    list
        ``[a_train, a_test, b_train, b_test, ...]``, each of its input's kind.

    Examples
    --------
    >>> import numpy as np
    >>> X, y = np.arange(10).reshape(5, 2), np.arange(5)
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=42)
    >>> y_train.tolist(), y_test.tolist()
    ([2, 0, 3], [1, 4])
    """
    if not arrays:
        raise ValueError("At least one array required as input")
    lengths = [_num_samples(a) for a in arrays]
    if len(set(lengths)) > 1:
        raise ValueError(f"Found input variables with inconsistent numbers of samples: {lengths}")
    n = lengths[0]
    n_train, n_test = _validate_shuffle_split(n, test_size, train_size)
    if not shuffle:
        if stratify is not None:
            raise ValueError("Stratified train/test split is not implemented for shuffle=False")
        train, test = np.arange(n_train), np.arange(n_train, n_train + n_test)
    elif stratify is not None:
        if _num_samples(stratify) != n:
            raise ValueError(
                f"stratify has {_num_samples(stratify)} labels but the arrays have {n} samples"
            )
        train, test = _stratified_indices(
            stratify, n_train, n_test, check_random_state(random_state)
        )
    else:
        permutation = check_random_state(random_state).permutation(n)
        test, train = permutation[:n_test], permutation[n_test : n_test + n_train]
    return [part for a in arrays for part in (_take(a, train), _take(a, test))]


class KFold:
    """K-fold cross-validation indices: ``n_splits`` consecutive folds, each the test set once.

    The first ``n % n_splits`` folds hold ``n // n_splits + 1`` samples, the others
    ``n // n_splits``, as in scikit-learn; with ``shuffle`` the samples are permuted first
    (for an int ``random_state``, exactly as scikit-learn permutes them).

    Parameters
    ----------
    n_splits : int, default=5
        Number of folds, at least 2.
    shuffle : bool, default=False
        Shuffle the samples before cutting the folds.
    random_state : int, RandomState, Generator or None
        Seeds the shuffle; only with ``shuffle=True``.

    Examples
    --------
    >>> [test.tolist() for _, test in KFold(n_splits=3).split(range(7))]
    [[0, 1, 2], [3, 4], [5, 6]]
    """

    def __init__(self, n_splits: int = 5, *, shuffle: bool = False, random_state: Any = None):
        if isinstance(n_splits, bool) or not isinstance(n_splits, (int, np.integer)):
            raise ValueError(
                f"The number of folds must be of Integral type. {n_splits!r} of type "
                f"{type(n_splits).__name__} was passed."
            )
        if n_splits <= 1:
            raise ValueError(
                "k-fold cross-validation requires at least one train/test split by setting "
                f"n_splits=2 or more, got n_splits={n_splits}."
            )
        if not isinstance(shuffle, bool):
            raise TypeError(f"shuffle must be True or False; got {shuffle!r}")
        if not shuffle and random_state is not None:
            raise ValueError(
                "Setting a random_state has no effect since shuffle is False. You should leave "
                "random_state to its default (None), or set shuffle=True."
            )
        self.n_splits = int(n_splits)
        self.shuffle = shuffle
        self.random_state = random_state

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None) -> int:
        """The number of folds."""
        return self.n_splits

    def _check_n(self, X: Any) -> int:
        n = _num_samples(X)
        if self.n_splits > n:
            raise ValueError(
                f"Cannot have number of splits n_splits={self.n_splits} greater than the number "
                f"of samples: n_samples={n}."
            )
        return n

    def _test_folds(self, X: Any, y: Any) -> np.ndarray:
        """The fold of each sample (0 .. n_splits - 1)."""
        n = self._check_n(X)
        indices = np.arange(n)
        if self.shuffle:
            check_random_state(self.random_state).shuffle(indices)
        sizes = np.full(self.n_splits, n // self.n_splits)
        sizes[: n % self.n_splits] += 1
        folds = np.empty(n, dtype=np.intp)
        folds[indices] = np.repeat(np.arange(self.n_splits), sizes)
        return folds

    def split(
        self, X: Any, y: Any = None, groups: Any = None
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Yield ``(train_indices, test_indices)`` for each fold, both sorted."""
        folds = self._test_folds(X, y)
        indices = np.arange(len(folds))
        for k in range(self.n_splits):
            mask = folds == k
            yield indices[~mask], indices[mask]

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(n_splits={self.n_splits}, random_state={self.random_state!r}"
            f", shuffle={self.shuffle})"
        )


class StratifiedKFold(KFold):
    """K-fold indices that keep each class's proportion in every fold, like scikit-learn's.

    Classes are dealt to the folds round robin over the sorted labels, in blocks that keep
    the data's order (shuffled within each class when ``shuffle``).

    Parameters
    ----------
    n_splits : int, default=5
        Number of folds, at least 2.
    shuffle : bool, default=False
        Shuffle each class's samples before cutting the folds.
    random_state : int, RandomState, Generator or None
        Seeds the shuffle; only with ``shuffle=True``.

    Examples
    --------
    >>> y = [0, 0, 0, 0, 1, 1]
    >>> [test.tolist() for _, test in StratifiedKFold(n_splits=2).split(y, y)]
    [[0, 1, 4], [2, 3, 5]]
    """

    def _test_folds(self, X: Any, y: Any) -> np.ndarray:
        self._check_n(X)
        if y is None:
            raise ValueError("StratifiedKFold.split: y (the class labels) is required")
        y = np.asarray(y.numpy() if isinstance(y, Tensor) else y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y.ravel()
        if y.ndim != 1 or (y.dtype.kind == "f" and not np.all(y == np.round(y))):
            raise ValueError(
                "Supported target types are: ('binary', 'multiclass'). Got continuous or "
                f"multi-output labels of shape {y.shape} instead."
            )
        # Class ids in order of first appearance, as scikit-learn numbers them.
        _, first, inverse = np.unique(y, return_index=True, return_inverse=True)
        _, rank = np.unique(first, return_inverse=True)
        y_encoded = rank[inverse]
        n_classes = len(first)
        counts = np.bincount(y_encoded)
        if np.all(self.n_splits > counts):
            raise ValueError(
                f"n_splits={self.n_splits} cannot be greater than the number of members in "
                f"each class."
            )
        if self.n_splits > counts.min():
            warnings.warn(
                f"The least populated class in y has only {counts.min()} members, which is "
                f"less than n_splits={self.n_splits}.",
                UserWarning,
                stacklevel=3,
            )
        y_order = np.sort(y_encoded)
        allocation = np.array(
            [
                np.bincount(y_order[i :: self.n_splits], minlength=n_classes)
                for i in range(self.n_splits)
            ]
        )  # (n_splits, n_classes): test samples of each class in each fold
        rng = check_random_state(self.random_state) if self.shuffle else None
        folds = np.empty(len(y), dtype=np.intp)
        for k in range(n_classes):
            folds_for_class = np.arange(self.n_splits).repeat(allocation[:, k])
            if rng is not None:
                rng.shuffle(folds_for_class)
            folds[y_encoded == k] = folds_for_class
        return folds
