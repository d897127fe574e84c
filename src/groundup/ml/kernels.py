"""Kernel functions for support vector machines, with scikit-learn's (LIBSVM's) formulas.

=========  ==========================================
linear     k(x, z) = x . z
poly       k(x, z) = (gamma x . z + coef0) ^ degree
rbf        k(x, z) = exp(-gamma ||x - z||^2)
sigmoid    k(x, z) = tanh(gamma x . z + coef0)
=========  ==========================================

Every kernel takes two sample matrices and returns their whole Gram block in one GEMM.

Examples
--------
>>> X = np.array([[0.0, 1.0], [1.0, 1.0]])
>>> rbf_kernel(X, X, gamma=0.5).round(3)
array([[1.   , 0.607],
       [0.607, 1.   ]])
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

__all__ = [
    "KERNELS",
    "kernel_diagonal",
    "linear_kernel",
    "pairwise_kernel",
    "poly_kernel",
    "rbf_kernel",
    "resolve_gamma",
    "sigmoid_kernel",
]


def linear_kernel(X: np.ndarray, Z: np.ndarray, **_: Any) -> np.ndarray:
    """k(x, z) = x . z, shape (n_X, n_Z).

    Examples
    --------
    >>> linear_kernel(np.array([[1.0, 2.0]]), np.array([[3.0, 4.0]]))
    array([[11.]])
    """
    return X @ Z.T


def poly_kernel(
    X: np.ndarray, Z: np.ndarray, *, gamma: float, coef0: float, degree: int, **_: Any
) -> np.ndarray:
    """k(x, z) = (gamma x . z + coef0) ^ degree, shape (n_X, n_Z).

    Examples
    --------
    >>> poly_kernel(np.array([[1.0]]), np.array([[2.0]]), gamma=1.0, coef0=1.0, degree=2)
    array([[9.]])
    """
    return (gamma * (X @ Z.T) + coef0) ** degree


def rbf_kernel(X: np.ndarray, Z: np.ndarray, *, gamma: float, **_: Any) -> np.ndarray:
    """k(x, z) = exp(-gamma ||x - z||^2), with ||x - z||^2 = ||x||^2 + ||z||^2 - 2 x . z.

    Examples
    --------
    >>> rbf_kernel(np.array([[0.0]]), np.array([[1.0]]), gamma=1.0).round(4)
    array([[0.3679]])
    """
    # built in place (for n = 10^4 each temporary would be 800 MB), as
    # -gamma ||x - z||^2 = 2 gamma x . z - gamma ||x||^2 - gamma ||z||^2: five passes
    K = X @ Z.T
    K *= 2.0 * gamma
    K -= gamma * np.einsum("ij,ij->i", X, X)[:, None]
    K -= gamma * np.einsum("ij,ij->i", Z, Z)[None, :]
    np.minimum(K, 0.0, out=K)  # rounding can make ||x - x||^2 slightly negative
    return np.exp(K, out=K)


def sigmoid_kernel(
    X: np.ndarray, Z: np.ndarray, *, gamma: float, coef0: float, **_: Any
) -> np.ndarray:
    """k(x, z) = tanh(gamma x . z + coef0), shape (n_X, n_Z).

    Examples
    --------
    >>> sigmoid_kernel(np.array([[1.0]]), np.array([[1.0]]), gamma=1.0, coef0=0.0).round(4)
    array([[0.7616]])
    """
    return np.tanh(gamma * (X @ Z.T) + coef0)


KERNELS = {
    "linear": linear_kernel,
    "poly": poly_kernel,
    "rbf": rbf_kernel,
    "sigmoid": sigmoid_kernel,
}


def resolve_gamma(gamma: Any, X: np.ndarray) -> float:
    """The numeric gamma: "scale" is 1 / (n_features X.var()), "auto" is 1 / n_features.

    Examples
    --------
    >>> resolve_gamma("auto", np.zeros((3, 4)))
    0.25
    >>> resolve_gamma("scale", np.array([[0.0], [2.0]]))
    1.0
    """
    if isinstance(gamma, str):
        if gamma == "scale":
            var = float(X.var())
            return 1.0 / (X.shape[1] * var) if var != 0 else 1.0
        if gamma == "auto":
            return 1.0 / X.shape[1]
        raise ValueError(f"gamma must be 'scale', 'auto' or a float > 0, got {gamma!r}")
    if not isinstance(gamma, numbers.Real) or isinstance(gamma, bool) or gamma < 0:
        raise ValueError(f"gamma must be 'scale', 'auto' or a float >= 0, got {gamma!r}")
    return float(gamma)


def pairwise_kernel(
    X: np.ndarray, Z: np.ndarray, kernel: str, *, gamma: float, coef0: float, degree: int
) -> np.ndarray:
    """The Gram block k(X_i, Z_j) of the named kernel, shape (n_X, n_Z).

    Examples
    --------
    >>> pairwise_kernel(np.eye(2), np.eye(2), "poly", gamma=1.0, coef0=1.0, degree=2)
    array([[4., 1.],
           [1., 4.]])
    """
    if kernel not in KERNELS:
        raise ValueError(f"kernel must be one of {sorted(KERNELS)}, got {kernel!r}")
    return KERNELS[kernel](X, Z, gamma=gamma, coef0=coef0, degree=degree)


def kernel_diagonal(
    X: np.ndarray, kernel: str, *, gamma: float, coef0: float, degree: int
) -> np.ndarray:
    """k(x_i, x_i) for every row of X, shape (n,), without forming the Gram matrix.

    Examples
    --------
    >>> kernel_diagonal(np.array([[1.0, 2.0]]), "linear", gamma=1.0, coef0=0.0, degree=3)
    array([5.])
    """
    if kernel == "rbf":
        return np.ones(X.shape[0])
    dot = np.einsum("ij,ij->i", X, X)
    if kernel == "linear":
        return dot
    if kernel == "poly":
        return (gamma * dot + coef0) ** degree
    return np.tanh(gamma * dot + coef0)
