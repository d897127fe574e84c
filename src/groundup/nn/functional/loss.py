"""Loss functions, as PyTorch's ``torch.nn.functional`` namesakes.

Each checks its arguments once, here, then runs one fused node from ``ops/loss.py``.
Options after ``weight`` are keyword-only: PyTorch's deprecated ``size_average``/``reduce``
sit between them positionally, so a positional call copied from PyTorch fails loudly here
instead of meaning something else.
"""

from __future__ import annotations

import warnings
from typing import Any

from groundup import dtypes
from groundup.ops import loss as ops
from groundup.tensor import Tensor

__all__ = [
    "mse_loss",
    "l1_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "nll_loss",
]


def mse_loss(input: Tensor, target: Any, *, reduction: str = "mean") -> Tensor:
    """Mean squared error: reduce((input - target)**2).

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup.nn import functional as F
    >>> F.mse_loss(gu.tensor([1.0, 2.0]), gu.tensor([0.0, 0.0]))
    tensor(2.5)
    """
    x, y = _regression_pair(input, target, reduction, "mse_loss")
    return ops.MSELoss.apply(x, y, reduction=reduction)


def l1_loss(input: Tensor, target: Any, *, reduction: str = "mean") -> Tensor:
    """Mean absolute error: reduce(|input - target|).

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup.nn import functional as F
    >>> F.l1_loss(gu.tensor([1.0, -2.0]), gu.tensor([0.0, 0.0]), reduction="sum")
    tensor(3.)
    """
    x, y = _regression_pair(input, target, reduction, "l1_loss")
    return ops.L1Loss.apply(x, y, reduction=reduction)


def binary_cross_entropy(
    input: Tensor, target: Any, weight: Tensor | None = None, *, reduction: str = "mean"
) -> Tensor:
    """Binary cross-entropy of probabilities: reduce(-w (y ln x + (1 - y) ln(1 - x))).

    Each log is clamped at -100, as PyTorch, so a probability of exactly 0 or 1 gives a
    finite loss. ``input`` must hold probabilities in [0, 1] (apply ``sigmoid`` first, or
    use ``binary_cross_entropy_with_logits``, which is also more stable).

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup.nn import functional as F
    >>> loss = F.binary_cross_entropy(gu.tensor([0.5, 0.5]), gu.tensor([1.0, 0.0]))
    >>> round(loss.item(), 4)
    0.6931
    """
    x, y = _binary_pair(input, target, reduction, "binary_cross_entropy")
    lo, hi = x.data.min(), x.data.max()
    if not (lo >= 0 and hi <= 1):  # also catches NaN
        raise ValueError(
            f"binary_cross_entropy: all elements of input should be between 0 and 1, got values "
            f"in [{float(lo)}, {float(hi)}]; apply sigmoid first, or use "
            "binary_cross_entropy_with_logits on the logits"
        )
    w = _broadcast_weight(weight, x, "weight", "binary_cross_entropy")
    return ops.BinaryCrossEntropy.apply(x, y, w, reduction=reduction)


def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Any,
    weight: Tensor | None = None,
    *,
    reduction: str = "mean",
    pos_weight: Tensor | None = None,
) -> Tensor:
    """Sigmoid + binary cross-entropy in one stable node, on logits x:
    reduce(w ((1 - y) x + (1 + (p - 1) y) ln(1 + e**-x))), p = ``pos_weight`` (1 if None).

    ``pos_weight`` (e.g. one value per class, broadcast over the last axis) scales the loss of
    positive targets: > 1 raises recall, < 1 raises precision.

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup.nn import functional as F
    >>> loss = F.binary_cross_entropy_with_logits(gu.tensor([0.0, 100.0]), gu.tensor([1.0, 1.0]))
    >>> round(loss.item(), 4)
    0.3466
    """
    name = "binary_cross_entropy_with_logits"
    x, y = _binary_pair(input, target, reduction, name)
    w = _broadcast_weight(weight, x, "weight", name)
    p = _broadcast_weight(pos_weight, x, "pos_weight", name)
    return ops.BinaryCrossEntropyWithLogits.apply(x, y, w, p, reduction=reduction)


def cross_entropy(
    input: Tensor,
    target: Any,
    weight: Tensor | None = None,
    *,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Cross-entropy of logits against classes: log-softmax and NLL fused in one node.

    loss_i = -sum_c a_ic log_softmax(x_i)_c, with a_i the one-hot class (class indices) or the
    given distribution (class probabilities), smoothed to (1 - eps) a_i + eps / C and
    weighted by ``weight`` per class. With class indices, a mean divides by the summed weight
    of the targets not equal to ``ignore_index`` (as PyTorch); with probabilities, by the
    number of rows. Stable for any logits: only differences from each row's max are
    exponentiated.

    Parameters
    ----------
    input : Tensor
        Logits (N, C), (N, C, d1, ...) or one unbatched row (C,).
    target : Tensor
        Class indices, int, of shape (N,), (N, d1, ...) or (); or class probabilities,
        float, of ``input``'s shape.
    weight : Tensor, optional
        One weight per class, shape (C,).
    ignore_index : int, default -100
        A class index whose rows add nothing to the loss or the gradient.
    reduction : {"mean", "sum", "none"}, default "mean"
    label_smoothing : float, default 0.0
        eps in [0, 1].

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup.nn import functional as F
    >>> loss = F.cross_entropy(gu.tensor([[2.0, 0.0, 0.0], [0.0, 0.0, 0.0]]), gu.tensor([0, 2]))
    >>> round(loss.item(), 4)
    0.6691
    """
    name = "cross_entropy"
    x, t, unbatched = _class_inputs(input, target, reduction, ignore_index, name, probs_ok=True)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(
            f"{name}: label_smoothing must be between 0.0 and 1.0, got {label_smoothing}"
        )
    if dtypes.is_floating(t.dtype):
        if ignore_index >= 0:
            raise ValueError(f"{name}: ignore_index is not supported for probability targets")
        t = t if t.dtype == x.dtype else t.to(x.dtype)
    w = _class_weight(weight, x, name)
    out = ops.CrossEntropy.apply(
        x, t, w, reduction=reduction, ignore_index=ignore_index, smoothing=float(label_smoothing)
    )
    return out.reshape(()) if unbatched and reduction == "none" else out


def nll_loss(
    input: Tensor,
    target: Any,
    weight: Tensor | None = None,
    *,
    ignore_index: int = -100,
    reduction: str = "mean",
) -> Tensor:
    """Negative log-likelihood of log-probabilities: reduce(-weight[t_i] input[i, t_i]).

    ``input`` is (N, C), (N, C, d1, ...) or (C,), usually from ``log_softmax``; ``target``
    holds class indices (int) of shape (N,), (N, d1, ...) or (). A mean divides by the summed
    weight of the targets not equal to ``ignore_index``.

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup.nn import functional as F
    >>> F.nll_loss(gu.tensor([[-0.5, -1.0], [-2.0, -0.1]]), gu.tensor([0, 0]))
    tensor(1.25)
    """
    name = "nll_loss"
    x, t, unbatched = _class_inputs(input, target, reduction, ignore_index, name, probs_ok=False)
    w = _class_weight(weight, x, name)
    out = ops.NLLLoss.apply(x, t, w, reduction=reduction, ignore_index=ignore_index)
    return out.reshape(()) if unbatched and reduction == "none" else out


# ----------------------------------------------------------------------------- argument checks
def check_reduction(reduction: str, name: str) -> None:
    """Raise ValueError unless ``reduction`` is "mean", "sum" or "none"."""
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{name}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def _as_tensor(t: Any, like: Tensor) -> Tensor:
    """``t`` as a tensor on ``like``'s device (arrays and lists are converted)."""
    return t if isinstance(t, Tensor) else Tensor(t, device=like.device)


def _float_input(input: Any, name: str) -> Tensor:
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}: expected input to be a Tensor, got {type(input).__name__}")
    if not dtypes.is_floating(input.dtype):
        raise TypeError(
            f"{name}: expected a floating-point input, got dtype {input.dtype}; use .float()"
        )
    return input


def _float_target(target: Any, x: Tensor) -> Tensor:
    """The target as a tensor of the input's dtype (int or float64 labels are cast)."""
    y = _as_tensor(target, x)
    return y if y.dtype == x.dtype else y.to(x.dtype)


def _regression_pair(input: Any, target: Any, reduction: str, name: str) -> tuple:
    x = _float_input(input, name)
    check_reduction(reduction, name)
    y = _float_target(target, x)
    if x.shape != y.shape:
        try:
            x._xp.broadcast_shapes(x.shape, y.shape)
        except ValueError:
            raise ValueError(
                f"{name}: target shape {y.shape} does not broadcast with input shape {x.shape}"
            ) from None
        warnings.warn(  # PyTorch's warning: (N, 1) against (N,) silently makes an (N, N) loss
            f"{name}: using a target size {y.shape} that is different to the input size "
            f"{x.shape}; this will likely lead to incorrect results due to broadcasting. "
            "Please ensure they have the same size.",
            UserWarning,
            stacklevel=3,
        )
    return x, y


def _binary_pair(input: Any, target: Any, reduction: str, name: str) -> tuple:
    x = _float_input(input, name)
    check_reduction(reduction, name)
    y = _float_target(target, x)
    if x.shape != y.shape:
        raise ValueError(
            f"{name}: target shape {y.shape} must be the same as input shape {x.shape}; "
            "reshape one of them (e.g. output.squeeze(-1) or target.unsqueeze(-1))"
        )
    return x, y


def _broadcast_weight(weight: Any, x: Tensor, what: str, name: str) -> Tensor | None:
    if weight is None:
        return None
    w = _float_target(weight, x)
    try:
        shape = x._xp.broadcast_shapes(w.shape, x.shape)
    except ValueError:
        shape = None
    if shape != x.shape:
        raise ValueError(f"{name}: {what} of shape {w.shape} does not broadcast to input {x.shape}")
    return w


def _class_weight(weight: Any, x: Tensor, name: str) -> Tensor | None:
    if weight is None:
        return None
    w = _float_target(weight, x)
    if w.shape != (x.shape[1],):
        raise ValueError(
            f"{name}: weight should hold one value per class, shape ({x.shape[1]},), got {w.shape}"
        )
    return w


def _class_inputs(
    input: Any, target: Any, reduction: str, ignore_index: int, name: str, probs_ok: bool
) -> tuple:
    """(x as (N, C, *d), target, unbatched) after checking shapes, dtypes and class range."""
    x = _float_input(input, name)
    check_reduction(reduction, name)
    t = _as_tensor(target, x)
    if x.ndim == 0:
        raise ValueError(f"{name}: expected input of shape (N, C, *) or (C,), got a 0-d tensor")
    unbatched = x.ndim == 1
    n_classes = x.shape[0] if unbatched else x.shape[1]
    index_shape = () if unbatched else x.shape[:1] + x.shape[2:]
    if t.dtype.kind in "iu":
        if t.shape != index_shape:
            raise ValueError(
                f"{name}: expected class-index target of shape {index_shape} for input of shape "
                f"{x.shape}, got {t.shape}"
            )
        _check_class_range(t, n_classes, ignore_index, name)
    elif dtypes.is_floating(t.dtype) and probs_ok:
        if t.shape != x.shape:
            raise ValueError(
                f"{name}: expected a target of class indices (int) of shape {index_shape} or of "
                f"class probabilities (float) of shape {x.shape}, got {t.dtype} of shape {t.shape}"
            )
    else:
        kinds = "integer class indices or float probabilities" if probs_ok else "int64"
        raise TypeError(
            f"{name}: expected target of {kinds}, got dtype {t.dtype}; "
            "class labels convert with .long()"
        )
    if unbatched:
        x, t = x.reshape(1, n_classes), t.reshape((1,) + t.shape)
    return x, t, unbatched


def _check_class_range(t: Tensor, n_classes: int, ignore_index: int, name: str) -> None:
    """Raise IndexError naming the first target outside [0, C) that is not ``ignore_index``."""
    ids = t.data
    if ids.size == 0:
        return
    bad = ((ids < 0) | (ids >= n_classes)) & (ids != ignore_index)
    if bad.any():
        value = int(ids[bad].reshape(-1)[0])
        raise IndexError(
            f"{name}: target {value} is out of bounds for {n_classes} classes (expected "
            f"0 <= target < {n_classes}, or ignore_index={ignore_index})"
        )
