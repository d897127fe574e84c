"""Matrix product with NumPy's ``@`` rules: 1-D, 2-D and batched operands with broadcasting."""

from __future__ import annotations

from typing import Any

from groundup.autograd import Function
from groundup.ops._util import unbroadcast


class MatMul(Function):
    """out = a @ b;  da = g @ b.T;  db = a.T @ g (transposes over the last two axes)."""

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any) -> Any:
        _check_inner(a.shape, b.shape)
        ctx.save_for_backward(a, b)
        try:
            return a @ b
        except ValueError as e:
            raise ValueError(
                f"matmul: cannot broadcast batch shapes of {a.shape} and {b.shape}"
            ) from e

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        a, b = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        if a.ndim == 2 and b.ndim == 2:  # the hot path: one GEMM each, transposes are views
            return (g @ b.T if na else None), (a.T @ g if nb else None)
        a2 = a[None, :] if a.ndim == 1 else a  # (..., n, k) with n = 1 for a vector
        b2 = b[:, None] if b.ndim == 1 else b  # (..., k, m) with m = 1 for a vector
        g2 = g
        if b.ndim == 1:
            g2 = g2[..., None]
        if a.ndim == 1:
            g2 = g2[..., None, :]
        da = db = None
        if na:
            da = unbroadcast(g2 @ b2.swapaxes(-1, -2), a2.shape).reshape(a.shape)
        if nb:
            if b.ndim == 2 and a2.ndim > 2:  # fold the batch into one GEMM: (B*n, k).T @ (B*n, m)
                k, m = b2.shape
                db = a2.reshape(-1, k).T @ g2.reshape(-1, m)
            else:
                db = unbroadcast(a2.swapaxes(-1, -2) @ g2, b2.shape)
            db = db.reshape(b.shape)
        return da, db


def _check_inner(sa: tuple, sb: tuple) -> None:
    if not sa or not sb:
        raise ValueError(f"matmul: both operands need at least one dimension, got {sa} and {sb}")
    k_a = sa[-1]
    k_b = sb[0] if len(sb) == 1 else sb[-2]
    if k_a != k_b:
        raise ValueError(
            f"matmul: cannot multiply {sa} by {sb}: inner sizes {k_a} and {k_b} differ"
        )
