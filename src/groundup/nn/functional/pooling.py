"""Pooling and resampling, PyTorch's ``max_pool1d``/``2d``, ``avg_pool2d``,
``adaptive_avg_pool2d`` and ``interpolate(mode="nearest")``: argument checks, then one op.

Output sizes follow PyTorch: floor((L + 2 p - d (k - 1) - 1) / s) + 1, or the ceiling with
``ceil_mode`` (dropping a last window that would start inside the right padding).
"""

from __future__ import annotations

import math
from typing import Any

from groundup import dtypes
from groundup.nn.functional.conv import describe, ntuple
from groundup.ops import pool as _pool
from groundup.tensor import Tensor

__all__ = ["max_pool1d", "max_pool2d", "avg_pool2d", "adaptive_avg_pool2d", "interpolate"]


def _pool_out(size: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    """PyTorch's pooling_output_shape."""
    span = size + 2 * p - d * (k - 1) - 1
    out = (span + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


def _check_input(op: str, input: Any, n_spatial: int) -> tuple[Tensor, bool]:
    if not isinstance(input, Tensor) or not dtypes.is_floating(input.dtype):
        raise TypeError(f"{op}: expected a floating-point Tensor input, got {describe(input)}")
    if input.ndim not in (n_spatial + 1, n_spatial + 2):
        dims = "(N, C, L) or (C, L)" if n_spatial == 1 else "(N, C, H, W) or (C, H, W)"
        raise ValueError(f"{op}: expected input {dims}, got {input.shape}")
    unbatched = input.ndim == n_spatial + 1
    return (input.unsqueeze(0) if unbatched else input), unbatched


def _window_args(op, x, kernel_size, stride, padding, dilation, ceil_mode, n):
    """(kernel, stride, pads (t, b, l, r), dilation, out_hw) as 2-D tuples for the op."""
    kernel = ntuple(kernel_size, n, "kernel_size", op, minimum=1)
    stride = kernel if stride is None or stride == [] else ntuple(stride, n, "stride", op, 1)
    padding = ntuple(padding, n, "padding", op)
    dilation = ntuple(dilation, n, "dilation", op, minimum=1)
    if any(2 * p > d * (k - 1) + 1 for p, k, d in zip(padding, kernel, dilation)):
        raise ValueError(f"{op}: padding {padding} should be at most half of kernel_size {kernel}")
    spatial = x.shape[2:]
    out = tuple(
        _pool_out(size, k, s, p, d, ceil_mode)
        for size, k, s, p, d in zip(spatial, kernel, stride, padding, dilation)
    )
    if min(out) < 1:
        raise ValueError(
            f"{op}: input {x.shape} is too small for kernel_size {kernel} with padding "
            f"{padding} and dilation {dilation} (output size {out})"
        )
    # right/bottom padding: whatever the last window reads beyond the input (ceil_mode)
    after = tuple(
        max((o - 1) * s + d * (k - 1) + 1 - size - p, 0)
        for o, size, k, s, p, d in zip(out, spatial, kernel, stride, padding, dilation)
    )
    if n == 1:
        return (1, *kernel), (1, *stride), (0, 0, padding[0], after[0]), (1, *dilation), (1, *out)
    pads = (padding[0], after[0], padding[1], after[1])
    return kernel, stride, pads, dilation, out


def _max_pool(op, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, n):
    if return_indices:
        raise NotImplementedError(f"{op}: return_indices=True is not supported")
    x, unbatched = _check_input(op, input, n)
    kernel, stride, pads, dilation, out_hw = _window_args(
        op, x, kernel_size, stride, padding, dilation, ceil_mode, n
    )
    out = _pool.MaxPool.apply(
        x, kernel=kernel, stride=stride, pads=pads, dilation=dilation, out_hw=out_hw
    )
    return out.squeeze(0) if unbatched else out


def max_pool1d(
    input: Tensor,  # noqa: A002
    kernel_size: int | tuple,
    stride: int | tuple | None = None,
    padding: int | tuple = 0,
    dilation: int | tuple = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Tensor:
    """Max over sliding windows of the last dim.   Shape: (N, C, L) or (C, L) -> (N, C, L_out).

    ``stride`` defaults to ``kernel_size``; padding counts as -inf.

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup.nn import functional as F
    >>> F.max_pool1d(gu.tensor([[[1.0, 3.0, 2.0, 0.0]]]), 2).tolist()
    [[[3.0, 2.0]]]
    """
    args = (kernel_size, stride, padding, dilation, ceil_mode, return_indices)
    return _max_pool("max_pool1d", input, *args, 1)


def max_pool2d(
    input: Tensor,  # noqa: A002
    kernel_size: int | tuple,
    stride: int | tuple | None = None,
    padding: int | tuple = 0,
    dilation: int | tuple = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Tensor:
    """Max over sliding windows of H and W.   Shape: (N, C, H, W) or (C, H, W) -> (N, C, Ho, Wo).

    The gradient goes to the first maximum of each window (PyTorch's rule for ties).

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup.nn import functional as F
    >>> x = gu.arange(16.0).reshape(1, 1, 4, 4)
    >>> F.max_pool2d(x, 2).tolist()
    [[[[5.0, 7.0], [13.0, 15.0]]]]
    """
    args = (kernel_size, stride, padding, dilation, ceil_mode, return_indices)
    return _max_pool("max_pool2d", input, *args, 2)


def avg_pool2d(
    input: Tensor,  # noqa: A002
    kernel_size: int | tuple,
    stride: int | tuple | None = None,
    padding: int | tuple = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Tensor:
    """Mean over sliding windows of H and W.   Shape: (N, C, H, W) or (C, H, W) -> (N, C, Ho, Wo).

    With ``count_include_pad`` (default) zero padding counts in the mean; without it, only
    input pixels do. ``divisor_override`` replaces the divisor.

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup.nn import functional as F
    >>> F.avg_pool2d(gu.arange(16.0).reshape(1, 1, 4, 4), 2).tolist()
    [[[[2.5, 4.5], [10.5, 12.5]]]]
    """
    op = "avg_pool2d"
    x, unbatched = _check_input(op, input, 2)
    kernel, stride, pads, _, out_hw = _window_args(
        op, x, kernel_size, stride, padding, 1, ceil_mode, 2
    )
    if divisor_override is not None:
        if not isinstance(divisor_override, int) or divisor_override == 0:
            raise ValueError(
                f"{op}: divisor_override must be a non-zero int, got {divisor_override!r}"
            )
        divisor: Any = float(divisor_override)
    else:
        divisor = _avg_divisor(x.shape[2:], kernel, stride, pads, out_hw, count_include_pad)
    out = _pool.AvgPool.apply(
        x, kernel=kernel, stride=stride, pads=pads, out_hw=out_hw, divisor=divisor
    )
    return out.squeeze(0) if unbatched else out


def _avg_divisor(spatial, kernel, stride, pads, out_hw, count_include_pad) -> Any:
    """PyTorch's divisor per output pixel: a float when every window has the same one."""
    lengths = []
    for dim, (size, k, s, o) in enumerate(zip(spatial, kernel, stride, out_hw)):
        p = pads[2 * dim]
        lens = []
        for i in range(o):  # per output row/column: O(Ho + Wo) Python, not per pixel
            start = i * s - p
            end = min(start + k, size + p)
            if not count_include_pad:
                start, end = max(start, 0), min(end, size)
            lens.append(end - start)
        lengths.append(lens)
    if len(set(lengths[0])) == 1 and len(set(lengths[1])) == 1:
        return float(lengths[0][0] * lengths[1][0])
    return [[a * b for b in lengths[1]] for a in lengths[0]]


def adaptive_avg_pool2d(input: Tensor, output_size: int | tuple) -> Tensor:  # noqa: A002
    """Average pooling to a fixed (oh, ow): bin i spans floor(i H / oh)..ceil((i + 1) H / oh).

    Shape: (N, C, H, W) or (C, H, W) -> (N, C, oh, ow); None in ``output_size`` keeps that size.

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup.nn import functional as F
    >>> F.adaptive_avg_pool2d(gu.arange(16.0).reshape(1, 1, 4, 4), 1).tolist()
    [[[[7.5]]]]
    """
    op = "adaptive_avg_pool2d"
    x, unbatched = _check_input(op, input, 2)
    sizes = (output_size, output_size) if isinstance(output_size, int) else tuple(output_size)
    if len(sizes) != 2:
        raise TypeError(f"{op}: output_size must be an int or a pair, got {output_size!r}")
    sizes = tuple(x.shape[2 + i] if s is None else s for i, s in enumerate(sizes))
    ntuple(sizes, 2, "output_size", op, minimum=1)
    out = _pool.AdaptiveAvgPool.apply(x, output_size=sizes)
    return out.squeeze(0) if unbatched else out


def interpolate(
    input: Tensor,  # noqa: A002
    size: int | tuple | None = None,
    scale_factor: float | tuple | None = None,
    mode: str = "nearest",
    align_corners: bool | None = None,
    recompute_scale_factor: bool | None = None,
    antialias: bool = False,
) -> Tensor:
    """Resize (N, C, L) or (N, C, H, W) by ``size`` or ``scale_factor``; ``mode="nearest"``.

    out[i] = x[floor(i * scale)], scale = 1 / scale_factor (or L / L_out when ``size`` is
    given or ``recompute_scale_factor``), PyTorch's legacy nearest rule.

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup.nn import functional as F
    >>> F.interpolate(gu.tensor([[[[1.0, 2.0]]]]), scale_factor=2).tolist()
    [[[[1.0, 1.0, 2.0, 2.0], [1.0, 1.0, 2.0, 2.0]]]]
    """
    op = "interpolate"
    if mode != "nearest":
        raise NotImplementedError(f"{op}: only mode='nearest' is supported, got {mode!r}")
    if align_corners is not None:
        raise ValueError(f"{op}: align_corners is only for linear modes, not {mode!r}")
    if antialias:
        raise ValueError(f"{op}: antialias is only for linear and cubic modes, not {mode!r}")
    if not isinstance(input, Tensor) or input.ndim not in (3, 4):
        got = input.shape if isinstance(input, Tensor) else describe(input)
        raise ValueError(f"{op}: expected a 3-D (N, C, L) or 4-D (N, C, H, W) tensor, got {got}")
    n = input.ndim - 2
    spatial = input.shape[2:]
    if (size is None) == (scale_factor is None):
        raise ValueError(f"{op}: give exactly one of size and scale_factor")
    if size is not None:
        out = ntuple(size, n, "size", op, minimum=1)
        scales: tuple = (None,) * n
    else:
        factors = (
            (scale_factor,) * n
            if not isinstance(scale_factor, (tuple, list))
            else tuple(scale_factor)
        )
        if len(factors) != n or not all(isinstance(f, (int, float)) and f > 0 for f in factors):
            raise ValueError(f"{op}: scale_factor must be a positive number or {n} of them, "
                             f"got {scale_factor!r}")  # fmt: skip
        out = tuple(math.floor(s * f) for s, f in zip(spatial, factors))
        scales = (None,) * n if recompute_scale_factor else tuple(1.0 / f for f in factors)
        if min(out) < 1:
            raise ValueError(f"{op}: scale_factor {scale_factor} gives an empty output {out}")
    if n == 1:
        out, scales = (1, *out), (None, *scales)
    return _pool.UpsampleNearest.apply(input, out_hw=out, scales=scales)
