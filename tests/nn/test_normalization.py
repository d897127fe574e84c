"""BatchNorm1d/2d and LayerNorm against PyTorch with copied weights: outputs, gradients of the
input and parameters, running statistics over several steps, eval mode; gradcheck; errors."""

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import groundup as gu
from groundup import nn
from groundup.nn import functional as F

TOL = {"float32": (1e-5, 1e-6), "float64": (1e-7, 1e-9)}  # float64: summation order only
DTYPES = ["float32", "float64"]


def assert_close(ours, ref, what):
    ref = ref.detach()
    assert ours.shape == tuple(ref.shape), f"{what}: shape {ours.shape} != {tuple(ref.shape)}"
    assert ours.dtype.name == str(ref.dtype).removeprefix("torch."), f"{what}: dtype {ours.dtype}"
    if ours.dtype.kind != "f":
        np.testing.assert_array_equal(ours.numpy(), ref.numpy(), err_msg=what)
        return
    rtol, atol = TOL[ours.dtype.name]
    np.testing.assert_allclose(ours.numpy(), ref.numpy(), rtol, atol, err_msg=what)


def data(*shape, low=-2.0, high=2.0, seed=0):
    return np.random.default_rng(seed).uniform(low, high, shape)


def copy_from_torch(ours, ref, dtype):
    """Random affine parameters in ``ref``, then its state_dict loaded into ``ours``."""
    with torch.no_grad():
        for i, p in enumerate(ref.parameters()):
            p.copy_(torch.tensor(data(*p.shape, low=0.5, high=1.5, seed=10 + i)))
    ours.to(dtype)
    ref.to(getattr(torch, dtype))
    ours.load_state_dict({k: v.numpy() for k, v in ref.state_dict().items()})


def step_both(ours, ref, x):
    """One forward and backward of ``x`` through both; compares output and all gradients."""
    xg, xt = gu.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expected = ours(xg), ref(xt)
    assert_close(out, expected, "output")
    upstream = np.random.default_rng(1).standard_normal(x.shape).astype(x.dtype)
    out.backward(gu.tensor(upstream))
    expected.backward(torch.tensor(upstream))
    assert_close(xg.grad, xt.grad, "grad of input")
    for (name, p), q in zip(ours.named_parameters(), ref.parameters()):
        assert_close(p.grad, q.grad, f"grad of {name}")


def assert_same_state(ours, ref):
    ours_state, ref_state = ours.state_dict(), ref.state_dict()
    assert list(ours_state) == list(ref_state)
    for key, value in ref_state.items():
        assert_close(ours_state[key], value, key)


# ----------------------------------------------------------------------------- batch norm
BATCH_NORMS = [
    (nn.BatchNorm1d, torch.nn.BatchNorm1d, (8, 3)),
    (nn.BatchNorm1d, torch.nn.BatchNorm1d, (4, 3, 5)),
    (nn.BatchNorm2d, torch.nn.BatchNorm2d, (4, 3, 5, 2)),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("momentum", [0.1, 0.7, None])
@pytest.mark.parametrize("ours_cls, ref_cls, shape", BATCH_NORMS)
def test_batch_norm_train_then_eval_matches_torch(ours_cls, ref_cls, shape, momentum, dtype):
    ours, ref = ours_cls(3, momentum=momentum), ref_cls(3, momentum=momentum)
    copy_from_torch(ours, ref, dtype)
    for step in range(3):  # batches with different means and spreads
        step_both(ours, ref, (data(*shape, seed=step) * (step + 1) + step).astype(dtype))
        assert_same_state(ours, ref)
    ours.eval()
    ref.eval()
    step_both(ours, ref, data(*shape, seed=5).astype(dtype))
    assert_same_state(ours, ref)  # eval mode leaves the running statistics alone


@pytest.mark.parametrize("affine, track", [(False, True), (True, False), (False, False)])
@pytest.mark.parametrize("ours_cls, ref_cls, shape", BATCH_NORMS)
def test_batch_norm_options_match_torch(ours_cls, ref_cls, shape, affine, track):
    ours = ours_cls(3, affine=affine, track_running_stats=track)
    ref = ref_cls(3, affine=affine, track_running_stats=track)
    copy_from_torch(ours, ref, "float64")
    for step in range(2):
        step_both(ours, ref, data(*shape, seed=step) + step)
    ours.eval()
    ref.eval()
    step_both(ours, ref, data(*shape, seed=5))  # without running stats: batch stats again
    assert_same_state(ours, ref)


def test_batch_norm_state_dict_and_repr_match_torch():
    ours, ref = nn.BatchNorm2d(4, momentum=None), torch.nn.BatchNorm2d(4, momentum=None)
    assert list(ours.state_dict()) == list(ref.state_dict())
    keys = ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
    assert list(ours.state_dict()) == keys
    assert ours.num_batches_tracked.dtype == gu.int64
    assert repr(ours) == repr(ref)
    assert repr(nn.BatchNorm1d(3, affine=False)) == repr(torch.nn.BatchNorm1d(3, affine=False))
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in ref.named_buffers()]


def test_batch_norm_functional_without_running_stats_matches_torch():
    x, w, b = data(6, 4), data(4, seed=1), data(4, seed=2)
    xg, wg, bg = (gu.tensor(a, requires_grad=True) for a in (x, w, b))
    xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    out = F.batch_norm(xg, None, None, wg, bg, training=True, eps=1e-3)
    ref = TF.batch_norm(xt, None, None, wt, bt, training=True, eps=1e-3)
    assert_close(out, ref, "output")
    (out * out).sum().backward()
    (ref * ref).sum().backward()
    for ours_t, ref_t, name in [(xg, xt, "x"), (wg, wt, "weight"), (bg, bt, "bias")]:
        assert_close(ours_t.grad, ref_t.grad, f"grad of {name}")


def test_batch_norm_updates_running_stats_under_no_grad_like_torch():
    ours, ref = nn.BatchNorm1d(2), torch.nn.BatchNorm1d(2)
    x = data(5, 2)
    with gu.no_grad():
        ours(gu.tensor(x, dtype=gu.float32))
    with torch.no_grad():
        ref(torch.tensor(x, dtype=torch.float32))
    assert_same_state(ours, ref)


def test_gradcheck_batch_norm_train_and_eval():
    def run(training):
        rm, rv = gu.zeros(3, dtype=gu.float64), gu.ones(3, dtype=gu.float64) * 2.0
        return lambda x, w, b: F.batch_norm(x, rm, rv, w, b, training=training)

    inputs = [gu.tensor(data(4, 3, 2, seed=s), requires_grad=True) for s in range(1)]
    inputs += [gu.tensor(data(3, seed=s), requires_grad=True) for s in (1, 2)]
    assert gu.gradcheck(run(True), inputs)
    assert gu.gradcheck(run(False), inputs)


def test_batch_norm_errors_name_the_expected_shape():
    expected = r"BatchNorm1d\(num_features=3\): expected input of shape \(N, 3\) or \(N, 3, L\)"
    with pytest.raises(ValueError, match=expected + r", got \(4, 5\)"):
        nn.BatchNorm1d(3)(gu.zeros(4, 5))
    with pytest.raises(ValueError, match=r"expected input of shape \(N, 3, H, W\), got \(4, 3\)"):
        nn.BatchNorm2d(3)(gu.zeros(4, 3))
    with pytest.raises(ValueError, match="more than 1 value per channel when training"):
        nn.BatchNorm1d(3)(gu.zeros(1, 3))
    nn.BatchNorm1d(3).eval()(gu.zeros(1, 3))  # fine in eval mode
    with pytest.raises(ValueError, match="running_mean and running_var are needed"):
        F.batch_norm(gu.zeros(2, 3), None, None)


# ----------------------------------------------------------------------------- layer norm
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "normalized_shape, shape",
    [(5, (4, 5)), ((5,), (2, 3, 5)), ((3, 5), (2, 3, 5)), ((2, 3, 5), (2, 3, 5)), (4, (4,))],
)
def test_layer_norm_matches_torch(normalized_shape, shape, dtype):
    ours, ref = nn.LayerNorm(normalized_shape), torch.nn.LayerNorm(normalized_shape)
    copy_from_torch(ours, ref, dtype)
    step_both(ours, ref, (data(*shape) * 3 + 1).astype(dtype))


@pytest.mark.parametrize("affine, bias", [(False, True), (True, False)])
def test_layer_norm_without_affine_or_bias_matches_torch(affine, bias):
    ours = nn.LayerNorm((3, 4), eps=1e-3, elementwise_affine=affine, bias=bias)
    ref = torch.nn.LayerNorm((3, 4), eps=1e-3, elementwise_affine=affine, bias=bias)
    copy_from_torch(ours, ref, "float64")
    assert list(ours.state_dict()) == list(ref.state_dict())
    step_both(ours, ref, data(2, 3, 4))
    assert repr(ours) == repr(ref)


def test_gradcheck_layer_norm():
    shapes = [(3, 2, 4), (2, 4), (2, 4)]
    x, w, b = (gu.tensor(data(*s, seed=i), requires_grad=True) for i, s in enumerate(shapes))
    assert gu.gradcheck(lambda x, w, b: F.layer_norm(x, (2, 4), w, b), [x, w, b])
    assert gu.gradcheck(lambda x: F.layer_norm(x, 4), [x])


def test_layer_norm_rejects_a_shape_mismatch():
    expected = r"normalized_shape=\(4,\), expected input of shape \(\*, 4\), got \(2, 3\)"
    with pytest.raises(ValueError, match=expected):
        nn.LayerNorm(4)(gu.zeros(2, 3))
