"""Convolution layers ``Conv1d``, ``Conv2d``, ``ConvTranspose2d``: PyTorch's names and layouts."""

from __future__ import annotations

import math
from typing import Any

from groundup.creation import empty
from groundup.nn import init
from groundup.nn.functional import conv as F
from groundup.nn.module import Module
from groundup.nn.parameter import Parameter
from groundup.tensor import Tensor

__all__ = ["Conv1d", "Conv2d", "ConvTranspose2d"]


def _positive_int(value: Any, name: str, layer: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{layer}: {name} must be a positive int, got {value!r}")
    return value


class _ConvNd(Module):
    """Shared by the convolutions: argument checks, parameters, init, repr and input checks."""

    _n = 2
    _transposed = False

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any,
        padding: Any,
        dilation: Any,
        groups: int,
        bias: bool,
        padding_mode: str,
        output_padding: Any = 0,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        name = type(self).__name__
        self.in_channels = _positive_int(in_channels, "in_channels", name)
        self.out_channels = _positive_int(out_channels, "out_channels", name)
        self.groups = _positive_int(groups, "groups", name)
        if in_channels % groups or out_channels % groups:
            raise ValueError(
                f"{name}: in_channels ({in_channels}) and out_channels ({out_channels}) "
                f"must both be divisible by groups ({groups})"
            )
        if padding_mode != "zeros":
            raise ValueError(
                f"{name}: only padding_mode='zeros' is supported, got {padding_mode!r}"
            )
        n = self._n
        self.kernel_size = F.ntuple(kernel_size, n, "kernel_size", name, minimum=1)
        self.stride = F.ntuple(stride, n, "stride", name, minimum=1)
        self.dilation = F.ntuple(dilation, n, "dilation", name, minimum=1)
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(
                    f"{name}: padding must be 'same', 'valid', an int or a tuple, got {padding!r}"
                )
            if padding == "same" and any(s != 1 for s in self.stride):
                raise ValueError(
                    f"{name}: padding='same' is not supported for strided convolutions"
                )
            self.padding: Any = padding
        else:
            self.padding = F.ntuple(padding, n, "padding", name)
        self.output_padding = F.ntuple(output_padding, n, "output_padding", name)
        self.padding_mode = padding_mode
        kw = {"dtype": dtype, "device": device or "cpu"}
        if self._transposed:  # (in, out/groups, *kernel), PyTorch's layout
            shape = (in_channels, out_channels // groups, *self.kernel_size)
        else:  # (out, in/groups, *kernel)
            shape = (out_channels, in_channels // groups, *self.kernel_size)
        self.weight = Parameter(empty(*shape, **kw))
        if bias:
            self.bias = Parameter(empty(out_channels, **kw))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's default: weight kaiming_uniform_(a=sqrt 5), that is U(-k, k) with
        k = 1/sqrt(fan_in), fan_in = weight.shape[1] * prod(kernel); bias U(-k, k) too."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0
            init.uniform_(self.bias, -bound, bound)

    def _check_input(self, x: Any) -> None:
        n = self._n
        dims = "(N, {C}, L) or ({C}, L)" if n == 1 else "(N, {C}, H, W) or ({C}, H, W)"
        expected = dims.format(C=self.in_channels)
        if not isinstance(x, Tensor):
            raise TypeError(f"{self._short()}: expected a Tensor input, got {type(x).__name__}")
        channels = x.shape[0] if x.ndim == n + 1 else x.shape[1] if x.ndim == n + 2 else None
        if channels == self.in_channels:
            return
        hint = ""
        if x.ndim == n + 1 and self.in_channels == 1:
            hint = "; add a channel dim with x.unsqueeze(1)?"
        elif x.ndim == n + 2 and x.shape[-1] == self.in_channels:
            hint = "; channels-last input? permute it to channels-first"
        raise ValueError(f"{self._short()}: expected input {expected}, got {x.shape}{hint}")

    def _short(self) -> str:
        name = type(self).__name__
        return f"{name}({self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size})"

    def extra_repr(self) -> str:
        n = self._n
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}"
        s += f", stride={self.stride}"
        if self.padding != (0,) * n:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * n:
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * n:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class Conv1d(_ConvNd):
    """1-D convolution (cross-correlation): out[n, o] = bias[o] + sum_c weight[o, c] star x[n, c].

    Shape: (N, C_in, L) or (C_in, L) -> (N, C_out, L_out),
    L_out = floor((L + 2 padding - dilation (kernel_size - 1) - 1) / stride) + 1.

    Parameters
    ----------
    in_channels, out_channels : int
    kernel_size : int or tuple
    stride, dilation : int or tuple, default 1
    padding : int, tuple, "same" or "valid", default 0
    groups : int, default 1
        Split the channels into groups convolved separately (``in_channels`` = depthwise).
    bias : bool, default True
    padding_mode : {"zeros"}
    device, dtype : optional

    Attributes
    ----------
    weight : Parameter (out_channels, in_channels / groups, kernel_size)
        U(-k, k), k = 1 / sqrt(in_channels / groups * kernel_size) (PyTorch's default).
    bias : Parameter (out_channels,) or None
        U(-k, k).

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup import nn
    >>> conv = nn.Conv1d(3, 8, 5, padding="same")
    >>> conv(gu.ones(4, 3, 20)).shape
    (4, 8, 20)
    """

    _n = 1

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple,
        stride: int | tuple = 1,
        padding: int | tuple | str = 0,
        dilation: int | tuple = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, device=device, dtype=dtype)  # fmt: skip

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        self._check_input(input)
        return F.conv1d(input, self.weight, self.bias, self.stride, self.padding,
                        self.dilation, self.groups)  # fmt: skip


class Conv2d(_ConvNd):
    """2-D convolution (cross-correlation): out[n, o] = bias[o] + sum_c weight[o, c] star x[n, c].

    Computed as im2col (a strided view of the padded input, copied once) and one batched
    GEMM; see ``ops/conv.py``.

    Shape: (N, C_in, H, W) or (C_in, H, W) -> (N, C_out, H_out, W_out),
    H_out = floor((H + 2 padding - dilation (kh - 1) - 1) / stride) + 1, W_out likewise.

    Parameters
    ----------
    in_channels, out_channels : int
    kernel_size : int or (kh, kw)
    stride, dilation : int or pair, default 1
    padding : int, pair, "same" or "valid", default 0
    groups : int, default 1
    bias : bool, default True
    padding_mode : {"zeros"}
    device, dtype : optional

    Attributes
    ----------
    weight : Parameter (out_channels, in_channels / groups, kh, kw)
        U(-k, k), k = 1 / sqrt(in_channels / groups * kh * kw) (PyTorch's default).
    bias : Parameter (out_channels,) or None
        U(-k, k).

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup import nn
    >>> _ = gu.manual_seed(0)
    >>> conv = nn.Conv2d(1, 6, 5, padding=2)
    >>> conv(gu.ones(64, 1, 28, 28)).shape
    (64, 6, 28, 28)
    >>> conv
    Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))
    """

    _n = 2

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple,
        stride: int | tuple = 1,
        padding: int | tuple | str = 0,
        dilation: int | tuple = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, device=device, dtype=dtype)  # fmt: skip

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        self._check_input(input)
        return F.conv2d(input, self.weight, self.bias, self.stride, self.padding,
                        self.dilation, self.groups)  # fmt: skip


class ConvTranspose2d(_ConvNd):
    """Transposed 2-D convolution (the gradient of Conv2d in its input; "deconvolution").

    Shape: (N, C_in, H, W) or (C_in, H, W) -> (N, C_out, H_out, W_out),
    H_out = (H - 1) stride - 2 padding + dilation (kh - 1) + output_padding + 1.

    Parameters
    ----------
    in_channels, out_channels : int
    kernel_size : int or (kh, kw)
    stride, dilation : int or pair, default 1
    padding, output_padding : int or pair, default 0
    groups : int, default 1
    bias : bool, default True
    padding_mode : {"zeros"}
    device, dtype : optional

    Attributes
    ----------
    weight : Parameter (in_channels, out_channels / groups, kh, kw)
        U(-k, k), k = 1 / sqrt(out_channels / groups * kh * kw) (PyTorch's default).
    bias : Parameter (out_channels,) or None
        U(-k, k).

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup import nn
    >>> up = nn.ConvTranspose2d(16, 8, 3, stride=2, padding=1, output_padding=1)
    >>> up(gu.ones(2, 16, 7, 7)).shape
    (2, 8, 14, 14)
    """

    _n = 2
    _transposed = True

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple,
        stride: int | tuple = 1,
        padding: int | tuple = 0,
        output_padding: int | tuple = 0,
        groups: int = 1,
        bias: bool = True,
        dilation: int | tuple = 1,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        if isinstance(padding, str):
            raise ValueError(f"ConvTranspose2d: padding must be an int or a pair, got {padding!r}")
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, output_padding, device, dtype)  # fmt: skip

    def forward(self, input: Tensor, output_size: Any = None) -> Tensor:  # noqa: A002
        self._check_input(input)
        output_padding = self.output_padding
        if output_size is not None:  # pick the output_padding that reaches output_size
            target = tuple(output_size)[-2:]
            base = tuple(
                (size - 1) * s - 2 * p + d * (k - 1) + 1
                for size, s, p, d, k in zip(input.shape[-2:], self.stride, self.padding,
                                            self.dilation, self.kernel_size)
            )  # fmt: skip
            output_padding = tuple(t - b for t, b in zip(target, base))
        return F.conv_transpose2d(input, self.weight, self.bias, self.stride, self.padding,
                                  output_padding, self.groups, self.dilation)  # fmt: skip
