"""Batch norm and layer norm, each one fused node with the closed-form backward.

Both normalise x to xhat = (x - mean) / sqrt(var + eps) over some axes and return
xhat * w + b. With m the number of elements each mean runs over and dxhat = g * w, the
backward of a normalisation by the batch's own statistics is

    dx = (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)) / sqrt(var + eps),

where both means run over the normalised axes; dw and db sum g * xhat and g over the others.
"""

from __future__ import annotations

from typing import Any

from groundup.autograd import Function


def _normalize(x: Any, axes: tuple, eps: float, xp: Any) -> tuple:
    """(xhat, mean, biased var, 1 / sqrt(var + eps)) of x over ``axes`` (kept as size-1 axes)."""
    mean = x.mean(axis=axes, keepdims=True)
    xc = x - mean
    var = (xc * xc).mean(axis=axes, keepdims=True)
    inv_std = 1.0 / xp.sqrt(var + eps)
    xc *= inv_std
    return xc, mean, var, inv_std


def _affine_grads(ctx: Any, g: Any, xhat: Any, axes: tuple, shape: tuple) -> tuple:
    """(dw, db): g * xhat and g summed over ``axes`` and reshaped to the parameters' ``shape``."""
    needs = ctx.needs_input_grad
    dw = (g * xhat).sum(axis=axes).reshape(shape) if needs[1] else None
    db = g.sum(axis=axes).reshape(shape) if needs[2] else None
    return dw, db


class BatchNorm(Function):
    """out = (x - mean) / sqrt(var + eps) * w + b per channel (axis 1) of x (N, C, *);
    training: batch mean and biased var, dx as in the module docstring (means over N and *);
    eval: running stats, dx = g w / sqrt(running_var + eps);  dw = sum g xhat;  db = sum g.

    In training the running stats (if given) are updated in place, as PyTorch:
    r_mean = (1 - momentum) r_mean + momentum mean, r_var likewise with the unbiased var.
    """

    @staticmethod
    def forward(
        ctx: Any,
        x: Any,
        w: Any,
        b: Any,
        running_mean: Any,
        running_var: Any,
        *,
        training: bool,
        momentum: float,
        eps: float,
    ) -> Any:
        xp = ctx.xp
        axes = (0,) + tuple(range(2, x.ndim))  # all but the channel axis
        stat_shape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
        if training:
            xhat, mean, var, inv_std = _normalize(x, axes, eps, xp)
            if running_mean is not None:
                m = x.size // x.shape[1]
                running_mean *= 1.0 - momentum
                running_mean += momentum * mean.reshape(-1)
                running_var *= 1.0 - momentum
                running_var += (momentum * m / (m - 1)) * var.reshape(-1)  # unbiased, as PyTorch
        else:
            mean = running_mean.reshape(stat_shape)
            inv_std = 1.0 / xp.sqrt(running_var.reshape(stat_shape) + eps)
            xhat = (x - mean) * inv_std
        ctx.save_for_backward(xhat, inv_std)
        ctx.w, ctx.axes, ctx.training = w, axes, training
        out = xhat if w is None else xhat * w.reshape(stat_shape)
        return out if b is None else out + b.reshape(stat_shape)

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        xhat, inv_std = ctx.saved_tensors
        w, axes = ctx.w, ctx.axes
        needs = ctx.needs_input_grad
        # The two per-channel sums serve dx, dw and db alike: reduce over (N, *) once each.
        sum_g = g.sum(axis=axes)  # (C,) = db
        sum_g_xhat = (g * xhat).sum(axis=axes)  # (C,) = dw
        dx = None
        if needs[0]:
            scale = inv_std if w is None else inv_std * w.reshape(inv_std.shape)
            if ctx.training:  # dx = w inv_std (g - mean(g) - xhat mean(g xhat))
                m = g.size // g.shape[1]
                dx = xhat * (sum_g_xhat.reshape(inv_std.shape) * (-1.0 / m))
                dx += g
                dx -= sum_g.reshape(inv_std.shape) * (1.0 / m)
                dx *= scale
            else:
                dx = g * scale
        dw = sum_g_xhat if needs[1] else None
        db = sum_g if needs[2] else None
        return dx, dw, db, None, None


class LayerNorm(Function):
    """out = (x - mean) / sqrt(var + eps) * w + b over the last ``n_dims`` axes of x;
    dx as in the module docstring (means over those axes);  dw = sum g xhat;  db = sum g,
    both over the leading axes."""

    @staticmethod
    def forward(ctx: Any, x: Any, w: Any, b: Any, *, n_dims: int, eps: float) -> Any:
        axes = tuple(range(x.ndim - n_dims, x.ndim))
        xhat, _, _, inv_std = _normalize(x, axes, eps, ctx.xp)
        ctx.save_for_backward(xhat, inv_std)
        ctx.w, ctx.axes = w, axes
        out = xhat if w is None else xhat * w
        return out if b is None else out + b

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        xhat, inv_std = ctx.saved_tensors
        w, axes = ctx.w, ctx.axes
        dx = None
        if ctx.needs_input_grad[0]:
            dxhat = g if w is None else g * w
            dx = dxhat - dxhat.mean(axis=axes, keepdims=True)
            dx -= xhat * (dxhat * xhat).mean(axis=axes, keepdims=True)
            dx *= inv_std
        lead = tuple(range(xhat.ndim - len(axes)))
        return (dx, *_affine_grads(ctx, g, xhat, lead, xhat.shape[len(lead) :]))
