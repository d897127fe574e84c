"""Elementwise unary ops. Each saves only what its backward reads (often its own output)."""

from __future__ import annotations

from typing import Any

from groundup.autograd import Function


class Neg(Function):
    """out = -x;  dx = -g."""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        return -x

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return -g


class Exp(Function):
    """out = e**x;  dx = g * out."""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        out = ctx.xp.exp(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (out,) = ctx.saved_tensors
        return g * out


class Log(Function):
    """out = ln x;  dx = g / x."""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return ctx.xp.log(x)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return g / x


class Sqrt(Function):
    """out = sqrt(x);  dx = g / (2 out)."""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        out = ctx.xp.sqrt(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (out,) = ctx.saved_tensors
        return g / (2.0 * out)


class Abs(Function):
    """out = |x|;  dx = g * sign(x) (0 at x = 0, as PyTorch)."""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return ctx.xp.abs(x)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return g * ctx.xp.sign(x)


class Tanh(Function):
    """out = tanh x;  dx = g * (1 - out**2)."""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        out = ctx.xp.tanh(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (out,) = ctx.saved_tensors
        return g * (1.0 - out * out)


class Sigmoid(Function):
    """out = 1 / (1 + e**-x), computed as (1 + tanh(x/2)) / 2 so it never overflows;  dx = g out (1 - out)."""  # noqa: E501

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        out = ctx.xp.tanh(x * 0.5)
        out += 1.0
        out *= 0.5
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (out,) = ctx.saved_tensors
        return g * out * (1.0 - out)


class Relu(Function):
    """out = max(x, 0);  dx = g where x > 0, else 0."""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        out = ctx.xp.maximum(x, 0)
        ctx.mask = out > 0
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return g * ctx.mask


class Clip(Function):
    """out = min(max(x, lo), hi);  dx = g where lo <= x <= hi, else 0 (PyTorch's clamp)."""

    @staticmethod
    def forward(ctx: Any, x: Any, lo: float | None, hi: float | None) -> Any:
        inside = True
        if lo is not None:
            inside = x >= lo
        if hi is not None:
            inside = inside & (x <= hi)
        ctx.inside = inside
        return ctx.xp.clip(x, lo, hi)

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        return g * ctx.inside, None, None


class Sin(Function):
    """out = sin x;  dx = g cos x."""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return ctx.xp.sin(x)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return g * ctx.xp.cos(x)


class Cos(Function):
    """out = cos x;  dx = -g sin x."""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return ctx.xp.cos(x)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return -g * ctx.xp.sin(x)


class Cast(Function):
    """out = x as another dtype;  dx = g as x's dtype."""

    @staticmethod
    def forward(ctx: Any, x: Any, dtype: Any) -> Any:
        ctx.dtype = x.dtype
        return x.astype(dtype)

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        return g.astype(ctx.dtype), None


class Clone(Function):
    """out = a copy of x;  dx = g."""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        return x.copy()

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return g
