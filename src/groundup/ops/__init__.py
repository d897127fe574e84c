"""Differentiable primitives: each op is one ``Function`` with its forward beside its backward.

- ``arithmetic``: add, sub, mul, div, pow, maximum, minimum, where (broadcasting)
- ``unary``: neg, exp, log, sqrt, abs, tanh, sigmoid, relu, clip, sin, cos, cast, clone
- ``reduce``: sum, mean, var, max/min, prod, 2-norm
- ``softmax``: softmax and log-softmax, fused
- ``linalg``: matmul
- ``shape``: reshape, permute, expand, cat, stack
- ``indexing``: basic and advanced indexing
- ``linear``, ``activation``, ``dropout``: the fused ops behind ``nn.Linear`` and activations
- ``loss``: MSE, L1, BCE, cross-entropy (log-softmax + NLL in one node), NLL
- ``normalization``: batch norm and layer norm, each one node with a closed-form backward
- ``embedding``: row lookup with a sort-and-reduce backward
"""

from groundup.ops import arithmetic, indexing, linalg, reduce, shape, softmax, unary

__all__ = ["arithmetic", "indexing", "linalg", "reduce", "shape", "softmax", "unary"]
