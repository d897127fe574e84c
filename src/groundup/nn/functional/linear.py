"""Functional forms of the core layers: ``linear``, ``dropout`` and ``flatten``."""

from __future__ import annotations

from typing import Any

from groundup.ops import dropout as _dropout
from groundup.ops import linear as _linear
from groundup.tensor import Tensor

__all__ = ["linear", "dropout", "flatten"]


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:  # noqa: A002
    """y = x @ weight.T + bias, one fused op (``ops/linear.py``).

    Shape: input ``(*, in)``, weight ``(out, in)``, bias ``(out,)`` -> ``(*, out)``.

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup.nn import functional as F
    >>> F.linear(gu.ones(2, 3), gu.ones(4, 3), gu.zeros(4)).tolist()
    [[3.0, 3.0, 3.0, 3.0], [3.0, 3.0, 3.0, 3.0]]
    """
    return _linear.Linear.apply(input, weight, bias)


def dropout(
    input: Tensor,  # noqa: A002
    p: float = 0.5,
    training: bool = True,
    inplace: bool = False,
) -> Tensor:
    """Inverted dropout: zero each element with probability p, scale the rest by 1/(1-p).

    The identity when ``training`` is False or p is 0 (``inplace`` is accepted and ignored).
    The mask comes from the seeded generator (``gu.manual_seed``).

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup.nn import functional as F
    >>> _ = gu.manual_seed(0)
    >>> sorted(set(F.dropout(gu.ones(100), p=0.5).tolist()))
    [0.0, 2.0]
    """
    _check_p(p)
    if not training or p == 0.0:
        return input
    return _dropout.Dropout.apply(input, float(p))


def _check_p(p: Any) -> None:
    if not isinstance(p, (int, float)) or not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:  # noqa: A002
    """Merge dimensions ``start_dim``..``end_dim`` into one (a view when possible).

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup.nn import functional as F
    >>> F.flatten(gu.ones(2, 3, 4), 1).shape
    (2, 12)
    """
    n = max(input.ndim, 1)
    # checked here because Tensor.flatten wraps an out-of-range end_dim around silently
    for d in (start_dim, end_dim):
        if not -n <= d < n:
            raise IndexError(
                f"flatten: dim {d} is out of range for a tensor of shape {input.shape} "
                f"(expected {-n} <= dim < {n})"
            )
    if start_dim % n > end_dim % n:
        raise ValueError(
            f"flatten: start_dim {start_dim} comes after end_dim {end_dim} "
            f"for a tensor of shape {input.shape}"
        )
    return input.flatten(start_dim, end_dim)
