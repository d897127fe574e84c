"""Array helpers behind convolution and pooling: padding, im2col from strided views, col2im.

Layout is NCHW throughout. For a kernel (kh, kw) with stride (sh, sw) and dilation (dh, dw),
output pixel (ho, wo) reads the padded input at rows ho*sh + i*dh and columns wo*sw + j*dw
for i < kh, j < kw. ``windows`` exposes all of those reads as one strided view
(N, C, kh, kw, Ho, Wo) without copying; ``im2col`` copies it once into the GEMM's operand
(N, C*kh*kw, Ho*Wo), whose innermost axis runs along a row of the image, so the copy reads
memory in order. ``col2im`` is the adjoint: one strided add per kernel offset (kh*kw adds of
whole (N, C, Ho, Wo) blocks), never a Python loop over pixels and never ``add.at``.
"""

from __future__ import annotations

from typing import Any


def out_size(size: int, k: int, s: int, pad: int, d: int) -> int:
    """Output length of a sliding window: floor((size + pad - d (k - 1) - 1) / s) + 1.

    ``pad`` is the total padding (before + after).
    """
    return (size + pad - d * (k - 1) - 1) // s + 1


def pad_hw(x: Any, pads: tuple[int, int, int, int], xp: Any, value: float = 0.0) -> Any:
    """x (N, C, H, W) padded by (top, bottom, left, right) with ``value`` (x if none)."""
    top, bottom, left, right = pads
    if not (top or bottom or left or right):
        return x
    n, c, h, w = x.shape
    shape = (n, c, h + top + bottom, w + left + right)
    out = xp.zeros(shape, x.dtype) if value == 0.0 else xp.full(shape, value, x.dtype)
    out[:, :, top : top + h, left : left + w] = x
    return out


def windows(
    xpad: Any, kernel: tuple, stride: tuple, dilation: tuple, out_hw: tuple, xp: Any
) -> Any:
    """The strided view (N, C, kh, kw, Ho, Wo) of all windows of xpad (N, C, Hp, Wp); no copy."""
    n, c = xpad.shape[:2]
    s_n, s_c, s_h, s_w = xpad.strides
    shape = (n, c, kernel[0], kernel[1], out_hw[0], out_hw[1])
    strides = (s_n, s_c, s_h * dilation[0], s_w * dilation[1], s_h * stride[0], s_w * stride[1])
    return xp.lib.stride_tricks.as_strided(xpad, shape, strides)  # read only: never written


def im2col(xpad: Any, kernel: tuple, stride: tuple, dilation: tuple, out_hw: tuple, xp: Any) -> Any:
    """cols (N, C*kh*kw, Ho*Wo): ``windows`` copied once (no copy for a 1x1 stride-1 kernel)."""
    n, c = xpad.shape[:2]
    view = windows(xpad, kernel, stride, dilation, out_hw, xp)
    cols = xp.ascontiguousarray(view)
    return cols.reshape(n, c * kernel[0] * kernel[1], out_hw[0] * out_hw[1])


def offset_slices(kernel: tuple, stride: tuple, dilation: tuple, out_hw: tuple) -> list:
    """For each kernel offset (i, j) in order: the (rows, cols) slices it reads of the input."""
    (kh, kw), (sh, sw), (dh, dw), (ho, wo) = kernel, stride, dilation, out_hw
    return [
        (
            slice(i * dh, i * dh + sh * (ho - 1) + 1, sh),
            slice(j * dw, j * dw + sw * (wo - 1) + 1, sw),
        )
        for i in range(kh)
        for j in range(kw)
    ]


def col2im(
    dcols: Any, kernel: tuple, stride: tuple, dilation: tuple, out_hw: tuple, out: Any
) -> Any:
    """Adjoint of ``im2col``: add dcols (N, C*kh*kw, Ho*Wo) into ``out`` (N, C, Hp, Wp), zeroed.

    One strided add per kernel offset; where windows do not overlap (stride >= the dilated
    kernel), each offset owns its pixels and is assigned instead.
    """
    kh, kw = kernel
    ho, wo = out_hw
    n, c = out.shape[:2]
    d = dcols.reshape(n, c, kh * kw, ho, wo)
    disjoint = all(s >= dl * (k - 1) + 1 for k, s, dl in zip(kernel, stride, dilation))
    for k, (rows, cols) in enumerate(offset_slices(kernel, stride, dilation, out_hw)):
        if disjoint:
            out[:, :, rows, cols] = d[:, :, k]
        else:
            out[:, :, rows, cols] += d[:, :, k]
    return out


def crop_hw(xpad: Any, pads: tuple[int, int, int, int], hw: tuple) -> Any:
    """The (H, W) interior of a padded (N, C, Hp, Wp) array: undoes ``pad_hw`` (a view)."""
    top, _, left, _ = pads
    if xpad.shape[2:] == tuple(hw) and not (top or left):
        return xpad
    return xpad[:, :, top : top + hw[0], left : left + hw[1]]
