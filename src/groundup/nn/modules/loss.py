"""Loss modules: thin wrappers that hold the options and call their ``F.*`` function.

As in PyTorch, class weights are buffers (``weight``, ``pos_weight``), so ``to()`` moves them
and a weighted loss's ``state_dict`` holds them. Options are keyword-only after ``weight``
(PyTorch's deprecated ``size_average``/``reduce`` come first there positionally).
"""

from __future__ import annotations

from typing import Any

from groundup.nn import functional as F
from groundup.nn.functional.loss import check_reduction
from groundup.nn.module import Module
from groundup.tensor import Tensor

__all__ = [
    "MSELoss",
    "L1Loss",
    "BCELoss",
    "BCEWithLogitsLoss",
    "CrossEntropyLoss",
    "NLLLoss",
]


class _Loss(Module):
    """Base of the losses: stores ``reduction`` after checking it."""

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        check_reduction(reduction, type(self).__name__)
        self.reduction = reduction


class _WeightedLoss(_Loss):
    """A loss with an optional per-class (or per-element) ``weight`` buffer."""

    def __init__(self, weight: Tensor | None = None, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.register_buffer("weight", _as_buffer(weight))


def _as_buffer(t: Any) -> Tensor | None:
    return t if t is None or isinstance(t, Tensor) else Tensor(t)


class MSELoss(_Loss):
    """Mean squared error: reduce((input - target)**2).   Shape: input (*), target (*).

    Parameters
    ----------
    reduction : {"mean", "sum", "none"}, default "mean"

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup import nn
    >>> nn.MSELoss()(gu.tensor([1.0, 2.0]), gu.tensor([1.0, 0.0]))
    tensor(2.)
    """

    def __init__(self, *, reduction: str = "mean") -> None:
        super().__init__(reduction)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    """Mean absolute error: reduce(|input - target|).   Shape: input (*), target (*).

    Parameters
    ----------
    reduction : {"mean", "sum", "none"}, default "mean"

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup import nn
    >>> nn.L1Loss()(gu.tensor([1.0, 2.0]), gu.tensor([1.0, 0.0]))
    tensor(1.)
    """

    def __init__(self, *, reduction: str = "mean") -> None:
        super().__init__(reduction)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.l1_loss(input, target, reduction=self.reduction)


class BCELoss(_WeightedLoss):
    """Binary cross-entropy of probabilities: reduce(-w (y ln x + (1 - y) ln(1 - x))).

    Logs are clamped at -100, as PyTorch. Shape: input (*) in [0, 1], target (*).

    Parameters
    ----------
    weight : Tensor, optional
        Rescales each element's loss; broadcasts to the input.
    reduction : {"mean", "sum", "none"}, default "mean"

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup import nn
    >>> loss = nn.BCELoss()(gu.tensor([0.9, 0.2]), gu.tensor([1.0, 0.0]))
    >>> round(loss.item(), 4)
    0.1643
    """

    def __init__(self, weight: Tensor | None = None, *, reduction: str = "mean") -> None:
        super().__init__(weight, reduction)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.binary_cross_entropy(input, target, self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Sigmoid + binary cross-entropy on logits, in one stable node:
    reduce(w ((1 - y) x + (1 + (p - 1) y) ln(1 + e**-x))).   Shape: input (*), target (*).

    Parameters
    ----------
    weight : Tensor, optional
        Rescales each element's loss; broadcasts to the input.
    reduction : {"mean", "sum", "none"}, default "mean"
    pos_weight : Tensor, optional
        Weight p of the positive targets, e.g. one per class (C,), broadcast over the last axis.

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup import nn
    >>> loss = nn.BCEWithLogitsLoss(pos_weight=gu.tensor([2.0]))
    >>> round(loss(gu.tensor([0.0, 0.0]), gu.tensor([1.0, 0.0])).item(), 4)
    1.0397
    """

    def __init__(
        self,
        weight: Tensor | None = None,
        *,
        reduction: str = "mean",
        pos_weight: Tensor | None = None,
    ) -> None:
        super().__init__(reduction)
        self.register_buffer("weight", _as_buffer(weight))
        self.register_buffer("pos_weight", _as_buffer(pos_weight))

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.binary_cross_entropy_with_logits(
            input, target, self.weight, reduction=self.reduction, pos_weight=self.pos_weight
        )


class CrossEntropyLoss(_WeightedLoss):
    """Cross-entropy of logits against class indices or class probabilities, fused with
    log-softmax: reduce(-sum_c a_c log_softmax(x)_c), a = target (smoothed, weighted).

    Shape: input (N, C), (N, C, d1, ...) or (C,); target (N,), (N, d1, ...) or () of class
    indices (int), or class probabilities (float) of the input's shape.

    Parameters
    ----------
    weight : Tensor, optional
        One weight per class, shape (C,).
    ignore_index : int, default -100
        A class index whose targets add nothing to the loss or gradient.
    reduction : {"mean", "sum", "none"}, default "mean"
        A weighted mean divides by the summed weight of the kept targets, as PyTorch.
    label_smoothing : float, default 0.0
        eps in [0, 1]: the target becomes (1 - eps) target + eps / C.

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup import nn
    >>> logits = gu.tensor([[2.0, 0.5, -1.0], [0.0, 1.0, 0.0]])
    >>> round(nn.CrossEntropyLoss()(logits, gu.tensor([0, 1])).item(), 4)
    0.3964
    """

    def __init__(
        self,
        weight: Tensor | None = None,
        *,
        ignore_index: int = -100,
        reduction: str = "mean",
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(weight, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.cross_entropy(
            input,
            target,
            self.weight,
            ignore_index=self.ignore_index,
            reduction=self.reduction,
            label_smoothing=self.label_smoothing,
        )


class NLLLoss(_WeightedLoss):
    """Negative log-likelihood of log-probabilities: reduce(-weight[t] input[t]).

    Shape: input (N, C), (N, C, d1, ...) or (C,); target (N,), (N, d1, ...) or () of ints.

    Parameters
    ----------
    weight : Tensor, optional
        One weight per class, shape (C,).
    ignore_index : int, default -100
    reduction : {"mean", "sum", "none"}, default "mean"

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup import nn
    >>> nn.NLLLoss()(gu.tensor([[-0.1, -2.0], [-3.0, -0.2]]), gu.tensor([0, 1]))
    tensor(0.15)
    """

    def __init__(
        self, weight: Tensor | None = None, *, ignore_index: int = -100, reduction: str = "mean"
    ) -> None:
        super().__init__(weight, reduction)
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.nll_loss(
            input, target, self.weight, ignore_index=self.ignore_index, reduction=self.reduction
        )
