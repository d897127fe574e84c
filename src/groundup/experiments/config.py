"""Experiment configs: a TOML file naming the dataset, model, optimizer, schedule, epochs, seed.

A config has two top-level keys and five tables::

    name = "mlp_digits"     # the run folder's prefix (default: the file's name)
    seed = 0
    [data]      dataset = "digits"          # limit, val_limit, seq_len, root
    [model]     name = "mlp"                # hidden, dropout, ... (per model)
    [optimizer] name = "adam"               # lr, betas, weight_decay, ... (per optimizer)
    [schedule]  name = "cosine"             # none, step, exponential, cosine, onecycle, plateau
    [training]  epochs = 2                  # batch_size

``resolve_config`` checks every key and type, and fills in every default, so the resolved
config (written beside each run) says everything the run did. ``--set key=value``
overrides use dotted keys: ``training.epochs=1``, ``model.hidden=[64]``.
"""

from __future__ import annotations

import copy
import difflib
import os
from collections.abc import Iterable, Mapping
from typing import Any

from groundup.compile_utils import OPTIMIZERS
from groundup.experiments.datasets import DATA_DEFAULTS, DATASETS
from groundup.experiments.registry import MODEL_ALIASES, MODELS, SCHEDULES, optimizer_defaults

__all__ = [
    "ConfigError",
    "read_config",
    "load_config",
    "resolve_config",
    "parse_override",
    "parse_grid",
    "apply_overrides",
    "to_toml",
]

TRAINING_DEFAULTS: dict[str, Any] = {"epochs": 1, "batch_size": 32}
TABLES = ("data", "model", "optimizer", "schedule", "training")
# What a config must say itself (everything else has a default).
REQUIRED = ("seed", "data.dataset", "model.name", "optimizer.name", "schedule.name",
            "training.epochs")  # fmt: skip
POSITIVE = ("training.epochs", "training.batch_size", "data.seq_len")
NON_NEGATIVE = ("data.limit", "data.val_limit")


class ConfigError(ValueError):
    """A config that names something unknown, misses a key, or has a value of the wrong type."""


# ---------------------------------------------------------------------- reading
def _tomllib() -> Any:
    """The standard library's TOML reader (Python 3.11+), or a clear error."""
    try:
        import tomllib
    except ImportError as e:  # Python 3.10
        raise ConfigError(
            "TOML configs and --set/--grid values need Python 3.11 or newer (the standard "
            "tomllib); with Python 3.10, pass the config as a dict to run_experiment"
        ) from e
    return tomllib


def _read_toml(path: str | os.PathLike) -> dict:
    tomllib = _tomllib()
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{os.fspath(path)}: not valid TOML: {e}") from e


def load_config(path: str | os.PathLike, overrides: Iterable[str] = ()) -> dict:
    """Read a TOML config, apply ``key=value`` overrides, and resolve it.

    Parameters
    ----------
    path : str or PathLike
        The ``.toml`` file. Its name (without ``.toml``) is the default ``name``.
    overrides : iterable of str
        Assignments with dotted keys, such as ``"training.epochs=1"``.

    Returns
    -------
    dict
        The resolved config (see :func:`resolve_config`).

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "tiny.toml")
    >>> _ = open(path, "w").write('''seed = 0
    ... [data]
    ... dataset = "digits"
    ... [model]
    ... name = "mlp"
    ... [optimizer]
    ... name = "adam"
    ... [schedule]
    ... name = "none"
    ... [training]
    ... epochs = 2
    ... ''')
    >>> cfg = load_config(path, ["model.hidden=[32]"])
    >>> cfg["name"], cfg["model"], cfg["optimizer"]["lr"]
    ('tiny', {'name': 'mlp', 'hidden': [32], 'dropout': 0.0}, 0.001)
    """
    raw = read_config(path)
    return resolve_config(apply_overrides(raw, [parse_override(o) for o in overrides]))


def read_config(config: Mapping | str | os.PathLike) -> dict:
    """The config as written (not resolved): a TOML file read, or a copy of a dict.

    A file's name (without ``.toml``) is the default ``name``.
    """
    if isinstance(config, Mapping):
        return copy.deepcopy(dict(config))
    raw = _read_toml(config)
    raw.setdefault("name", os.path.splitext(os.path.basename(os.fspath(config)))[0])
    return raw


# ---------------------------------------------------------------------- overrides
def _parse_value(text: str) -> Any:
    """A TOML value (``1``, ``1e-3``, ``true``, ``[64, 32]``, ``"adam"``), else the text."""
    tomllib = _tomllib()

    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text.strip()  # a bare word: adam, cosine


def parse_override(text: str) -> tuple[str, Any]:
    """``"training.epochs=1"`` -> ``("training.epochs", 1)``.

    Examples
    --------
    >>> parse_override("model.hidden=[64, 32]"), parse_override("optimizer.name=sgd")
    (('model.hidden', [64, 32]), ('optimizer.name', 'sgd'))
    """
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise ConfigError(f"override {text!r}: expected KEY=VALUE, e.g. training.epochs=1")
    return key.strip(), _parse_value(value)


def parse_grid(text: str) -> tuple[str, list]:
    """``"optimizer.lr=1e-3,3e-3"`` -> ``("optimizer.lr", [0.001, 0.003])``.

    Values are split at the commas outside brackets: ``model.hidden=[64],[128,64]``.

    Examples
    --------
    >>> parse_grid("optimizer.lr=1e-3,3e-3"), parse_grid("optimizer.name=sgd,adam")
    (('optimizer.lr', [0.001, 0.003]), ('optimizer.name', ['sgd', 'adam']))
    """
    tomllib = _tomllib()

    key, values = parse_override(f"{text.partition('=')[0]}=0")[0], text.partition("=")[2]
    try:
        grid = tomllib.loads(f"v = [{values}]")["v"]
    except tomllib.TOMLDecodeError:
        grid = [_parse_value(v) for v in values.split(",")]
    if not values.strip() or not grid:
        raise ConfigError(f"grid {text!r}: expected KEY=V1,V2,..., e.g. optimizer.lr=1e-3,3e-3")
    return key, grid


def apply_overrides(raw: Mapping, overrides: Iterable[tuple[str, Any]]) -> dict:
    """A copy of ``raw`` with each dotted key set to its value (tables made as needed)."""
    out = copy.deepcopy(dict(raw))
    for key, value in overrides:
        *tables, last = key.split(".")
        node = out
        for i, table in enumerate(tables):
            node = node.setdefault(table, {})
            if not isinstance(node, dict):
                where = ".".join(tables[: i + 1])
                raise ConfigError(f"override {key}: {where} is a value, not a table")
        node[last] = value
    return out


# ---------------------------------------------------------------------- resolving
def resolve_config(raw: Mapping) -> dict:
    """Check a config (a dict as read from TOML) and fill in every default.

    Raises :class:`ConfigError` naming the key for a missing required key, an unknown key
    or name (with the closest known ones), or a value of the wrong type.
    """
    _check_keys("config", raw, {"name", "seed", *TABLES})
    for table in TABLES:
        if not isinstance(raw.get(table, {}), Mapping):
            raise ConfigError(f"config: {table} must be a table ([{table}]), got {raw[table]!r}")
    missing = [key for key in REQUIRED if _get(raw, key) is None]
    if missing:
        raise ConfigError(f"config: missing {', '.join(missing)} (every config must name them)")
    cfg = {
        "name": _checked("config", "name", raw.get("name", "run"), "run"),
        "seed": _checked("config", "seed", raw["seed"], 0),
        "data": _table("data", raw.get("data", {}), DATA_DEFAULTS),
        "model": _named_table("model", raw["model"], MODELS, MODEL_ALIASES),
        "optimizer": _named_table("optimizer", raw["optimizer"], OPTIMIZERS),
        "schedule": _named_table("schedule", raw["schedule"], SCHEDULES),
        "training": _table("training", raw["training"], TRAINING_DEFAULTS),
    }
    _choose("data.dataset", cfg["data"]["dataset"], DATASETS)
    if cfg["schedule"]["name"] == "onecycle" and not cfg["schedule"]["max_lr"]:
        cfg["schedule"]["max_lr"] = cfg["optimizer"]["lr"]  # the peak: the optimizer's lr
    for key in POSITIVE + NON_NEGATIVE:
        least = 1 if key in POSITIVE else 0
        if _get(cfg, key) < least:
            raise ConfigError(f"config: {key} must be >= {least}, got {_get(cfg, key)}")
    return cfg


def _get(cfg: Mapping, dotted: str) -> Any:
    node: Any = cfg
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def _did_you_mean(word: Any, choices: list[str]) -> str:
    close = difflib.get_close_matches(str(word), choices, n=1)
    return f"did you mean {close[0]!r}? " if close else ""


def _check_keys(where: str, table: Mapping, allowed: Iterable[str]) -> None:
    allowed = sorted(allowed)
    for key in table:
        if key not in allowed:
            hint = _did_you_mean(key, allowed)
            raise ConfigError(f"{where}: unknown key {key!r}; {hint}allowed: {', '.join(allowed)}")


def _choose(where: str, name: Any, known: Iterable[str]) -> str:
    known = list(known)
    if name not in known:
        hint = _did_you_mean(name, known)
        raise ConfigError(f"{where}: unknown {name!r}; {hint}expected one of {', '.join(known)}")
    return name


_KINDS = {bool: "true or false", int: "an integer", float: "a number", str: "a string",
          list: "a list"}  # fmt: skip


def _checked(where: str, key: str, value: Any, default: Any) -> Any:
    """``value`` if it has the type of ``default`` (an int passes for a float, as 1 for 1.0)."""
    if isinstance(default, bool) or isinstance(value, bool):
        ok = isinstance(value, bool) and isinstance(default, bool)
    elif isinstance(default, float):
        ok = isinstance(value, (int, float))
        value = float(value) if ok else value
    else:
        ok = isinstance(value, type(default))
    if not ok:
        expected = _KINDS.get(type(default), type(default).__name__)
        raise ConfigError(f"{where}: {key} must be {expected}, got {value!r}")
    if isinstance(default, list) and default:  # the items: like the default's first
        value = [_checked(where, f"{key}[{i}]", v, default[0]) for i, v in enumerate(value)]
    return value


def _table(where: str, table: Mapping, defaults: Mapping) -> dict:
    _check_keys(f"[{where}]", table, defaults)
    return {
        key: _checked(f"[{where}]", key, table[key], default) if key in table else default
        for key, default in defaults.items()
    }


def _named_table(
    where: str, table: Mapping, known: Mapping, aliases: Mapping | None = None
) -> dict:
    """A table whose ``name`` picks its other keys (model, optimizer, schedule)."""
    aliases = aliases or {}
    name = _checked(where, "name", table["name"], "")
    name = aliases.get(name, name)
    _choose(f"{where}.name", name, [*known, *aliases])
    defaults = optimizer_defaults(name) if where == "optimizer" else known[name]
    rest = {k: v for k, v in table.items() if k != "name"}
    return {"name": name, **_table(f"{where} {name}", rest, defaults)}


# ---------------------------------------------------------------------- writing
def _toml_value(value: Any) -> str:
    import json

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # TOML's basic strings escape as JSON does
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(map(_toml_value, value)) + "]"
    raise TypeError(f"to_toml: cannot write {type(value).__name__} {value!r}")


def to_toml(cfg: Mapping) -> str:
    """A resolved config as TOML text that :func:`load_config` reads back to the same dict.

    Examples
    --------
    >>> print(to_toml({"seed": 0, "training": {"epochs": 2, "lr": 1e-3}}))
    seed = 0
    <BLANKLINE>
    [training]
    epochs = 2
    lr = 0.001
    <BLANKLINE>
    """
    scalars = [f"{k} = {_toml_value(v)}" for k, v in cfg.items() if not isinstance(v, Mapping)]
    lines = [*scalars, ""]
    for key, table in cfg.items():
        if isinstance(table, Mapping):
            lines += [f"[{key}]", *(f"{k} = {_toml_value(v)}" for k, v in table.items()), ""]
    return "\n".join(lines)
