"""Normalisation functions, as PyTorch's ``torch.nn.functional`` namesakes."""

from __future__ import annotations

from collections.abc import Sequence

from groundup import dtypes
from groundup.ops import normalization as ops
from groundup.tensor import Tensor

__all__ = ["batch_norm", "layer_norm"]


def batch_norm(
    input: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Batch normalisation per channel (axis 1) of x (N, C, *): (x - mean) / sqrt(var + eps) w + b.

    In training, mean and var are the batch's (biased var) over N and the trailing axes, and
    ``running_mean``/``running_var`` (if given) are updated in place:
    r = (1 - momentum) r + momentum stat, with the unbiased var, as PyTorch. Otherwise the
    running statistics normalise. One fused node, closed-form backward.

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup.nn import functional as F
    >>> x = gu.tensor([[1.0], [3.0]])
    >>> rm, rv = gu.zeros(1), gu.ones(1)
    >>> y = F.batch_norm(x, rm, rv, training=True)
    >>> [round(v, 3) for v in y.reshape(-1).tolist()]
    [-1.0, 1.0]
    >>> round(rm.item(), 4), round(rv.item(), 4)
    (0.2, 1.1)
    """
    name = "batch_norm"
    if not isinstance(input, Tensor) or not dtypes.is_floating(input.dtype):
        raise TypeError(f"{name}: expected a floating-point Tensor input, got {_describe(input)}")
    if input.ndim < 2:
        raise ValueError(f"{name}: expected input of shape (N, C, *), got {input.shape}")
    n_channels = input.shape[1]
    for what, t in (("running_mean", running_mean), ("running_var", running_var)):
        _check_vector(t, what, n_channels, input, name)
    for what, t in (("weight", weight), ("bias", bias)):
        _check_vector(t, what, n_channels, input, name)
    if (running_mean is None) != (running_var is None):
        raise ValueError(f"{name}: pass both running_mean and running_var, or neither")
    if training:
        if input.numel() // max(n_channels, 1) <= 1:
            raise ValueError(
                f"{name}: expected more than 1 value per channel when training, got input of "
                f"shape {input.shape}; use a batch of at least 2, or eval mode"
            )
    elif running_mean is None:
        raise ValueError(f"{name}: running_mean and running_var are needed when not training")
    return ops.BatchNorm.apply(
        input,
        weight,
        bias,
        running_mean,
        running_var,
        training=bool(training),
        momentum=float(momentum),
        eps=float(eps),
    )


def layer_norm(
    input: Tensor,
    normalized_shape: int | Sequence[int],
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Layer normalisation over the trailing ``normalized_shape`` axes of x:
    (x - mean) / sqrt(var + eps) * w + b, biased var. One fused node, fused backward.

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup.nn import functional as F
    >>> F.layer_norm(gu.tensor([[1.0, 3.0], [2.0, 2.0]]), (2,))
    tensor([[-1.,  1.],
            [ 0.,  0.]])
    """
    name = "layer_norm"
    if not isinstance(input, Tensor) or not dtypes.is_floating(input.dtype):
        raise TypeError(f"{name}: expected a floating-point Tensor input, got {_describe(input)}")
    shape = normalized_shape_tuple(normalized_shape, name)
    if input.shape[input.ndim - len(shape) :] != shape or input.ndim < len(shape):
        raise ValueError(
            f"{name}: given normalized_shape={shape}, expected input of shape (*, "
            f"{', '.join(map(str, shape))}), got {input.shape}"
        )
    for what, t in (("weight", weight), ("bias", bias)):
        if t is not None and t.shape != shape:
            raise ValueError(f"{name}: {what} should have shape {shape}, got {t.shape}")
    return ops.LayerNorm.apply(input, weight, bias, n_dims=len(shape), eps=float(eps))


def normalized_shape_tuple(normalized_shape: int | Sequence[int], name: str) -> tuple[int, ...]:
    """``normalized_shape`` (an int or a sequence of ints) as a tuple of ints."""
    if isinstance(normalized_shape, int):
        return (normalized_shape,)
    shape = tuple(normalized_shape)
    if not all(isinstance(n, int) and n > 0 for n in shape):
        raise TypeError(f"{name}: normalized_shape must be an int or ints > 0, got {shape!r}")
    return shape


def _check_vector(t: Tensor | None, what: str, n: int, input: Tensor, name: str) -> None:
    if t is None:
        return
    if not isinstance(t, Tensor):
        raise TypeError(f"{name}: expected {what} to be a Tensor or None, got {_describe(t)}")
    if t.shape != (n,):
        raise ValueError(
            f"{name}: {what} should have shape ({n},), one value per channel of input "
            f"{input.shape}, got {t.shape}"
        )
    if t.dtype != input.dtype:
        raise TypeError(f"{name}: {what} has dtype {t.dtype}, input {input.dtype}; use one dtype")


def _describe(x: object) -> str:
    return f"{x.dtype} tensor" if isinstance(x, Tensor) else type(x).__name__
