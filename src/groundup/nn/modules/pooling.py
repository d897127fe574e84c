"""Pooling and upsampling layers: ``MaxPool1d``, ``MaxPool2d``, ``AvgPool2d``,
``AdaptiveAvgPool2d`` and ``Upsample`` (no parameters; the math is in ``F.*``)."""

from __future__ import annotations

from groundup.nn.functional import pooling as F
from groundup.nn.module import Module
from groundup.tensor import Tensor

__all__ = ["MaxPool1d", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d", "Upsample"]


class _MaxPoolNd(Module):
    def __init__(
        self,
        kernel_size: int | tuple,
        stride: int | tuple | None = None,
        padding: int | tuple = 0,
        dilation: int | tuple = 1,
        return_indices: bool = False,
        ceil_mode: bool = False,
    ) -> None:
        super().__init__()
        if return_indices:
            raise NotImplementedError(
                f"{type(self).__name__}: return_indices=True is not supported"
            )
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def extra_repr(self) -> str:
        return (
            f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
            f"dilation={self.dilation}, ceil_mode={self.ceil_mode}"
        )


class MaxPool1d(_MaxPoolNd):
    """Max over sliding windows of the last dim.   Shape: (N, C, L) or (C, L) -> (N, C, L_out).

    L_out = floor((L + 2 padding - dilation (kernel_size - 1) - 1) / stride) + 1 (ceiling with
    ``ceil_mode``); ``stride`` defaults to ``kernel_size``.

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup import nn
    >>> nn.MaxPool1d(2)(gu.tensor([[[1.0, 3.0, 2.0, 0.0]]])).tolist()
    [[[3.0, 2.0]]]
    """

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.max_pool1d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                            self.ceil_mode)  # fmt: skip


class MaxPool2d(_MaxPoolNd):
    """Max over sliding windows of H and W.   Shape: (N, C, H, W) or (C, H, W) -> (N, C, Ho, Wo).

    Ho = floor((H + 2 padding - dilation (kh - 1) - 1) / stride) + 1 (ceiling with
    ``ceil_mode``); ``stride`` defaults to ``kernel_size``. The gradient goes to the first
    maximum of each window, as PyTorch's.

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup import nn
    >>> pool = nn.MaxPool2d(2)
    >>> pool(gu.ones(64, 6, 28, 28)).shape
    (64, 6, 14, 14)
    >>> pool
    MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
    """

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.max_pool2d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                            self.ceil_mode)  # fmt: skip


class AvgPool2d(Module):
    """Mean over sliding windows of H and W.   Shape: (N, C, H, W) or (C, H, W) -> (N, C, Ho, Wo).

    With ``count_include_pad`` (default, as PyTorch) zero padding counts in each mean.

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup import nn
    >>> nn.AvgPool2d(2)(gu.ones(1, 3, 8, 8)).shape
    (1, 3, 4, 4)
    """

    def __init__(
        self,
        kernel_size: int | tuple,
        stride: int | tuple | None = None,
        padding: int | tuple = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override: int | None = None,
    ) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.avg_pool2d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad, self.divisor_override)  # fmt: skip

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool2d(Module):
    """Average pooling to a fixed output size: bin i covers floor(i H / oh)..ceil((i + 1) H / oh).

    Shape: (N, C, H, W) or (C, H, W) -> (N, C, oh, ow). ``output_size`` is an int, a pair, or a
    pair with None (keep that input size). ``AdaptiveAvgPool2d(1)`` is global average pooling.

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup import nn
    >>> nn.AdaptiveAvgPool2d((1, 1))(gu.ones(2, 64, 7, 7)).shape
    (2, 64, 1, 1)
    """

    def __init__(self, output_size: int | tuple) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.adaptive_avg_pool2d(input, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class Upsample(Module):
    """Nearest-neighbour upsampling by ``scale_factor`` or to ``size`` (``mode="nearest"``).

    Shape: (N, C, L) -> (N, C, floor(L s)) or (N, C, H, W) -> (N, C, floor(H s), floor(W s)).

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup import nn
    >>> nn.Upsample(scale_factor=2)(gu.ones(1, 3, 4, 4)).shape
    (1, 3, 8, 8)
    """

    def __init__(
        self,
        size: int | tuple | None = None,
        scale_factor: float | tuple | None = None,
        mode: str = "nearest",
        align_corners: bool | None = None,
        recompute_scale_factor: bool | None = None,
    ) -> None:
        super().__init__()
        if mode != "nearest":
            raise NotImplementedError(f"Upsample: only mode='nearest' is supported, got {mode!r}")
        self.size = size
        self.scale_factor = float(scale_factor) if isinstance(scale_factor, (int, float)) else (
            None if scale_factor is None else tuple(float(f) for f in scale_factor))  # fmt: skip
        self.mode = mode
        self.align_corners = align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.interpolate(input, self.size, self.scale_factor, self.mode, self.align_corners,
                             self.recompute_scale_factor)  # fmt: skip

    def extra_repr(self) -> str:
        if self.scale_factor is not None:
            return f"scale_factor={self.scale_factor!r}, mode={self.mode!r}"
        return f"size={self.size!r}, mode={self.mode!r}"
