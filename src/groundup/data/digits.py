"""The 8x8 handwritten digits (UCI), shipped inside the package so something always works offline.

Source and licence (CC BY 4.0): ``_files/README.md`` beside this module.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

__all__ = ["load_digits"]

_PATH = Path(__file__).with_name("_files") / "digits.csv.gz"


def load_digits(n_class: int = 10, *, as_images: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Load the UCI optical handwritten digits: 1,797 8x8 images, pixel values 0-16.

    The same data as scikit-learn's ``load_digits`` (the test set of UCI's "Optical
    Recognition of Handwritten Digits", E. Alpaydin and C. Kaynak, 1998, CC BY 4.0), read
    from a 57 kB file inside groundup: no download, no ``GROUNDUP_DATA``.

    Parameters
    ----------
    n_class : int, default=10
        Keep the digits ``0 .. n_class - 1`` only, like scikit-learn's ``n_class``.
    as_images : bool, default=False
        Return ``X`` of shape ``(N, 8, 8)`` instead of ``(N, 64)``.

    Returns
    -------
    X : ndarray of shape (N, 64) or (N, 8, 8), float32
        Pixel counts 0-16, row by row (float32, groundup's default; scikit-learn returns the
        same values as float64). Divide by 16 to scale to [0, 1].
    y : ndarray of shape (N,), int64
        The digits.

    Examples
    --------
    >>> X, y = load_digits()
    >>> X.shape, X.dtype, X.max(), y[:10].tolist()
    ((1797, 64), dtype('float32'), np.float32(16.0), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    >>> load_digits(2, as_images=True)[0].shape
    (360, 8, 8)
    """
    if not isinstance(n_class, (int, np.integer)) or not 1 <= n_class <= 10:
        raise ValueError(f"load_digits: n_class must be an int in 1..10, got {n_class!r}")
    data = np.loadtxt(_PATH, delimiter=",", dtype=np.float32)  # (1797, 65): pixels, digit
    X, y = data[:, :-1], data[:, -1].astype(np.int64)
    if n_class < 10:
        keep = y < n_class
        X, y = X[keep], y[keep]
    X = np.ascontiguousarray(X)
    return (X.reshape(-1, 8, 8) if as_images else X), y
