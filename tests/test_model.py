"""Keras-style ``gu.Model``: building, compile, fit, evaluate, predict and summary.

Losses are checked against PyTorch on the same weights and data; a whole ``fit`` against
the same training loop written by hand in groundup and in PyTorch.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from model_helpers import class_data as make_data
from model_helpers import dense_mlp as mlp
from model_helpers import to_torch

import groundup as gu
from groundup import nn, optim
from groundup.nn import functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 8)
        self.fc2 = nn.Linear(8, 3)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x)))


class TorchNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(4, 8)
        self.fc2 = torch.nn.Linear(8, 3)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))


# ---------------------------------------------------------------------- building
def test_model_add_builds_lazy_layers_with_layer_keys():
    gu.manual_seed(0)
    model = gu.Model()
    model.add(nn.Dense(8, activation="relu", input_dim=4))
    model.add(nn.Dense(3))
    shapes = {k: v.shape for k, v in model.state_dict().items()}
    assert shapes == {"0.weight": (8, 4), "0.bias": (8,), "1.weight": (3, 8), "1.bias": (3,)}
    assert len(list(model.parameters())) == 4  # the second layer is built right after add


def test_sequential_is_model_and_takes_a_list():
    assert gu.Sequential is gu.Model
    model = gu.Sequential([nn.Dense(8, input_dim=4), nn.ReLU(), nn.Dense(3)])
    assert list(model.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    model.add(nn.Softmax(dim=-1))
    assert model.predict(np.ones((2, 4))).sum(axis=1) == pytest.approx([1.0, 1.0])


def test_model_wrapping_module_keeps_its_keys_and_refuses_add():
    net = Net()
    model = gu.Model(net)
    assert list(model.state_dict()) == list(net.state_dict())
    with pytest.raises(TypeError, match="wraps a module"):
        model.add(nn.Dense(2))
    with pytest.raises(TypeError, match="expected a Module or a list"):
        gu.Model("dense")


def test_model_loads_torch_state_dict_and_predicts_like_torch():
    torch.manual_seed(0)
    X = np.random.default_rng(1).normal(size=(10, 4)).astype(np.float32)
    reference = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
    model = gu.Model()
    model.add(nn.Dense(8, input_dim=4))
    model.add(nn.ReLU())
    model.add(nn.Dense(3))
    model.load_state_dict({k: v.numpy() for k, v in reference.state_dict().items()})
    expected = reference(torch.from_numpy(X)).detach().numpy()
    np.testing.assert_allclose(model.predict(X, batch_size=4), expected, rtol=1e-5, atol=1e-6)

    wrapped, torch_net = gu.Model(Net()), TorchNet()
    wrapped.load_state_dict({k: v.numpy() for k, v in torch_net.state_dict().items()})
    expected = torch_net(torch.from_numpy(X)).detach().numpy()
    np.testing.assert_allclose(wrapped.predict(X), expected, rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------------- compile
@pytest.mark.parametrize(
    "name, cls, lr",
    [
        ("sgd", optim.SGD, 0.01),
        ("adam", optim.Adam, 1e-3),
        ("AdamW", optim.AdamW, 1e-3),
        ("rmsprop", optim.RMSprop, 1e-3),
        ("adagrad", optim.Adagrad, 1e-3),
    ],
)
def test_compile_optimizer_by_name_has_keras_learning_rate(name, cls, lr):
    X, y = make_data(32)
    model = mlp()
    model.compile(optimizer=name, loss="cross_entropy")
    model.fit(X, y, epochs=1, verbose=0)
    assert type(model.optimizer) is cls
    assert model.optimizer.param_groups[0]["lr"] == lr
    assert len(model.optimizer.param_groups[0]["params"]) == 4


def test_compile_default_optimizer_is_rmsprop_like_keras():
    X, y = make_data(32)
    model = mlp()
    model.compile(loss="cross_entropy")
    model.fit(X, y, verbose=0)
    assert isinstance(model.optimizer, optim.RMSprop)


def test_compile_with_instances_and_callable_metric():
    X, y = make_data(48)
    model = mlp()
    adam = optim.Adam(model.parameters(), lr=1e-2)
    seen = []

    def top1(y_true, output):
        seen.append((type(y_true), type(output), output.shape))
        return float((output.argmax(axis=1) == y_true).mean())

    model.compile(optimizer=adam, loss=nn.CrossEntropyLoss(), metrics=[top1, "accuracy"])
    history = model.fit(X, y, epochs=2, batch_size=16, verbose=0)
    assert model.optimizer is adam and adam.state  # the given instance did the steps
    assert history.history["top1"] == history.history["accuracy"]
    assert seen[0] == (np.ndarray, np.ndarray, (48, 3))


def test_compile_rejects_unknown_names_at_compile_time():
    model = mlp()
    with pytest.raises(ValueError, match="unknown optimizer 'adamm'"):
        model.compile(optimizer="adamm", loss="mse")
    with pytest.raises(ValueError, match="unknown loss 'hinge'"):
        model.compile(optimizer="sgd", loss="hinge")
    with pytest.raises(ValueError, match="unknown metric 'accuracyy'"):
        model.compile(optimizer="sgd", loss="mse", metrics=["accuracyy"])
    with pytest.raises(ValueError, match="pass a loss"):
        model.compile(optimizer="sgd")
    with pytest.raises(TypeError, match="optimizer must be a name"):
        model.compile(optimizer=3, loss="mse")


def test_fit_evaluate_before_compile_raise():
    X, y = make_data(8)
    with pytest.raises(RuntimeError, match=r"fit: call model.compile\("):
        mlp().fit(X, y, verbose=0)
    with pytest.raises(RuntimeError, match=r"evaluate: call model.compile\("):
        mlp().evaluate(X, y)


def test_hand_made_optimizer_missing_lazy_dense_weights_raises():
    X, y = make_data(16, d=4)
    model = gu.Model([nn.Flatten(), nn.Linear(4, 8), nn.Dense(3)])  # Dense unbuilt until fit
    model.compile(optimizer=optim.SGD(model.parameters(), lr=0.1), loss="cross_entropy")
    with pytest.raises(ValueError, match=r"does not hold the weights of Dense layer\(s\) \['2'\]"):
        model.fit(X, y, verbose=0)


# ---------------------------------------------------------------------- loss values
def _targets(kind: str, n: int, rng: np.random.Generator) -> np.ndarray:
    if kind == "classes":
        return rng.integers(0, 3, size=n)
    if kind == "onehot":
        return np.eye(3, dtype=np.int64)[rng.integers(0, 3, size=n)]
    if kind == "binary":
        return rng.integers(0, 2, size=n)
    if kind == "column":
        return rng.normal(size=n).astype(np.float32)
    return rng.normal(size=(n, 2)).astype(np.float32)


def _torch_loss(name, activation, z, y):
    """The loss in PyTorch from logits z (the last Dense's pre-activation) and targets y."""
    if name in ("cross_entropy", "sparse_categorical_crossentropy"):
        return TF.nll_loss(torch.log_softmax(z, 1), torch.from_numpy(y))
    if name == "categorical_crossentropy":
        target = torch.from_numpy(y.astype(np.float32))
        return -(target * torch.log_softmax(z, 1)).sum(1).mean()
    target = torch.from_numpy(y.astype(np.float32)).reshape(z.shape)
    if name == "binary_crossentropy" and activation == "sigmoid":
        return TF.binary_cross_entropy(torch.sigmoid(z), target)
    if name == "binary_crossentropy":
        return TF.binary_cross_entropy_with_logits(z, target)
    return TF.mse_loss(z, target) if name == "mse" else TF.l1_loss(z, target)


@pytest.mark.parametrize(
    "name, activation, units, kind",
    [
        ("cross_entropy", None, 3, "classes"),
        ("sparse_categorical_crossentropy", None, 3, "classes"),
        ("sparse_categorical_crossentropy", "softmax", 3, "classes"),
        ("categorical_crossentropy", "softmax", 3, "onehot"),
        ("categorical_crossentropy", None, 3, "onehot"),
        ("binary_crossentropy", "sigmoid", 1, "binary"),
        ("binary_crossentropy", None, 1, "binary"),
        ("mse", None, 2, "real"),
        ("mse", None, 1, "column"),
        ("mae", None, 2, "real"),
    ],
)
def test_loss_reported_by_fit_and_evaluate_equals_torch(name, activation, units, kind):
    gu.manual_seed(0)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 4)).astype(np.float32)
    y = _targets(kind, 40, rng)
    model = gu.Model()
    model.add(nn.Dense(units, activation=activation, input_dim=4))
    state = to_torch(model.state_dict())
    z = torch.from_numpy(X) @ state["0.weight"].T + state["0.bias"]
    expected = _torch_loss(name, activation, z, y).item()
    # lr=0: the weights stay put, so the epoch's loss is the loss of these weights
    model.compile(optimizer=optim.SGD(model.parameters(), lr=0.0), loss=name)
    assert model.evaluate(X, y) == pytest.approx(expected, rel=1e-5)
    history = model.fit(X, y, batch_size=16, shuffle=False, verbose=0)
    assert history.history["loss"][0] == pytest.approx(expected, rel=1e-5)


# ---------------------------------------------------------------------- evaluate, predict
def test_evaluate_returns_float_list_or_dict():
    X, y = make_data(50)
    gu.manual_seed(0)
    model = mlp()
    model.compile(optimizer="sgd", loss="cross_entropy")
    loss = model.evaluate(X, y, batch_size=7)
    logits = torch.from_numpy(model.predict(X))
    assert isinstance(loss, float)
    assert loss == pytest.approx(TF.cross_entropy(logits, torch.from_numpy(y)).item(), rel=1e-5)
    model.compile(optimizer="sgd", loss="cross_entropy", metrics=["accuracy", "f1"])
    accuracy = float((logits.argmax(1).numpy() == y).mean())
    loss_, acc, f1 = model.evaluate(X, y)
    assert (loss_, acc) == (pytest.approx(loss, rel=1e-6), accuracy)
    logs = model.evaluate(X, y, return_dict=True)
    assert list(logs) == ["loss", "accuracy", "f1"] and logs["f1"] == f1


def test_evaluate_verbose_prints_one_line(capsys):
    X, y = make_data(20)
    model = mlp()
    model.compile(optimizer="sgd", loss="cross_entropy", metrics=["acc"])
    logs = model.evaluate(X, y, verbose=1, return_dict=True)
    assert capsys.readouterr().out == f"loss: {logs['loss']:.4f} - acc: {logs['acc']:.4f}\n"


def _bn_dropout_model():
    model = gu.Model()
    model.add(nn.Dense(8, input_dim=5))
    model.add(nn.BatchNorm1d(8))
    model.add(nn.ReLU())
    model.add(nn.Dropout(0.5))
    model.add(nn.Dense(3))
    return model


def test_predict_runs_in_eval_mode_and_restores_training():
    X, y = make_data(64)
    gu.manual_seed(0)
    model = _bn_dropout_model()
    model.compile(optimizer="adam", loss="cross_entropy")
    model.fit(X, y, epochs=2, batch_size=16, verbose=0)
    reference = torch.nn.Sequential(
        torch.nn.Linear(5, 8),
        torch.nn.BatchNorm1d(8),
        torch.nn.ReLU(),
        torch.nn.Dropout(0.5),
        torch.nn.Linear(8, 3),
    )
    reference.load_state_dict(to_torch(model.state_dict()))
    assert float(reference[1].running_mean.abs().sum()) > 0  # fit updated the running stats
    expected = reference.eval()(torch.from_numpy(X)).detach().numpy()
    model.train()
    out = model.predict(X, batch_size=10)
    assert out.shape == (64, 3) and out.dtype == np.float32
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(model.predict(X), out)  # no dropout noise
    assert model.training and all(m.training for m in model.modules())
    model.eval()
    model.predict(X)
    assert not model.training


# ---------------------------------------------------------------------- summary
def test_summary_lists_layers_shapes_and_parameter_counts(capsys):
    model = gu.Model()
    model.add(nn.Dense(16, activation="relu", input_dim=5))
    model.add(nn.Dropout(0.1))
    model.add(nn.Dense(3))
    text = model.summary()
    assert capsys.readouterr().out == text + "\n"
    lines = text.splitlines()
    assert lines[0] == 'Model: "sequential"'
    rows = [line.split() for line in lines if line[:1].isdigit()]
    assert rows == [
        ["0", "(Dense)", "(None,", "16)", "96"],
        ["1", "(Dropout)", "(None,", "16)", "0"],
        ["2", "(Dense)", "(None,", "3)", "51"],
    ]
    total = sum(p.numel() for p in model.parameters())
    assert f"Total params: {total:,}" in lines and total == 147
    assert "Trainable params: 147" in lines and "Non-trainable params: 0" in lines
    assert model.summary(print_fn=None) == text and capsys.readouterr().out == ""


def test_summary_of_unbuilt_model_says_how_to_build_it():
    model = gu.Model()
    model.add(nn.Dense(8))
    with pytest.raises(ValueError, match=r"pass input_dim= .*or call the model \(or fit\) once"):
        model.summary()
    model(np.zeros((2, 6), np.float32))
    assert "(None, 8)" in model.summary(print_fn=None)


# ---------------------------------------------------------------------- real data
@pytest.mark.skipif(not os.environ.get("GROUNDUP_DATA"), reason="GROUNDUP_DATA is not set")
def test_keras_style_fit_on_mnist_reaches_96_5_percent_in_2_epochs():
    from groundup.data import load_mnist

    (X_train, y_train), (X_test, y_test) = load_mnist()
    X_train = X_train.reshape(len(X_train), -1).astype(np.float32) / 255.0
    X_test = X_test.reshape(len(X_test), -1).astype(np.float32) / 255.0
    gu.manual_seed(0)
    model = gu.Model()
    model.add(nn.Dense(256, activation="relu", input_dim=784))
    model.add(nn.Dense(128, activation="relu"))
    model.add(nn.Dense(10))
    model.compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy"])
    history = model.fit(X_train, y_train, epochs=2, batch_size=128, verbose=0)
    _, accuracy = model.evaluate(X_test, y_test, batch_size=1000)
    assert history.history["loss"][1] < history.history["loss"][0]
    assert accuracy >= 0.965
