"""Optimizers against PyTorch: 50-step trajectories on the same gradients and on a tiny
regression model, state keys and state dicts, exact resumption, argument checks."""

import numpy as np
import pytest
import torch

import groundup as gu
from groundup import optim

SHAPES = [(4, 3), (3,), (2, 2, 2)]

# (optimizer, keyword arguments): every main option of each optimizer
CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3, weight_decay=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ("SGD", dict(lr=0.05, momentum=0.5, maximize=True)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, betas=(0.4, 0.9), eps=1e-3)),  # lerp's other branch (1 - β1 >= 0.5)
    ("Adam", dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
    ("Adam", dict(lr=0.01, weight_decay=0.05, maximize=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, weight_decay=0.2, amsgrad=True, maximize=True)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, momentum=0.9, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, centered=True)),
    ("RMSprop", dict(lr=0.01, momentum=0.5, centered=True, maximize=True)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.5)),
    ("Adagrad", dict(lr=0.1, eps=1e-3, maximize=True)),
]
IDS = [f"{name}-{'-'.join(f'{k}={v}' for k, v in kw.items())}" for name, kw in CASES]


def _groups(params, split):
    """All params in one group, or two groups where the second has its own (halved) lr."""
    if not split:
        return params
    return [{"params": params[:2]}, {"params": params[2:], "lr": 0.5 * split}]


def _run_both(name, kwargs, steps=50, dtype="float32", split=0.0, seed=0):
    """The same random weights and gradients through both libraries' optimizers.

    The last parameter gets no gradient every third step (both skip it then)."""
    rng = np.random.default_rng(seed)
    init = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
    grads = [[rng.standard_normal(s).astype(dtype) for s in SHAPES] for _ in range(steps)]
    ours = [gu.tensor(w, requires_grad=True) for w in init]
    theirs = [torch.tensor(w, requires_grad=True) for w in init]
    opt = getattr(optim, name)(_groups(ours, split), **kwargs)
    ref = getattr(torch.optim, name)(_groups(theirs, split), **kwargs)
    for k in range(steps):
        for i, (a, b) in enumerate(zip(ours, theirs)):
            skip = i == len(SHAPES) - 1 and k % 3 == 1
            a.grad = None if skip else gu.tensor(grads[k][i])
            b.grad = None if skip else torch.tensor(grads[k][i])
        opt.step()
        ref.step()
    return ours, theirs, opt, ref


def _assert_close(ours, theirs, rtol=1e-5, atol=1e-6):
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.data, b.detach().numpy(), rtol=rtol, atol=atol)


@pytest.mark.parametrize("name, kwargs", CASES, ids=IDS)
def test_optimizer_matches_torch_over_50_steps(name, kwargs):
    ours, theirs, opt, ref = _run_both(name, kwargs)
    _assert_close(ours, theirs)
    for a, b in zip(ours, theirs):  # same state, same keys, float32 throughout
        assert a.dtype == np.float32
        assert set(opt.state[a]) == set(ref.state[b])
        for key, value in opt.state[a].items():
            if key == "step":
                assert value == ref.state[b]["step"].item()
            else:
                assert value.dtype == np.float32, key
                np.testing.assert_allclose(value, ref.state[b][key].numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name, kwargs", CASES[1::3], ids=IDS[1::3])
def test_optimizer_param_groups_with_own_lr_match_torch(name, kwargs):
    ours, theirs, opt, _ = _run_both(name, kwargs, split=kwargs["lr"])
    _assert_close(ours, theirs)
    assert [g["lr"] for g in opt.param_groups] == [kwargs["lr"], 0.5 * kwargs["lr"]]


@pytest.mark.parametrize("name, kwargs", CASES[::2], ids=IDS[::2])
def test_optimizer_float64_matches_torch_and_stays_float64(name, kwargs):
    ours, theirs, opt, _ = _run_both(name, kwargs, dtype="float64")
    _assert_close(ours, theirs, rtol=1e-10, atol=1e-12)
    assert all(a.dtype == np.float64 for a in ours)
    arrays = [v for state in opt.state.values() for v in state.values() if hasattr(v, "dtype")]
    assert all(v.dtype == np.float64 for v in arrays)


def _fit_regression(name, kwargs, dtype, steps=50):
    """A 3-8-1 tanh network fitted by each library on the same minibatches from the same
    initial weights; returns (weights, losses) for groundup, then for PyTorch.

    Minibatches keep the gradient noisy, as in training: with one full batch the variance
    that centered RMSprop divides by shrinks to rounding noise. ``maximize`` runs maximize
    the negated loss, so every run converges (a diverging run amplifies rounding)."""
    rng = np.random.default_rng(1)
    X = rng.standard_normal((32, 3)).astype(dtype)
    y = (X @ np.array([[1.0], [-2.0], [0.5]]) + 0.1).astype(dtype)
    init = [0.5 * rng.standard_normal(s).astype(dtype) for s in [(3, 8), (8,), (8, 1), (1,)]]
    batches = [rng.choice(32, size=8, replace=False) for _ in range(steps)]
    sign = -1.0 if kwargs.get("maximize") else 1.0
    results = []
    for lib, lib_optim in ((gu, optim), (torch, torch.optim)):
        params = [lib.tensor(w, requires_grad=True) for w in init]
        opt = getattr(lib_optim, name)(params, **kwargs)
        w1, b1, w2, b2 = params
        losses = []
        for idx in batches:
            xb, yb = lib.tensor(X[idx]), lib.tensor(y[idx])

            def closure(opt=opt, xb=xb, yb=yb, w1=w1, b1=b1, w2=w2, b2=b2):
                opt.zero_grad()
                loss = sign * ((((xb @ w1 + b1).tanh() @ w2 + b2) - yb) ** 2).mean()
                loss.backward()
                return loss

            losses.append(sign * opt.step(closure).item())
        results.append(([p.detach().numpy() for p in params], losses))
    return results


@pytest.mark.parametrize("name, kwargs", CASES, ids=IDS)
@pytest.mark.parametrize("dtype, rtol, atol", [("float32", 1e-5, 1e-6), ("float64", 1e-10, 1e-12)])
def test_optimizer_trains_regression_model_like_torch(name, kwargs, dtype, rtol, atol):
    (ours, our_losses), (theirs, their_losses) = _fit_regression(name, kwargs, dtype)
    for a, b in zip(ours, theirs):
        assert a.dtype == dtype
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)
    np.testing.assert_allclose(our_losses, their_losses, rtol=rtol, atol=atol)
    assert np.mean(our_losses[-5:]) < np.mean(our_losses[:5])


def test_step_closure_runs_with_grad_and_returns_loss():
    w = gu.tensor([2.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.25)

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    with gu.no_grad():
        loss = opt.step(closure)
    assert loss.item() == 4.0
    assert w.item() == 1.0  # 2 - 0.25 * 4


def test_step_skips_params_without_grad_and_bumps_versions():
    a, b = gu.ones(2, requires_grad=True), gu.ones(2, requires_grad=True)
    opt = optim.Adam([a, b])
    a.grad = gu.ones(2)
    version = a.version
    opt.step()
    assert b.tolist() == [1.0, 1.0] and b not in opt.state
    assert opt.state[a]["step"] == 1 and a.version > version


def test_step_rejects_a_gradient_of_the_wrong_shape_or_dtype():
    w = gu.ones(3, requires_grad=True)
    opt = optim.Adam([w])
    w.grad = gu.ones(3, dtype=gu.float64)
    with pytest.raises(RuntimeError, match="dtype float32 has a gradient of shape .* float64"):
        opt.step()
    w.grad = gu.ones(2)
    with pytest.raises(RuntimeError, match=r"shape \(3,\) .* gradient of shape \(2,\)"):
        opt.step()


def test_zero_grad_to_none_or_to_zeros():
    w = gu.ones(3, requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    w.grad = gu.ones(3)
    grad = w.grad
    opt.zero_grad(set_to_none=False)
    assert w.grad is grad and w.grad.tolist() == [0.0, 0.0, 0.0]
    opt.zero_grad()
    assert w.grad is None


@pytest.mark.parametrize("name, kwargs", CASES, ids=IDS)
def test_load_state_dict_continues_bit_identically(name, kwargs):
    ours, _, opt, _ = _run_both(name, kwargs, steps=10)
    saved_weights = [p.data.copy() for p in ours]
    saved = opt.state_dict()
    grads = [np.random.default_rng(5).standard_normal(s).astype("float32") for s in SHAPES]

    def run(params, optimizer):
        for _ in range(5):
            for p, g in zip(params, grads):
                p.grad = gu.tensor(g)
            optimizer.step()
        return [p.data for p in params]

    expected = run(ours, opt)
    fresh = [gu.tensor(w, requires_grad=True) for w in saved_weights]
    opt2 = getattr(optim, name)(fresh, lr=123.0)  # every hyperparameter comes from the dict
    opt2.load_state_dict(saved)
    assert opt2.param_groups[0]["lr"] == kwargs["lr"]
    for a, b in zip(run(fresh, opt2), expected):
        np.testing.assert_array_equal(a, b)


def test_state_dict_layout_matches_torch_and_is_a_copy():
    ours, theirs, opt, ref = _run_both("Adam", dict(lr=0.01, amsgrad=True), steps=3, split=0.1)
    sd, ref_sd = opt.state_dict(), ref.state_dict()
    assert [g["params"] for g in sd["param_groups"]] == [[0, 1], [2]]
    assert [g["params"] for g in ref_sd["param_groups"]] == [[0, 1], [2]]
    for group, ref_group in zip(sd["param_groups"], ref_sd["param_groups"]):
        assert all(group[key] == ref_group[key] for key in group)
    assert sorted(sd["state"]) == sorted(ref_sd["state"])
    for i, state in sd["state"].items():
        assert set(state) == set(ref_sd["state"][i])
        assert state["step"] == 3 or i == 2
        assert isinstance(state["exp_avg"], np.ndarray)
    before = sd["state"][0]["exp_avg"].copy()
    ours[0].grad = gu.ones(*SHAPES[0])
    opt.step()
    np.testing.assert_array_equal(sd["state"][0]["exp_avg"], before)


@pytest.mark.parametrize("name, kwargs", [CASES[2], CASES[7], CASES[13], CASES[16]])
def test_load_state_dict_from_torch_continues_like_torch(name, kwargs):
    ours, theirs, opt, ref = _run_both(name, kwargs, steps=5)
    torch_sd = ref.state_dict()  # tensors, and step as a float tensor
    fresh = [gu.tensor(p.detach().numpy(), requires_grad=True) for p in theirs]
    opt2 = getattr(optim, name)(fresh)
    opt2.load_state_dict(torch_sd)
    rng = np.random.default_rng(9)
    for _ in range(10):
        for a, b in zip(fresh, theirs):
            g = rng.standard_normal(a.shape).astype("float32")
            a.grad, b.grad = gu.tensor(g), torch.tensor(g)
        opt2.step()
        ref.step()
    _assert_close(fresh, theirs)


def test_load_state_dict_rejects_mismatches():
    a, b = gu.ones(2, 3, requires_grad=True), gu.ones(3, requires_grad=True)
    opt = optim.Adam([a, b])
    a.grad, b.grad = gu.ones(2, 3), gu.ones(3)
    opt.step()
    sd = opt.state_dict()
    with pytest.raises(ValueError, match="has 1 parameter groups, but the optimizer has 2"):
        optim.Adam([{"params": [a]}, {"params": [b]}]).load_state_dict(sd)
    with pytest.raises(ValueError, match="group 0 has 2 parameters in the state dict, but 1"):
        optim.Adam([a]).load_state_dict(sd)
    swapped = optim.Adam([b, a])
    with pytest.raises(ValueError, match=r"'exp_avg' of parameter 0 has shape \(2, 3\)"):
        swapped.load_state_dict(sd)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: optim.SGD(p, lr=-1.0), "Invalid learning rate: -1.0"),
        (lambda p: optim.SGD(p, momentum=-0.5), "Invalid momentum value: -0.5"),
        (lambda p: optim.SGD(p, weight_decay=-1), "Invalid weight_decay value: -1"),
        (lambda p: optim.SGD(p, nesterov=True), "Nesterov momentum requires a momentum"),
        (lambda p: optim.Adam(p, eps=-1e-8), "Invalid epsilon value: -1e-08"),
        (lambda p: optim.Adam(p, betas=(1.0, 0.999)), "Invalid beta parameter at index 0: 1.0"),
        (lambda p: optim.AdamW(p, betas=(0.9, -0.1)), "Invalid beta parameter at index 1"),
        (lambda p: optim.RMSprop(p, alpha=-0.1), "Invalid alpha value: -0.1"),
        (lambda p: optim.Adagrad(p, lr_decay=-1), "Invalid lr_decay value: -1"),
        (lambda p: optim.Adagrad(p, initial_accumulator_value=-1), "initial_accumulator_value"),
        (lambda p: optim.Adam([{"params": p, "lr": -2.0}]), "Invalid learning rate: -2.0"),
        (lambda p: optim.SGD([], lr=0.1), "empty parameter list"),
        (lambda p: optim.SGD(p + p, lr=0.1), "same tensor twice"),
        (lambda p: optim.SGD([{"params": p}, {"params": p}]), "more than one parameter group"),
        (lambda p: optim.SGD([p[0] * 2]), "non-leaf"),
    ],
)
def test_optimizer_rejects_bad_arguments(make, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        make([gu.ones(2, requires_grad=True)])


def test_optimizer_rejects_wrong_kinds_of_params():
    with pytest.raises(TypeError, match="floating-point"):
        optim.SGD([gu.tensor([1, 2])])
    with pytest.raises(TypeError, match="but got a Tensor"):
        optim.SGD(gu.ones(2, requires_grad=True))
    with pytest.raises(TypeError, match="got a set"):
        optim.SGD({gu.ones(2, requires_grad=True)})
    with pytest.raises(TypeError, match="only optimize Tensors"):
        optim.SGD([np.ones(2)])


def test_add_param_group_and_named_params_and_repr():
    w, b = gu.ones(2, requires_grad=True), gu.zeros(1, requires_grad=True)
    opt = optim.SGD([("w", w)], lr=0.1, momentum=0.9)
    opt.add_param_group({"params": b, "lr": 0.01})
    assert opt.param_groups[0]["param_names"] == ["w"]
    assert opt.param_groups[1]["params"] == [b]
    assert opt.param_groups[1]["momentum"] == 0.9 and opt.param_groups[1]["lr"] == 0.01
    assert repr(opt).startswith("SGD (\nParameter Group 0\n    dampening: 0")
    assert "Parameter Group 1\n    dampening: 0" in repr(opt)


def test_adagrad_creates_its_state_at_construction_like_torch():
    w = gu.ones(2, requires_grad=True)
    opt = optim.Adagrad([w], initial_accumulator_value=0.25)
    assert opt.state[w]["step"] == 0 and opt.state[w]["sum"].tolist() == [0.25, 0.25]
