"""Convolution and transposed convolution, each one fused node: im2col + batched GEMMs.

With cols = im2col(pad(x)) of shape (N, K, L) (K = C/groups kh kw per group, L = Ho Wo) and
the weight as a matrix W (O, K), a convolution is the GEMM out = W @ cols; its gradients are
dW = sum_n g_n @ cols_n.T and dx = col2im(W.T @ g). Groups add a group axis to the batched
GEMM. A transposed convolution is the gradient of a convolution with respect to its input,
so it reuses the same three routines with roles swapped.

Cache blocking: cols are kh kw times the input (a 64x32x32x32 batch with a 3x3 kernel: 75 MB),
so written whole they go to DRAM and come back for the GEMM. Each routine instead walks the
batch in blocks of samples whose cols take about ``BLOCK_BYTES`` (a few blocks per batch, not
one iteration per sample): the strided copy, the GEMM that reads it and col2im then stay in
the L2/L3 caches. Measured on the benchmark layer: forward and backward 15-25% faster than
whole-batch im2col, and the peak memory of cols drops from 75 MB to one block. For the same
reason the backward recomputes each block's cols from the saved padded input instead of
keeping them from the forward.
"""

from __future__ import annotations

from typing import Any

from groundup.autograd import Function
from groundup.ops._im2col import col2im, crop_hw, im2col, out_size, pad_hw

BLOCK_BYTES = 4 << 20  # cols per block: fits the L2 + L3 share of a core on common CPUs


def _blocks(n: int, bytes_per_sample: int) -> list[slice]:
    """Slices of the batch, each holding about BLOCK_BYTES of cols (at least one sample)."""
    step = max(1, BLOCK_BYTES // max(bytes_per_sample, 1))
    return [slice(i, min(i + step, n)) for i in range(0, n, step)]


def conv_forward(
    xpad: Any, w: Any, stride: tuple, dilation: tuple, groups: int, xp: Any, b: Any = None
) -> Any:
    """out (N, O, Ho, Wo) = W @ im2col(xpad) + b per group; xpad (N, C, Hp, Wp), w (O, C/g, *k)."""
    n, c = xpad.shape[:2]
    o, cg, kh, kw = w.shape
    ho = out_size(xpad.shape[2], kh, stride[0], 0, dilation[0])
    wo = out_size(xpad.shape[3], kw, stride[1], 0, dilation[1])
    out = xp.empty((n, o, ho * wo), xpad.dtype)
    w_mat = w.reshape(o, -1) if groups == 1 else w.reshape(groups, o // groups, -1)
    b_col = None if b is None else b.reshape(o, 1)
    for blk in _blocks(n, c * kh * kw * ho * wo * xpad.itemsize):
        cols = im2col(xpad[blk], (kh, kw), stride, dilation, (ho, wo), xp)  # (n, K, L)
        if groups == 1:
            xp.matmul(w_mat, cols, out=out[blk])  # n GEMMs of (O, K) @ (K, L)
        else:
            cols = cols.reshape(cols.shape[0], groups, cg * kh * kw, ho * wo)
            out_blk = out[blk].reshape(cols.shape[0], groups, o // groups, ho * wo)
            xp.matmul(w_mat, cols, out=out_blk)  # (n, G, O/G, L)
        if b_col is not None:
            out[blk] += b_col  # while the block is still in cache
    return out.reshape(n, o, ho, wo)


def conv_weight_grad(
    xpad: Any, g: Any, w_shape: tuple, stride: tuple, dilation: tuple, groups: int, xp: Any
) -> Any:
    """dW (O, C/g, kh, kw) = sum over n of g_n @ cols_n.T, for g (N, O, Ho, Wo)."""
    n, o, ho, wo = g.shape
    c = xpad.shape[1]
    kh, kw = w_shape[2:]
    g = xp.ascontiguousarray(g).reshape(n, groups, o // groups, ho * wo)
    dw = None
    for blk in _blocks(n, c * kh * kw * ho * wo * xpad.itemsize):
        cols = im2col(xpad[blk], (kh, kw), stride, dilation, (ho, wo), xp)  # (n, K, L)
        cols = cols.reshape(cols.shape[0], groups, -1, ho * wo).transpose(0, 1, 3, 2)
        part = (g[blk] @ cols).sum(axis=0)  # (G, O/G, K/G)
        dw = part if dw is None else dw + part
    return dw.reshape(w_shape)


def conv_input_grad(
    g: Any, w: Any, padded_hw: tuple, stride: tuple, dilation: tuple, groups: int, xp: Any
) -> Any:
    """d(xpad) (N, C, Hp, Wp) = col2im(W.T @ g), for g (N, O, Ho, Wo)."""
    n, o, ho, wo = g.shape
    _, cg, kh, kw = w.shape
    c = cg * groups
    g = xp.ascontiguousarray(g).reshape(n, groups, o // groups, ho * wo)
    # (G, K/G, O/G): contiguous, so matmul hands it to BLAS
    w_t = xp.ascontiguousarray(w.reshape(groups, o // groups, -1).transpose(0, 2, 1))
    dxpad = xp.zeros((n, c, *padded_hw), g.dtype)
    for blk in _blocks(n, c * kh * kw * ho * wo * g.itemsize):
        # one output channel per group (depthwise): the product is an outer one, a broadcast
        dcols = w_t * g[blk] if o == groups else w_t @ g[blk]  # (n, G, K/G, L)
        dcols = dcols.reshape(-1, c * kh * kw, ho * wo)
        col2im(dcols, (kh, kw), stride, dilation, (ho, wo), out=dxpad[blk])
    return dxpad


def _as_4d(x: Any) -> Any:
    """(N, C, L) -> (N, C, 1, L), so 1-D convolution is 2-D convolution over a height of 1."""
    return x if x.ndim == 4 else x.reshape(x.shape[0], x.shape[1], 1, x.shape[2])


class Conv(Function):
    """out = W @ im2col(pad(x)) + b (per group);  dW = sum_n g_n cols_n.T;  dx = col2im(W.T g);
    db = sum g over (N, *spatial).

    x is (N, C, H, W) with w (O, C/groups, kh, kw), or (N, C, L) with w (O, C/groups, k);
    ``pads`` is (top, bottom, left, right), ``stride`` and ``dilation`` are (h, w) pairs.
    """

    @staticmethod
    def forward(
        ctx: Any,
        x: Any,
        w: Any,
        b: Any,
        *,
        stride: tuple,
        pads: tuple,
        dilation: tuple,
        groups: int,
    ) -> Any:
        xp = ctx.xp
        x4, w4 = _as_4d(x), _as_4d(w)
        xpad = pad_hw(x4, pads, xp)
        out = conv_forward(xpad, w4, stride, dilation, groups, xp, b)
        ctx.save_for_backward(xpad if ctx.needs_input_grad[1] else None, w)
        ctx.args = (stride, pads, dilation, groups, x.shape, xpad.shape[2:])
        return out if x.ndim == 4 else out.reshape(out.shape[0], out.shape[1], -1)

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        xpad, w = ctx.saved_tensors
        stride, pads, dilation, groups, x_shape, padded_hw = ctx.args
        need_x, need_w, need_b = ctx.needs_input_grad
        xp = ctx.xp
        g4, w4 = _as_4d(g), _as_4d(w)
        dx = dw = db = None
        if need_x:
            dxpad = conv_input_grad(g4, w4, padded_hw, stride, dilation, groups, xp)
            dx = crop_hw(dxpad, pads, _as_4d_shape(x_shape)[2:]).reshape(x_shape)
        if need_w:
            dw = conv_weight_grad(xpad, g4, w4.shape, stride, dilation, groups, xp)
            dw = dw.reshape(w.shape)
        if need_b:
            db = g4.sum(axis=(0, 2, 3))
        return dx, dw, db


def _as_4d_shape(shape: tuple) -> tuple:
    return shape if len(shape) == 4 else (shape[0], shape[1], 1, shape[2])


class ConvTranspose(Function):
    """The adjoint of Conv in its input: out = crop(col2im(W.T @ x)) + b;
    dx = conv(pad(g), W) (im2col + GEMM);  dW = sum_n x_n im2col(pad(g))_n.T;  db = sum g.

    x is (N, C_in, H, W) and w (C_in, C_out/groups, kh, kw), PyTorch's layout; the output is
    (N, C_out, H_out, W_out) with H_out = (H - 1) s - 2 p + d (kh - 1) + output_padding + 1.
    ``out_hw`` is (H_out, W_out) and ``padding`` the (h, w) pair.
    """

    @staticmethod
    def forward(
        ctx: Any,
        x: Any,
        w: Any,
        b: Any,
        *,
        stride: tuple,
        padding: tuple,
        dilation: tuple,
        groups: int,
        out_hw: tuple,
    ) -> Any:
        xp = ctx.xp
        pads = (padding[0], padding[0], padding[1], padding[1])
        padded_hw = (out_hw[0] + 2 * padding[0], out_hw[1] + 2 * padding[1])
        out = conv_input_grad(x, w, padded_hw, stride, dilation, groups, xp)
        out = crop_hw(out, pads, out_hw)
        out = xp.ascontiguousarray(out)
        if b is not None:
            out += b.reshape(-1, 1, 1)
        ctx.save_for_backward(x if ctx.needs_input_grad[1] else None, w)
        ctx.args = (stride, pads, dilation, groups, x.shape)
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        x, w = ctx.saved_tensors
        stride, pads, dilation, groups, x_shape = ctx.args
        need_x, need_w, need_b = ctx.needs_input_grad
        xp = ctx.xp
        dx = dw = db = None
        if need_x or need_w:
            gpad = pad_hw(g, pads, xp)
            if need_x:  # an output_padding >= stride (dilated kernels) adds a row: drop it
                dx = conv_forward(gpad, w, stride, dilation, groups, xp)
                dx = dx[:, :, : x_shape[2], : x_shape[3]]
            if need_w:
                # the conv whose input is g and whose output gradient is x
                dw = conv_weight_grad(gpad, x, w.shape, stride, dilation, groups, xp)
        if need_b:
            db = g.sum(axis=(0, 2, 3))
        return dx, dw, db
