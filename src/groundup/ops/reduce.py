"""Reductions over ``dim`` (None = all axes), with ``keepdim`` as in PyTorch."""

from __future__ import annotations

from typing import Any

from groundup.autograd import Function
from groundup.ops._util import keepdim_shape


def _expand_back(g: Any, shape: tuple, dims: tuple | None, keepdim: bool, xp: Any) -> Any:
    """Broadcast a reduced gradient back over the input's shape (a read-only view)."""
    if not keepdim:
        g = g.reshape(keepdim_shape(shape, dims))
    return xp.broadcast_to(g, shape)


class Sum(Function):
    """out = sum of x over dims;  dx = g broadcast back over dims."""

    @staticmethod
    def forward(ctx: Any, x: Any, dims: tuple | None, keepdim: bool) -> Any:
        ctx.shape, ctx.dims, ctx.keepdim = x.shape, dims, keepdim
        return x.sum(axis=dims, keepdims=keepdim)

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        return _expand_back(g, ctx.shape, ctx.dims, ctx.keepdim, ctx.xp), None, None


class Mean(Function):
    """out = sum of x over dims / n;  dx = g / n broadcast back over dims."""

    @staticmethod
    def forward(ctx: Any, x: Any, dims: tuple | None, keepdim: bool) -> Any:
        ctx.shape, ctx.dims, ctx.keepdim = x.shape, dims, keepdim
        out = x.mean(axis=dims, keepdims=keepdim)
        ctx.n = x.size // max(out.size, 1) if x.size else 0
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        g = g * (1.0 / ctx.n) if ctx.n else g * float("nan")
        return _expand_back(g, ctx.shape, ctx.dims, ctx.keepdim, ctx.xp), None, None


class Var(Function):
    """out = sum((x - mean)**2) / (n - correction);  dx = g * 2 (x - mean) / (n - correction)."""

    @staticmethod
    def forward(ctx: Any, x: Any, dims: tuple | None, correction: float, keepdim: bool) -> Any:
        mean = x.mean(axis=dims, keepdims=True)
        centered = x - mean
        n = x.size // max(mean.size, 1)
        ctx.centered, ctx.dims, ctx.keepdim = centered, dims, keepdim
        ctx.denominator = max(n - correction, 0)
        squares = (centered * centered).sum(axis=dims, keepdims=keepdim)
        with ctx.xp.errstate(divide="ignore", invalid="ignore"):
            return squares / ctx.denominator  # n <= correction gives nan/inf, like PyTorch

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        centered = ctx.centered
        if not ctx.keepdim:
            g = g.reshape(keepdim_shape(centered.shape, ctx.dims))
        scale = 2.0 / ctx.denominator if ctx.denominator else float("nan")
        return g * centered * scale, None, None, None


class MaxAll(Function):
    """out = max of all x (or min, with ``smallest``);  dx = g split evenly over the ties."""

    @staticmethod
    def forward(ctx: Any, x: Any, smallest: bool) -> Any:
        if x.size == 0:
            raise RuntimeError("max/min: cannot reduce an empty tensor with no dim; pass dim=")
        out = x.min() if smallest else x.max()
        ctx.winners = x == out
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        winners = ctx.winners
        return winners * (g / int(winners.sum())), None


class TakeAlongDim(Function):
    """out = x at ``index`` along ``dim`` (one pick per slice, as max/min with dim);  dx = g scattered back."""  # noqa: E501

    @staticmethod
    def forward(ctx: Any, x: Any, index: Any, dim: int, keepdim: bool) -> Any:
        ctx.shape, ctx.index, ctx.dim, ctx.keepdim = x.shape, index, dim, keepdim
        out = ctx.xp.take_along_axis(x, index, axis=dim)
        return out if keepdim else out.squeeze(dim)

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        xp = ctx.xp
        dx = xp.zeros(ctx.shape, dtype=g.dtype)
        if not ctx.keepdim:
            g = xp.expand_dims(g, ctx.dim)
        xp.put_along_axis(dx, ctx.index, g, axis=ctx.dim)
        return dx, None, None, None


class Prod(Function):
    """out = product of x over dims;  dx = g * (product of the other elements), exact with zeros."""

    @staticmethod
    def forward(ctx: Any, x: Any, dims: tuple | None, keepdim: bool) -> Any:
        ctx.save_for_backward(x)
        ctx.dims, ctx.keepdim = dims, keepdim
        return x.prod(axis=dims, keepdims=keepdim)

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        (x,) = ctx.saved_tensors
        xp, dims = ctx.xp, ctx.dims
        if not ctx.keepdim:
            g = g.reshape(keepdim_shape(x.shape, dims))
        return g * _product_of_others(x, dims, xp), None, None


def _product_of_others(x: Any, dims: tuple | None, xp: Any) -> Any:
    """For each element, the product of the other elements of its reduced group (no division)."""
    dims = tuple(range(x.ndim)) if dims is None else dims
    rest = [d for d in range(x.ndim) if d not in dims]
    moved = xp.moveaxis(x, rest + list(dims), list(range(x.ndim)))
    flat = moved.reshape(moved.shape[: len(rest)] + (-1,))  # (*rest, k)
    ones = xp.ones(flat.shape[:-1] + (1,), dtype=x.dtype)
    left = xp.concatenate([ones, xp.cumprod(flat[..., :-1], axis=-1)], axis=-1)
    right = xp.concatenate([xp.cumprod(flat[..., :0:-1], axis=-1)[..., ::-1], ones], axis=-1)
    others = (left * right).reshape(moved.shape)
    return xp.moveaxis(others, list(range(x.ndim)), rest + list(dims))


class Norm2(Function):
    """out = sqrt(sum x**2) over dims;  dx = g * x / out (0 where out = 0)."""

    @staticmethod
    def forward(ctx: Any, x: Any, dims: tuple | None, keepdim: bool) -> Any:
        xp = ctx.xp
        out = xp.sqrt((x * x).sum(axis=dims, keepdims=keepdim))
        ctx.save_for_backward(x, out)
        ctx.dims, ctx.keepdim = dims, keepdim
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        x, out = ctx.saved_tensors
        xp = ctx.xp
        if not ctx.keepdim:
            shape = keepdim_shape(x.shape, ctx.dims)
            g, out = g.reshape(shape), out.reshape(shape)
        scale = xp.where(out == 0, 0, g / xp.where(out == 0, 1, out))
        return x * scale, None, None
