"""Tests of the Tensor surface (groundup.tensor, creation, dtypes): dtype rules, factories,
attributes, conversions, repr and the Python protocols, each checked against PyTorch."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import groundup as gu


def _torch_dtype_name(t: torch.Tensor) -> str:
    return str(t.dtype).removeprefix("torch.")


# ---------------------------------------------------------------------- dtype rules
@pytest.mark.parametrize(
    "data",
    [
        [1.0],
        [1, 2],
        [True],
        [[1, 2.5]],
        1.5,
        3,
        np.array([1.0, 2.0], dtype=np.float64),
        np.array([1, 2], dtype=np.int32),
        np.array([1.0], dtype=np.float16),
        np.array([1, 2], dtype=np.uint8),
        np.float64(2.0),
    ],
    ids=repr,
)
def test_tensor_infers_dtype_like_torch(data):
    ours = gu.tensor(data)
    ref = torch.tensor(data)
    assert ours.dtype.name == _torch_dtype_name(ref)
    np.testing.assert_array_equal(ours.numpy(), ref.numpy())


def test_tensor_copies_its_data():
    a = np.array([1.0, 2.0], dtype=np.float32)
    t = gu.tensor(a)
    a[0] = 9.0
    assert t.tolist() == [1.0, 2.0]


SCALAR_OPS = {
    "mul-2.5": lambda x: x * 2.5,
    "add-1": lambda x: x + 1,
    "rpow-2": lambda x: 2**x,
    "pow-2": lambda x: x**2,
    "pow-0.5": lambda x: x**0.5,
    "rsub-1": lambda x: 1 - x,
    "rdiv-3.0": lambda x: 3.0 / x,
    "mul-np.float64": lambda x: x * np.float64(2.0),
    "rmul-np.float64": lambda x: np.float64(2.0) * x,
    "add-np.float64": lambda x: x + np.float64(0.1),
    "rpow-np.float64": lambda x: np.float64(2.0) ** x,
    "pow-np.float64": lambda x: x ** np.float64(2.0),
    "sub-np.int64": lambda x: x - np.int64(1),
    "div-np.float32": lambda x: x / np.float32(3.0),
}


@pytest.mark.parametrize("fn", SCALAR_OPS.values(), ids=SCALAR_OPS.keys())
def test_scalar_operand_keeps_float32(fn):
    x = gu.tensor([1.0, 2.0, 4.0], requires_grad=True)
    xt = torch.tensor([1.0, 2.0, 4.0], requires_grad=True)
    ours, ref = fn(x), fn(xt)
    assert ours.dtype == gu.float32
    assert _torch_dtype_name(ref) == "float32"
    np.testing.assert_allclose(ours.numpy(), ref.detach().numpy(), rtol=1e-6)
    ours.sum().backward()
    ref.sum().backward()
    assert x.grad.dtype == gu.float32  # the gradient must not be upcast either
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-6)


@pytest.mark.parametrize(
    "fn",
    [
        lambda m: m.tensor([1, 2]) * 2.5,
        lambda m: m.tensor([1, 2]) + 1,
        lambda m: m.tensor([1, 2]) / 2,
        lambda m: m.tensor([True, False]) + 1,
        lambda m: m.tensor([True, False]) * 1.5,
        lambda m: m.tensor([1, 2]) + m.tensor([0.5, 0.5]),
        lambda m: m.tensor([1.0, 2.0]) + m.tensor([1.0, 2.0], dtype=m.float64),
        lambda m: m.tensor([1.0, 2.0]) + m.tensor(1.0, dtype=m.float64),
        lambda m: m.tensor([1, 2], dtype=m.int32) + m.tensor([1, 2]),
        lambda m: m.tensor([1, 2], dtype=m.int32) * 2,
    ],
)
def test_promotion_matches_torch(fn):
    ours, ref = fn(gu), fn(torch)
    assert ours.dtype.name == _torch_dtype_name(ref)
    np.testing.assert_allclose(ours.numpy(), ref.numpy())


@pytest.mark.parametrize(
    "fn",
    [
        lambda a, b: a == b,
        lambda a, b: a != b,
        lambda a, b: a < b,
        lambda a, b: a <= b,
        lambda a, b: a > b,
        lambda a, b: a >= b,
        lambda a, b: a > 1.5,
    ],
)
def test_comparison_returns_bool_tensor(fn):
    a, b = [1.0, 2.0, 3.0], [3.0, 2.0, 1.0]
    ours = fn(gu.tensor(a, requires_grad=True), gu.tensor(b))
    ref = fn(torch.tensor(a), torch.tensor(b))
    assert isinstance(ours, gu.Tensor)
    assert ours.dtype == gu.bool_
    assert not ours.requires_grad
    assert ours.tolist() == ref.tolist()


# ---------------------------------------------------------------------- factories
@pytest.mark.parametrize(
    "call",
    [
        lambda m: m.zeros(2, 3),
        lambda m: m.zeros((2, 3)),
        lambda m: m.ones(4),
        lambda m: m.ones(2, 3, dtype=m.float64),
        lambda m: m.zeros(3, dtype=m.int64),
        lambda m: m.full((2, 3), 1.5),
        lambda m: m.full((2,), 3),
        lambda m: m.full((2,), True),
        lambda m: m.eye(3),
        lambda m: m.eye(2, 4),
        lambda m: m.zeros_like(m.ones(2, 3, dtype=m.int64)),
        lambda m: m.ones_like(m.zeros(3, dtype=m.float64)),
        lambda m: m.zeros(0),
    ],
)
def test_factory_matches_torch(call):
    ours, ref = call(gu), call(torch)
    assert ours.shape == tuple(ref.shape)
    assert ours.dtype.name == _torch_dtype_name(ref)
    np.testing.assert_array_equal(ours.numpy(), ref.numpy())


@pytest.mark.parametrize(
    "args", [(5,), (1, 4), (5, 0, -1), (0, 1, 0.25), (0.0, 3), (1, 2.5), (0, 10, 3)], ids=str
)
def test_arange_matches_torch(args):
    ours, ref = gu.arange(*args), torch.arange(*args)
    assert ours.dtype.name == _torch_dtype_name(ref)
    np.testing.assert_allclose(ours.numpy(), ref.numpy())


@pytest.mark.parametrize(
    "call, shape, dtype",
    [
        (lambda: gu.randn(2, 3), (2, 3), gu.float32),
        (lambda: gu.randn((4,), dtype=gu.float64), (4,), gu.float64),
        (lambda: gu.rand(3, 2), (3, 2), gu.float32),
        (lambda: gu.randint(0, 10, (5,)), (5,), gu.int64),
        (lambda: gu.randint(4, (2, 2)), (2, 2), gu.int64),
        (lambda: gu.empty(2, 5), (2, 5), gu.float32),
        (lambda: gu.empty(3, dtype=gu.int64), (3,), gu.int64),
    ],
)
def test_random_and_empty_factories_give_shape_and_dtype(call, shape, dtype):
    gu.manual_seed(0)
    t = call()
    assert t.shape == shape
    assert t.dtype == dtype


def test_rand_and_randint_stay_in_range():
    gu.manual_seed(0)
    u, k = gu.rand(1000).numpy(), gu.randint(2, 5, (1000,)).numpy()
    assert u.min() >= 0.0 and u.max() < 1.0
    assert set(np.unique(k)) == {2, 3, 4}


@pytest.mark.parametrize(
    "draw", [lambda: gu.randn(3, 4), lambda: gu.rand(5), lambda: gu.randint(0, 100, (6,))]
)
def test_manual_seed_makes_draws_reproducible(draw):
    gu.manual_seed(123)
    a = draw()
    gu.manual_seed(123)
    b = draw()
    gu.manual_seed(124)
    c = draw()
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert not np.array_equal(a.numpy(), c.numpy())


def test_factory_requires_grad_flag():
    assert gu.zeros(2, requires_grad=True).requires_grad
    assert gu.randn(2, requires_grad=True).is_leaf
    with pytest.raises(RuntimeError, match="floating"):
        gu.arange(3, requires_grad=True)


# ---------------------------------------------------------------------- attributes
def test_tensor_attributes():
    t = gu.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    assert isinstance(t.data, np.ndarray)
    assert (t.shape, t.ndim, t.dtype, t.device) == ((2, 3), 2, gu.float32, "cpu")
    assert t.grad is None and t.is_leaf


def test_T_matches_torch_with_gradient():
    a = np.arange(6.0, dtype=np.float32).reshape(2, 3)
    x, xt = gu.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    y, yt = x.T, xt.T
    np.testing.assert_array_equal(y.numpy(), yt.detach().numpy())
    w = np.arange(6.0, dtype=np.float32).reshape(3, 2)
    (y * gu.tensor(w)).sum().backward()
    (yt * torch.tensor(w)).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), xt.grad.numpy())


def test_numpy_shares_memory():
    t = gu.tensor([1.0, 2.0])
    a = t.numpy()
    a[0] = 7.0
    assert t.tolist() == [7.0, 2.0]


def test_from_numpy_shares_memory_and_keeps_dtype():
    a = np.array([1, 2, 3], dtype=np.int32)
    t = gu.from_numpy(a)
    assert t.dtype == gu.int32
    a[0] = 10
    t.data[1] = 20
    assert t.tolist() == [10, 20, 3]
    assert a.tolist() == [10, 20, 3]


@pytest.mark.parametrize("data, expected", [([2.5], 2.5), (3, 3), ([[True]], True)], ids=str)
def test_item_returns_python_number(data, expected):
    value = gu.tensor(data).item()
    assert value == expected
    assert type(value) is type(torch.tensor(data).item())


def test_tolist_matches_torch():
    data = [[1.5, 2.0], [3.0, -4.0]]
    assert gu.tensor(data).tolist() == torch.tensor(data).tolist()
    assert gu.tensor(2.0).tolist() == 2.0


@pytest.mark.parametrize(
    "convert, dtype",
    [
        (lambda t: t.to(gu.float64), gu.float64),
        (lambda t: t.double(), gu.float64),
        (lambda t: t.double().float(), gu.float32),
        (lambda t: t.to(dtype=gu.float64), gu.float64),
    ],
)
def test_to_float_double_cast_and_keep_graph(convert, dtype):
    x = gu.tensor([1.0, 2.0], requires_grad=True)
    y = convert(x)
    assert y.dtype == dtype
    (y * y).sum().backward()
    assert x.grad.dtype == gu.float32
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 4.0])


def test_to_same_dtype_and_device_returns_self():
    x = gu.tensor([1.0])
    assert x.to(gu.float32) is x and x.to("cpu") is x and x.float() is x


def test_detach_shares_data_without_grad():
    x = gu.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    d = y.detach()
    assert np.shares_memory(d.data, y.data)
    assert not d.requires_grad
    assert d.is_leaf and d.grad_fn is None
    d.data[0] = 5.0
    assert y.tolist() == [5.0, 4.0]


def test_zero_fills_in_place_and_returns_self():
    t = gu.tensor([1.0, 2.0])
    before = t.version
    assert t.zero_() is t
    assert t.tolist() == [0.0, 0.0]
    assert t.version == before + 1


def test_requires_grad_sets_flag_and_returns_self():
    t = gu.tensor([1.0])
    assert t.requires_grad_() is t
    assert t.requires_grad
    t.requires_grad_(False)
    assert not t.requires_grad


# ---------------------------------------------------------------------- repr and protocols
@pytest.mark.parametrize(
    "make",
    [
        lambda m: m.tensor([1.0, 2.0], requires_grad=True),
        lambda m: m.tensor([1.0, 2.0]),
        lambda m: m.tensor([1, 2]),
        lambda m: m.tensor([True, False]),
        lambda m: m.tensor([1.0, 2.0], dtype=m.float64),
        lambda m: m.tensor([[1.0, 2.0], [3.0, 4.0]]),
    ],
)
def test_repr_matches_torch(make):
    # Our dtypes are NumPy's, so a dtype shows as ``float64`` where torch shows ``torch.float64``.
    assert repr(make(gu)) == repr(make(torch)).replace("torch.", "")


def test_repr_names_grad_fn():
    y = gu.tensor([1.0, 2.0], requires_grad=True) * 2
    assert repr(y).startswith("tensor([2., 4.], grad_fn=<Mul")


def test_len_and_iteration_match_torch():
    data = [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]
    x = gu.tensor(data, requires_grad=True)
    rows = list(x)
    assert len(x) == 3
    assert [r.tolist() for r in rows] == [r.tolist() for r in torch.tensor(data)]
    sum(r * (i + 1) for i, r in enumerate(rows)).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[1, 1], [2, 2], [3, 3]])


@pytest.mark.parametrize("data, expected", [([1.0], True), (0.0, False), ([[2]], True)], ids=str)
def test_bool_of_one_element_tensor(data, expected):
    assert bool(gu.tensor(data)) is expected


@pytest.mark.parametrize(
    "key, value",
    [(0, 9.0), (slice(1, None), 7.0), ((1, 0), -1.0), (..., 0.0), ([0, 1], 3.0)],
    ids=str,
)
def test_setitem_writes_and_bumps_version(key, value):
    a = np.arange(6.0, dtype=np.float32).reshape(2, 3)
    t, ref = gu.tensor(a), torch.tensor(a)
    before = t.version
    t[key] = value
    ref[key] = value
    np.testing.assert_array_equal(t.numpy(), ref.numpy())
    assert t.version == before + 1


def test_setitem_accepts_tensor_value():
    t = gu.zeros(2, 3)
    t[0] = gu.tensor([1.0, 2.0, 3.0])
    assert t.tolist() == [[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]]


@pytest.mark.parametrize(
    "fn",
    [
        lambda a, x: a + x,
        lambda a, x: a - x,
        lambda a, x: a * x,
        lambda a, x: a / x,
        lambda a, x: a**x,
    ],
)
def test_ndarray_with_tensor_returns_tensor_in_graph(fn):
    a = np.array([1.0, 2.0, 3.0], dtype=np.float32)
    x = gu.tensor([0.5, 1.5, 2.5], requires_grad=True)
    xt = torch.tensor([0.5, 1.5, 2.5], requires_grad=True)
    y = fn(a, x)
    assert isinstance(y, gu.Tensor)
    assert y.requires_grad
    y.sum().backward()
    fn(torch.from_numpy(a), xt).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-6)


def test_number_protocols():
    assert float(gu.tensor([2.5])) == 2.5
    assert int(gu.tensor(3)) == 3
    assert [10, 20, 30][gu.tensor(1)] == 20
    with pytest.raises(TypeError, match="integer"):
        [10, 20, 30][gu.tensor(1.0)]
