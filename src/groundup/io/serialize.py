"""``save``/``load`` of state dicts, and the JSON codec for the metadata beside them.

A saved state dict is a flat safetensors file: one tensor per key. Everything that is not
an array (epoch, history, hyperparameters) goes into the header's ``__metadata__`` as JSON
strings. Plain JSON loses a few things a training state needs, so the codec tags them:

- ``{"__tuple__": [...]}``  a tuple (Adam's ``betas``), not a list;
- ``{"__int__": "..."}``    an int beyond 2**53, which JSON readers other than Python's
  round (the 128-bit state of NumPy's PCG64 generator);
- ``{"__dict__": [[k, v], ...]}``  a dict whose keys are not all strings (an optimizer's
  ``state`` is keyed by parameter index);
- ``{"__tensor__": "name"}``  an array stored as the file's tensor ``name`` (checkpoints).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

import numpy as np

from groundup.io.safetensors import PathLike, load_file, metadata, save_file

__all__ = ["save", "load", "load_metadata", "to_json", "from_json"]

_TAGS = ("__tuple__", "__int__", "__dict__", "__tensor__")
_JSON_SAFE_INT = 2**53


def save(obj: Any, path: PathLike, metadata: Mapping[str, Any] | None = None) -> None:
    """Save a state dict (or a module's ``state_dict()``) to a safetensors file, atomically.

    Parameters
    ----------
    obj : dict of str to Tensor or ndarray, or an object with ``state_dict()``
        What to save: its tensors, one per key.
    path : str or PathLike
        Where to write; a crash mid-save leaves the previous file there intact.
    metadata : dict of str to JSON-serialisable values, optional
        Epoch, history, hyperparameters...; each value is stored as a JSON string and read
        back by ``load_metadata``. Other values raise ``TypeError``.

    Examples
    --------
    >>> import groundup as gu, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "model.safetensors")
    >>> save({"w": gu.ones(2, 2)}, path, metadata={"epoch": 3, "loss": [0.9, 0.5]})
    >>> load(path)["w"]
    tensor([[1., 1.],
            [1., 1.]])
    >>> load_metadata(path)
    {'epoch': 3, 'loss': [0.9, 0.5]}
    """
    state = obj.state_dict() if hasattr(obj, "state_dict") else obj
    if not isinstance(state, Mapping):
        raise TypeError(
            f"save: expected a state dict (name -> Tensor) or an object with state_dict(), "
            f"got {type(obj).__name__}"
        )
    for key, value in state.items():
        if isinstance(value, Mapping):
            raise TypeError(
                f"save: value {key!r} is a dict, expected a tensor; save optimizers and "
                "schedulers with groundup.io.save_checkpoint"
            )
    if metadata is not None and not isinstance(metadata, Mapping):
        raise TypeError(f"save: metadata must be a dict, got {type(metadata).__name__}")
    meta = {}
    for key, value in (metadata or {}).items():
        if not isinstance(key, str):
            raise TypeError(f"save: metadata keys must be str, got {key!r}")
        meta[key] = to_json(value, f"save: metadata[{key!r}]")
    save_file(state, path, meta)


def load(path: PathLike, device: str = "cpu") -> dict[str, Any]:
    """Load a safetensors file as a dict of name -> ``groundup.Tensor``.

    The result is what ``module.load_state_dict`` takes. Loading only parses JSON and copies
    bytes: it never runs code from the file, and a pickle, ``.npz``, truncated or lying
    file raises ``SafetensorsError`` (a ``ValueError``) that says what is wrong.

    Parameters
    ----------
    path : str or PathLike
    device : {"cpu", "cuda"}, default "cpu"

    Returns
    -------
    dict of str to Tensor
        In the file's order; ``requires_grad`` is off. Read metadata with ``load_metadata``.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "b.safetensors")
    >>> save({"b": np.zeros(2, np.float32)}, path)
    >>> load(path)
    {'b': tensor([0., 0.])}
    """
    from groundup.backend import normalize_device, to_device
    from groundup.tensor import Tensor

    device = normalize_device(device)
    return {k: Tensor._wrap(to_device(a, device), device) for k, a in load_file(path).items()}


def load_metadata(path: PathLike) -> dict[str, Any]:
    """The metadata saved by ``save``, each value decoded from its JSON string.

    A value that is not JSON (such as ``{"format": "pt"}`` written by
    ``safetensors.torch``) comes back as the string it is.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "m.safetensors")
    >>> save({"w": np.zeros(1)}, path, metadata={"betas": (0.9, 0.999)})
    >>> load_metadata(path)
    {'betas': (0.9, 0.999)}
    """
    out = {}
    for key, text in metadata(os.fspath(path)).items():
        try:
            out[key] = from_json(text)
        except (ValueError, TypeError, RecursionError):
            out[key] = text
    return out


# ---------------------------------------------------------------------------- JSON codec


def to_json(value: Any, where: str, tensors: dict[str, Any] | None = None, prefix: str = "") -> str:
    """``value`` as a JSON string, tagging what plain JSON would lose (see the module doc).

    With ``tensors`` given, every array is moved there under ``prefix.<path>`` (its place
    in ``value``, dot-joined) and replaced by a ``{"__tensor__": name}`` tag; without it,
    arrays raise ``TypeError``, as does anything else JSON can't hold. ``where`` names the
    value in error messages.
    """
    return json.dumps(_encode(value, where, tensors, prefix), separators=(",", ":"))


def from_json(text: str, tensors: Mapping[str, Any] | None = None) -> Any:
    """Decode ``to_json``'s output; ``{"__tensor__": name}`` becomes ``tensors[name]``."""

    def untag(obj: dict) -> Any:
        if len(obj) != 1 or next(iter(obj)) not in _TAGS:
            return obj
        tag, v = next(iter(obj.items()))
        if tag == "__tuple__":
            return tuple(v)
        if tag == "__int__":
            return int(v)
        if tag == "__dict__":
            return dict(v)
        if tensors is None or v not in tensors:
            raise ValueError(f"metadata refers to tensor {v!r}, which the file does not hold")
        return tensors[v]

    return json.loads(text, object_hook=untag)


def _is_array(value: Any) -> bool:
    from groundup.tensor import Tensor

    return isinstance(value, (np.ndarray, Tensor))


def _encode(v: Any, where: str, tensors: dict | None, prefix: str) -> Any:
    if v is None or isinstance(v, (bool, str, float)):
        return v
    if isinstance(v, int):
        return {"__int__": str(v)} if abs(v) > _JSON_SAFE_INT else v
    if isinstance(v, np.generic) and v.dtype.kind in "biuf":
        return _encode(v.item(), where, tensors, prefix)
    if _is_array(v) and tensors is not None:
        if prefix in tensors:
            raise ValueError(f"{where}: two values map to the same tensor name {prefix!r}")
        tensors[prefix] = v
        return {"__tensor__": prefix}
    if isinstance(v, (list, tuple)):
        items = [
            _encode(x, f"{where}[{i}]", tensors, f"{prefix}.{i}" if prefix else str(i))
            for i, x in enumerate(v)
        ]
        return {"__tuple__": items} if isinstance(v, tuple) else items
    if isinstance(v, Mapping):
        return _encode_dict(v, where, tensors, prefix)
    hint = "store arrays as tensors" if _is_array(v) else "convert it to one of those"
    raise TypeError(
        f"{where}: a {type(v).__name__} is not JSON-serialisable; metadata holds None, bool, "
        f"int, float, str and lists/tuples/dicts of them ({hint})"
    )


def _encode_dict(v: Mapping, where: str, tensors: dict | None, prefix: str) -> Any:
    for k in v:
        if not isinstance(k, (str, int)) or isinstance(k, bool):
            raise TypeError(f"{where}: dict keys must be str or int, got {k!r}")
    if len(v) == 1 and next(iter(v)) in _TAGS:
        raise ValueError(f"{where}: a dict with the single key {next(iter(v))!r} is reserved")
    items = [
        (k, _encode(x, f"{where}[{k!r}]", tensors, f"{prefix}.{k}" if prefix else str(k)))
        for k, x in v.items()
    ]
    if all(isinstance(k, str) for k in v):
        return dict(items)
    return {"__dict__": [list(kx) for kx in items]}
