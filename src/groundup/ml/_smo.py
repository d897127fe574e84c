"""Sequential minimal optimisation for the C-SVM dual, as LIBSVM solves it.

The dual problem, with Q_ij = y_i y_j k(x_i, x_j) and y in {-1, +1}:

    min_a  1/2 a' Q a - sum_i a_i    subject to  0 <= a_i <= C_i,  y' a = 0.

Each iteration picks the pair (i, j) that violates the KKT conditions most, by LIBSVM's
second-order working-set selection (Fan, Chen and Lin, JMLR 2005, "WSS 2"), solves the
two-variable problem in closed form and updates the whole gradient with two kernel rows.
We keep s = -y * G (G the gradient of the dual) instead of G itself: the selection rules
read directly in s, and the update is s -= K_i c_i + K_j c_j with c = y * (change of a).

SMO is sequential (each step changes the next selection), so one problem needs a Python
loop over its iterations. The one-vs-one problems of a multiclass SVM are independent,
though: ``smo_solve`` advances all of them in lock step, each iteration one SMO step of
every unfinished problem, as (n_problems, n_samples) array operations. Every problem
takes exactly the steps it would take alone.

Examples
--------
>>> X = np.array([[0.0], [1.0], [3.0], [4.0]])
>>> cache = KernelCache(X, lambda A, B: A @ B.T, X[:, 0] ** 2)
>>> y = np.array([[-1.0, -1.0, 1.0, 1.0]])
>>> a, rho, n_iter = smo_solve(cache, np.arange(4)[None], y, np.full((1, 4), 10.0), tol=1e-3)
>>> (a * y).round(3) + 0.0, rho.round(3)  # w = 1, b = -2: the margin is [1, 3]
(array([[ 0. , -0.5,  0.5,  0. ]]), array([2.]))
"""

from __future__ import annotations

import warnings
from collections import OrderedDict
from collections.abc import Callable

import numpy as np

from groundup.ml.validation import ConvergenceWarning

__all__ = ["KernelCache", "smo_solve"]

TAU = 1e-12  # LIBSVM's floor for a non-positive curvature k_ii + k_jj - 2 k_ij


class KernelCache:
    """Rows of the kernel matrix K_ij = k(x_i, x_j) of all training samples.

    If the n x n matrix fits in ``cache_size`` MB it is computed once, in one GEMM (far
    cheaper than n matrix-vector products); otherwise rows are computed on demand, several
    in one call, and the least recently used ones are dropped, as LIBSVM's cache does.

    Parameters
    ----------
    X : ndarray of shape (n, n_features)
    kernel : callable (A, B) -> ndarray of shape (len(A), len(B))
    diag : ndarray of shape (n,)
        k(x_i, x_i), the curvature terms of the working-set selection.
    cache_size : float, default=200
        Megabytes of float64 kernel values to keep.
    """

    def __init__(
        self,
        X: np.ndarray,
        kernel: Callable[[np.ndarray, np.ndarray], np.ndarray],
        diag: np.ndarray,
        cache_size: float = 200.0,
    ):
        self.X, self.kernel, self.diag = X, kernel, diag
        n = X.shape[0]
        self.capacity = max(64, int(cache_size * 2**20) // (8 * n))
        self.full = kernel(X, X) if self.capacity >= n else None
        self.rows: OrderedDict[int, np.ndarray] = OrderedDict()

    def block(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """K[rows[p], cols[p, :]] for each problem p, shape (len(rows), cols.shape[1])."""
        if self.full is not None:  # np.take on the flat matrix beats 2-D fancy indexing
            return self.full.reshape(-1).take(rows[:, None] * self.full.shape[1] + cols)
        return np.take_along_axis(self._rows(rows), cols, axis=1)

    def cross(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """K[rows][:, cols], shape (len(rows), len(cols)); not cached."""
        if self.full is not None:
            return self.full[np.ix_(rows, cols)]
        return self.kernel(self.X[rows], self.X[cols])

    def _rows(self, rows: np.ndarray) -> np.ndarray:
        missing = [r for r in dict.fromkeys(rows.tolist()) if r not in self.rows]
        if missing:
            for r, values in zip(missing, self.kernel(self.X[missing], self.X), strict=True):
                self.rows[r] = values
        out = np.stack([self.rows[r] for r in rows.tolist()])
        for r in rows.tolist():
            self.rows.move_to_end(r)
        while len(self.rows) > self.capacity:
            self.rows.popitem(last=False)
        return out


def _penalties(u: np.ndarray, C: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """0 where a sample is in I_up (u > 0) / I_low (u < C), else -inf / +inf.

    Adding them to s masks the selection with one ``+`` instead of a compare and a
    ``np.where`` over the whole array every iteration; a step changes only two entries.
    """
    return np.where(u > 0, 0.0, -np.inf), np.where(u < C, 0.0, np.inf)


def _move(u: np.ndarray, up: np.ndarray, low: np.ndarray, C: np.ndarray, pos, value) -> None:
    """Set u at the flat positions ``pos`` and refresh the two penalties there."""
    u.put(pos, value)
    up.put(pos, np.where(value > 0, 0.0, -np.inf))
    low.put(pos, np.where(value < C.take(pos), 0.0, np.inf))


def _rho(s: np.ndarray, a: np.ndarray, y: np.ndarray, C: np.ndarray) -> float:
    """rho = -b: the mean of y_i G_i over free a_i, else the middle of its bounds."""
    yG, valid = -s, C > 0
    at_upper, at_lower = a >= C, a <= 0
    free = valid & ~(at_upper | at_lower)
    if free.any():
        return float(yG[free].mean())
    pos = y > 0
    ub = np.min(yG, where=valid & ((at_upper & ~pos) | (at_lower & pos)), initial=np.inf)
    lb = np.max(yG, where=valid & ((at_upper & pos) | (at_lower & ~pos)), initial=-np.inf)
    return float((ub + lb) / 2)


def _solution(
    s: np.ndarray, u: np.ndarray, y: np.ndarray, C: np.ndarray
) -> tuple[np.ndarray, float]:
    """One finished problem's (a, rho), its columns put back in their original order."""
    s, u, y, C = s[::-1], u[::-1], y[::-1], C[::-1]
    a = np.where(y > 0, C - u, u)
    return a, _rho(s, a, y, C)


def smo_solve(
    cache: KernelCache,
    idx: np.ndarray,
    y: np.ndarray,
    C: np.ndarray,
    *,
    tol: float = 1e-3,
    max_iter: int = -1,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Solve P C-SVM duals by SMO in lock step; returns (a (P, m), rho (P,), n_iter (P,)).

    Problem p uses the training samples ``idx[p]`` with labels ``y[p]`` (+-1) and box
    bounds ``C[p]`` (C times the class weight); padding entries have C = 0. Its decision
    function is f(x) = sum_t a_pt y_pt k(x_idx[p, t], x) - rho_p. ``max_iter=-1``: no limit.

    A step moves a_i by y_i t and a_j by -y_j t (so y' a stays fixed): the dual falls by
    t (s_i - s_j) - t^2 q / 2, q = K_ii + K_jj - 2 K_ij, so t = (s_i - s_j) / q, clipped
    to the box. We track u, the room each a has in its "up" direction (C - a for y = +1,
    a for y = -1): i is in I_up when u_i > 0, in I_low when u_i < C_i; i spends t of its
    room, j gains t, and s changes by -t (K_i - K_j).
    """
    P, m = idx.shape
    out_a, out_rho, out_iter = np.zeros((P, m)), np.zeros(P), np.zeros(P, dtype=np.int64)
    limit = max_iter if max_iter > 0 else max(10_000_000, 100 * m)
    live = np.arange(P)  # the unfinished problems; the arrays below hold only those
    # LIBSVM's ">=" scans keep the last of tied maxima. With every problem's columns
    # stored in reverse, that is the first one, which np.argmax returns on a contiguous
    # array (an argmax over a reversed view is about 4x slower).
    idx, y, C = (np.ascontiguousarray(v[:, ::-1]) for v in (idx, y, C))
    s = y.astype(np.float64)  # s = -y G and G = Q a - 1 = -1 at a = 0
    u = np.where(y > 0, C, 0.0)
    up, low = _penalties(u, C)
    diag = cache.diag[idx]
    # Positions i, j are flat (row * m + column): ndarray.take and .put on them cost far
    # less than a[rows, cols] indexing, which matters when one small problem is left.
    it, base = 0, np.arange(P) * m
    while live.size:
        s_up = s + up  # s on I_up, -inf elsewhere
        fi = base + s_up.argmax(axis=1)
        s_i = s_up.take(fi)
        s_low = s + low  # s on I_low, +inf elsewhere
        violation = s_i - s_low.take(base + s_low.argmin(axis=1))  # faster than .min
        K_i = cache.block(idx.take(fi), idx)
        quad = K_i * -2.0
        quad += diag
        quad += diag.take(fi)[:, None]
        np.maximum(quad, TAU, out=quad)
        gain = s_i[:, None] - s_low  # the WSS 2 gain (s_i - s_j)^2 / q_ij over I_low
        np.maximum(gain, 0.0, out=gain)
        gain *= gain
        gain /= quad
        fj = base + gain.argmax(axis=1)
        done = (violation < tol) | (gain.take(fj) <= 0)
        if it >= limit:
            done[:] = True
        if done.any():
            for p in np.flatnonzero(done):
                out_a[live[p]], out_rho[live[p]] = _solution(s[p], u[p], y[p], C[p])
                out_iter[live[p]] = it
            keep = ~done
            live, s, u, idx, y, C, diag, up, low = (
                v[keep] for v in (live, s, u, idx, y, C, diag, up, low)
            )
            base = base[: live.size]
            continue
        K_j = cache.block(idx.take(fj), idx)
        u_i, u_j, C_j = u.take(fi), u.take(fj), C.take(fj)
        room_j = C_j - u_j
        t = np.minimum(np.minimum((s_i - s.take(fj)) / quad.take(fj), u_i), room_j)
        K_i -= K_j
        K_i *= t[:, None]
        s -= K_i
        u_j = np.where(t >= room_j, C_j, u_j + t)  # land exactly on the bound
        _move(u, up, low, C, np.concatenate([fi, fj]), np.concatenate([u_i - t, u_j]))
        it += 1
    if it >= limit:
        warnings.warn(
            f"SVC: the SMO solver stopped at max_iter={limit} before reaching tol={tol}; "
            "scale the data or raise max_iter.",
            ConvergenceWarning,
            stacklevel=3,
        )
    return out_a, out_rho, out_iter
