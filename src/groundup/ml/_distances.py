"""Chunked pairwise distances, nearest centers and k-smallest search, shared by KNN and KMeans.

The squared euclidean distance of a query row q to a reference row f is

    ||q - f||^2 = ||q||^2 - 2 q.f + ||f||^2,

so a whole block of them is one matrix product (GEMM) plus two broadcast additions. To
*rank* the references of one query, ||q||^2 is a constant of the row and is left out: the
surrogate ||f||^2 - 2 q.f orders them as the distance does (up to rounding), and ||q||^2
is added to the k chosen only (scikit-learn's KMeans does the same). Query rows are
processed in chunks whose distance block stays a few MB, so memory is bounded on 100k x
100k problems and the block stays in cache for the passes after the GEMM.

Examples
--------
>>> Q = np.array([[0.0, 0.0], [3.0, 0.0]])
>>> F = np.array([[1.0, 0.0], [4.0, 0.0], [0.0, 0.5]])
>>> nearest_center(Q, F)
(array([2, 1]), array([0.25, 1.  ]))
>>> dist, ind = kneighbors_search(Q, F, 2)
>>> ind
array([[2, 0],
       [1, 0]])
>>> dist
array([[0.5, 1. ],
       [1. , 2. ]])
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

__all__ = [
    "chunk_slices",
    "k_smallest",
    "kneighbors_search",
    "nearest_center",
    "pairwise_rdistances",
    "squared_norms",
]

# One chunk's distance block: 8 MB of float64. It stays in L3 for the passes after the
# GEMM, and few, big GEMMs keep BLAS's thread start-up cost small.
CHUNK_BYTES = 1 << 23


def squared_norms(X: np.ndarray) -> np.ndarray:
    """||x_i||^2 for every row, shape (n_rows,).

    Examples
    --------
    >>> squared_norms(np.array([[3.0, 4.0]]))
    array([25.])
    """
    return (X * X).sum(1)


def chunk_slices(n_rows: int, n_cols: int, width: int = 1) -> Iterator[slice]:
    """Row slices whose (rows, n_cols, width) float64 block is about ``CHUNK_BYTES``.

    Examples
    --------
    >>> [s.stop for s in chunk_slices(5, n_cols=1 << 19)]
    [2, 4, 5]
    """
    step = max(1, CHUNK_BYTES // (8 * max(n_cols * width, 1)))
    for start in range(0, n_rows, step):
        yield slice(start, min(start + step, n_rows))


def _surrogate(Q: np.ndarray, F2: np.ndarray, F_sq: np.ndarray) -> np.ndarray:
    """||f||^2 - 2 q.f for a chunk of queries, with ``F2 = -2 F`` precomputed: one GEMM."""
    d = Q @ F2.T  # (rows, n_ref)
    d += F_sq
    return d


def _squared_euclidean(
    Q: np.ndarray, F2: np.ndarray, Q_sq: np.ndarray, F_sq: np.ndarray
) -> np.ndarray:
    """max(||q||^2 + (-2 q.f) + ||f||^2, 0) for a chunk of queries, ``F2 = -2 F``."""
    d = Q @ F2.T  # (rows, n_ref)
    d += Q_sq[:, None]
    d += F_sq
    return np.maximum(d, 0.0, out=d)


def pairwise_rdistances(
    Q: np.ndarray, F: np.ndarray, *, metric: str = "euclidean", p: float = 2.0
) -> np.ndarray:
    """Rank-preserving distances of a (small) query block to all references.

    euclidean: ||q - f||^2 (clipped at 0); manhattan: sum |q - f|; minkowski:
    sum |q - f|^p. The root is left out: it does not change which reference is nearer.

    Examples
    --------
    >>> pairwise_rdistances(np.array([[0.0, 0.0]]), np.array([[3.0, 4.0]]))
    array([[25.]])
    """
    if metric == "euclidean":
        return _squared_euclidean(Q, -2.0 * F, squared_norms(Q), squared_norms(F))
    diff = np.abs(Q[:, None, :] - F[None, :, :])  # (rows, n_ref, n_features)
    if metric == "manhattan":
        return diff.sum(-1)
    return (diff**p).sum(-1)


def nearest_center(X: np.ndarray, C: np.ndarray, *, with_distances: bool = True) -> tuple:
    """Index of the nearest row of C for every row of X and, if asked, that squared distance.

    Ties go to the lower center index (``argmin``). Distances use the GEMM identity and
    are clipped at 0. Returns ``(labels, squared_distances)`` or ``(labels, None)``.
    """
    C2, C_sq = -2.0 * C, squared_norms(C)
    labels = np.empty(X.shape[0], dtype=np.intp)
    best = np.empty(X.shape[0], dtype=np.float64) if with_distances else None
    for rows in chunk_slices(X.shape[0], C.shape[0]):
        d = _surrogate(X[rows], C2, C_sq)  # ||c||^2 - 2 x.c ranks like ||x - c||^2
        labels[rows] = d.argmin(1)
        if with_distances:
            best[rows] = np.take_along_axis(d, labels[rows, None], 1)[:, 0]
    if with_distances:
        best += squared_norms(X)
        np.maximum(best, 0.0, out=best)
    return labels, best


def _k_smallest_direct(d: np.ndarray, k: int, cols: np.ndarray | None = None) -> np.ndarray:
    """Positions of the k smallest entries of each row; among ties the lower index wins.

    ``cols`` (same shape as d, any order) are the reference indices of d's entries; the
    indices are returned instead of positions when given.
    """
    n = d.shape[1]
    if k < n:
        idx = np.argpartition(d, k - 1, axis=1)[:, :k]
    else:
        idx = np.broadcast_to(np.arange(n), d.shape).copy()
    # argpartition keeps an arbitrary subset of the entries tied at the k-th value;
    # for rows with such ties, keep the lowest indices, as scikit-learn's brute force
    kth = np.take_along_axis(d, idx, 1).max(1, keepdims=True)
    tied = np.nonzero((d <= kth).sum(1) > k)[0]
    if tied.size:
        by_index = np.argsort(cols[tied], axis=1) if cols is not None else None
        dt, kt = d[tied], kth[tied]
        if by_index is not None:
            dt = np.take_along_axis(dt, by_index, 1)
        n_below = (dt < kt).sum(1, keepdims=True)
        tie_rank = np.cumsum(dt == kt, axis=1)
        keep = (dt < kt) | ((dt == kt) & (tie_rank <= k - n_below))
        pos = np.nonzero(keep)[1].reshape(-1, k)
        idx[tied] = pos if by_index is None else np.take_along_axis(by_index, pos, 1)
    return idx if cols is None else np.take_along_axis(cols, idx, 1)


def k_smallest(d: np.ndarray, k: int) -> np.ndarray:
    """Column indices of the k smallest entries of each row of d, unsorted.

    Among entries tied at the k-th value the lower column index wins. For wide rows a
    group bound avoids a full ``argpartition``: deal the first g * m columns into g groups
    (column j to group j mod g), take each group's minimum (one vectorised pass) and keep
    the k groups with the smallest minima, plus the few leftover columns. The k-th
    smallest group minimum t is an entry of the row, so the k smallest entries are all
    <= t, and every entry < t lies in a kept group. Only if the (k+1)-th group minimum
    also equals t could an entry tied at t sit in a dropped group; those rows take the
    direct route.

    Examples
    --------
    >>> k_smallest(np.array([[5.0, 1.0, 3.0, 1.0]]), 2)
    array([[1, 3]])
    """
    rows, n = d.shape
    m = int(np.sqrt(n))  # entries per group
    g = n // max(m, 1)  # number of groups
    if g <= 2 * k + 2:
        return _k_smallest_direct(d, k)
    mins = d[:, : g * m].reshape(rows, m, g).min(1)  # (rows, g): min over j = i + g t
    part = np.partition(mins, (k - 1, k), axis=1)
    exact = part[:, k - 1] < part[:, k]
    groups = np.argpartition(mins, k - 1, axis=1)[:, :k]  # (rows, k)
    cols = (groups[:, :, None] + g * np.arange(m)).reshape(rows, k * m)
    cols = np.hstack([cols, np.broadcast_to(np.arange(g * m, n), (rows, n - g * m))])
    idx = np.empty((rows, k), dtype=np.intp)
    cand = np.take_along_axis(d, cols, 1)
    idx[exact] = _k_smallest_direct(cand[exact], k, cols[exact])
    if not exact.all():
        idx[~exact] = _k_smallest_direct(d[~exact], k)
    return idx


def _sort_neighbors(d: np.ndarray, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Order each row's neighbours by (distance, index); returns (distances, indices)."""
    dk = np.take_along_axis(d, idx, 1)
    order = np.lexsort((idx, dk), axis=1)
    return np.take_along_axis(dk, order, 1), np.take_along_axis(idx, order, 1)


def _search_euclidean(Q: np.ndarray, F: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    F2, F_sq = -2.0 * F, squared_norms(F)
    dist = np.empty((Q.shape[0], k))
    ind = np.empty((Q.shape[0], k), dtype=np.intp)
    for rows in chunk_slices(Q.shape[0], F.shape[0]):
        d = _surrogate(Q[rows], F2, F_sq)  # ||f||^2 - 2 q.f ranks like ||q - f||^2
        dist[rows], ind[rows] = _sort_neighbors(d, k_smallest(d, k))
    dist += squared_norms(Q)[:, None]
    return np.sqrt(np.maximum(dist, 0.0, out=dist), out=dist), ind


def _search_minkowski(
    Q: np.ndarray, F: np.ndarray, k: int, metric: str, p: float
) -> tuple[np.ndarray, np.ndarray]:
    dist = np.empty((Q.shape[0], k))
    ind = np.empty((Q.shape[0], k), dtype=np.intp)
    for rows in chunk_slices(Q.shape[0], F.shape[0], width=F.shape[1]):
        d = pairwise_rdistances(Q[rows], F, metric=metric, p=p)
        dist[rows], ind[rows] = _sort_neighbors(d, k_smallest(d, k))
    return (dist if metric == "manhattan" else dist ** (1.0 / p)), ind


def kneighbors_search(
    Q: np.ndarray, F: np.ndarray, k: int, *, metric: str = "euclidean", p: float = 2.0
) -> tuple[np.ndarray, np.ndarray]:
    """The k nearest rows of F for every row of Q, nearest first: (distances, indices).

    Equal distances are ordered by index. ``metric`` is "euclidean", "manhattan" or
    "minkowski" (power ``p``); neighbours are chosen on rank-preserving distances and
    the root is taken for the k chosen only.
    """
    if metric == "euclidean":
        return _search_euclidean(Q, F, k)
    return _search_minkowski(Q, F, k, metric, p)
