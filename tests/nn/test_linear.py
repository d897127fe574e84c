"""Linear, Dense, Flatten, Identity and Dropout against torch.nn with copied weights."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from helpers import assert_same_tensor, check_against_torch, check_gradcheck

import groundup as gu
from groundup import nn
from groundup.nn import functional as F


def twin_linear(in_features, out_features, bias=True, dtype="float32", seed=0):
    """A torch Linear and a groundup Linear holding the same weights."""
    torch.manual_seed(seed)
    ref = torch.nn.Linear(in_features, out_features, bias=bias, dtype=getattr(torch, dtype))
    ours = nn.Linear(in_features, out_features, bias=bias, dtype=dtype)
    ours.load_state_dict({k: v.detach().numpy() for k, v in ref.state_dict().items()})
    return ours, ref


def run_both(ours, ref, x, dtype, upstream_seed=1):
    """Forward x through both with requires_grad, backpropagate one upstream gradient."""
    xo = gu.tensor(x.astype(dtype), requires_grad=True)
    xr = torch.tensor(x.astype(dtype), requires_grad=True)
    yo, yr = ours(xo), ref(xr)
    g = np.random.default_rng(upstream_seed).standard_normal(tuple(yr.shape)).astype(dtype)
    yo.backward(gu.tensor(g))
    yr.backward(torch.tensor(g))
    return (xo, yo), (xr, yr)


def assert_params_grads(ours, ref):
    for (name, p), (_, q) in zip(ours.named_parameters(), ref.named_parameters()):
        assert_same_tensor(p.grad, q.grad, f"grad of {name}")


# ---------------------------------------------------------------------- Linear
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", [(5, 4), (2, 3, 4), (4,), (1, 4)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_matches_torch(dtype, shape, bias):
    ours, ref = twin_linear(4, 3, bias=bias, dtype=dtype)
    x = np.random.default_rng(0).standard_normal(shape)
    (xo, yo), (xr, yr) = run_both(ours, ref, x, dtype)
    assert_same_tensor(yo, yr, "output")
    assert_same_tensor(xo.grad, xr.grad, "grad of input")
    assert_params_grads(ours, ref)


def test_linear_is_one_fused_node():
    fc = nn.Linear(3, 2)
    y = fc(gu.ones(4, 3))
    assert y.grad_fn.name == "Linear"


def test_linear_skips_unneeded_grads():
    fc = nn.Linear(3, 2)
    fc.weight.requires_grad_(False)
    x = gu.ones(4, 3)
    fc(x).sum().backward()
    assert x.grad is None and fc.weight.grad is None
    assert fc.bias.grad.tolist() == [4.0, 4.0]


def test_linear_gradcheck():
    check_gradcheck(lambda x, w, b: F.linear(x, w, b), [(2, 3, 4), (5, 4), (5,)])
    check_gradcheck(lambda x, w: F.linear(x, w), [(3, 4), (2, 4)])


def test_f_linear_matches_torch():
    check_against_torch(
        lambda x, w, b: F.linear(x, w, b),
        [(2, 3, 4), (5, 4), (5,)],
        dtype="float32",
        torch_fn=torch.nn.functional.linear,
    )


def test_linear_default_init_is_pytorch_uniform():
    gu.manual_seed(0)
    fc = nn.Linear(400, 300)
    k = 1 / math.sqrt(400)
    w, b = fc.weight.numpy(), fc.bias.numpy()
    assert w.dtype == np.float32 and w.shape == (300, 400) and b.shape == (300,)
    assert np.abs(w).max() <= k and np.abs(w).max() > 0.99 * k
    assert np.abs(b).max() <= k
    assert abs(w.std() - k / math.sqrt(3)) < 0.01 * k  # U(-k, k) has std k / sqrt(3)
    assert abs(w.mean()) < 0.01 * k


def test_linear_init_is_seeded():
    gu.manual_seed(3)
    a = nn.Linear(5, 4)
    gu.manual_seed(3)
    b = nn.Linear(5, 4)
    c = nn.Linear(5, 4)
    np.testing.assert_array_equal(a.weight.numpy(), b.weight.numpy())
    assert not np.array_equal(b.weight.numpy(), c.weight.numpy())
    a.reset_parameters()
    assert not np.array_equal(a.weight.numpy(), b.weight.numpy())


def test_linear_input_error_suggests_flatten():
    fc = nn.Linear(784, 10)
    message = (
        "Linear(in_features=784): expected input (*, 784), got (32, 28, 28); add nn.Flatten()?"
    )
    with pytest.raises(ValueError) as info:
        fc(gu.ones(32, 28, 28))
    assert str(info.value) == message
    with pytest.raises(ValueError, match=r"expected input \(\*, 784\), got \(32, 10\)$"):
        fc(gu.ones(32, 10))


def test_linear_dtype_mismatch_raises():
    with pytest.raises(TypeError, match="linear: input float64, weight float32"):
        nn.Linear(2, 2)(gu.ones(1, 2, dtype=gu.float64))


def test_f_linear_shape_error():
    with pytest.raises(ValueError, match=r"linear: expected input \(\*, 3\) for weight \(2, 3\)"):
        F.linear(gu.ones(4, 5), gu.ones(2, 3))


def test_linear_repr_matches_torch():
    assert repr(nn.Linear(3, 2)) == repr(torch.nn.Linear(3, 2))
    assert repr(nn.Linear(3, 2, bias=False)) == repr(torch.nn.Linear(3, 2, bias=False))


def test_mlp_matches_torch_end_to_end():
    def build(lib):
        return lib.Sequential(lib.Linear(8, 16), lib.ReLU(), lib.Linear(16, 16), lib.Tanh(),
                              lib.Linear(16, 3))  # fmt: skip

    torch.manual_seed(0)
    ref = build(torch.nn)
    ours = build(nn)
    ours.load_state_dict({k: v.detach().numpy() for k, v in ref.state_dict().items()})
    x = np.random.default_rng(2).standard_normal((10, 8))
    (xo, yo), (xr, yr) = run_both(ours, ref, x, "float32")
    assert_same_tensor(yo, yr, "output")
    assert_same_tensor(xo.grad, xr.grad, "grad of input")
    assert_params_grads(ours, ref)


# ---------------------------------------------------------------------- Dense
def test_dense_builds_lazily_from_first_input():
    layer = nn.Dense(4, activation="relu")
    assert not layer.built and list(layer.parameters()) == [] and layer.state_dict() == {}
    with pytest.raises(AttributeError, match="pass input_dim=... or call it once"):
        layer.weight  # noqa: B018
    y = layer(gu.ones(2, 7))
    assert layer.built and layer.in_features == 7 and y.shape == (2, 4)
    assert [n for n, _ in layer.named_parameters()] == ["weight", "bias"]
    assert layer.weight.shape == (4, 7) and layer.bias.shape == (4,)
    with pytest.raises(ValueError, match=r"Dense\(in_features=7\): expected input \(\*, 7\)"):
        layer(gu.ones(2, 5))


def test_dense_input_dim_builds_at_construction_like_linear():
    gu.manual_seed(0)
    dense = nn.Dense(10, input_dim=20)
    gu.manual_seed(0)
    fc = nn.Linear(20, 10)
    np.testing.assert_array_equal(dense.weight.numpy(), fc.weight.numpy())
    np.testing.assert_array_equal(dense.bias.numpy(), fc.bias.numpy())
    gu.manual_seed(0)
    lazy = nn.Dense(10)
    lazy(gu.zeros(1, 20))
    np.testing.assert_array_equal(lazy.weight.numpy(), fc.weight.numpy())


@pytest.mark.parametrize(
    "activation, reference",
    [
        (None, lambda y: y),
        ("linear", lambda y: y),
        ("relu", torch.relu),
        ("sigmoid", torch.sigmoid),
        ("tanh", torch.tanh),
        ("softmax", lambda y: torch.softmax(y, dim=-1)),
        ("gelu", torch.nn.functional.gelu),
        ("leaky_relu", lambda y: torch.nn.functional.leaky_relu(y, 0.2)),
        ("elu", torch.nn.functional.elu),
        ("silu", torch.nn.functional.silu),
    ],
)
def test_dense_matches_linear_plus_activation(activation, reference):
    _, ref = twin_linear(6, 4, dtype="float64")
    dense = nn.Dense(4, activation=activation, dtype="float64")
    x = np.random.default_rng(0).standard_normal((3, 6))
    dense(gu.tensor(x))  # builds from the first batch
    assert dense.weight.dtype == np.float64
    dense.load_state_dict({k: v.detach().numpy() for k, v in ref.state_dict().items()})
    (xo, yo), (xr, yr) = run_both(dense, lambda t: reference(ref(t)), x, "float64")
    assert_same_tensor(yo, yr, "output")
    assert_same_tensor(xo.grad, xr.grad, "grad of input")
    assert_params_grads(dense, ref)


def test_dense_callable_and_module_activation():
    gu.manual_seed(0)
    relu_out = nn.Dense(64, activation=F.relu, input_dim=3)(gu.randn(8, 3)).numpy()
    assert (relu_out >= 0).all() and (relu_out == 0).any()
    dense = nn.Dense(2, activation=nn.Sigmoid(), input_dim=3)
    assert isinstance(dense.activation, nn.Sigmoid)
    assert list(dense.state_dict()) == ["weight", "bias"]
    assert ((dense(gu.ones(4, 3)).numpy() > 0) & (dense(gu.ones(4, 3)).numpy() < 1)).all()


def test_dense_unknown_activation_raises():
    with pytest.raises(ValueError, match="unknown activation 'relu6'"):
        nn.Dense(3, activation="relu6")


def test_dense_unbuilt_loads_state_dict_and_builds():
    src = nn.Dense(3, input_dim=5, use_bias=False)
    dst = nn.Dense(3, use_bias=False)
    dst.load_state_dict(src.state_dict())
    assert dst.in_features == 5 and dst.bias is None
    np.testing.assert_array_equal(dst.weight.numpy(), src.weight.numpy())


def test_dense_unbuilt_layers_listed():
    from groundup.nn.modules.linear import unbuilt_layers

    model = nn.Sequential(nn.Dense(4, input_dim=3), nn.Dense(2))
    assert unbuilt_layers(model) == ["1"]
    model(gu.ones(1, 3))
    assert unbuilt_layers(model) == []


def test_dense_builds_float32_by_default():
    layer = nn.Dense(3)
    layer(gu.ones(2, 4))
    assert layer.weight.dtype == layer.bias.dtype == np.float32
    with pytest.raises(TypeError, match="linear: input float64, weight float32"):
        layer(gu.ones(2, 4, dtype=gu.float64))


def test_dense_repr():
    assert repr(nn.Dense(10, "relu", input_dim=784)) == (
        "Dense(in_features=784, units=10, activation='relu', use_bias=True)"
    )


# ---------------------------------------------------------------------- Flatten, Identity
@pytest.mark.parametrize("start_dim, end_dim", [(1, -1), (0, -1), (1, 2), (2, 3)])
def test_flatten_matches_torch(start_dim, end_dim):
    check_against_torch(
        lambda x: nn.Flatten(start_dim, end_dim)(x),
        [(2, 3, 4, 5)],
        dtype="float32",
        torch_fn=lambda x: torch.nn.Flatten(start_dim, end_dim)(x),
    )
    assert repr(nn.Flatten(start_dim, end_dim)) == repr(torch.nn.Flatten(start_dim, end_dim))


def test_flatten_rejects_bad_dims_like_torch():
    x = gu.ones(2, 3, 4, 5)
    with pytest.raises(IndexError, match="dim 5 is out of range"):
        nn.Flatten(0, 5)(x)
    with pytest.raises(ValueError, match="start_dim 2 comes after end_dim 1"):
        nn.Flatten(2, 1)(x)
    with pytest.raises(IndexError, match="out of range"):
        nn.Flatten()(gu.ones(3))


def test_identity_returns_input():
    x = gu.ones(2)
    assert nn.Identity(54, unused="x")(x) is x
    assert repr(nn.Identity()) == repr(torch.nn.Identity())


# ---------------------------------------------------------------------- Dropout
@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_statistics(p):
    gu.manual_seed(0)
    x = gu.ones(1_000_000)
    y = nn.Dropout(p)(x).numpy()
    dropped = (y == 0).mean()
    assert abs(dropped - p) < 0.005  # binomial std <= 0.0005
    assert abs(y.mean() - 1.0) < 0.01  # inverted dropout keeps the mean
    np.testing.assert_allclose(np.unique(y), [0.0, 1 / (1 - p)], rtol=1e-6)


def test_dropout_backward_uses_the_same_mask():
    gu.manual_seed(1)
    x = gu.ones(1000, requires_grad=True)
    y = F.dropout(x, 0.3)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), y.detach().numpy())


def test_dropout_eval_and_p0_are_identity():
    x = gu.randn(10, requires_grad=True)
    drop = nn.Dropout(0.5).eval()
    assert drop(x) is x
    assert F.dropout(x, 0.5, training=False) is x
    assert F.dropout(x, 0.0) is x


def test_dropout_p1_zeros_like_torch():
    x = gu.ones(5, requires_grad=True)
    y = F.dropout(x, 1.0)
    y.sum().backward()
    ref = torch.nn.functional.dropout(torch.ones(5), 1.0)
    assert y.tolist() == ref.tolist() == [0.0] * 5
    assert x.grad.tolist() == [0.0] * 5


def test_dropout_seeded_reproducible():
    gu.manual_seed(7)
    a = F.dropout(gu.ones(100), 0.5)
    gu.manual_seed(7)
    b = F.dropout(gu.ones(100), 0.5)
    c = F.dropout(gu.ones(100), 0.5)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert not np.array_equal(b.numpy(), c.numpy())


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_dropout_keeps_dtype(dtype):
    y = F.dropout(gu.ones(10, dtype=dtype, requires_grad=True), 0.5)
    assert y.dtype == dtype
    y.sum().backward()


@pytest.mark.parametrize("p", [-0.1, 1.5])
def test_dropout_rejects_bad_p(p):
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
        nn.Dropout(p)
    with pytest.raises(ValueError, match="dropout probability"):
        F.dropout(gu.ones(2), p)


def test_dropout_repr_matches_torch():
    assert repr(nn.Dropout(0.3)) == repr(torch.nn.Dropout(0.3))
