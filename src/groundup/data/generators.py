"""Toy datasets drawn at random: blobs, moons, circles, spirals, regression and classification.

The scikit-learn namesakes take the same arguments and return what scikit-learn returns:
``X`` float64 of shape ``(n_samples, n_features)`` and ``y`` (int64 class labels, or float64
targets). For an int ``random_state`` they draw from a NumPy ``RandomState`` in the same
order as scikit-learn, so they return the very same numbers; ``random_state=None`` draws from
groundup's generator (``gu.manual_seed``). ``make_spirals`` (CS231n's spiral, no scikit-learn
equivalent) follows the same conventions. Convert with ``X.astype(np.float32)`` to train in
groundup's default float32.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from groundup.data._make_classification import make_classification
from groundup.data._random import check_random_state, shuffle_rows

__all__ = [
    "make_blobs",
    "make_circles",
    "make_classification",
    "make_moons",
    "make_regression",
    "make_spirals",
]


def _two_groups(n_samples: Any, name: str) -> tuple[int, int]:
    if isinstance(n_samples, (int, np.integer)):
        return n_samples // 2, n_samples - n_samples // 2
    if len(n_samples) != 2:
        raise ValueError(f"{name}: n_samples must be an int or a two-element tuple")
    return int(n_samples[0]), int(n_samples[1])


def make_moons(
    n_samples: int | tuple[int, int] = 100,
    *,
    shuffle: bool = True,
    noise: float | None = None,
    random_state: Any = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles: the outer ``(cos t, sin t)``, the inner shifted by (1, -0.5).

    Parameters
    ----------
    n_samples : int or (int, int), default=100
        Total points (the outer moon gets ``n // 2``), or the count of each moon.
    shuffle : bool, default=True
        Shuffle the samples.
    noise : float, optional
        Standard deviation of Gaussian noise added to the points.
    random_state : int, RandomState, Generator or None
        Seed; an int gives scikit-learn's numbers.

    Returns
    -------
    X : ndarray of shape (n_samples, 2), float64
    y : ndarray of shape (n_samples,), int64
        The moon of each point, 0 (outer) or 1.

    Examples
    --------
    >>> X, y = make_moons(6, noise=0.1, random_state=0)
    >>> X.shape, X.dtype, y.tolist()
    ((6, 2), dtype('float64'), [1, 0, 0, 1, 0, 1])
    """
    n_out, n_in = _two_groups(n_samples, "make_moons")
    rng = check_random_state(random_state)
    t_out, t_in = np.linspace(0, np.pi, n_out), np.linspace(0, np.pi, n_in)
    X = np.vstack(
        [
            np.append(np.cos(t_out), 1 - np.cos(t_in)),
            np.append(np.sin(t_out), 1 - np.sin(t_in) - 0.5),
        ]
    ).T
    y = np.hstack([np.zeros(n_out, dtype=np.int64), np.ones(n_in, dtype=np.int64)])
    if shuffle:
        X, y = shuffle_rows(rng, X, y)
    if noise is not None:
        X += rng.normal(scale=noise, size=X.shape)
    return X, y


def make_circles(
    n_samples: int | tuple[int, int] = 100,
    *,
    shuffle: bool = True,
    noise: float | None = None,
    random_state: Any = None,
    factor: float = 0.8,
) -> tuple[np.ndarray, np.ndarray]:
    """A large circle of radius 1 around a small one of radius ``factor``.

    Parameters
    ----------
    n_samples : int or (int, int), default=100
        Total points (the outer circle gets ``n // 2``), or the count on each circle.
    shuffle : bool, default=True
        Shuffle the samples.
    noise : float, optional
        Standard deviation of Gaussian noise added to the points.
    random_state : int, RandomState, Generator or None
        Seed; an int gives scikit-learn's numbers.
    factor : float, default=0.8
        Radius of the inner circle, in [0, 1).

    Returns
    -------
    X : ndarray of shape (n_samples, 2), float64
    y : ndarray of shape (n_samples,), int64
        0 for the outer circle, 1 for the inner.

    Examples
    --------
    >>> X, y = make_circles(4, shuffle=False, factor=0.5)
    >>> np.round(X, 2).tolist(), y.tolist()
    ([[1.0, 0.0], [-1.0, 0.0], [0.5, 0.0], [-0.5, 0.0]], [0, 0, 1, 1])
    """
    if not 0 <= factor < 1:
        raise ValueError(f"make_circles: factor must be in [0, 1), got {factor}")
    n_out, n_in = _two_groups(n_samples, "make_circles")
    rng = check_random_state(random_state)
    t_out = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    t_in = np.linspace(0, 2 * np.pi, n_in, endpoint=False)
    X = np.vstack(
        [
            np.append(np.cos(t_out), np.cos(t_in) * factor),
            np.append(np.sin(t_out), np.sin(t_in) * factor),
        ]
    ).T
    y = np.hstack([np.zeros(n_out, dtype=np.int64), np.ones(n_in, dtype=np.int64)])
    if shuffle:
        X, y = shuffle_rows(rng, X, y)
    if noise is not None:
        X += rng.normal(scale=noise, size=X.shape)
    return X, y


def make_spirals(
    n_samples: int = 100,
    n_classes: int = 2,
    *,
    noise: float = 0.2,
    shuffle: bool = True,
    random_state: Any = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spiral arms, one per class: the classic CS231n toy problem.

    Arm ``k`` holds points ``r (sin t, cos t)`` with the radius ``r`` from 0 to 1 and the
    angle ``t`` from ``4k`` to ``4(k + 1)`` radians plus Gaussian noise of std ``noise``. Not
    linearly separable: a linear classifier reaches about 50% on 3 arms, a small MLP ~99%.

    Parameters
    ----------
    n_samples : int, default=100
        Total points; each arm gets ``n_samples // n_classes``, the first ``n_samples %
        n_classes`` arms one more.
    n_classes : int, default=2
        Number of arms.
    noise : float, default=0.2
        Standard deviation of the noise on the angle (CS231n's value).
    shuffle : bool, default=True
        Shuffle the samples (else arm by arm).
    random_state : int, RandomState, Generator or None
        Seed.

    Returns
    -------
    X : ndarray of shape (n_samples, 2), float64
    y : ndarray of shape (n_samples,), int64
        The arm of each point.

    Examples
    --------
    >>> X, y = make_spirals(300, n_classes=3, random_state=0)
    >>> X.shape, np.bincount(y).tolist(), bool(np.abs(X).max() <= 1)
    ((300, 2), [100, 100, 100], True)
    """
    if n_classes < 1:
        raise ValueError(f"make_spirals: n_classes must be >= 1, got {n_classes}")
    rng = check_random_state(random_state)
    counts = np.full(n_classes, n_samples // n_classes)
    counts[: n_samples % n_classes] += 1
    y = np.repeat(np.arange(n_classes, dtype=np.int64), counts)
    # position along each arm, 0..1 (a linspace per arm, as in CS231n)
    s = np.concatenate([np.linspace(0.0, 1.0, n) for n in counts])
    t = 4.0 * (y + s) + noise * rng.standard_normal(n_samples)
    X = np.stack([s * np.sin(t), s * np.cos(t)], axis=1)
    if shuffle:
        X, y = shuffle_rows(rng, X, y)
    return X, y


def make_blobs(
    n_samples: int | Sequence[int] = 100,
    n_features: int = 2,
    *,
    centers: int | np.ndarray | None = None,
    cluster_std: float | Sequence[float] = 1.0,
    center_box: tuple[float, float] = (-10.0, 10.0),
    shuffle: bool = True,
    random_state: Any = None,
    return_centers: bool = False,
) -> tuple[np.ndarray, ...]:
    """Isotropic Gaussian blobs, for clustering: ``x ~ N(center_k, cluster_std_k^2 I)``.

    Parameters
    ----------
    n_samples : int or sequence of int, default=100
        Total points, split evenly (the first blobs get the remainder), or one count per blob.
    n_features : int, default=2
        Dimensions (ignored when ``centers`` are given as points).
    centers : int or array of shape (n_centers, n_features), optional
        Number of blobs (default 3), drawn uniformly in ``center_box``, or their centres.
    cluster_std : float or sequence of float, default=1.0
        Standard deviation of each blob.
    center_box : (float, float), default=(-10.0, 10.0)
        Bounds of the random centres.
    shuffle : bool, default=True
        Shuffle the samples.
    random_state : int, RandomState, Generator or None
        Seed; an int gives scikit-learn's numbers.
    return_centers : bool, default=False
        Also return the centres.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features), float64
    y : ndarray of shape (n_samples,), int64
        The blob of each point.
    centers : ndarray of shape (n_centers, n_features)
        Only with ``return_centers=True``.

    Examples
    --------
    >>> X, y = make_blobs(10, centers=[[0.0, 0.0], [5.0, 5.0]], cluster_std=0.1, random_state=0)
    >>> X.shape, np.bincount(y).tolist(), bool(abs(X[y == 1].mean() - 5) < 0.2)
    ((10, 2), [5, 5], True)
    """
    rng = check_random_state(random_state)
    if isinstance(n_samples, (int, np.integer)):
        if centers is None:
            centers = 3
        if isinstance(centers, (int, np.integer)):
            centers = rng.uniform(center_box[0], center_box[1], size=(centers, n_features))
        else:
            centers = np.asarray(centers, dtype=np.float64)
        counts = [int(n_samples) // len(centers)] * len(centers)
        for i in range(int(n_samples) % len(centers)):
            counts[i] += 1
    else:
        counts = [int(n) for n in n_samples]
        if centers is None:
            centers = rng.uniform(center_box[0], center_box[1], size=(len(counts), n_features))
        centers = np.asarray(centers, dtype=np.float64)
        if len(centers) != len(counts):
            raise ValueError(
                f"make_blobs: {len(counts)} counts in n_samples but {len(centers)} centers"
            )
    if centers.ndim != 2:
        raise ValueError(
            f"make_blobs: centers must be (n_centers, n_features), got {centers.shape}"
        )
    if np.ndim(cluster_std) == 0:
        cluster_std = np.full(len(centers), cluster_std)
    elif len(cluster_std) != len(centers):
        raise ValueError(
            f"make_blobs: {len(cluster_std)} values in cluster_std for {len(centers)} centers"
        )
    X = np.vstack(
        [
            rng.normal(loc=centers[i], scale=std, size=(n, centers.shape[1]))
            for i, (n, std) in enumerate(zip(counts, cluster_std))
        ]
    )
    y = np.repeat(np.arange(len(centers), dtype=np.int64), counts)
    if shuffle:
        X, y = shuffle_rows(rng, X, y)
    return (X, y, centers) if return_centers else (X, y)


def make_regression(
    n_samples: int = 100,
    n_features: int = 100,
    *,
    n_informative: int = 10,
    n_targets: int = 1,
    bias: float = 0.0,
    noise: float = 0.0,
    shuffle: bool = True,
    coef: bool = False,
    random_state: Any = None,
) -> tuple[np.ndarray, ...]:
    """A linear regression problem: ``y = X w + bias + noise``, ``X ~ N(0, I)``.

    Only ``n_informative`` features carry weight, drawn from ``U(0, 100)``; the others are 0.

    Parameters
    ----------
    n_samples : int, default=100
    n_features : int, default=100
    n_informative : int, default=10
        Features with a nonzero weight.
    n_targets : int, default=1
        Outputs; ``y`` is 1-d when 1.
    bias : float, default=0.0
    noise : float, default=0.0
        Standard deviation of the Gaussian noise on ``y``.
    shuffle : bool, default=True
        Shuffle the samples and the features.
    coef : bool, default=False
        Also return the true weights ``w``.
    random_state : int, RandomState, Generator or None
        Seed; an int gives scikit-learn's numbers.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features), float64
    y : ndarray of shape (n_samples,) or (n_samples, n_targets), float64
    coef : ndarray of shape (n_features,) or (n_features, n_targets)
        Only with ``coef=True``.

    Examples
    --------
    >>> X, y, w = make_regression(50, 5, n_informative=2, coef=True, random_state=0)
    >>> X.shape, y.shape, int((w != 0).sum()), bool(np.allclose(X @ w, y))
    ((50, 5), (50,), 2, True)
    """
    n_informative = min(n_features, n_informative)
    rng = check_random_state(random_state)
    X = rng.standard_normal(size=(n_samples, n_features))
    w = np.zeros((n_features, n_targets))
    w[:n_informative, :] = 100 * rng.uniform(size=(n_informative, n_targets))
    y = X @ w + bias
    if noise > 0.0:
        y += rng.normal(scale=noise, size=y.shape)
    if shuffle:
        X, y = shuffle_rows(rng, X, y)
        features = np.arange(n_features)
        rng.shuffle(features)
        X[:, :] = X[:, features]
        w = w[features]
    y = np.squeeze(y)
    return (X, y, np.squeeze(w)) if coef else (X, y)
