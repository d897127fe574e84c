"""Tensor methods for math: operators, elementwise functions, reductions, softmax, ``@``.

Each method turns its arguments into tensors or Python numbers, applies PyTorch's dtype
promotion (``dtypes.py``) and calls one op from ``ops/``.
"""

from __future__ import annotations

from collections import namedtuple
from typing import TYPE_CHECKING, Any

from groundup import dtypes
from groundup.ops._util import normalize_dims, pick_dim

if TYPE_CHECKING:
    from groundup.tensor import Tensor

MaxMin = namedtuple("MaxMin", ["values", "indices"])


class TensorMath:
    """Math methods of ``Tensor`` (a mixin; see ``tensor.py``)."""

    # ------------------------------------------------------------------ operators
    def __add__(self, other: Any) -> Tensor:
        return binary(arithmetic.Add, self, other, "add")

    def __radd__(self, other: Any) -> Tensor:
        return binary(arithmetic.Add, self, other, "add", reverse=True)

    def __sub__(self, other: Any) -> Tensor:
        return binary(arithmetic.Sub, self, other, "sub")

    def __rsub__(self, other: Any) -> Tensor:
        return binary(arithmetic.Sub, self, other, "sub", reverse=True)

    def __mul__(self, other: Any) -> Tensor:
        return binary(arithmetic.Mul, self, other, "mul")

    def __rmul__(self, other: Any) -> Tensor:
        return binary(arithmetic.Mul, self, other, "mul", reverse=True)

    def __truediv__(self, other: Any) -> Tensor:
        return binary(arithmetic.Div, self, other, "div", true_division=True)

    def __rtruediv__(self, other: Any) -> Tensor:
        return binary(arithmetic.Div, self, other, "div", reverse=True, true_division=True)

    def __matmul__(self, other: Any) -> Tensor:
        return binary(linalg.MatMul, self, other, "matmul")

    def __rmatmul__(self, other: Any) -> Tensor:
        return binary(linalg.MatMul, self, other, "matmul", reverse=True)

    def __pow__(self, exponent: Any) -> Tensor:
        return self.pow(exponent)

    def __rpow__(self, base: Any) -> Tensor:
        return binary(arithmetic.PowTensor, self, base, "pow", reverse=True)

    def __neg__(self) -> Tensor:
        return unary.Neg.apply(self)

    def __abs__(self) -> Tensor:
        return self.abs()

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return compare(self, other, "eq", lambda a, b: a == b)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return compare(self, other, "ne", lambda a, b: a != b)

    def __lt__(self, other: Any) -> Tensor:
        return compare(self, other, "lt", lambda a, b: a < b)

    def __le__(self, other: Any) -> Tensor:
        return compare(self, other, "le", lambda a, b: a <= b)

    def __gt__(self, other: Any) -> Tensor:
        return compare(self, other, "gt", lambda a, b: a > b)

    def __ge__(self, other: Any) -> Tensor:
        return compare(self, other, "ge", lambda a, b: a >= b)

    def matmul(self, other: Any) -> Tensor:
        """Matrix product ``self @ other`` (1-D, 2-D or batched with broadcasting)."""
        return self @ other

    def pow(self, exponent: Any) -> Tensor:
        """``self ** exponent``, for a number or a tensor exponent."""
        if isinstance(exponent, _tensor.Tensor):
            return binary(arithmetic.PowTensor, self, exponent, "pow")
        exponent = _python_number(exponent)
        if not isinstance(exponent, (int, float)):
            return binary(arithmetic.PowTensor, self, exponent, "pow")
        x = self._cast(dtypes.scalar_result(self.dtype, exponent))
        return arithmetic.Pow.apply(x, exponent)

    # ------------------------------------------------------------------ elementwise
    def exp(self) -> Tensor:
        """e ** x, elementwise."""
        return unary.Exp.apply(self._floating())

    def log(self) -> Tensor:
        """Natural logarithm, elementwise."""
        return unary.Log.apply(self._floating())

    def sqrt(self) -> Tensor:
        """Square root, elementwise."""
        return unary.Sqrt.apply(self._floating())

    def abs(self) -> Tensor:
        """|x|, elementwise."""
        return unary.Abs.apply(self)

    def tanh(self) -> Tensor:
        """Hyperbolic tangent, elementwise."""
        return unary.Tanh.apply(self._floating())

    def sigmoid(self) -> Tensor:
        """1 / (1 + e**-x), elementwise."""
        return unary.Sigmoid.apply(self._floating())

    def relu(self) -> Tensor:
        """max(x, 0), elementwise."""
        return unary.Relu.apply(self)

    def sin(self) -> Tensor:
        """Sine, elementwise."""
        return unary.Sin.apply(self._floating())

    def cos(self) -> Tensor:
        """Cosine, elementwise."""
        return unary.Cos.apply(self._floating())

    def clip(self, min: float | None = None, max: float | None = None) -> Tensor:  # noqa: A002
        """Limit values to [min, max] (either may be None); PyTorch's ``clamp``."""
        if min is None and max is None:
            raise ValueError("clip: give at least one of min and max")
        lo, hi = _python_number(min), _python_number(max)
        x = self
        for bound in (lo, hi):
            if bound is not None:  # a float bound makes an integer tensor float32
                x = x._cast(dtypes.scalar_result(x.dtype, bound))
        return unary.Clip.apply(x, lo, hi)

    clamp = clip

    def softmax(self, dim: int = -1) -> Tensor:
        """e**x / sum(e**x) along ``dim``, shifted by the max so it cannot overflow."""
        (d,) = normalize_dims(dim, self.ndim, "softmax") or (0,)
        return softmax.Softmax.apply(self._floating(), d)

    def log_softmax(self, dim: int = -1) -> Tensor:
        """x - log(sum(e**x)) along ``dim``, computed stably."""
        (d,) = normalize_dims(dim, self.ndim, "log_softmax") or (0,)
        return softmax.LogSoftmax.apply(self._floating(), d)

    # ------------------------------------------------------------------ reductions
    def sum(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None) -> Tensor:
        """Sum over ``dim`` (all axes when None); bool and int tensors sum to int64."""
        dims = normalize_dims(pick_dim(dim, axis, "sum"), self.ndim, "sum")
        x = self if dtypes.is_floating(self.dtype) else self._cast(dtypes.int64)
        return reduce.Sum.apply(x, dims, keepdim)

    def mean(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None) -> Tensor:
        """Mean over ``dim`` (all axes when None)."""
        self._require_float("mean")
        dims = normalize_dims(pick_dim(dim, axis, "mean"), self.ndim, "mean")
        return reduce.Mean.apply(self, dims, keepdim)

    def var(
        self,
        dim: Any = None,
        unbiased: bool | None = None,
        keepdim: bool = False,
        *,
        correction: float | None = None,
        axis: Any = None,
    ) -> Tensor:
        """Variance over ``dim``: sum((x - mean)**2) / (n - correction); correction 1 by default."""
        self._require_float("var")
        if correction is None:
            correction = 1 if unbiased is None or unbiased else 0
        dims = normalize_dims(pick_dim(dim, axis, "var"), self.ndim, "var")
        return reduce.Var.apply(self, dims, correction, keepdim)

    def std(
        self,
        dim: Any = None,
        unbiased: bool | None = None,
        keepdim: bool = False,
        *,
        correction: float | None = None,
        axis: Any = None,
    ) -> Tensor:
        """Standard deviation: the square root of ``var`` with the same arguments."""
        return self.var(dim, unbiased, keepdim, correction=correction, axis=axis).sqrt()

    def prod(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None) -> Tensor:
        """Product over ``dim`` (all axes when None)."""
        dims = normalize_dims(pick_dim(dim, axis, "prod"), self.ndim, "prod")
        return reduce.Prod.apply(self, dims, keepdim)

    def max(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None) -> Any:
        """The largest value; with ``dim``, a ``(values, indices)`` pair like PyTorch's."""
        return self._extreme(pick_dim(dim, axis, "max"), keepdim, smallest=False)

    def min(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None) -> Any:
        """The smallest value; with ``dim``, a ``(values, indices)`` pair like PyTorch's."""
        return self._extreme(pick_dim(dim, axis, "min"), keepdim, smallest=True)

    def argmax(self, dim: int | None = None, keepdim: bool = False, *, axis: Any = None) -> Tensor:
        """Index of the largest value along ``dim`` (into the flattened tensor when None)."""
        return self._arg_extreme(pick_dim(dim, axis, "argmax"), keepdim, "argmax")

    def argmin(self, dim: int | None = None, keepdim: bool = False, *, axis: Any = None) -> Tensor:
        """Index of the smallest value along ``dim`` (into the flattened tensor when None)."""
        return self._arg_extreme(pick_dim(dim, axis, "argmin"), keepdim, "argmin")

    def norm(self, p: Any = "fro", dim: Any = None, keepdim: bool = False) -> Tensor:
        """The p-norm over ``dim`` (all axes when None): (sum |x|**p) ** (1/p); p may be inf."""
        self._require_float("norm")
        dims = normalize_dims(dim, self.ndim, "norm")
        if p in ("fro", 2, 2.0):
            return reduce.Norm2.apply(self, dims, keepdim)
        if p == float("inf"):
            return self.abs().amax(dims, keepdim)
        if p == 1:
            return self.abs().sum(dims, keepdim)
        return (self.abs() ** p).sum(dims, keepdim) ** (1.0 / p)

    def amax(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        """The largest value over ``dim`` (ties share the gradient)."""
        if dim is None or isinstance(dim, int):
            out = self.max(dim, keepdim)
            return out if dim is None else out.values
        x = self
        for d in sorted(normalize_dims(dim, self.ndim, "amax"), reverse=True):
            x = x.max(d, keepdim).values
        return x

    def any(self) -> Tensor:
        """Whether any element is nonzero (a bool tensor)."""
        return _tensor.Tensor._wrap(self.data.any(), self.device)

    def all(self) -> Tensor:
        """Whether every element is nonzero (a bool tensor)."""
        return _tensor.Tensor._wrap(self.data.all(), self.device)

    # ------------------------------------------------------------------ helpers
    def _extreme(self, dim: Any, keepdim: bool, smallest: bool) -> Any:
        if dim is None:
            return reduce.MaxAll.apply(self, smallest)
        if isinstance(dim, _tensor.Tensor):  # x.max(other) is PyTorch's maximum
            return binary(arithmetic.Minimum if smallest else arithmetic.Maximum, self, dim, "max")
        (d,) = normalize_dims(dim, self.ndim, "min" if smallest else "max")
        xp = self._xp
        pick = xp.argmin if smallest else xp.argmax
        index = pick(self.data, axis=d, keepdims=True)
        values = reduce.TakeAlongDim.apply(self, index, d, keepdim)
        indices = index if keepdim else index.squeeze(d)
        return MaxMin(values, _tensor.Tensor._wrap(indices.astype(dtypes.int64), self.device))

    def _arg_extreme(self, dim: Any, keepdim: bool, name: str) -> Tensor:
        d = None if dim is None else normalize_dims(dim, self.ndim, name)[0]
        index = getattr(self._xp, name)(self.data, axis=d, keepdims=keepdim and d is not None)
        return _tensor.Tensor._wrap(index.astype(dtypes.int64), self.device)

    def _cast(self, dtype: Any) -> Tensor:
        return self if self.data.dtype == dtype else unary.Cast.apply(self, dtype)

    def _floating(self) -> Tensor:
        """Self, or a float32 copy for integer and bool tensors (as PyTorch's float ops do)."""
        return self if dtypes.is_floating(self.data.dtype) else self._cast(dtypes.default_float)

    def _require_float(self, op: str) -> None:
        if not dtypes.is_floating(self.data.dtype):
            raise TypeError(
                f"{op}: expected a floating-point tensor, got dtype {self.dtype}; "
                "convert first with .float()"
            )

    @property
    def _xp(self) -> Any:
        return get_xp(self.device)


# ---------------------------------------------------------------------- argument handling
def _python_number(x: Any) -> Any:
    """A NumPy scalar as the Python number it holds (so it cannot upcast float32)."""
    if type(x).__module__ == "numpy" and getattr(x, "shape", None) == ():
        return x.item()
    return x


def as_operand(x: Any, like: Tensor) -> Any:
    """A Python number stays a number (no gradient); anything else becomes a tensor."""
    if type(x) is float or type(x) is int:
        return x
    x = _python_number(x)
    if isinstance(x, (_tensor.Tensor, bool, int, float)):
        return x
    return _tensor.Tensor(x, device=like.device)


def promote_pair(a: Tensor, b: Any) -> tuple[Any, Any]:
    """Cast ``a`` and ``b`` to their common dtype by PyTorch's rules (``dtypes.py``)."""
    if isinstance(b, _tensor.Tensor):
        if a.data.dtype != b.data.dtype:
            dtype = dtypes.promote(a.dtype, b.dtype, a.ndim == 0, b.ndim == 0)
            a, b = a._cast(dtype), b._cast(dtype)
    elif a.data.dtype.kind not in "fc":  # a number never changes a float tensor's dtype
        a = a._cast(dtypes.scalar_result(a.dtype, b))
    return a, b


def binary(
    op: Any, a: Tensor, b: Any, name: str, reverse: bool = False, true_division: bool = False
) -> Tensor:
    """Apply a two-input op to ``a`` and ``b`` (``b`` first when ``reverse``) after promotion."""
    a, b = promote_pair(a, as_operand(b, a))
    if true_division and not dtypes.is_floating(a.dtype):  # int / int is float, as in PyTorch
        a = a._cast(dtypes.default_float)
        b = b._cast(dtypes.default_float) if isinstance(b, _tensor.Tensor) else float(b)
    x, y = (b, a) if reverse else (a, b)
    try:
        return op.apply(x, y)
    except ValueError as e:
        if "broadcast" not in str(e) or name == "matmul":
            raise
        raise ValueError(
            f"{name}: cannot broadcast shapes {_shape(x)} and {_shape(y)}: "
            "sizes must match or be 1, aligned from the right"
        ) from e


def compare(a: Tensor, b: Any, name: str, fn: Any) -> Tensor:
    """An elementwise comparison: a bool tensor, outside the graph."""
    b = as_operand(b, a)
    y = b.data if isinstance(b, _tensor.Tensor) else b
    try:
        out = fn(a.data, y)
    except ValueError as e:
        raise ValueError(f"{name}: cannot broadcast shapes {a.shape} and {_shape(b)}") from e
    return _tensor.Tensor._wrap(out, a.device)


def _shape(x: Any) -> tuple:
    return tuple(getattr(x, "shape", ()))


import groundup.tensor as _tensor  # noqa: E402 - tensor.py imports this module while it loads
from groundup.backend import get_xp  # noqa: E402
from groundup.ops import arithmetic, linalg, reduce, softmax, unary  # noqa: E402
