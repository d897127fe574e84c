"""Free functions over several tensors: ``cat``, ``stack``, ``where``, ``maximum``, ``minimum``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from groundup import dtypes
from groundup._tensor_math import as_operand, binary, promote_pair
from groundup.ops import arithmetic
from groundup.ops import shape as shape_ops
from groundup.ops._util import normalize_dims
from groundup.tensor import Tensor

__all__ = ["cat", "stack", "where", "maximum", "minimum"]


def _common(tensors: Sequence[Tensor], op: str) -> list[Tensor]:
    """The inputs as tensors of one dtype (PyTorch's promotion)."""
    if not tensors:
        raise ValueError(f"{op}: expected a non-empty sequence of tensors")
    tensors = [t if isinstance(t, Tensor) else Tensor(t) for t in tensors]
    dtype = tensors[0].dtype
    for t in tensors[1:]:
        dtype = dtypes.promote(dtype, t.dtype)
    return [t._cast(dtype) for t in tensors]


def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join tensors along an existing dimension ``dim``.

    Examples
    --------
    >>> import groundup as gu
    >>> gu.cat([gu.zeros(1, 2), gu.ones(2, 2)]).shape
    (3, 2)
    """
    tensors = _common(tensors, "cat")
    ndim = tensors[0].ndim
    (d,) = normalize_dims(dim, ndim, "cat")
    for t in tensors:
        rest = t.shape[:d] + t.shape[d + 1 :]
        if t.ndim != ndim or rest != tensors[0].shape[:d] + tensors[0].shape[d + 1 :]:
            shapes = [x.shape for x in tensors]
            raise ValueError(f"cat: shapes {shapes} differ outside dim {dim}")
    return shape_ops.Cat.apply(*tensors, dim=d)


def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Stack same-shaped tensors along a new dimension ``dim``.

    Examples
    --------
    >>> import groundup as gu
    >>> gu.stack([gu.zeros(2), gu.ones(2)], dim=1).shape
    (2, 2)
    """
    tensors = _common(tensors, "stack")
    if len({t.shape for t in tensors}) > 1:
        raise ValueError(f"stack: expected tensors of one shape, got {[t.shape for t in tensors]}")
    (d,) = normalize_dims(dim, tensors[0].ndim + 1, "stack")
    return shape_ops.Stack.apply(*tensors, dim=d)


def where(condition: Any, x: Any, y: Any) -> Tensor:
    """``x`` where ``condition`` is True, else ``y`` (broadcast); x or y may be numbers.

    Examples
    --------
    >>> import groundup as gu
    >>> a = gu.tensor([-1.0, 2.0])
    >>> gu.where(a > 0, a, 0.0)
    tensor([0., 2.])
    """
    cond = condition.data if isinstance(condition, Tensor) else condition
    if getattr(cond, "dtype", None) != dtypes.bool_:
        got = getattr(cond, "dtype", type(cond).__name__)
        raise TypeError(f"where: condition must be a bool tensor, got {got}")
    if not isinstance(x, Tensor) and not isinstance(y, Tensor):
        x = Tensor(x)
    if isinstance(x, Tensor):
        x, y = promote_pair(x, as_operand(y, x))
    else:
        y, x = promote_pair(y, as_operand(x, y))
    try:
        return arithmetic.Where.apply(cond, x, y)
    except ValueError as e:
        shapes = [getattr(v, "shape", ()) for v in (cond, x, y)]
        raise ValueError(f"where: cannot broadcast shapes {shapes}") from e


def maximum(a: Tensor, b: Any) -> Tensor:
    """Elementwise max of two tensors (gradient split evenly on ties, as PyTorch)."""
    return binary(arithmetic.Maximum, a if isinstance(a, Tensor) else Tensor(a), b, "maximum")


def minimum(a: Tensor, b: Any) -> Tensor:
    """Elementwise min of two tensors (gradient split evenly on ties, as PyTorch)."""
    return binary(arithmetic.Minimum, a if isinstance(a, Tensor) else Tensor(a), b, "minimum")
