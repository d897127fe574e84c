"""Max/avg/adaptive pooling and nearest upsampling against torch, plus gradcheck."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from helpers import assert_same_tensor, check_against_torch, check_gradcheck

import groundup as gu
from groundup import nn
from groundup.nn import functional as F


def both(fn_ours, fn_ref, shape, dtype="float64", relu=False, seed=0, **kwargs):
    """Same input and upstream gradient through both; compare output and input grad."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    if relu:  # many exact ties (zeros): the gradient must go to the first max, as torch's
        x = np.maximum(x, 0.0)
    x = x.astype(dtype)
    xo, xr = gu.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    yo, yr = fn_ours(xo, **kwargs), fn_ref(xr, **kwargs)
    assert_same_tensor(yo, yr, "output")
    g = rng.standard_normal(tuple(yr.shape)).astype(dtype)
    yo.backward(gu.tensor(g))
    yr.backward(torch.tensor(g))
    assert_same_tensor(xo.grad, xr.grad, "grad of input")
    return yo


MAX2D_CASES = [
    {"kernel_size": 2},
    {"kernel_size": 2, "stride": 1},
    {"kernel_size": 3, "stride": 2, "padding": 1},
    {"kernel_size": (3, 2), "stride": (2, 1), "padding": (1, 1), "dilation": (1, 2)},
    {"kernel_size": 3, "stride": 2, "ceil_mode": True},
    {"kernel_size": 2, "ceil_mode": True},
    {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True},
    {"kernel_size": 2, "stride": 3},
]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("kwargs", MAX2D_CASES)
def test_max_pool2d_matches_torch(kwargs, dtype):
    both(F.max_pool2d, TF.max_pool2d, (2, 3, 7, 8), dtype, relu=True, **kwargs)
    both(nn.MaxPool2d(**kwargs), torch.nn.MaxPool2d(**kwargs), (3, 7, 8), dtype)  # unbatched


@pytest.mark.parametrize(
    "kwargs",
    [
        {"kernel_size": 2},
        {"kernel_size": 3, "stride": 2, "padding": 1},
        {"kernel_size": 3, "stride": 1, "dilation": 2, "ceil_mode": True},
    ],
)
def test_max_pool1d_matches_torch(kwargs):
    both(F.max_pool1d, TF.max_pool1d, (2, 3, 9), relu=True, **kwargs)
    both(nn.MaxPool1d(**kwargs), torch.nn.MaxPool1d(**kwargs), (2, 3, 9), "float32")


AVG_CASES = [
    {"kernel_size": 2},
    {"kernel_size": 3, "stride": 2, "padding": 1},
    {"kernel_size": 3, "stride": 2, "padding": 1, "count_include_pad": False},
    {"kernel_size": 3, "stride": 2, "ceil_mode": True},
    {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True},
    {"kernel_size": (3, 2), "stride": (2, 1), "padding": (1, 0), "ceil_mode": True,
     "count_include_pad": False},
    {"kernel_size": 2, "divisor_override": 3},
    {"kernel_size": 3, "stride": 1},
]  # fmt: skip


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("kwargs", AVG_CASES)
def test_avg_pool2d_matches_torch(kwargs, dtype):
    both(F.avg_pool2d, TF.avg_pool2d, (2, 3, 7, 8), dtype, **kwargs)


def test_avg_pool2d_module_matches_torch():
    both(nn.AvgPool2d(3, 2, 1), torch.nn.AvgPool2d(3, 2, 1), (2, 3, 7, 8), "float32")


@pytest.mark.parametrize("output_size", [1, (2, 3), (3, 5), (7, 8), (4, None), (5, 7)])
def test_adaptive_avg_pool2d_matches_torch(output_size):
    both(F.adaptive_avg_pool2d, TF.adaptive_avg_pool2d, (2, 3, 7, 8), output_size=output_size)
    layer, ref = nn.AdaptiveAvgPool2d(output_size), torch.nn.AdaptiveAvgPool2d(output_size)
    both(layer, ref, (2, 3, 7, 8), "float32")


INTERP_CASES = [
    {"scale_factor": 2},
    {"scale_factor": 1.5},
    {"scale_factor": (2, 3)},
    {"scale_factor": 0.5},
    {"size": (5, 3)},
    {"size": (14, 16)},
    {"scale_factor": 2.5, "recompute_scale_factor": True},
]


@pytest.mark.parametrize("kwargs", INTERP_CASES)
def test_interpolate_nearest_matches_torch(kwargs):
    both(F.interpolate, TF.interpolate, (2, 3, 7, 8), **kwargs)


@pytest.mark.parametrize("scale_factor", [3, 1.7])
def test_interpolate_nearest_1d_and_upsample_match_torch(scale_factor):
    both(F.interpolate, TF.interpolate, (2, 3, 7), scale_factor=scale_factor)
    up, ref = nn.Upsample(scale_factor=scale_factor), torch.nn.Upsample(scale_factor=scale_factor)
    both(up, ref, (2, 3, 4, 5), "float32")
    assert repr(up) == repr(ref)


@pytest.mark.parametrize(
    "fn, shape",
    [
        (lambda x: F.max_pool2d(x, 3, 2, 1), (2, 2, 5, 6)),
        (lambda x: F.max_pool2d(x, 2, ceil_mode=True), (1, 2, 5, 5)),
        (lambda x: F.max_pool1d(x, 2, 1), (2, 2, 6)),
        (lambda x: F.avg_pool2d(x, 3, 2, 1, count_include_pad=False), (2, 2, 5, 6)),
        (lambda x: F.adaptive_avg_pool2d(x, (2, 3)), (1, 2, 5, 7)),
        (lambda x: F.interpolate(x, scale_factor=1.5), (1, 2, 3, 3)),
        (lambda x: F.interpolate(x, scale_factor=2), (1, 2, 3, 3)),
    ],
)
def test_pooling_gradcheck(fn, shape):
    check_gradcheck(fn, [shape])


def test_pooling_keeps_float32():
    check_against_torch(
        lambda x: F.avg_pool2d(F.max_pool2d(x, 2), 2, count_include_pad=False, padding=1),
        [(2, 3, 8, 8)],
        dtype="float32",
        torch_fn=lambda x: TF.avg_pool2d(
            TF.max_pool2d(x, 2), 2, count_include_pad=False, padding=1
        ),
    )


def test_max_pool2d_nan_propagates():
    x = gu.tensor([[[[1.0, float("nan")], [3.0, 2.0]]]])
    assert np.isnan(F.max_pool2d(x, 2).item())


@pytest.mark.parametrize(
    "make",
    [
        lambda m: m.MaxPool2d(2),
        lambda m: m.MaxPool2d(3, 2, 1, ceil_mode=True),
        lambda m: m.MaxPool1d(3),
        lambda m: m.AvgPool2d(2),
        lambda m: m.AdaptiveAvgPool2d((1, 1)),
        lambda m: m.Upsample(scale_factor=2),
        lambda m: m.Upsample(size=(4, 4)),
    ],
)
def test_pooling_repr_matches_torch(make):
    assert repr(make(nn)) == repr(make(torch.nn))


def test_pooling_errors():
    x = gu.ones(1, 2, 4, 4)
    with pytest.raises(ValueError, match="padding .* should be at most half of kernel_size"):
        F.max_pool2d(x, 2, padding=2)
    with pytest.raises(ValueError, match=r"max_pool2d: input \(1, 2, 1, 1\) is too small"):
        F.max_pool2d(gu.ones(1, 2, 1, 1), 2)
    with pytest.raises(ValueError, match=r"max_pool2d: expected input \(N, C, H, W\)"):
        F.max_pool2d(gu.ones(4, 4), 2)
    with pytest.raises(NotImplementedError, match="mode='nearest'"):
        F.interpolate(x, scale_factor=2, mode="bilinear")
    with pytest.raises(ValueError, match="exactly one of size and scale_factor"):
        F.interpolate(x)
    with pytest.raises(TypeError, match="kernel_size must be an int"):
        F.avg_pool2d(x, (2, 2, 2))
    with pytest.raises(NotImplementedError, match="return_indices"):
        nn.MaxPool2d(2, return_indices=True)


def test_lenet_shapes():
    net = nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10),
    )  # fmt: skip
    assert net(gu.ones(4, 1, 28, 28)).shape == (4, 10)
