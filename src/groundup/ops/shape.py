"""Ops that move elements without changing them: views, joins and expansion."""

from __future__ import annotations

from typing import Any

from groundup.autograd import Function
from groundup.ops._util import unbroadcast


class Reshape(Function):
    """out = x with a new shape (a view when the layout allows);  dx = g reshaped back."""

    is_view = True

    @staticmethod
    def forward(ctx: Any, x: Any, shape: tuple) -> Any:
        ctx.shape = x.shape
        try:
            return x.reshape(shape)
        except ValueError as e:
            raise ValueError(
                f"reshape: cannot view a tensor of shape {x.shape} ({x.size} elements) "
                f"as shape {shape}"
            ) from e

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        return g.reshape(ctx.shape), None


class Permute(Function):
    """out = x with its axes reordered (a view);  dx = g with the inverse order."""

    is_view = True

    @staticmethod
    def forward(ctx: Any, x: Any, dims: tuple) -> Any:
        ctx.dims = dims
        return x.transpose(dims)

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        inverse = [0] * len(ctx.dims)
        for i, d in enumerate(ctx.dims):
            inverse[d] = i
        return g.transpose(inverse), None


class Expand(Function):
    """out = x broadcast to a larger shape (a read-only view);  dx = g summed back."""

    is_view = True

    @staticmethod
    def forward(ctx: Any, x: Any, shape: tuple) -> Any:
        ctx.shape = x.shape
        try:
            return ctx.xp.broadcast_to(x, shape)
        except ValueError as e:
            raise ValueError(f"expand: cannot expand shape {x.shape} to {shape}") from e

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        return unbroadcast(g, ctx.shape), None


class Cat(Function):
    """out = the inputs joined along dim;  each input's gradient is its slice of g."""

    @staticmethod
    def forward(ctx: Any, *xs: Any, dim: int) -> Any:
        ctx.dim = dim
        ctx.bounds = _bounds([x.shape[dim] for x in xs])
        return ctx.xp.concatenate(xs, axis=dim)

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        index = [slice(None)] * g.ndim
        grads = []
        for needed, (start, stop) in zip(ctx.needs_input_grad, ctx.bounds):
            index[ctx.dim] = slice(start, stop)
            grads.append(g[tuple(index)] if needed else None)
        return tuple(grads)


class Stack(Function):
    """out = the inputs stacked along a new dim;  each input's gradient is its slice of g."""

    @staticmethod
    def forward(ctx: Any, *xs: Any, dim: int) -> Any:
        ctx.dim = dim
        return ctx.xp.stack(xs, axis=dim)

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        index = [slice(None)] * g.ndim
        grads = []
        for i, needed in enumerate(ctx.needs_input_grad):
            index[ctx.dim] = i
            grads.append(g[tuple(index)] if needed else None)
        return tuple(grads)


def _bounds(sizes: list[int]) -> list[tuple[int, int]]:
    """[(start, stop)] of consecutive pieces of the given sizes."""
    bounds, start = [], 0
    for n in sizes:
        bounds.append((start, start + n))
        start += n
    return bounds
