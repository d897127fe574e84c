"""Elementwise ops against PyTorch (float64 and float32) and gradcheck: binary with
broadcasting, numbers on either side, unary functions, maximum/minimum ties, where, and
PyTorch's dtype promotion."""

import numpy as np
import pytest
import torch
from helpers import check_against_torch, check_gradcheck

import groundup as gu

BROADCAST_SHAPES = [
    ((3, 4), (4,)),
    ((2, 1, 4), (3, 1)),
    ((), (5,)),
    ((5,), ()),
    ((1,), (3, 1)),
    ((3, 4), (3, 4)),
]

# name: (groundup fn, torch fn or None for the same, data options)
BINARY = {
    "add": (lambda a, b: a + b, None, {}),
    "sub": (lambda a, b: a - b, None, {}),
    "mul": (lambda a, b: a * b, None, {}),
    "div": (lambda a, b: a / b, None, {"min_abs": 0.5}),
    "pow_tensor": (lambda a, b: a**b, None, {"low": 0.5, "high": 2.0}),
    "pow_method": (lambda a, b: a.pow(b), None, {"low": 0.5, "high": 2.0}),
    "maximum": (gu.maximum, torch.maximum, {}),
    "minimum": (gu.minimum, torch.minimum, {}),
}

# name: (groundup fn, torch fn or None for the same, data options)
UNARY = {
    "add_int": (lambda x: x + 3, None, {}),
    "radd_int": (lambda x: 3 + x, None, {}),
    "sub_float": (lambda x: x - 1.5, None, {}),
    "rsub_float": (lambda x: 2.0 - x, None, {}),
    "mul_float": (lambda x: x * 2.5, None, {}),
    "rmul_float": (lambda x: 2.5 * x, None, {}),
    "div_int": (lambda x: x / 4, None, {}),
    "rdiv_int": (lambda x: 1 / x, None, {"min_abs": 0.5}),
    "rpow_int": (lambda x: 2**x, None, {}),
    "rpow_float": (lambda x: 2.5**x, None, {}),
    "pow_2": (lambda x: x**2, None, {}),
    "pow_3": (lambda x: x**3, None, {}),
    "pow_neg_int": (lambda x: x**-2, None, {"min_abs": 0.5}),
    "pow_half": (lambda x: x**0.5, None, {"low": 0.5}),
    "pow_neg_float": (lambda x: x**-1.5, None, {"low": 0.5}),
    "pow_method_float": (lambda x: x.pow(3.0), None, {}),
    "neg": (lambda x: -x, None, {}),
    "exp": (lambda x: x.exp(), None, {}),
    "log": (lambda x: x.log(), None, {"low": 0.1}),
    "sqrt": (lambda x: x.sqrt(), None, {"low": 0.1}),
    "abs": (lambda x: x.abs(), None, {"min_abs": 0.1}),
    "abs_builtin": (abs, None, {"min_abs": 0.1}),
    "tanh": (lambda x: x.tanh(), None, {}),
    "sigmoid": (lambda x: x.sigmoid(), None, {}),
    "relu": (lambda x: x.relu(), None, {"min_abs": 0.1}),
    "sin": (lambda x: x.sin(), None, {}),
    "cos": (lambda x: x.cos(), None, {}),
    "clip": (lambda x: x.clip(-0.5, 0.5), lambda x: x.clamp(-0.5, 0.5), {}),
    "clip_min": (lambda x: x.clip(min=-0.5), lambda x: x.clamp(min=-0.5), {}),
    "clip_max": (lambda x: x.clip(max=0.5), lambda x: x.clamp(max=0.5), {}),
    "clamp_alias": (lambda x: x.clamp(-1.0, 1.0), None, {}),
}

UNARY_SHAPES = [(), (1,), (3, 4)]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("sa, sb", BROADCAST_SHAPES)
@pytest.mark.parametrize("name", BINARY)
def test_binary_matches_torch(name, sa, sb, dtype):
    fn, torch_fn, data = BINARY[name]
    check_against_torch(fn, [sa, sb], dtype=dtype, torch_fn=torch_fn, **data)


@pytest.mark.parametrize("sa, sb", BROADCAST_SHAPES)
@pytest.mark.parametrize("name", BINARY)
def test_binary_gradcheck(name, sa, sb):
    fn, _, data = BINARY[name]
    check_gradcheck(fn, [sa, sb], **data)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("shape", UNARY_SHAPES)
@pytest.mark.parametrize("name", UNARY)
def test_unary_matches_torch(name, shape, dtype):
    fn, torch_fn, data = UNARY[name]
    check_against_torch(fn, [shape], dtype=dtype, torch_fn=torch_fn, **data)


@pytest.mark.parametrize("shape", UNARY_SHAPES)
@pytest.mark.parametrize("name", UNARY)
def test_unary_gradcheck(name, shape):
    fn, _, data = UNARY[name]
    check_gradcheck(fn, [shape], **data)


def test_sigmoid_large_inputs_do_not_overflow():
    x = gu.tensor(np.array([-1000.0, 0.0, 1000.0], dtype=np.float32), requires_grad=True)
    with np.errstate(all="raise"):
        y = x.sigmoid()
        y.sum().backward()
    np.testing.assert_array_equal(y.numpy(), [0.0, 0.5, 1.0])
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.25, 0.0])


# one tensor on both sides of an op: both gradients reach it and add up
SAME_INPUT = {
    "add": (lambda x: x + x, None),
    "sub": (lambda x: x - x, None),
    "mul": (lambda x: x * x, None),
    "div": (lambda x: x / (x * x), None),
    "pow": (lambda x: x**x, None),
    "maximum": (lambda x: gu.maximum(x, x), lambda x: torch.maximum(x, x)),
    "minimum": (lambda x: gu.minimum(x, x), lambda x: torch.minimum(x, x)),
    "where": (lambda x: gu.where(x > 1.0, x, x * 2.0), lambda x: torch.where(x > 1.0, x, x * 2.0)),
}


@pytest.mark.parametrize("name", SAME_INPUT)
def test_binary_same_tensor_both_sides_matches_torch(name):
    fn, torch_fn = SAME_INPUT[name]
    check_against_torch(fn, [(3, 4)], torch_fn=torch_fn, low=0.5, high=2.0)


# ---------------------------------------------------------------------- pow at 0


def test_pow_zero_exponent_has_zero_grad_at_zero_base():
    # d(x**0)/dx is 0 everywhere in PyTorch, also at x = 0 (not 0 * 0**-1 = nan)
    check_against_torch(lambda x: x**0, [np.array([0.0, 1.0, -2.0])])


def test_pow_tensor_exponent_zero_base_matches_torch():
    a = np.array([0.0, 0.0, 2.0, 0.0])
    b = np.array([0.0, 2.0, 1.5, 1.0])
    check_against_torch(lambda x, y: x**y, [a, b])


# ---------------------------------------------------------------------- maximum / minimum ties


@pytest.mark.parametrize("op", ["maximum", "minimum"])
def test_maximum_minimum_ties_split_gradient_evenly(op):
    a = np.array([1.0, 2.0, 3.0, 4.0])
    b = np.array([1.0, 0.0, 3.0, 5.0])
    _, (x, y) = check_against_torch(getattr(gu, op), [a, b], torch_fn=getattr(torch, op))
    x.grad = y.grad = None
    getattr(gu, op)(x, y).sum().backward()
    winner_a = [0.5, 1.0, 0.5, 0.0] if op == "maximum" else [0.5, 0.0, 0.5, 1.0]
    np.testing.assert_array_equal(x.grad.numpy(), winner_a)
    np.testing.assert_array_equal(y.grad.numpy(), 1.0 - np.array(winner_a))


@pytest.mark.parametrize("op", ["maximum", "minimum"])
def test_maximum_minimum_ties_with_broadcasting_match_torch(op):
    a = np.ones((3, 1))
    b = np.array([1.0, 0.0, 1.0, 2.0])
    check_against_torch(getattr(gu, op), [a, b], torch_fn=getattr(torch, op))


@pytest.mark.parametrize("op", ["maximum", "minimum"])
def test_maximum_minimum_with_number_matches_torch(op):
    x = np.array([-1.0, 0.0, 2.0])

    def torch_fn(t):
        return getattr(torch, op)(t, torch.tensor(0.0, dtype=t.dtype))

    check_against_torch(lambda t: getattr(gu, op)(t, 0.0), [x], torch_fn=torch_fn)


# ---------------------------------------------------------------------- where

COND_34 = np.array([[True, False, True, False]] * 3)
COND_31 = np.array([[True], [False], [True]])

WHERE = {
    "tensors": (lambda c, x, y: gu.where(c, x, y), [COND_34, (3, 4), (3, 4)], None),
    "broadcast": (lambda c, x, y: gu.where(c, x, y), [COND_31, (4,), (3, 4)], None),
    "y_number": (
        lambda c, x: gu.where(c, x, 0.0),
        [COND_34, (3, 4)],
        lambda c, x: torch.where(c, x, 0.0),
    ),
    "x_number": (
        lambda c, y: gu.where(c, 1.5, y),
        [COND_31, (3, 4)],
        lambda c, y: torch.where(c, 1.5, y),
    ),
}


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", WHERE)
def test_where_matches_torch(name, dtype):
    fn, inputs, torch_fn = WHERE[name]
    check_against_torch(fn, inputs, dtype=dtype, torch_fn=torch_fn or torch.where)


@pytest.mark.parametrize("name", WHERE)
def test_where_gradcheck(name):
    fn, inputs, _ = WHERE[name]
    check_gradcheck(fn, inputs)


# ---------------------------------------------------------------------- dtype promotion

F32 = np.array([-1.5, 0.5, 2.0], dtype=np.float32)
F64 = np.array([0.25, -1.0, 3.0])
F64_0D = np.array(1.5)
F32_0D = np.array(1.5, dtype=np.float32)
I64 = np.array([-2, 1, 3])
I64_POS = np.array([1, 4, 9])
I64_0D = np.array(3)
I32 = np.array([1, -2, 5], dtype=np.int32)
BOOL = np.array([True, False, True])

# name: (fn, inputs, torch fn or None for the same)
PROMOTION = {
    "f32_mul_float": (lambda a: a * 2.5, [F32], None),
    "f32_add_int": (lambda a: a + 2, [F32], None),
    "f32_rsub_float": (lambda a: 1.5 - a, [F32], None),
    "f32_div_float": (lambda a: a / 3.0, [F32], None),
    "f32_pow_float": (lambda a: a**2.5, [np.abs(F32)], None),
    "f32_mul_numpy_float64_scalar": (lambda a: a * np.float64(2.5), [F32], None),
    "i64_add_float": (lambda a: a + 2.5, [I64], None),
    "i64_mul_int": (lambda a: a * 3, [I64], None),
    "i64_div_int": (lambda a: a / 2, [I64], None),
    "i64_div_i64": (lambda a, b: a / b, [I64, I64_POS], None),
    "int_rdiv_i64": (lambda a: 1 / a, [I64_POS], None),
    "f32_add_f64": (lambda a, b: a + b, [F32, F64], None),
    "f32_mul_f64_0d": (lambda a, b: a * b, [F32, F64_0D], None),
    "f32_pow_f64": (lambda a, b: a**b, [np.abs(F32), F64], None),
    "f64_0d_add_f32": (lambda a, b: a + b, [F64_0D, F32], None),
    "f32_0d_mul_f64": (lambda a, b: a * b, [F32_0D, F64], None),
    "f64_0d_add_i64": (lambda a, b: a + b, [F64_0D, I64], None),
    "i64_add_f32": (lambda a, b: a + b, [I64, F32], None),
    "i32_add_i64_0d": (lambda a, b: a + b, [I32, I64_0D], None),
    "i32_add_i64": (lambda a, b: a + b, [I32, I64], None),
    "bool_add_i64": (lambda a, b: a + b, [BOOL, I64], None),
    "bool_add_int": (lambda a: a + 1, [BOOL], None),
    "bool_mul_float": (lambda a: a * 1.5, [BOOL], None),
    "i64_pow_int": (lambda a: a**2, [I64], None),
    "i64_pow_float": (lambda a: a**0.5, [I64_POS], None),
    "float_rpow_i64": (lambda a: 2.5**a, [I64], None),
    "i64_exp": (lambda a: a.exp(), [I64], None),
    "i64_sqrt": (lambda a: a.sqrt(), [I64_POS], None),
    "i64_sigmoid": (lambda a: a.sigmoid(), [I64], None),
    "i64_abs": (lambda a: a.abs(), [I64], None),
    "i64_relu": (lambda a: a.relu(), [I64], None),
    "i64_clip_int": (lambda a: a.clip(-1, 1), [I64], lambda a: a.clamp(-1, 1)),
    "i64_clip_float": (lambda a: a.clip(0.5), [I64], lambda a: a.clamp(0.5)),
    "i64_maximum_f32": (gu.maximum, [I64, F32], torch.maximum),
    "where_i64_float": (
        lambda c, a: gu.where(c, a, 1.5),
        [BOOL, I64],
        lambda c, a: torch.where(c, a, 1.5),
    ),
    "where_f32_f64": (gu.where, [BOOL, F32, F64], torch.where),
    "where_f32_float": (
        lambda c, a: gu.where(c, a, 0.0),
        [BOOL, F32],
        lambda c, a: torch.where(c, a, 0.0),
    ),
    "i64_sum": (lambda a: a.sum(), [I64], None),
    "bool_sum": (lambda a: a.sum(), [BOOL], None),
    "f32_lt_f64": (lambda a, b: a < b, [F32, F64], None),
    "i64_eq_float": (lambda a: a == 1.0, [I64], None),
    "f32_ge_int": (lambda a: a >= 0, [F32], None),
    "i64_ne_f32": (lambda a, b: a != b, [I64, F32], None),
    "f64_le_i64": (lambda a, b: a <= b, [F64, I64], None),
    "f32_gt_f32": (lambda a, b: a > b, [F32, F32[::-1].copy()], None),
}


@pytest.mark.parametrize("name", PROMOTION)
def test_dtype_promotion_matches_torch(name):
    fn, inputs, torch_fn = PROMOTION[name]
    check_against_torch(fn, inputs, torch_fn=torch_fn)
