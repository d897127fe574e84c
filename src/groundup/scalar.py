"""A scalar autograd engine for teaching: ``Value``, and ``Neuron`` / ``Layer`` / ``MLP`` on it.

Every ``Value`` holds one float, the gradient of the final output with respect to it, and a
closure ``_backward`` that, given ``out.grad``, adds each input's share by the chain rule:
``input.grad += d(out)/d(input) * out.grad``. ``backward()`` visits the graph in reverse
topological order (every node after all the nodes that use it) so that a node's gradient is
complete before it is passed on. The sort is iterative: deep graphs do not hit Python's
recursion limit. The same ideas, on arrays instead of numbers, run ``groundup.Tensor``.

Examples
--------
>>> a, b = Value(2.0), Value(-3.0)
>>> c = a * b + a.exp()          # c = ab + e^a
>>> c.backward()
>>> round(c.data, 4), round(a.grad, 4), b.grad   # dc/da = b + e^a, dc/db = a
(1.3891, 4.3891, 2.0)
"""

from __future__ import annotations

import math
import numbers
import random
from collections.abc import Callable, Iterable, Sequence

from groundup._scalar_graph import draw_graph

__all__ = ["Value", "Neuron", "Layer", "MLP", "draw_graph"]

Number = int | float


class Value:
    """A scalar in a computation graph: ``data``, ``grad`` (d output / d self) and its inputs.

    Parameters
    ----------
    data : float
        The number.
    label : str, optional
        A name shown by :func:`draw_graph`.

    Examples
    --------
    >>> x = Value(0.5, label="x")
    >>> y = (2 * x - 1) ** 2 + x.tanh()     # y = (2x - 1)^2 + tanh(x)
    >>> y.backward()
    >>> round(x.grad, 4)                    # 4(2x - 1) + 1 - tanh(x)^2
    0.7864
    """

    __slots__ = ("data", "grad", "label", "_prev", "_op", "_backward")

    def __init__(self, data: Number, label: str = "", *, _prev: tuple = (), _op: str = "") -> None:
        if not isinstance(data, numbers.Real):  # int, float, NumPy's floats
            raise TypeError(f"Value: expected a real number, got {type(data).__name__}")
        self.data = float(data)
        self.grad = 0.0
        self.label = label
        self._prev = _prev  # the Values this one was computed from
        self._op = _op  # the operation that made it ("+", "*", "tanh", ...)
        self._backward: Callable[[], None] = _no_inputs

    def __repr__(self) -> str:
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g})"

    # ---------------------------------------------------------------- arithmetic
    def __add__(self, other: Value | Number) -> Value:
        """out = a + b;  da = g;  db = g."""
        other = _as_value(other)
        out = Value(self.data + other.data, _prev=(self, other), _op="+")

        def _backward() -> None:
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __mul__(self, other: Value | Number) -> Value:
        """out = a * b;  da = g * b;  db = g * a."""
        other = _as_value(other)
        out = Value(self.data * other.data, _prev=(self, other), _op="*")

        def _backward() -> None:
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def __pow__(self, k: Number) -> Value:
        """out = a ** k (k a constant number);  da = g * k * a ** (k - 1)."""
        if not isinstance(k, (int, float)) or isinstance(k, bool):
            raise TypeError(f"Value.__pow__: the exponent must be an int or float, got {k!r}")
        if self.data < 0 and not float(k).is_integer():
            raise ValueError(f"Value.__pow__: {self.data} ** {k} is not a real number")
        out = Value(self.data**k, _prev=(self,), _op=f"**{k:g}")

        def _backward() -> None:
            self.grad += k * self.data ** (k - 1) * out.grad

        out._backward = _backward
        return out

    # The rest of the arithmetic is built from + , * and ** (no new gradients to write).
    def __neg__(self) -> Value:
        return self * -1

    def __sub__(self, other: Value | Number) -> Value:
        return self + (-_as_value(other))

    def __truediv__(self, other: Value | Number) -> Value:
        return self * _as_value(other) ** -1

    def __radd__(self, other: Number) -> Value:
        return self + other

    def __rmul__(self, other: Number) -> Value:
        return self * other

    def __rsub__(self, other: Number) -> Value:
        return _as_value(other) - self

    def __rtruediv__(self, other: Number) -> Value:
        return _as_value(other) / self

    # ---------------------------------------------------------------- functions
    def exp(self) -> Value:
        """out = e^a;  da = g * out."""
        return self._unary(math.exp(self.data), "exp", lambda out: out)

    def log(self) -> Value:
        """out = ln a (a > 0);  da = g / a."""
        if self.data <= 0:
            raise ValueError(f"Value.log: expected a positive number, got {self.data}")
        return self._unary(math.log(self.data), "log", lambda out: 1.0 / self.data)

    def tanh(self) -> Value:
        """out = tanh a;  da = g * (1 - out^2)."""
        return self._unary(math.tanh(self.data), "tanh", lambda out: 1.0 - out * out)

    def relu(self) -> Value:
        """out = max(a, 0);  da = g * [a > 0]."""
        return self._unary(max(self.data, 0.0), "relu", lambda out: float(out > 0))

    def sigmoid(self) -> Value:
        """out = 1 / (1 + e^-a);  da = g * out * (1 - out)."""
        return self._unary(_sigmoid(self.data), "sigmoid", lambda out: out * (1.0 - out))

    def _unary(self, result: float, op: str, local_grad: Callable[[float], float]) -> Value:
        """A one-input node whose derivative ``local_grad(out.data)`` is known at forward time."""
        out = Value(result, _prev=(self,), _op=op)
        d = local_grad(result)

        def _backward() -> None:
            self.grad += d * out.grad

        out._backward = _backward
        return out

    # ---------------------------------------------------------------- reverse mode
    def backward(self) -> None:
        """Fill ``.grad`` of every Value this one depends on with d self / d that Value.

        Gradients accumulate (``+=``), as in PyTorch: zero them before a second call.
        """
        self.grad = 1.0  # d self / d self
        for node in reversed(topological_order(self)):
            node._backward()


def topological_order(root: Value) -> list[Value]:
    """Every Value ``root`` depends on, inputs before the nodes computed from them.

    Depth-first with an explicit stack: a node is appended once all its inputs are.

    Examples
    --------
    >>> a = Value(1.0, label="a"); b = a * a; c = b + a
    >>> [v.label or v._op for v in topological_order(c)]
    ['a', '*', '+']
    """
    order: list[Value] = []
    visited: set[int] = set()
    stack: list[tuple[Value, bool]] = [(root, False)]
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:
            order.append(node)
        elif id(node) not in visited:
            visited.add(id(node))
            stack.append((node, True))  # revisited once its inputs are in the order
            stack.extend((child, False) for child in node._prev if id(child) not in visited)
    return order


def _no_inputs() -> None:
    """The backward of a leaf: nothing to pass on."""


def _as_value(x: Value | Number) -> Value:
    return x if isinstance(x, Value) else Value(x)


def _sigmoid(x: float) -> float:
    """1 / (1 + e^-x) without overflow for large |x|."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


# -------------------------------------------------------------------- networks
_ACTIVATIONS = {
    "relu": Value.relu,
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    None: lambda v: v,
}


class Module:
    """What ``Neuron``, ``Layer`` and ``MLP`` share: their parameters and ``zero_grad``."""

    def parameters(self) -> list[Value]:
        return []

    def zero_grad(self) -> None:
        """Set every parameter's gradient to 0 (gradients accumulate across ``backward``)."""
        for p in self.parameters():
            p.grad = 0.0


class Neuron(Module):
    """out = activation(w . x + b), with w and b drawn from U(-1/sqrt(nin), 1/sqrt(nin)).

    Parameters
    ----------
    nin : int
        Number of inputs.
    activation : {"relu", "tanh", "sigmoid", None}, default "relu"
    rng : random.Random, optional
        Source of the initial weights; default a ``random.Random(0)``.

    Examples
    --------
    >>> n = Neuron(3, rng=random.Random(0))
    >>> len(n.parameters()), n([1.0, 2.0, 3.0]).data >= 0
    (4, True)
    """

    def __init__(self, nin: int, activation: str | None = "relu", rng: random.Random | None = None):
        if activation not in _ACTIVATIONS:
            raise ValueError(
                f"Neuron: activation must be one of {sorted(map(str, _ACTIVATIONS))}, "
                f"got {activation!r}"
            )
        rng = rng or random.Random(0)
        k = 1.0 / math.sqrt(nin)  # PyTorch's nn.Linear default
        self.w = [Value(rng.uniform(-k, k)) for _ in range(nin)]
        self.b = Value(rng.uniform(-k, k))
        self.activation = activation

    def __call__(self, x: Sequence[Value | Number]) -> Value:
        if len(x) != len(self.w):
            raise ValueError(
                f"Neuron(nin={len(self.w)}): expected {len(self.w)} inputs, got {len(x)}"
            )
        total = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return _ACTIVATIONS[self.activation](total)

    def parameters(self) -> list[Value]:
        return [*self.w, self.b]

    def __repr__(self) -> str:
        return f"Neuron(nin={len(self.w)}, activation={self.activation!r})"


class Layer(Module):
    """``nout`` neurons that all read the same ``nin`` inputs.

    Examples
    --------
    >>> layer = Layer(2, 3, rng=random.Random(0))
    >>> len(layer([1.0, -1.0])), len(layer.parameters())
    (3, 9)
    """

    def __init__(self, nin: int, nout: int, activation: str | None = "relu",
                 rng: random.Random | None = None):  # fmt: skip
        rng = rng or random.Random(0)
        self.neurons = [Neuron(nin, activation, rng) for _ in range(nout)]

    def __call__(self, x: Sequence[Value | Number]) -> list[Value]:
        return [n(x) for n in self.neurons]

    def parameters(self) -> list[Value]:
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self) -> str:
        return f"Layer of [{', '.join(map(repr, self.neurons))}]"


class MLP(Module):
    """Layers of sizes ``nouts``; ``activation`` after each but the last (which is linear).

    Parameters
    ----------
    nin : int
        Number of inputs.
    nouts : sequence of int
        Width of each layer, the last one being the number of outputs.
    activation : {"relu", "tanh", "sigmoid"}, default "relu"
    seed : int, default 0
        Seeds the initial weights.

    Examples
    --------
    >>> net = MLP(2, [4, 1], seed=0)    # 2 -> 4 (ReLU) -> 1: 3 * 4 + 5 = 17 parameters
    >>> out = net([0.5, -1.0])          # one output: a Value, not a list
    >>> out.backward()
    >>> len(net.parameters()), net.layers[-1].neurons[0].b.grad   # d out / d last bias = 1
    (17, 1.0)
    """

    def __init__(self, nin: int, nouts: Sequence[int], activation: str = "relu", seed: int = 0):
        rng = random.Random(seed)
        sizes = [nin, *nouts]
        last = len(nouts) - 1
        self.layers = [
            Layer(sizes[i], sizes[i + 1], activation if i < last else None, rng)
            for i in range(len(nouts))
        ]

    def __call__(self, x: Iterable[Value | Number]) -> Value | list[Value]:
        x = list(x)
        for layer in self.layers:
            x = layer(x)
        return x[0] if len(x) == 1 else x

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self) -> str:
        return f"MLP of [{', '.join(map(repr, self.layers))}]"
