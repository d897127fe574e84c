"""groundup.experiments: configs resolve and fail clearly, runs are reproducible and write
their folder, sweeps write their table; the `groundup train` / `sweep` commands."""

import csv
import glob
import json
import math
import os
import sys

import numpy as np
import pytest

import groundup as gu
from groundup import cli
from groundup.experiments import ConfigError, load_config, resolve_config, run_experiment
from groundup.experiments.config import parse_grid, parse_override, to_toml
from groundup.experiments.registry import build_model
from groundup.experiments.run import build_run
from groundup.experiments.sweep import run_sweep
from groundup.io import load_checkpoint

# TOML configs are read with the standard tomllib (Python 3.11+).
pytestmark = pytest.mark.skipif(sys.version_info < (3, 11), reason="needs tomllib")

CONFIGS = sorted(glob.glob(os.path.join(os.path.dirname(__file__), "..", "configs", "*.toml")))


def tiny(**changes):
    """A digits MLP that trains in well under a second; ``changes`` replace whole tables."""
    cfg = {
        "name": "tiny",
        "seed": 0,
        "data": {"dataset": "digits"},
        "model": {"name": "mlp", "hidden": [32]},
        "optimizer": {"name": "adam", "lr": 3e-3},
        "schedule": {"name": "none"},
        "training": {"epochs": 2, "batch_size": 32},
    }
    cfg.update(changes)
    return cfg


def read_jsonl(path):
    with open(os.path.join(path, "metrics.jsonl")) as f:
        return [json.loads(line) for line in f]


@pytest.fixture
def groundup_data():
    """The real data folder; skip only when GROUNDUP_DATA is unset."""
    value = os.environ.get("GROUNDUP_DATA")
    if not value:
        pytest.skip("GROUNDUP_DATA is not set")
    return value


# ---------------------------------------------------------------------- reproducibility
def test_run_same_config_and_seed_gives_identical_metrics(tmp_path):
    first = run_experiment(tiny(), runs_dir=tmp_path, verbose=0)
    second = run_experiment(tiny(), runs_dir=tmp_path, verbose=0)
    assert first.path != second.path
    assert read_jsonl(first.path) == read_jsonl(second.path)
    a = load_checkpoint(os.path.join(first.path, "checkpoint.safetensors"), rng=False)
    b = load_checkpoint(os.path.join(second.path, "checkpoint.safetensors"), rng=False)
    for key in a["model"]:
        np.testing.assert_array_equal(a["model"][key].numpy(), b["model"][key].numpy())


def test_run_another_seed_gives_other_metrics(tmp_path):
    first = run_experiment(tiny(), runs_dir=tmp_path, verbose=0)
    other = run_experiment({**tiny(), "seed": 1}, runs_dir=tmp_path, verbose=0)
    assert first.history["loss"] != other.history["loss"]


def test_run_writes_its_folder(tmp_path):
    result = run_experiment(tiny(), runs_dir=tmp_path, verbose=0)
    assert os.path.basename(result.path).startswith("tiny-")
    assert sorted(os.listdir(result.path)) == [
        "checkpoint.safetensors",
        "config.resolved.toml",
        "curves.png",
        "env.json",
        "metrics.csv",
        "metrics.jsonl",
        "summary.json",
    ]
    # The resolved config reads back to the config that ran.
    assert load_config(os.path.join(result.path, "config.resolved.toml")) == resolve_config(tiny())
    with open(os.path.join(result.path, "env.json")) as f:
        env = json.load(f)
    assert env["seed"] == 0
    assert env["packages"] == {"groundup": gu.__version__, "numpy": np.__version__}
    with open(os.path.join(result.path, "metrics.csv")) as f:
        rows = list(csv.DictReader(f))
    assert [int(r["epoch"]) for r in rows] == [0, 1]
    assert set(rows[0]) == {"epoch", "loss", "accuracy", "val_loss", "val_accuracy"}
    jsonl = read_jsonl(result.path)
    assert [float(r["val_loss"]) for r in rows] == [r["val_loss"] for r in jsonl]
    assert result.summary["final"] == {k: v[-1] for k, v in result.history.items()}


def test_run_learns_digits_and_its_checkpoint_reproduces_the_score(tmp_path):
    result = run_experiment(tiny(), runs_dir=tmp_path, verbose=0)
    final = result.summary["final"]
    assert final["val_accuracy"] >= 0.9  # measured 0.93 (2 epochs, 360 held-out digits)
    model, data = build_run(resolve_config(tiny()))  # a fresh model, other weights
    load_checkpoint(os.path.join(result.path, "checkpoint.safetensors"), model=model, rng=False)
    predicted = model.predict(data.val[0]).argmax(axis=1)
    assert np.mean(predicted == data.val[1]) == final["val_accuracy"]


@pytest.mark.parametrize(
    "schedule, expected",
    [
        ({"name": "step", "step_size": 1, "gamma": 0.5}, [0.01, 0.005, 0.0025]),
        ({"name": "exponential", "gamma": 0.1}, [0.01, 0.001, 0.0001]),
        ({"name": "cosine"}, [0.01, 0.0075, 0.0025]),  # (1 + cos(pi t / 3)) / 2
    ],
)
def test_run_schedules_follow_pytorchs_formulas(tmp_path, schedule, expected):
    cfg = tiny(
        data={"dataset": "digits", "limit": 64},
        optimizer={"name": "sgd", "lr": 0.01},
        schedule=schedule,
        training={"epochs": 3, "batch_size": 32},
    )
    result = run_experiment(cfg, runs_dir=tmp_path, verbose=0)
    assert result.history["learning_rate"] == pytest.approx(expected, rel=1e-6)


def test_run_onecycle_peaks_at_the_optimizers_lr():
    cfg = resolve_config(tiny(schedule={"name": "onecycle"}))
    assert cfg["schedule"]["max_lr"] == 3e-3


# ---------------------------------------------------------------------- configs
@pytest.mark.parametrize("path", CONFIGS, ids=os.path.basename)
def test_shipped_configs_resolve_and_round_trip(path):
    import tomllib

    cfg = load_config(path)
    assert cfg["name"] == os.path.basename(path)[: -len(".toml")]
    assert resolve_config(tomllib.loads(to_toml(cfg))) == cfg


def test_shipped_configs_are_the_five_examples():
    names = [os.path.basename(p) for p in CONFIGS]
    assert names == [
        "char_lstm.toml",
        "cnn_cifar10.toml",
        "cnn_mnist.toml",
        "gpt_shakespeare.toml",
        "mlp_mnist.toml",
    ]


@pytest.mark.parametrize(
    "name, overrides",
    [
        ("mlp_mnist", ["data.limit=256", "data.val_limit=256", "training.epochs=1"]),
        ("cnn_mnist", ["data.limit=128", "data.val_limit=128", "training.epochs=1"]),
        ("char_lstm", ["data.limit=16", "data.val_limit=8", "data.seq_len=16"]),
        ("gpt_shakespeare", ["data.limit=16", "data.val_limit=8", "model.n_layer=1"]),
    ],
)
def test_shipped_configs_train_at_reduced_size(groundup_data, tmp_path, name, overrides):
    path = os.path.join(os.path.dirname(CONFIGS[0]), f"{name}.toml")
    result = run_experiment(path, runs_dir=tmp_path, overrides=overrides, verbose=0)
    final = result.summary["final"]
    assert math.isfinite(final["loss"]) and math.isfinite(final["val_loss"])
    if name in ("char_lstm", "gpt_shakespeare"):  # about ln(65) = 4.17 at the start
        assert 3.0 < final["val_loss"] < 4.5


@pytest.mark.parametrize(
    "raw, match",
    [
        ({**tiny(), "epochs": 3}, "config: unknown key 'epochs'"),
        ({k: v for k, v in tiny().items() if k != "seed"}, "config: missing seed"),
        (tiny(model={"hidden": [8]}), "config: missing model.name"),
        (tiny(model={"name": "mpl"}), "model.name: unknown 'mpl'; did you mean 'mlp'"),
        (tiny(model={"name": "mlp", "hiden": [8]}), r"\[model mlp\]: unknown key 'hiden'"),
        (tiny(model={"name": "mlp", "hidden": 8}), "hidden must be a list, got 8"),
        (tiny(model={"name": "mlp", "hidden": [8, "a"]}), r"hidden\[1\] must be an integer"),
        (tiny(optimizer={"name": "adam", "lr": "fast"}), "lr must be a number, got 'fast'"),
        (tiny(optimizer={"name": "sgd", "betas": [0.9]}), "unknown key 'betas'"),
        (tiny(schedule={"name": "linear"}), "schedule.name: unknown 'linear'"),
        (tiny(data={"dataset": "imagenet"}), "data.dataset: unknown 'imagenet'"),
        (tiny(training={"epochs": 0}), "training.epochs must be >= 1, got 0"),
        (tiny(training={"epochs": True}), "epochs must be an integer, got True"),
        ({**tiny(), "model": "mlp"}, r"model must be a table \(\[model\]\)"),
    ],
)
def test_config_errors_name_the_key(raw, match):
    with pytest.raises(ConfigError, match=match):
        resolve_config(raw)


def test_config_model_aliases_resolve():
    assert resolve_config(tiny(model={"name": "cnn"}))["model"] == {"name": "lenet5"}


def test_config_model_that_does_not_fit_the_data_fails_clearly(tmp_path):
    with pytest.raises(ValueError, match="lenet5: expects 28x28 images .* got 8x8"):
        run_experiment(tiny(model={"name": "cnn"}), runs_dir=tmp_path, verbose=0)
    with pytest.raises(ValueError, match="char_lstm: needs a text dataset"):
        run_experiment(tiny(model={"name": "char_lstm"}), runs_dir=tmp_path, verbose=0)
    assert not os.listdir(tmp_path)  # no run folder for a run that could not start


def test_config_gpt_without_groundup_gpt_fails_clearly(monkeypatch):
    import groundup.models

    monkeypatch.delattr(groundup.models, "GPT", raising=False)
    cfg = resolve_config(tiny(model={"name": "gpt"}))["model"]
    info = {"kind": "text", "vocab_size": 65, "seq_len": 16}
    with pytest.raises(ValueError, match="model gpt: groundup.models.GPT is not available"):
        build_model(cfg, info)


def test_config_bad_toml_names_the_file(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("seed = \n")
    with pytest.raises(ConfigError, match="broken.toml: not valid TOML"):
        load_config(path)


def test_overrides_and_grids_parse_toml_values():
    assert parse_override("training.epochs=1") == ("training.epochs", 1)
    assert parse_override("optimizer.lr = 3e-4") == ("optimizer.lr", 3e-4)
    assert parse_override("model.name=mlp") == ("model.name", "mlp")
    assert parse_override("model.bias=true") == ("model.bias", True)
    assert parse_grid("model.hidden=[64],[128,64]") == ("model.hidden", [[64], [128, 64]])
    assert parse_grid("optimizer.name=sgd,adam") == ("optimizer.name", ["sgd", "adam"])
    with pytest.raises(ConfigError, match="expected KEY=VALUE"):
        parse_override("training.epochs")
    with pytest.raises(ConfigError, match="expected KEY=V1,V2"):
        parse_grid("optimizer.lr=")
    with pytest.raises(ConfigError, match="override seed.x: seed is a value, not a table"):
        run_experiment(tiny(), overrides=["seed.x=1"])


# ---------------------------------------------------------------------- sweep
def test_sweep_writes_its_comparison_table(tmp_path):
    cfg = tiny(data={"dataset": "digits", "limit": 256})
    grid = ["optimizer.lr=1e-3,1e-2", "model.hidden=[16],[32,16]"]
    sweep = run_sweep(cfg, grid, runs_dir=tmp_path, overrides=["training.epochs=1"])
    assert [(r["optimizer.lr"], r["model.hidden"]) for r in sweep.rows] == [
        (1e-3, [16]),
        (1e-3, [32, 16]),
        (1e-2, [16]),
        (1e-2, [32, 16]),
    ]
    runs = sorted(d for d in os.listdir(sweep.path) if os.path.isdir(os.path.join(sweep.path, d)))
    assert len(runs) == 4 and runs[0].startswith("tiny-lr=0.001,hidden=16-")
    with open(os.path.join(sweep.path, "results.csv")) as f:
        rows = list(csv.DictReader(f))
    assert [float(r["val_loss"]) for r in rows] == [r["val_loss"] for r in sweep.rows]
    assert list(rows[0])[:2] == ["optimizer.lr", "model.hidden"]
    with open(os.path.join(sweep.path, "results.md")) as f:
        table = f.read()
    best = min(sweep.rows, key=lambda r: r["val_loss"])
    assert table.startswith("| optimizer.lr | model.hidden | loss | accuracy | val_loss |")
    assert f"lowest val_loss: {best['run']} ({best['val_loss']:.4f})" in table


def test_sweep_checks_every_config_before_running(tmp_path):
    with pytest.raises(ConfigError, match="model.name: unknown 'bogus'"):
        run_sweep(tiny(), ["model.name=mlp,bogus"], runs_dir=tmp_path)
    assert not os.listdir(tmp_path)  # nothing ran


# ---------------------------------------------------------------------- command line
def write_tiny(tmp_path):
    path = tmp_path / "tiny.toml"
    path.write_text(to_toml(tiny()))
    return str(path)


def test_cli_train_runs_a_config(tmp_path, capsys):
    argv = ["train", write_tiny(tmp_path), "--set", "training.epochs=1", "--verbose", "0"]
    assert cli.main([*argv, "--runs-dir", str(tmp_path / "runs")]) == 0
    (run,) = os.listdir(tmp_path / "runs")
    assert len(read_jsonl(tmp_path / "runs" / run)) == 1
    assert "done in" in capsys.readouterr().out


def test_cli_sweep_prints_and_writes_the_table(tmp_path, capsys):
    argv = ["sweep", write_tiny(tmp_path), "--grid", "optimizer.lr=1e-3,1e-2"]
    assert cli.main([*argv, "--set", "data.limit=128", "--runs-dir", str(tmp_path)]) == 0
    assert "| optimizer.lr | loss |" in capsys.readouterr().out
    (sweep,) = [d for d in os.listdir(tmp_path) if d.startswith("tiny-sweep-")]
    assert os.path.exists(tmp_path / sweep / "results.md")


def test_cli_bad_config_exits_2_with_the_reason(tmp_path, capsys):
    argv = ["train", write_tiny(tmp_path), "--set", "model.hiden=3"]
    assert cli.main([*argv, "--runs-dir", str(tmp_path)]) == 2
    assert "groundup train: [model mlp]: unknown key 'hiden'" in capsys.readouterr().err
    assert cli.main(["train", str(tmp_path / "missing.toml")]) == 2
