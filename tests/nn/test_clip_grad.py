"""nn.utils.clip_grad_norm_ and clip_grad_value_ against PyTorch on the same gradients."""

import math

import numpy as np
import pytest
import torch

import groundup as gu
from groundup import nn

SHAPES = [(3, 4), (5,), (2, 2, 3)]


def make_params(scale, dtype="float32", missing_grad=False):
    """The same parameters with gradients (scaled by ``scale``) in groundup and PyTorch."""
    rng = np.random.default_rng(0)
    ours, ref = [], []
    for i, shape in enumerate(SHAPES):
        g = (rng.standard_normal(shape) * scale).astype(dtype)
        p = gu.zeros(shape, dtype=dtype, requires_grad=True)
        q = torch.zeros(shape, dtype=getattr(torch, dtype), requires_grad=True)
        if not (missing_grad and i == 1):
            p.grad, q.grad = gu.tensor(g), torch.tensor(g)
        ours.append(p)
        ref.append(q)
    return ours, ref


def assert_same_grads(ours, ref, rtol):
    for p, q in zip(ours, ref):
        if q.grad is None:
            assert p.grad is None
        else:
            np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=rtol, atol=1e-7)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf])
@pytest.mark.parametrize("scale", [0.01, 10.0])  # below and above max_norm
def test_clip_grad_norm_matches_torch(scale, norm_type, dtype):
    ours, ref = make_params(scale, dtype, missing_grad=True)
    total = nn.utils.clip_grad_norm_(ours, max_norm=1.5, norm_type=norm_type)
    expected = torch.nn.utils.clip_grad_norm_(ref, max_norm=1.5, norm_type=norm_type)
    assert isinstance(total, gu.Tensor) and total.shape == () and total.dtype.name == dtype
    rtol = 1e-5 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(total.item(), expected.item(), rtol=rtol)
    assert_same_grads(ours, ref, rtol)


def test_clip_grad_norm_accepts_a_tensor_and_a_generator():
    ours, ref = make_params(10.0)
    total = nn.utils.clip_grad_norm_(ours[0], 1.0)
    np.testing.assert_allclose(
        total.item(), torch.nn.utils.clip_grad_norm_(ref[0], 1.0).item(), rtol=1e-5
    )
    assert_same_grads(ours, ref, 1e-5)
    nn.utils.clip_grad_norm_((p for p in ours), 0.5)
    torch.nn.utils.clip_grad_norm_((q for q in ref), 0.5)
    assert_same_grads(ours, ref, 1e-5)


def test_clip_grad_norm_on_a_model_after_backward():
    model = nn.Linear(4, 3)
    (model(gu.ones(2, 4) * 100.0) ** 2).sum().backward()
    total = nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    assert total.item() > 1.0
    norm = math.sqrt(sum(float((p.grad.numpy() ** 2).sum()) for p in model.parameters()))
    np.testing.assert_allclose(norm, 1.0, rtol=1e-4)


def test_clip_grad_norm_without_grads_returns_zero():
    assert nn.utils.clip_grad_norm_([gu.zeros(2, requires_grad=True)], 1.0).item() == 0.0


def test_clip_grad_norm_non_finite():
    p = gu.zeros(2, requires_grad=True)
    p.grad = gu.tensor([float("nan"), 1.0])
    with pytest.raises(RuntimeError, match="total norm of order 2.0 .* is non-finite"):
        nn.utils.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)
    total = nn.utils.clip_grad_norm_([p], 1.0)
    q = torch.zeros(2, requires_grad=True)
    q.grad = torch.tensor([float("nan"), 1.0])
    assert math.isnan(total.item()) and math.isnan(torch.nn.utils.clip_grad_norm_([q], 1.0).item())
    np.testing.assert_array_equal(p.grad.numpy(), q.grad.numpy())  # all NaN, as PyTorch


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_clip_grad_value_matches_torch(dtype):
    ours, ref = make_params(2.0, dtype, missing_grad=True)
    assert nn.utils.clip_grad_value_(ours, 0.7) is None
    torch.nn.utils.clip_grad_value_(ref, 0.7)
    assert_same_grads(ours, ref, 0.0)
