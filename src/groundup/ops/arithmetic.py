"""Elementwise binary ops with NumPy broadcasting; gradients are summed back to input shapes.

An argument may be an array or a Python number (a constant that gets no gradient).
"""

from __future__ import annotations

from typing import Any

from groundup.autograd import Function
from groundup.ops._util import shape_of, unbroadcast


class Add(Function):
    """out = a + b;  da = g;  db = g."""

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any) -> Any:
        ctx.shapes = shape_of(a), shape_of(b)
        return a + b

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        (sa, sb), (na, nb) = ctx.shapes, ctx.needs_input_grad
        return unbroadcast(g, sa) if na else None, unbroadcast(g, sb) if nb else None


class Sub(Function):
    """out = a - b;  da = g;  db = -g."""

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any) -> Any:
        ctx.shapes = shape_of(a), shape_of(b)
        return a - b

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        (sa, sb), (na, nb) = ctx.shapes, ctx.needs_input_grad
        return unbroadcast(g, sa) if na else None, unbroadcast(-g, sb) if nb else None


class Mul(Function):
    """out = a * b;  da = g * b;  db = g * a."""

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any) -> Any:
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        a, b = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        da = unbroadcast(g * b, shape_of(a)) if na else None
        db = unbroadcast(g * a, shape_of(b)) if nb else None
        return da, db


class Div(Function):
    """out = a / b;  da = g / b;  db = -g * a / b**2."""

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any) -> Any:
        ctx.save_for_backward(a, b)
        return a / b

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        a, b = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        ga = g / b
        da = unbroadcast(ga, shape_of(a)) if na else None
        db = unbroadcast(-ga * a / b, shape_of(b)) if nb else None
        return da, db


class Pow(Function):
    """out = a ** p for a constant number p;  da = g * p * a**(p - 1)."""

    @staticmethod
    def forward(ctx: Any, a: Any, p: float) -> Any:
        ctx.save_for_backward(a)
        ctx.p = p
        return a**p

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        (a,) = ctx.saved_tensors
        p = ctx.p
        if p == 0:  # a**0 is constant; PyTorch's gradient is 0 even at a = 0
            return ctx.xp.zeros_like(g), None
        if p == 2:
            return g * 2.0 * a, None
        return g * p * a ** (p - 1), None


class PowTensor(Function):
    """out = a ** b with b a tensor;  da = g * b * a**(b - 1);  db = g * out * log(a)."""

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any) -> Any:
        out = a**b
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        a, b, out = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        xp = ctx.xp
        da = db = None
        if na:  # where b == 0 the gradient is 0, even at a == 0 (PyTorch's pow_backward_self)
            with xp.errstate(divide="ignore", invalid="ignore"):
                da = unbroadcast(g * xp.where(b == 0, 0, b * a ** (b - 1)), shape_of(a))
        if nb:
            # d(a**b)/db is out * log(a); PyTorch takes it as 0 where a == 0 (and b >= 0).
            log_a = xp.log(xp.where(a == 0, 1, a).astype(out.dtype, copy=False))
            db = unbroadcast(g * out * log_a, shape_of(b))
        return da, db


class Maximum(Function):
    """out = max(a, b);  the gradient goes to the larger input, split evenly on ties."""

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any) -> Any:
        ctx.save_for_backward(a, b)
        return ctx.xp.maximum(a, b)

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        a, b = ctx.saved_tensors
        return _split_by_winner(ctx, g, a > b, a == b)


class Minimum(Function):
    """out = min(a, b);  the gradient goes to the smaller input, split evenly on ties."""

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any) -> Any:
        ctx.save_for_backward(a, b)
        return ctx.xp.minimum(a, b)

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        a, b = ctx.saved_tensors
        return _split_by_winner(ctx, g, a < b, a == b)


def _split_by_winner(ctx: Any, g: Any, a_wins: Any, tie: Any) -> tuple:
    """Gradients of a two-way max/min: all of g to the winner, half to each on a tie."""
    a, b = ctx.saved_tensors
    na, nb = ctx.needs_input_grad
    share_a = a_wins + 0.5 * tie  # 1 where a wins, 0.5 on ties, 0 where b wins
    share_a = share_a.astype(g.dtype, copy=False)
    da = unbroadcast(g * share_a, shape_of(a)) if na else None
    db = unbroadcast(g * (1.0 - share_a), shape_of(b)) if nb else None
    return da, db


class Where(Function):
    """out = x where cond else y;  dx = g where cond;  dy = g where not cond."""

    @staticmethod
    def forward(ctx: Any, cond: Any, x: Any, y: Any) -> Any:
        ctx.cond = cond
        ctx.shapes = shape_of(x), shape_of(y)
        return ctx.xp.where(cond, x, y)

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        xp, cond, (sx, sy) = ctx.xp, ctx.cond, ctx.shapes
        _, nx, ny = ctx.needs_input_grad
        dx = unbroadcast(xp.where(cond, g, 0), sx) if nx else None
        dy = unbroadcast(xp.where(cond, 0, g), sy) if ny else None
        return None, dx, dy
