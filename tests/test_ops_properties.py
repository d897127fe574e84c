"""Hypothesis properties over random broadcastable shapes: every binary op's result has the
broadcast shape, every gradient has its input's shape, and both equal PyTorch's."""

import numpy as np
import pytest
import torch
from helpers import check_against_torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, mutually_broadcastable_shapes

import groundup as gu

# derandomize: the same examples on every run (seeded), no example database on disk
PROPERTY = settings(max_examples=40, deadline=None, derandomize=True, database=None)
SEEDS = st.integers(0, 2**16)

# name: (groundup fn, torch fn or None for the same, data options)
BINARY = {
    "add": (lambda a, b: a + b, None, {}),
    "sub": (lambda a, b: a - b, None, {}),
    "mul": (lambda a, b: a * b, None, {}),
    "div": (lambda a, b: a / b, None, {"min_abs": 0.5}),
    "maximum": (gu.maximum, torch.maximum, {}),
    "minimum": (gu.minimum, torch.minimum, {}),
}


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", BINARY)
@PROPERTY
@given(shapes=mutually_broadcastable_shapes(num_shapes=2, max_dims=4, max_side=4), seed=SEEDS)
def test_binary_broadcast_shapes_and_grads_match_torch(name, dtype, shapes, seed):
    fn, torch_fn, data = BINARY[name]
    sa, sb = shapes.input_shapes
    out, (a, b) = check_against_torch(
        fn, [sa, sb], dtype=dtype, torch_fn=torch_fn, seed=seed, **data
    )
    assert out.shape == np.broadcast_shapes(sa, sb) == shapes.result_shape
    assert a.grad.shape == sa
    assert b.grad.shape == sb


@pytest.mark.parametrize("number", ["x_number", "y_number", "tensors"])
@PROPERTY
@given(shapes=mutually_broadcastable_shapes(num_shapes=3, max_dims=4, max_side=4), seed=SEEDS)
def test_where_broadcast_shapes_and_grads_match_torch(number, shapes, seed):
    sc, sx, sy = shapes.input_shapes
    cond = np.asarray(np.random.default_rng(seed).random(sc) > 0.5)
    if number == "x_number":
        fn, inputs = (lambda c, y: gu.where(c, 1.5, y)), [cond, sy]
        torch_fn = lambda c, y: torch.where(c, 1.5, y)  # noqa: E731
        expected = np.broadcast_shapes(sc, sy)
    elif number == "y_number":
        fn, inputs = (lambda c, x: gu.where(c, x, -1.0)), [cond, sx]
        torch_fn = lambda c, x: torch.where(c, x, -1.0)  # noqa: E731
        expected = np.broadcast_shapes(sc, sx)
    else:
        fn, inputs, torch_fn = gu.where, [cond, sx, sy], torch.where
        expected = shapes.result_shape
    out, tensors = check_against_torch(fn, inputs, torch_fn=torch_fn, seed=seed)
    assert out.shape == expected
    for t in tensors[1:]:
        assert t.grad.shape == t.shape


@PROPERTY
@given(shapes=mutually_broadcastable_shapes(num_shapes=2, max_dims=4, max_side=4), seed=SEEDS)
def test_add_grad_is_upstream_summed_over_broadcast_axes(shapes, seed):
    sa, sb = shapes.input_shapes
    rng = np.random.default_rng(seed)
    a = gu.tensor(rng.normal(size=sa), requires_grad=True)
    b = gu.tensor(rng.normal(size=sb), requires_grad=True)
    g = rng.normal(size=shapes.result_shape)
    (a + b).backward(gu.tensor(g))
    np.testing.assert_allclose(a.grad.numpy().sum(), g.sum(), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(b.grad.numpy().sum(), g.sum(), rtol=1e-10, atol=1e-10)


REDUCE = {
    "sum": lambda x, d, k: x.sum(d, keepdim=k),
    "mean": lambda x, d, k: x.mean(d, keepdim=k),
    "var": lambda x, d, k: x.var(d, keepdim=k, correction=0),
    "max": lambda x, d, k: x.max(d, keepdim=k),
    "softmax": lambda x, d, k: x.softmax(d),
}


@pytest.mark.parametrize("name", REDUCE)
@PROPERTY
@given(shape=array_shapes(min_dims=1, max_dims=4, max_side=4), data=st.data(), seed=SEEDS)
def test_reduce_over_random_dim_matches_torch(name, shape, data, seed):
    dim = data.draw(st.integers(-len(shape), len(shape) - 1), label="dim")
    keepdim = data.draw(st.booleans(), label="keepdim")
    fn = REDUCE[name]
    out, (x,) = check_against_torch(lambda t: fn(t, dim, keepdim), [shape], seed=seed)
    assert x.grad.shape == shape


@PROPERTY
@given(shape=array_shapes(min_dims=1, max_dims=3, max_side=5), data=st.data(), seed=SEEDS)
def test_integer_index_with_repeats_matches_torch(shape, data, seed):
    rows = data.draw(st.lists(st.integers(-shape[0], shape[0] - 1), max_size=8), label="rows")
    index = np.array(rows, dtype=np.int64)
    out, (x, _) = check_against_torch(lambda t, i: t[i], [shape, index], seed=seed)
    assert out.shape == (len(rows),) + shape[1:]
    assert x.grad.shape == shape
