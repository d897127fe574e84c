"""``gradcheck``: analytic gradients of a function against finite differences, in float64."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from groundup import dtypes
from groundup.autograd import no_grad
from groundup.tensor import Tensor

__all__ = ["gradcheck", "GradcheckError"]


class GradcheckError(RuntimeError):
    """The analytic and numerical gradients of a function disagree."""


def gradcheck(
    fn: Callable[..., Any],
    inputs: Sequence[Any] | Tensor,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """Check d fn / d inputs against central finite differences, like ``torch.autograd.gradcheck``.

    Every floating-point input that requires grad is copied to float64; for each element,
    the numerical Jacobian column (fn(x + eps) - fn(x - eps)) / 2 eps is compared with the
    analytic one from ``backward``, with ``|analytic - numerical| <= atol + rtol |numerical|``.

    Returns True, or raises ``GradcheckError`` naming the first mismatching input and index
    (returns False instead when ``raise_exception=False``).

    Examples
    --------
    >>> import groundup as gu
    >>> x = gu.randn(3, dtype=gu.float64, requires_grad=True)
    >>> gu.gradcheck(lambda x: (x * x).sum(), [x])
    True
    """
    inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    inputs = [_as_float64(x) for x in inputs]
    wrt = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not wrt:
        raise ValueError("gradcheck: no input requires grad; set requires_grad=True on one")
    outputs = _outputs(fn, inputs)
    for i in wrt:
        analytic = _analytic_jacobian(fn, inputs, i, outputs)
        numerical = _numerical_jacobian(fn, inputs, i, eps)
        bad = abs(analytic - numerical) > atol + rtol * abs(numerical)
        if bad.any():
            if not raise_exception:
                return False
            row, col = (int(k[0]) for k in bad.nonzero())
            index = tuple(int(k) for k in _unravel(row, inputs[i].shape))
            raise GradcheckError(
                f"gradcheck: gradient of output element {col} with respect to input {i} at "
                f"index {index} is {float(analytic[row, col])!r} analytically but "
                f"{float(numerical[row, col])!r} numerically"
            )
    return True


def _as_float64(x: Any) -> Any:
    if not isinstance(x, Tensor) or not dtypes.is_floating(x.dtype):
        return x
    copy = Tensor._wrap(x.data.astype(dtypes.float64), x.device)
    return copy.requires_grad_(x.requires_grad)


def _outputs(fn: Callable[..., Any], inputs: list) -> list[Tensor]:
    out = fn(*inputs)
    return list(out) if isinstance(out, (tuple, list)) else [out]


def _flat_outputs(fn: Callable[..., Any], inputs: list, xp: Any) -> Any:
    parts = [o.data.astype(dtypes.float64).reshape(-1) for o in _outputs(fn, inputs)]
    return xp.concatenate(parts)


def _analytic_jacobian(fn: Callable[..., Any], inputs: list, i: int, outputs: list) -> Any:
    """J[k, j] = d output_j / d input_i[k], one backward pass per output element."""
    x = inputs[i]
    xp = x._xp
    n_out = sum(o.data.size for o in outputs)
    jacobian = xp.zeros((x.data.size, n_out))
    col = 0
    for o_index in range(len(outputs)):
        for j in range(outputs[o_index].data.size):
            for t in inputs:
                if isinstance(t, Tensor):
                    t.grad = None
            out = _outputs(fn, inputs)[o_index]
            if out.requires_grad:
                seed = xp.zeros(out.data.size)
                seed[j] = 1.0
                out.backward(seed.reshape(out.shape))
                if x.grad is not None:
                    jacobian[:, col] = x.grad.data.reshape(-1)
            col += 1
    x.grad = None
    return jacobian


def _numerical_jacobian(fn: Callable[..., Any], inputs: list, i: int, eps: float) -> Any:
    """J[k, j] = (output_j(x_k + eps) - output_j(x_k - eps)) / (2 eps)."""
    x = inputs[i]
    flat = x.data.reshape(-1)  # a view: perturbing it perturbs x
    rows = []
    with no_grad():
        for k in range(flat.size):
            old = flat[k]
            flat[k] = old + eps
            plus = _flat_outputs(fn, inputs, x._xp)
            flat[k] = old - eps
            minus = _flat_outputs(fn, inputs, x._xp)
            flat[k] = old
            rows.append((plus - minus) / (2 * eps))
    return x._xp.stack(rows)


def _unravel(flat_index: int, shape: tuple) -> list[int]:
    index = []
    for n in reversed(shape):
        index.append(flat_index % n)
        flat_index //= n
    return index[::-1]
