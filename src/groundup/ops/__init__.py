"""Differentiable primitives: each op is one ``Function`` with its forward beside its backward.

- ``arithmetic``: add, sub, mul, div, pow, maximum, minimum, where (broadcasting)
- ``unary``: neg, exp, log, sqrt, abs, tanh, sigmoid, relu, clip, sin, cos, cast, clone
- ``reduce``: sum, mean, var, max/min, prod, 2-norm
- ``softmax``: softmax and log-softmax, fused
- ``linalg``: matmul
- ``shape``: reshape, permute, expand, cat, stack
- ``indexing``: basic and advanced indexing
"""

from groundup.ops import arithmetic, indexing, linalg, reduce, shape, softmax, unary

__all__ = ["arithmetic", "indexing", "linalg", "reduce", "shape", "softmax", "unary"]
