"""Scaled dot-product attention as fused ops: the whole softmax(q k^T s + mask) v in one node.

With s the scale, M the additive mask (0 where a key takes part, -inf where it does not),
D the dropout mask (1[u >= p] / (1 - p), or 1) and g the gradient of the output:

    P = softmax(q k^T s + M),  A = P D,  out = A v
    dv = A^T g,  dA = g v^T,  dP = dA D,  dS = P (dP - sum(dP P, last axis)),
    dq = s dS k,  dk = s dS^T q,  dM = dS.

A row whose keys are all masked gets weights 0 (not NaN), as PyTorch's SDPA. Leading
(batch, head) axes broadcast among q, k, v and the mask; their gradients are summed back.
"""

from __future__ import annotations

from typing import Any

from groundup.autograd import Function
from groundup.ops._util import unbroadcast
from groundup.random import generator


def additive_mask(xp: Any, mask: Any, dtype: Any) -> Any:
    """A bool mask (True = take part) as 0 / -inf in ``dtype``; a float mask as is."""
    if mask.dtype == bool:
        out = xp.zeros(mask.shape, dtype=dtype)
        out[~mask] = -xp.inf
        return out
    return mask.astype(dtype, copy=False)


def causal_mask(xp: Any, L: int, S: int, dtype: Any) -> Any:
    """(L, S) additive mask: query i sees keys j <= i (top-left aligned, as PyTorch)."""
    return xp.triu(xp.full((L, S), -xp.inf, dtype=dtype), k=1)


def attention_probs(ctx: Any, q: Any, k: Any, mask: Any, scale: float, dropout_p: float) -> tuple:
    """(P, A): softmax(q k^T s + mask) and its dropped-out version (A is P when no dropout)."""
    xp = ctx.xp
    s = q @ xp.swapaxes(k, -1, -2)  # (..., L, S)
    s *= scale
    if mask is not None:
        if mask.ndim > s.ndim or any(m > n for m, n in zip(mask.shape[::-1], s.shape[::-1])):
            s = s + mask  # the mask has leading axes the scores lack: a broadcast result
        else:
            s += mask
    m = s.max(axis=-1, keepdims=True)
    masked_rows = None
    if mask is not None and not xp.isfinite(m).all():
        masked_rows = ~xp.isfinite(m)  # every key masked: weights 0 below
        m[masked_rows] = 0.0
    s -= m
    p = xp.exp(s, out=s)
    total = p.sum(axis=-1, keepdims=True)
    if masked_rows is not None:
        total[masked_rows] = 1.0
    p /= total
    ctx.drop = None
    if dropout_p > 0.0:
        u = generator().random(p.shape, dtype=p.dtype)
        if xp.__name__ != "numpy":
            u = xp.asarray(u)
        keep = (u >= dropout_p).astype(p.dtype)
        if dropout_p < 1.0:
            keep *= 1.0 / (1.0 - dropout_p)
        ctx.drop = keep
        return p, p * keep
    return p, p


def probs_backward(ctx: Any, p: Any, dA: Any) -> Any:
    """dS from dA (the gradient of the dropped-out weights): softmax backward through dropout."""
    dp = dA if ctx.drop is None else dA * ctx.drop
    dp *= p
    dp -= p * dp.sum(axis=-1, keepdims=True)
    return dp


def _qk_grads(ctx: Any, ds: Any, q: Any, k: Any, mask_shape: tuple | None) -> tuple:
    """(dq, dk, dmask) from dS, each summed back to its input's shape."""
    xp, needs, s = ctx.xp, ctx.needs_input_grad, ctx.scale
    dq = dk = dmask = None
    if needs[0]:
        dq = unbroadcast(ds @ k, q.shape)
        dq *= s
    if needs[1]:
        dk = unbroadcast(xp.swapaxes(ds, -1, -2) @ q, k.shape)
        dk *= s
    if len(needs) > 3 and needs[3] and mask_shape is not None:
        dmask = unbroadcast(ds, mask_shape)
    return dq, dk, dmask


def _check(op: str, q: Any, k: Any, v: Any | None, mask: Any) -> None:
    if q.ndim < 2 or k.ndim < 2 or q.shape[-1] != k.shape[-1]:
        raise ValueError(
            f"{op}: expected query (..., L, E) and key (..., S, E) with the same E, "
            f"got query {q.shape}, key {k.shape}"
        )
    if v is not None and (v.ndim < 2 or v.shape[-2] != k.shape[-2]):
        raise ValueError(
            f"{op}: expected value (..., S, Ev) with S = key.shape[-2] = {k.shape[-2]}, "
            f"got key {k.shape}, value {v.shape}"
        )
    if q.dtype != k.dtype or (v is not None and v.dtype != q.dtype):
        raise TypeError(
            f"{op}: query, key and value must share one floating dtype, got {q.dtype}, "
            f"{k.dtype}" + ("" if v is None else f", {v.dtype}")
        )
    if mask is not None and not _broadcasts(mask.shape, (*q.shape[:-1], k.shape[-2])):
        raise ValueError(
            f"{op}: attn_mask of shape {mask.shape} does not broadcast to the attention "
            f"weights (..., L={q.shape[-2]}, S={k.shape[-2]}) of query {q.shape}, key {k.shape}"
        )


def _broadcasts(a: tuple, b: tuple) -> bool:
    """Whether shapes a and b broadcast together (NumPy's rule, pure Python)."""
    return all(m == n or m == 1 or n == 1 for m, n in zip(a[::-1], b[::-1]))


def _mask_for(ctx: Any, q: Any, k: Any, mask: Any, is_causal: bool) -> Any:
    xp = ctx.xp
    if is_causal:
        causal = causal_mask(xp, q.shape[-2], k.shape[-2], q.dtype)
        return causal if mask is None else additive_mask(xp, mask, q.dtype) + causal
    return None if mask is None else additive_mask(xp, mask, q.dtype)


class ScaledDotProductAttention(Function):
    """out = softmax(q k^T s + M) D v;  dq = s dS k, dk = s dS^T q, dv = A^T g, dM = dS
    (notation in the module docstring)."""

    @staticmethod
    def forward(
        ctx: Any,
        q: Any,
        k: Any,
        v: Any,
        mask: Any,
        *,
        scale: float,
        dropout_p: float,
        is_causal: bool,
    ) -> Any:
        _check("scaled_dot_product_attention", q, k, v, mask)
        ctx.scale = scale
        ctx.mask_shape = None if mask is None or mask.dtype == bool else mask.shape
        p, a = attention_probs(ctx, q, k, _mask_for(ctx, q, k, mask, is_causal), scale, dropout_p)
        ctx.save_for_backward(q, k, v, p, a)
        return a @ v

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        q, k, v, p, a = ctx.saved_tensors
        xp = ctx.xp
        dv = None
        if ctx.needs_input_grad[2]:
            dv = unbroadcast(xp.swapaxes(a, -1, -2) @ g, v.shape)
        ds = probs_backward(ctx, p, g @ xp.swapaxes(v, -1, -2))
        dq, dk, dmask = _qk_grads(ctx, ds, q, k, ctx.mask_shape)
        return dq, dk, dv, dmask


class AttentionWeights(Function):
    """A = softmax(q k^T s + M) D, the attention weights themselves;  dq = s dS k,
    dk = s dS^T q, dM = dS (``MultiheadAttention`` with ``need_weights=True`` returns them)."""

    @staticmethod
    def forward(
        ctx: Any,
        q: Any,
        k: Any,
        mask: Any,
        *,
        scale: float,
        dropout_p: float,
        is_causal: bool,
    ) -> Any:
        _check("attention_weights", q, k, None, mask)
        ctx.scale = scale
        ctx.mask_shape = None if mask is None or mask.dtype == bool else mask.shape
        p, a = attention_probs(ctx, q, k, _mask_for(ctx, q, k, mask, is_causal), scale, dropout_p)
        ctx.save_for_backward(q, k, p)  # p may be the output: in-place edits are then caught
        return a

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        q, k, p = ctx.saved_tensors
        ds = probs_backward(ctx, p, g.copy() if ctx.drop is None else g)
        dq, dk, _ = _qk_grads(ctx, ds, q, k, None)
        dmask = None
        if ctx.needs_input_grad[2] and ctx.mask_shape is not None:
            dmask = unbroadcast(ds, ctx.mask_shape)
        return dq, dk, dmask


class PackedSelfAttention(Function):
    """out = softmax(q k^T s + M) D v for q, k, v = qkv[0], qkv[1], qkv[2] (the three stacked
    projections of one input);  dqkv = (dq, dk, dv) as in ``ScaledDotProductAttention``,
    written into one array, so self-attention needs a single input-projection GEMM."""

    @staticmethod
    def forward(
        ctx: Any, qkv: Any, mask: Any, *, scale: float, dropout_p: float, is_causal: bool
    ) -> Any:
        q, k, v = qkv[0], qkv[1], qkv[2]  # views
        _check("self_attention", q, k, v, mask)
        ctx.scale = scale
        p, a = attention_probs(ctx, q, k, _mask_for(ctx, q, k, mask, is_causal), scale, dropout_p)
        ctx.save_for_backward(qkv, p, a)
        return a @ v

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        qkv, p, a = ctx.saved_tensors
        xp, s = ctx.xp, ctx.scale
        q, k, v = qkv[0], qkv[1], qkv[2]
        d = xp.empty(qkv.shape, dtype=g.dtype)
        xp.matmul(xp.swapaxes(a, -1, -2), g, out=d[2])  # dv
        ds = probs_backward(ctx, p, g @ xp.swapaxes(v, -1, -2))
        ds *= s
        xp.matmul(ds, k, out=d[0])  # dq
        xp.matmul(xp.swapaxes(ds, -1, -2), q, out=d[1])  # dk
        return d, None
