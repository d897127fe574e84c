"""nn.init: gains and fans equal torch's; distributions have the right bounds and moments."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import groundup as gu
from groundup import nn
from groundup.nn import init

BIG = (1000, 500)  # 500k samples: a sample std is within ~0.2% of the true one


@pytest.mark.parametrize(
    "nonlinearity, param",
    [
        ("linear", None),
        ("conv2d", None),
        ("conv_transpose1d", None),
        ("sigmoid", None),
        ("tanh", None),
        ("relu", None),
        ("leaky_relu", None),
        ("leaky_relu", 0.2),
        ("leaky_relu", 2),
        ("leaky_relu", math.sqrt(5)),
        ("selu", None),
    ],
)
def test_calculate_gain_matches_torch(nonlinearity, param):
    assert init.calculate_gain(nonlinearity, param) == torch.nn.init.calculate_gain(
        nonlinearity, param
    )


def test_calculate_gain_errors_like_torch():
    with pytest.raises(ValueError, match="Unsupported nonlinearity softplus"):
        init.calculate_gain("softplus")
    with pytest.raises(ValueError, match="negative_slope True not a valid number"):
        init.calculate_gain("leaky_relu", True)


@pytest.mark.parametrize("shape", [(3, 4), (8, 4, 3, 3), (5, 2, 7), (6, 1, 2, 2, 2), (0, 3)])
def test_fan_in_and_fan_out_match_torch(shape):
    ours = init._calculate_fan_in_and_fan_out(gu.empty(*shape))
    ref = torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(*shape))
    assert ours == ref


def test_fan_needs_two_dims():
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init._calculate_fan_in_and_fan_out(gu.empty(5))
    with pytest.raises(ValueError, match="Mode fan_avg not supported"):
        init.kaiming_uniform_(gu.empty(3, 3), mode="fan_avg")


def _std_close(a: np.ndarray, std: float) -> None:
    assert abs(a.std() - std) < 0.01 * std, (a.std(), std)
    assert abs(a.mean()) < 0.01 * std


def test_uniform_and_normal_moments():
    gu.manual_seed(0)
    u = init.uniform_(gu.empty(*BIG), -2.0, 4.0).numpy()
    assert u.min() >= -2.0 and u.max() < 4.0
    assert abs(u.mean() - 1.0) < 0.01 and abs(u.std() - 6 / math.sqrt(12)) < 0.01
    n = init.normal_(gu.empty(*BIG), mean=3.0, std=0.5).numpy()
    assert abs(n.mean() - 3.0) < 0.005 and abs(n.std() - 0.5) < 0.005


@pytest.mark.parametrize("shape", [(300, 200), (64, 32, 3, 3)])
@pytest.mark.parametrize("gain", [1.0, 2.5])
def test_xavier(shape, gain):
    gu.manual_seed(0)
    fan_in, fan_out = init._calculate_fan_in_and_fan_out(gu.empty(*shape))
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    w = init.xavier_uniform_(gu.empty(*shape), gain=gain).numpy()
    assert np.abs(w).max() <= math.sqrt(3) * std and np.abs(w).max() > 0.99 * math.sqrt(3) * std
    _std_close(w, std)
    _std_close(init.xavier_normal_(gu.empty(*shape), gain=gain).numpy(), std)


@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
@pytest.mark.parametrize("nonlinearity, a", [("relu", 0), ("leaky_relu", 0.1), ("tanh", 0)])
def test_kaiming(mode, nonlinearity, a):
    shape = (256, 128, 3, 3)
    fan_in, fan_out = init._calculate_fan_in_and_fan_out(gu.empty(*shape))
    fan = fan_in if mode == "fan_in" else fan_out
    std = init.calculate_gain(nonlinearity, a) / math.sqrt(fan)
    gu.manual_seed(0)
    w = init.kaiming_uniform_(gu.empty(*shape), a=a, mode=mode, nonlinearity=nonlinearity)
    w = w.numpy()
    assert np.abs(w).max() <= math.sqrt(3) * std and np.abs(w).max() > 0.99 * math.sqrt(3) * std
    _std_close(w, std)
    w = init.kaiming_normal_(gu.empty(*shape), a=a, mode=mode, nonlinearity=nonlinearity)
    _std_close(w.numpy(), std)


def test_kaiming_default_is_leaky_relu_fan_in():
    gu.manual_seed(0)
    w = init.kaiming_normal_(gu.empty(*BIG)).numpy()
    _std_close(w, math.sqrt(2 / (1 + 0.01**2)) / math.sqrt(BIG[1]))


def test_kaiming_zero_element_warns_and_returns():
    t = gu.empty(0, 3)
    with pytest.warns(UserWarning, match="zero-element"):
        assert init.kaiming_uniform_(t) is t


@pytest.mark.parametrize("mean, std, a, b", [(0.0, 1.0, -2.0, 2.0), (0.5, 0.02, 0.47, 0.6),
                                            (0.0, 1.0, 1.0, 3.0)])  # fmt: skip
def test_trunc_normal_matches_torch_moments(mean, std, a, b):
    shape = (500, 400)  # 200k samples: moments within ~0.005 std of each other
    gu.manual_seed(0)
    ours = init.trunc_normal_(gu.empty(*shape, dtype=gu.float64), mean, std, a, b).numpy()
    torch.manual_seed(0)
    ref = torch.nn.init.trunc_normal_(torch.empty(*shape, dtype=torch.float64), mean, std, a, b)
    ref = ref.numpy()
    assert ours.min() >= a and ours.max() <= b
    assert abs(ours.mean() - ref.mean()) < 0.015 * std
    assert abs(ours.std() - ref.std()) < 0.015 * std
    for q in (0.1, 0.5, 0.9):
        assert abs(np.quantile(ours, q) - np.quantile(ref, q)) < 0.015 * std


def test_constant_ones_zeros_eye():
    assert init.constant_(gu.empty(2, 2), 0.3).tolist() == [[0.30000001192092896] * 2] * 2
    assert init.ones_(gu.empty(3)).tolist() == [1.0, 1.0, 1.0]
    assert init.zeros_(gu.empty(3)).tolist() == [0.0, 0.0, 0.0]
    np.testing.assert_array_equal(
        init.eye_(gu.empty(3, 4)).numpy(), torch.nn.init.eye_(torch.empty(3, 4)).numpy()
    )
    with pytest.raises(ValueError, match="Only tensors with 2 dimensions"):
        init.eye_(gu.empty(2, 2, 2))


@pytest.mark.parametrize("shape", [(4, 6), (6, 4), (5, 2, 3)])
def test_orthogonal(shape):
    gu.manual_seed(0)
    w = init.orthogonal_(gu.empty(*shape, dtype=gu.float64), gain=2.0).numpy()
    flat = w.reshape(shape[0], -1)
    small = min(flat.shape)
    gram = flat @ flat.T if flat.shape[0] == small else flat.T @ flat
    np.testing.assert_allclose(gram, 4.0 * np.eye(small), atol=1e-12)


def test_init_keeps_dtype_returns_tensor_and_works_on_parameters():
    p = nn.Parameter(gu.zeros(50, 40, dtype=gu.float64))
    version = p.version
    out = init.xavier_uniform_(p)
    assert out is p and p.dtype == np.float64 and p.requires_grad and p.grad_fn is None
    assert p.version == version + 1
    for fn in (init.uniform_, init.normal_, init.kaiming_normal_, init.trunc_normal_):
        t = gu.zeros(10, 10, dtype=gu.float16)
        assert fn(t).dtype == np.float16 and t.data.any()


def test_init_is_seeded_and_dtype_independent():
    gu.manual_seed(5)
    a = init.kaiming_uniform_(gu.empty(30, 20)).numpy()
    gu.manual_seed(5)
    b = init.kaiming_uniform_(gu.empty(30, 20, dtype=gu.float64)).numpy()
    np.testing.assert_array_equal(a, b.astype(np.float32))


def test_init_rejects_non_tensors():
    with pytest.raises(TypeError, match="expected a Tensor or Parameter, got ndarray"):
        init.zeros_(np.ones(3))
