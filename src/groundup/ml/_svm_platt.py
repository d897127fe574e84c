"""Probabilities for SVC: Platt scaling of each pairwise problem, then pairwise coupling.

As LIBSVM: (1) each one-vs-one problem gets a sigmoid P(+1 | f) = 1 / (1 + exp(A f + B))
fitted to decision values f that 5-fold cross-validation gives on its own training samples
(Platt 2000, with the Newton method of Lin, Lin and Weng 2007); (2) the K (K - 1) / 2
pairwise probabilities r_ij are coupled into one distribution p by minimising
sum_i sum_{j != i} (r_ji p_i - r_ij p_j)^2 subject to sum p = 1 (Wu, Lin and Weng 2004,
method 2).

Examples
--------
>>> A, B = sigmoid_train(np.array([-2.0, -1.0, 1.0, 2.0]), np.array([False, False, True, True]))
>>> bool(A < 0), sigmoid_predict(np.array([3.0]), A, B).round(2)
(True, array([0.88]))
"""

from __future__ import annotations

import numpy as np

from groundup.ml._smo import KernelCache, smo_solve

__all__ = [
    "cv_sigmoids",
    "pairwise_coupling",
    "pairwise_probabilities",
    "sigmoid_predict",
    "sigmoid_train",
]

N_FOLDS = 5
MIN_PROB = 1e-7  # LIBSVM clips the pairwise probabilities into [1e-7, 1 - 1e-7]


def sigmoid_predict(f: np.ndarray, A: float, B: float) -> np.ndarray:
    """P(+1 | f) = 1 / (1 + exp(A f + B)), evaluated without overflow."""
    z = f * A + B
    return 0.5 * (1.0 - np.tanh(0.5 * z))


def _sigmoid_objective(f: np.ndarray, t: np.ndarray, A: float, B: float) -> float:
    """Cross-entropy of the targets t against the sigmoid (the stable log1p form)."""
    z = f * A + B
    return float(np.sum(np.where(z >= 0, t * z, (t - 1.0) * z) + np.log1p(np.exp(-np.abs(z)))))


def sigmoid_train(f: np.ndarray, positive: np.ndarray, max_iter: int = 100) -> tuple[float, float]:
    """Platt's (A, B) by Newton's method with backtracking; targets are Platt's smoothed
    labels (N+ + 1) / (N+ + 2) and 1 / (N- + 2), not 0 and 1, against overfitting."""
    n_pos = int(positive.sum())
    n_neg = len(positive) - n_pos
    t = np.where(positive, (n_pos + 1.0) / (n_pos + 2.0), 1.0 / (n_neg + 2.0))
    A, B = 0.0, float(np.log((n_neg + 1.0) / (n_pos + 1.0)))
    value = _sigmoid_objective(f, t, A, B)
    for _ in range(max_iter):
        p = sigmoid_predict(f, A, B)  # P(+1 | f); d/dz of the objective is t - p
        d2 = p * (1.0 - p)
        h11, h22, h21 = 1e-12 + np.sum(f * f * d2), 1e-12 + np.sum(d2), np.sum(f * d2)
        g1, g2 = np.sum(f * (t - p)), np.sum(t - p)
        if abs(g1) < 1e-5 and abs(g2) < 1e-5:
            break
        det = h11 * h22 - h21 * h21
        dA, dB = -(h22 * g1 - h21 * g2) / det, -(-h21 * g1 + h11 * g2) / det
        step, slope = 1.0, g1 * dA + g2 * dB
        while step >= 1e-10:
            new = _sigmoid_objective(f, t, A + step * dA, B + step * dB)
            if new < value + 1e-4 * step * slope:
                A, B, value = A + step * dA, B + step * dB, new
                break
            step /= 2.0
        else:
            break  # the line search failed
    return float(A), float(B)


def _folds(idx: np.ndarray, valid: np.ndarray, rng: np.random.Generator) -> list[np.ndarray]:
    """The 5 held-out parts of one problem's (valid) positions, from a random permutation."""
    order = rng.permutation(np.flatnonzero(valid))
    bounds = [k * len(order) // N_FOLDS for k in range(N_FOLDS + 1)]
    return [np.sort(order[bounds[k] : bounds[k + 1]]) for k in range(N_FOLDS)]


def cv_sigmoids(
    cache: KernelCache,
    idx: np.ndarray,
    sign: np.ndarray,
    bound: np.ndarray,
    *,
    tol: float,
    max_iter: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """(A, B) of each of the P problems from 5-fold cross-validated decision values.

    The 5 P training problems (each problem without one fold) are solved together by
    ``smo_solve``; their padding entries get C = 0.
    """
    P, m = idx.shape
    folds = [_folds(idx[p], bound[p] > 0, rng) for p in range(P)]
    train_bound = np.repeat(bound, N_FOLDS, axis=0)
    for p in range(P):
        for k, held in enumerate(folds[p]):
            train_bound[p * N_FOLDS + k, held] = 0.0  # held out: a fixed at 0, ignored
    alpha, rho, _ = smo_solve(
        cache,
        np.repeat(idx, N_FOLDS, axis=0),
        np.repeat(sign, N_FOLDS, axis=0),
        train_bound,
        tol=tol,
        max_iter=max_iter,
    )
    A, B = np.zeros(P), np.zeros(P)
    for p in range(P):
        f = np.zeros(m)
        for k, held in enumerate(folds[p]):
            row = p * N_FOLDS + k
            f[held] = _held_out_decision(
                cache, idx[p], sign[p], train_bound[row], alpha[row], rho[row], held
            )
        valid = bound[p] > 0
        A[p], B[p] = sigmoid_train(f[valid], sign[p][valid] > 0)
    return A, B


def _held_out_decision(cache, idx, sign, train_bound, alpha, rho, held) -> np.ndarray:
    """Decision values on the held-out positions; LIBSVM's +-1 (or 0) when the training
    part holds a single class (or nothing)."""
    trained = train_bound > 0
    has_pos, has_neg = (trained & (sign > 0)).any(), (trained & (sign < 0)).any()
    if not (has_pos and has_neg):
        return np.full(len(held), 1.0 if has_pos else (-1.0 if has_neg else 0.0))
    sv = np.flatnonzero(alpha > 0)
    K = cache.cross(idx[held], idx[sv])
    return K @ (alpha[sv] * sign[sv]) - rho


def pairwise_coupling(R: np.ndarray, max_iter: int = 100) -> np.ndarray:
    """p (n, K) from pairwise probabilities R (n, K, K), R_ij = P(i | i or j, x).

    Wu, Lin and Weng's method 2 as LIBSVM iterates it: coordinate updates on the
    quadratic p' Q p, Q_tt = sum_{j != t} R_jt^2, Q_tj = -R_jt R_tj, renormalising p
    after each; stop when max_t |(Q p)_t - p' Q p| < 0.005 / K for every sample.
    """
    n, K, _ = R.shape
    Q = -R.transpose(0, 2, 1) * R
    Q[:, np.arange(K), np.arange(K)] = np.einsum("njt,njt->nt", R, R)  # R_tt = 0
    p = np.full((n, K), 1.0 / K)
    for _ in range(max(max_iter, K)):
        Qp = np.einsum("ntj,nj->nt", Q, p)
        pQp = np.einsum("nt,nt->n", p, Qp)
        if np.max(np.abs(Qp - pQp[:, None])) < 0.005 / K:
            break
        for t in range(K):
            diff = (pQp - Qp[:, t]) / Q[:, t, t]
            p[:, t] += diff
            pQp = (pQp + diff * (diff * Q[:, t, t] + 2.0 * Qp[:, t])) / (1.0 + diff) ** 2
            Qp = (Qp + diff[:, None] * Q[:, t, :]) / (1.0 + diff)[:, None]
            p /= (1.0 + diff)[:, None]
    return p


def pairwise_probabilities(dec: np.ndarray, A: np.ndarray, B: np.ndarray, K: int) -> np.ndarray:
    """R (n, K, K): R_ab = sigmoid of problem (a, b)'s decision, R_ba = 1 - R_ab."""
    R = np.zeros((dec.shape[0], K, K))
    pairs = [(a, b) for a in range(K) for b in range(a + 1, K)]
    for p, (a, b) in enumerate(pairs):
        r = np.clip(sigmoid_predict(dec[:, p], A[p], B[p]), MIN_PROB, 1.0 - MIN_PROB)
        R[:, a, b], R[:, b, a] = r, 1.0 - r
    return R
