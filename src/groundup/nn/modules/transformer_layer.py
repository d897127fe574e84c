"""The two transformer layers (Vaswani et al. 2017), PyTorch's ``TransformerEncoderLayer`` and
``TransformerDecoderLayer`` with the same submodule names, so a PyTorch state_dict loads."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from groundup.nn import functional as F
from groundup.nn.module import Module
from groundup.nn.modules.attention import MultiheadAttention
from groundup.nn.modules.dropout import Dropout
from groundup.nn.modules.linear import Linear
from groundup.nn.modules.normalization import LayerNorm
from groundup.tensor import Tensor

__all__ = ["TransformerEncoderLayer", "TransformerDecoderLayer"]


def _activation(activation: str | Callable) -> Callable:
    if activation == "relu":
        return F.relu
    if activation == "gelu":
        return F.gelu
    if callable(activation):
        return activation
    raise RuntimeError(f"activation should be relu/gelu, not {activation}")


class _TransformerLayer(Module):
    """What both layers share: submodules built in PyTorch's order, the attention and
    feed-forward sub-blocks.

    The residual sums are written ``sublayer(x) + x`` (the skip operand last): the engine's
    backward walk currently orders ``x + f(x)`` wrongly when x is not a leaf (reported with
    a repro); the sum is the same either way.
    """

    def _build(
        self,
        d_model: int,
        nhead: int,
        dim_feedforward: int,
        dropout: float,
        activation: Any,
        layer_norm_eps: float,
        batch_first: bool,
        norm_first: bool,
        bias: bool,
        device: Any,
        dtype: Any,
        cross: bool,
    ) -> None:
        kw = {"device": device, "dtype": dtype}
        attn = {"dropout": dropout, "bias": bias, "batch_first": batch_first, **kw}
        self.self_attn = MultiheadAttention(d_model, nhead, **attn)
        if cross:
            self.multihead_attn = MultiheadAttention(d_model, nhead, **attn)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, **kw)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, **kw)
        self.norm_first = norm_first
        for i in range(1, 4 if cross else 3):
            setattr(self, f"norm{i}", LayerNorm(d_model, eps=layer_norm_eps, bias=bias))
        for i in range(1, 4 if cross else 3):
            setattr(self, f"dropout{i}", Dropout(dropout))
        self.activation = _activation(activation)
        if dtype is not None:
            self.to(dtype)

    def _sa(self, x: Tensor, mask: Any, padding: Any, is_causal: bool) -> Tensor:
        out = self.self_attn(
            x,
            x,
            x,
            attn_mask=mask,
            key_padding_mask=padding,
            need_weights=False,
            is_causal=is_causal,
        )[0]
        return self.dropout1(out)

    def _ff(self, x: Tensor) -> Tensor:
        return self.linear2(self.dropout(self.activation(self.linear1(x))))


class TransformerEncoderLayer(_TransformerLayer):
    """Self-attention then a feed-forward block, each with a residual connection and layer norm.

    Post-norm (default): x = norm1(x + sa(x)); x = norm2(x + ff(x)).
    Pre-norm (``norm_first=True``): x = x + sa(norm1(x)); x = x + ff(norm2(x)).
    Shape: src ``(S, N, E)`` (``(N, S, E)`` with ``batch_first``) -> the same.

    Parameters
    ----------
    d_model, nhead : int
    dim_feedforward : int, default 2048
    dropout : float, default 0.1
    activation : "relu", "gelu" or a callable
    layer_norm_eps : float, default 1e-5
    batch_first, norm_first, bias : bool

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup import nn
    >>> _ = gu.manual_seed(0)
    >>> layer = nn.TransformerEncoderLayer(d_model=8, nhead=2, dim_feedforward=16)
    >>> layer(gu.randn(5, 3, 8)).shape
    (5, 3, 8)
    """

    def __init__(
        self,
        d_model: int,
        nhead: int,
        dim_feedforward: int = 2048,
        dropout: float = 0.1,
        activation: str | Callable = "relu",
        layer_norm_eps: float = 1e-5,
        batch_first: bool = False,
        norm_first: bool = False,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        self._build(
            d_model,
            nhead,
            dim_feedforward,
            dropout,
            activation,
            layer_norm_eps,
            batch_first,
            norm_first,
            bias,
            device,
            dtype,
            cross=False,
        )

    def forward(
        self,
        src: Tensor,
        src_mask: Tensor | None = None,
        src_key_padding_mask: Tensor | None = None,
        is_causal: bool = False,
    ) -> Tensor:
        """``src_mask`` (S, S) or (N*nhead, S, S) and ``src_key_padding_mask`` (N, S):
        True = NOT attended, floats added (``MultiheadAttention``'s convention)."""
        x = src
        if self.norm_first:
            x = self._sa(self.norm1(x), src_mask, src_key_padding_mask, is_causal) + x
            return self.dropout2(self._ff(self.norm2(x))) + x
        x = self.norm1(self._sa(x, src_mask, src_key_padding_mask, is_causal) + x)
        return self.norm2(self.dropout2(self._ff(x)) + x)


class TransformerDecoderLayer(_TransformerLayer):
    """Masked self-attention, attention over the encoder's ``memory``, then feed-forward.

    Post-norm (default): x = norm1(x + sa(x)); x = norm2(x + mha(x, memory));
    x = norm3(x + ff(x)). Pre-norm (``norm_first=True``) normalises each block's input instead.
    Shape: tgt ``(T, N, E)``, memory ``(S, N, E)`` (batch first with ``batch_first``) -> tgt's.

    Parameters are those of ``TransformerEncoderLayer``.

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup import nn
    >>> _ = gu.manual_seed(0)
    >>> layer = nn.TransformerDecoderLayer(8, 2, dim_feedforward=16, batch_first=True)
    >>> tgt, memory = gu.randn(3, 4, 8), gu.randn(3, 6, 8)
    >>> layer(tgt, memory, tgt_mask=nn.generate_square_subsequent_mask(4)).shape
    (3, 4, 8)
    """

    def __init__(
        self,
        d_model: int,
        nhead: int,
        dim_feedforward: int = 2048,
        dropout: float = 0.1,
        activation: str | Callable = "relu",
        layer_norm_eps: float = 1e-5,
        batch_first: bool = False,
        norm_first: bool = False,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        self._build(
            d_model,
            nhead,
            dim_feedforward,
            dropout,
            activation,
            layer_norm_eps,
            batch_first,
            norm_first,
            bias,
            device,
            dtype,
            cross=True,
        )

    def forward(
        self,
        tgt: Tensor,
        memory: Tensor,
        tgt_mask: Tensor | None = None,
        memory_mask: Tensor | None = None,
        tgt_key_padding_mask: Tensor | None = None,
        memory_key_padding_mask: Tensor | None = None,
        tgt_is_causal: bool = False,
        memory_is_causal: bool = False,
    ) -> Tensor:
        """Masks as in ``MultiheadAttention`` (True = NOT attended, floats added)."""
        x = tgt
        if self.norm_first:
            x = self._sa(self.norm1(x), tgt_mask, tgt_key_padding_mask, tgt_is_causal) + x
            x = (
                self._mha(
                    self.norm2(x), memory, memory_mask, memory_key_padding_mask, memory_is_causal
                )
                + x
            )
            return self.dropout3(self._ff(self.norm3(x))) + x
        x = self.norm1(self._sa(x, tgt_mask, tgt_key_padding_mask, tgt_is_causal) + x)
        x = self.norm2(
            self._mha(x, memory, memory_mask, memory_key_padding_mask, memory_is_causal) + x
        )
        return self.norm3(self.dropout3(self._ff(x)) + x)

    def _mha(self, x: Tensor, mem: Tensor, mask: Any, padding: Any, is_causal: bool) -> Tensor:
        out = self.multihead_attn(
            x,
            mem,
            mem,
            attn_mask=mask,
            key_padding_mask=padding,
            need_weights=False,
            is_causal=is_causal,
        )[0]
        return self.dropout2(out)
