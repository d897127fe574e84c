"""Matrix products (1-D, 2-D, batched, broadcast batches) and softmax/log-softmax against
PyTorch (float64 and float32), plus gradcheck; large logits must not overflow."""

import numpy as np
import pytest
from helpers import check_against_torch, check_gradcheck

import groundup as gu

MATMUL_SHAPES = {
    "1d_1d": ((3,), (3,)),
    "1d_2d": ((3,), (3, 4)),
    "2d_1d": ((2, 3), (3,)),
    "2d_2d": ((2, 3), (3, 4)),
    "batched_2d": ((2, 3, 4), (4, 5)),
    "batched_batched": ((2, 3, 4), (2, 4, 5)),
    "broadcast_batch_1": ((1, 3, 4), (2, 4, 5)),
    "broadcast_batch_4d": ((2, 1, 3, 4), (3, 4, 5)),
    "2d_batched": ((3, 4), (2, 4, 5)),
    "1d_batched": ((4,), (2, 4, 5)),
    "batched_1d": ((2, 3, 4), (4,)),
}


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", MATMUL_SHAPES)
def test_matmul_matches_torch(name, dtype):
    check_against_torch(lambda a, b: a @ b, MATMUL_SHAPES[name], dtype=dtype)


@pytest.mark.parametrize("name", MATMUL_SHAPES)
def test_matmul_gradcheck(name):
    check_gradcheck(lambda a, b: a @ b, MATMUL_SHAPES[name])


def test_matmul_method_matches_operator():
    check_against_torch(lambda a, b: a.matmul(b), [(2, 3), (3, 4)])


def test_matmul_one_input_requires_grad():
    a = np.arange(6.0).reshape(2, 3)
    check_against_torch(lambda x, w: x @ w.detach(), [(4, 2), a])
    check_against_torch(lambda x, w: x.detach() @ w, [(4, 2), a])


def test_matmul_numpy_left_operand_uses_rmatmul():
    w = gu.tensor(np.arange(6.0).reshape(3, 2), requires_grad=True)
    left = np.ones((4, 3))
    out = left @ w
    assert isinstance(out, gu.Tensor)
    np.testing.assert_array_equal(out.numpy(), left @ w.numpy())
    out.sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), np.full((3, 2), 4.0))


# ---------------------------------------------------------------------- softmax

# name: (groundup fn, input shape, torch fn)
SOFTMAX = {}
for _op in ("softmax", "log_softmax"):
    for _shape, _dim in [((3, 4), 0), ((3, 4), 1), ((3, 4), -1), ((2, 3, 4), 1), ((5,), 0)]:
        SOFTMAX[f"{_op}_{len(_shape)}d_dim{_dim}"] = (
            lambda x, op=_op, d=_dim: getattr(x, op)(d),
            _shape,
            lambda x, op=_op, d=_dim: getattr(x, op)(d),
        )
    SOFTMAX[f"{_op}_default_dim"] = (
        lambda x, op=_op: getattr(x, op)(),
        (2, 3, 4),
        lambda x, op=_op: getattr(x, op)(-1),
    )
    SOFTMAX[f"{_op}_keyword_dim"] = (
        lambda x, op=_op: getattr(x, op)(dim=0),
        (3, 4),
        lambda x, op=_op: getattr(x, op)(dim=0),
    )


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", SOFTMAX)
def test_softmax_matches_torch(name, dtype):
    fn, shape, torch_fn = SOFTMAX[name]
    check_against_torch(fn, [shape], dtype=dtype, torch_fn=torch_fn, low=-3.0, high=3.0)


@pytest.mark.parametrize("name", SOFTMAX)
def test_softmax_gradcheck(name):
    fn, shape, _ = SOFTMAX[name]
    check_gradcheck(fn, [shape])


LARGE_LOGITS = np.array([[1000.0, 0.0, -1000.0], [1000.0, 1000.0, 999.0], [-1000.0, -999.0, 0.0]])


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
@pytest.mark.parametrize("dim", [0, 1])
def test_softmax_large_logits_do_not_overflow(op, dim, dtype):
    with np.errstate(over="raise", invalid="raise"):
        out, _ = check_against_torch(lambda x: getattr(x, op)(dim), [LARGE_LOGITS], dtype=dtype)
    assert np.isfinite(out.numpy()).all()


def test_softmax_rows_sum_to_one():
    x = gu.tensor(np.random.default_rng(0).normal(size=(4, 6)) * 10)
    np.testing.assert_allclose(x.softmax(-1).sum(-1).numpy(), np.ones(4), rtol=1e-6)
    np.testing.assert_allclose(x.log_softmax(-1).exp().sum(-1).numpy(), np.ones(4), rtol=1e-6)


MASK = np.array([[False, True, False, True], [False, False, False, True], [True, False] * 2])


@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
def test_softmax_of_masked_fill_with_minus_inf_matches_torch(op):
    # attention-style masking: -inf entries get probability 0 and no gradient
    def fn(x, m):
        return getattr(x.masked_fill(m, float("-inf")), op)(-1)

    out, (x, _) = check_against_torch(fn, [(3, 4), MASK])
    if op == "softmax":
        np.testing.assert_array_equal(out.numpy()[MASK], 0.0)
    np.testing.assert_array_equal(x.grad.numpy()[MASK], 0.0)


def test_softmax_of_masked_fill_gradcheck():
    check_gradcheck(lambda x, m: x.masked_fill(m, float("-inf")).softmax(-1), [(3, 4), MASK])
