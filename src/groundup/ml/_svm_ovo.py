"""One-vs-one multiclass for kernel SVMs, laid out exactly as LIBSVM (and scikit-learn) do.

For K classes, one binary SVM per pair (a, b), a < b, class a as +1 and class b as -1. A
sample is a support vector if its coefficient is non-zero in any of its K - 1 problems.
``dual_coef_`` has K - 1 rows: the coefficient of a support vector of class a in problem
(a, b) sits in row b - 1, that of a support vector of class b in row a.

Examples
--------
>>> ovo_pairs(3)
[(0, 1), (0, 2), (1, 2)]
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from groundup.ml._smo import KernelCache, smo_solve
from groundup.ml._svm_platt import cv_sigmoids

__all__ = ["OvoModel", "fit_ovo", "ovo_decision", "ovo_pairs", "ovo_votes", "ovr_from_ovo"]


def ovo_pairs(n_classes: int) -> list[tuple[int, int]]:
    """The pairs (a, b), a < b, in LIBSVM's order."""
    return [(a, b) for a in range(n_classes) for b in range(a + 1, n_classes)]


class OvoModel:
    """What the K (K - 1) / 2 binary problems leave: support vectors and coefficients."""

    def __init__(self, support, n_support, dual_coef, rho, n_iter, prob_a=None, prob_b=None):
        self.support = support  # (n_SV,) sample indices, by class then by index
        self.n_support = n_support  # (K,)
        self.dual_coef = dual_coef  # (K - 1, n_SV), LIBSVM's sign: class a is +1
        self.rho = rho  # (n_pairs,), the decision is sum coef k(sv, x) - rho
        self.n_iter = n_iter  # (n_pairs,)
        self.prob_a, self.prob_b = prob_a, prob_b  # (n_pairs,) Platt sigmoids, or None


def fit_ovo(
    X: np.ndarray,
    y: np.ndarray,
    C: np.ndarray,
    kernel: Callable[[np.ndarray, np.ndarray], np.ndarray],
    diag: np.ndarray,
    *,
    tol: float,
    max_iter: int,
    cache_size: float,
    rng: np.random.Generator | None = None,
) -> OvoModel:
    """Solve every pairwise problem by SMO, all in lock step over one kernel cache.

    ``y`` holds class indices 0..K-1 and ``C`` the box bound of each class. Problem
    (a, b) sees the samples of class a (label +1), then those of class b (label -1),
    padded to a common length with C = 0. With ``rng``, also fit each problem's Platt
    sigmoid by 5-fold cross-validation.
    """
    K = len(C)
    members = [np.flatnonzero(y == c) for c in range(K)]
    pairs = ovo_pairs(K)
    m = max(len(members[a]) + len(members[b]) for a, b in pairs)
    idx = np.zeros((len(pairs), m), dtype=np.intp)
    sign, bound = np.ones((len(pairs), m)), np.zeros((len(pairs), m))
    for p, (a, b) in enumerate(pairs):
        na, nb = len(members[a]), len(members[b])
        idx[p, : na + nb] = np.concatenate([members[a], members[b]])
        sign[p, na : na + nb] = -1.0
        bound[p, :na], bound[p, na : na + nb] = C[a], C[b]
    cache = KernelCache(X, kernel, diag, cache_size)
    alpha, rho, n_iter = smo_solve(cache, idx, sign, bound, tol=tol, max_iter=max_iter)
    is_sv = np.zeros(len(y), dtype=bool)
    is_sv[idx[alpha > 0]] = True
    solved = [(idx[p], alpha[p] * sign[p], alpha[p] > 0) for p in range(len(pairs))]
    model = _assemble(solved, y, members, is_sv, rho, n_iter.astype(np.int32))
    if rng is not None:
        model.prob_a, model.prob_b = cv_sigmoids(
            cache, idx, sign, bound, tol=tol, max_iter=max_iter, rng=rng
        )
    return model


def _assemble(solved, y, members, is_sv, rho, n_iter) -> OvoModel:
    """Support vectors by class, and each problem's coefficients in LIBSVM's layout."""
    K = len(members)
    support = np.concatenate([m[is_sv[m]] for m in members])
    n_support = np.array([np.count_nonzero(is_sv[m]) for m in members], dtype=np.int32)
    column = np.full(len(y), -1)
    column[support] = np.arange(len(support))
    dual_coef = np.zeros((K - 1, len(support)))
    for (a, b), (idx, coef, nonzero) in zip(ovo_pairs(K), solved, strict=True):
        rows = np.where(y[idx[nonzero]] == a, b - 1, a)
        dual_coef[rows, column[idx[nonzero]]] = coef[nonzero]
    return OvoModel(support, n_support, dual_coef, rho, n_iter)


def ovo_decision(
    K_x: np.ndarray, dual_coef: np.ndarray, n_support: np.ndarray, rho: np.ndarray
) -> np.ndarray:
    """LIBSVM's pairwise decision values (n_samples, n_pairs); > 0 votes for class a.

    ``K_x`` is k(x, sv) for every sample and support vector, shape (n_samples, n_SV).
    """
    starts = np.concatenate([[0], np.cumsum(n_support)])
    sv = [slice(starts[c], starts[c + 1]) for c in range(len(n_support))]
    out = np.empty((K_x.shape[0], len(rho)))
    for p, (a, b) in enumerate(ovo_pairs(len(n_support))):
        out[:, p] = K_x[:, sv[a]] @ dual_coef[b - 1, sv[a]] + K_x[:, sv[b]] @ dual_coef[a, sv[b]]
    return out - rho


def ovo_votes(dec: np.ndarray, n_classes: int, *, zero_votes_a: bool = False) -> np.ndarray:
    """Votes (n_samples, K): problem (a, b) votes a where its decision is > 0, else b.

    LIBSVM's ``predict`` gives a decision of exactly 0 to b; scikit-learn's one-vs-rest
    scores give it to a (``zero_votes_a``).
    """
    votes = np.zeros((dec.shape[0], n_classes))
    rows = np.arange(dec.shape[0])
    for p, (a, b) in enumerate(ovo_pairs(n_classes)):
        wins_a = dec[:, p] >= 0 if zero_votes_a else dec[:, p] > 0
        votes[rows, np.where(wins_a, a, b)] += 1.0
    return votes


def ovr_from_ovo(dec: np.ndarray, n_classes: int) -> np.ndarray:
    """scikit-learn's one-vs-rest scores from pairwise ones: votes plus a tie-breaking
    confidence squashed into (-1/3, 1/3), so a vote always outweighs any confidence."""
    confidence = np.zeros((dec.shape[0], n_classes))
    for p, (a, b) in enumerate(ovo_pairs(n_classes)):
        confidence[:, a] += dec[:, p]
        confidence[:, b] -= dec[:, p]
    return ovo_votes(dec, n_classes, zero_votes_a=True) + confidence / (
        3 * (np.abs(confidence) + 1)
    )
