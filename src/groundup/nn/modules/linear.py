"""Fully connected layers: ``Linear``, Keras-style lazy ``Dense``, ``Flatten`` and ``Identity``."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from groundup import dtypes
from groundup.creation import empty
from groundup.nn import functional as F
from groundup.nn import init
from groundup.nn.module import Module
from groundup.nn.parameter import Parameter
from groundup.tensor import Tensor

__all__ = ["Identity", "Linear", "Dense", "Flatten", "unbuilt_layers"]


class Identity(Module):
    """Returns its input unchanged (any constructor arguments are ignored).

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup import nn
    >>> nn.Identity()(gu.ones(2)).tolist()
    [1.0, 1.0]
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Any) -> Any:  # noqa: A002
        return input


def _check_features(name: str, value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{name} must be a non-negative int, got {value!r}")
    return value


def _input_error(layer: str, in_features: int, shape: tuple) -> ValueError:
    hint = ""
    if len(shape) > 2 and math.prod(shape[1:]) == in_features:
        hint = "; add nn.Flatten()?"
    return ValueError(
        f"{layer}(in_features={in_features}): expected input (*, {in_features}), got {shape}{hint}"
    )


def _reset_linear(weight: Tensor, bias: Tensor | None) -> None:
    """PyTorch's default: W ~ kaiming_uniform_(a=sqrt 5) = U(-1/sqrt(in), 1/sqrt(in)), b alike."""
    init.kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        fan_in, _ = init._calculate_fan_in_and_fan_out(weight)
        bound = 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0
        init.uniform_(bias, -bound, bound)


class Linear(Module):
    """y = x @ weight.T + bias.   Shape: (*, in_features) -> (*, out_features).

    Parameters
    ----------
    in_features, out_features : int
    bias : bool, default True
    device, dtype : optional
        Where and of which dtype the parameters are made (default CPU float32).

    Attributes
    ----------
    weight : Parameter of shape (out_features, in_features)
        Initialised from U(-k, k), k = 1/sqrt(in_features) (PyTorch's default).
    bias : Parameter of shape (out_features,) or None
        Also U(-k, k).

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup import nn
    >>> _ = gu.manual_seed(0)
    >>> fc = nn.Linear(784, 10)
    >>> fc(gu.ones(32, 784)).shape
    (32, 10)
    >>> fc
    Linear(in_features=784, out_features=10, bias=True)
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        self.in_features = _check_features("Linear: in_features", in_features)
        self.out_features = _check_features("Linear: out_features", out_features)
        kw = {"dtype": dtype, "device": device or "cpu"}
        self.weight = Parameter(empty(out_features, in_features, **kw))
        if bias:
            self.bias = Parameter(empty(out_features, **kw))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw PyTorch's default initialisation from the seeded generator."""
        _reset_linear(self.weight, self.bias)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        if input.shape[-1:] != (self.in_features,):
            raise _input_error("Linear", self.in_features, input.shape)
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )


_ACTIVATIONS: dict[str, Callable[[Tensor], Tensor] | None] = {
    "linear": None,
    "relu": F.relu,
    "sigmoid": F.sigmoid,
    "tanh": F.tanh,
    "softmax": lambda x: F.softmax(x, dim=-1),
    "log_softmax": lambda x: F.log_softmax(x, dim=-1),
    "gelu": F.gelu,
    "leaky_relu": lambda x: F.leaky_relu(x, 0.2),  # Keras' default slope, not PyTorch's 0.01
    "elu": F.elu,
    "silu": F.silu,
    "swish": F.silu,
}


class Dense(Module):
    """Keras-style fully connected layer: y = activation(x @ weight.T + bias).

    A ``Linear`` (same names, layout and initialisation) that learns ``in_features`` from
    the last dimension of its first input, unless ``input_dim`` is given. Until then it has
    no parameters: build it (``input_dim=``, one call, or ``build(in_features)``) before
    making an optimizer from it.

    Parameters
    ----------
    units : int
        Output size (``out_features``).
    activation : str, callable or None
        "relu", "sigmoid", "tanh", "softmax" (last dim), "log_softmax", "gelu" (exact),
        "leaky_relu" (slope 0.2, as Keras), "elu", "silu"/"swish", "linear" or None (none),
        or any callable on a tensor.
    input_dim : int, optional
        Build at once for this input size.
    use_bias : bool, default True
    dtype : optional
        Parameter dtype, float32 by default (inputs must match it, as for ``Linear``).

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup import nn
    >>> layer = nn.Dense(10, activation="relu")
    >>> len(list(layer.parameters()))
    0
    >>> layer(gu.ones(32, 784)).shape
    (32, 10)
    >>> layer.weight.shape
    (10, 784)
    """

    def __init__(
        self,
        units: int,
        activation: str | Callable | None = None,
        input_dim: int | None = None,
        use_bias: bool = True,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        self.units = self.out_features = _check_features("Dense: units", units)
        self.in_features: int | None = None
        self.use_bias = use_bias
        self.dtype = dtypes.as_dtype(dtype)
        if activation is None or callable(activation):
            self.activation, act = activation, activation
        elif isinstance(activation, str) and activation.lower() in _ACTIVATIONS:
            self.activation, act = activation.lower(), _ACTIVATIONS[activation.lower()]
        else:
            raise ValueError(
                f"Dense: unknown activation {activation!r}; "
                f"expected one of {sorted(_ACTIVATIONS)}, None or a callable"
            )
        self.__dict__["_act"] = act  # not registered: a module activation shows as `activation`
        if input_dim is not None:
            self.build(input_dim)

    @property
    def built(self) -> bool:
        """Whether the weights exist (``in_features`` is known)."""
        return self.in_features is not None

    def build(self, input_shape: int | tuple, device: Any = "cpu") -> None:
        """Make ``weight`` (units, in) and ``bias`` (units,) for inputs ``(*, in)``."""
        in_features = input_shape if isinstance(input_shape, int) else input_shape[-1]
        self.in_features = _check_features("Dense: input_dim", in_features)
        kw = {"dtype": self.dtype or dtypes.float32, "device": device}
        self.weight = Parameter(empty(self.units, self.in_features, **kw))
        if self.use_bias:
            self.bias = Parameter(empty(self.units, **kw))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw PyTorch's ``Linear`` initialisation from the seeded generator."""
        if not self.built:
            raise RuntimeError(self._unbuilt_message("reset_parameters"))
        _reset_linear(self.weight, self.bias)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        if self.in_features is None:
            self.build(input.shape[-1], input.device)
        elif input.shape[-1:] != (self.in_features,):
            raise _input_error("Dense", self.in_features, input.shape)
        y = F.linear(input, self.weight, self.bias)
        return y if self._act is None else self._act(y)

    def __getattr__(self, name: str) -> Any:
        if name in ("weight", "bias") and self.__dict__.get("in_features", 0) is None:
            raise AttributeError(self._unbuilt_message(name))
        return super().__getattr__(name)

    def _unbuilt_message(self, what: str) -> str:
        return (
            f"Dense(units={self.units}).{what}: the layer is not built yet, so it has no "
            "weights; pass input_dim=... or call it once on a batch"
        )

    def _load_from_state_dict(self, state_dict: Any, prefix: str, *args: Any) -> None:
        weight = state_dict.get(prefix + "weight")
        if not self.built and weight is not None and len(weight.shape) == 2:
            self.build(weight.shape[1])  # an unbuilt layer takes its size from the checkpoint
        super()._load_from_state_dict(state_dict, prefix, *args)

    def extra_repr(self) -> str:
        act = self.activation
        name = act if act is None or isinstance(act, str) else getattr(act, "__name__", act)
        return (
            f"in_features={self.in_features}, units={self.units}, activation={name!r}, "
            f"use_bias={self.use_bias}"
        )


def unbuilt_layers(module: Module) -> list[str]:
    """Names of the ``Dense`` layers in ``module`` that have no weights yet (for messages)."""
    return [
        name or "(root)"
        for name, m in module.named_modules()
        if isinstance(m, Dense) and not m.built
    ]


class Flatten(Module):
    """Merge dims ``start_dim``..``end_dim`` into one.   Shape: (N, *dims) -> (N, prod(dims)).

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup import nn
    >>> nn.Flatten()(gu.ones(32, 1, 28, 28)).shape
    (32, 784)
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.flatten(input, self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
