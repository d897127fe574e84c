"""Embedding lookup, as PyTorch's ``torch.nn.functional.embedding``."""

from __future__ import annotations

from typing import Any

from groundup import dtypes
from groundup.ops import embedding as ops
from groundup.tensor import Tensor

__all__ = ["embedding"]


def embedding(input: Any, weight: Tensor, padding_idx: int | None = None) -> Tensor:
    """Rows of ``weight`` (num_embeddings, D) picked by the integer ids ``input``: weight[input].

    The result has shape ``input.shape + (D,)``. Repeated ids accumulate their gradients;
    the row ``padding_idx`` (negative counts from the end) gets none.

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup.nn import functional as F
    >>> w = gu.tensor([[0.0, 0.0], [1.0, 2.0], [3.0, 4.0]])
    >>> F.embedding(gu.tensor([[2, 1]]), w)
    tensor([[[3., 4.],
             [1., 2.]]])
    """
    name = "embedding"
    if not isinstance(weight, Tensor) or weight.ndim != 2:
        shape = getattr(weight, "shape", type(weight).__name__)
        raise ValueError(f"{name}: expected weight of shape (num_embeddings, D), got {shape}")
    ids = input if isinstance(input, Tensor) else Tensor(input, device=weight.device)
    if ids.dtype.kind not in "iu":
        raise TypeError(
            f"{name}: expected integer ids, got dtype {ids.dtype}; convert with .long()"
        )
    n = weight.shape[0]
    if ids.numel():
        lo, hi = int(ids.data.min()), int(ids.data.max())
        if lo < 0 or hi >= n:
            raise IndexError(
                f"{name}: id {lo if lo < 0 else hi} is out of range for {n} embeddings "
                f"(expected 0 <= id < {n})"
            )
    padding_idx = padding_index(padding_idx, n, name)
    if not dtypes.is_floating(weight.dtype):
        raise TypeError(f"{name}: expected a floating-point weight, got {weight.dtype}")
    return ops.Embedding.apply(weight, ids.data, padding_idx=padding_idx)


def padding_index(padding_idx: int | None, n: int, name: str) -> int | None:
    """``padding_idx`` in [0, n) (a negative one counts from the end), or None."""
    if padding_idx is None:
        return None
    if not -n <= padding_idx < n:
        raise ValueError(f"{name}: padding_idx must be within [-{n}, {n}), got {padding_idx}")
    return padding_idx % n
