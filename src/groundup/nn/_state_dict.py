"""``state_dict`` and ``load_state_dict`` of ``Module``, with PyTorch's keys and messages.

A state dict maps dotted names (``fc1.weight``, ``0.bias``, ``bn.running_mean``) to tensors:
every parameter and persistent buffer, in registration order. Loading copies values into
the existing arrays, so optimizers holding the parameters keep working.
"""

from __future__ import annotations

import itertools
from collections import OrderedDict, namedtuple
from collections.abc import Mapping
from typing import Any

from groundup.backend import ARRAY_TYPES, device_of, get_xp, to_device
from groundup.tensor import Tensor

__all__ = ["StateDictMixin"]


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What ``load_state_dict`` returns: the keys it missed and the keys it did not expect."""

    __slots__ = ()

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()


class StateDictMixin:
    """The state-dict methods of ``Module`` (a mixin; see ``module.py``)."""

    _parameters: dict
    _buffers: dict
    _modules: dict
    _non_persistent_buffers_set: set

    def state_dict(
        self, destination: Any = None, prefix: str = "", keep_vars: bool = False
    ) -> OrderedDict:
        """Name -> tensor for every parameter and persistent buffer, keys as in PyTorch.

        The tensors are detached but share memory with the module (``keep_vars=True``
        gives the parameters themselves).
        """
        if destination is None:
            destination = OrderedDict()
        self._save_to_state_dict(destination, prefix, keep_vars)
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(destination, prefix + name + ".", keep_vars)
        return destination

    def _save_to_state_dict(self, destination: dict, prefix: str, keep_vars: bool) -> None:
        for name, param in self._parameters.items():
            if param is not None:
                destination[prefix + name] = param if keep_vars else param.detach()
        for name, buf in self._buffers.items():
            if buf is not None and name not in self._non_persistent_buffers_set:
                destination[prefix + name] = buf if keep_vars else buf.detach()

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True) -> Any:
        """Copy values (tensors or NumPy arrays) into the parameters and buffers, in place.

        Each array keeps its dtype and device. Returns ``(missing_keys, unexpected_keys)``;
        with ``strict=True`` any missing or unexpected key raises a ``RuntimeError`` naming
        them all. A shape mismatch always raises, naming the key and both shapes.
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"load_state_dict: expected a dict-like, got {type(state_dict)}")
        missing: list[str] = []
        unexpected: list[str] = []
        errors: list[str] = []

        def load(module: Any, local: Mapping[str, Any], prefix: str) -> None:
            module._load_from_state_dict(local, prefix, {}, True, missing, unexpected, errors)
            for name, child in module._modules.items():
                if child is not None:
                    child_prefix = prefix + name + "."
                    child_state = {k: v for k, v in local.items() if k.startswith(child_prefix)}
                    load(child, child_state, child_prefix)

        load(self, dict(state_dict), "")
        if strict:
            if unexpected:
                keys = ", ".join(f'"{k}"' for k in unexpected)
                errors.insert(0, f"Unexpected key(s) in state_dict: {keys}. ")
            if missing:
                keys = ", ".join(f'"{k}"' for k in missing)
                errors.insert(0, f"Missing key(s) in state_dict: {keys}. ")
        if errors:
            raise RuntimeError(
                f"Error(s) in loading state_dict for {type(self).__name__}:\n\t"
                + "\n\t".join(errors)
            )
        return _IncompatibleKeys(missing, unexpected)

    def _load_from_state_dict(
        self,
        state_dict: Mapping[str, Any],
        prefix: str,
        local_metadata: dict,
        strict: bool,
        missing_keys: list[str],
        unexpected_keys: list[str],
        error_msgs: list[str],
    ) -> None:
        """Load this module's own entries (PyTorch's signature, so subclasses can extend it)."""
        persistent = {
            k: v for k, v in self._buffers.items() if k not in self._non_persistent_buffers_set
        }
        members = itertools.chain(self._parameters.items(), persistent.items())
        local = {k: v for k, v in members if v is not None}
        for name, t in local.items():
            key = prefix + name
            if key not in state_dict:
                if strict:
                    missing_keys.append(key)
                continue
            value = state_dict[key]
            array = value.data if isinstance(value, Tensor) else value
            if type(array) not in ARRAY_TYPES:  # a NumPy scalar, a list, a torch tensor, ...
                try:
                    array = get_xp("cpu").asarray(array)
                except Exception:  # noqa: BLE001 - reported below like PyTorch does
                    array = None
            if array is None or array.dtype.kind not in "biuf":
                error_msgs.append(
                    f'While copying the parameter named "{key}", expected a Tensor or a '
                    f"numeric array from the state dict but received {type(value).__name__}"
                )
                continue
            if tuple(array.shape) != t.shape:
                error_msgs.append(
                    f"size mismatch for {key}: copying a param with shape {tuple(array.shape)} "
                    f"from checkpoint, the shape in current model is {t.shape}."
                )
                continue
            if device_of(array) != t.device:
                array = to_device(array, t.device)
            t.data[...] = array
            t._bump_version()
        if strict:
            for key in state_dict:
                if key.startswith(prefix):
                    head, *rest = key[len(prefix) :].split(".", 1)
                    if (rest and head not in self._modules) or (not rest and head not in local):
                        unexpected_keys.append(key)
