"""Training checkpoints: model, optimizer, scheduler, epoch, history and RNG in one safe file.

A checkpoint is a safetensors file. Its tensors are the model's state under
``model.<key>`` and the optimizer's arrays under ``optimizer.state.<idx>.<name>``; its
``__metadata__`` holds, as JSON, everything else: the optimizer's step counts and
``param_groups``, the scheduler's ``state_dict()``, epoch, history, ``extra`` and the
state of groundup's random generator, so a resumed run draws the same numbers (shuffles,
dropout masks) as an uninterrupted one and ends with bit-identical weights.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from groundup.io.safetensors import PathLike, load_file, metadata, save_file
from groundup.io.serialize import from_json, to_json

__all__ = ["save_checkpoint", "load_checkpoint"]

FORMAT_KEY = "groundup.checkpoint"
FORMAT_VERSION = 1
_PARTS = ("optimizer", "scheduler", "epoch", "history", "extra", "rng")


def save_checkpoint(
    path: PathLike,
    model: Any = None,
    optimizer: Any = None,
    scheduler: Any = None,
    epoch: int | None = None,
    history: Mapping[str, Any] | None = None,
    rng: bool | np.random.Generator = True,
    extra: Mapping[str, Any] | None = None,
) -> None:
    """Save everything needed to resume training to one safetensors file, atomically.

    Parameters
    ----------
    path : str or PathLike
    model : object with ``state_dict()``, or a dict of name -> Tensor, optional
    optimizer : object with ``state_dict()`` in PyTorch's layout, optional
        ``{"state": {idx: {"step": ..., "exp_avg": array, ...}}, "param_groups": [...]}``.
    scheduler : object with ``state_dict()`` (plain numbers), optional
    epoch : int, optional
    history : dict of lists, optional
        Such as ``History.history``; must be JSON-serialisable.
    rng : bool or numpy.random.Generator, default True
        Save the state of groundup's generator (True), of the given generator, or none.
    extra : dict, optional
        Anything else JSON-serialisable (hyperparameters, a run name); arrays inside it
        are stored as tensors.

    Examples
    --------
    >>> import groundup as gu, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "ckpt.safetensors")
    >>> save_checkpoint(path, model={"w": gu.ones(2)}, epoch=3, history={"loss": [0.7, 0.4]})
    >>> ckpt = load_checkpoint(path)
    >>> ckpt["epoch"], ckpt["history"], ckpt["model"]["w"]
    (3, {'loss': [0.7, 0.4]}, tensor([1., 1.]))
    """
    tensors: dict[str, Any] = {}
    meta: dict[str, str] = {}
    if model is not None:
        state = _state_dict(model, "model")
        for key, value in state.items():
            if isinstance(value, Mapping):
                raise TypeError(f"save_checkpoint: model state {key!r} is a dict, not a tensor")
            tensors[f"model.{key}"] = value
        meta["model"] = to_json(list(state), "save_checkpoint: model keys")
    if optimizer is not None:
        state = _state_dict(optimizer, "optimizer")
        if not {"state", "param_groups"} <= set(state):
            raise ValueError(
                "save_checkpoint: optimizer.state_dict() must have 'state' and 'param_groups' "
                f"(PyTorch's layout), got keys {sorted(map(str, state))}"
            )
        meta["optimizer"] = to_json(state, "save_checkpoint: optimizer", tensors, "optimizer")
    if scheduler is not None:
        state = _state_dict(scheduler, "scheduler")
        meta["scheduler"] = to_json(state, "save_checkpoint: scheduler", tensors, "scheduler")
    for name, value in (("epoch", epoch), ("history", history), ("extra", extra)):
        if value is not None:
            meta[name] = to_json(value, f"save_checkpoint: {name}", tensors, name)
    if rng is not False:
        meta["rng"] = to_json(_generator(rng, "save_checkpoint").bit_generator.state, "rng")
    meta[FORMAT_KEY] = to_json({"version": FORMAT_VERSION}, FORMAT_KEY)
    save_file(tensors, path, meta)


def load_checkpoint(
    path: PathLike,
    model: Any = None,
    optimizer: Any = None,
    scheduler: Any = None,
    rng: bool | np.random.Generator = True,
) -> dict[str, Any]:
    """Load a checkpoint written by ``save_checkpoint``, restoring into the objects given.

    ``model.load_state_dict``, ``optimizer.load_state_dict`` and
    ``scheduler.load_state_dict`` are called with the saved states (in that order), and
    the random generator's state is restored. Nothing in the file is executed.

    Parameters
    ----------
    path : str or PathLike
    model, optimizer, scheduler : objects with ``load_state_dict()``, optional
        Each must have been saved; a missing part raises ``ValueError``.
    rng : bool or numpy.random.Generator, default True
        Restore groundup's generator (True), the given generator, or none (False).
        Skipped when the checkpoint holds no RNG state.

    Returns
    -------
    dict
        ``"epoch"``, ``"history"``, ``"extra"`` (None when not saved), and the saved states
        ``"model"`` (name -> Tensor), ``"optimizer"`` (arrays as ndarrays), ``"scheduler"``.

    Examples
    --------
    >>> import groundup as gu, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "ckpt.safetensors")
    >>> _ = gu.manual_seed(0); save_checkpoint(path, epoch=1); a = gu.randn(2)
    >>> load_checkpoint(path)["epoch"]
    1
    >>> bool((gu.randn(2) == a).all())  # the generator is back where it was saved
    True
    """
    from groundup.tensor import Tensor

    meta = metadata(path)
    if FORMAT_KEY not in meta:
        raise ValueError(
            f"load_checkpoint: {path} is not a groundup checkpoint (no {FORMAT_KEY!r} metadata); "
            "load plain state dicts with groundup.io.load"
        )
    version = _decode(meta, FORMAT_KEY, {}, path)
    if version != {"version": FORMAT_VERSION}:
        raise ValueError(f"load_checkpoint: {path} has format {version}, expected version 1")
    tensors = load_file(path)
    parts = {name: _decode(meta, name, tensors, path) for name in _PARTS}
    model_state = None
    if "model" in meta:
        keys = _decode(meta, "model", {}, path)
        keys = keys if isinstance(keys, list) else [keys]
        names = {key: f"model.{key}" for key in keys if isinstance(key, str)}
        missing = [name for name in names.values() if name not in tensors]
        if len(names) != len(keys) or missing:
            raise ValueError(f"load_checkpoint: {path}: model keys {keys} do not match its tensors")
        model_state = {key: Tensor._wrap(tensors[name]) for key, name in names.items()}
    gen = _generator(rng, "load_checkpoint") if rng is not False else None
    if gen is not None and parts["rng"] is not None:
        try:  # on a scratch generator first, so a bad state changes nothing
            type(gen.bit_generator)().state = parts["rng"]
        except (TypeError, ValueError, KeyError) as e:
            raise ValueError(
                f"load_checkpoint: cannot restore the RNG state of {path}: {e!r}"
            ) from e
    targets = [
        (model, model_state, "model"),
        (optimizer, parts["optimizer"], "optimizer"),
        (scheduler, parts["scheduler"], "scheduler"),
    ]
    for obj, state, name in targets:  # check them all before changing any
        if obj is not None and state is None:
            raise ValueError(f"load_checkpoint: {path} holds no {name} state to restore")
        if obj is not None and not hasattr(obj, "load_state_dict"):
            raise TypeError(
                f"load_checkpoint: {name} must have a load_state_dict() method, "
                f"got {type(obj).__name__}"
            )
    for obj, state, _ in targets:
        if obj is not None:
            obj.load_state_dict(state)
    if gen is not None and parts["rng"] is not None:
        gen.bit_generator.state = parts["rng"]
    return {
        "epoch": parts["epoch"],
        "history": parts["history"],
        "extra": parts["extra"],
        "model": model_state,
        "optimizer": parts["optimizer"],
        "scheduler": parts["scheduler"],
    }


def _decode(meta: Mapping[str, str], name: str, tensors: Mapping, path: PathLike) -> Any:
    """The JSON metadata entry ``name`` (None when absent), with a clear error when corrupt."""
    if name not in meta:
        return None
    try:
        return from_json(meta[name], tensors)
    except (ValueError, TypeError, RecursionError) as e:
        raise ValueError(f"load_checkpoint: {path}: metadata {name!r} is corrupt: {e}") from e


def _state_dict(obj: Any, name: str) -> Mapping:
    state = obj.state_dict() if hasattr(obj, "state_dict") else obj
    if not isinstance(state, Mapping):
        raise TypeError(
            f"save_checkpoint: {name} must have a state_dict() method or be a dict, "
            f"got {type(obj).__name__}"
        )
    return state


def _generator(rng: Any, where: str) -> np.random.Generator:
    if rng is True:
        from groundup.random import generator

        return generator()
    if isinstance(rng, np.random.Generator):
        return rng
    raise TypeError(f"{where}: rng must be True, False or a numpy Generator, got {rng!r}")
