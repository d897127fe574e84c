"""Gradient clipping, as ``torch.nn.utils``: ``clip_grad_norm_`` and ``clip_grad_value_``.

Both change the ``.grad`` of the parameters in place, outside the graph.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from groundup.tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_value_"]


def clip_grad_norm_(
    parameters: Tensor | Iterable[Tensor],
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
) -> Tensor:
    """Scale all gradients together so their total norm is at most ``max_norm``.

    total = ||(||g_1||_p, ..., ||g_k||_p)||_p over the parameters that have a ``.grad``
    (the norm of all gradients as one vector); when c = max_norm / (total + 1e-6) < 1, every
    gradient is multiplied by c, as PyTorch.

    Parameters
    ----------
    parameters : Tensor or iterable of Tensor
        E.g. ``model.parameters()``; those without a ``.grad`` are skipped.
    max_norm : float
    norm_type : float, default 2.0
        p; ``float("inf")`` for the largest absolute value.
    error_if_nonfinite : bool, default False
        Raise instead of scaling when the total norm is NaN or infinite.

    Returns
    -------
    Tensor
        The total norm before clipping (0-d, the gradients' dtype).

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup import nn
    >>> w = gu.tensor([3.0, 4.0], requires_grad=True)
    >>> (w * w).sum().backward()
    >>> nn.utils.clip_grad_norm_([w], max_norm=1.0)
    tensor(10.)
    >>> [round(v, 4) for v in w.grad.tolist()]
    [0.6, 0.8]
    """
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    grad_tensors = [p.grad for p in params if p.grad is not None]
    if not grad_tensors:
        return Tensor(0.0)
    xp, device = grad_tensors[0]._xp, grad_tensors[0].device
    grads = [g.data for g in grad_tensors]
    p = float(norm_type)
    norms = xp.stack([_vector_norm(g.reshape(-1), p, xp) for g in grads])
    total = _vector_norm(norms, p, xp)
    total_value = float(total)
    if error_if_nonfinite and not math.isfinite(total_value):
        raise RuntimeError(
            f"clip_grad_norm_: the total norm of order {norm_type} for gradients from "
            "`parameters` is non-finite, so it cannot be clipped. To disable this error and "
            "scale the gradients by the non-finite norm anyway, set `error_if_nonfinite=False`"
        )
    coef = min(float(max_norm) / (total_value + 1e-6), 1.0)  # NaN stays NaN, as PyTorch
    if coef != 1.0:
        for g in grads:
            g *= coef
    return Tensor._wrap(xp.asarray(total), device)


def clip_grad_value_(parameters: Tensor | Iterable[Tensor], clip_value: float) -> None:
    """Clip every gradient element into [-clip_value, clip_value], in place.

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup import nn
    >>> w = gu.tensor([3.0, -4.0], requires_grad=True)
    >>> (w * w).sum().backward()
    >>> nn.utils.clip_grad_value_(w, 1.0)
    >>> w.grad
    tensor([ 1., -1.])
    """
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    v = float(clip_value)
    for p in params:
        if p.grad is not None:
            g = p.grad.data
            p.grad._xp.clip(g, -v, v, out=g)


def _vector_norm(a: Any, p: float, xp: Any) -> Any:
    """||a||_p of a 1-d array, in its own dtype (0-d array), like ``torch.linalg.vector_norm``."""
    if a.size == 0:
        return xp.zeros((), dtype=a.dtype)
    if p == 2.0:
        return xp.sqrt(xp.dot(a, a))  # one BLAS call, no temporary
    if p == math.inf:
        return xp.abs(a).max()
    if p == -math.inf:
        return xp.abs(a).min()
    if p == 0.0:
        return (a != 0).sum().astype(a.dtype)
    if p == 1.0:
        return xp.abs(a).sum()
    return (xp.abs(a) ** p).sum() ** (1.0 / p)
