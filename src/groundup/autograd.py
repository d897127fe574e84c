"""Reverse-mode automatic differentiation: the ``Function`` node, grad mode and the backward walk.

A forward op builds one ``Function`` node per call. The node keeps the input tensors
(``parents``) and whatever arrays its backward reads (``save_for_backward``). ``backward``
walks the nodes from the output in reverse topological order (iteratively, so a chain of
any length works), hands each node the gradient of its output and accumulates what it
returns into its inputs. Unless ``retain_graph=True``, each node drops its saved arrays
and parents as soon as it has run, so a training loop's memory stays flat.
"""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from groundup.backend import get_xp

if TYPE_CHECKING:
    from groundup.tensor import Tensor

__all__ = ["Function", "no_grad", "enable_grad", "is_grad_enabled", "backward"]

F = TypeVar("F", bound=Callable[..., Any])

# ----------------------------------------------------------------------------- grad mode
_mode = threading.local()


def is_grad_enabled() -> bool:
    """Whether ops record a graph in this thread (``True`` unless inside ``no_grad``)."""
    return getattr(_mode, "enabled", True)


class _GradMode:
    """Context manager and decorator (``@no_grad()`` or bare ``@no_grad``) setting grad mode."""

    enabled: bool

    def __new__(cls, fn: Callable | None = None) -> Any:
        self = super().__new__(cls)
        return self if fn is None else self(fn)

    def __enter__(self) -> None:
        self._previous = is_grad_enabled()
        _mode.enabled = self.enabled

    def __exit__(self, *exc: object) -> None:
        _mode.enabled = self._previous

    def __call__(self, fn: F) -> F:
        mode = type(self)
        if inspect.isgeneratorfunction(fn):

            @functools.wraps(fn)
            def generator(*args: Any, **kwargs: Any) -> Any:
                gen = fn(*args, **kwargs)
                sent = None
                while True:  # the mode holds while the generator body runs, not between yields
                    try:
                        with mode():
                            item = gen.send(sent)
                    except StopIteration as stop:
                        return stop.value
                    sent = yield item

            return generator  # type: ignore[return-value]

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with mode():
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class no_grad(_GradMode):  # noqa: N801 - PyTorch's name
    """Turn off graph recording, as a context manager or a decorator.

    Examples
    --------
    >>> import groundup as gu
    >>> x = gu.ones(2, requires_grad=True)
    >>> with gu.no_grad():
    ...     y = x * 2
    >>> y.requires_grad
    False
    """

    enabled = False


class enable_grad(_GradMode):  # noqa: N801 - PyTorch's name
    """Turn graph recording back on inside a ``no_grad`` block (context manager or decorator)."""

    enabled = True


# ----------------------------------------------------------------------------- Function
class Function:
    """One differentiable op: ``forward`` and ``backward`` side by side, on raw arrays.

    Subclasses write two static methods. ``forward(ctx, *args, **kwargs)`` receives arrays
    (the ``.data`` of tensor arguments; other arguments as given) and returns the output
    array. ``backward(ctx, g)`` receives the gradient of the output and returns one
    gradient per positional argument (``None`` where there is none), or a single array when
    the op has one argument. ``ctx`` is the node itself: ``ctx.save_for_backward(...)``,
    ``ctx.saved_tensors``, ``ctx.needs_input_grad``, ``ctx.xp`` (the array module) and any
    attribute the forward sets.

    Examples
    --------
    >>> class Square(Function):
    ...     '''out = x**2;  dx = 2 x g.'''
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         ctx.save_for_backward(x)
    ...         return x * x
    ...     @staticmethod
    ...     def backward(ctx, g):
    ...         (x,) = ctx.saved_tensors
    ...         return 2.0 * x * g
    >>> import groundup as gu
    >>> x = gu.tensor([3.0], requires_grad=True)
    >>> Square.apply(x).backward(gu.ones(1)); x.grad.tolist()
    [6.0]
    """

    # Set by subclasses whose output is a view of their first input (reshape, transpose,
    # basic indexing): the output then shares the input's version counter, like PyTorch.
    is_view = False
    released = False
    saved_tensors: tuple = ()
    saved_mask = 0  # bit 0: the output's array was saved; bit i + 1: input i's was

    # A recorded node keeps ``inputs`` (the arguments of ``apply``), ``grad_mask`` (bit i set
    # when input i needs a gradient) and, for the tensors whose arrays it saved, ``saved_mask``
    # and the sum of their versions. Ints rather than lists on purpose: a node then adds few
    # objects for Python's cyclic garbage collector to scan, which matters for long graphs.

    def save_for_backward(self, *arrays: Any) -> None:
        """Keep ``arrays`` for ``backward``; in-place changes to them are detected."""
        self.saved_tensors = arrays

    @property
    def needs_input_grad(self) -> tuple[bool, ...]:
        """For each argument of ``apply``, whether ``backward`` must return its gradient."""
        key = (self.grad_mask, len(self.inputs))
        needs = _NEEDS.get(key)
        if needs is None:
            needs = _NEEDS[key] = tuple(bool(key[0] >> i & 1) for i in range(key[1]))
        return needs

    @staticmethod
    def forward(ctx: Any, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        raise NotImplementedError

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Tensor:
        """Run ``forward`` on the arrays of ``args`` and record the node when a graph is needed."""
        Tensor = _tensor.Tensor  # noqa: N806
        ctx = cls.__new__(cls)
        arrays = []
        device = None
        grad_mask = 0
        bit = 1
        for a in args:
            if isinstance(a, Tensor):
                arrays.append(a.data)
                if a._requires_grad:
                    grad_mask |= bit
                if device is None:
                    device = a.device
                elif a.device != device:
                    raise RuntimeError(
                        f"{cls.__name__}: expected all tensors on one device, "
                        f"got {device} and {a.device}; move them with .to(device)"
                    )
            else:
                arrays.append(a)
            bit <<= 1
        device = device or "cpu"
        ctx.xp = _XP.get(device) or get_xp(device)
        if grad_mask and not is_grad_enabled():
            grad_mask = 0
        ctx.inputs, ctx.grad_mask = args, grad_mask  # so forward can read needs_input_grad
        result = Tensor._wrap(cls.forward(ctx, *arrays, **kwargs), device)

        if grad_mask and result.data.dtype.kind in "fc":
            result._requires_grad = True
            result._ctx = ctx
            if ctx.saved_tensors:
                _note_saved_versions(ctx, args, result)
        if cls.is_view:
            base = args[0]
            result._base = base if base._base is None else base._base
        return result

    @property
    def name(self) -> str:
        """The op's name, as error messages show it."""
        return type(self).__name__


_OUTPUT_BIT = 1
_NEEDS: dict[tuple[int, int], tuple[bool, ...]] = {}
_XP = {"cpu": get_xp("cpu")}


def _saved_tensors_of(ctx: Function, output: Tensor) -> list[Tensor]:
    mask = ctx.saved_mask
    saved = [t for i, t in enumerate(ctx.inputs) if mask >> (i + 1) & 1]
    return saved + [output] if mask & _OUTPUT_BIT else saved


def _note_saved_versions(ctx: Function, inputs: tuple, output: Tensor) -> None:
    """Remember which tensors' arrays the node saved and the sum of their versions.

    Versions only grow, so any in-place change to one of them changes the sum.
    """
    mask = 0
    for array in ctx.saved_tensors:
        if array is None:
            continue
        if array is output.data:
            mask |= _OUTPUT_BIT
            continue
        for i, t in enumerate(inputs):
            if array is getattr(t, "data", None):
                mask |= 2 << i
                break
    ctx.saved_mask = mask
    ctx.saved_version = sum(t.version for t in _saved_tensors_of(ctx, output))


# ----------------------------------------------------------------------------- backward walk
def _topological_order(root: Tensor) -> list[Tensor]:
    """Tensors with a node, each after every tensor computed from it (iterative DFS).

    A tensor is marked when it is expanded, not when it is pushed: a tensor reached
    again through a longer path (``y + f(y)``) must still come after ``f(y)``.
    """
    order: list[Tensor] = []
    seen: set[int] = set()
    stack: list[tuple[Tensor, bool]] = [(root, False)]
    while stack:
        t, finished = stack.pop()
        if finished:
            order.append(t)
            continue
        if id(t) in seen:  # already expanded through another path
            continue
        seen.add(id(t))
        stack.append((t, True))
        ctx = t._ctx
        if ctx.released:
            continue
        mask = ctx.grad_mask
        for i, p in enumerate(ctx.inputs):
            if mask >> i & 1 and p._ctx is not None and id(p) not in seen:
                stack.append((p, False))
    order.reverse()
    return order


def _check_versions(ctx: Function, output: Tensor) -> None:
    now = [t.version for t in _saved_tensors_of(ctx, output)]
    if sum(now) != ctx.saved_version:
        raise RuntimeError(
            f"{ctx.name}.backward: a tensor it saved for the gradient was modified by an in-place "
            f"operation (versions now {now}, {ctx.saved_version} in all when saved); "
            "clone it before changing it, or change it out of place"
        )


def _release(ctx: Function) -> None:
    """Drop what a node holds so its arrays can be freed; a second backward then fails clearly."""
    ctx.__dict__.clear()
    ctx.released = True


def backward(root: Tensor, grad: Any, retain_graph: bool = False) -> None:
    """Accumulate d(root)/d(leaf) * grad into ``.grad`` of every leaf that requires grad."""
    pending: dict[int, list] = {id(root): [grad, False]}  # id -> [gradient, owned by us]
    handed: set[int] = {id(grad)}  # arrays already stored somewhere: never alias them
    for t in _topological_order(root):
        entry = pending.pop(id(t), None)
        if entry is None:
            continue
        g = entry[0]
        ctx = t._ctx
        if ctx.released:
            raise RuntimeError(
                f"backward: the graph through {ctx.name} was already freed by an earlier "
                "backward; pass retain_graph=True to the first backward() to keep it"
            )
        if ctx.saved_mask:
            _check_versions(ctx, t)
        if t._retains_grad:
            _accumulate_leaf(t, g, handed)
        grads = ctx.backward(ctx, g)
        if type(grads) is not tuple:
            grads = (grads,)
        mask = ctx.grad_mask
        for i, parent in enumerate(ctx.inputs):
            if mask >> i & 1:
                pg = grads[i]
                if pg is None:
                    pass
                elif parent._ctx is None:
                    _accumulate_leaf(parent, pg, handed)
                else:
                    slot = pending.get(id(parent))
                    if slot is None:
                        pending[id(parent)] = [pg, False]
                    elif slot[1]:
                        slot[0] += pg
                    else:
                        slot[0] = slot[0] + pg
                        slot[1] = True
        if not retain_graph:
            _release(ctx)


def _accumulate_leaf(t: Tensor, g: Any, handed: set[int]) -> None:
    """Add ``g`` into ``t.grad``, never letting two places share one gradient array.

    ``handed`` holds the ids of arrays stored in this backward pass (and the seed gradient):
    such an array may still be on its way to another node, so it is copied before it is
    stored a second time and never added to in place. A view is copied too.
    """
    if g.shape != t.shape:  # a backward bug would otherwise broadcast silently
        raise RuntimeError(f"backward: gradient of shape {g.shape} for a tensor of shape {t.shape}")
    if t.grad is None:
        if id(g) in handed or g.base is not None:
            g = g.copy()
        handed.add(id(g))
        t.grad = _tensor.Tensor._wrap(g, t.device)
    elif id(t.grad.data) in handed:
        t.grad.data = t.grad.data + g
        handed.add(id(t.grad.data))
    else:
        t.grad.data += g


import groundup.tensor as _tensor  # noqa: E402 - tensor.py imports this module while it loads
