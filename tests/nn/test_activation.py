"""Activation functions and layers against torch (forward and input gradient), plus erf."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from helpers import check_against_torch, check_gradcheck

import groundup as gu
from groundup import nn
from groundup.nn import functional as F
from groundup.ops.activation import erf, normal_cdf

SHAPES = [(7,), (3, 5), (2, 3, 4)]

# (name, ours, torch's); each a function of one tensor
CASES = [
    ("relu", F.relu, TF.relu),
    ("leaky_relu", F.leaky_relu, TF.leaky_relu),
    ("leaky_relu_0.2", lambda x: F.leaky_relu(x, 0.2), lambda x: TF.leaky_relu(x, 0.2)),
    ("sigmoid", F.sigmoid, torch.sigmoid),
    ("tanh", F.tanh, torch.tanh),
    ("gelu", F.gelu, TF.gelu),
    ("gelu_tanh", lambda x: F.gelu(x, "tanh"), lambda x: TF.gelu(x, approximate="tanh")),
    ("elu", F.elu, TF.elu),
    ("elu_0.5", lambda x: F.elu(x, 0.5), lambda x: TF.elu(x, 0.5)),
    ("silu", F.silu, TF.silu),
    ("softmax_last", lambda x: F.softmax(x, -1), lambda x: TF.softmax(x, -1)),
    ("softmax_0", lambda x: F.softmax(x, 0), lambda x: TF.softmax(x, 0)),
    ("log_softmax_last", lambda x: F.log_softmax(x, -1), lambda x: TF.log_softmax(x, -1)),
    ("log_softmax_0", lambda x: F.log_softmax(x, 0), lambda x: TF.log_softmax(x, 0)),
]

# (ours, torch's) layer pairs built alike
LAYERS = [
    (nn.ReLU(), torch.nn.ReLU()),
    (nn.LeakyReLU(0.1), torch.nn.LeakyReLU(0.1)),
    (nn.Sigmoid(), torch.nn.Sigmoid()),
    (nn.Tanh(), torch.nn.Tanh()),
    (nn.GELU(), torch.nn.GELU()),
    (nn.GELU("tanh"), torch.nn.GELU("tanh")),
    (nn.ELU(alpha=0.7), torch.nn.ELU(alpha=0.7)),
    (nn.SiLU(), torch.nn.SiLU()),
    (nn.Softmax(dim=1), torch.nn.Softmax(dim=1)),
    (nn.LogSoftmax(dim=-1), torch.nn.LogSoftmax(dim=-1)),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name, ours, ref", CASES, ids=[c[0] for c in CASES])
def test_functional_activation_matches_torch(name, ours, ref, shape, dtype):
    # min_abs keeps inputs off the kink at 0 of relu, leaky_relu and elu
    check_against_torch(ours, [shape], dtype=dtype, torch_fn=ref, low=-4, high=4, min_abs=1e-3)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("ours, ref", LAYERS, ids=[type(layer).__name__ for layer, _ in LAYERS])
def test_activation_layer_matches_torch(ours, ref, dtype):
    check_against_torch(ours, [(4, 6)], dtype=dtype, torch_fn=ref, low=-5, high=5, min_abs=1e-3)
    assert repr(ours) == repr(ref)


@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_wide_range_matches_torch(approximate):
    # far tails: erf's regions |x|/sqrt2 <= 0.47, <= 4 and beyond are all visited
    x = np.concatenate([np.linspace(-12, 12, 4001), [-40.0, -7.5, 0.0, 7.5, 40.0]])
    check_against_torch(
        lambda t: F.gelu(t, approximate),
        [x],
        dtype="float64",
        torch_fn=lambda t: TF.gelu(t, approximate=approximate),
    )
    # float32 against the float64 values: torch's own float32 tanh form loses the left tail
    # to 1 + tanh(u) cancelling (it returns 0 where the gradient is -1.5e-6 at x = -5)
    g = np.random.default_rng(1).standard_normal(x.shape)
    xo = gu.tensor(x.astype(np.float32), requires_grad=True)
    yo = F.gelu(xo, approximate)
    yo.backward(gu.tensor(g.astype(np.float32)))
    xr = torch.tensor(x.astype(np.float32).astype(np.float64), requires_grad=True)
    yr = TF.gelu(xr, approximate=approximate)
    yr.backward(torch.tensor(g.astype(np.float32).astype(np.float64)))
    assert yo.dtype == xo.grad.dtype == np.float32
    np.testing.assert_allclose(yo.numpy(), yr.detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(xo.grad.numpy(), xr.grad.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    "fn",
    [
        lambda x: F.leaky_relu(x, 0.3),
        F.gelu,
        lambda x: F.gelu(x, "tanh"),
        F.elu,
        F.silu,
        lambda x: F.softmax(x, 1),
        lambda x: F.log_softmax(x, 0),
    ],
)
def test_activation_gradcheck(fn):
    check_gradcheck(fn, [(3, 4)], min_abs=1e-2)


def test_erf_accuracy_against_math_erf():
    x = np.concatenate([np.linspace(-30, 30, 100_001), np.linspace(-1, 1, 10_001)])
    expected = np.array([math.erf(v) for v in x])
    got = erf(x, np)
    assert got.dtype == np.float64
    assert np.abs(got - expected).max() <= 4.5e-16
    nonzero = expected != 0
    assert (np.abs(got - expected)[nonzero] / np.abs(expected[nonzero])).max() <= 1e-15
    got32 = erf(x.astype(np.float32), np)
    assert got32.dtype == np.float32
    assert np.abs(got32 - expected).max() <= 3e-7  # about 2 ulp near 1


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_gelu_and_erf_at_infinity_and_nan(dtype):
    x = np.array([np.inf, -np.inf, np.nan, 0.0], dtype=dtype)
    with np.errstate(invalid="raise", divide="raise"):  # no invalid-value warnings inside
        got = F.gelu(gu.tensor(x[[0, 2, 3]])).numpy()
        np.testing.assert_array_equal(erf(x, np), [1.0, -1.0, np.nan, 0.0])
    np.testing.assert_array_equal(got, [np.inf, np.nan, 0.0])  # PyTorch's float64 values


def test_float32_normal_cdf_keeps_the_left_tail():
    # GELU's float32 path: one branch-free erfc fit instead of erf's three masked regions
    x = np.linspace(-13, 8, 200_001).astype(np.float32)
    expected = np.array([0.5 * math.erfc(-float(v) / math.sqrt(2)) for v in x])
    got = normal_cdf(x, np)
    assert got.dtype == np.float32
    assert np.abs(got - expected).max() <= 4e-7
    # relative error in the tail, up to the float32 rounding of x / sqrt 2 (its effect on
    # e**(-x**2/2) grows like x**2); below 1e-36 float32 turns subnormal
    tail = (x < 0) & (expected > 1e-36)
    rel = np.abs(got - expected)[tail] / expected[tail]
    assert (rel / (1 + x[tail].astype(np.float64) ** 2)).max() <= 1e-6


@pytest.mark.parametrize("fn", [F.relu, F.leaky_relu, F.gelu, F.elu, F.silu, F.sigmoid])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_activation_keeps_dtype(fn, dtype):
    x = gu.randn(3, 4, dtype=dtype, requires_grad=True)
    y = fn(x)
    y.sum().backward()
    assert y.dtype == dtype and x.grad.dtype == dtype


def test_softmax_implicit_dim_warns_like_torch():
    x = gu.randn(2, 3)
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        y = F.softmax(x)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = TF.softmax(torch.tensor(x.numpy()))
    np.testing.assert_allclose(y.numpy(), ref.numpy(), rtol=1e-6)


def test_softmax_dtype_argument():
    y = F.softmax(gu.randn(2, 3), dim=1, dtype=gu.float64)
    assert y.dtype == np.float64


def test_gelu_rejects_unknown_approximation():
    with pytest.raises(ValueError, match="approximate must be 'none' or 'tanh'"):
        F.gelu(gu.ones(2), approximate="fast")
    with pytest.raises(ValueError, match="approximate must be 'none' or 'tanh'"):
        nn.GELU("fast")


def test_activation_on_int_tensor_raises():
    with pytest.raises(TypeError, match="gelu: expected a floating-point tensor"):
        F.gelu(gu.tensor([1, 2]))


def test_activation_reprs_match_torch():
    pairs = [
        (nn.ReLU(inplace=True), torch.nn.ReLU(inplace=True)),
        (nn.LeakyReLU(), torch.nn.LeakyReLU()),
        (nn.LeakyReLU(0.2, inplace=True), torch.nn.LeakyReLU(0.2, inplace=True)),
        (nn.ELU(), torch.nn.ELU()),
        (nn.SiLU(), torch.nn.SiLU()),
        (nn.Softmax(), torch.nn.Softmax()),
        (nn.LogSoftmax(dim=0), torch.nn.LogSoftmax(dim=0)),
    ]
    for ours, ref in pairs:
        assert repr(ours) == repr(ref)
