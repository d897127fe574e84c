"""dtypes and PyTorch's promotion rules.

The rule for new tensors: Python numbers and lists become float32 (floats), int64 (ints)
or bool; NumPy arrays keep their dtype, as ``torch.from_numpy`` does. In an op between a
tensor and a Python number the tensor's dtype wins (``float32_tensor * 2.5`` stays float32),
except that a float number turns an integer tensor into float32. Between two tensors the
higher kind wins (bool < int < float) and keeps its own width, so ``int64 + float32`` is
float32; within a kind the wider wins, except that a 0-d tensor never widens a tensor
with dimensions.
"""

from __future__ import annotations

from typing import Any

import numpy as np

float16 = np.dtype("float16")
float32 = np.dtype("float32")
float64 = np.dtype("float64")
int8 = np.dtype("int8")
int16 = np.dtype("int16")
int32 = np.dtype("int32")
int64 = np.dtype("int64")
uint8 = np.dtype("uint8")
bool_ = np.dtype("bool")

default_float = float32
_KIND_RANK = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}


def as_dtype(dtype: Any) -> np.dtype | None:
    """``dtype`` as a NumPy dtype (accepts ``gu.float32``, ``"float32"``, ``np.float32``)."""
    if dtype is None:
        return None
    if dtype is float:
        return default_float
    try:
        return np.dtype(dtype)
    except TypeError as e:
        raise TypeError(f"not a dtype: {dtype!r}") from e


def is_floating(dtype: np.dtype) -> bool:
    """Whether ``dtype`` is a floating-point (or complex) type, the kinds that carry gradients."""
    return dtype.kind in "fc"


def infer_dtype(data: Any, array: np.ndarray) -> np.dtype:
    """The dtype a new tensor gets from ``data`` (already turned into ``array``)."""
    if isinstance(data, (np.ndarray, np.generic)):
        return array.dtype
    kind = array.dtype.kind
    if kind == "f":
        return default_float
    if kind in "iu":
        return int64
    if kind == "c":
        return np.dtype("complex64")
    if kind == "b":
        return bool_
    raise TypeError(f"tensor: cannot make a tensor from {type(data).__name__} of {array.dtype}")


def promote(a: np.dtype, b: np.dtype, a_is_scalar: bool = False, b_is_scalar: bool = False):
    """Result dtype of an op between tensors of dtypes ``a`` and ``b`` (PyTorch's rule)."""
    if a == b:
        return a
    ra, rb = _KIND_RANK[a.kind], _KIND_RANK[b.kind]
    if ra != rb:
        return a if ra > rb else b
    if a_is_scalar != b_is_scalar:  # a 0-d tensor does not widen one with dimensions
        return b if a_is_scalar else a
    return np.promote_types(a, b)


def scalar_result(dtype: np.dtype, value: Any) -> np.dtype:
    """Result dtype of an op between a tensor of ``dtype`` and a Python number ``value``."""
    if isinstance(value, float) and not is_floating(dtype):
        return default_float
    if isinstance(value, int) and not isinstance(value, bool) and dtype.kind == "b":
        return int64
    return dtype
