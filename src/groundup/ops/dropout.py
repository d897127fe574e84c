"""Inverted dropout as one op that keeps its scaled mask for the backward."""

from __future__ import annotations

from typing import Any

from groundup.autograd import Function
from groundup.random import generator


class Dropout(Function):
    """out = x m, m = 1[u >= p] / (1 - p) with u ~ U[0, 1);  dx = g m.

    The mask comes from groundup's seeded generator, so ``gu.manual_seed`` makes it
    reproducible. With p = 1 every element is dropped (m = 0), as in PyTorch.
    """

    @staticmethod
    def forward(ctx: Any, x: Any, p: float) -> Any:
        xp = ctx.xp
        dtype = x.dtype if x.dtype.name in ("float32", "float64") else "float32"
        u = generator().random(x.shape, dtype=dtype)
        if xp.__name__ != "numpy":
            u = xp.asarray(u)
        mask = (u >= p).astype(x.dtype)
        if p < 1.0:
            mask *= 1.0 / (1.0 - p)
        ctx.mask = mask
        return x * mask

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        return g * ctx.mask, None
