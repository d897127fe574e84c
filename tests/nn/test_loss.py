"""Losses against PyTorch (float32 and float64: values and gradients of input and target),
gradcheck on the fused ops, stability for huge logits, and the argument errors."""

import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import groundup as gu
from groundup import nn
from groundup.nn import functional as F

TOL = {"float32": (1e-5, 1e-6), "float64": (1e-7, 1e-9)}  # float64: summation order only
DTYPES = ["float32", "float64"]
REDUCTIONS = ["mean", "sum", "none"]


def assert_close(ours, ref, what):
    assert ours.shape == tuple(ref.shape), f"{what}: shape {ours.shape} != {tuple(ref.shape)}"
    assert ours.dtype.name == str(ref.dtype).removeprefix("torch."), f"{what}: dtype {ours.dtype}"
    rtol, atol = TOL[ours.dtype.name]
    np.testing.assert_allclose(ours.numpy(), ref.detach().numpy(), rtol, atol, err_msg=what)


def run_both(ours, theirs, arrays, grads, dtype):
    """ours(*gu tensors) vs theirs(*torch tensors) on the same arrays (floats cast to dtype):
    the outputs, then the gradients of the inputs numbered in ``grads`` after a backward pass
    of the same seeded upstream gradient."""
    arrays = [a.astype(dtype) if a.dtype.kind == "f" else a for a in arrays]
    ours_in = [gu.tensor(a, requires_grad=i in grads) for i, a in enumerate(arrays)]
    ref_in = [torch.tensor(a, requires_grad=i in grads) for i, a in enumerate(arrays)]
    out, ref = ours(*ours_in), theirs(*ref_in)
    assert_close(out, ref, "output")
    upstream = np.random.default_rng(1).standard_normal(tuple(ref.shape)).astype(dtype)
    out.backward(gu.tensor(upstream))
    ref.backward(torch.tensor(upstream))
    for i in grads:
        assert_close(ours_in[i].grad, ref_in[i].grad, f"grad of input {i}")
    return out, ours_in


def data(*shape, low=-2.0, high=2.0, seed=0):
    return np.random.default_rng(seed).uniform(low, high, shape)


def classes(shape, n_classes, seed=0):
    return np.random.default_rng(seed).integers(0, n_classes, shape)


# ----------------------------------------------------------------------------- regression
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", ["mse_loss", "l1_loss"])
def test_regression_loss_matches_torch(name, reduction, dtype):
    ours, theirs = getattr(F, name), getattr(TF, name)
    run_both(
        lambda x, y: ours(x, y, reduction=reduction),
        lambda x, y: theirs(x, y, reduction=reduction),
        [data(4, 3), data(4, 3, seed=1)],
        grads=(0, 1),
        dtype=dtype,
    )


@pytest.mark.parametrize(
    "module, ref", [(nn.MSELoss, torch.nn.MSELoss), (nn.L1Loss, torch.nn.L1Loss)]
)
def test_regression_loss_module_matches_torch(module, ref):
    run_both(
        module(reduction="sum"), ref(reduction="sum"), [data(5), data(5, seed=1)], (0,), "float32"
    )


def test_mse_loss_broadcast_target_warns_like_torch():
    with pytest.warns(UserWarning, match="different to the input size"):
        out = F.mse_loss(gu.tensor(data(4, 1)), gu.tensor(data(4, seed=1)), reduction="none")
    assert out.shape == (4, 4)


def test_mse_loss_int_target_is_cast_to_input_dtype():
    out = F.mse_loss(gu.tensor([1.0, 2.0]), gu.tensor([1, 0]))
    assert out.dtype == gu.float32 and out.item() == 2.0


# ----------------------------------------------------------------------------- binary
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy_matches_torch(reduction, weighted, dtype):
    arrays = [data(4, 3, low=0.02, high=0.98), data(4, 3, low=0, high=1, seed=1), data(3, seed=2)]
    run_both(
        lambda x, y, w: F.binary_cross_entropy(x, y, w if weighted else None, reduction=reduction),
        lambda x, y, w: TF.binary_cross_entropy(x, y, w if weighted else None, reduction=reduction),
        arrays,
        grads=(0, 1),
        dtype=dtype,
    )


def test_binary_cross_entropy_clamps_log_at_minus_100():
    x, y = gu.tensor([0.0, 1.0], requires_grad=True), gu.tensor([1.0, 0.0])
    loss = F.binary_cross_entropy(x, y, reduction="none")
    ref = TF.binary_cross_entropy(
        torch.tensor([0.0, 1.0]), torch.tensor([1.0, 0.0]), reduction="none"
    )
    assert loss.tolist() == ref.tolist() == [100.0, 100.0]
    loss.sum().backward()
    assert np.isfinite(x.grad.numpy()).all()


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("pos_weighted", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_with_logits_matches_torch(reduction, weighted, pos_weighted, dtype):
    arrays = [data(4, 3, low=-4, high=4), data(4, 3, low=0, high=1, seed=1)]
    arrays += [data(3, low=0.5, high=2, seed=2), data(3, low=0.5, high=3, seed=3)]

    def call(f):
        return lambda x, y, w, p: f(
            x,
            y,
            w if weighted else None,
            reduction=reduction,
            pos_weight=p if pos_weighted else None,
        )

    ours, theirs = (
        call(F.binary_cross_entropy_with_logits),
        call(TF.binary_cross_entropy_with_logits),
    )
    run_both(ours, theirs, arrays, grads=(0, 1), dtype=dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_bce_with_logits_is_stable_for_huge_logits(dtype):
    x = np.array([[1e4, -1e4, 80.0, -80.0, 0.0]])
    y = np.array([[0.0, 1.0, 1.0, 0.0, 1.0]])
    p, q = gu.tensor([2.0], dtype=dtype), torch.tensor([2.0], dtype=getattr(torch, dtype))
    out, (xg, _) = run_both(
        lambda x, y: F.binary_cross_entropy_with_logits(x, y, pos_weight=p),
        lambda x, y: TF.binary_cross_entropy_with_logits(x, y, pos_weight=q),
        [x, y],
        grads=(0,),
        dtype=dtype,
    )
    assert np.isfinite(out.item()) and np.isfinite(xg.grad.numpy()).all()


def test_bce_modules_keep_weights_as_buffers_like_torch():
    w, p = data(3, low=0.5, high=2), data(3, low=0.5, high=2, seed=1)
    ours = nn.BCEWithLogitsLoss(gu.tensor(w), pos_weight=gu.tensor(p))
    ref = torch.nn.BCEWithLogitsLoss(torch.tensor(w), pos_weight=torch.tensor(p))
    assert list(ours.state_dict()) == list(ref.state_dict()) == ["weight", "pos_weight"]
    run_both(ours, ref, [data(2, 3), data(2, 3, low=0, high=1, seed=1)], (0,), "float64")
    bce, ref_bce = nn.BCELoss(gu.tensor(w)), torch.nn.BCELoss(torch.tensor(w))
    run_both(
        bce, ref_bce, [data(2, 3, low=0.1, high=0.9), data(2, 3, low=0, high=1)], (0,), "float64"
    )


# ----------------------------------------------------------------------------- cross-entropy
SHAPES = [(6, 4), (3, 4, 2, 3), (5,)]  # (N, C), (N, C, d1, d2), unbatched (C,)


def index_target(shape, ignore_index, seed=0):
    """Class indices for logits of ``shape``, a few of them set to ``ignore_index``."""
    target_shape = () if len(shape) == 1 else shape[:1] + shape[2:]
    t = np.asarray(classes(target_shape, shape[-1] if len(shape) == 1 else shape[1], seed))
    if ignore_index is not None and t.ndim:
        t.reshape(-1)[::3] = ignore_index
    return t


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ignore_index", [None, -100, 1])
@pytest.mark.parametrize("smoothing", [0.0, 0.3])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", SHAPES)
def test_cross_entropy_indices_match_torch(
    shape, reduction, weighted, smoothing, ignore_index, dtype
):
    n_classes = shape[0] if len(shape) == 1 else shape[1]
    arrays = [data(*shape), index_target(shape, ignore_index), data(n_classes, low=0.2, high=3)]
    kw = dict(reduction=reduction, label_smoothing=smoothing, ignore_index=ignore_index or -100)
    run_both(
        lambda x, t, w: F.cross_entropy(x, t, w if weighted else None, **kw),
        lambda x, t, w: TF.cross_entropy(x, t, w if weighted else None, **kw),
        arrays,
        grads=(0,),
        dtype=dtype,
    )


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("smoothing", [0.0, 0.3])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", SHAPES)
def test_cross_entropy_probabilities_match_torch(shape, reduction, weighted, smoothing, dtype):
    n_classes = shape[0] if len(shape) == 1 else shape[1]
    class_axis = 0 if len(shape) == 1 else 1
    probs = data(*shape, low=0, high=1, seed=1)
    probs /= probs.sum(axis=class_axis, keepdims=True)
    arrays = [data(*shape), probs, data(n_classes, low=0.2, high=3, seed=2)]
    kw = dict(reduction=reduction, label_smoothing=smoothing)
    run_both(
        lambda x, t, w: F.cross_entropy(x, t, w if weighted else None, **kw),
        lambda x, t, w: TF.cross_entropy(x, t, w if weighted else None, **kw),
        arrays,
        grads=(0, 1),
        dtype=dtype,
    )


@pytest.mark.parametrize("dtype", DTYPES)
def test_cross_entropy_is_stable_for_huge_logits(dtype):
    x = np.array([[1e4, 0.0, -1e4], [-1e4, 1e4, 1e4], [3e4, -3e4, 0.0]])
    t = np.array([0, 2, 1])
    out, (xg, _) = run_both(
        lambda x, t: F.cross_entropy(x, t, label_smoothing=0.1),
        lambda x, t: TF.cross_entropy(x, t, label_smoothing=0.1),
        [x, t],
        grads=(0,),
        dtype=dtype,
    )
    assert np.isfinite(out.item()) and np.isfinite(xg.grad.numpy()).all()


def test_cross_entropy_all_ignored_mean_is_nan_like_torch():
    x, t = data(3, 4), np.full(3, -100)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # NaN comes quietly, as in PyTorch
        ours = F.cross_entropy(gu.tensor(x), gu.tensor(t)).item()
    assert np.isnan(ours) and np.isnan(TF.cross_entropy(torch.tensor(x), torch.tensor(t)).item())


def test_cross_entropy_module_matches_torch_and_keeps_weight_buffer():
    w = data(4, low=0.2, high=3)
    ours = nn.CrossEntropyLoss(gu.tensor(w), ignore_index=2, label_smoothing=0.1)
    ref = torch.nn.CrossEntropyLoss(torch.tensor(w), ignore_index=2, label_smoothing=0.1)
    assert list(ours.state_dict()) == list(ref.state_dict()) == ["weight"]
    assert list(nn.CrossEntropyLoss().state_dict()) == []  # no weight: no buffer in the dict
    run_both(ours, ref, [data(6, 4), classes(6, 4)], (0,), "float64")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ignore_index", [None, -100, 0])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", SHAPES)
def test_nll_loss_matches_torch(shape, reduction, weighted, ignore_index, dtype):
    n_classes = shape[0] if len(shape) == 1 else shape[1]
    arrays = [data(*shape), index_target(shape, ignore_index), data(n_classes, low=0.2, high=3)]
    kw = dict(reduction=reduction, ignore_index=ignore_index or -100)
    run_both(
        lambda x, t, w: F.nll_loss(x, t, w if weighted else None, **kw),
        lambda x, t, w: TF.nll_loss(x, t, w if weighted else None, **kw),
        arrays,
        grads=(0,),
        dtype=dtype,
    )


def test_nll_loss_module_on_log_softmax_equals_cross_entropy():
    x, t = gu.tensor(data(5, 3)), gu.tensor(classes(5, 3))
    nll = nn.NLLLoss(reduction="sum")(x.log_softmax(1), t)
    ce = nn.CrossEntropyLoss(reduction="sum")(x, t)
    np.testing.assert_allclose(nll.item(), ce.item(), rtol=1e-6)


# ----------------------------------------------------------------------------- gradcheck
def f64(*shape, low=-2.0, high=2.0, seed=0):
    return gu.tensor(data(*shape, low=low, high=high, seed=seed), requires_grad=True)


def test_gradcheck_cross_entropy_indices_weight_smoothing_ignore():
    t = gu.tensor(index_target((3, 4, 2), -100))
    w = gu.tensor(data(4, low=0.2, high=3), dtype=gu.float64)
    assert gu.gradcheck(lambda x: F.cross_entropy(x, t, w, label_smoothing=0.2), [f64(3, 4, 2)])
    fn = lambda x: F.cross_entropy(x, t, w, reduction="none")  # noqa: E731
    assert gu.gradcheck(fn, [f64(3, 4, 2)])


def test_gradcheck_cross_entropy_probabilities_input_and_target():
    w = gu.tensor(data(4, low=0.2, high=3), dtype=gu.float64)
    fn = lambda x, p: F.cross_entropy(x, p, w, label_smoothing=0.1)  # noqa: E731
    assert gu.gradcheck(fn, [f64(3, 4), f64(3, 4, low=0, high=1, seed=1)])


def test_gradcheck_nll_and_binary_and_regression_losses():
    t = gu.tensor(index_target((5, 3), 0))
    assert gu.gradcheck(lambda x: F.nll_loss(x, t, ignore_index=0), [f64(5, 3)])
    probs, y = f64(3, 2, low=0.05, high=0.95), f64(3, 2, low=0, high=1, seed=1)
    assert gu.gradcheck(lambda x, y: F.binary_cross_entropy(x, y, reduction="sum"), [probs, y])
    p = gu.tensor([0.5, 3.0], dtype=gu.float64)
    fn = lambda x, y: F.binary_cross_entropy_with_logits(x, y, pos_weight=p)  # noqa: E731
    assert gu.gradcheck(fn, [f64(3, 2, low=-5, high=5), y])
    assert gu.gradcheck(lambda a, b: F.mse_loss(a, b), [f64(3, 2), f64(3, 2, seed=1)])
    assert gu.gradcheck(
        lambda a, b: F.l1_loss(a, b, reduction="sum"), [f64(3, 2), f64(3, 2, seed=1)]
    )


# ----------------------------------------------------------------------------- errors
def test_cross_entropy_names_a_class_index_out_of_range():
    x = gu.tensor(data(3, 5))
    with pytest.raises(IndexError, match=r"target 7 is out of bounds for 5 classes"):
        F.cross_entropy(x, gu.tensor([0, 7, 1]))
    with pytest.raises(IndexError, match=r"target -1 is out of bounds"):
        F.nll_loss(x, gu.tensor([0, -1, 1]))


def test_cross_entropy_rejects_mismatched_target_shape_and_dtype():
    x = gu.tensor(data(3, 5))
    with pytest.raises(ValueError, match=r"class-index target of shape \(3,\).*got \(4,\)"):
        F.cross_entropy(x, gu.tensor([0, 1, 2, 3]))
    with pytest.raises(ValueError, match=r"class probabilities \(float\) of shape \(3, 5\)"):
        F.cross_entropy(x, gu.tensor([0.0, 1.0, 2.0]))
    with pytest.raises(TypeError, match="expected target of int64"):
        F.nll_loss(x, gu.tensor(data(3, 5)))
    with pytest.raises(TypeError, match="dtype bool"):
        F.cross_entropy(x, gu.tensor([True, False, True]))
    with pytest.raises(ValueError, match=r"one value per class, shape \(5,\)"):
        F.cross_entropy(x, gu.tensor([0, 1, 2]), gu.ones(4))


def test_losses_reject_bad_options_and_shapes():
    x = gu.tensor(data(3, 5))
    with pytest.raises(ValueError, match="label_smoothing must be between 0.0 and 1.0"):
        F.cross_entropy(x, gu.tensor([0, 1, 2]), label_smoothing=1.5)
    with pytest.raises(ValueError, match="reduction must be 'mean', 'sum' or 'none', got 'avg'"):
        nn.MSELoss(reduction="avg")
    with pytest.raises(ValueError, match=r"target shape \(3, 1\) must be the same as input"):
        F.binary_cross_entropy_with_logits(gu.zeros(3), gu.zeros(3, 1))
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.binary_cross_entropy(gu.tensor([0.5, 1.5]), gu.tensor([1.0, 0.0]))
    with pytest.raises(TypeError, match="floating-point input"):
        F.mse_loss(gu.tensor([1, 2]), gu.tensor([1, 2]))
