"""Activation functions, PyTorch's ``torch.nn.functional`` names and arguments.

ReLU, sigmoid, tanh, softmax and log-softmax call the engine's ops; leaky ReLU, ELU, SiLU
and GELU call ``ops/activation.py``. ``inplace=`` is accepted for compatibility and ignored:
the result is always a new tensor.
"""

from __future__ import annotations

import warnings
from typing import Any

from groundup.ops import activation as _act
from groundup.tensor import Tensor

__all__ = ["relu", "leaky_relu", "sigmoid", "tanh", "gelu", "elu", "silu", "softmax",
           "log_softmax"]  # fmt: skip


def relu(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """max(x, 0).

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup.nn import functional as F
    >>> F.relu(gu.tensor([-1.0, 2.0])).tolist()
    [0.0, 2.0]
    """
    return input.relu()


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:  # noqa: A002
    """x if x > 0 else negative_slope x.

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup.nn import functional as F
    >>> F.leaky_relu(gu.tensor([-1.0, 2.0]), 0.1).tolist()
    [-0.10000000149011612, 2.0]
    """
    input._require_float("leaky_relu")
    return _act.LeakyRelu.apply(input, float(negative_slope))


def sigmoid(input: Tensor) -> Tensor:  # noqa: A002
    """1 / (1 + e**-x)."""
    return input.sigmoid()


def tanh(input: Tensor) -> Tensor:  # noqa: A002
    """(e**x - e**-x) / (e**x + e**-x)."""
    return input.tanh()


def gelu(input: Tensor, approximate: str = "none") -> Tensor:  # noqa: A002
    """x Phi(x), Phi the standard normal CDF; ``approximate="tanh"`` uses
    0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x**3))).

    The exact form computes erf with W. J. Cody's rational approximation (relative error
    below 1e-16 in float64, a few ulp in float32).

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup.nn import functional as F
    >>> round(F.gelu(gu.tensor([1.0])).item(), 6)
    0.841345
    """
    input._require_float("gelu")
    if approximate == "none":
        return _act.Gelu.apply(input)
    if approximate == "tanh":
        return _act.GeluTanh.apply(input)
    raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:  # noqa: A002
    """x if x > 0 else alpha (e**x - 1)."""
    input._require_float("elu")
    return _act.Elu.apply(input, float(alpha))


def silu(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """x sigmoid(x) (also called swish)."""
    input._require_float("silu")
    return _act.Silu.apply(input)


def _softmax_dim(name: str, ndim: int) -> int:
    # PyTorch's legacy rule when dim is left out, with its deprecation warning
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. "
        "Change the call to include dim=X as an argument.",
        stacklevel=3,
    )
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:  # noqa: A002
    """e**x / sum(e**x) along ``dim``, shifted by the max so it cannot overflow.

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup.nn import functional as F
    >>> F.softmax(gu.tensor([[0.0, 0.0]]), dim=1).tolist()
    [[0.5, 0.5]]
    """
    if dim is None:
        dim = _softmax_dim("softmax", input.ndim)
    if dtype is not None:
        input = input.to(dtype)
    return input.softmax(dim)


def log_softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:  # noqa: A002
    """x - log(sum(e**x)) along ``dim``, computed stably."""
    if dim is None:
        dim = _softmax_dim("log_softmax", input.ndim)
    if dtype is not None:
        input = input.to(dtype)
    return input.log_softmax(dim)
