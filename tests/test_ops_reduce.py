"""Reductions against PyTorch (float64 and float32) and gradcheck: sum, mean, var, std,
max/min (with and without dim, ties), argmax/argmin, prod (with zeros) and norm."""

import numpy as np
import pytest
import torch
from helpers import check_against_torch, check_gradcheck

import groundup as gu

SHAPE = (2, 3, 4)

# name: (groundup fn, torch fn or None for the same, data options)
REDUCE = {
    "sum_all": (lambda x: x.sum(), None, {}),
    "sum_dim": (lambda x: x.sum(1), None, {}),
    "sum_neg_dim": (lambda x: x.sum(-1), None, {}),
    "sum_tuple": (lambda x: x.sum((0, 2)), None, {}),
    "sum_neg_tuple_keepdim": (lambda x: x.sum((-1, 0), keepdim=True), None, {}),
    "sum_all_keepdim": (lambda x: x.sum(keepdim=True), lambda x: x.sum((0, 1, 2), True), {}),
    "sum_axis": (lambda x: x.sum(axis=1), None, {}),
    "mean_all": (lambda x: x.mean(), None, {}),
    "mean_dim": (lambda x: x.mean(0), None, {}),
    "mean_neg_dim_keepdim": (lambda x: x.mean(-2, keepdim=True), None, {}),
    "mean_tuple": (lambda x: x.mean((1, 2)), None, {}),
    "mean_axis": (lambda x: x.mean(axis=-1), None, {}),
    "var_all": (lambda x: x.var(), None, {}),
    "var_dim": (lambda x: x.var(1), None, {}),
    "var_neg_dim_keepdim": (lambda x: x.var(-1, keepdim=True), None, {}),
    "var_tuple": (lambda x: x.var((0, 2)), None, {}),
    "var_correction_0": (lambda x: x.var(1, correction=0), None, {}),
    "var_correction_2": (lambda x: x.var(-1, correction=2), None, {}),
    "var_unbiased_false": (
        lambda x: x.var(1, unbiased=False),
        lambda x: x.var(1, correction=0),
        {},
    ),
    "var_unbiased_true": (lambda x: x.var(0, True, True), None, {}),
    "var_axis": (lambda x: x.var(axis=2), None, {}),
    "std_all": (lambda x: x.std(), None, {}),
    "std_dim": (lambda x: x.std(1), None, {}),
    "std_tuple_keepdim": (lambda x: x.std((0, -1), keepdim=True), None, {}),
    "std_correction_0": (lambda x: x.std(-1, correction=0), None, {}),
    "std_unbiased_false": (
        lambda x: x.std(0, unbiased=False),
        lambda x: x.std(0, correction=0),
        {},
    ),
    "std_axis": (lambda x: x.std(axis=1), None, {}),
    "max_all": (lambda x: x.max(), None, {}),
    "min_all": (lambda x: x.min(), None, {}),
    "max_dim": (lambda x: x.max(1), None, {}),
    "max_neg_dim_keepdim": (lambda x: x.max(-1, keepdim=True), None, {}),
    "min_dim": (lambda x: x.min(0), None, {}),
    "min_axis": (lambda x: x.min(axis=2), None, {}),
    "max_values": (lambda x: x.max(dim=2).values, None, {}),
    "amax_tuple": (lambda x: x.amax((0, 2)), None, {}),
    "prod_all": (lambda x: x.prod(), None, {}),
    "prod_dim": (lambda x: x.prod(1), None, {}),
    "prod_neg_dim_keepdim": (lambda x: x.prod(-1, keepdim=True), None, {}),
    "prod_tuple": (lambda x: x.prod((0, 2)), lambda x: x.prod(2).prod(0), {}),
    "prod_axis": (lambda x: x.prod(axis=0), None, {}),
    "norm_default": (lambda x: x.norm(), None, {}),
    "norm_p1": (lambda x: x.norm(p=1), None, {"min_abs": 0.1}),
    "norm_p3": (lambda x: x.norm(p=3), None, {"min_abs": 0.1}),
    "norm_p2_dim": (lambda x: x.norm(2, dim=1), None, {}),
    "norm_p2_neg_dim_keepdim": (lambda x: x.norm(dim=-1, keepdim=True), None, {}),
    "norm_p2_tuple": (lambda x: x.norm(dim=(0, 2)), None, {}),
    "norm_p1_dim_keepdim": (lambda x: x.norm(1, 2, True), None, {"min_abs": 0.1}),
    "norm_p3_dim": (lambda x: x.norm(3, 0), None, {"min_abs": 0.1}),
    "norm_inf": (lambda x: x.norm(float("inf")), None, {}),
}


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", REDUCE)
def test_reduce_matches_torch(name, dtype):
    fn, torch_fn, data = REDUCE[name]
    check_against_torch(fn, [SHAPE], dtype=dtype, torch_fn=torch_fn, **data)


@pytest.mark.parametrize("name", REDUCE)
def test_reduce_gradcheck(name):
    fn, _, data = REDUCE[name]
    check_gradcheck(fn, [SHAPE], **data)


@pytest.mark.parametrize("name", ["sum_all", "mean_all", "max_all", "prod_all", "norm_default"])
def test_reduce_of_0d_matches_torch(name):
    fn, torch_fn, data = REDUCE[name]
    check_against_torch(fn, [()], torch_fn=torch_fn, **data)


# ---------------------------------------------------------------------- max/min ties

TIES = np.array([[1.0, 3.0, 3.0], [0.0, 3.0, -1.0]])


@pytest.mark.parametrize("op", ["max", "min"])
def test_max_min_all_ties_split_gradient_evenly(op):
    x = TIES if op == "max" else -TIES
    _, (t,) = check_against_torch(lambda a: getattr(a, op)(), [x])
    np.testing.assert_array_equal(t.grad.numpy(), [[0.0, 1 / 3, 1 / 3], [0.0, 1 / 3, 0.0]])


@pytest.mark.parametrize("op", ["max", "min"])
def test_max_min_dim_returns_values_and_indices(op):
    x = gu.tensor(np.array([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]]))
    out = getattr(x, op)(dim=1)
    values, indices = out
    assert out.values is values and out.indices is indices
    expected_values = [5.0, 7.0] if op == "max" else [1.0, 0.0]
    expected_indices = [1, 0] if op == "max" else [0, 1]
    np.testing.assert_array_equal(values.numpy(), np.array(expected_values, dtype=np.float32))
    assert indices.dtype == np.int64
    np.testing.assert_array_equal(indices.numpy(), expected_indices)


# ---------------------------------------------------------------------- argmax / argmin

ARG = {
    "argmax_all": lambda x: x.argmax(),
    "argmin_all": lambda x: x.argmin(),
    "argmax_dim": lambda x: x.argmax(1),
    "argmin_neg_dim": lambda x: x.argmin(-1),
    "argmax_dim_keepdim": lambda x: x.argmax(0, keepdim=True),
    "argmin_axis_keepdim": lambda x: x.argmin(axis=2, keepdim=True),
}


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", ARG)
def test_argmax_argmin_match_torch(name, dtype):
    check_against_torch(ARG[name], [SHAPE], dtype=dtype, grad=False)


DIM_TIES = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0], [0.0, -1.0, -1.0]])


@pytest.mark.parametrize(
    "fn",
    [
        lambda x: x.max(1),
        lambda x: x.min(1),
        lambda x: x.max(0, keepdim=True),
        lambda x: x.min(-1, keepdim=True),
    ],
    ids=["max_dim1", "min_dim1", "max_dim0_keepdim", "min_neg_dim_keepdim"],
)
def test_max_min_dim_ties_pick_first_index_like_torch(fn):
    check_against_torch(fn, [DIM_TIES])


@pytest.mark.parametrize("name", ARG)
def test_argmax_argmin_ties_pick_first_index_like_torch(name):
    check_against_torch(ARG[name], [DIM_TIES[None].repeat(2, axis=0)], grad=False)


# ---------------------------------------------------------------------- prod with zeros

ONE_ZERO = np.array([[2.0, 0.0, 3.0], [1.5, -2.0, 0.5]])
TWO_ZEROS = np.array([[2.0, 0.0, 0.0], [0.0, -2.0, 0.5]])

PROD = {
    "all": lambda x: x.prod(),
    "dim0": lambda x: x.prod(0),
    "dim1": lambda x: x.prod(1),
    "dim_keepdim": lambda x: x.prod(-1, keepdim=True),
}


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("x", [ONE_ZERO, TWO_ZEROS], ids=["one_zero", "two_zeros"])
@pytest.mark.parametrize("name", PROD)
def test_prod_with_zeros_matches_torch(name, x, dtype):
    check_against_torch(PROD[name], [x], dtype=dtype)


@pytest.mark.parametrize("x", [ONE_ZERO, TWO_ZEROS], ids=["one_zero", "two_zeros"])
@pytest.mark.parametrize("name", PROD)
def test_prod_with_zeros_gradcheck(name, x):
    check_gradcheck(PROD[name], [x])


def test_prod_one_zero_grad_is_product_of_others():
    x = gu.tensor(np.array([2.0, 0.0, 3.0]), requires_grad=True)
    x.prod().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 6.0, 0.0])


# ---------------------------------------------------------------------- norm at zero


def test_norm_of_zeros_has_zero_grad_like_torch():
    check_against_torch(lambda x: x.norm(dim=1), [np.array([[0.0, 0.0], [3.0, 4.0]])])


def test_sum_of_int_and_bool_is_int64():
    assert gu.tensor([1, 2, 3]).sum().dtype == np.int64
    assert gu.tensor([True, False, True]).sum().item() == 2
    assert torch.tensor([True, False, True]).sum().dtype == torch.int64
