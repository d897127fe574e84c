"""Keras-style callbacks: History.plot, EarlyStopping, LearningRateScheduler and the order in
which ``fit`` calls the hooks (ModelCheckpoint and CSVLogger: test_callbacks_files.py)."""

from __future__ import annotations

import sys
from pathlib import Path
from unittest.mock import MagicMock

import numpy as np
import pytest
from model_helpers import binary_data as make_data
from model_helpers import scripted, weights
from model_helpers import seeded_mlp as mlp

import groundup as gu
from groundup.callbacks import (
    Callback,
    EarlyStopping,
    History,
    LearningRateScheduler,
)


class Snapshots(Callback):
    """Records the weights at the end of every epoch."""

    def __init__(self):
        self.weights = []

    def on_epoch_end(self, epoch, logs=None):
        self.weights.append(weights(self.model))


class FakeModel:
    def __init__(self):
        self.stop_training = False
        self.w = gu.zeros(1)

    def state_dict(self):
        return {"w": self.w}

    def load_state_dict(self, state):
        self.w = gu.tensor(state["w"])


def drive(callback: Callback, values, monitor="val_loss") -> list[int]:
    """Run the callback over epochs with ``monitor`` taking ``values``; epochs run."""
    model = FakeModel()
    callback.set_model(model)
    callback.on_train_begin()
    ran = []
    for epoch, value in enumerate(values):
        model.w = gu.full((1,), float(epoch))
        callback.on_epoch_end(epoch, {monitor: value})
        ran.append(epoch)
        if model.stop_training:
            break
    callback.on_train_end()
    return ran


# ---------------------------------------------------------------------- History.plot
def _history() -> History:
    history = History()
    for epoch, (loss, acc) in enumerate([(0.9, 0.6), (0.5, 0.8)]):
        history.on_epoch_end(epoch, {"loss": loss, "accuracy": acc, "val_loss": loss + 0.1})
    return history


def test_history_plot_without_matplotlib_says_how_to_install(monkeypatch):
    for name in ("matplotlib", "matplotlib.pyplot", "matplotlib.figure"):
        monkeypatch.setitem(sys.modules, name, None)  # makes `import` raise ImportError
    with pytest.raises(
        ImportError, match=r'History.plot needs matplotlib: pip install "groundup\[plot\]"'
    ):
        _history().plot("curves.png")
    with pytest.raises(ImportError, match="needs matplotlib"):
        _history().plot()


def _fake_matplotlib(monkeypatch) -> tuple[MagicMock, MagicMock]:
    """matplotlib as mocks: ``Figure()`` and ``pyplot.figure()`` return ``fig``."""
    fig, pyplot = MagicMock(name="fig"), MagicMock(name="pyplot")
    axes = [MagicMock(name="ax0"), MagicMock(name="ax1")]
    fig.subplots.return_value = [axes]
    fig.savefig.side_effect = lambda path: Path(path).write_bytes(b"\x89PNG\r\n\x1a\n")
    pyplot.figure.return_value = fig
    modules = {"matplotlib.figure": MagicMock(Figure=lambda: fig), "matplotlib.pyplot": pyplot}
    modules["matplotlib"] = MagicMock(**{k.split(".")[1]: v for k, v in modules.items()})
    for name, module in modules.items():
        monkeypatch.setitem(sys.modules, name, module)
    return fig, pyplot


def test_history_plot_with_matplotlib_saves_train_and_val_curves(monkeypatch, tmp_path):
    fig, pyplot = _fake_matplotlib(monkeypatch)
    path = tmp_path / "curves.png"
    assert _history().plot(path) is fig
    assert path.read_bytes().startswith(b"\x89PNG") and not pyplot.show.called
    fig.subplots.assert_called_once_with(1, 2, squeeze=False)
    loss_ax, acc_ax = fig.subplots.return_value[0]
    loss_ax.set_title.assert_called_once_with("loss")
    acc_ax.set_title.assert_called_once_with("accuracy")
    labels = [[c.kwargs["label"] for c in ax.plot.call_args_list] for ax in (loss_ax, acc_ax)]
    assert labels == [["train loss", "val loss"], ["train accuracy"]]
    assert loss_ax.plot.call_args_list[1].args == ([1, 2], [1.0, 0.6])  # val_loss by epoch
    _history().plot()  # no path: made and shown with pyplot
    pyplot.show.assert_called_once_with()


def test_history_plot_with_real_matplotlib(tmp_path):
    pytest.importorskip("matplotlib")
    path = tmp_path / "curves.png"
    fig = _history().plot(path)
    assert path.read_bytes().startswith(b"\x89PNG")
    assert [ax.get_title() for ax in fig.axes] == ["loss", "accuracy"]
    labels = [[line.get_label() for line in ax.get_lines()] for ax in fig.axes]
    assert labels == [["train loss", "val loss"], ["train accuracy"]]


# ---------------------------------------------------------------------- EarlyStopping
def test_early_stopping_patience_counts_epochs_without_improvement():
    # Keras: stop at the first epoch `patience` epochs after the best one
    assert drive(EarlyStopping(patience=2), [1.0, 0.9, 0.95, 0.91, 0.5]) == [0, 1, 2, 3]
    assert drive(EarlyStopping(patience=0), [1.0, 0.9, 0.95, 0.5]) == [0, 1, 2]
    assert drive(EarlyStopping(patience=1), [1.0, 0.9, 0.8, 0.7]) == [0, 1, 2, 3]


def test_early_stopping_min_delta():
    values = [1.0, 0.96, 0.93, 0.9]
    assert drive(EarlyStopping(patience=1, min_delta=0.05), values) == [0, 1]
    assert drive(EarlyStopping(patience=1, min_delta=-0.05), values) == [0, 1]  # |min_delta|
    assert drive(EarlyStopping(patience=1, min_delta=0.01), values) == [0, 1, 2, 3]


def test_early_stopping_mode_auto_min_max():
    rising = [0.5, 0.6, 0.7, 0.8]
    assert drive(EarlyStopping("val_accuracy"), rising, "val_accuracy") == [0, 1, 2, 3]  # auto: max
    assert drive(EarlyStopping("val_loss"), rising) == [0, 1]  # auto: min
    assert drive(EarlyStopping("val_accuracy", mode="min"), rising, "val_accuracy") == [0, 1]
    assert drive(EarlyStopping("val_loss", mode="max"), rising) == [0, 1, 2, 3]
    with pytest.raises(ValueError, match="mode must be 'auto', 'min' or 'max'"):
        EarlyStopping(mode="best")


def test_early_stopping_baseline_and_start_from_epoch():
    # improving, but not past the baseline: the wait is not reset, so a bad epoch stops it
    assert drive(EarlyStopping(patience=2, baseline=0.5), [1.0, 0.9, 0.95, 0.7]) == [0, 1, 2]
    assert drive(EarlyStopping(patience=2), [1.0, 0.9, 0.95, 0.7]) == [0, 1, 2, 3]
    # the first two epochs are warm-up and never count
    assert drive(EarlyStopping(start_from_epoch=2), [1.0, 2.0, 3.0, 4.0, 0.1]) == [0, 1, 2, 3]


def test_early_stopping_missing_monitor_raises():
    with pytest.raises(KeyError, match="monitor 'val_loss' is not in the logs"):
        drive(EarlyStopping(), [1.0], monitor="loss")


def test_early_stopping_in_fit_restores_the_best_weights():
    X, y = make_data()
    model = mlp()
    model.compile(
        optimizer="adam",
        loss="cross_entropy",
        metrics=[scripted([0.5, 0.4, 0.45, 0.42, 0.41, 0.3])],
    )
    snapshots = Snapshots()
    early = EarlyStopping(monitor="score", mode="min", patience=2, restore_best_weights=True)
    history = model.fit(X, y, epochs=6, batch_size=16, callbacks=[snapshots, early], verbose=0)
    assert len(history.history["loss"]) == 4  # stopped after epoch 3 (0-based)
    assert (early.stopped_epoch, early.best_epoch, early.best) == (3, 1, 0.4)
    for key, value in weights(model).items():
        np.testing.assert_array_equal(value, snapshots.weights[1][key])
    assert not np.array_equal(snapshots.weights[3]["0.weight"], snapshots.weights[1]["0.weight"])


def test_early_stopping_verbose_messages(capsys):
    drive(EarlyStopping(patience=0, verbose=1, restore_best_weights=True), [1.0, 2.0])
    assert capsys.readouterr().out.splitlines() == [
        "Epoch 2: early stopping",
        "Restoring model weights from the end of the best epoch: 1",
    ]


# ---------------------------------------------------------------------- LearningRateScheduler
class LearningRates(Callback):
    """Records the learning rate of each epoch's first batch."""

    def __init__(self):
        self.lrs = []

    def on_train_batch_begin(self, batch, logs=None):
        if batch == 0:
            self.lrs.append(self.model.optimizer.param_groups[0]["lr"])


@pytest.mark.parametrize(
    "schedule", [lambda epoch, lr: 0.1 * 0.5**epoch, lambda epoch: 0.1 * 0.5**epoch]
)
def test_learning_rate_scheduler_sets_the_lr_each_epoch(schedule):
    X, y = make_data()
    model = mlp()
    model.compile(optimizer="sgd", loss="cross_entropy")
    spy = LearningRates()
    history = model.fit(X, y, epochs=3, callbacks=[LearningRateScheduler(schedule), spy], verbose=0)
    assert spy.lrs == [0.1, 0.05, 0.025]
    assert history.history["learning_rate"] == [0.1, 0.05, 0.025]


def test_learning_rate_scheduler_gets_the_current_lr_and_checks_the_result():
    X, y = make_data()
    model = mlp()
    model.compile(optimizer="sgd", loss="cross_entropy")
    seen = []

    def schedule(epoch, lr):
        seen.append(lr)
        return lr * 0.1 if epoch == 1 else lr

    model.fit(X, y, epochs=3, callbacks=[LearningRateScheduler(schedule)], verbose=0)
    assert seen == pytest.approx([0.01, 0.01, 0.001])
    with pytest.raises(ValueError, match=r"schedule\(0\) should return a finite float, got None"):
        model.fit(X, y, callbacks=[LearningRateScheduler(lambda epoch: None)], verbose=0)


# ---------------------------------------------------------------------- custom callbacks
class Recorder(Callback):
    def __init__(self):
        self.calls = []

    def on_train_begin(self, logs=None):
        self.calls.append(("train_begin",))

    def on_epoch_begin(self, epoch, logs=None):
        self.calls.append(("epoch_begin", epoch))

    def on_batch_begin(self, batch, logs=None):  # Keras's old name, still called
        self.calls.append(("batch_begin", batch))

    def on_train_batch_end(self, batch, logs=None):
        self.calls.append(("batch_end", batch, sorted(logs)))

    def on_epoch_end(self, epoch, logs=None):
        self.calls.append(("epoch_end", epoch, sorted(logs)))
        logs["extra"] = 10 * epoch  # History runs after the user's callbacks

    def on_train_end(self, logs=None):
        self.calls.append(("train_end",))


def test_custom_callback_hooks_run_in_order():
    X, y = make_data(40)
    model = mlp()
    model.compile(optimizer="sgd", loss="cross_entropy", metrics=["accuracy"])
    recorder = Recorder()
    history = model.fit(X, y, epochs=2, batch_size=16, callbacks=[recorder], verbose=0)
    expected = [("train_begin",)]
    for epoch in range(2):
        expected.append(("epoch_begin", epoch))
        for batch in range(3):
            expected += [("batch_begin", batch), ("batch_end", batch, ["loss"])]
        expected.append(("epoch_end", epoch, ["accuracy", "loss"]))
    assert recorder.calls == [*expected, ("train_end",)]
    assert recorder.model is model
    assert recorder.params == {"verbose": 0, "epochs": 2, "steps": 3}
    assert history.history["extra"] == [0, 10]


def test_callback_can_stop_training():
    class StopAfterSecond(Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                self.model.stop_training = True

    X, y = make_data()
    model = mlp()
    model.compile(optimizer="sgd", loss="cross_entropy")
    history = model.fit(X, y, epochs=5, callbacks=[StopAfterSecond()], verbose=0)
    assert history.epoch == [0, 1]
