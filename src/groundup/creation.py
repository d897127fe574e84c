"""Making tensors: ``tensor``, ``zeros``, ``ones``, ``full``, ``arange``, ``eye``, ``randn``, ...

New tensors are float32 unless told otherwise (see ``dtypes.py`` for the rule).
"""

from __future__ import annotations

from typing import Any

from groundup import dtypes
from groundup.backend import get_xp, normalize_device, to_device
from groundup.random import generator
from groundup.tensor import Tensor

__all__ = [
    "tensor",
    "from_numpy",
    "zeros",
    "ones",
    "full",
    "empty",
    "arange",
    "eye",
    "randn",
    "rand",
    "randint",
    "zeros_like",
    "ones_like",
]


def to_array(data: Any, dtype: Any, device: str) -> Any:
    """A fresh array of ``data`` on ``device``, of ``dtype`` or the inferred one."""
    xp = get_xp(device)
    if isinstance(data, Tensor):
        data = data.data
    if type(data).__module__.startswith("cupy") and device == "cpu":
        data = to_device(data, "cpu")
    try:
        array = xp.array(data, copy=True)
    except (TypeError, ValueError) as e:
        raise TypeError(f"tensor: cannot make a tensor from {type(data).__name__}: {e}") from e
    target = dtype if dtype is not None else dtypes.infer_dtype(data, array)
    if array.dtype.kind in "OUS":
        raise TypeError(f"tensor: expected numbers, got elements of dtype {array.dtype}")
    return array if array.dtype == target else array.astype(target)


def tensor(
    data: Any, dtype: Any = None, device: Any = "cpu", requires_grad: bool = False
) -> Tensor:
    """A new tensor holding a copy of ``data``.

    Python floats become float32, ints int64, bools bool; NumPy arrays keep their dtype.

    Examples
    --------
    >>> import groundup as gu
    >>> gu.tensor([1.0, 2.0]).dtype
    dtype('float32')
    >>> gu.tensor([1, 2]).dtype
    dtype('int64')
    """
    return Tensor(data, dtype=dtype, device=device, requires_grad=requires_grad)


def from_numpy(array: Any) -> Tensor:
    """A tensor sharing memory with a NumPy array (no copy), keeping its dtype."""
    return Tensor._wrap(array, "cpu")


def _shape(size: tuple) -> tuple:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    if not all(isinstance(n, int) and n >= 0 for n in size):
        raise ValueError(f"expected a shape of non-negative ints, got {size}")
    return tuple(size)


def _filled(make: str, size: tuple, dtype: Any, device: Any, requires_grad: bool) -> Tensor:
    device = normalize_device(device)
    dtype = dtypes.as_dtype(dtype) or dtypes.default_float
    array = getattr(get_xp(device), make)(_shape(size), dtype=dtype)
    return Tensor._wrap(array, device).requires_grad_(requires_grad)


def zeros(
    *size: Any, dtype: Any = None, device: Any = "cpu", requires_grad: bool = False
) -> Tensor:
    """A tensor of zeros: ``zeros(2, 3)`` or ``zeros((2, 3))``.

    Examples
    --------
    >>> import groundup as gu
    >>> gu.zeros(2, 3).shape
    (2, 3)
    """
    return _filled("zeros", size, dtype, device, requires_grad)


def ones(*size: Any, dtype: Any = None, device: Any = "cpu", requires_grad: bool = False) -> Tensor:
    """A tensor of ones: ``ones(2, 3)`` or ``ones((2, 3))``."""
    return _filled("ones", size, dtype, device, requires_grad)


def empty(
    *size: Any, dtype: Any = None, device: Any = "cpu", requires_grad: bool = False
) -> Tensor:
    """An uninitialised tensor (fast; fill it before reading)."""
    return _filled("empty", size, dtype, device, requires_grad)


def full(
    size: Any, fill_value: Any, dtype: Any = None, device: Any = "cpu", requires_grad: bool = False
) -> Tensor:
    """A tensor of ``size`` filled with ``fill_value`` (dtype inferred from it, as PyTorch)."""
    if dtype is None:
        dtype = dtypes.infer_dtype(fill_value, get_xp("cpu").asarray(fill_value))
    t = _filled("empty", (size,), dtype, device, False)
    t.data[...] = fill_value
    return t.requires_grad_(requires_grad)


def arange(
    start: float,
    end: float | None = None,
    step: float = 1,
    dtype: Any = None,
    device: Any = "cpu",
    requires_grad: bool = False,
) -> Tensor:
    """Values from ``start`` to ``end`` (excluded) by ``step``; int64 unless a bound is a float.

    Examples
    --------
    >>> import groundup as gu
    >>> gu.arange(3).tolist()
    [0, 1, 2]
    """
    if end is None:
        start, end = 0, start
    if step == 0:
        raise ValueError("arange: step must be nonzero")
    if dtype is None:
        is_int = all(isinstance(v, int) for v in (start, end, step))
        dtype = dtypes.int64 if is_int else dtypes.default_float
    device = normalize_device(device)
    array = get_xp(device).arange(start, end, step, dtype=dtypes.as_dtype(dtype))
    return Tensor._wrap(array, device).requires_grad_(requires_grad)


def eye(
    n: int, m: int | None = None, dtype: Any = None, device: Any = "cpu", requires_grad=False
) -> Tensor:
    """An ``n`` x ``m`` identity matrix (``m`` defaults to ``n``)."""
    device = normalize_device(device)
    array = get_xp(device).eye(n, m, dtype=dtypes.as_dtype(dtype) or dtypes.default_float)
    return Tensor._wrap(array, device).requires_grad_(requires_grad)


def _random(array: Any, device: Any, requires_grad: bool) -> Tensor:
    device = normalize_device(device)
    return Tensor._wrap(to_device(array, device), device).requires_grad_(requires_grad)


def randn(
    *size: Any, dtype: Any = None, device: Any = "cpu", requires_grad: bool = False
) -> Tensor:
    """Samples from the standard normal distribution N(0, 1), from the seeded generator.

    Examples
    --------
    >>> import groundup as gu
    >>> _ = gu.manual_seed(0)
    >>> gu.randn(2, 3).shape
    (2, 3)
    """
    dtype = dtypes.as_dtype(dtype) or dtypes.default_float
    array = generator().standard_normal(_shape(size), dtype=dtype)
    return _random(array, device, requires_grad)


def rand(*size: Any, dtype: Any = None, device: Any = "cpu", requires_grad: bool = False) -> Tensor:
    """Samples from the uniform distribution on [0, 1), from the seeded generator."""
    dtype = dtypes.as_dtype(dtype) or dtypes.default_float
    array = generator().random(_shape(size), dtype=dtype)
    return _random(array, device, requires_grad)


def randint(
    low: int, high: Any = None, size: Any = None, dtype: Any = None, device: Any = "cpu"
) -> Tensor:
    """Random integers in [low, high): ``randint(10, (3,))`` or ``randint(0, 10, (3,))``."""
    if size is None:  # randint(high, size)
        low, high, size = 0, low, high
    if size is None:
        raise TypeError("randint: missing the size argument, e.g. randint(0, 10, (3,))")
    size = (size,) if isinstance(size, int) else tuple(size)
    dtype = dtypes.as_dtype(dtype) or dtypes.int64
    array = generator().integers(low, high, size=_shape(size)).astype(dtype)
    return _random(array, device, False)


def zeros_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Zeros of ``t``'s shape, dtype and device."""
    return zeros(t.shape, dtype=dtype or t.dtype, device=t.device, requires_grad=requires_grad)


def ones_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Ones of ``t``'s shape, dtype and device."""
    return ones(t.shape, dtype=dtype or t.dtype, device=t.device, requires_grad=requires_grad)


def format_tensor(t: Tensor) -> str:
    """PyTorch-style ``repr``: ``tensor([1., 2.], requires_grad=True)``."""
    xp = get_xp("cpu")
    body = xp.array2string(
        to_device(t.data, "cpu"), separator=", ", precision=4, prefix="tensor(", threshold=1000
    )
    extras = []
    if t.dtype not in (dtypes.float32, dtypes.int64, dtypes.bool_) or t.data.size == 0:
        extras.append(f"dtype={t.dtype}")
    if t.device != "cpu":
        extras.append(f"device='{t.device}'")
    if t._ctx is not None:
        extras.append(f"grad_fn=<{t._ctx.name}Backward>")
    elif t.requires_grad:
        extras.append("requires_grad=True")
    return "tensor(" + ", ".join([body, *extras]) + ")"
