"""Keras-style ``Model.fit``: history, validation, verbosity, seeding, lazy layers,
schedulers, and equality with the same training loop written by hand in groundup and PyTorch."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from model_helpers import class_data as make_data
from model_helpers import dense_mlp as mlp
from model_helpers import to_torch, weights

import groundup as gu
from groundup import nn, optim
from groundup.nn import functional as F
from groundup.optim.lr_scheduler import OneCycleLR, ReduceLROnPlateau, StepLR


# ---------------------------------------------------------------------- fit
def test_fit_history_keys_with_validation_data():
    X, y = make_data(64)
    model = mlp()
    model.compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy"])
    history = model.fit(X, y, epochs=3, batch_size=16, validation_data=(X[:16], y[:16]), verbose=0)
    assert history is model.history
    assert list(history.history) == ["loss", "accuracy", "val_loss", "val_accuracy"]
    assert all(len(v) == 3 for v in history.history.values())
    assert history.epoch == [0, 1, 2]
    last = model.evaluate(X[:16], y[:16], return_dict=True)
    assert history.history["val_loss"][-1] == pytest.approx(last["loss"], rel=1e-6)
    assert history.history["val_accuracy"][-1] == last["accuracy"]


def test_fit_validation_split_holds_out_the_end_like_keras():
    X, y = make_data(40)
    gu.manual_seed(0)
    split = mlp()
    start = weights(split)
    split.compile(optimizer="sgd", loss="cross_entropy")
    history = split.fit(
        X, y, epochs=2, batch_size=8, validation_split=0.25, shuffle=False, verbose=0
    )
    cut = mlp()  # trained on the first 30 samples only, from the same weights
    cut.load_state_dict(start)
    cut.compile(optimizer="sgd", loss="cross_entropy")
    cut.fit(X[:30], y[:30], epochs=2, batch_size=8, shuffle=False, verbose=0)
    for key, value in weights(split).items():
        np.testing.assert_array_equal(value, weights(cut)[key])
    assert history.history["val_loss"][-1] == pytest.approx(
        split.evaluate(X[30:], y[30:]), rel=1e-6
    )
    with pytest.raises(ValueError, match="too few"):
        split.fit(X[:1], y[:1], validation_split=0.5, verbose=0)
    with pytest.raises(ValueError, match=r"validation_split must be in \(0, 1\)"):
        split.fit(X, y, validation_split=1.5, verbose=0)


@pytest.mark.parametrize("verbose", [0, 2, 1])
def test_fit_verbose_output(capsys, verbose):
    X, y = make_data(40)
    model = mlp()
    model.compile(optimizer="sgd", loss="cross_entropy", metrics=["accuracy"])
    model.fit(X, y, epochs=3, batch_size=16, verbose=verbose)
    out, err = capsys.readouterr()
    if verbose == 0:
        assert (out, err) == ("", "")
    elif verbose == 2:
        lines = out.splitlines()
        assert len(lines) == 3 and err == ""
        for epoch, line in enumerate(lines, start=1):
            assert line.startswith(f"Epoch {epoch}/3 - ") and " - loss: " in line
            assert " - accuracy: " in line
    else:  # a tqdm bar per epoch on stderr, with the epoch's numbers at the end
        assert out == ""
        assert "Epoch 1/3" in err and "Epoch 3/3" in err and "accuracy=" in err


def _trained(seed: int, shuffle: bool = True) -> dict[str, np.ndarray]:
    X, y = make_data(64)
    gu.manual_seed(seed)
    model = mlp()
    model.add(nn.Dropout(0.2))
    model.compile(optimizer="adam", loss="cross_entropy")
    model.fit(X, y, epochs=2, batch_size=8, shuffle=shuffle, verbose=0)
    return weights(model)


def test_fit_is_bit_identical_under_manual_seed():
    first, second, other = _trained(0), _trained(0), _trained(1)
    for key in first:
        np.testing.assert_array_equal(first[key], second[key])
    assert any(not np.array_equal(first[k], other[k]) for k in first)


@pytest.mark.parametrize("hand_made_optimizer", [False, True])
def test_fit_trains_every_layer_including_lazy_ones(hand_made_optimizer):
    X, y = make_data(64)
    gu.manual_seed(0)
    model = gu.Model()
    model.add(nn.Dense(16, activation="relu", input_dim=5))
    model.add(nn.Dense(8, activation="relu"))  # lazy: no input_dim
    model.add(nn.Dense(3))
    before = weights(model)
    opt = optim.Adam(model.parameters(), lr=1e-2) if hand_made_optimizer else "adam"
    model.compile(optimizer=opt, loss="cross_entropy")
    model.fit(X, y, epochs=1, batch_size=16, verbose=0)
    after = weights(model)
    assert list(after) == [f"{i}.{p}" for i in range(3) for p in ("weight", "bias")]
    for key in after:
        assert not np.allclose(before[key], after[key]), key


def test_fit_builds_a_model_without_input_dim_from_the_data():
    X, y = make_data(32)
    model = gu.Model()
    model.add(nn.Dense(8, activation="relu"))
    model.add(nn.Dense(3))
    assert list(model.parameters()) == []
    model.compile(optimizer="sgd", loss="cross_entropy")
    model.fit(X, y, verbose=0)
    assert model.state_dict()["0.weight"].shape == (8, 5)
    assert len(model.optimizer.param_groups[0]["params"]) == 4


def test_compile_scheduler_steps_once_per_epoch():
    X, y = make_data(32)
    model = mlp()
    model.compile(
        optimizer="sgd", loss="cross_entropy", scheduler=lambda o: StepLR(o, 1, gamma=0.5)
    )
    history = model.fit(X, y, epochs=3, batch_size=16, verbose=0)
    assert history.history["learning_rate"] == [0.01, 0.005, 0.0025]  # the lr each epoch used
    assert model.optimizer.param_groups[0]["lr"] == 0.00125


@pytest.mark.parametrize("with_validation", [True, False])
def test_reduce_lr_on_plateau_gets_val_loss(with_validation):
    class Spy(ReduceLROnPlateau):
        seen: list

        def step(self, metrics):
            self.seen.append(metrics)
            super().step(metrics)

    X, y = make_data(48)
    model = mlp()
    opt = optim.SGD(model.parameters(), lr=0.1)
    spy = Spy(opt, patience=0)
    spy.seen = []
    model.compile(optimizer=opt, loss="cross_entropy", scheduler=spy)
    val = (X[:16], y[:16]) if with_validation else None
    history = model.fit(X, y, epochs=3, batch_size=16, validation_data=val, verbose=0)
    assert spy.seen == history.history["val_loss" if with_validation else "loss"]


def test_one_cycle_scheduler_steps_per_batch():
    X, y = make_data(48)
    model = mlp()
    opt = optim.SGD(model.parameters(), lr=0.1)
    sched = OneCycleLR(opt, max_lr=0.1, total_steps=6)  # 2 epochs of 3 batches
    model.compile(optimizer=opt, loss="cross_entropy", scheduler=sched)
    model.fit(X, y, epochs=2, batch_size=16, verbose=0)
    assert sched.last_epoch == 6


def test_scheduler_made_for_another_optimizer_raises():
    X, y = make_data(16)
    model = mlp()
    other = optim.SGD(mlp().parameters(), lr=0.1)
    model.compile(optimizer="sgd", loss="cross_entropy", scheduler=StepLR(other, 1))
    with pytest.raises(ValueError, match="scheduler was made for another optimizer"):
        model.fit(X, y, verbose=0)


def test_fit_initial_epoch(capsys):
    X, y = make_data(32)
    model = mlp()
    model.compile(optimizer="sgd", loss="cross_entropy")
    history = model.fit(X, y, epochs=3, initial_epoch=1, verbose=2)
    assert history.epoch == [1, 2] and len(history.history["loss"]) == 2
    assert capsys.readouterr().out.splitlines()[0].startswith("Epoch 2/3")


@pytest.mark.filterwarnings("ignore:overflow encountered", "ignore:invalid value encountered")
def test_fit_stops_with_a_warning_on_a_non_finite_loss():
    X, y = make_data(32)
    model = gu.Model([nn.Dense(1, input_dim=5)])
    model.compile(optimizer="sgd", loss="mse")
    with pytest.warns(RuntimeWarning, match="the loss is (inf|nan)"):
        history = model.fit(X * 1e30, y * 1e30, epochs=5, verbose=0)
    assert len(history.history["loss"]) == 1


def test_fit_keeps_integer_inputs_for_an_embedding_model():
    rng = np.random.default_rng(0)
    tokens = rng.integers(0, 10, size=(32, 3))
    y = (tokens[:, 0] > 4).astype(np.int64)
    model = gu.Model([nn.Embedding(10, 4), nn.Flatten(), nn.Dense(2)])
    model.compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy"])
    history = model.fit(tokens, y, epochs=2, batch_size=8, verbose=0)
    assert len(history.history["accuracy"]) == 2
    assert model.predict(tokens).shape == (32, 2)


# ---------------------------------------------------------------------- equivalence
def test_fit_equals_hand_written_loop_in_groundup_and_torch():
    X, y = make_data(100, d=5)
    gu.manual_seed(0)
    model = mlp()
    start = weights(model)
    model.compile(optimizer="sgd", loss="cross_entropy")
    history = model.fit(X, y, epochs=3, batch_size=16, shuffle=False, verbose=0)

    net = nn.Sequential(nn.Linear(5, 16), nn.ReLU(), nn.Linear(16, 3))
    torch_net = torch.nn.Sequential(torch.nn.Linear(5, 16), torch.nn.ReLU(), torch.nn.Linear(16, 3))
    renamed = {k.replace("1.", "2.", 1) if k.startswith("1.") else k: v for k, v in start.items()}
    net.load_state_dict(renamed)
    torch_net.load_state_dict(to_torch(renamed))
    sgd, torch_sgd = (
        optim.SGD(net.parameters(), lr=0.01),
        torch.optim.SGD(torch_net.parameters(), lr=0.01),
    )
    torch_losses = []
    for _ in range(3):
        total = 0.0
        for i in range(0, 100, 16):
            loss = F.cross_entropy(net(gu.from_numpy(X[i : i + 16])), gu.from_numpy(y[i : i + 16]))
            sgd.zero_grad()
            loss.backward()
            sgd.step()
            xb, yb = torch.from_numpy(X[i : i + 16]), torch.from_numpy(y[i : i + 16])
            torch_loss = TF.cross_entropy(torch_net(xb), yb)
            torch_sgd.zero_grad()
            torch_loss.backward()
            torch_sgd.step()
            total += torch_loss.item() * len(xb)
        torch_losses.append(total / 100)
    fitted = weights(model)
    for key, value in net.state_dict().items():
        gu_key = key.replace("2.", "1.", 1) if key.startswith("2.") else key
        np.testing.assert_allclose(fitted[gu_key], value.numpy(), rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(
            fitted[gu_key], torch_net.state_dict()[key].numpy(), rtol=1e-5, atol=1e-5
        )
    np.testing.assert_allclose(history.history["loss"], torch_losses, rtol=1e-5)
