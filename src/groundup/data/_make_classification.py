"""``make_classification``: scikit-learn's random n-class problem (Guyon's Madelon design)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from groundup.data._random import check_random_state, shuffle_rows

__all__ = ["make_classification"]


def _sample_without_replacement(n_population: int, n: int, rng: Any) -> np.ndarray:
    """n distinct ints from [0, n_population), drawn as scikit-learn's "auto" method draws them."""
    ratio = n / n_population
    if 0.01 < ratio < 0.99:
        return rng.permutation(n_population)[:n]
    out = np.empty(n, dtype=np.int64)
    if ratio < 0.2:  # tracking selection: redraw until unseen
        seen: set[int] = set()
        for i in range(n):
            j = rng.randint(n_population)
            while j in seen:
                j = rng.randint(n_population)
            seen.add(j)
            out[i] = j
    else:  # reservoir sampling
        out[:] = np.arange(n)
        for i in range(n, n_population):
            j = rng.randint(0, i + 1)
            if j < n:
                out[j] = i
    return out


def _hypercube_vertices(n_vertices: int, dim: int, rng: Any) -> np.ndarray:
    """n_vertices distinct corners of the cube {0, 1}^dim, as rows of bits."""
    if dim > 30:
        return np.hstack(
            [rng.randint(2, size=(n_vertices, dim - 30)), _hypercube_vertices(n_vertices, 30, rng)]
        )
    ids = _sample_without_replacement(2**dim, n_vertices, rng)
    return (ids[:, None] >> np.arange(dim - 1, -1, -1)) & 1  # the bits of each id, MSB first


def make_classification(
    n_samples: int = 100,
    n_features: int = 20,
    *,
    n_informative: int = 2,
    n_redundant: int = 2,
    n_repeated: int = 0,
    n_classes: int = 2,
    n_clusters_per_class: int = 2,
    weights: Sequence[float] | None = None,
    flip_y: float = 0.01,
    class_sep: float = 1.0,
    hypercube: bool = True,
    shift: float | np.ndarray | None = 0.0,
    scale: float | np.ndarray | None = 1.0,
    shuffle: bool = True,
    random_state: Any = None,
) -> tuple[np.ndarray, np.ndarray]:
    """A random n-class problem: Gaussian clusters on the corners of a hypercube.

    Each class owns ``n_clusters_per_class`` clusters, centred on distinct vertices of a
    hypercube of side ``2 * class_sep`` in the ``n_informative`` informative dimensions, each
    cluster a standard normal cloud under a random linear map. Then come ``n_redundant``
    random linear combinations of the informative features, ``n_repeated`` copies of
    informative or redundant ones, and pure-noise features up to ``n_features``; a fraction
    ``flip_y`` of the labels is replaced at random. Same design, arguments and, for an int
    ``random_state``, numbers as scikit-learn's ``make_classification``.

    Parameters
    ----------
    n_samples : int, default=100
    n_features : int, default=20
        ``n_informative + n_redundant + n_repeated`` at most.
    n_informative : int, default=2
        Dimensions that carry the classes; ``2 ** n_informative >= n_classes *
        n_clusters_per_class``.
    n_redundant : int, default=2
        Linear combinations of the informative features.
    n_repeated : int, default=0
        Duplicated informative or redundant features.
    n_classes : int, default=2
    n_clusters_per_class : int, default=2
    weights : sequence of float, optional
        Share of samples per class (``n_classes - 1`` values: the last is the rest); default
        balanced.
    flip_y : float, default=0.01
        Fraction of labels redrawn uniformly at random (some keep their class by chance).
    class_sep : float, default=1.0
        Half the side of the hypercube: larger is easier.
    hypercube : bool, default=True
        Centres on the vertices; False scales them randomly (a random polytope).
    shift : float, array or None, default=0.0
        Added to every feature; None draws it from ``U(-class_sep, class_sep)``.
    scale : float, array or None, default=1.0
        Multiplies every feature after the shift; None draws it from ``U(1, 101)``.
    shuffle : bool, default=True
        Shuffle the samples and the features (else the informative features come first).
    random_state : int, RandomState, Generator or None
        Seed; an int gives scikit-learn's numbers.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features), float64
    y : ndarray of shape (n_samples,), int64
        Class labels 0 .. n_classes - 1.

    Examples
    --------
    >>> X, y = make_classification(200, 5, n_informative=3, n_redundant=1, n_classes=3,
    ...                            flip_y=0.0, random_state=0)
    >>> X.shape, X.dtype, np.bincount(y).tolist()
    ((200, 5), dtype('float64'), [67, 67, 66])
    """
    rng = check_random_state(random_state)
    if n_informative + n_redundant + n_repeated > n_features:
        raise ValueError(
            "Number of informative, redundant and repeated features must sum to less than the "
            "number of total features"
        )
    n_clusters = n_classes * n_clusters_per_class
    if n_informative < np.log2(n_clusters):
        raise ValueError(
            f"n_classes({n_classes}) * n_clusters_per_class({n_clusters_per_class}) must be "
            f"smaller or equal 2**n_informative({n_informative})={2**n_informative}"
        )
    if weights is None:
        shares = [1.0 / n_classes] * n_classes
    else:
        shares = [float(w) for w in weights]
        if len(shares) not in (n_classes, n_classes - 1):
            raise ValueError("Weights specified but incompatible with number of classes.")
        if len(shares) == n_classes - 1:
            shares.append(1.0 - sum(shares))
    n_random = n_features - n_informative - n_redundant - n_repeated

    # Samples per cluster: the weights' shares, rounded down, the rest dealt round robin.
    per_cluster = [
        int(n_samples * shares[k % n_classes] / n_clusters_per_class) for k in range(n_clusters)
    ]
    for i in range(n_samples - sum(per_cluster)):
        per_cluster[i % n_clusters] += 1

    X = np.zeros((n_samples, n_features))
    y = np.zeros(n_samples, dtype=np.int64)
    centroids = _hypercube_vertices(n_clusters, n_informative, rng).astype(float)
    centroids *= 2 * class_sep
    centroids -= class_sep
    if not hypercube:
        centroids *= rng.uniform(size=(n_clusters, 1))
        centroids *= rng.uniform(size=(1, n_informative))

    X[:, :n_informative] = rng.standard_normal(size=(n_samples, n_informative))
    stop = 0
    for k, centroid in enumerate(centroids):  # each cluster: x A + centroid, A ~ U(-1, 1)
        start, stop = stop, stop + per_cluster[k]
        y[start:stop] = k % n_classes
        X_k = X[start:stop, :n_informative]
        A = 2 * rng.uniform(size=(n_informative, n_informative)) - 1
        X_k[...] = X_k @ A
        X_k += centroid

    if n_redundant > 0:
        B = 2 * rng.uniform(size=(n_informative, n_redundant)) - 1
        X[:, n_informative : n_informative + n_redundant] = X[:, :n_informative] @ B
    n = n_informative + n_redundant
    if n_repeated > 0:
        indices = ((n - 1) * rng.uniform(size=n_repeated) + 0.5).astype(np.intp)
        X[:, n : n + n_repeated] = X[:, indices]
    if n_random > 0:
        X[:, -n_random:] = rng.standard_normal(size=(n_samples, n_random))

    if flip_y >= 0.0:
        flip = rng.uniform(size=n_samples) < flip_y
        y[flip] = rng.randint(n_classes, size=flip.sum())

    if shift is None:
        shift = (2 * rng.uniform(size=n_features) - 1) * class_sep
    X += shift
    if scale is None:
        scale = 1 + 100 * rng.uniform(size=n_features)
    X *= scale

    if shuffle:
        X, y = shuffle_rows(rng, X, y)
        features = np.arange(n_features)
        rng.shuffle(features)
        X[:, :] = X[:, features]
    return X, y
