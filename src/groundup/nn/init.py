"""Weight initialisation, PyTorch's ``torch.nn.init``: fill a tensor in place from a distribution.

Every function draws from groundup's one seeded generator (``gu.manual_seed``), writes into
``tensor.data`` outside the graph, keeps the tensor's dtype and device, and returns the
tensor. Samples are drawn in float64 and rounded to the tensor's dtype, so a float32 and a
float64 layer seeded alike start from the same numbers.

Fans follow PyTorch: for a weight of shape ``(out, in, *kernel)``,
``fan_in = in * prod(kernel)`` and ``fan_out = out * prod(kernel)``.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

from groundup import random
from groundup.backend import get_xp, to_device
from groundup.ops.activation import erf
from groundup.tensor import Tensor

__all__ = [
    "calculate_gain",
    "uniform_",
    "normal_",
    "trunc_normal_",
    "constant_",
    "ones_",
    "zeros_",
    "eye_",
    "orthogonal_",
    "xavier_uniform_",
    "xavier_normal_",
    "kaiming_uniform_",
    "kaiming_normal_",
]

_LINEAR_FNS = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
               "conv_transpose3d", "sigmoid")  # fmt: skip


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The gain that keeps activations' variance steady through ``nonlinearity``.

    linear, conv and sigmoid: 1; tanh: 5/3; relu: sqrt(2);
    leaky_relu: sqrt(2 / (1 + slope**2)) (slope ``param``, default 0.01); selu: 3/4.

    Examples
    --------
    >>> from groundup.nn import init
    >>> round(init.calculate_gain("relu"), 4)
    1.4142
    """
    if nonlinearity in _LINEAR_FNS:
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    """(fan_in, fan_out) = (in, out) times the receptive field size prod(shape[2:])."""
    if tensor.ndim < 2:
        raise ValueError(
            "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions"
        )
    receptive = math.prod(tensor.shape[2:])
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def _calculate_correct_fan(tensor: Tensor, mode: str) -> int:
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of ['fan_in', 'fan_out']")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def _write(tensor: Tensor, values: Any) -> Tensor:
    """Copy ``values`` (a NumPy array or a number) into ``tensor.data``; returns ``tensor``."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"init: expected a Tensor or Parameter, got {type(tensor).__name__}")
    if hasattr(values, "shape") and tensor.device != "cpu":
        values = to_device(values, tensor.device)
    tensor.data[...] = values
    tensor._bump_version()
    return tensor


def _gen(generator: Any) -> Any:
    return random.generator() if generator is None else generator


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, generator: Any = None) -> Tensor:
    """Fill with samples of U(a, b).

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup.nn import init
    >>> _ = gu.manual_seed(0)
    >>> w = init.uniform_(gu.empty(2, 3), -0.1, 0.1)
    >>> bool((w.abs() <= 0.1).all()), w.dtype
    (True, dtype('float32'))
    """
    return _write(tensor, _gen(generator).uniform(a, b, tensor.shape))


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, generator: Any = None) -> Tensor:
    """Fill with samples of N(mean, std**2)."""
    return _write(tensor, _gen(generator).normal(mean, std, tensor.shape))


def trunc_normal_(
    tensor: Tensor,
    mean: float = 0.0,
    std: float = 1.0,
    a: float = -2.0,
    b: float = 2.0,
    generator: Any = None,
) -> Tensor:
    """Fill with N(mean, std**2) truncated to [a, b] (a, b are values, not multiples of std).

    By the inverse CDF, as PyTorch: u ~ U(Phi(alpha), Phi(beta)), x = mean + std Phi^-1(u).
    """

    def cdf(x: float) -> float:
        return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0

    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn(
            "trunc_normal_: mean is more than 2 std from [a, b]; "
            "the distribution of values may be incorrect",
            stacklevel=2,
        )
    lo, hi = cdf((a - mean) / std), cdf((b - mean) / std)
    u = _gen(generator).uniform(2 * lo - 1, 2 * hi - 1, tensor.shape)
    x = _erfinv(u) * (std * math.sqrt(2.0)) + mean
    return _write(tensor, get_xp("cpu").clip(x, a, b))


def _erfinv(y: Any) -> Any:
    """Inverse of erf on (-1, 1) in float64: M. Giles' approximation, then two Newton steps."""
    np = get_xp("cpu")
    y = np.clip(np.asarray(y, dtype="float64"), -1 + 1e-16, 1 - 1e-16)
    w = -np.log((1.0 - y) * (1.0 + y))
    central = w < 5.0
    wc = w - 2.5
    wt = np.sqrt(w) - 3.0
    pc = np.full_like(y, 2.81022636e-08)
    for c in (3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503,
              -0.00417768164, 0.246640727, 1.50140941):  # fmt: skip
        pc = c + pc * wc
    pt = np.full_like(y, -0.000200214257)
    for c in (0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613,
              0.00943887047, 1.00167406, 2.83297682):  # fmt: skip
        pt = c + pt * wt
    x = np.where(central, pc, pt) * y
    for _ in range(2):  # Newton on erf(x) = y: erf'(x) = 2/sqrt(pi) e**(-x**2)
        x -= (erf(x, np) - y) / (2.0 / math.sqrt(math.pi) * np.exp(-x * x))
    return x


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill with ``val``."""
    return _write(tensor, val)


def ones_(tensor: Tensor) -> Tensor:
    """Fill with 1."""
    return _write(tensor, 1)


def zeros_(tensor: Tensor) -> Tensor:
    """Fill with 0."""
    return _write(tensor, 0)


def eye_(tensor: Tensor) -> Tensor:
    """Fill a 2-D tensor with the identity (ones on the diagonal, zeros elsewhere)."""
    if tensor.ndim != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    return _write(tensor, get_xp("cpu").eye(*tensor.shape))


def orthogonal_(tensor: Tensor, gain: float = 1.0, generator: Any = None) -> Tensor:
    """Fill with a (semi-)orthogonal matrix Q of a normal matrix's QR, times ``gain``.

    Dimensions after the first are flattened, as PyTorch does.
    """
    if tensor.ndim < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor.data.size == 0:
        return tensor
    np = get_xp("cpu")
    rows = tensor.shape[0]
    cols = tensor.data.size // rows
    flat = _gen(generator).normal(0.0, 1.0, (rows, cols))
    if rows < cols:
        flat = flat.T
    q, r = np.linalg.qr(flat)
    q *= np.sign(np.diag(r))  # makes the decomposition unique
    if rows < cols:
        q = q.T
    return _write(tensor, (gain * q).reshape(tensor.shape))


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, generator: Any = None) -> Tensor:
    """Glorot uniform: U(-r, r), r = gain sqrt(6 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator: Any = None) -> Tensor:
    """Glorot normal: N(0, std**2), std = gain sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std, generator)


def _kaiming_std(tensor: Tensor, a: float, mode: str, nonlinearity: str) -> float | None:
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=3)
        return None
    fan = _calculate_correct_fan(tensor, mode)
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(
    tensor: Tensor,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: Any = None,
) -> Tensor:
    """He uniform: U(-r, r), r = gain sqrt(3 / fan), gain = calculate_gain(nonlinearity, a).

    ``a`` is the negative slope of a leaky ReLU; ``mode`` picks fan_in (keeps the forward
    variance) or fan_out (the backward's). ``Linear`` uses a = sqrt(5): r = 1/sqrt(fan_in).
    """
    std = _kaiming_std(tensor, a, mode, nonlinearity)
    if std is None:
        return tensor
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(
    tensor: Tensor,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: Any = None,
) -> Tensor:
    """He normal: N(0, std**2), std = gain / sqrt(fan), gain = calculate_gain(nonlinearity, a)."""
    std = _kaiming_std(tensor, a, mode, nonlinearity)
    if std is None:
        return tensor
    return normal_(tensor, 0.0, std, generator)
