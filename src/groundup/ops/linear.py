"""The fully connected layer as one fused op: ``x @ W.T + b`` with a three-GEMM-or-less backward."""

from __future__ import annotations

from typing import Any

from groundup.autograd import Function


class Linear(Function):
    """out = x @ W.T + b;  dx = g @ W;  dW = g.T @ x;  db = sum of g over the leading dims.

    ``x`` is ``(*, in)``, ``W`` is ``(out, in)`` (PyTorch's layout), ``b`` is ``(out,)`` or None.
    Leading dims are folded into one so every product is a single 2-D GEMM, and the
    transposes are views (BLAS reads them with its transpose flag, nothing is copied).
    """

    @staticmethod
    def forward(ctx: Any, x: Any, w: Any, b: Any) -> Any:
        if w.ndim != 2 or x.ndim == 0 or x.shape[-1] != w.shape[1]:
            raise ValueError(
                f"linear: expected input (*, {w.shape[-1]}) for weight {w.shape} "
                f"(out_features, in_features), got {x.shape}"
            )
        if x.dtype != w.dtype or (b is not None and b.dtype != w.dtype):
            raise TypeError(
                f"linear: input {x.dtype}, weight {w.dtype}"
                + ("" if b is None else f", bias {b.dtype}")
                + " must share one floating dtype; convert the input with .to(weight.dtype)"
            )
        ctx.save_for_backward(x, w)
        if x.ndim == 2:
            out = x @ w.T
        else:
            out = (x.reshape(-1, w.shape[1]) @ w.T).reshape(*x.shape[:-1], w.shape[0])
        if b is not None:
            out += b
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        x, w = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad
        n_out, n_in = w.shape
        g2 = g if g.ndim == 2 else g.reshape(-1, n_out)  # (N, out)
        dx = dw = db = None
        if need_x:
            dx = g2 @ w  # (N, in)
            if x.ndim != 2:
                dx = dx.reshape(x.shape)
        if need_w:
            dw = g2.T @ (x if x.ndim == 2 else x.reshape(-1, n_in))  # (out, in)
        if need_b:
            db = g2.sum(axis=0)  # (out,)
        return dx, dw, db
