"""Checkpoints: training stopped after epoch 2 and resumed ends bit-identical to a straight run."""

from __future__ import annotations

import importlib
import json

import numpy as np
import pytest

import groundup as gu
from groundup import io as gio
from groundup.io import safetensors as st
from groundup.random import generator

N_EPOCHS, STOP = 4, 2
_rng = np.random.default_rng(1)  # fixed data, independent of groundup's generator
X = _rng.standard_normal((40, 4)).astype(np.float32)
Y = _rng.standard_normal((40, 3)).astype(np.float32)


class TinyModel:
    """y = dropout(x) @ w + b, from plain tensors, with torch-style (load_)state_dict."""

    def __init__(self):
        self.w = gu.tensor(gu.randn(4, 3).data * 0.5, requires_grad=True)
        self.b = gu.zeros(3, requires_grad=True)

    def parameters(self):
        return [self.w, self.b]

    def __call__(self, x):
        keep = gu.tensor((gu.rand(*x.shape).data > 0.2).astype(np.float32) / 0.8)  # dropout
        return (x * keep) @ self.w + self.b

    def state_dict(self):
        return {"w": self.w.detach(), "b": self.b.detach()}

    def load_state_dict(self, state):
        assert set(state) == {"w", "b"} and all(isinstance(v, gu.Tensor) for v in state.values())
        self.w.data[...] = state["w"].data
        self.b.data[...] = state["b"].data


class MomentumSGD:
    """SGD with momentum (buf = m * buf + g; p -= lr * buf), torch's state_dict layout."""

    def __init__(self, params, lr, momentum):
        self.params = list(params)
        self.param_groups = [{"lr": lr, "momentum": momentum, "betas": (0.9, 0.99)}]
        self.state = {}

    def step(self):
        group = self.param_groups[0]
        for i, p in enumerate(self.params):
            s = self.state.setdefault(i, {"step": 0, "momentum_buffer": np.zeros_like(p.data)})
            s["step"] += 1
            s["momentum_buffer"] *= group["momentum"]
            s["momentum_buffer"] += p.grad.data
            p.data -= group["lr"] * s["momentum_buffer"]

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    def state_dict(self):
        state = {i: {"step": s["step"], "momentum_buffer": s["momentum_buffer"].copy()}
                 for i, s in self.state.items()}  # fmt: skip
        groups = [{**g, "params": list(range(len(self.params)))} for g in self.param_groups]
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, sd):
        assert all(isinstance(i, int) for i in sd["state"])
        assert isinstance(sd["param_groups"][0]["betas"], tuple)
        self.state = {i: {"step": s["step"], "momentum_buffer": s["momentum_buffer"].copy()}
                      for i, s in sd["state"].items()}  # fmt: skip
        self.param_groups = [
            {k: v for k, v in g.items() if k != "params"} for g in sd["param_groups"]
        ]


class HalvingLR:
    """StepLR(step_size=1, gamma=0.5) stand-in."""

    def __init__(self, optimizer):
        self.optimizer, self.last_epoch = optimizer, 0
        self.base_lrs = [g["lr"] for g in optimizer.param_groups]

    def step(self):
        self.last_epoch += 1
        for g, base in zip(self.optimizer.param_groups, self.base_lrs):
            g["lr"] = base * 0.5**self.last_epoch

    def state_dict(self):
        return {"last_epoch": self.last_epoch, "base_lrs": list(self.base_lrs)}

    def load_state_dict(self, sd):
        self.last_epoch, self.base_lrs = sd["last_epoch"], list(sd["base_lrs"])


def _fresh(seed):
    gu.manual_seed(seed)
    model = TinyModel()
    opt = MomentumSGD(model.parameters(), lr=0.05, momentum=0.9)
    return model, opt, HalvingLR(opt)


def _epoch(model, opt, sched, history):
    perm = generator().permutation(len(X))  # minibatch order from groundup's generator
    losses = []
    for i in range(0, len(X), 8):
        idx = perm[i : i + 8]
        loss = ((model(gu.tensor(X[idx])) - gu.tensor(Y[idx])) ** 2).mean()
        loss.backward()
        opt.step()
        opt.zero_grad()
        losses.append(loss.item())
    sched.step()
    history.setdefault("loss", []).append(float(np.mean(losses)))


def _straight():
    model, opt, sched = _fresh(0)
    history = {}
    for _ in range(N_EPOCHS):
        _epoch(model, opt, sched, history)
    return model, opt, history


def _resumed(tmp_path, restore_rng=True):
    model, opt, sched = _fresh(0)
    history = {}
    for _ in range(STOP):
        _epoch(model, opt, sched, history)
    path = tmp_path / "ckpt.safetensors"
    gio.save_checkpoint(path, model, opt, sched, epoch=STOP, history=history, extra={"run": "a"})
    del model, opt, sched
    model, opt, sched = _fresh(123)  # other weights, other generator state
    ckpt = gio.load_checkpoint(path, model, opt, sched, rng=restore_rng)
    history = ckpt["history"]
    for _ in range(ckpt["epoch"], N_EPOCHS):
        _epoch(model, opt, sched, history)
    return model, opt, history, ckpt


def test_resumed_training_is_bit_identical_to_a_straight_run(tmp_path):
    model_a, opt_a, hist_a = _straight()
    model_b, opt_b, hist_b, ckpt = _resumed(tmp_path)
    assert np.array_equal(model_a.w.data, model_b.w.data)
    assert np.array_equal(model_a.b.data, model_b.b.data)
    assert hist_a == hist_b and len(hist_a["loss"]) == N_EPOCHS
    for i, s in opt_a.state.items():
        assert s["step"] == opt_b.state[i]["step"] == N_EPOCHS * 5
        assert np.array_equal(s["momentum_buffer"], opt_b.state[i]["momentum_buffer"])
    assert opt_a.param_groups == opt_b.param_groups
    assert ckpt["extra"] == {"run": "a"} and ckpt["epoch"] == STOP


def test_resume_without_the_rng_state_diverges(tmp_path):
    model_a, _, _ = _straight()
    model_b, _, _, _ = _resumed(tmp_path, restore_rng=False)
    assert not np.array_equal(model_a.w.data, model_b.w.data)  # so the RNG state matters


def test_checkpoint_layout_is_tensors_plus_json(tmp_path):
    model, opt, sched = _fresh(0)
    _epoch(model, opt, sched, {})
    path = tmp_path / "c.safetensors"
    gio.save_checkpoint(path, model, opt, sched, epoch=1, history={"loss": [1.0]})
    names = list(st.load_file(path))
    assert names == [
        "model.w",
        "model.b",
        "optimizer.state.0.momentum_buffer",
        "optimizer.state.1.momentum_buffer",
    ]
    meta = st.metadata(path)
    assert set(meta) == {
        "groundup.checkpoint", "model", "optimizer", "scheduler", "epoch", "history", "rng"
    }  # fmt: skip
    opt_json = json.loads(meta["optimizer"])  # step counts and hyperparameters: plain JSON
    assert opt_json["param_groups"][0]["lr"] == 0.025
    assert opt_json["state"]["__dict__"][0][1]["step"] == 5
    rng = json.loads(meta["rng"])  # 128-bit PCG64 state survives any JSON reader as strings
    assert rng["bit_generator"] == "PCG64" and "__int__" in rng["state"]["state"]


def test_load_checkpoint_returns_states_when_no_objects_are_given(tmp_path):
    gen = np.random.default_rng(5)
    gio.save_checkpoint(tmp_path / "c.safetensors", model={"w": gu.ones(2)}, rng=gen)
    expected = gen.random(3)
    ckpt = gio.load_checkpoint(tmp_path / "c.safetensors", rng=gen)
    assert np.array_equal(gen.random(3), expected)  # a given generator is restored too
    assert ckpt["epoch"] is None and ckpt["optimizer"] is None
    assert isinstance(ckpt["model"]["w"], gu.Tensor)


def test_load_checkpoint_names_a_missing_part(tmp_path):
    gio.save_checkpoint(tmp_path / "c.safetensors", model={"w": gu.ones(2)})
    model, opt, _ = _fresh(0)
    with pytest.raises(ValueError, match="holds no optimizer state"):
        gio.load_checkpoint(tmp_path / "c.safetensors", model, optimizer=opt)


def test_save_checkpoint_rejects_non_json_state(tmp_path):
    with pytest.raises(TypeError, match=r"save_checkpoint: extra\['fn'\]: a function"):
        gio.save_checkpoint(tmp_path / "c.safetensors", extra={"fn": lambda: 0})
    with pytest.raises(ValueError, match="'state' and 'param_groups'"):
        gio.save_checkpoint(tmp_path / "c.safetensors", optimizer={"lr": 0.1})


def _has(module: str, name: str) -> bool:
    try:
        return hasattr(importlib.import_module(module), name)
    except ImportError:
        return False


@pytest.mark.skipif(
    not (_has("groundup.nn", "Linear") and _has("groundup.optim", "Adam")),
    reason="groundup.nn.Linear / groundup.optim.Adam not built yet",
)
def test_resume_with_nn_linear_and_adam(tmp_path):
    from groundup import nn, optim

    def run(stop_at=None):
        gu.manual_seed(0)
        model = nn.Linear(4, 3)
        opt = optim.Adam(model.parameters(), lr=0.01)
        for epoch in range(N_EPOCHS):
            if epoch == stop_at:
                gio.save_checkpoint(tmp_path / "c.safetensors", model, opt, epoch=epoch)
                gu.manual_seed(7)
                model = nn.Linear(4, 3)
                opt = optim.Adam(model.parameters(), lr=0.01)
                gio.load_checkpoint(tmp_path / "c.safetensors", model, opt)
            perm = generator().permutation(len(X))
            for i in range(0, len(X), 8):
                idx = perm[i : i + 8]
                loss = ((model(gu.tensor(X[idx])) - gu.tensor(Y[idx])) ** 2).mean()
                opt.zero_grad()
                loss.backward()
                opt.step()
        return model.state_dict()

    straight, resumed = run(), run(stop_at=STOP)
    assert list(straight) == ["weight", "bias"]
    for k in straight:
        assert np.array_equal(straight[k].numpy(), resumed[k].numpy()), k


_SCHEDULERS = {
    "StepLR": lambda L, o: L.StepLR(o, step_size=2),
    "ReduceLROnPlateau": lambda L, o: L.ReduceLROnPlateau(o),
    "OneCycleLR": lambda L, o: L.OneCycleLR(o, max_lr=0.1, total_steps=10, cycle_momentum=False),
    "CosineAnnealingLR": lambda L, o: L.CosineAnnealingLR(o, T_max=10),
    "LinearLR": lambda L, o: L.LinearLR(o),
}


@pytest.mark.skipif(
    not (_has("groundup.nn", "Linear") and _has("groundup.optim", "Adagrad")),
    reason="groundup.nn.Linear / groundup.optim not built yet",
)
@pytest.mark.parametrize("opt_name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad"])
@pytest.mark.parametrize("sched_name", list(_SCHEDULERS))
def test_real_optimizer_and_scheduler_states_round_trip_exactly(tmp_path, opt_name, sched_name):
    from groundup import nn, optim
    from groundup.optim import lr_scheduler

    gu.manual_seed(0)
    model = nn.Linear(3, 2)

    def make():
        kwargs = {"momentum": 0.9} if opt_name == "SGD" else {}
        opt = getattr(optim, opt_name)(model.parameters(), lr=0.01, **kwargs)
        return opt, _SCHEDULERS[sched_name](lr_scheduler, opt)

    opt, sched = make()
    model(gu.tensor(X[:4, :3])).sum().backward()
    opt.step()
    sched.step(1.0) if sched_name == "ReduceLROnPlateau" else sched.step()
    gio.save_checkpoint(tmp_path / "c.safetensors", model, opt, sched)
    opt2, sched2 = make()
    gio.load_checkpoint(tmp_path / "c.safetensors", model, opt2, sched2)
    assert repr(sched2.state_dict()) == repr(sched.state_dict())  # values and types
    a, b = opt.state_dict(), opt2.state_dict()
    assert repr(a["param_groups"]) == repr(b["param_groups"])
    assert a["state"].keys() == b["state"].keys()
    for i, s in a["state"].items():
        assert s.keys() == b["state"][i].keys()
        for k, v in s.items():
            assert type(v) is type(b["state"][i][k]) and np.array_equal(v, b["state"][i][k]), k
