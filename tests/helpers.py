"""Shared checks for the op tests: run one lambda on groundup and on PyTorch and compare.

``check_against_torch`` compares output shape, dtype and values, then the gradients of
every input after a backward pass with the same seeded upstream gradient.
``check_gradcheck`` runs ``gu.gradcheck`` in float64 on the same kind of inputs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch

import groundup as gu

# (rtol, atol) by the dtype of the tensor compared. float32 is the style guide's bound;
# float64 leaves room only for a different summation order.
TOLERANCES = {"float64": (1e-7, 1e-9), "float32": (1e-5, 1e-6)}


def _tolerance(dtype: np.dtype, rtol: float | None, atol: float | None) -> tuple[float, float]:
    default_rtol, default_atol = TOLERANCES.get(dtype.name, (0.0, 0.0))
    return (default_rtol if rtol is None else rtol), (default_atol if atol is None else atol)


def torch_dtype_name(dtype: torch.dtype) -> str:
    """``torch.float32`` as ``"float32"``: the name NumPy gives the same type."""
    return str(dtype).removeprefix("torch.")


def make_inputs(
    inputs: Sequence[Any],
    dtype: str = "float64",
    *,
    seed: int = 0,
    low: float = -2.0,
    high: float = 2.0,
    min_abs: float = 0.0,
) -> list[np.ndarray]:
    """Seeded arrays: a shape becomes uniform data in [low, high) of ``dtype``.

    With ``min_abs`` the magnitudes are drawn from [min_abs, high) (random sign when
    ``low < 0``), keeping data off a kink at 0 (abs, relu). A given array is copied as is,
    except that a float64 array is cast to ``dtype`` (so one list of arrays serves both
    float64 and float32 checks).
    """
    rng = np.random.default_rng(seed)
    arrays = []
    for item in inputs:
        if isinstance(item, np.ndarray):
            a = item.copy()
            if a.dtype == np.float64:
                a = a.astype(dtype)
        elif min_abs:
            shape = tuple(item)
            magnitude = rng.uniform(min_abs, high, shape)
            sign = rng.choice([-1.0, 1.0], shape) if low < 0 else 1.0
            a = np.asarray(sign * magnitude, dtype=dtype)
        else:
            a = np.asarray(rng.uniform(low, high, tuple(item)), dtype=dtype)
        arrays.append(a)
    return arrays


def _as_list(out: Any) -> list:
    return list(out) if isinstance(out, (tuple, list)) else [out]


def assert_same_tensor(
    ours: gu.Tensor,
    ref: torch.Tensor,
    what: str = "tensor",
    rtol: float | None = None,
    atol: float | None = None,
) -> None:
    """Same shape, same dtype, and values within tolerance (exactly equal for ints/bools).

    The tolerance defaults to ``TOLERANCES`` of the tensor's dtype.
    """
    assert isinstance(ours, gu.Tensor), f"{what}: expected a gu.Tensor, got {type(ours)}"
    assert ours.shape == tuple(ref.shape), f"{what}: shape {ours.shape} != torch {ref.shape}"
    expected_dtype = torch_dtype_name(ref.dtype)
    assert ours.dtype.name == expected_dtype, f"{what}: dtype {ours.dtype} != {expected_dtype}"
    expected = ref.detach().numpy()
    if ours.dtype.kind in "fc":
        rtol, atol = _tolerance(ours.dtype, rtol, atol)
        np.testing.assert_allclose(ours.numpy(), expected, rtol=rtol, atol=atol, err_msg=what)
    else:
        np.testing.assert_array_equal(ours.numpy(), expected, err_msg=what)


def check_against_torch(
    fn: Callable[..., Any],
    inputs: Sequence[Any],
    *,
    dtype: str = "float64",
    grad: bool = True,
    rtol: float | None = None,
    atol: float | None = None,
    torch_fn: Callable[..., Any] | None = None,
    seed: int = 0,
    low: float = -2.0,
    high: float = 2.0,
    min_abs: float = 0.0,
) -> tuple[Any, list[gu.Tensor]]:
    """Run ``fn`` on groundup tensors and ``torch_fn`` (default ``fn``) on torch tensors.

    ``inputs`` are shapes or arrays (see ``make_inputs``); float inputs require grad when
    ``grad``. Compares every output (a tensor or a tuple such as max's (values, indices)),
    then backpropagates the same seeded random upstream gradient (``backward()`` for a
    0-d output) and compares each input's ``.grad`` (None, or shape, dtype and values).
    ``rtol``/``atol`` default to ``TOLERANCES`` of each compared tensor's dtype.
    Returns groundup's output and inputs for further checks.
    """
    arrays = make_inputs(inputs, dtype, seed=seed, low=low, high=high, min_abs=min_abs)
    needs = [grad and a.dtype.kind == "f" for a in arrays]
    ours_in = [gu.tensor(a, requires_grad=n) for a, n in zip(arrays, needs)]
    ref_in = [torch.tensor(a, requires_grad=n) for a, n in zip(arrays, needs)]

    ours_out = fn(*ours_in)
    ref_out = (torch_fn or fn)(*ref_in)
    ours_list, ref_list = _as_list(ours_out), _as_list(ref_out)
    assert len(ours_list) == len(ref_list), f"{len(ours_list)} outputs, torch {len(ref_list)}"
    for k, (o, r) in enumerate(zip(ours_list, ref_list)):
        assert_same_tensor(o, r, f"output {k}", rtol, atol)
        assert o.requires_grad == r.requires_grad, f"output {k}: requires_grad differs"
    if not grad:
        return ours_out, ours_in

    pairs = [(o, r) for o, r in zip(ours_list, ref_list) if r.requires_grad]
    if not pairs:  # e.g. a comparison: nothing to backpropagate
        return ours_out, ours_in
    rng = np.random.default_rng(seed + 1)
    upstream = [
        rng.standard_normal(tuple(r.shape)).astype(torch_dtype_name(r.dtype)) for _, r in pairs
    ]
    if len(pairs) == 1:
        (o, r), g = pairs[0], upstream[0]
        if r.dim() == 0:
            o.backward()
            r.backward()
        else:
            o.backward(gu.tensor(g))
            r.backward(torch.tensor(g))
    else:  # several differentiable outputs: backpropagate sum(out_k * g_k)
        sum(((o * gu.tensor(g)).sum() for (o, _), g in zip(pairs, upstream))).backward()
        sum(((r * torch.tensor(g)).sum() for (_, r), g in zip(pairs, upstream))).backward()
    for i, (o, r) in enumerate(zip(ours_in, ref_in)):
        if r.grad is None:
            assert o.grad is None, f"input {i}: grad should be None"
            continue
        assert o.grad is not None, f"input {i}: grad is None, torch has one"
        assert_same_tensor(o.grad, r.grad, f"grad of input {i}", rtol, atol)
    return ours_out, ours_in


def check_gradcheck(
    fn: Callable[..., Any],
    inputs: Sequence[Any],
    *,
    seed: int = 0,
    low: float = -2.0,
    high: float = 2.0,
    min_abs: float = 0.0,
) -> None:
    """``gu.gradcheck`` of ``fn`` on seeded float64 inputs (float inputs require grad)."""
    arrays = make_inputs(inputs, "float64", seed=seed, low=low, high=high, min_abs=min_abs)
    tensors = [gu.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
    assert gu.gradcheck(fn, tensors)
