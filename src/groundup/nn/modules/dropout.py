"""``Dropout``: inverted dropout in training mode, the identity in eval mode."""

from __future__ import annotations

from groundup.nn import functional as F
from groundup.nn.functional.linear import _check_p
from groundup.nn.module import Module
from groundup.tensor import Tensor

__all__ = ["Dropout"]


class Dropout(Module):
    """Zero each element with probability p and scale the rest by 1/(1-p); identity in eval.

    Shape: any -> the same. The mask is drawn from the seeded generator (``gu.manual_seed``).

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup import nn
    >>> drop = nn.Dropout(p=0.25)
    >>> drop.eval()(gu.ones(3)).tolist()
    [1.0, 1.0, 1.0]
    >>> drop
    Dropout(p=0.25, inplace=False)
    """

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        _check_p(p)
        self.p = p
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.dropout(input, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"
