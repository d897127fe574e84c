"""Callbacks that write files: ``ModelCheckpoint`` (best-only saves, path formatting, weights
that ``gu.load`` reads, full checkpoints that resume bit-identically) and ``CSVLogger``."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from model_helpers import binary_data as make_data
from model_helpers import scripted, weights
from model_helpers import seeded_mlp as mlp

import groundup as gu
from groundup import io, nn, optim
from groundup.callbacks import CSVLogger, ModelCheckpoint


# ---------------------------------------------------------------------- ModelCheckpoint
def test_model_checkpoint_save_best_only_writes_on_improvement(tmp_path):
    X, y = make_data()
    model = mlp()
    model.compile(optimizer="adam", loss="cross_entropy", metrics=[scripted([0.5, 0.6, 0.4, 0.45])])
    path = tmp_path / "ckpt-{epoch:02d}.safetensors"
    checkpoint = ModelCheckpoint(
        path, monitor="score", mode="min", save_best_only=True, save_weights_only=True
    )
    model.fit(X, y, epochs=4, batch_size=16, callbacks=[checkpoint], verbose=0)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "ckpt-01.safetensors",
        "ckpt-03.safetensors",
    ]
    assert io.load_metadata(tmp_path / "ckpt-03.safetensors") == {"epoch": 3}


def test_model_checkpoint_formats_the_path_with_logs(tmp_path):
    X, y = make_data()
    model = mlp()
    model.compile(optimizer="sgd", loss="cross_entropy")
    path = tmp_path / "runs" / "e{epoch}-{loss:.3f}.safetensors"  # the folder is made
    history = model.fit(
        X, y, epochs=2, callbacks=[ModelCheckpoint(path, save_weights_only=True)], verbose=0
    )
    names = sorted(p.name for p in (tmp_path / "runs").iterdir())
    assert names == [
        f"e{i + 1}-{loss:.3f}.safetensors" for i, loss in enumerate(history.history["loss"])
    ]


def test_model_checkpoint_weights_load_with_gu_load(tmp_path):
    X, y = make_data()
    model = mlp()
    model.compile(optimizer="adam", loss="cross_entropy")
    path = tmp_path / "weights.safetensors"
    model.fit(
        X,
        y,
        epochs=2,
        batch_size=16,
        callbacks=[ModelCheckpoint(path, save_weights_only=True)],
        verbose=0,
    )
    fresh = gu.Model()
    fresh.add(nn.Dense(8, activation="relu"))  # unbuilt: sizes come from the file
    fresh.add(nn.Dense(2))
    fresh.load_state_dict(gu.load(path))
    np.testing.assert_array_equal(fresh.predict(X), model.predict(X))


def test_model_checkpoint_full_checkpoint_resumes_bit_identically(tmp_path):
    X, y = make_data(64)
    model = mlp()
    model.compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy"])
    uninterrupted = model.fit(X, y, epochs=3, batch_size=16, verbose=0).history
    final = weights(model)

    path = tmp_path / "ckpt.safetensors"
    model = mlp()
    model.compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy"])
    model.fit(
        X, y, epochs=2, batch_size=16, callbacks=[ModelCheckpoint(path, monitor="loss")], verbose=0
    )

    resumed = mlp(seed=123)
    adam = optim.Adam(resumed.parameters(), lr=1e-3)
    ckpt = io.load_checkpoint(path, model=resumed, optimizer=adam)
    assert ckpt["epoch"] == 2
    assert ckpt["history"] == {k: v[:2] for k, v in uninterrupted.items()}
    np.testing.assert_array_equal(resumed.predict(X), model.predict(X))
    resumed.compile(optimizer=adam, loss="cross_entropy", metrics=["accuracy"])
    rest = resumed.fit(X, y, epochs=3, batch_size=16, initial_epoch=ckpt["epoch"], verbose=0)
    assert rest.history["loss"] == uninterrupted["loss"][2:]
    for key, value in weights(resumed).items():
        np.testing.assert_array_equal(value, final[key])


def test_model_checkpoint_save_best_only_needs_the_monitor():
    X, y = make_data()
    model = mlp()
    model.compile(optimizer="sgd", loss="cross_entropy")
    with pytest.raises(KeyError, match="pass validation data for val_\\* metrics"):
        model.fit(
            X, y, callbacks=[ModelCheckpoint("x.safetensors", save_best_only=True)], verbose=0
        )


# ---------------------------------------------------------------------- CSVLogger
def _rows(path) -> list[dict]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def test_csv_logger_writes_header_and_one_row_per_epoch(tmp_path):
    X, y = make_data()
    model = mlp()
    model.compile(optimizer="sgd", loss="cross_entropy", metrics=["accuracy"])
    path = tmp_path / "log.csv"
    history = model.fit(
        X, y, epochs=3, validation_data=(X, y), callbacks=[CSVLogger(path)], verbose=0
    )
    assert path.read_text().splitlines()[0] == "epoch,accuracy,loss,val_accuracy,val_loss"
    rows = _rows(path)
    assert [int(r["epoch"]) for r in rows] == [0, 1, 2]
    for key, values in history.history.items():
        assert [float(r[key]) for r in rows] == values


def test_csv_logger_append_mode(tmp_path):
    X, y = make_data()
    model = mlp()
    model.compile(optimizer="sgd", loss="cross_entropy")
    path = tmp_path / "log.csv"
    model.fit(X, y, epochs=2, callbacks=[CSVLogger(path)], verbose=0)
    model.fit(X, y, epochs=4, initial_epoch=2, callbacks=[CSVLogger(path, append=True)], verbose=0)
    assert [r["epoch"] for r in _rows(path)] == ["0", "1", "2", "3"]
    assert path.read_text().count("epoch") == 1
    model.fit(X, y, epochs=1, callbacks=[CSVLogger(path, separator=";")], verbose=0)
    assert path.read_text().splitlines()[0] == "epoch;loss" and len(_rows(path)) == 1
