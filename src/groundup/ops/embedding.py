"""Embedding lookup: rows of a weight table picked by integer ids."""

from __future__ import annotations

from typing import Any

from groundup.autograd import Function
from groundup.ops.indexing import scatter_add_rows


class Embedding(Function):
    """out = w[ids] (shape ids.shape + (D,));  dw = rows of g summed into the rows ids picked
    (repeats accumulate), row padding_idx left at 0."""

    @staticmethod
    def forward(ctx: Any, w: Any, ids: Any, *, padding_idx: int | None) -> Any:
        ctx.save_for_backward(ids)
        ctx.shape, ctx.padding_idx = w.shape, padding_idx
        return w[ids]

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        (ids,) = ctx.saved_tensors
        dw = scatter_add_rows(ids, g, ctx.shape, ctx.xp)
        if ctx.padding_idx is not None:
            dw[ctx.padding_idx] = 0  # the padding row never learns, as PyTorch
        return dw, None
