"""Softmax and log-softmax, each one fused node with a one-line backward."""

from __future__ import annotations

from typing import Any

from groundup.autograd import Function


class Softmax(Function):
    """out = e**x / sum(e**x) along dim;  dx = out * (g - sum(g * out) along dim)."""

    @staticmethod
    def forward(ctx: Any, x: Any, dim: int) -> Any:
        xp = ctx.xp
        out = xp.exp(x - x.max(axis=dim, keepdims=True))
        out /= out.sum(axis=dim, keepdims=True)
        ctx.save_for_backward(out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        (out,) = ctx.saved_tensors
        go = g * out
        go -= out * go.sum(axis=ctx.dim, keepdims=True)
        return go, None


class LogSoftmax(Function):
    """out = x - log(sum(e**x)) along dim;  dx = g - e**out * sum(g) along dim."""

    @staticmethod
    def forward(ctx: Any, x: Any, dim: int) -> Any:
        xp = ctx.xp
        shifted = x - x.max(axis=dim, keepdims=True)
        out = shifted - xp.log(xp.exp(shifted).sum(axis=dim, keepdims=True))
        ctx.save_for_backward(out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        (out,) = ctx.saved_tensors
        return g - ctx.xp.exp(out) * g.sum(axis=ctx.dim, keepdims=True), None
