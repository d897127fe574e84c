"""Tensor methods that move elements: views, indexing, and in-place writes outside the graph."""

from __future__ import annotations

import operator
from typing import TYPE_CHECKING, Any

from groundup.ops._util import normalize_dims

if TYPE_CHECKING:
    from groundup.tensor import Tensor


class TensorShape:
    """Shape, indexing and in-place methods of ``Tensor`` (a mixin; see ``tensor.py``)."""

    # ------------------------------------------------------------------ views
    def reshape(self, *shape: Any) -> Tensor:
        """The same elements in a new shape (one size may be -1); a view when possible."""
        return shape_ops.Reshape.apply(self, _sizes(shape))

    view = reshape

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        """Merge dimensions ``start_dim``..``end_dim`` into one."""
        if self.ndim == 0:
            return self.reshape(1)
        (start,) = normalize_dims(start_dim, self.ndim, "flatten")
        (end,) = normalize_dims(end_dim, self.ndim, "flatten")
        if start > end:
            raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
        return self.reshape(self.shape[:start] + (-1,) + self.shape[end + 1 :])

    def squeeze(self, dim: Any = None) -> Tensor:
        """Drop dimensions of size 1 (only those in ``dim`` when given)."""
        dims = normalize_dims(dim, self.ndim, "squeeze")
        keep = [
            n for i, n in enumerate(self.shape) if n != 1 or (dims is not None and i not in dims)
        ]
        return self.reshape(tuple(keep))

    def unsqueeze(self, dim: int) -> Tensor:
        """Insert a dimension of size 1 at ``dim``."""
        (d,) = normalize_dims(dim, self.ndim + 1, "unsqueeze")
        return self.reshape(self.shape[:d] + (1,) + self.shape[d:])

    def permute(self, *dims: Any) -> Tensor:
        """Reorder the dimensions (a view)."""
        dims = _sizes(dims)
        order = [d % max(self.ndim, 1) for d in dims]
        if sorted(order) != list(range(self.ndim)):
            raise ValueError(f"permute: {dims} is not an order of the {self.ndim} dimensions")
        return shape_ops.Permute.apply(self, tuple(order))

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        """Swap two dimensions (a view)."""
        order = list(range(self.ndim))
        d0, d1 = (normalize_dims(d, self.ndim, "transpose")[0] for d in (dim0, dim1))
        order[d0], order[d1] = order[d1], order[d0]
        return shape_ops.Permute.apply(self, tuple(order))

    swapaxes = transpose

    def expand(self, *sizes: Any) -> Tensor:
        """Broadcast to a larger shape without copying; -1 keeps a size."""
        sizes = _sizes(sizes)
        lead = len(sizes) - self.ndim
        if lead < 0:
            raise ValueError(f"expand: cannot expand shape {self.shape} to fewer dims {sizes}")
        shape = tuple(self.shape[i - lead] if n == -1 else n for i, n in enumerate(sizes))
        return shape_ops.Expand.apply(self, shape)

    def contiguous(self) -> Tensor:
        """Self if its data is C-contiguous, else a contiguous copy."""
        return self if self.data.flags.c_contiguous else self.clone()

    def clone(self) -> Tensor:
        """A copy that stays in the graph."""
        return unary.Clone.apply(self)

    # ------------------------------------------------------------------ indexing
    def __getitem__(self, key: Any) -> Tensor:
        key, advanced = _array_key(key, self._xp)
        op = indexing.AdvancedIndex if advanced else indexing.BasicIndex
        try:
            return op.apply(self, key)
        except IndexError as e:
            raise IndexError(f"index: {e} (indexing a tensor of shape {self.shape})") from e

    def __setitem__(self, key: Any, value: Any) -> None:
        self._check_writable("__setitem__")
        if isinstance(value, _tensor.Tensor) and value.requires_grad and is_grad_enabled():
            raise RuntimeError(
                "__setitem__: the value requires grad, and writing it into a tensor would drop "
                "its gradient; build the tensor with gu.cat / gu.stack / gu.where instead, "
                "or write value.detach()"
            )
        key, _ = _array_key(key, self._xp)
        self.data[key] = value.data if isinstance(value, _tensor.Tensor) else value
        self._bump_version()

    def masked_fill(self, mask: Any, value: float) -> Tensor:
        """``value`` where ``mask`` is True, self elsewhere."""
        from groundup.combine import where  # combine builds on Tensor, so it loads after it

        return where(mask, value, self)

    # ------------------------------------------------------------------ in place
    def __iadd__(self, other: Any) -> Tensor:
        return self._inplace(operator.iadd, other, "add")

    def __isub__(self, other: Any) -> Tensor:
        return self._inplace(operator.isub, other, "sub")

    def __imul__(self, other: Any) -> Tensor:
        return self._inplace(operator.imul, other, "mul")

    def __itruediv__(self, other: Any) -> Tensor:
        return self._inplace(operator.itruediv, other, "div")

    def add_(self, other: Any, alpha: float = 1.0) -> Tensor:
        """self += alpha * other, in place."""
        return self._inplace(operator.iadd, other * alpha if alpha != 1 else other, "add_")

    def mul_(self, other: Any) -> Tensor:
        """self *= other, in place."""
        return self._inplace(operator.imul, other, "mul_")

    def zero_(self) -> Tensor:
        """Fill with zeros, in place."""
        return self.fill_(0)

    def fill_(self, value: float) -> Tensor:
        """Fill with ``value``, in place."""
        self._check_writable("fill_")
        self.data[...] = value
        self._bump_version()
        return self

    def copy_(self, src: Any) -> Tensor:
        """Copy ``src`` (broadcast to this shape) into self, in place."""
        self._check_writable("copy_")
        self.data[...] = src.data if isinstance(src, _tensor.Tensor) else src
        self._bump_version()
        return self

    def _inplace(self, fn: Any, other: Any, name: str) -> Tensor:
        if self._requires_grad and is_grad_enabled() and self._ctx is not None:
            return _OUT_OF_PLACE[fn](self, other)  # a graph needs the old value: a new node
        self._check_writable(name)
        value = other.data if isinstance(other, _tensor.Tensor) else other
        try:
            fn(self.data, value)
        except (TypeError, ValueError) as e:
            raise type(e)(f"{name} (in place): {e}; self is {self.dtype} {self.shape}") from e
        self._bump_version()
        return self

    def _check_writable(self, op: str) -> None:
        if self._requires_grad and is_grad_enabled():
            raise RuntimeError(
                f"{op}: cannot change a tensor that requires grad in place while a graph is "
                "recorded; do it under gu.no_grad() (e.g. an optimizer step) or on .detach()"
            )


_OUT_OF_PLACE = {
    operator.iadd: operator.add,
    operator.isub: operator.sub,
    operator.imul: operator.mul,
    operator.itruediv: operator.truediv,
}


def _sizes(args: tuple) -> tuple:
    """``f(2, 3)`` and ``f((2, 3))`` both as ``(2, 3)``."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        return tuple(args[0])
    return tuple(args)


def _array_key(key: Any, xp: Any) -> tuple[Any, bool]:
    """An index with tensors and lists turned into arrays, and whether it is advanced."""
    parts = key if isinstance(key, tuple) else (key,)
    converted, advanced = [], False
    for k in parts:
        if isinstance(k, _tensor.Tensor):
            k = k.data.item() if k.data.ndim == 0 and k.dtype.kind in "iu" else k.data
        elif isinstance(k, (list, bool)):
            k = xp.asarray(k)
            if k.size == 0:
                k = k.astype("int64")
        if isinstance(k, xp.ndarray):
            advanced = True
        converted.append(k)
    return (tuple(converted) if isinstance(key, tuple) else converted[0]), advanced


import groundup.tensor as _tensor  # noqa: E402 - tensor.py imports this module while it loads
from groundup.autograd import is_grad_enabled  # noqa: E402
from groundup.ops import indexing, unary  # noqa: E402
from groundup.ops import shape as shape_ops  # noqa: E402
