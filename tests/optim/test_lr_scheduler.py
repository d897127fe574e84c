"""Learning-rate schedules against PyTorch over 100 epochs, state-dict round trips, errors."""

import json

import numpy as np
import pytest
import torch

import groundup as gu
from groundup import optim
from groundup.optim import lr_scheduler

EPOCHS = 100

# (scheduler, keyword arguments, optimizer); each runs on two groups (lr 0.1 and 0.05)
CASES = [
    ("StepLR", dict(step_size=7, gamma=0.5), "SGD"),
    ("MultiStepLR", dict(milestones=[10, 30, 30, 60], gamma=0.3), "SGD"),
    ("ExponentialLR", dict(gamma=0.95), "SGD"),
    ("CosineAnnealingLR", dict(T_max=30, eta_min=1e-3), "SGD"),  # past T_max: periodic
    ("CosineAnnealingLR", dict(T_max=100), "Adam"),
    ("LinearLR", dict(), "SGD"),
    ("LinearLR", dict(start_factor=0.25, end_factor=0.9, total_iters=20), "Adam"),
    ("LambdaLR", dict(lr_lambda=lambda e: 0.97**e + 0.01 * (e % 3)), "SGD"),
    ("LambdaLR", dict(lr_lambda=[lambda e: 1.0 / (e + 1), lambda e: 0.9**e]), "SGD"),
    ("OneCycleLR", dict(max_lr=[1.0, 0.5], total_steps=EPOCHS + 1), "SGD"),
    ("OneCycleLR", dict(max_lr=0.3, total_steps=EPOCHS + 1, three_phase=True), "Adam"),
    (
        "OneCycleLR",
        dict(max_lr=0.3, epochs=11, steps_per_epoch=10, anneal_strategy="linear", pct_start=0.4),
        "SGD",
    ),
    ("OneCycleLR", dict(max_lr=0.3, total_steps=EPOCHS + 1, cycle_momentum=False), "Adagrad"),
]
IDS = [f"{name}-{i}" for i, (name, _, _) in enumerate(CASES)]


def _optimizers(opt_name):
    """The same two-group optimizer in each library (SGD with momentum, for OneCycleLR)."""
    kwargs = {"momentum": 0.9} if opt_name == "SGD" else {}
    made = []
    for lib, lib_optim in ((gu, optim), (torch, torch.optim)):
        w, b = lib.zeros(2, requires_grad=True), lib.zeros(1, requires_grad=True)
        groups = [{"params": [w]}, {"params": [b], "lr": 0.05}]
        made.append(getattr(lib_optim, opt_name)(groups, lr=0.1, **kwargs))
    return made


def _history(opt, sched, epochs, metrics=None):
    """lr (and momentum / beta1) of each group after construction and each step."""

    def snapshot():
        groups = opt.param_groups
        return [sched.get_last_lr(), [g.get("momentum", g.get("betas", (0,))[0]) for g in groups]]

    rows = [snapshot()]
    for epoch in range(epochs):
        opt.step()
        sched.step() if metrics is None else sched.step(metrics[epoch])
        rows.append(snapshot())
    return rows


@pytest.mark.parametrize("name, kwargs, opt_name", CASES, ids=IDS)
def test_scheduler_matches_torch_over_100_epochs(name, kwargs, opt_name):
    ours, theirs = _optimizers(opt_name)
    sched = getattr(lr_scheduler, name)(ours, **kwargs)
    ref = getattr(torch.optim.lr_scheduler, name)(theirs, **kwargs)
    np.testing.assert_allclose(
        _history(ours, sched, EPOCHS), _history(theirs, ref, EPOCHS), rtol=1e-12, atol=0
    )
    assert sched.last_epoch == ref.last_epoch == EPOCHS
    assert sched.base_lrs == ref.base_lrs
    assert [g["lr"] for g in ours.param_groups] == sched.get_last_lr()


PLATEAU_CASES = [
    dict(patience=3),
    dict(patience=2, factor=0.5, cooldown=3, min_lr=[0.01, 0.02]),
    dict(mode="max", threshold_mode="abs", threshold=0.01, patience=1, factor=0.7),
    dict(mode="min", threshold_mode="abs", threshold=0.05, patience=4, eps=1e-3),
]


def _metrics():
    """A noisy validation loss that improves, then plateaus."""
    rng = np.random.default_rng(0)
    e = np.arange(EPOCHS)
    return (np.maximum(1.0 - 0.02 * e, 0.4) + 0.02 * rng.standard_normal(EPOCHS)).tolist()


@pytest.mark.parametrize("kwargs", PLATEAU_CASES)
def test_reduce_lr_on_plateau_matches_torch(kwargs):
    ours, theirs = _optimizers("SGD")
    metrics = _metrics() if kwargs.get("mode") != "max" else [-m for m in _metrics()]
    sched = lr_scheduler.ReduceLROnPlateau(ours, **kwargs)
    ref = torch.optim.lr_scheduler.ReduceLROnPlateau(theirs, **kwargs)
    ours_rows = _history(ours, sched, EPOCHS, metrics)
    np.testing.assert_allclose(ours_rows, _history(theirs, ref, EPOCHS, metrics), rtol=1e-12)
    assert ours_rows[-1][0] != ours_rows[0][0]  # the lr was cut at least once
    assert (sched.best, sched.num_bad_epochs) == (ref.best, ref.num_bad_epochs)


def test_reduce_lr_on_plateau_takes_a_tensor_metric():
    opt, _ = _optimizers("SGD")
    sched = lr_scheduler.ReduceLROnPlateau(opt, patience=0)
    sched.step(gu.tensor(1.0))
    sched.step(gu.tensor(2.0))
    assert sched.get_last_lr() == [0.1 * 0.1, 0.05 * 0.1]


def _make(name, kwargs, opt_name):
    opt, _ = _optimizers(opt_name)
    if name == "ReduceLROnPlateau":
        return opt, lr_scheduler.ReduceLROnPlateau(opt, **kwargs)
    return opt, getattr(lr_scheduler, name)(opt, **kwargs)


ROUND_TRIP = [*CASES, ("ReduceLROnPlateau", PLATEAU_CASES[1], "SGD")]


@pytest.mark.parametrize("name, kwargs, opt_name", ROUND_TRIP, ids=[*IDS, "Plateau"])
def test_scheduler_state_dict_round_trip_through_json(name, kwargs, opt_name):
    metrics = _metrics() if name == "ReduceLROnPlateau" else None
    opt, sched = _make(name, kwargs, opt_name)
    _history(opt, sched, 40, metrics)
    saved = {"sched": json.loads(json.dumps(sched.state_dict())), "opt": opt.state_dict()}
    expected = _history(opt, sched, 30, metrics and metrics[40:])

    opt2, sched2 = _make(name, kwargs, opt_name)  # a fresh run, restored from the files
    opt2.load_state_dict(saved["opt"])
    sched2.load_state_dict(saved["sched"])
    assert sched2.last_epoch == 40
    assert _history(opt2, sched2, 30, metrics and metrics[40:]) == expected


def test_lambda_lr_saves_the_state_of_callable_objects():
    class Warmup:
        def __init__(self):
            self.scale = 2.0

        def __call__(self, epoch):
            return self.scale * epoch

    opt, _ = _optimizers("SGD")
    f = Warmup()
    sched = lr_scheduler.LambdaLR(opt, f)
    f.scale = 3.0
    saved = sched.state_dict()
    assert saved["lr_lambdas"] == [{"scale": 3.0}, {"scale": 3.0}]
    g = Warmup()
    sched2 = lr_scheduler.LambdaLR(_optimizers("SGD")[0], g)
    sched2.load_state_dict(saved)
    assert g.scale == 3.0 and sched2.lr_lambdas == [g, g]


def test_scheduler_sets_initial_lr_and_resumes_from_it():
    opt, _ = _optimizers("SGD")
    sched = lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    assert [g["initial_lr"] for g in opt.param_groups] == [0.1, 0.05]
    for _ in range(3):
        sched.step()
    resumed = lr_scheduler.StepLR(opt, step_size=2, gamma=0.5, last_epoch=3)
    assert resumed.base_lrs == [0.1, 0.05] and resumed.last_epoch == 4
    assert resumed.get_last_lr() == [0.025, 0.0125]


def test_one_cycle_cycles_adam_beta1():
    opt, _ = _optimizers("Adam")
    sched = lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=10, base_momentum=0.8)
    assert opt.param_groups[0]["betas"] == (0.95, 0.999)
    for _ in range(2):  # step 2 = 0.3 * 10 - 1: the end of the rise
        sched.step()
    assert opt.param_groups[0]["betas"] == (0.8, 0.999)  # the peak of the lr: beta1 lowest


@pytest.mark.parametrize(
    "make, error, message",
    [
        (lambda o: lr_scheduler.StepLR(o, 2, last_epoch=3), KeyError, "initial_lr"),
        (lambda o: lr_scheduler.StepLR("sgd", 2), TypeError, "str is not an Optimizer"),
        (lambda o: lr_scheduler.LinearLR(o, start_factor=0), ValueError, "Starting"),
        (lambda o: lr_scheduler.LinearLR(o, end_factor=2), ValueError, "Ending"),
        (lambda o: lr_scheduler.LambdaLR(o, [lambda e: 1.0]), ValueError, "Expected 2"),
        (lambda o: lr_scheduler.OneCycleLR(o, 1.0), ValueError, "either total_steps"),
        (lambda o: lr_scheduler.OneCycleLR(o, 1.0, total_steps=0), ValueError, "positive"),
        (lambda o: lr_scheduler.OneCycleLR(o, [1.0], 5), ValueError, "max_lr must have"),
        (lambda o: lr_scheduler.OneCycleLR(o, 1.0, 5, pct_start=2.0), ValueError, "pct_start"),
        (lambda o: lr_scheduler.OneCycleLR(o, 1.0, 5, anneal_strategy="x"), ValueError, "anneal"),
        (lambda o: lr_scheduler.ReduceLROnPlateau(o, factor=1.0), ValueError, "Factor"),
        (lambda o: lr_scheduler.ReduceLROnPlateau(o, mode="up"), ValueError, "mode up"),
        (lambda o: lr_scheduler.ReduceLROnPlateau(o, min_lr=[0.0]), ValueError, "2 min_lrs"),
    ],
)
def test_scheduler_rejects_bad_arguments(make, error, message):
    with pytest.raises(error, match=message):
        make(_optimizers("SGD")[0])


def test_one_cycle_stops_after_total_steps_and_needs_momentum():
    opt, _ = _optimizers("SGD")
    sched = lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=3)
    for _ in range(3):
        sched.step()
    with pytest.raises(ValueError, match="Tried to step 4 times"):
        sched.step()
    with pytest.raises(ValueError, match="momentum or beta1"):
        lr_scheduler.OneCycleLR(_optimizers("Adagrad")[0], max_lr=1.0, total_steps=3)
