"""Helpers shared by the ops: undoing broadcasting and reading ``dim`` arguments."""

from __future__ import annotations

from typing import Any


def unbroadcast(g: Any, shape: tuple[int, ...]) -> Any:
    """Sum ``g`` over the axes broadcasting added or stretched, back to ``shape``."""
    if g.shape == shape:
        return g
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and g.shape[lead + i] != 1
    )
    return g.sum(axis=axes).reshape(shape) if axes else g


def shape_of(x: Any) -> tuple[int, ...]:
    """Shape of an array, or ``()`` for a Python number."""
    return getattr(x, "shape", ())


def normalize_dims(dim: Any, ndim: int, op: str) -> tuple[int, ...] | None:
    """``dim`` (None, an int or a sequence, negatives allowed) as a sorted tuple of axes."""
    if dim is None:
        return None
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    out = []
    for d in dims:
        if not isinstance(d, int) or isinstance(d, bool):
            raise TypeError(f"{op}: dim must be an int or a tuple of ints, got {dim!r}")
        if not -max(ndim, 1) <= d < max(ndim, 1):
            raise IndexError(
                f"{op}: dim {d} is out of range for a tensor of {ndim} dimension(s) "
                f"(expected -{max(ndim, 1)} <= dim < {max(ndim, 1)})"
            )
        out.append(d % ndim if ndim else 0)
    if len(set(out)) != len(out):
        raise ValueError(f"{op}: dim {dim!r} names an axis twice")
    return tuple(sorted(out))


def pick_dim(dim: Any, axis: Any, op: str) -> Any:
    """Accept NumPy's ``axis=`` as an alias of PyTorch's ``dim=``, but not both."""
    if axis is None:
        return dim
    if dim is not None:
        raise TypeError(f"{op}: got both dim={dim!r} and axis={axis!r}; pass one")
    return axis


def keepdim_shape(shape: tuple[int, ...], dims: tuple[int, ...] | None) -> tuple[int, ...]:
    """``shape`` with the reduced ``dims`` (all when None) set to 1."""
    if dims is None:
        return (1,) * len(shape)
    return tuple(1 if i in dims else n for i, n in enumerate(shape))
