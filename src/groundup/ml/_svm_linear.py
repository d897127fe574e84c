"""Solvers for the linear SVM, liblinear's two: dual coordinate descent and primal Newton.

Primal, with the bias folded into w by a constant feature (penalised, as in liblinear):

    min_w 1/2 ||w||^2 + sum_i C_i loss(y_i w . x_i),   loss = max(0, 1 - m) ("hinge")
                                                       or max(0, 1 - m)^2 ("squared_hinge").

Its dual (Hsieh et al., ICML 2008) is min_a 1/2 a' Qbar a - sum a with 0 <= a_i <= U_i,
Qbar = Q + D, Q_ij = y_i y_j x_i . x_j; for hinge U_i = C_i, D = 0; for squared hinge
U_i = inf, D_ii = 1 / (2 C_i). Keeping w = sum_i a_i y_i x_i makes one coordinate step O(d).

Examples
--------
>>> X = np.array([[-2.0, 1.0], [-1.0, 1.0], [1.0, 1.0], [2.0, 1.0]])
>>> y = np.array([-1.0, -1.0, 1.0, 1.0])
>>> rng = np.random.default_rng(0)
>>> w, n_iter = dual_cd(X, y, np.ones(4), "hinge", tol=1e-6, max_iter=1000, rng=rng)
>>> w.round(3) + 0.0
array([1., 0.])
"""

from __future__ import annotations

import numpy as np

__all__ = ["dual_cd", "primal_newton"]


def dual_cd(
    X: np.ndarray,
    y: np.ndarray,
    C: np.ndarray,
    loss: str,
    *,
    tol: float,
    max_iter: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, int]:
    """Dual coordinate descent with shrinking for one binary problem (liblinear's
    ``solve_l2r_l1l2_svc``); returns (w (d,), epochs).

    ``y`` holds +-1, ``C`` each sample's bound. An epoch visits the active samples in a
    random order and takes, for each, the exact step a_i <- clip(a_i - G_i / Qbar_ii, 0, U_i)
    with G_i = y_i w . x_i - 1 + D_ii a_i. A sample at a bound whose gradient points out
    of the box by more than last epoch's extreme projected gradient is dropped from the
    epochs that follow (shrinking); once the spread max pg - min pg of the projected
    gradients is at most ``tol``, one epoch over all samples confirms it. The steps are
    sequential by nature (each changes w for the next), so the loop is Python, on floats.
    A step costs about 1.5 us of NumPy call overhead (a ``.dot`` and an axpy), against
    liblinear's tens of nanoseconds in C: expect this solver to be some 30x slower than
    scikit-learn's; the primal Newton solver is the fast one for the squared hinge.
    """
    n = y.shape[0]
    hinge = loss == "hinge"
    upper = C.tolist() if hinge else [np.inf] * n
    diag = [0.0] * n if hinge else (0.5 / C).tolist()
    qd = np.maximum(np.einsum("ij,ij->i", X, X) + diag, 1e-12).tolist()  # x = 0: no effect
    # One step costs a dot product and an axpy of length d; for small d the NumPy call
    # overhead is the whole cost, so we keep the rows z_i = y_i x_i as a list of 1-D
    # arrays (a list lookup, not an ndarray index), call the ``.dot`` method (far cheaper
    # than the ``@`` operator on two vectors) and do the scalar work on Python floats.
    rows = list(y[:, None] * X)
    alpha = [0.0] * n
    w = np.zeros(X.shape[1])
    active, pg_max_old, pg_min_old = list(range(n)), np.inf, -np.inf
    for epoch in range(1, max_iter + 1):
        kept, pg_max, pg_min = [], -np.inf, np.inf
        for i in rng.permutation(active).tolist():
            z, a = rows[i], alpha[i]
            g = float(z.dot(w)) - 1.0 + a * diag[i]
            if a == 0.0:
                if g > pg_max_old:
                    continue  # shrunk: stays at 0
                pg = min(g, 0.0)
            elif a == upper[i]:
                if g < pg_min_old:
                    continue  # shrunk: stays at U
                pg = max(g, 0.0)
            else:
                pg = g
            kept.append(i)
            pg_max, pg_min = max(pg_max, pg), min(pg_min, pg)
            if abs(pg) > 1e-12:
                alpha[i] = min(max(a - g / qd[i], 0.0), upper[i])
                w += (alpha[i] - a) * z
        if pg_max - pg_min <= tol:
            if len(kept) == n:
                return w, epoch
            active, pg_max_old, pg_min_old = list(range(n)), np.inf, -np.inf  # confirm
            continue
        active = kept
        pg_max_old = pg_max if pg_max > 0 else np.inf
        pg_min_old = pg_min if pg_min < 0 else -np.inf
    return w, max_iter


def primal_newton(
    X: np.ndarray, y: np.ndarray, C: np.ndarray, *, tol: float, max_iter: int
) -> tuple[np.ndarray, int]:
    """Newton's method on the squared-hinge primal for one problem; returns (w, iterations).

    f(w) = 1/2 ||w||^2 + sum_i C_i max(0, 1 - y_i w . x_i)^2 is piecewise quadratic: with
    I the margin violators, grad = w - 2 X_I' (C y (1 - y X w))_I and the (generalised)
    Hessian is I + 2 X_I' diag(C_I) X_I. Each step solves the Newton system and
    backtracks (Armijo) until f falls; stop when ||grad|| <= tol ||grad(0)||.
    """

    def objective(w: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        margin = 1.0 - y * (X @ w)
        viol = margin > 0
        f = 0.5 * w @ w + np.sum(C[viol] * margin[viol] ** 2)
        grad = w - 2.0 * X[viol].T @ (C[viol] * y[viol] * margin[viol])
        return f, grad, viol

    w = np.zeros(X.shape[1])
    f, grad, viol = objective(w)
    g0 = np.linalg.norm(grad)
    for it in range(1, max_iter + 1):
        if np.linalg.norm(grad) <= tol * g0:
            return w, it - 1
        Xv = X[viol]
        H = Xv.T @ (2.0 * C[viol, None] * Xv)
        H[np.diag_indices_from(H)] += 1.0
        direction = -np.linalg.solve(H, grad)
        slope, t = grad @ direction, 1.0
        while True:
            f_new, grad_new, viol_new = objective(w + t * direction)
            if f_new <= f + 0.01 * t * slope or t < 1e-10:
                break
            t *= 0.5
        w, f, grad, viol = w + t * direction, f_new, grad_new, viol_new
    return w, max_iter
