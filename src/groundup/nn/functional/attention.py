"""Attention, PyTorch's ``F.scaled_dot_product_attention`` and ``F.multi_head_attention_forward``.

The score-softmax-weighted-sum is one fused op (``ops/attention.py``); multi-head attention
wraps it in three input projections, a split into heads (views) and an output projection.
"""

from __future__ import annotations

import math
from typing import Any

from groundup.ops import attention as _attention
from groundup.ops import linear as _linear
from groundup.tensor import Tensor

__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward"]


def scaled_dot_product_attention(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    attn_mask: Tensor | None = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: float | None = None,
    enable_gqa: bool = False,
) -> Tensor:
    """softmax(query key^T * scale + mask) value, one fused op with a fused backward.

    Shape: query ``(..., L, E)``, key ``(..., S, E)``, value ``(..., S, Ev)`` -> ``(..., L, Ev)``;
    leading dims broadcast. ``attn_mask`` broadcasts to ``(..., L, S)``: a bool mask says
    which keys take part (True = attend, PyTorch's SDPA convention), a float mask is added
    to the scores. ``is_causal`` lets query i see keys j <= i. ``scale`` defaults to
    1/sqrt(E). Dropout with probability ``dropout_p`` is applied to the attention weights
    (always, when p > 0: pass ``dropout_p=0`` in eval mode, as in PyTorch).

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup.nn import functional as F
    >>> q = gu.ones(2, 3, 4)
    >>> F.scaled_dot_product_attention(q, q, gu.ones(2, 3, 5), is_causal=True).shape
    (2, 3, 5)
    """
    if enable_gqa:
        raise NotImplementedError("scaled_dot_product_attention: enable_gqa=True is not supported")
    if is_causal and attn_mask is not None:
        raise ValueError(
            "scaled_dot_product_attention: pass either attn_mask or is_causal=True, not both"
        )
    _check_dropout("scaled_dot_product_attention", dropout_p)
    s = 1.0 / math.sqrt(query.shape[-1]) if scale is None else float(scale)
    return _attention.ScaledDotProductAttention.apply(
        query, key, value, attn_mask, scale=s, dropout_p=float(dropout_p), is_causal=is_causal
    )


def _check_dropout(op: str, p: Any) -> None:
    if not isinstance(p, (int, float)) or not 0.0 <= p <= 1.0:
        raise ValueError(f"{op}: dropout probability has to be between 0 and 1, but got {p}")


def multi_head_attention_forward(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    embed_dim_to_check: int,
    num_heads: int,
    in_proj_weight: Tensor | None,
    in_proj_bias: Tensor | None,
    bias_k: Tensor | None,
    bias_v: Tensor | None,
    add_zero_attn: bool,
    dropout_p: float,
    out_proj_weight: Tensor,
    out_proj_bias: Tensor | None,
    training: bool = True,
    key_padding_mask: Tensor | None = None,
    need_weights: bool = True,
    attn_mask: Tensor | None = None,
    use_separate_proj_weight: bool = False,
    q_proj_weight: Tensor | None = None,
    k_proj_weight: Tensor | None = None,
    v_proj_weight: Tensor | None = None,
    static_k: Tensor | None = None,
    static_v: Tensor | None = None,
    average_attn_weights: bool = True,
    is_causal: bool = False,
    batch_first: bool = False,
) -> tuple[Tensor, Tensor | None]:
    """Multi-head attention: out_proj(concat_h softmax(q_h k_h^T / sqrt(d) + mask) v_h).

    PyTorch's function and mask conventions: inputs ``(L, N, E)`` (``(N, L, E)`` with the
    extra ``batch_first=True``; unbatched ``(L, E)``); in ``attn_mask`` ``(L, S)`` or
    ``(N * num_heads, L, S)`` and ``key_padding_mask`` ``(N, S)`` a True entry is NOT
    attended and a float entry is added. Returns ``(output, weights)``, the weights
    ``(N, L, S)`` averaged over heads or ``(N, num_heads, L, S)``, None unless ``need_weights``.

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup.nn import functional as F
    >>> x, w, b = gu.ones(5, 2, 4), gu.ones(12, 4), gu.zeros(12)
    >>> out, weights = F.multi_head_attention_forward(
    ...     x, x, x, 4, 2, w, b, None, None, False, 0.0, gu.ones(4, 4), None)
    >>> out.shape, weights.shape
    ((5, 2, 4), (2, 5, 5))
    """
    if bias_k is not None or bias_v is not None or add_zero_attn:
        raise NotImplementedError("multi_head_attention_forward: add_bias_kv / add_zero_attn")
    if static_k is not None or static_v is not None:
        raise NotImplementedError("multi_head_attention_forward: static_k / static_v")
    if is_causal and attn_mask is None:
        raise RuntimeError(
            "multi_head_attention_forward: need attn_mask if specifying the is_causal hint; "
            "pass nn.Transformer.generate_square_subsequent_mask(L) as attn_mask"
        )
    batched = _check_inputs(query, key, value, embed_dim_to_check, num_heads)
    packed = query is key and key is value and not use_separate_proj_weight and not need_weights
    if not batched:  # (L, E) -> a batch of one
        b_axis = 0 if batch_first else 1
        query, key, value = (t.unsqueeze(b_axis) for t in (query, key, value))
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    if batch_first:
        (N, L, E), S = query.shape, key.shape[1]
    else:
        (L, N, E), S = query.shape, key.shape[0]
    mask = _merged_mask(query, attn_mask, key_padding_mask, N, num_heads, L, S)
    p = dropout_p if training else 0.0
    scale = 1.0 / math.sqrt(E // num_heads)
    weights_out = None
    if packed:
        # self-attention: one GEMM for the three projections, split by views in one op
        qkv = _linear.Linear.apply(query, in_proj_weight, in_proj_bias)
        qkv = qkv.reshape(*query.shape[:2], 3, num_heads, -1)
        qkv = qkv.permute(*((2, 0, 3, 1, 4) if batch_first else (2, 1, 3, 0, 4)))
        out = _attention.PackedSelfAttention.apply(
            qkv, mask, scale=scale, dropout_p=p, is_causal=False
        )
        return _merge_heads(out, query, E, out_proj_weight, out_proj_bias, batched, batch_first)
    if use_separate_proj_weight:
        weights = (q_proj_weight, k_proj_weight, v_proj_weight)
    else:
        weights = (in_proj_weight[:E], in_proj_weight[E : 2 * E], in_proj_weight[2 * E :])
    biases = (
        (None,) * 3
        if in_proj_bias is None
        else (in_proj_bias[:E], in_proj_bias[E : 2 * E], in_proj_bias[2 * E :])
    )
    heads = (0, 2, 1, 3) if batch_first else (1, 2, 0, 3)  # (N, H, L, D) from either layout
    q, k, v = (
        _linear.Linear.apply(x, w, b).reshape(*x.shape[:2], num_heads, -1).permute(*heads)
        for x, w, b in zip((query, key, value), weights, biases)
    )
    if need_weights:
        a = _attention.AttentionWeights.apply(q, k, mask, scale=scale, dropout_p=p, is_causal=False)
        out = a @ v
        weights_out = a.mean(dim=1) if average_attn_weights else a
        if not batched:
            weights_out = weights_out.squeeze(0)
    else:
        out = _attention.ScaledDotProductAttention.apply(
            q, k, v, mask, scale=scale, dropout_p=p, is_causal=False
        )
    out, _ = _merge_heads(out, query, E, out_proj_weight, out_proj_bias, batched, batch_first)
    return out, weights_out


def _merge_heads(
    out: Tensor, query: Tensor, E: int, w: Tensor, b: Tensor | None, batched: bool, bf: bool
) -> tuple[Tensor, None]:
    """(N, H, L, D) -> the input's layout with heads concatenated, then the output projection."""
    back = (0, 2, 1, 3) if bf else (2, 0, 1, 3)
    out = out.permute(*back).reshape(*query.shape[:2], E)
    out = _linear.Linear.apply(out, w, b)
    return (out if batched else out.squeeze(0 if bf else 1)), None


def _check_inputs(query: Tensor, key: Tensor, value: Tensor, embed_dim: int, heads: int) -> bool:
    """Whether the inputs are batched (3-D); raises on inconsistent ranks or sizes."""
    if query.ndim not in (2, 3) or key.ndim != query.ndim or value.ndim != query.ndim:
        raise ValueError(
            "MultiheadAttention: expected query, key and value all 3-D (batched) or all 2-D "
            f"(unbatched), got query {query.shape}, key {key.shape}, value {value.shape}"
        )
    if query.shape[-1] != embed_dim:
        raise ValueError(
            f"MultiheadAttention: expected query (..., embed_dim={embed_dim}), got {query.shape}"
        )
    if key.shape[:-1] != value.shape[:-1]:
        raise ValueError(
            f"MultiheadAttention: key {key.shape} and value {value.shape} must agree on all "
            "but the last dim"
        )
    if embed_dim % heads:
        raise ValueError(
            f"MultiheadAttention: embed_dim {embed_dim} must be divisible by num_heads {heads}"
        )
    return query.ndim == 3


def _additive(xp: Any, mask: Tensor, dtype: Any) -> Any:
    """PyTorch's MHA convention: a bool True is masked (-inf), a float mask is added."""
    m = mask.data
    if m.dtype == bool:
        out = xp.zeros(m.shape, dtype=dtype)
        out[m] = -xp.inf
        return out
    return m.astype(dtype, copy=False)


def _merged_mask(
    query: Tensor, attn_mask: Any, key_padding_mask: Any, N: int, H: int, L: int, S: int
) -> Tensor | None:
    """One additive (N or 1, H or 1, L, S) mask from ``attn_mask`` and ``key_padding_mask``."""
    xp, dtype = query._xp, query.dtype
    mask = None
    if attn_mask is not None:
        if attn_mask.ndim == 2 and attn_mask.shape == (L, S):
            mask = _additive(xp, attn_mask, dtype)  # (L, S) broadcasts over N and H
        elif attn_mask.ndim == 3 and attn_mask.shape == (N * H, L, S):
            mask = _additive(xp, attn_mask, dtype).reshape(N, H, L, S)
        else:
            raise ValueError(
                f"MultiheadAttention: attn_mask must be ({L}, {S}) or (N*num_heads={N * H}, "
                f"{L}, {S}) for query length L={L} and key length S={S}, got {attn_mask.shape}"
            )
    if key_padding_mask is not None:
        if key_padding_mask.shape != (N, S):
            raise ValueError(
                f"MultiheadAttention: expected key_padding_mask (N={N}, S={S}), "
                f"got {key_padding_mask.shape}"
            )
        pad = _additive(xp, key_padding_mask, dtype).reshape(N, 1, 1, S)
        mask = pad if mask is None else mask + pad
    return None if mask is None else Tensor._wrap(mask, query.device)
