"""The ``Tensor``: an n-dimensional array that records the ops applied to it.

A tensor holds its array in ``.data`` (a NumPy array, or a CuPy array on ``"cuda"``). When
``requires_grad`` is set, every op on it appends a node (``ops/``) to a graph, and
``backward()`` walks that graph back (``autograd.py``), leaving d(output)/d(tensor) in ``.grad``.
Its math and shape methods (mixins in ``_tensor_math.py`` and ``_tensor_shape.py``) only
turn their arguments into arrays and pick the op.
"""

from __future__ import annotations

from typing import Any

from groundup import dtypes
from groundup._tensor_math import TensorMath
from groundup._tensor_shape import TensorShape
from groundup.backend import ARRAY_TYPES, get_xp, normalize_device, to_device


class Tensor(TensorMath, TensorShape):
    """An n-dimensional array with reverse-mode automatic differentiation.

    Parameters
    ----------
    data : array_like
        Numbers, nested lists, a NumPy array or another tensor (copied).
    dtype : dtype, optional
        Default: float32 for Python floats, int64 for ints, the array's own for NumPy arrays.
    device : {"cpu", "cuda"}, default "cpu"
    requires_grad : bool, default False
        Record ops on this tensor so ``backward`` can fill ``.grad``.

    Examples
    --------
    >>> import groundup as gu
    >>> x = gu.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> (x * x).sum().backward()
    >>> x.grad
    tensor([2., 4., 6.])
    """

    __slots__ = (
        "data",
        "grad",
        "device",
        "_requires_grad",
        "_ctx",
        "_retains_grad",
        "_version",
        "_base",
    )
    __array_priority__ = 1000
    __array_ufunc__ = None  # so ndarray + Tensor calls Tensor.__radd__, keeping the graph

    def __init__(self, data: Any, dtype: Any = None, device: Any = "cpu", requires_grad=False):
        from groundup.creation import to_array

        device = normalize_device(device)
        self._set(to_array(data, dtypes.as_dtype(dtype), device), device)
        self.requires_grad = requires_grad

    def _set(self, array: Any, device: str) -> None:
        """Fill every slot: ``array`` as the data, no gradient, no graph, version 0."""
        self.data = array if type(array) in ARRAY_TYPES else get_xp(device).asarray(array)
        self.device = device
        self.grad: Tensor | None = None
        self._requires_grad = False
        self._ctx = None
        self._version = 0
        self._base = None
        self._retains_grad = False

    @classmethod
    def _wrap(cls, array: Any, device: str = "cpu") -> Tensor:
        """A tensor around ``array`` without copying or checking it (for the ops)."""
        t = object.__new__(cls)
        t._set(array, device)
        return t

    # ------------------------------------------------------------------ attributes
    @property
    def requires_grad(self) -> bool:
        """Whether ops on this tensor are recorded for ``backward``."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        if flag and not dtypes.is_floating(self.data.dtype):
            raise RuntimeError(
                f"requires_grad: only floating-point tensors can require gradients, "
                f"got dtype {self.data.dtype}; convert first with .float()"
            )
        if not flag and self._ctx is not None:
            raise RuntimeError(
                "requires_grad: cannot turn off requires_grad on a tensor computed by an op; "
                "use .detach()"
            )
        self._requires_grad = bool(flag)

    shape = property(lambda self: self.data.shape, doc="The size of each dimension.")
    ndim = property(lambda self: self.data.ndim, doc="The number of dimensions.")
    dtype = property(lambda self: self.data.dtype, doc="The element type (a NumPy dtype).")
    is_leaf = property(lambda self: self._ctx is None, doc="True unless an op made it.")
    grad_fn = property(lambda self: self._ctx, doc="The node that computed it, or None.")
    T = property(lambda self: self.permute(*reversed(range(self.ndim))), doc="Axes reversed.")

    @property
    def version(self) -> int:
        """How many in-place changes this tensor's memory has seen (shared with its views)."""
        root = self
        while root._base is not None:
            root = root._base
        return root._version

    def _bump_version(self) -> None:
        root = self
        while root._base is not None:
            root = root._base
        root._version += 1

    def _version_root(self) -> Tensor:
        """The tensor whose counter this one shares; never one holding a graph.

        A detached tensor must not keep the graph alive, so when the root was computed by
        an op, its counter moves to a bare holder that both then point to.
        """
        root = self
        while root._base is not None:
            root = root._base
        if root._ctx is not None:
            holder = Tensor._wrap(root.data, root.device)
            holder._version = root._version
            root._base = holder
            root = holder
        return root

    def size(self, dim: int | None = None) -> Any:
        """The shape, or the size of dimension ``dim``."""
        return self.data.shape if dim is None else self.data.shape[dim]

    def numel(self) -> int:
        """The number of elements."""
        return self.data.size

    def dim(self) -> int:
        """The number of dimensions."""
        return self.data.ndim

    # ------------------------------------------------------------------ autograd
    def backward(self, grad: Any = None, retain_graph: bool = False) -> None:
        """Accumulate d(self)/d(leaf) (times ``grad``) into ``.grad`` of every leaf.

        ``grad`` may be left out only for a single-element tensor. The graph is freed
        afterwards unless ``retain_graph=True``.
        """
        if not self._requires_grad:
            raise RuntimeError(
                "backward: this tensor does not require grad and has no graph; "
                "set requires_grad=True on the inputs you need gradients for"
            )
        if grad is None:
            if self.data.size != 1:
                raise RuntimeError(
                    f"backward: grad can be left out only for a single-element output, "
                    f"got shape {self.shape}; pass backward(grad) with a tensor of that shape"
                )
            g = get_xp(self.device).ones(self.shape, dtype=self.dtype)
        else:
            g = grad.data if isinstance(grad, Tensor) else get_xp(self.device).asarray(grad)
            if g.shape != self.shape:
                raise RuntimeError(
                    f"backward: grad has shape {g.shape}, but the output has shape {self.shape}"
                )
            g = g.astype(self.dtype, copy=False)
        if self._ctx is None:  # a leaf: its own gradient
            autograd._accumulate_leaf(self, g, {id(g)})
            return
        autograd.backward(self, g, retain_graph)

    def detach(self) -> Tensor:
        """The same data (no copy) cut off from the graph."""
        t = Tensor._wrap(self.data, self.device)
        t._base = self._version_root()  # shares the version counter, not the graph
        return t

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set ``requires_grad`` in place and return self."""
        self.requires_grad = requires_grad
        return self

    def retain_grad(self) -> None:
        """Keep ``.grad`` on this non-leaf tensor too after ``backward``."""
        if self._ctx is not None:
            self._retains_grad = True

    # ------------------------------------------------------------------ conversion
    def numpy(self) -> Any:
        """The data as a NumPy array (shared, not copied, on the CPU)."""
        return to_device(self.data, "cpu")

    def item(self) -> Any:
        """The value of a one-element tensor as a Python number."""
        if self.data.size != 1:
            raise ValueError(f"item: only one-element tensors convert, got shape {self.shape}")
        return self.data.item()

    def tolist(self) -> Any:
        """The data as (nested) Python lists."""
        return self.data.tolist()

    def to(self, *args: Any, dtype: Any = None, device: Any = None) -> Tensor:
        """A tensor on another device and/or of another dtype (self when nothing changes)."""
        for a in args:
            if isinstance(a, str) and a.split(":")[0] in ("cpu", "cuda", "gpu"):
                device = a
            else:
                dtype = a
        out = self
        if device is not None and normalize_device(device) != self.device:
            out = Tensor._wrap(to_device(self.data, normalize_device(device)), device)
            out.requires_grad = self.requires_grad
        dtype = dtypes.as_dtype(dtype)
        if dtype is not None and dtype != out.dtype:
            out = unary.Cast.apply(out, dtype)
        return out

    def float(self) -> Tensor:
        """As float32."""
        return self.to(dtypes.float32)

    def double(self) -> Tensor:
        """As float64."""
        return self.to(dtypes.float64)

    def long(self) -> Tensor:
        """As int64."""
        return self.to(dtypes.int64)

    def bool(self) -> Tensor:
        """As bool."""
        return self.to(dtypes.bool_)

    def cpu(self) -> Tensor:
        """On the CPU."""
        return self.to("cpu")

    def __array__(self, dtype: Any = None, copy: Any = None) -> Any:
        array = to_device(self.data, "cpu")
        return array if dtype is None else array.astype(dtype)

    def __repr__(self) -> str:
        from groundup.creation import format_tensor

        return format_tensor(self)

    def __len__(self) -> int:
        if not self.data.ndim:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __bool__(self) -> bool:
        if self.data.size != 1:
            raise RuntimeError(
                f"the truth value of a tensor of shape {self.shape} is ambiguous; "
                "use .any() or .all()"
            )
        return bool(self.data.item())

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self.data.dtype.kind not in "iu" or self.data.size != 1:
            raise TypeError("only one-element integer tensors can be used as an index")
        return int(self.data.item())

    __hash__ = object.__hash__  # identity, so tensors can key dicts (optimizer state)


from groundup import autograd  # noqa: E402 - autograd reads Tensor from this module
from groundup.ops import unary  # noqa: E402
