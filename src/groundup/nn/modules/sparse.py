"""``Embedding``: a learned lookup table from integer ids to vectors."""

from __future__ import annotations

from typing import Any

from groundup.creation import empty
from groundup.nn import functional as F
from groundup.nn import init
from groundup.nn.functional.sparse import padding_index
from groundup.nn.module import Module
from groundup.nn.parameter import Parameter
from groundup.tensor import Tensor

__all__ = ["Embedding"]


class Embedding(Module):
    """A table of ``num_embeddings`` vectors of size ``embedding_dim``: y = weight[ids].

    ``weight`` is drawn from N(0, 1), as PyTorch; the row ``padding_idx`` is zero and gets no
    gradient, so it stays zero (a padding token that contributes nothing).

    Shape: ids (*) of ints -> (*, embedding_dim).

    Parameters
    ----------
    num_embeddings : int
        The vocabulary size.
    embedding_dim : int
        The size of each vector.
    padding_idx : int, optional
        The id of the padding row (negative counts from the end).

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup import nn
    >>> emb = nn.Embedding(10, 3, padding_idx=0)
    >>> emb(gu.tensor([[1, 2, 0]])).shape
    (1, 3, 3)
    >>> emb.weight[0].tolist()
    [0.0, 0.0, 0.0]
    """

    def __init__(
        self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None
    ) -> None:
        super().__init__()
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.padding_idx = padding_index(padding_idx, num_embeddings, "Embedding")
        self.weight = Parameter(empty(num_embeddings, embedding_dim))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """weight ~ N(0, 1), then the padding row set to 0 (PyTorch's init)."""
        init.normal_(self.weight)
        if self.padding_idx is not None:
            self.weight.data[self.padding_idx] = 0

    def forward(self, input: Any) -> Tensor:
        return F.embedding(input, self.weight, self.padding_idx)

    @classmethod
    def from_pretrained(
        cls, embeddings: Tensor, freeze: bool = True, padding_idx: int | None = None
    ) -> Embedding:
        """An ``Embedding`` whose weight is a copy of ``embeddings`` (frozen unless told).

        Examples
        --------
        >>> import groundup as gu
        >>> from groundup import nn
        >>> emb = nn.Embedding.from_pretrained(gu.tensor([[1.0, 2.0], [3.0, 4.0]]))
        >>> emb(gu.tensor([1])).tolist(), emb.weight.requires_grad
        ([[3.0, 4.0]], False)
        """
        if embeddings.ndim != 2:
            raise ValueError(
                f"Embedding.from_pretrained: expected embeddings of shape (num_embeddings, D), "
                f"got {embeddings.shape}"
            )
        emb = cls(*embeddings.shape, padding_idx=padding_idx)
        emb.weight.data[...] = embeddings.data
        emb.weight.requires_grad = not freeze
        return emb

    def extra_repr(self) -> str:
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        return s if self.padding_idx is None else s + f", padding_idx={self.padding_idx}"
