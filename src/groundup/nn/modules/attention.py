"""``MultiheadAttention``: PyTorch's layer, parameter names, init and mask conventions."""

from __future__ import annotations

from typing import Any

from groundup.creation import empty
from groundup.nn import init
from groundup.nn.functional.attention import multi_head_attention_forward
from groundup.nn.module import Module
from groundup.nn.modules.linear import Linear
from groundup.nn.parameter import Parameter
from groundup.tensor import Tensor

__all__ = ["MultiheadAttention"]


class MultiheadAttention(Module):
    """out = concat_h(softmax(q_h k_h^T / sqrt(d) + mask) v_h) W_o^T + b_o, d = embed_dim / heads,
    with q_h, k_h, v_h the head slices of q W_q^T + b_q, k W_k^T + b_k, v W_v^T + b_v.

    Shape: query ``(L, N, E)``, key ``(S, N, kdim)``, value ``(S, N, vdim)`` -> output
    ``(L, N, E)`` (``(N, L, E)`` ... with ``batch_first=True``; unbatched ``(L, E)`` works too).

    Parameters
    ----------
    embed_dim, num_heads : int
        E, and the number of heads (E must be divisible by it).
    dropout : float, default 0.0
        Dropout on the attention weights in training mode.
    bias : bool, default True
        Biases in the input and output projections.
    add_bias_kv, add_zero_attn : bool, default False
        Not supported (True raises ``NotImplementedError``).
    kdim, vdim : int, optional
        Sizes of key and value features (default E); when they differ from E the input
        projections are the separate ``q_proj_weight``, ``k_proj_weight``, ``v_proj_weight``.
    batch_first : bool, default False

    Attributes
    ----------
    in_proj_weight : Parameter (3E, E), xavier_uniform_ (PyTorch's init)
    in_proj_bias : Parameter (3E,), zeros
    out_proj : Linear(E, E), PyTorch's Linear init with its bias zeroed

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup import nn
    >>> _ = gu.manual_seed(0)
    >>> mha = nn.MultiheadAttention(8, 2, batch_first=True)
    >>> x = gu.randn(3, 5, 8)
    >>> out, weights = mha(x, x, x)
    >>> out.shape, weights.shape
    ((3, 5, 8), (3, 5, 5))
    """

    def __init__(
        self,
        embed_dim: int,
        num_heads: int,
        dropout: float = 0.0,
        bias: bool = True,
        add_bias_kv: bool = False,
        add_zero_attn: bool = False,
        kdim: int | None = None,
        vdim: int | None = None,
        batch_first: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(
                f"MultiheadAttention: embed_dim and num_heads must be greater than 0, "
                f"got embed_dim={embed_dim} and num_heads={num_heads}"
            )
        if embed_dim % num_heads:
            raise ValueError(
                f"MultiheadAttention: embed_dim {embed_dim} must be divisible by "
                f"num_heads {num_heads}"
            )
        if add_bias_kv or add_zero_attn:
            raise NotImplementedError("MultiheadAttention: add_bias_kv / add_zero_attn")
        self.embed_dim, self.num_heads, self.dropout = embed_dim, num_heads, dropout
        self.kdim = embed_dim if kdim is None else kdim
        self.vdim = embed_dim if vdim is None else vdim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.head_dim = embed_dim // num_heads
        self.batch_first = batch_first
        kw = {"dtype": dtype, "device": device or "cpu"}
        if self._qkv_same_embed_dim:
            self.in_proj_weight = Parameter(empty(3 * embed_dim, embed_dim, **kw))
            for name in ("q_proj_weight", "k_proj_weight", "v_proj_weight"):
                self.register_parameter(name, None)
        else:
            self.register_parameter("in_proj_weight", None)
            self.q_proj_weight = Parameter(empty(embed_dim, embed_dim, **kw))
            self.k_proj_weight = Parameter(empty(embed_dim, self.kdim, **kw))
            self.v_proj_weight = Parameter(empty(embed_dim, self.vdim, **kw))
        if bias:
            self.in_proj_bias = Parameter(empty(3 * embed_dim, **kw))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = Linear(embed_dim, embed_dim, bias=bias, **kw)
        self.bias_k = self.bias_v = None
        self.add_zero_attn = False
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        """PyTorch's init: xavier_uniform_ projections, zero biases (out_proj's weight kept)."""
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            init.xavier_uniform_(self.q_proj_weight)
            init.xavier_uniform_(self.k_proj_weight)
            init.xavier_uniform_(self.v_proj_weight)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)

    def forward(
        self,
        query: Tensor,
        key: Tensor,
        value: Tensor,
        key_padding_mask: Tensor | None = None,
        need_weights: bool = True,
        attn_mask: Tensor | None = None,
        average_attn_weights: bool = True,
        is_causal: bool = False,
    ) -> tuple[Tensor, Tensor | None]:
        """(output, weights or None); in the masks True = NOT attended, floats are added."""
        return multi_head_attention_forward(
            query,
            key,
            value,
            self.embed_dim,
            self.num_heads,
            self.in_proj_weight,
            self.in_proj_bias,
            None,
            None,
            False,
            self.dropout,
            self.out_proj.weight,
            self.out_proj.bias,
            training=self.training,
            key_padding_mask=key_padding_mask,
            need_weights=need_weights,
            attn_mask=attn_mask,
            use_separate_proj_weight=not self._qkv_same_embed_dim,
            q_proj_weight=self.q_proj_weight,
            k_proj_weight=self.k_proj_weight,
            v_proj_weight=self.v_proj_weight,
            average_attn_weights=average_attn_weights,
            is_causal=is_causal,
            batch_first=self.batch_first,
        )
