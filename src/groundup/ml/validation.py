"""Input validation for estimators, with scikit-learn's messages (its checks grep them).

Examples
--------
>>> check_array([[1, 2], [3, 4]]).dtype
dtype('float64')
"""

from __future__ import annotations

import numbers
import warnings
from typing import Any

import numpy as np

from groundup.tensor import Tensor

__all__ = [
    "ConvergenceWarning",
    "FLOAT_DTYPES",
    "NotFittedError",
    "check_X_y",
    "check_array",
    "check_is_fitted",
    "check_scalar",
]

FLOAT_DTYPES = (np.float64, np.float32, np.float16)


class NotFittedError(ValueError, AttributeError):
    """Raised when an estimator is used before ``fit``.

    Examples
    --------
    >>> issubclass(NotFittedError, (ValueError, AttributeError))
    True
    """


def _as_numpy(a: Any) -> Any:
    if isinstance(a, Tensor):
        return a.numpy()
    return a


def _estimator_name(estimator: Any) -> str:
    if estimator is None:
        return ""
    name = estimator if isinstance(estimator, str) else type(estimator).__name__
    return f" by {name}"


def check_array(
    array: Any,
    *,
    dtype: Any = "numeric",
    ensure_2d: bool = True,
    allow_nd: bool = False,
    ensure_all_finite: bool = True,
    ensure_min_samples: int = 1,
    ensure_min_features: int = 1,
    copy: bool = False,
    estimator: Any = None,
) -> np.ndarray:
    """Validate ``array`` and return it as a NumPy array (2-D by default).

    ``dtype="numeric"`` keeps float32/float64 and turns anything else into float64;
    a type or tuple of types keeps the array's dtype if listed, else casts to the first;
    ``None`` keeps the dtype (objects/strings for encoders).

    Parameters
    ----------
    array : array-like, list or Tensor
    dtype : "numeric", dtype, tuple of dtypes or None, default="numeric"
    ensure_2d : bool, default=True
        Reject 1-D input with scikit-learn's reshape hint.
    allow_nd : bool, default=False
    ensure_all_finite : bool or "allow-nan", default=True
        Reject NaN and infinity.
    ensure_min_samples, ensure_min_features : int, default=1
    copy : bool, default=False
    estimator : estimator, str or None
        Named in the messages.

    Returns
    -------
    ndarray

    Examples
    --------
    >>> check_array(np.ones((2, 3), dtype=np.float32)).dtype
    dtype('float32')
    """
    by = _estimator_name(estimator)
    a = _as_numpy(array)
    if hasattr(a, "dtype") and getattr(a.dtype, "kind", None) == "c":
        raise ValueError(f"Complex data not supported\n{a}\n")
    if hasattr(a, "toarray") or type(a).__module__.startswith("scipy.sparse"):
        raise TypeError(
            "Sparse data was passed" + by + ", but dense data is required. Use '.toarray()' "
            "to convert to a dense numpy array."
        )
    if dtype == "numeric":
        a = np.asarray(a)
        if a.dtype.kind == "O":
            try:
                a = a.astype(np.float64)
            except ValueError as e:
                raise ValueError(f"could not convert the data to float{by}: {e}") from e
        elif a.dtype.kind in "US":
            raise ValueError(
                f"dtype='numeric' is not compatible with arrays of bytes/strings{by}. "
                "Convert your data to numeric values explicitly instead."
            )
        elif a.dtype not in (np.float32, np.float64):
            a = a.astype(np.float64)
    elif dtype is None:
        a = np.asarray(a)
    else:
        kinds = dtype if isinstance(dtype, (tuple, list)) else (dtype,)
        raw, a = a, np.asarray(a)
        if a.dtype not in [np.dtype(k) for k in kinds]:
            try:
                # from a list, convert the values themselves (object keeps ints as ints)
                a = a.astype(kinds[0]) if isinstance(raw, np.ndarray) else np.asarray(raw, kinds[0])
            except ValueError as e:
                raise ValueError(f"could not convert the data to {kinds[0]}{by}: {e}") from e
    if a.dtype.kind == "c":
        raise ValueError(f"Complex data not supported\n{a}\n")
    if ensure_2d:
        if a.ndim == 0:
            raise ValueError(
                f"Expected 2D array, got scalar array instead:\narray={a}.\nReshape your data "
                "either using array.reshape(-1, 1) if your data has a single feature or "
                "array.reshape(1, -1) if it contains a single sample."
            )
        if a.ndim == 1:
            raise ValueError(
                f"Expected 2D array, got 1D array instead:\narray={a}.\nReshape your data "
                "either using array.reshape(-1, 1) if your data has a single feature or "
                "array.reshape(1, -1) if it contains a single sample."
            )
    if not allow_nd and a.ndim >= 3:
        raise ValueError(f"Found array with dim {a.ndim}{by}. Expected <= 2.")
    if ensure_all_finite and a.dtype.kind == "f":
        allow_nan = ensure_all_finite == "allow-nan"
        bad = np.isinf(a).any() if allow_nan else not np.isfinite(a).all()
        if bad:
            if not allow_nan and np.isnan(a).any():
                raise ValueError(f"Input X contains NaN{by}.")
            raise ValueError(f"Input X contains infinity or a value too large for {a.dtype!r}.")
    if ensure_min_samples > 0 and a.ndim >= 1:
        n = a.shape[0]
        if n < ensure_min_samples:
            raise ValueError(
                f"Found array with {n} sample(s) (shape={a.shape}) while a minimum of "
                f"{ensure_min_samples} is required{by}."
            )
    if ensure_min_features > 0 and a.ndim == 2:
        f = a.shape[1]
        if f < ensure_min_features:
            raise ValueError(
                f"Found array with {f} feature(s) (shape={a.shape}) while a minimum of "
                f"{ensure_min_features} is required{by}."
            )
    if copy and np.may_share_memory(a, array):
        a = a.copy()
    return a


def _check_y(y: Any, *, y_numeric: bool = False, estimator: Any = None) -> np.ndarray:
    if y is None:
        name = type(estimator).__name__ if estimator is not None else "This estimator"
        raise ValueError(f"{name} requires y to be passed, but the target y is None")
    y = np.asarray(_as_numpy(y))
    if y.ndim == 2 and y.shape[1] == 1:
        y = y.ravel()
    if y.ndim != 1:
        raise ValueError(f"y should be a 1d array, got an array of shape {y.shape} instead.")
    if y_numeric and y.dtype.kind in "OUSb":
        y = y.astype(np.float64)
    if y.dtype.kind == "f" and not np.isfinite(y).all():
        raise ValueError("Input y contains NaN or infinity.")
    return y


def check_X_y(
    X: Any, y: Any, *, y_numeric: bool = False, estimator: Any = None, **kwargs: Any
) -> tuple[np.ndarray, np.ndarray]:
    """Validate ``X`` with :func:`check_array` and ``y`` as 1-D, of the same length.

    Examples
    --------
    >>> X, y = check_X_y([[0.0], [1.0]], [0, 1])
    >>> X.shape, y.shape
    ((2, 1), (2,))
    """
    X = check_array(X, estimator=estimator, **kwargs)
    y = _check_y(y, y_numeric=y_numeric, estimator=estimator)
    if X.shape[0] != y.shape[0]:
        raise ValueError(
            "Found input variables with inconsistent numbers of samples: "
            f"[{X.shape[0]}, {y.shape[0]}]"
        )
    return X, y


def check_is_fitted(estimator: Any, attributes: Any = None) -> None:
    """Raise :class:`NotFittedError` unless ``estimator`` has fitted (``_``-suffixed) attributes.

    Examples
    --------
    >>> class E:
    ...     pass
    >>> check_is_fitted(E())
    Traceback (most recent call last):
    ...
    groundup.ml.validation.NotFittedError: This E instance is not fitted yet. ...
    """
    if attributes is not None:
        names = [attributes] if isinstance(attributes, str) else list(attributes)
        fitted = all(hasattr(estimator, a) for a in names)
    elif hasattr(estimator, "__sklearn_is_fitted__"):
        fitted = estimator.__sklearn_is_fitted__()
    else:
        fitted = any(k.endswith("_") and not k.startswith("__") for k in vars(estimator))
    if not fitted:
        raise NotFittedError(
            f"This {type(estimator).__name__} instance is not fitted yet. Call 'fit' with "
            "appropriate arguments before using this estimator."
        )


def check_scalar(
    x: Any,
    name: str,
    target_type: Any = numbers.Real,
    *,
    min_val: float | None = None,
    max_val: float | None = None,
    include_boundaries: str = "both",
) -> Any:
    """Check that a hyperparameter has the right type and lies in its range.

    Examples
    --------
    >>> check_scalar(2, "degree", int, min_val=0)
    2
    """
    if not isinstance(x, target_type) or (isinstance(x, bool) and target_type is not bool):
        raise TypeError(f"{name} must be an instance of {target_type}, not {type(x).__name__}.")
    low_closed = include_boundaries in ("left", "both")
    high_closed = include_boundaries in ("right", "both")
    if min_val is not None and (x < min_val if low_closed else x <= min_val):
        op = ">=" if low_closed else ">"
        raise ValueError(f"{name} == {x}, must be {op} {min_val}.")
    if max_val is not None and (x > max_val if high_closed else x >= max_val):
        op = "<=" if high_closed else "<"
        raise ValueError(f"{name} == {x}, must be {op} {max_val}.")
    return x


def _check_n_features(estimator: Any, X: np.ndarray, *, reset: bool) -> None:
    """Set ``n_features_in_`` (``reset``) or check that X has that many columns."""
    n = X.shape[1] if X.ndim >= 2 else 1
    if reset:
        estimator.n_features_in_ = n
        return
    expected = getattr(estimator, "n_features_in_", None)
    if expected is not None and n != expected:
        raise ValueError(
            f"X has {n} features, but {type(estimator).__name__} is expecting {expected} "
            "features as input."
        )


def _feature_names(X: Any) -> np.ndarray | None:
    columns = getattr(X, "columns", None)
    if columns is None or not hasattr(X, "iloc"):
        return None
    names = np.asarray(columns, dtype=object)
    if len(names) and all(isinstance(n, str) for n in names):
        return names
    return None


def _check_feature_names(estimator: Any, X: Any, *, reset: bool) -> None:
    """Record ``feature_names_in_`` from a DataFrame (``reset``) or check them, like sklearn."""
    names = _feature_names(X)
    if reset:
        if names is not None:
            estimator.feature_names_in_ = names
        elif hasattr(estimator, "feature_names_in_"):
            del estimator.feature_names_in_
        return
    fitted = getattr(estimator, "feature_names_in_", None)
    name = type(estimator).__name__
    if fitted is None and names is None:
        return
    if names is not None and fitted is None:
        warnings.warn(
            f"X has feature names, but {name} was fitted without feature names", stacklevel=3
        )
        return
    if names is None:
        warnings.warn(
            f"X does not have valid feature names, but {name} was fitted with feature names",
            stacklevel=3,
        )
        return
    if len(fitted) != len(names) or np.any(fitted != names):
        raise ValueError(
            "The feature names should match those that were passed during fit.\n"
            f"Fitted with: {list(fitted)}\nGot: {list(names)}"
        )


def _validate_data(
    estimator: Any, X: Any, y: Any = None, *, reset: bool = True, **kwargs: Any
) -> Any:
    """Validate X (and y), then set or check ``n_features_in_`` and ``feature_names_in_``."""
    _check_feature_names(estimator, X, reset=reset)
    if y is None:
        out = check_array(X, estimator=estimator, **kwargs)
        _check_n_features(estimator, out, reset=reset)
        return out
    X, y = check_X_y(X, y, estimator=estimator, **kwargs)
    _check_n_features(estimator, X, reset=reset)
    return X, y


def _handle_zeros_in_scale(scale: np.ndarray, constant_mask: Any = None) -> np.ndarray:
    """Scale 1 where a feature is constant, so it is left unscaled (scikit-learn's rule)."""
    if constant_mask is None:
        constant_mask = scale < 10 * np.finfo(scale.dtype).eps
    scale = scale.copy()
    scale[constant_mask] = 1.0
    return scale


def _check_sample_weight(sample_weight: Any, n: int) -> np.ndarray:
    w = np.asarray(sample_weight, dtype=np.float64)
    if w.ndim == 0:
        w = np.full(n, float(w))
    if w.shape != (n,):
        raise ValueError(f"sample_weight.shape == {w.shape}, expected {(n,)}!")
    if not np.any(w):
        raise ValueError("Sample weights must contain at least one non-zero number.")
    return w


def _names_out(est: Any, input_features: Any) -> np.ndarray:
    check_is_fitted(est, "n_features_in_")
    if input_features is None:
        names = getattr(est, "feature_names_in_", None)
        if names is None:
            names = [f"x{i}" for i in range(est.n_features_in_)]
        return np.asarray(names, dtype=object)
    names = np.asarray(input_features, dtype=object)
    if len(names) != est.n_features_in_:
        raise ValueError(
            f"input_features should have length equal to number of features "
            f"({est.n_features_in_}), got {len(names)}"
        )
    return names


def _column(y: Any) -> np.ndarray:
    y = np.asarray(y.numpy() if hasattr(y, "numpy") else y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y.ravel()
    if y.ndim != 1:
        raise ValueError(f"y should be a 1d array, got an array of shape {y.shape} instead.")
    return y


class DataConversionWarning(UserWarning):
    """y was a column vector and was ravelled (scikit-learn's name: its checks grep it)."""


class ConvergenceWarning(UserWarning):
    """An iterative solver stopped at ``max_iter`` before reaching its tolerance."""


def _check_fit_y(estimator: Any, y: Any) -> None:
    """Reject a missing y; warn about a column-vector y, as scikit-learn does."""
    if y is None:
        raise ValueError(
            f"{type(estimator).__name__} requires y to be passed, but the target y is None"
        )
    shape = getattr(y, "shape", ())
    if len(shape) == 2 and shape[1] == 1:
        warnings.warn(
            "A column-vector y was passed when a 1d array was expected. Please change the "
            "shape of y to (n_samples, ), for example using ravel().",
            DataConversionWarning,
            stacklevel=3,
        )
