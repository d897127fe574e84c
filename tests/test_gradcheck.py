"""Tests of ``gu.gradcheck``: correct ops pass; a wrong backward is named by input and index."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch

import groundup as gu
from groundup.autograd import Function
from groundup.gradcheck import GradcheckError


def _inputs(*shapes, low=-1.0, high=1.0, requires_grad=True):
    rng = np.random.default_rng(0)
    return [gu.tensor(rng.uniform(low, high, s), requires_grad=requires_grad) for s in shapes]


# ---------------------------------------------------------------------- correct ops pass
@pytest.mark.parametrize(
    "fn, shapes",
    [
        (lambda x: (x * x).sum(), [(3,)]),
        (lambda x: x.exp(), [(2, 3)]),
        (lambda x: x.tanh() * x.sigmoid(), [(4,)]),
        (lambda x: x.softmax(-1), [(2, 3)]),
        (lambda x, y: x @ y, [(2, 3), (3, 4)]),
        (lambda x, y: x / (y * y + 1.0), [(2, 3), (3,)]),
        (lambda x, y: (x - y).abs().sum(0), [(3, 2), (1, 2)]),
        (lambda x: x.reshape(3, 2).T @ x.reshape(3, 2), [(6,)]),
        (lambda x: x[1:, ::2].mean(), [(3, 4)]),
        (lambda x, y: (x * y, x + y), [(3,), (3,)]),
        (lambda x: x.max(1), [(2, 3)]),
    ],
)
def test_gradcheck_passes_correct_ops(fn, shapes):
    assert gu.gradcheck(fn, _inputs(*shapes)) is True


def test_gradcheck_accepts_a_single_tensor():
    (x,) = _inputs((3,))
    assert gu.gradcheck(lambda x: x.sin(), x) is True


def test_gradcheck_passes_numbers_and_constant_tensors_through():
    x, c = _inputs((3,), (3,))
    c.requires_grad_(False)
    k = gu.tensor([1, 2, 3])
    assert gu.gradcheck(lambda x, c, k, s: x * c * k + s, [x, c, k, 2.5]) is True


def test_gradcheck_converts_inputs_to_float64_and_leaves_them_untouched():
    x = gu.tensor([0.5, -1.0, 2.0], requires_grad=True)
    k = gu.tensor([1, 2, 3])
    seen = set()

    def fn(x, k):
        seen.add((x.dtype, k.dtype))
        return x * x * k

    assert gu.gradcheck(fn, [x, k]) is True
    assert seen == {(gu.float64, gu.int64)}
    assert x.dtype == gu.float32 and x.grad is None
    assert x.tolist() == [0.5, -1.0, 2.0]


def test_gradcheck_without_input_requiring_grad_raises():
    with pytest.raises(ValueError, match="no input requires grad"):
        gu.gradcheck(lambda x: x * 2, [gu.ones(2)])


# ---------------------------------------------------------------------- wrong gradients caught
class WrongSquare(Function):
    """out = x**2 with a wrong backward: 3 x g instead of 2 x g."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return 3.0 * x * g


class WrongMulSecond(Function):
    """out = a * b with db wrong at the last element only."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        db = g * a
        db.reshape(-1)[-1] += 1.0
        return g * b, db


def test_gradcheck_error_is_a_runtime_error():
    assert issubclass(GradcheckError, RuntimeError)


def test_gradcheck_names_input_and_index_of_wrong_backward():
    x = gu.tensor([1.0, 2.0, 3.0], requires_grad=True)
    message = "gradient of output element 0 with respect to input 0 at index (0,)"
    with pytest.raises(GradcheckError, match=re.escape(message)):
        gu.gradcheck(WrongSquare.apply, [x])


def test_gradcheck_names_second_input_and_its_index():
    a, b = _inputs((2, 3), (2, 3))
    message = "gradient of output element 0 with respect to input 1 at index (1, 2)"
    with pytest.raises(GradcheckError, match=re.escape(message)):
        gu.gradcheck(WrongMulSecond.apply, [a, b])


def test_gradcheck_raise_exception_false_returns_false():
    a, b = _inputs((2, 3), (2, 3))
    assert gu.gradcheck(WrongMulSecond.apply, [a, b], raise_exception=False) is False
    (x,) = _inputs((3,))
    assert gu.gradcheck(lambda t: WrongSquare.apply(t).sum(), x, raise_exception=False) is False


class _TorchWrongSquare(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return 3.0 * x * g


@pytest.mark.parametrize(
    "ours, ref",
    [
        (lambda x: x.tanh().sum(), lambda x: x.tanh().sum()),
        (lambda x: x * x, lambda x: x * x),
        (WrongSquare.apply, _TorchWrongSquare.apply),
        (lambda x: WrongSquare.apply(x).exp(), lambda x: _TorchWrongSquare.apply(x).exp()),
    ],
    ids=["tanh", "square", "wrong-square", "wrong-square-exp"],
)
def test_gradcheck_verdict_matches_torch(ours, ref):
    data = np.array([0.3, -0.7, 1.1])
    x = gu.tensor(data, requires_grad=True)
    xt = torch.tensor(data, requires_grad=True)
    expected = torch.autograd.gradcheck(ref, (xt,), raise_exception=False)
    assert gu.gradcheck(ours, [x], raise_exception=False) is expected
