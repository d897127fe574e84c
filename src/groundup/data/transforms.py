"""Batch image transforms on NumPy arrays: normalisation and random crop / flip augmentation.

Each function takes a whole batch ``X`` of shape ``(N, C, H, W)`` (PyTorch's layout; for the
channels-last arrays of :func:`~groundup.data.load_cifar10` use ``X.transpose(0, 3, 1, 2)``)
and transforms every image with a few vectorised NumPy calls, no Python loop over images:
the crop pads the batch once, draws one offset per image and gathers all windows with one
fancy index into a strided view; the flip reverses the width axis of the images a mask picks.

The random ones draw from ``rng``: a ``np.random.Generator``, an int seed, or None for
groundup's generator (seeded by ``gu.manual_seed``). The class forms (torchvision's names
``Normalize``, ``RandomCrop``, ``RandomHorizontalFlip``, ``Compose``) hold the arguments,
so a pipeline is built once and applied to each batch.

Examples
--------
>>> import numpy as np
>>> from groundup.data import Compose, Normalize, RandomCrop, RandomHorizontalFlip
>>> X = np.random.default_rng(0).random((8, 3, 32, 32), dtype=np.float32)
>>> augment = Compose([RandomCrop(32, padding=4), RandomHorizontalFlip()])
>>> augment(X, rng=0).shape
(8, 3, 32, 32)
>>> Normalize([0.5, 0.5, 0.5], [0.25, 0.25, 0.25])(X).dtype
dtype('float32')
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from groundup.random import generator

__all__ = [
    "Compose",
    "Normalize",
    "RandomCrop",
    "RandomHorizontalFlip",
    "normalize",
    "random_crop",
    "random_horizontal_flip",
]


def _as_rng(rng: Any) -> np.random.Generator:
    """A NumPy Generator for an ``rng`` argument: None (groundup's), an int seed or a Generator."""
    if rng is None:
        return generator()
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        return np.random.default_rng(int(rng))
    raise TypeError(
        f"rng must be None, an int seed or a np.random.Generator, got {type(rng).__name__}"
    )


def _check_images(name: str, X: Any) -> np.ndarray:
    """X as an array of shape (N, C, H, W), or a ValueError naming the op."""
    X = np.asarray(X)
    if X.ndim != 4:
        raise ValueError(
            f"{name}: expected a batch of images of shape (N, C, H, W), got {X.shape}; "
            f"for channels-last (N, H, W, C) arrays pass X.transpose(0, 3, 1, 2)"
        )
    return X


def _pair(name: str, value: Any, what: str) -> tuple[int, int]:
    pair = (value, value) if isinstance(value, (int, np.integer)) else tuple(value)
    if len(pair) != 2 or any(int(v) != v or v < 0 for v in pair):
        raise ValueError(f"{name}: {what} must be an int or a pair of ints >= 0, got {value!r}")
    return int(pair[0]), int(pair[1])


def normalize(X: Any, mean: Sequence[float], std: Sequence[float]) -> np.ndarray:
    """Standardise each channel of a batch: ``out[:, c] = (X[:, c] - mean[c]) / std[c]``.

    Parameters
    ----------
    X : array_like of shape (N, C, ...)
        The batch; channels on axis 1. Integer input (e.g. uint8 pixels) gives float32.
    mean, std : sequence of float, length C (or a single float for every channel)
        Per-channel statistics, on the scale of ``X``.

    Returns
    -------
    ndarray
        A new array of X's float dtype (float32 for integer X), the same shape.

    Examples
    --------
    >>> X = np.array([[[[0.0, 2.0]], [[1.0, 3.0]]]], dtype=np.float32)  # (1, 2, 1, 2)
    >>> normalize(X, mean=[1.0, 2.0], std=[1.0, 0.5]).ravel().tolist()
    [-1.0, 1.0, -2.0, 2.0]
    """
    X = np.asarray(X)
    dtype = X.dtype if np.issubdtype(X.dtype, np.floating) else np.dtype(np.float32)
    if X.ndim < 2:
        raise ValueError(f"normalize: expected input of shape (N, C, ...), got {X.shape}")
    mean = np.asarray(mean, dtype=dtype).reshape(-1)
    std = np.asarray(std, dtype=dtype).reshape(-1)
    channels = X.shape[1]
    for label, stat in (("mean", mean), ("std", std)):
        if len(stat) not in (1, channels):
            raise ValueError(
                f"normalize: expected {label} of length {channels} (one per channel of input "
                f"{X.shape}) or 1, got {len(stat)}"
            )
    if np.any(std == 0):
        raise ValueError(f"normalize: std must be nonzero, got {std.tolist()}")
    shape = (1, -1) + (1,) * (X.ndim - 2)  # broadcast over axis 1
    out = X.astype(dtype)  # always a copy: the caller's array is never changed
    out -= mean.reshape(shape)
    out /= std.reshape(shape)
    return out


def random_crop(
    X: Any,
    size: int | Sequence[int],
    padding: int | Sequence[int] = 0,
    rng: Any = None,
    fill: float = 0,
) -> np.ndarray:
    """Crop a random ``size`` window out of each image, after zero-padding the batch once.

    Each image gets its own top-left corner, uniform over the ``(H + 2ph - h + 1) x
    (W + 2pw - w + 1)`` positions (torchvision's ``RandomCrop(size, padding)``, batched).

    Parameters
    ----------
    X : array_like of shape (N, C, H, W)
    size : int or (int, int)
        Output height and width ``(h, w)``.
    padding : int or (int, int), default=0
        Rows ``ph`` added above and below, columns ``pw`` left and right.
    rng : np.random.Generator, int or None
        The offsets' source; None draws from groundup's generator.
    fill : float, default=0
        Value of the padding.

    Returns
    -------
    ndarray of shape (N, C, h, w)
        A new contiguous array, X's dtype.

    Examples
    --------
    >>> X = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> random_crop(X, 2, rng=0).shape
    (1, 1, 2, 2)
    >>> random_crop(X, 4, padding=1, rng=0).shape  # shifted by up to one pixel, zeros come in
    (1, 1, 4, 4)
    """
    X = _check_images("random_crop", X)
    h, w = _pair("random_crop", size, "size")
    ph, pw = _pair("random_crop", padding, "padding")
    n, _, height, width = X.shape
    if h < 1 or w < 1 or h > height + 2 * ph or w > width + 2 * pw:
        raise ValueError(
            f"random_crop: crop size {(h, w)} must be >= 1 and fit the padded images "
            f"{(height + 2 * ph, width + 2 * pw)} (input {X.shape}, padding {(ph, pw)})"
        )
    if ph or pw:
        X = np.pad(X, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=fill)
    gen = _as_rng(rng)
    top = gen.integers(0, X.shape[2] - h + 1, size=n)
    left = gen.integers(0, X.shape[3] - w + 1, size=n)
    windows = sliding_window_view(X, (h, w), axis=(2, 3))  # (N, C, H'-h+1, W'-w+1, h, w), a view
    # Advanced indices split by a slice put their axis first: the result is (N, C, h, w).
    return windows[np.arange(n), :, top, left]


def random_horizontal_flip(X: Any, p: float = 0.5, rng: Any = None) -> np.ndarray:
    """Mirror each image left-right with probability ``p`` (reverse its width axis).

    Parameters
    ----------
    X : array_like of shape (N, C, H, W)
    p : float, default=0.5
        Probability that an image is flipped, in [0, 1].
    rng : np.random.Generator, int or None
        The coin flips' source; None draws from groundup's generator.

    Returns
    -------
    ndarray
        A new array, X's shape and dtype.

    Examples
    --------
    >>> X = np.array([[[[1, 2, 3]]]])
    >>> random_horizontal_flip(X, p=1.0).ravel().tolist()
    [3, 2, 1]
    """
    X = _check_images("random_horizontal_flip", X)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"random_horizontal_flip: p must be in [0, 1], got {p}")
    flip = _as_rng(rng).random(len(X)) < p  # (N,) bool
    out = X.copy()
    out[flip] = X[flip, :, :, ::-1]
    return out


class Normalize:
    """Per-channel standardisation as a transform object: see :func:`normalize`.

    Examples
    --------
    >>> Normalize([0.5], [0.5])(np.ones((1, 1, 2, 2), dtype=np.float32)).ravel().tolist()
    [1.0, 1.0, 1.0, 1.0]
    """

    def __init__(self, mean: Sequence[float], std: Sequence[float]) -> None:
        self.mean, self.std = mean, std

    def __call__(self, X: Any, rng: Any = None) -> np.ndarray:
        return normalize(X, self.mean, self.std)

    def __repr__(self) -> str:
        return f"Normalize(mean={self.mean}, std={self.std})"


class RandomCrop:
    """Random crop after padding as a transform object: see :func:`random_crop`.

    Examples
    --------
    >>> RandomCrop(28, padding=2)(np.zeros((5, 1, 28, 28)), rng=0).shape
    (5, 1, 28, 28)
    """

    def __init__(
        self, size: int | Sequence[int], padding: int | Sequence[int] = 0, fill: float = 0
    ) -> None:
        _pair("RandomCrop", size, "size")
        _pair("RandomCrop", padding, "padding")
        self.size, self.padding, self.fill = size, padding, fill

    def __call__(self, X: Any, rng: Any = None) -> np.ndarray:
        return random_crop(X, self.size, self.padding, rng, self.fill)

    def __repr__(self) -> str:
        return f"RandomCrop(size={self.size}, padding={self.padding})"


class RandomHorizontalFlip:
    """Random left-right mirror as a transform object: see :func:`random_horizontal_flip`.

    Examples
    --------
    >>> RandomHorizontalFlip(p=1.0)(np.array([[[[1, 2]]]])).ravel().tolist()
    [2, 1]
    """

    def __init__(self, p: float = 0.5) -> None:
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"RandomHorizontalFlip: p must be in [0, 1], got {p}")
        self.p = p

    def __call__(self, X: Any, rng: Any = None) -> np.ndarray:
        return random_horizontal_flip(X, self.p, rng)

    def __repr__(self) -> str:
        return f"RandomHorizontalFlip(p={self.p})"


class Compose:
    """Apply transforms in order to a batch: ``Compose([t1, t2])(X) == t2(t1(X))``.

    The transform classes of this module are called as ``t(X, rng=gen)`` with one generator
    ``gen`` made from ``rng`` and shared along the pipeline (so a seeded pipeline is
    reproducible); any other callable as ``t(X)``.

    Parameters
    ----------
    transforms : sequence of callables
        Each maps a batch array to a batch array.

    Examples
    --------
    >>> flip_then_scale = Compose([RandomHorizontalFlip(p=1.0), lambda X: 2 * X])
    >>> flip_then_scale(np.array([[[[1, 2]]]])).ravel().tolist()
    [4, 2]
    """

    def __init__(self, transforms: Sequence[Callable[..., np.ndarray]]) -> None:
        transforms = list(transforms)
        for t in transforms:
            if not callable(t):
                raise TypeError(f"Compose: every transform must be callable, got {t!r}")
        self.transforms = transforms

    def __call__(self, X: Any, rng: Any = None) -> np.ndarray:
        gen = _as_rng(rng)
        for t in self.transforms:
            takes_rng = isinstance(t, (Normalize, RandomCrop, RandomHorizontalFlip, Compose))
            X = t(X, rng=gen) if takes_rng else t(X)
        return X

    def __repr__(self) -> str:
        inner = "".join(f"\n    {t!r}," for t in self.transforms)
        return f"Compose([{inner}\n])"
