"""Indexing: ``x[key]`` with ints, slices, None, ..., integer arrays and boolean masks."""

from __future__ import annotations

from typing import Any

from groundup.autograd import Function


class BasicIndex(Function):
    """out = x[key] for ints, slices, None and ... (a view);  dx = zeros with g at key."""

    is_view = True

    @staticmethod
    def forward(ctx: Any, x: Any, key: Any) -> Any:
        ctx.shape, ctx.dtype, ctx.key = x.shape, x.dtype, key
        return x[key]

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        dx = ctx.xp.zeros(ctx.shape, dtype=g.dtype)
        dx[ctx.key] = g
        return dx, None


class AdvancedIndex(Function):
    """out = x[key] with integer arrays or masks (a copy);  dx = g added at key, repeats summed."""

    @staticmethod
    def forward(ctx: Any, x: Any, key: Any) -> Any:
        ctx.shape, ctx.key = x.shape, key
        return x[key]

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        xp, key, shape = ctx.xp, ctx.key, ctx.shape
        if _is_row_index(key, xp):
            rows = key[0] if isinstance(key, tuple) else key
            return scatter_add_rows(rows, g, shape, xp), None
        dx = xp.zeros(shape, dtype=g.dtype)
        if isinstance(key, xp.ndarray) and key.dtype == bool:
            dx[key] = g  # a mask picks each element at most once
        else:
            xp.add.at(dx, key, g)  # the general mix of arrays and slices: rare, not a hot path
        return dx, None


def _is_row_index(key: Any, xp: Any) -> bool:
    """Whether ``key`` is an integer array on axis 0, optionally followed by full slices."""
    if isinstance(key, tuple):
        if not key or not all(isinstance(k, slice) and k == slice(None) for k in key[1:]):
            return False
        key = key[0]
    return isinstance(key, xp.ndarray) and key.dtype.kind in "iu"


def scatter_add_rows(rows: Any, g: Any, shape: tuple, xp: Any) -> Any:
    """dx of ``x[rows]``: the rows of g summed into the rows of a zero array of ``shape``.

    Repeated rows accumulate. Done by sorting the row ids and one ``add.reduceat`` over the
    runs of equal ids (or one ``bincount`` for a vector): no Python loop, no ``add.at``.
    """
    n = shape[0]
    rows = rows.reshape(-1)
    rows = xp.where(rows < 0, rows + n, rows)
    g_rows = g.reshape((rows.size,) + tuple(shape[1:]))
    if len(shape) == 1:
        return xp.bincount(rows, weights=g_rows, minlength=n).astype(g.dtype)
    dx = xp.zeros(shape, dtype=g.dtype)
    if rows.size == 0:
        return dx
    order = xp.argsort(rows, kind="stable")
    sorted_rows = rows[order]
    starts = xp.flatnonzero(xp.concatenate(([True], sorted_rows[1:] != sorted_rows[:-1])))
    dx[sorted_rows[starts]] = xp.add.reduceat(g_rows[order], starts, axis=0)
    return dx
