"""Pooling and nearest-neighbour resampling, each one node with a backward free of ``add.at``.

Max and average pooling walk the kh*kw kernel offsets: each offset is one strided view of
the padded input, (N, C, Ho, Wo), so the forward is kh*kw whole-array ``maximum``/``add``
calls and the backward kh*kw strided writes (assignments where windows do not overlap).
Adaptive average pooling and nearest upsampling are linear maps along H and along W, so
they are two small matrices: out = A_h @ x @ A_w.T and dx = A_h.T @ g @ A_w, or plain
reshapes when the sizes divide evenly.
"""

from __future__ import annotations

from typing import Any

from groundup.autograd import Function
from groundup.ops._im2col import crop_hw, offset_slices, pad_hw


def _as_4d(x: Any) -> Any:
    """(N, C, L) -> (N, C, 1, L): 1-D pooling is 2-D pooling over a height of 1."""
    return x if x.ndim == 4 else x.reshape(x.shape[0], x.shape[1], 1, x.shape[2])


def _scatter(g: Any, masks: Any, padded_shape: tuple, slices: list, disjoint: bool, xp: Any) -> Any:
    """dxpad (padded_shape) with, for kernel offset k, g * masks(k) written at slices[k]."""
    dxpad = xp.zeros(padded_shape, g.dtype)
    for k, (rows, cols) in enumerate(slices):
        part = g if masks is None else g * masks(k)
        if disjoint:
            dxpad[:, :, rows, cols] = part
        else:
            dxpad[:, :, rows, cols] += part
    return dxpad


class MaxPool(Function):
    """out = max of each window;  dx: g goes to the first maximum of its window, as PyTorch.

    x is (N, C, H, W) or (N, C, L); ``pads`` (top, bottom, left, right) is filled with -inf
    (bottom/right include ``ceil_mode``'s extra row). The forward is kh*kw - 1 ``maximum``
    calls on strided views; the backward finds, offset by offset, where the input equals the
    max and no earlier offset claimed it (ties go to the first, as PyTorch), and writes g there.
    A window whose max is NaN passes no gradient.
    """

    @staticmethod
    def forward(ctx: Any, x: Any, *, kernel: tuple, stride: tuple, pads: tuple,
                dilation: tuple, out_hw: tuple) -> Any:  # fmt: skip
        xp = ctx.xp
        x4 = _as_4d(x)
        xpad = pad_hw(x4, pads, xp, value=-xp.inf)
        slices = offset_slices(kernel, stride, dilation, out_hw)
        views = [xpad[:, :, rows, cols] for rows, cols in slices]
        out = views[0].copy() if len(views) == 1 else xp.maximum(views[0], views[1])
        for v in views[2:]:
            xp.maximum(out, v, out=out)  # NaN propagates, as PyTorch
        ctx.save_for_backward(xpad, out)
        ctx.args = (slices, x.shape, pads, _disjoint(kernel, stride, dilation))
        return out if x.ndim == 4 else out.reshape(x.shape[0], x.shape[1], -1)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        xpad, out = ctx.saved_tensors
        slices, x_shape, pads, disjoint = ctx.args
        xp = ctx.xp
        g4 = g.reshape(out.shape)
        dxpad = xp.zeros(xpad.shape, g.dtype)
        taken = xp.zeros(out.shape, bool)
        for rows, cols in slices:
            first = xpad[:, :, rows, cols] == out
            first &= ~taken
            taken |= first
            if disjoint:
                xp.multiply(g4, first, out=dxpad[:, :, rows, cols])
            else:
                dxpad[:, :, rows, cols] += g4 * first
        hw = x_shape[2:] if len(x_shape) == 4 else (1, x_shape[2])
        return crop_hw(dxpad, pads, hw).reshape(x_shape)


def _disjoint(kernel: tuple, stride: tuple, dilation: tuple) -> bool:
    """Whether no two windows share a pixel (stride >= the dilated kernel in each dim)."""
    return all(s >= d * (k - 1) + 1 for k, s, d in zip(kernel, stride, dilation))


class AvgPool(Function):
    """out = sum of each window / divisor;  dx = g / divisor, spread over each window.

    ``divisor`` is a number or an (Ho, Wo) array (padding not counted, ``ceil_mode``'s
    clipped windows); ``pads`` are filled with zeros.
    """

    @staticmethod
    def forward(ctx: Any, x: Any, *, kernel: tuple, stride: tuple, pads: tuple,
                out_hw: tuple, divisor: Any) -> Any:  # fmt: skip
        xp = ctx.xp
        x4 = _as_4d(x)
        xpad = pad_hw(x4, pads, xp)
        slices = offset_slices(kernel, stride, (1, 1), out_hw)
        out = xpad[:, :, slices[0][0], slices[0][1]].copy()
        for rows, cols in slices[1:]:
            out += xpad[:, :, rows, cols]
        inv = _inverse(divisor, x.dtype, xp)
        out *= inv
        ctx.args = (slices, x.shape, xpad.shape, pads, _disjoint(kernel, stride, (1, 1)), inv)
        return out if x.ndim == 4 else out.reshape(x.shape[0], x.shape[1], -1)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        slices, x_shape, padded_shape, pads, disjoint, inv = ctx.args
        g4 = _as_4d(g) * inv
        dxpad = _scatter(g4, None, padded_shape, slices, disjoint, ctx.xp)
        hw = x_shape[2:] if len(x_shape) == 4 else (1, x_shape[2])
        return crop_hw(dxpad, pads, hw).reshape(x_shape)


def _inverse(divisor: Any, dtype: Any, xp: Any) -> Any:
    """1 / divisor in ``dtype`` (a Python float for a number, so float32 stays float32)."""
    if isinstance(divisor, (int, float)):
        return 1.0 / divisor
    return (1.0 / xp.asarray(divisor, dtype="float64")).astype(dtype)


def _even_split(size: int, out: int) -> bool:
    return size % out == 0


class AdaptiveAvgPool(Function):
    """out[i, j] = mean of x over rows floor(i H / oh)..ceil((i + 1) H / oh) and likewise
    columns;  out = A_h @ x @ A_w.T, dx = A_h.T @ g @ A_w (A: (out, in) averaging matrices).

    When H and W divide evenly it is a reshape and a mean (and its broadcast back).
    """

    @staticmethod
    def forward(ctx: Any, x: Any, *, output_size: tuple) -> Any:
        xp = ctx.xp
        n, c, h, w = x.shape
        oh, ow = output_size
        ctx.shape = x.shape
        if _even_split(h, oh) and _even_split(w, ow):
            ctx.mats = None
            return x.reshape(n, c, oh, h // oh, ow, w // ow).mean(axis=(3, 5))
        a_h = _bin_matrix(h, oh, x.dtype, xp)
        a_w = _bin_matrix(w, ow, x.dtype, xp)
        ctx.mats = (a_h, a_w)
        return a_h @ (x @ a_w.T)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        n, c, h, w = ctx.shape
        oh, ow = g.shape[2:]
        if ctx.mats is None:
            kh, kw = h // oh, w // ow
            g6 = (g * (1.0 / (kh * kw))).reshape(n, c, oh, 1, ow, 1)
            return ctx.xp.broadcast_to(g6, (n, c, oh, kh, ow, kw)).reshape(ctx.shape)
        a_h, a_w = ctx.mats
        return a_h.T @ (g @ a_w)


def _bin_matrix(size: int, out: int, dtype: Any, xp: Any) -> Any:
    """A (out, size): row i averages [floor(i size / out), ceil((i + 1) size / out)) (PyTorch)."""
    i = xp.arange(out)
    start = (i * size) // out
    end = -((-(i + 1) * size) // out)  # ceil
    j = xp.arange(size)
    inside = (j >= start[:, None]) & (j < end[:, None])
    return (inside / (end - start)[:, None]).astype(dtype)


class UpsampleNearest(Function):
    """out[.., i, j] = x[.., floor(i * scale_h), floor(j * scale_w)] (PyTorch's "nearest");
    dx sums g over the outputs that copy each input: M_h.T @ g @ M_w (M: one-hot maps).

    Integer factors (scale 1/k) are a broadcast and a reshape; their backward a reshape-sum.
    """

    @staticmethod
    def forward(ctx: Any, x: Any, *, out_hw: tuple, scales: tuple) -> Any:
        xp = ctx.xp
        x4 = _as_4d(x)
        n, c, h, w = x4.shape
        oh, ow = out_hw
        ctx.shape = x.shape
        factors = _integer_factors((h, w), out_hw, scales)
        ctx.factors = factors
        if factors is not None:
            fh, fw = factors
            out = xp.broadcast_to(x4[:, :, :, None, :, None], (n, c, h, fh, w, fw))
            out = out.reshape(n, c, oh, ow)
        else:
            ih = _source_index(h, oh, scales[0], xp)
            iw = _source_index(w, ow, scales[1], xp)
            ctx.idx = (ih, iw)
            out = x4[:, :, ih[:, None], iw[None, :]]
        return out if x.ndim == 4 else out.reshape(n, c, ow)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        xp = ctx.xp
        shape = _as_4d_shape(ctx.shape)
        n, c, h, w = shape
        g4 = _as_4d(g)
        if ctx.factors is not None:
            fh, fw = ctx.factors
            return g4.reshape(n, c, h, fh, w, fw).sum(axis=(3, 5)).reshape(ctx.shape)
        ih, iw = ctx.idx
        m_h = (ih[:, None] == xp.arange(h)).astype(g.dtype)  # (oh, h) one-hot
        m_w = (iw[:, None] == xp.arange(w)).astype(g.dtype)  # (ow, w)
        return (m_h.T @ (g4 @ m_w)).reshape(ctx.shape)


def _as_4d_shape(shape: tuple) -> tuple:
    return shape if len(shape) == 4 else (shape[0], shape[1], 1, shape[2])


def _integer_factors(in_hw: tuple, out_hw: tuple, scales: tuple) -> tuple | None:
    """(fh, fw) when each output size is an exact multiple of the input's and indexes agree."""
    factors = []
    for size, out, scale in zip(in_hw, out_hw, scales):
        if out % size:
            return None
        f = out // size
        if scale is not None and abs(scale * f - 1.0) > 1e-12:
            return None  # e.g. scale_factor=2.5 with a size that happens to divide
        factors.append(f)
    return tuple(factors)


def _source_index(size: int, out: int, scale: float | None, xp: Any) -> Any:
    """floor(i * scale) clipped to size - 1, scale = 1/scale_factor or size/out, as PyTorch."""
    s = size / out if scale is None else scale
    idx = (xp.arange(out, dtype="float32") * xp.float32(s)).astype(xp.int64)
    return xp.minimum(idx, size - 1)
