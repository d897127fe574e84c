"""Normalisation layers: ``BatchNorm1d`` and ``BatchNorm2d`` (one ``_BatchNorm``), ``LayerNorm``."""

from __future__ import annotations

from collections.abc import Sequence

from groundup import dtypes
from groundup.creation import ones, tensor, zeros
from groundup.nn import functional as F
from groundup.nn import init
from groundup.nn.functional.normalization import normalized_shape_tuple
from groundup.nn.module import Module
from groundup.nn.parameter import Parameter
from groundup.tensor import Tensor

__all__ = ["BatchNorm1d", "BatchNorm2d", "LayerNorm"]


class _BatchNorm(Module):
    """Batch norm over axis 1 of (N, C, *); the subclasses only say which input ranks they take.

    Buffers, parameters and their update are PyTorch's: ``weight`` (ones), ``bias`` (zeros),
    ``running_mean`` (zeros), ``running_var`` (ones) and ``num_batches_tracked`` (int64).
    """

    _expected_ndims: tuple[int, ...] = ()
    _shape_text = ""

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        if affine:
            self.weight = Parameter(ones(num_features))
        else:
            self.register_parameter("weight", None)
        if affine and bias:
            self.bias = Parameter(zeros(num_features))
        else:
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", zeros(num_features))
            self.register_buffer("running_var", ones(num_features))
            self.register_buffer("num_batches_tracked", tensor(0, dtype=dtypes.int64))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self) -> None:
        """Running mean 0, running var 1, no batches seen."""
        if self.track_running_stats:
            self.running_mean.data[...] = 0
            self.running_var.data[...] = 1
            self.num_batches_tracked.data[...] = 0

    def reset_parameters(self) -> None:
        """Reset the running statistics, weight to 1 and bias to 0 (PyTorch's init)."""
        self.reset_running_stats()
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def forward(self, input: Tensor) -> Tensor:
        self._check_input(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked.data += 1
            if self.momentum is None:  # a cumulative average: the k-th batch weighs 1/k
                factor = 1.0 / float(self.num_batches_tracked.item())
        # Without running statistics, eval mode normalises with the batch's own, as PyTorch.
        use_batch_stats = self.training or self.running_mean is None
        track = not self.training or self.track_running_stats
        return F.batch_norm(
            input,
            self.running_mean if track else None,
            self.running_var if track else None,
            self.weight,
            self.bias,
            use_batch_stats,
            factor,
            self.eps,
        )

    def _check_input(self, x: Tensor) -> None:
        name = f"{type(self).__name__}(num_features={self.num_features})"
        if not isinstance(x, Tensor):
            raise TypeError(f"{name}: expected a Tensor input, got {type(x).__name__}")
        if x.ndim not in self._expected_ndims or x.shape[1] != self.num_features:
            shapes = self._shape_text.format(C=self.num_features)
            raise ValueError(f"{name}: expected input of shape {shapes}, got {x.shape}")

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
            f"affine={self.affine}, bias={self.bias is not None}, "
            f"track_running_stats={self.track_running_stats}"
        )


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of features: y = (x - mean) / sqrt(var + eps) * weight + bias per
    channel, with batch statistics in training and running ones in eval mode.

    Shape: (N, C) or (N, C, L) -> the same.

    Parameters
    ----------
    num_features : int
        C.
    eps : float, default 1e-5
    momentum : float or None, default 0.1
        running = (1 - momentum) running + momentum batch_stat; None: a cumulative average.
    affine : bool, default True
        Learn ``weight`` and ``bias``.
    track_running_stats : bool, default True
        Keep ``running_mean``, ``running_var`` (unbiased) and ``num_batches_tracked``.
    bias : bool, default True
        Learn ``bias`` too (when ``affine``); keyword-only, as PyTorch.

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup import nn
    >>> bn = nn.BatchNorm1d(2)
    >>> y = bn(gu.tensor([[1.0, 2.0], [3.0, 6.0]]))
    >>> [[round(v, 3) for v in row] for row in y.tolist()]
    [[-1.0, -1.0], [1.0, 1.0]]
    >>> bn.running_mean
    tensor([0.2, 0.4])
    """

    _expected_ndims = (2, 3)
    _shape_text = "(N, {C}) or (N, {C}, L)"


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of image channels: y = (x - mean) / sqrt(var + eps) * weight + bias
    per channel, statistics over N, H and W (batch in training, running in eval mode).

    Shape: (N, C, H, W) -> the same. Parameters as ``BatchNorm1d``.

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup import nn
    >>> bn = nn.BatchNorm2d(3)
    >>> bn(gu.randn(4, 3, 5, 5)).shape
    (4, 3, 5, 5)
    """

    _expected_ndims = (4,)
    _shape_text = "(N, {C}, H, W)"


class LayerNorm(Module):
    """Layer normalisation over the trailing dims: y = (x - mean) / sqrt(var + eps) * weight + bias.

    Shape: (*, *normalized_shape) -> the same.

    Parameters
    ----------
    normalized_shape : int or sequence of int
        The trailing dims normalised together.
    eps : float, default 1e-5
    elementwise_affine : bool, default True
        Learn ``weight`` (ones) and ``bias`` (zeros) of shape ``normalized_shape``.
    bias : bool, default True
        Learn ``bias`` too (when ``elementwise_affine``).

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup import nn
    >>> y = nn.LayerNorm(3)(gu.tensor([[1.0, 2.0, 3.0]]))
    >>> [round(v, 4) for v in y[0].tolist()]
    [-1.2247, 0.0, 1.2247]
    """

    def __init__(
        self,
        normalized_shape: int | Sequence[int],
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
    ) -> None:
        super().__init__()
        self.normalized_shape = normalized_shape_tuple(normalized_shape, "LayerNorm")
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(ones(self.normalized_shape))
        else:
            self.register_parameter("weight", None)
        if elementwise_affine and bias:
            self.bias = Parameter(zeros(self.normalized_shape))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """weight to 1, bias to 0 (PyTorch's init)."""
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def forward(self, input: Tensor) -> Tensor:
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, "
            f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}"
        )
