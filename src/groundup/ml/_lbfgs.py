"""Limited-memory BFGS with a strong-Wolfe line search: minimise f(x) given f and its gradient.

The generic unconstrained minimiser behind ``LogisticRegression(solver="lbfgs")``; any smooth
objective written as ``fun(x) -> (value, gradient)`` on a flat float64 vector can use it.

Each iteration (Nocedal & Wright, *Numerical Optimization*, 2nd ed.):

- direction d = -H g, where H approximates the inverse Hessian from the last ``m`` pairs
  s = x_{k+1} - x_k, y = g_{k+1} - g_k by the two-loop recursion (Alg. 7.4), scaled by
  gamma = s'y / y'y of the newest pair (eq. 7.20);
- a step length a that satisfies the strong Wolfe conditions
  f(x + a d) <= f(x) + c1 a g'd and |g(x + a d)'d| <= c2 |g'd| (Alg. 3.5 and 3.6, with cubic
  interpolation in the zoom), so s'y > 0 and H stays positive definite.

It stops, as scipy's L-BFGS-B does (the solver scikit-learn calls), once the gradient's
max-norm is <= ``gtol`` or the relative decrease (f_k - f_{k+1}) / max(|f_k|, |f_{k+1}|, 1)
is <= ``ftol``; the first step is 1 / ||g||, later ones start at 1.

Examples
--------
>>> import numpy as np
>>> res = minimize_lbfgs(lambda x: (float(x @ x), 2.0 * x), np.array([3.0, -4.0]))
>>> res.converged, bool(np.abs(res.x).max() < 1e-6)
(True, True)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["LbfgsResult", "minimize_lbfgs"]

Objective = Callable[[np.ndarray], tuple[float, np.ndarray]]


@dataclass
class LbfgsResult:
    """What :func:`minimize_lbfgs` found: the point, its value and gradient, how it ended."""

    x: np.ndarray
    fun: float
    grad: np.ndarray
    n_iter: int
    n_fev: int
    converged: bool
    message: str


class _Memory:
    """The last ``m`` curvature pairs (s, y) and the two-loop product H g (N&W Alg. 7.4)."""

    def __init__(self, m: int):
        self.m = m
        self.pairs: list[tuple[np.ndarray, np.ndarray, float]] = []

    def push(self, s: np.ndarray, y: np.ndarray) -> None:
        """Keep (s, y) if its curvature s'y is safely positive, dropping the oldest beyond m."""
        sy, yy = float(s @ y), float(y @ y)
        if sy <= np.finfo(float).eps * yy:
            return  # scipy's L-BFGS-B skips such pairs too: they would break positivity
        self.pairs.append((s, y, 1.0 / sy))
        if len(self.pairs) > self.m:
            self.pairs.pop(0)

    def direction(self, g: np.ndarray) -> np.ndarray:
        """-H g by the two-loop recursion; -g while the memory is empty."""
        q = g.copy()
        alphas = []
        for s, y, rho in reversed(self.pairs):
            a = rho * float(s @ q)
            q -= a * y
            alphas.append(a)
        if self.pairs:
            s, y, rho = self.pairs[-1]
            q *= 1.0 / (rho * float(y @ y))  # gamma = s'y / y'y
        for (s, y, rho), a in zip(self.pairs, reversed(alphas)):
            b = rho * float(y @ q)
            q += (a - b) * s
        return -q


def _cubic_min(a: float, fa: float, da: float, b: float, fb: float, db: float) -> float:
    """Minimiser of the cubic through (a, fa) and (b, fb) with slopes da, db (N&W eq. 3.59)."""
    d1 = da + db - 3.0 * (fa - fb) / (a - b)
    disc = d1 * d1 - da * db
    if disc < 0.0:
        return np.nan
    d2 = np.copysign(np.sqrt(disc), b - a)
    return b - (b - a) * (db + d2 - d1) / (db - da + 2.0 * d2)


class _LineSearch:
    """phi(a) = f(x + a d) along one direction, each evaluation kept with its gradient."""

    def __init__(self, fun: Objective, x: np.ndarray, f0: float, g0: np.ndarray, d: np.ndarray):
        self.fun, self.x, self.d = fun, x, d
        self.f0, self.dphi0 = f0, float(g0 @ d)
        self.n_fev = 0

    def phi(self, a: float) -> tuple[float, float, np.ndarray, np.ndarray]:
        """(phi(a), phi'(a), x + a d, gradient there)."""
        x = self.x + a * self.d
        f, g = self.fun(x)
        self.n_fev += 1
        return float(f), float(g @ self.d), x, g

    def sufficient(self, a: float, f: float) -> bool:
        """Armijo: f(x + a d) <= f(x) + c1 a g'd, with c1 = 1e-4."""
        return f <= self.f0 + 1e-4 * a * self.dphi0

    def curvature(self, dphi: float) -> bool:
        """Strong Wolfe curvature: |phi'(a)| <= c2 |phi'(0)|, with c2 = 0.9."""
        return abs(dphi) <= -0.9 * self.dphi0


def _wolfe_search(ls: _LineSearch, a1: float, max_ls: int):
    """A strong-Wolfe step from a1 by bracketing (N&W Alg. 3.5); None when none is found."""
    lo = (0.0, ls.f0, ls.dphi0, None, None)
    a = a1
    for i in range(max_ls):
        point = (a, *ls.phi(a))
        f, dphi = point[1], point[2]
        if not ls.sufficient(a, f) or (i > 0 and f >= lo[1]) or not np.isfinite(f):
            return _zoom(ls, lo, point, max_ls - i - 1)
        if ls.curvature(dphi):
            return point
        if dphi >= 0.0:
            return _zoom(ls, point, lo, max_ls - i - 1)
        lo, a = point, 4.0 * a  # still descending: extrapolate
    return None


def _zoom(ls: _LineSearch, lo: tuple, hi: tuple, max_ls: int):
    """Shrink [lo, hi] to a strong-Wolfe step (N&W Alg. 3.6); lo: the best sufficient point.

    Points are (a, phi(a), phi'(a), x, gradient).
    """
    for _ in range(max_ls):
        a_lo, a_hi = lo[0], hi[0]
        width = abs(a_hi - a_lo)
        a = _cubic_min(*lo[:3], *hi[:3]) if np.isfinite(hi[1]) else np.nan
        if not np.isfinite(a) or abs(a - a_lo) < 0.1 * width or abs(a - a_hi) < 0.1 * width:
            a = 0.5 * (a_lo + a_hi)  # interpolation untrustworthy: bisect
        point = (a, *ls.phi(a))
        if not ls.sufficient(a, point[1]) or point[1] >= lo[1]:
            hi = point
            continue
        if ls.curvature(point[2]):
            return point
        if point[2] * (a_hi - a_lo) >= 0.0:
            hi = lo
        lo = point
    if lo[0] > 0.0:  # out of trials: a sufficient decrease without the curvature still helps
        return lo
    return None


def minimize_lbfgs(
    fun: Objective,
    x0: np.ndarray,
    *,
    m: int = 10,
    gtol: float = 1e-5,
    ftol: float = 64 * np.finfo(float).eps,
    max_iter: int = 15000,
    max_ls: int = 50,
) -> LbfgsResult:
    """Minimise a smooth f by L-BFGS; ``fun(x)`` returns ``(f(x), grad f(x))`` together.

    Parameters
    ----------
    fun : callable
        x (1-D float64) -> (float, ndarray like x).
    x0 : ndarray of shape (n,)
        Starting point.
    m : int, default=10
        Curvature pairs remembered (scipy's default).
    gtol : float, default=1e-5
        Stop when max |grad f| <= gtol.
    ftol : float, default=64 * machine epsilon
        Stop when the relative decrease of f in one step is <= ftol.
    max_iter : int, default=15000
        Iterations (each one line search); ``converged`` is False when they run out.
    max_ls : int, default=50
        Function evaluations per line search.

    Returns
    -------
    LbfgsResult

    Examples
    --------
    >>> import numpy as np
    >>> fun = lambda x: (float(np.sum((x - 1.0) ** 4)), 4.0 * (x - 1.0) ** 3)
    >>> res = minimize_lbfgs(fun, np.zeros(3), gtol=1e-10)
    >>> res.converged, np.round(res.x, 2).tolist()
    (True, [1.0, 1.0, 1.0])
    """
    x = np.array(x0, dtype=np.float64, copy=True)
    f, g = fun(x)
    f, n_fev, memory = float(f), 1, _Memory(m)
    for k in range(max_iter):
        if np.max(np.abs(g), initial=0.0) <= gtol:
            return LbfgsResult(x, f, g, k, n_fev, True, "gradient max-norm <= gtol")
        d = memory.direction(g)
        a1 = 1.0 if memory.pairs else 1.0 / np.linalg.norm(d)  # scipy L-BFGS-B first step
        ls = _LineSearch(fun, x, f, g, d)
        step = _wolfe_search(ls, a1, max_ls) if ls.dphi0 < 0.0 else None
        n_fev += ls.n_fev
        if step is None:
            if not memory.pairs:
                return LbfgsResult(x, f, g, k, n_fev, False, "line search failed")
            memory.pairs.clear()  # a stale curvature model: restart from steepest descent
            continue
        _, f_new, _, x_new, g_new = step
        memory.push(x_new - x, g_new - g)
        decrease = (f - f_new) / max(abs(f), abs(f_new), 1.0)
        x, f, g = x_new, f_new, g_new
        if decrease <= ftol:
            return LbfgsResult(x, f, g, k + 1, n_fev, True, "relative decrease of f <= ftol")
    converged = bool(np.max(np.abs(g), initial=0.0) <= gtol)
    return LbfgsResult(x, f, g, max_iter, n_fev, converged, "max_iter reached")
