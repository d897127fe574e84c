"""The k-means algorithms behind ``groundup.ml.cluster``: seeding, Lloyd, mini-batch steps.

Functions here take validated float64 arrays; the estimators in ``cluster.py`` check the
input and hold the results. Random draws use NumPy's legacy ``RandomState`` in
scikit-learn's order, so the same seed gives the same draws as there.

Examples
--------
>>> X = np.array([[0.0], [1.0], [9.0], [10.0]])
>>> labels, inertia, centers, n_iter = lloyd(X, np.ones(4), X[[0, 1]], 300, 0.0)
>>> labels, inertia, centers.ravel()
(array([0, 0, 1, 1]), 1.0, array([0.5, 9.5]))
"""

from __future__ import annotations

from typing import Any

import numpy as np

from groundup.data._random import check_random_state
from groundup.ml._distances import chunk_slices, nearest_center, pairwise_rdistances

__all__ = ["kmeans_plusplus", "lloyd", "minibatch_kmeans"]


def kmeans_plusplus(
    X: np.ndarray, n_clusters: int, sample_weight: np.ndarray, random_state: Any
) -> np.ndarray:
    """Greedy k-means++ seeding (Arthur & Vassilvitskii 2007, as in scikit-learn).

    The first center is a sample drawn with probability w_i; each next one is the best of
    2 + log(k) candidates drawn with probability w_i D(x_i)^2 (D: distance to the nearest
    center so far): the candidate that lowers the potential sum_i w_i D(x_i)^2 most.

    Examples
    --------
    >>> X = np.array([[0.0], [0.1], [5.0], [5.1]])
    >>> kmeans_plusplus(X, 2, np.ones(4), random_state=0).ravel()
    array([5. , 0.1])
    """
    rs = check_random_state(random_state)
    n_trials = 2 + int(np.log(n_clusters))
    chosen = [rs.choice(X.shape[0], p=sample_weight / sample_weight.sum())]
    closest = pairwise_rdistances(X[chosen], X)[0]  # D(x)^2 to the centers so far
    potential = closest @ sample_weight
    for _ in range(1, n_clusters):
        draws = rs.uniform(size=n_trials) * potential
        cand = np.searchsorted(np.cumsum(sample_weight * closest), draws)
        cand = np.minimum(cand, X.shape[0] - 1)
        d = np.minimum(closest, pairwise_rdistances(X[cand], X))  # (n_trials, n)
        trial_potential = d @ sample_weight
        best = np.argmin(trial_potential)
        potential, closest = trial_potential[best], d[best]
        chosen.append(cand[best])
    return X[chosen].copy()


def _cluster_sums(
    X: np.ndarray, w: np.ndarray, labels: np.ndarray, n_clusters: int
) -> tuple[np.ndarray, np.ndarray]:
    """sum_{i in cluster j} w_i x_i and sum w_i, as a one-hot (k, rows) @ (rows, d) per chunk."""
    sums = np.zeros((n_clusters, X.shape[1]))
    for rows in chunk_slices(X.shape[0], n_clusters):
        onehot = np.zeros((n_clusters, rows.stop - rows.start))
        onehot[labels[rows], np.arange(rows.stop - rows.start)] = w[rows]
        sums += onehot @ X[rows]
    return sums, np.bincount(labels, weights=w, minlength=n_clusters)


def _relocate_empty_clusters(X, w, centers, sums, weights, labels) -> None:
    """Give each empty cluster the sample farthest from its center (in place), as sklearn."""
    empty = np.flatnonzero(weights == 0)
    if empty.size == 0:
        return
    dist = ((X - centers[labels]) ** 2).sum(1)
    if dist.max() == 0:  # more clusters than distinct points: nothing to move
        return
    far = np.argpartition(dist, -empty.size)[-empty.size :]
    far = far[np.argsort(-dist[far], kind="stable")]
    for j, i in zip(empty, far):
        sums[labels[i]] -= w[i] * X[i]
        weights[labels[i]] -= w[i]
        sums[j], weights[j] = w[i] * X[i], w[i]


def _lloyd_step(X, w, centers) -> tuple[np.ndarray, np.ndarray]:
    """One Lloyd iteration: assign to the nearest center, move centers to their means."""
    labels, _ = nearest_center(X, centers, with_distances=False)
    sums, weights = _cluster_sums(X, w, labels, centers.shape[0])
    _relocate_empty_clusters(X, w, centers, sums, weights, labels)
    filled = weights > 0
    new = np.empty_like(centers)
    new[filled] = sums[filled] / weights[filled, None]
    new[~filled] = new[np.argmax(weights)]  # sklearn parks leftovers on the biggest
    return labels, new


def _inertia(X, w, centers, labels) -> float:
    """sum_i w_i ||x_i - c_{label(i)}||^2, computed exactly (not by the GEMM identity)."""
    return float(w @ ((X - centers[labels]) ** 2).sum(1))


def lloyd(X, w, centers, max_iter: int, tol: float) -> tuple[np.ndarray, float, np.ndarray, int]:
    """Lloyd's algorithm until the labels stop changing or the centers move < tol.

    Returns labels, inertia, centers and the number of iterations run.
    """
    labels_old = np.full(X.shape[0], -1)
    strict = False
    for n_iter in range(1, max_iter + 1):  # noqa: B007 (n_iter is returned)
        labels, new = _lloyd_step(X, w, centers)
        shift = ((new - centers) ** 2).sum()
        centers = new
        if np.array_equal(labels, labels_old):
            strict = True
            break
        if shift <= tol:
            break
        labels_old = labels
    if not strict:  # labels of the last centers
        labels, _ = nearest_center(X, centers, with_distances=False)
    return labels, _inertia(X, w, centers, labels), centers, n_iter


def _minibatch_step(Xb, centers, counts, reassign, ratio, rs) -> float:
    """Update ``centers`` and ``counts`` in place from one batch; returns its inertia."""
    labels, dist = nearest_center(Xb, centers)
    sums, n_b = _cluster_sums(Xb, np.ones(Xb.shape[0]), labels, centers.shape[0])
    seen = n_b > 0
    centers[seen] = (centers[seen] * counts[seen, None] + sums[seen]) / (counts + n_b)[seen, None]
    counts += n_b
    if reassign and ratio > 0:
        low = counts < ratio * counts.max()
        if low.sum() > 0.5 * Xb.shape[0]:  # never re-seed more than half the batch
            low[np.argsort(counts)[int(0.5 * Xb.shape[0]) :]] = False
        if low.any():
            centers[low] = Xb[rs.choice(Xb.shape[0], replace=False, size=low.sum())]
            counts[low] = np.min(counts[~low])
    return float(dist.sum())


class _EwaStop:
    """scikit-learn's stopping rule: small center moves, or no better smoothed inertia."""

    def __init__(self, tol: float, patience: Any, batch: int, n: int):
        self.tol, self.patience = tol, patience
        self.alpha = min(batch * 2.0 / (n + 1), 1.0)
        self.ewa = self.best = None
        self.stale = 0

    def __call__(self, step: int, shift: float, batch_inertia: float) -> bool:
        if step == 0:
            return False
        a = self.alpha
        self.ewa = batch_inertia if self.ewa is None else self.ewa * (1 - a) + batch_inertia * a
        if self.tol > 0.0 and shift <= self.tol:
            return True
        if self.best is None or self.ewa < self.best:
            self.stale, self.best = 0, self.ewa
        else:
            self.stale += 1
        return self.patience is not None and self.stale >= self.patience


def minibatch_kmeans(est, X, w, rs) -> tuple[np.ndarray, int, float]:
    """Seed (best of n_init on a validation sample), then mini-batch steps as scikit-learn.

    Returns the centers, the number of steps and the last smoothed batch inertia.
    """
    n, k = X.shape[0], est.n_clusters
    batch = min(est.batch_size, n)
    init_size = 3 * batch if est.init_size is None else est.init_size
    init_size = min(3 * k if init_size < k else init_size, n)
    valid = rs.randint(0, n, init_size)  # scores each seeding
    init, best = est._init_array(), None
    for _ in range(est._n_init()):
        if init is None:
            sub = rs.randint(0, n, init_size) if init_size < n else np.arange(n)
            start = est._seed_centers(X[sub], w[sub], rs)
        else:
            start = init.copy()
        inertia = nearest_center(X[valid], start)[1] @ w[valid]
        if best is None or inertia < best[0]:
            best = (inertia, start)
    centers, counts = best[1], np.zeros(k)
    stop = _EwaStop(float(np.mean(np.var(X, axis=0))) * est.tol, est.max_no_improvement, batch, n)
    since_reassign, p = 0, w / w.sum()
    n_steps = max(1, (est.max_iter * n) // batch)
    for step in range(n_steps):
        Xb = X[rs.choice(n, batch, p=p, replace=True)]
        since_reassign += batch
        reassign = (counts == 0).any() or since_reassign >= 10 * k
        since_reassign = 0 if reassign else since_reassign
        old = centers.copy() if est.tol > 0 else centers
        inertia = _minibatch_step(Xb, centers, counts, reassign, est.reassignment_ratio, rs)
        shift = ((centers - old) ** 2).sum() if est.tol > 0 else 0.0
        if stop(step, shift, inertia / batch):
            break
    return centers, step + 1, stop.ewa if stop.ewa is not None else inertia / batch
