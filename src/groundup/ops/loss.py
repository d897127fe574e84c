"""Losses, each one fused node: the per-element loss and its reduction in one forward, one backward.

``reduction`` is "mean", "sum" or "none". Backward turns the upstream gradient g of the
reduced loss into g' per element (g / n for a mean, g itself otherwise) and applies the
loss's own derivative. Options (reduction, ignore_index, ...) come as keywords, so the
positional arguments are exactly the arrays a gradient may be returned for.
"""

from __future__ import annotations

import contextlib
from typing import Any

from groundup.autograd import Function
from groundup.ops._util import unbroadcast


def _reduce(loss: Any, reduction: str, xp: Any) -> Any:
    """The per-element ``loss`` reduced: its mean, its sum, or itself."""
    if reduction == "none":
        return loss
    total = loss.mean() if reduction == "mean" else loss.sum()
    return xp.asarray(total, dtype=loss.dtype)


def _quiet(xp: Any) -> Any:
    """Silence NumPy's warnings for log(0) and 0 / 0: PyTorch returns -inf/NaN quietly too."""
    errstate = getattr(xp, "errstate", None)
    return errstate(divide="ignore", invalid="ignore") if errstate else contextlib.nullcontext()


def _per_element(g: Any, reduction: str, n: int) -> Any:
    """d(reduced loss)/d(each element's loss) times g: g / n for a mean, else g."""
    return g / n if reduction == "mean" else g


class MSELoss(Function):
    """out = reduce((x - y)**2);  dx = 2 (x - y) g';  dy = -dx."""

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any, *, reduction: str) -> Any:
        d = x - y
        ctx.save_for_backward(d)
        ctx.shapes, ctx.reduction = (x.shape, y.shape), reduction
        return _reduce(d * d, reduction, ctx.xp)

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        (d,) = ctx.saved_tensors
        dx = (2.0 * _per_element(g, ctx.reduction, d.size)) * d
        return _input_and_target_grads(ctx, dx)


class L1Loss(Function):
    """out = reduce(|x - y|);  dx = sign(x - y) g';  dy = -dx."""

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any, *, reduction: str) -> Any:
        d = x - y
        ctx.save_for_backward(d)
        ctx.shapes, ctx.reduction = (x.shape, y.shape), reduction
        return _reduce(ctx.xp.abs(d), reduction, ctx.xp)

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        (d,) = ctx.saved_tensors
        dx = ctx.xp.sign(d) * _per_element(g, ctx.reduction, d.size)
        return _input_and_target_grads(ctx, dx)


def _input_and_target_grads(ctx: Any, dx: Any) -> tuple:
    """(dx, -dx), each summed back to its input's shape when the two were broadcast."""
    x_shape, y_shape = ctx.shapes
    needs = ctx.needs_input_grad
    return (
        unbroadcast(dx, x_shape) if needs[0] else None,
        unbroadcast(-dx, y_shape) if needs[1] else None,
    )


class BinaryCrossEntropy(Function):
    """out = reduce(-w (y ln x + (1-y) ln(1-x))), logs >= -100;
    dx = w (x - y) / max(x (1-x), 1e-12) g';  dy = w (ln(1-x) - ln x) g'."""

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any, w: Any, *, reduction: str) -> Any:
        xp = ctx.xp
        # PyTorch clamps both logs at -100, so x = 0 or 1 gives a large finite loss, not inf.
        with _quiet(xp):
            loss = (y - 1.0) * xp.maximum(xp.log1p(-x), -100.0)
            loss -= y * xp.maximum(xp.log(x), -100.0)
        if w is not None:
            loss *= w
        ctx.save_for_backward(x, y)
        ctx.w, ctx.reduction = w, reduction  # not saved: save_for_backward can't hold None
        return _reduce(loss, reduction, xp)

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        xp = ctx.xp
        x, y = ctx.saved_tensors
        w = ctx.w
        g = _per_element(g, ctx.reduction, x.size)
        if w is not None:
            g = g * w
        dx = dy = None
        if ctx.needs_input_grad[0]:
            dx = g * (x - y) / xp.maximum((1.0 - x) * x, 1e-12)
        if ctx.needs_input_grad[1]:
            with _quiet(xp):
                dy = g * (xp.log1p(-x) - xp.log(x))
        return dx, dy, None


class BinaryCrossEntropyWithLogits(Function):
    """out = reduce(w ((1-y) x + (1 + (p-1) y) softplus(-x))), p = pos_weight (1 if None);
    dx = w ((1 + (p-1) y) sigmoid(x) - p y) g';  dy = w ((p-1) softplus(-x) - x) g'."""

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any, w: Any, p: Any, *, reduction: str) -> Any:
        xp = ctx.xp
        softplus_neg = xp.log1p(xp.exp(-xp.abs(x))) + xp.maximum(-x, 0.0)  # ln(1 + e**-x), stable
        loss = (1.0 - y) * x
        loss += softplus_neg if p is None else (1.0 + (p - 1.0) * y) * softplus_neg
        if w is not None:
            loss *= w
        ctx.save_for_backward(x, y)
        ctx.w, ctx.p, ctx.reduction = w, p, reduction
        return _reduce(loss, reduction, xp)

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        xp = ctx.xp
        x, y = ctx.saved_tensors
        w, p = ctx.w, ctx.p
        g = _per_element(g, ctx.reduction, x.size)
        if w is not None:
            g = g * w
        dx = dy = None
        if ctx.needs_input_grad[0]:
            e = xp.exp(-xp.abs(x))
            sig = xp.where(x >= 0, 1.0, e) / (1.0 + e)  # sigmoid(x) without overflow
            dx = sig - y if p is None else (1.0 + (p - 1.0) * y) * sig - p * y
            dx = unbroadcast(g * dx, x.shape)
        if ctx.needs_input_grad[1]:
            dy = -x
            if p is not None:
                dy = dy + (p - 1.0) * (xp.log1p(xp.exp(-xp.abs(x))) + xp.maximum(-x, 0.0))
            dy = unbroadcast(g * dy, y.shape)
        return dx, dy, None, None


# ----------------------------------------------------------------------------- class losses
def _class_positions(target: Any, shape: tuple, xp: Any) -> Any:
    """Flat indices, into a C-contiguous array of ``shape`` (N, C, *d), of entry (i, target, *j).

    ``target`` has shape (N, *d). With R = prod(d) and k = i R + j the flat position of
    (i, *j) in the target, the entry (i, t, *j) sits at (i C + t) R + j.
    """
    n, c = shape[0], shape[1]
    if target.size == 0:
        return xp.zeros(target.shape, dtype=xp.int64)
    r = target.size // n
    k = xp.arange(target.size).reshape(target.shape)
    if r == 1:
        return k * c + target
    return (k // r) * (c * r) + target * r + k % r


def _class_weights(w: Any, ndim: int) -> Any:
    """The per-class weight (C,) shaped to broadcast over (N, C, *d)."""
    return w.reshape((-1,) + (1,) * (ndim - 2))


class CrossEntropy(Function):
    """Fused log-softmax + NLL over axis 1 of x (N, C, *d), class indices or probabilities t:
    out = reduce(-sum_c a_c (x_c - logsumexp x)), a = per-class target mass (as below);
    dx = (softmax(x) sum_c a_c - a) g';  dt = -(1 - eps) w log_softmax(x) g' (probabilities).

    a_c = (1 - eps) w_t [c == t] + (eps / C) w_c for an index t (0 where t == ignore_index, and
    a mean divides by sum of w_t over kept rows, as PyTorch); a_c = w_c ((1 - eps) t_c + eps / C)
    for probabilities (a mean divides by N * prod(d)).
    """

    @staticmethod
    def forward(
        ctx: Any, x: Any, t: Any, w: Any, *, reduction: str, ignore_index: int, smoothing: float
    ) -> Any:
        xp = ctx.xp
        n_classes = x.shape[1]
        x_max = x.max(axis=1, keepdims=True)
        shifted = xp.ascontiguousarray(x - x_max)  # logits of 1e4 stay finite; C order for pos
        e = xp.exp(shifted)
        sum_e = e.sum(axis=1, keepdims=True)
        lse = xp.log(sum_e)  # (N, 1, *d): log_softmax = shifted - lse
        w_b = None if w is None else _class_weights(w, x.ndim)
        probs_target = t.dtype.kind == "f"
        if probs_target:
            a = t * (1.0 - smoothing) + smoothing / n_classes if smoothing else t
            if w_b is not None:
                a = a * w_b
            loss = lse[:, 0] * a.sum(axis=1) - (shifted * a).sum(axis=1)
            denominator = loss.size
            ctx.save_for_backward(x, t)
            ctx.lse = lse + x_max  # log_softmax = x - lse, for dt
        else:
            keep = (t != ignore_index).astype(x.dtype)  # 1.0 or 0.0: bools would upcast
            t_safe = xp.where(keep, t, 0)
            pos = _class_positions(t_safe, x.shape, xp)
            w_t = keep if w is None else w[t_safe] * keep  # (N, *d)
            loss = (1.0 - smoothing) * w_t * (lse[:, 0] - shifted.reshape(-1)[pos])
            if smoothing:
                w_sum = float(n_classes) if w is None else w.sum()
                shifted_sum = shifted.sum(axis=1) if w is None else (shifted * w_b).sum(axis=1)
                smooth = lse[:, 0] * w_sum - shifted_sum  # -sum_c w_c log_softmax_c
                loss += (smoothing / n_classes) * smooth * keep
            denominator = w_t.sum()
            ctx.save_for_backward(keep, w_t, pos)
        e /= sum_e  # e is now softmax(x), all backward needs from x
        ctx.softmax, ctx.reduction, ctx.smoothing, ctx.w = e, reduction, smoothing, w
        ctx.denominator = denominator
        if reduction == "mean":  # all targets ignored: 0 / 0 = NaN, as PyTorch
            with _quiet(xp):
                return xp.asarray(loss.sum() / denominator, dtype=x.dtype)
        return _reduce(loss, reduction, xp)

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        xp, p, eps = ctx.xp, ctx.softmax, ctx.smoothing
        n_classes = p.shape[1]
        scale = g / ctx.denominator if ctx.reduction == "mean" else g
        if ctx.reduction == "none":
            scale = xp.expand_dims(scale, 1)  # (N, 1, *d)
        w = ctx.w
        if len(ctx.saved_tensors) == 2:  # probability targets
            x, t = ctx.saved_tensors
            w_b = None if w is None else _class_weights(w, p.ndim)
            a = t * (1.0 - eps) + eps / n_classes if eps else t
            if w_b is not None:
                a = a * w_b
            dx = (p * a.sum(axis=1, keepdims=True) - a) * scale
            dt = None
            if ctx.needs_input_grad[1]:
                dt = -(1.0 - eps) * (x - ctx.lse) * scale
                if w_b is not None:
                    dt *= w_b
            return dx, dt, None
        keep, w_t, pos = ctx.saved_tensors
        mass = (1.0 - eps) * w_t  # sum_c a_c per row, before smoothing
        if eps:
            w_sum = float(n_classes) if w is None else w.sum()
            mass = mass + (eps / n_classes) * w_sum * keep
        dx = xp.ascontiguousarray(p * (xp.expand_dims(mass, 1) * scale))
        row_scale = scale if ctx.reduction != "none" else scale[:, 0]
        dx.reshape(-1)[pos] -= (1.0 - eps) * w_t * row_scale  # positions are distinct
        if eps:
            smooth = (eps / n_classes) * xp.expand_dims(keep, 1) * scale
            dx -= smooth if w is None else smooth * _class_weights(w, p.ndim)
        return dx, None, None


class NLLLoss(Function):
    """out = reduce(-w_t x[i, t_i]) over x (N, C, *d) of log-probabilities;  dx = -w_t g' at t.

    Rows with t == ignore_index count 0; a mean divides by sum of w_t over kept rows.
    """

    @staticmethod
    def forward(ctx: Any, x: Any, t: Any, w: Any, *, reduction: str, ignore_index: int) -> Any:
        xp = ctx.xp
        keep = t != ignore_index
        t_safe = xp.where(keep, t, 0)
        pos = _class_positions(t_safe, x.shape, xp)
        w_t = keep.astype(x.dtype) if w is None else w[t_safe] * keep
        loss = -w_t * x.reshape(-1)[pos]
        ctx.save_for_backward(w_t, pos)
        ctx.shape, ctx.reduction, ctx.denominator = x.shape, reduction, w_t.sum()
        if reduction == "mean":
            with _quiet(xp):
                return xp.asarray(loss.sum() / ctx.denominator, dtype=x.dtype)
        return _reduce(loss, reduction, xp)

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        w_t, pos = ctx.saved_tensors
        scale = g / ctx.denominator if ctx.reduction == "mean" else g
        dx = ctx.xp.zeros(ctx.shape, dtype=w_t.dtype)
        dx.reshape(-1)[pos] = -w_t * scale
        return dx, None, None
