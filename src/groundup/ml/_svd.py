"""SVD helpers for ``decomposition.py``: scikit-learn's sign rule, randomized SVD, Minka's MLE.

Examples
--------
>>> svd_flip(None, np.array([[0.6, -0.8]]))[1]
array([[-0.6,  0.8]])
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from groundup.data._random import check_random_state

__all__ = ["mle_dimension", "randomized_svd", "svd_flip"]


def svd_flip(U: np.ndarray | None, Vt: np.ndarray) -> tuple[np.ndarray | None, np.ndarray]:
    """Flip the sign of each (u_j, v_j) pair so that v_j's largest |entry| is positive.

    Examples
    --------
    >>> svd_flip(None, np.array([[0.6, -0.8]]))[1]
    array([[-0.6,  0.8]])
    """
    signs = np.sign(Vt[np.arange(Vt.shape[0]), np.argmax(np.abs(Vt), axis=1)])
    return (None if U is None else U * signs), Vt * signs[:, None]


def _range_finder(M, size, n_iter, normalizer, rs) -> np.ndarray:
    """An orthonormal basis Q of the range of M's top ``size`` directions (power method)."""
    Q = rs.normal(size=(M.shape[1], size))
    normalize = (lambda A: np.linalg.qr(A)[0]) if normalizer == "QR" else (lambda A: A)
    for _ in range(n_iter):
        Q = normalize(M @ Q)
        Q = normalize(M.T @ Q)
    return np.linalg.qr(M @ Q)[0]


def randomized_svd(
    M: np.ndarray,
    n_components: int,
    *,
    n_oversamples: int = 10,
    n_iter: int = 4,
    power_iteration_normalizer: str = "auto",
    random_state: Any = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Truncated SVD by random projection (Halko, Martinsson & Tropp 2011).

    Finds Q with M ~ Q Q^T M from M times a Gaussian matrix (plus ``n_iter`` power
    iterations), then the exact SVD of the small Q^T M. The Gaussian draws are scikit-
    learn's for the same ``random_state``; power iterations are normalised by QR ("auto"
    with n_iter > 2), where scikit-learn uses LU: the same subspace, other rounding.

    Examples
    --------
    >>> M = np.diag([3.0, 2.0, 1.0])
    >>> randomized_svd(M, 2, random_state=0)[1].round(6)
    array([3., 2.])
    """
    rs = check_random_state(random_state)
    transpose = M.shape[0] < M.shape[1]
    if transpose:
        M = M.T
    normalizer = power_iteration_normalizer
    if normalizer in ("auto", "LU"):
        normalizer = "none" if n_iter <= 2 else "QR"
    Q = _range_finder(M, n_components + n_oversamples, n_iter, normalizer, rs)
    U_hat, s, Vt = np.linalg.svd(Q.T @ M, full_matrices=False)
    U = Q @ U_hat
    if transpose:
        return Vt[:n_components].T, s[:n_components], U[:, :n_components].T
    return U[:, :n_components], s[:n_components], Vt[:n_components]


def mle_dimension(spectrum: np.ndarray, n: int) -> int:
    """Minka's (2000) maximum-likelihood dimension: argmax over k of log p(data | k)."""
    d = spectrum.shape[0]
    ll = np.full(d, -np.inf)
    logs = np.log(np.maximum(spectrum, 1e-300))
    pairs_i, pairs_j = np.triu_indices(d, 1)  # all i < j
    for k in range(1, d):  # one k per iteration; each term is vectorised
        if spectrum[k - 1] < 1e-15:
            break
        i = np.arange(1, k + 1)
        lgammas = np.array([math.lgamma((d - j + 1) / 2.0) for j in i])
        pu = -k * np.log(2.0) + np.sum(lgammas - np.log(np.pi) * (d - i + 1) / 2.0)
        v = max(1e-15, spectrum[k:].sum() / (d - k))
        filled = np.concatenate([spectrum[:k], np.full(d - k, v)])
        a, b = pairs_i[pairs_i < k], pairs_j[pairs_i < k]
        pa = np.sum(np.log((spectrum[a] - spectrum[b]) * (1.0 / filled[b] - 1.0 / filled[a])))
        pa += a.size * np.log(n)
        m = d * k - k * (k + 1.0) / 2.0
        ll[k] = (
            pu
            - logs[:k].sum() * n / 2.0
            - np.log(v) * n * (d - k) / 2.0
            + np.log(2.0 * np.pi) * (m + k) / 2.0
            - pa / 2.0
            - k * np.log(n) / 2.0
        )
    return int(np.argmax(ll))
