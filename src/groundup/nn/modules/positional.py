"""Position information for transformers: fixed sinusoids (``PositionalEncoding``, Vaswani et
al. 2017, section 3.5) and a learned table (``LearnedPositionalEmbedding``, as in GPT/BERT)."""

from __future__ import annotations

import math
from typing import Any

from groundup.creation import empty, zeros
from groundup.nn import init
from groundup.nn.module import Module
from groundup.nn.modules.dropout import Dropout
from groundup.nn.parameter import Parameter
from groundup.tensor import Tensor

__all__ = ["PositionalEncoding", "LearnedPositionalEmbedding"]


def _check_length(layer: str, x: Tensor, max_len: int, d_model: int, batch_first: bool) -> int:
    if x.ndim != 3 or x.shape[-1] != d_model:
        layout = "(N, S, d_model)" if batch_first else "(S, N, d_model)"
        raise ValueError(f"{layer}: expected input {layout} with d_model={d_model}, got {x.shape}")
    length = x.shape[1] if batch_first else x.shape[0]
    if length > max_len:
        raise ValueError(
            f"{layer}: sequence length {length} is longer than max_len={max_len}; "
            "build the layer with a larger max_len"
        )
    return length


class PositionalEncoding(Module):
    """out = dropout(x + PE[:S]),  PE[pos, 2i] = sin(pos / 10000^(2i/d)),
    PE[pos, 2i+1] = cos(pos / 10000^(2i/d)).

    Shape: ``(S, N, d_model)`` (``(N, S, d_model)`` with ``batch_first``) -> the same. The
    table is the buffer ``pe`` of shape ``(max_len, 1, d_model)``, as in PyTorch's tutorial
    (``(1, max_len, d_model)`` with ``batch_first``).

    Parameters
    ----------
    d_model : int
    dropout : float, default 0.1
    max_len : int, default 5000
    batch_first : bool, default False

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup import nn
    >>> pos = nn.PositionalEncoding(4, dropout=0.0)
    >>> [round(v, 4) for v in pos.pe[1, 0].tolist()]
    [0.8415, 0.5403, 0.01, 0.9999]
    >>> pos(gu.zeros(3, 2, 4)).shape
    (3, 2, 4)
    """

    def __init__(
        self, d_model: int, dropout: float = 0.1, max_len: int = 5000, batch_first: bool = False
    ) -> None:
        super().__init__()
        self.d_model, self.max_len, self.batch_first = d_model, max_len, batch_first
        self.dropout = Dropout(p=dropout)
        pe = zeros(max_len, d_model)
        xp = pe._xp
        position = xp.arange(max_len, dtype="float64")[:, None]  # (max_len, 1)
        div_term = xp.exp(xp.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
        pe.data[:, 0::2] = xp.sin(position * div_term)
        pe.data[:, 1::2] = xp.cos(position * div_term[: d_model // 2])
        shape = (1, max_len, d_model) if batch_first else (max_len, 1, d_model)
        self.register_buffer("pe", pe.reshape(*shape).detach())

    def forward(self, x: Tensor) -> Tensor:
        length = _check_length(
            "PositionalEncoding", x, self.max_len, self.d_model, self.batch_first
        )
        pe = self.pe[:, :length] if self.batch_first else self.pe[:length]
        if pe.dtype != x.dtype:
            pe = pe.to(x.dtype)
        return self.dropout(x + pe)

    def extra_repr(self) -> str:
        return f"d_model={self.d_model}, max_len={self.max_len}, batch_first={self.batch_first}"


class LearnedPositionalEmbedding(Module):
    """out = dropout(x + weight[:S]): one learned vector per position, added to the input.

    Shape: ``(S, N, d_model)`` (``(N, S, d_model)`` with ``batch_first``) -> the same.
    ``weight`` ``(max_len, d_model)`` starts from N(0, 0.02^2), GPT-2's init.

    Parameters
    ----------
    max_len, d_model : int
    dropout : float, default 0.0
    batch_first : bool, default False

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup import nn
    >>> pos = nn.LearnedPositionalEmbedding(16, 4, batch_first=True)
    >>> pos(gu.zeros(2, 5, 4)).shape, pos.weight.shape
    ((2, 5, 4), (16, 4))
    """

    def __init__(
        self,
        max_len: int,
        d_model: int,
        dropout: float = 0.0,
        batch_first: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        self.max_len, self.d_model, self.batch_first = max_len, d_model, batch_first
        self.weight = Parameter(empty(max_len, d_model, dtype=dtype, device=device or "cpu"))
        self.dropout = Dropout(p=dropout)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """weight ~ N(0, 0.02^2)."""
        init.normal_(self.weight, std=0.02)

    def forward(self, x: Tensor) -> Tensor:
        length = _check_length(
            "LearnedPositionalEmbedding", x, self.max_len, self.d_model, self.batch_first
        )
        w = self.weight[:length]  # (S, d_model)
        return self.dropout(x + (w if self.batch_first else w.unsqueeze(1)))

    def extra_repr(self) -> str:
        return f"{self.max_len}, {self.d_model}, batch_first={self.batch_first}"
