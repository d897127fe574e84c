"""Convolutions, PyTorch's ``conv1d``, ``conv2d`` and ``conv_transpose2d``: checks, then one op.

The math lives in ``ops/conv.py`` (im2col from strided views + one batched GEMM). Here the
arguments are read the way PyTorch reads them: an int or a tuple per spatial dimension,
``padding="same"`` (stride 1 only; an even kernel pads one more after than before, as
PyTorch) or ``"valid"`` (no padding); an unbatched input (C, *spatial) is accepted too.
"""

from __future__ import annotations

from typing import Any

from groundup import dtypes
from groundup.ops import conv as _conv
from groundup.tensor import Tensor

__all__ = ["conv1d", "conv2d", "conv_transpose2d"]


def ntuple(value: Any, n: int, name: str, op: str, minimum: int = 0) -> tuple[int, ...]:
    """``value`` (an int or a sequence of n ints, each >= ``minimum``) as an n-tuple of ints."""
    items = (value,) * n if isinstance(value, int) else tuple(value)
    if len(items) != n or not all(isinstance(v, int) and not isinstance(v, bool) for v in items):
        raise TypeError(f"{op}: {name} must be an int or a tuple of {n} ints, got {value!r}")
    if any(v < minimum for v in items):
        raise ValueError(f"{op}: {name} must be >= {minimum}, got {value!r}")
    return items


def describe(x: object) -> str:
    """A short description of an argument, for error messages."""
    return f"{x.dtype} tensor" if isinstance(x, Tensor) else type(x).__name__


def _conv_pads(padding: Any, kernel: tuple, dilation: tuple, stride: tuple, op: str) -> tuple:
    """Per-dimension (before, after) padding for an int, a tuple, "same" or "valid"."""
    if isinstance(padding, str):
        if padding == "valid":
            return tuple((0, 0) for _ in kernel)
        if padding != "same":
            raise ValueError(
                f"{op}: padding must be 'same', 'valid', an int or a tuple, got {padding!r}"
            )
        if any(s != 1 for s in stride):
            raise ValueError(f"{op}: padding='same' is not supported for strided convolutions")
        totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
        return tuple((t // 2, t - t // 2) for t in totals)
    return tuple((p, p) for p in ntuple(padding, len(kernel), "padding", op))


def _check_conv(
    op: str, input: Any, weight: Any, bias: Any, n_spatial: int, groups: Any, transposed: bool
) -> tuple[Tensor, bool]:
    """Check types and shapes; returns the batched input and whether it was unbatched."""
    for what, t in (("input", input), ("weight", weight)):
        if not isinstance(t, Tensor) or not dtypes.is_floating(t.dtype):
            raise TypeError(
                f"{op}: expected {what} to be a floating-point Tensor, got {describe(t)}"
            )
    if bias is not None and not isinstance(bias, Tensor):
        raise TypeError(f"{op}: expected bias to be a Tensor or None, got {describe(bias)}")
    if not isinstance(groups, int) or isinstance(groups, bool) or groups < 1:
        raise ValueError(f"{op}: groups must be a positive int, got {groups!r}")
    dims = "(N, C, L)" if n_spatial == 1 else "(N, C, H, W)"
    if weight.ndim != n_spatial + 2:
        raise ValueError(
            f"{op}: expected weight of {n_spatial + 2} dims "
            f"{'(C_in, C_out/groups, *kernel)' if transposed else '(C_out, C_in/groups, *kernel)'}"
            f", got {weight.shape}"
        )
    if input.ndim not in (n_spatial + 1, n_spatial + 2):
        raise ValueError(
            f"{op}: expected a {n_spatial + 2}-D input {dims} or a {n_spatial + 1}-D unbatched "
            f"one, got {input.shape}"
        )
    unbatched = input.ndim == n_spatial + 1
    x = input.unsqueeze(0) if unbatched else input
    c_in = weight.shape[0] if transposed else weight.shape[1] * groups
    if x.shape[1] != c_in:
        raise ValueError(
            f"{op}: weight {weight.shape} with groups={groups} expects {c_in} input channels, "
            f"got input {input.shape} with {x.shape[1]}"
        )
    c_out = weight.shape[1] * groups if transposed else weight.shape[0]
    if weight.shape[0] % groups:
        raise ValueError(
            f"{op}: weight.shape[0] {weight.shape[0]} is not divisible by groups={groups}"
        )
    if bias is not None and bias.shape != (c_out,):
        raise ValueError(f"{op}: expected bias of shape ({c_out},), got {bias.shape}")
    for what, t in (("weight", weight), ("bias", bias)):
        if t is not None and t.dtype != input.dtype:
            raise TypeError(
                f"{op}: input {input.dtype} and {what} {t.dtype} must share one dtype; "
                f"convert the input with .to({what}.dtype)"
            )
    return x, unbatched


def _conv_nd(input, weight, bias, stride, padding, dilation, groups, n_spatial, op):
    x, unbatched = _check_conv(op, input, weight, bias, n_spatial, groups, transposed=False)
    kernel = tuple(weight.shape[2:])
    stride = ntuple(stride, n_spatial, "stride", op, minimum=1)
    dilation = ntuple(dilation, n_spatial, "dilation", op, minimum=1)
    pads = _conv_pads(padding, kernel, dilation, stride, op)
    spatial = x.shape[2:]
    for size, k, d, (p0, p1) in zip(spatial, kernel, dilation, pads):
        if size + p0 + p1 < d * (k - 1) + 1:
            raise ValueError(
                f"{op}: input {input.shape} padded by {padding!r} is smaller than the "
                f"(dilated) kernel {kernel} with dilation {dilation}"
            )
    if n_spatial == 1:  # as 2-D over a height of 1
        stride, dilation, pads = (1, *stride), (1, *dilation), ((0, 0), *pads)
    flat_pads = (*pads[0], *pads[1])
    out = _conv.Conv.apply(
        x, weight, bias, stride=stride, pads=flat_pads, dilation=dilation, groups=groups
    )
    return out.squeeze(0) if unbatched else out


def conv1d(
    input: Tensor,  # noqa: A002
    weight: Tensor,
    bias: Tensor | None = None,
    stride: int | tuple = 1,
    padding: int | tuple | str = 0,
    dilation: int | tuple = 1,
    groups: int = 1,
) -> Tensor:
    """1-D cross-correlation: out[n, o, l] = b[o] + sum_{c, i} w[o, c, i] x[n, c, l s + i d - p].

    Shape: input (N, C_in, L) or (C_in, L), weight (C_out, C_in/groups, k) -> (N, C_out, L_out),
    L_out = floor((L + 2 p - d (k - 1) - 1) / s) + 1.

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup.nn import functional as F
    >>> F.conv1d(gu.ones(1, 1, 4), gu.ones(1, 1, 2)).tolist()
    [[[2.0, 2.0, 2.0]]]
    """
    return _conv_nd(input, weight, bias, stride, padding, dilation, groups, 1, "conv1d")


def conv2d(
    input: Tensor,  # noqa: A002
    weight: Tensor,
    bias: Tensor | None = None,
    stride: int | tuple = 1,
    padding: int | tuple | str = 0,
    dilation: int | tuple = 1,
    groups: int = 1,
) -> Tensor:
    """2-D cross-correlation: out[n, o] = b[o] + sum_c w[o, c] star x[n, c], by im2col + GEMM.

    Shape: input (N, C_in, H, W) or (C_in, H, W), weight (C_out, C_in/groups, kh, kw)
    -> (N, C_out, H_out, W_out), H_out = floor((H + 2 p - d (kh - 1) - 1) / s) + 1.

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup.nn import functional as F
    >>> F.conv2d(gu.ones(1, 1, 3, 3), gu.ones(1, 1, 2, 2)).tolist()
    [[[[4.0, 4.0], [4.0, 4.0]]]]
    >>> F.conv2d(gu.ones(2, 3, 8, 8), gu.ones(4, 3, 3, 3), padding="same").shape
    (2, 4, 8, 8)
    """
    return _conv_nd(input, weight, bias, stride, padding, dilation, groups, 2, "conv2d")


def conv_transpose2d(
    input: Tensor,  # noqa: A002
    weight: Tensor,
    bias: Tensor | None = None,
    stride: int | tuple = 1,
    padding: int | tuple = 0,
    output_padding: int | tuple = 0,
    groups: int = 1,
    dilation: int | tuple = 1,
) -> Tensor:
    """Transposed 2-D convolution: the gradient of ``conv2d`` with respect to its input.

    Shape: input (N, C_in, H, W) or (C_in, H, W), weight (C_in, C_out/groups, kh, kw)
    -> (N, C_out, H_out, W_out), H_out = (H - 1) s - 2 p + d (kh - 1) + output_padding + 1.

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup.nn import functional as F
    >>> F.conv_transpose2d(gu.ones(1, 1, 2, 2), gu.ones(1, 1, 2, 2), stride=2).shape
    (1, 1, 4, 4)
    """
    op = "conv_transpose2d"
    x, unbatched = _check_conv(op, input, weight, bias, 2, groups, transposed=True)
    stride = ntuple(stride, 2, "stride", op, minimum=1)
    padding = ntuple(padding, 2, "padding", op)
    output_padding = ntuple(output_padding, 2, "output_padding", op)
    dilation = ntuple(dilation, 2, "dilation", op, minimum=1)
    for op_, s, d in zip(output_padding, stride, dilation):
        if op_ >= max(s, d):
            raise ValueError(
                f"{op}: output_padding {output_padding} must be smaller than either stride "
                f"{stride} or dilation {dilation}"
            )
    out_hw = tuple(
        (size - 1) * s - 2 * p + d * (k - 1) + op_ + 1
        for size, s, p, d, k, op_ in zip(
            x.shape[2:], stride, padding, dilation, weight.shape[2:], output_padding
        )
    )
    if min(out_hw) < 1:
        raise ValueError(f"{op}: input {input.shape} gives an empty output {out_hw}")
    out = _conv.ConvTranspose.apply(
        x, weight, bias, stride=stride, padding=padding, dilation=dilation, groups=groups,
        out_hw=out_hw,
    )  # fmt: skip
    return out.squeeze(0) if unbatched else out
