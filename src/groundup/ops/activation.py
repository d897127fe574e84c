"""Activation ops the engine lacks: leaky ReLU, ELU, SiLU, GELU (exact and tanh), and ``erf``.

ReLU, sigmoid, tanh, softmax and log-softmax live in ``unary.py`` and ``softmax.py``.
NumPy has no ``erf``, so this module carries one (W. J. Cody's rational approximations).
"""

from __future__ import annotations

import math
from typing import Any

from groundup.autograd import Function

_SQRT1_2 = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_GELU_TANH_C = 0.044715

# W. J. Cody, "Rational Chebyshev approximations for the error function", Math. Comp. 23
# (1969), 631-637; coefficients of his CALERF routine. Relative error below 1e-16 in float64.
_A = (3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02,
      3.20937758913846947e03, 1.85777706184603153e-1)  # fmt: skip
_B = (2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03,
      2.84423683343917062e03)  # fmt: skip
_C = (5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01,
      2.98635138197400131e02, 8.81952221241769090e02, 1.71204761263407058e03,
      2.05107837782607147e03, 1.23033935479799725e03, 2.15311535474403846e-8)  # fmt: skip
_D = (1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02,
      1.62138957456669019e03, 3.29079923573345963e03, 4.36261909014324716e03,
      3.43936767414372164e03, 1.23033935480374942e03)  # fmt: skip
_P = (3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1,
      1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2)  # fmt: skip
_Q = (2.56852019228982242e00, 1.87295284992346725e00, 5.27905102951428412e-1,
      6.05183413124413191e-2, 2.33520497626869185e-3)  # fmt: skip
_INV_SQRT_PI = 5.6418958354775628695e-1


def erf(x: Any, xp: Any) -> Any:
    """erf(x) = 2/sqrt(pi) int_0^x e**(-t**2) dt, elementwise, in x's dtype.

    Cody's three rational approximations: x R(x**2) for |x| <= 0.46875, then
    1 - e**(-x**2) R(|x|) up to 4 and 1 - e**(-x**2)/|x| (1/sqrt(pi) + R(1/x**2)/x**2) beyond.
    Error: below 1e-16 relative in float64 (checked against ``math.erf``), a few ulp in float32.
    """
    ax = xp.abs(x)
    out = xp.empty_like(x)
    small = ax <= 0.46875
    if small.any():
        xs = x[small]
        z = xs * xs
        num, den = _A[4] * z, z
        for i in range(3):
            num = (num + _A[i]) * z
            den = (den + _B[i]) * z
        out[small] = xs * (num + _A[3]) / (den + _B[3])
    large = ~small
    if large.any():
        y = xp.minimum(ax[large], 30.0)  # erfc(30) underflows float64: x = +-inf stays finite
        erfc = xp.empty_like(y)
        mid = y <= 4.0
        if mid.any():
            ym = y[mid]
            num, den = _C[8] * ym, ym
            for i in range(7):
                num = (num + _C[i]) * ym
                den = (den + _D[i]) * ym
            erfc[mid] = (num + _C[7]) / (den + _D[7])
        tail = ~mid
        if tail.any():
            yt = y[tail]
            z = 1.0 / (yt * yt)
            num, den = _P[5] * z, z
            for i in range(4):
                num = (num + _P[i]) * z
                den = (den + _Q[i]) * z
            erfc[tail] = (_INV_SQRT_PI - z * (num + _P[4]) / (den + _Q[4])) / yt
        # e**(-y**2) as e**(-s**2) e**(-(y-s)(y+s)), s = y rounded down to 1/16: no lost digits
        s = xp.trunc(y * 16.0) / 16.0
        erfc *= xp.exp(-s * s) * xp.exp(-(y - s) * (y + s))
        value = (0.5 - erfc) + 0.5
        out[large] = xp.where(x[large] < 0, -value, value)
    return out


class LeakyRelu(Function):
    """out = x if x > 0 else slope x;  dx = g if x > 0 else slope g."""

    @staticmethod
    def forward(ctx: Any, x: Any, negative_slope: float) -> Any:
        positive = x > 0
        ctx.positive, ctx.slope = positive, negative_slope
        return ctx.xp.where(positive, x, x * negative_slope)

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        return ctx.xp.where(ctx.positive, g, g * ctx.slope), None


class Elu(Function):
    """out = x if x > 0 else alpha (e**x - 1);  dx = g if x > 0 else g (out + alpha)."""

    @staticmethod
    def forward(ctx: Any, x: Any, alpha: float) -> Any:
        xp = ctx.xp
        positive = x > 0
        out = xp.where(positive, x, alpha * xp.expm1(xp.minimum(x, 0)))
        ctx.positive, ctx.alpha = positive, alpha
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        (out,) = ctx.saved_tensors
        return ctx.xp.where(ctx.positive, g, g * (out + ctx.alpha)), None


class Silu(Function):
    """out = x s, s = sigmoid(x);  dx = g s (1 + x (1 - s))."""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        s = ctx.xp.tanh(x * 0.5)  # sigmoid via tanh: never overflows
        s += 1.0
        s *= 0.5
        ctx.save_for_backward(x)
        ctx.s = s
        return x * s

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        s = ctx.s
        return g * s * (1.0 + x * (1.0 - s))


# Numerical Recipes' Chebyshev fit erfc(z) = t e**(-z**2 + P(t)), t = 1/(1 + z/2), z >= 0:
# relative error below 1.2e-7 for every z, float32's own precision, in one branch-free formula.
_ERFC_T = (-1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807,
           -1.13520398, 1.48851587, -0.82215223, 0.17087277)  # fmt: skip


def _normal_cdf_float32(x: Any, xp: Any) -> Any:
    """Phi(x) = erfc(-x / sqrt 2) / 2 for float32 x: no masks, no copies of subsets.

    Phi(x) = e for x < 0 and 1 - e for x >= 0, where e = erfc(|x| / sqrt 2) / 2 keeps its
    relative precision in the left tail. Absolute error below 4e-7 (PyTorch's float32: 1e-6).
    """
    # erfc(10) is 2e-45, below float32's smallest number: clipping there changes no result
    # and keeps z - s finite for x = +-inf (NaN still propagates).
    z = xp.minimum(xp.abs(x) * x.dtype.type(_SQRT1_2), 10.0)
    t = 1.0 / (1.0 + 0.5 * z)
    poly = _ERFC_T[-1] * t
    for c in _ERFC_T[-2:0:-1]:  # Horner's rule in t
        poly += c
        poly *= t
    poly += _ERFC_T[0]
    # e**(-z**2) as e**(-s**2) e**(-(z-s)(z+s)) with s = z rounded down to 1/16: s**2 is exact
    # in float32, so the tail does not lose digits to the rounding of z**2.
    s = xp.trunc(z * 16.0) / 16.0
    poly -= s * s
    e = xp.exp(poly)
    e *= xp.exp(-(z - s) * (z + s))
    e *= 0.5 * t
    # e + h (1 - 2e) with h = [x >= 0]: e itself left of 0, 1 - e right of it. Arithmetic,
    # not where(): a select on random signs costs 10x more (branch mispredictions).
    cdf = 1.0 - 2.0 * e
    cdf *= x >= 0
    cdf += e
    return cdf


def normal_cdf(x: Any, xp: Any) -> Any:
    """Phi(x) = (1 + erf(x / sqrt 2)) / 2, the standard normal CDF, in x's dtype."""
    if x.dtype == xp.float32:
        return _normal_cdf_float32(x, xp)
    cdf = erf(x * _SQRT1_2, xp)
    cdf += 1.0
    cdf *= 0.5
    return cdf


class Gelu(Function):
    """out = x Phi(x), Phi(x) = (1 + erf(x / sqrt 2)) / 2;  dx = g (Phi(x) + x phi(x))."""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        cdf = normal_cdf(x, ctx.xp)
        ctx.save_for_backward(x)
        ctx.cdf = cdf
        return x * cdf

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        pdf = ctx.xp.exp(-0.5 * x * x) * _INV_SQRT_2PI
        return g * (ctx.cdf + x * pdf)


class GeluTanh(Function):
    """out = x s, s = (1 + tanh u)/2 = sigmoid(2u), u = sqrt(2/pi)(x + 0.044715 x**3);  dx = g (s + 2 x s (1 - s) u').

    The sigmoid form of (1 + tanh u)/2 keeps its tiny values in the left tail instead of
    losing them to 1 + tanh u cancelling (``e`` below is never more than 1, so no overflow).
    """  # noqa: E501

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        xp = ctx.xp
        u2 = (2.0 * _SQRT_2_OVER_PI) * (x + _GELU_TANH_C * x * x * x)
        e = xp.exp(-xp.abs(u2))
        s = xp.where(u2 >= 0, 1.0, e) / (1.0 + e)
        ctx.save_for_backward(x)
        ctx.s = s
        return x * s

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        s = ctx.s
        du = _SQRT_2_OVER_PI * (1.0 + 3.0 * _GELU_TANH_C * x * x)
        return g * (s + 2.0 * x * s * (1.0 - s) * du)
