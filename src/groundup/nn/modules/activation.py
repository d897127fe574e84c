"""Activation layers: each is a ``Module`` around its ``nn.functional`` namesake.

Shape: any -> the same (``Softmax``/``LogSoftmax`` normalise along ``dim``).
``inplace=`` is accepted for compatibility and shown in the repr, but never changes the input.
"""

from __future__ import annotations

from groundup.nn import functional as F
from groundup.nn.module import Module
from groundup.tensor import Tensor

__all__ = ["ReLU", "LeakyReLU", "Sigmoid", "Tanh", "GELU", "ELU", "SiLU", "Softmax", "LogSoftmax"]


class ReLU(Module):
    """max(x, 0).

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup import nn
    >>> nn.ReLU()(gu.tensor([-1.0, 2.0])).tolist()
    [0.0, 2.0]
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return input.relu()

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class LeakyReLU(Module):
    """x if x > 0 else negative_slope x.

    Examples
    --------
    >>> from groundup import nn
    >>> nn.LeakyReLU(0.2)
    LeakyReLU(negative_slope=0.2)
    """

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.leaky_relu(input, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class Sigmoid(Module):
    """1 / (1 + e**-x).

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup import nn
    >>> nn.Sigmoid()(gu.zeros(1)).tolist()
    [0.5]
    """

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return input.sigmoid()


class Tanh(Module):
    """tanh x.

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup import nn
    >>> nn.Tanh()(gu.zeros(1)).tolist()
    [0.0]
    """

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return input.tanh()


class GELU(Module):
    """x Phi(x) (``approximate="none"``) or its tanh approximation (``"tanh"``).

    Examples
    --------
    >>> from groundup import nn
    >>> nn.GELU(approximate="tanh")
    GELU(approximate='tanh')
    """

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class ELU(Module):
    """x if x > 0 else alpha (e**x - 1).

    Examples
    --------
    >>> from groundup import nn
    >>> nn.ELU()
    ELU(alpha=1.0)
    """

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.elu(input, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class SiLU(Module):
    """x sigmoid(x).

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup import nn
    >>> nn.SiLU()(gu.zeros(1)).tolist()
    [0.0]
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.silu(input)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class Softmax(Module):
    """e**x / sum(e**x) along ``dim``.

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup import nn
    >>> nn.Softmax(dim=-1)(gu.zeros(1, 4)).tolist()
    [[0.25, 0.25, 0.25, 0.25]]
    """

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.softmax(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Module):
    """x - log(sum(e**x)) along ``dim``.

    Examples
    --------
    >>> from groundup import nn
    >>> nn.LogSoftmax(dim=1)
    LogSoftmax(dim=1)
    """

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.log_softmax(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"
