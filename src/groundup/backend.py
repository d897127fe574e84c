"""The array backend: which array module does the math for a device.

``"cpu"`` runs on NumPy; ``"cuda"`` runs on CuPy when it is installed. This is the
only module that imports an array library by name for tensor math: everything else
asks it for ``xp``, the module that holds the arrays of a given device.
"""

from __future__ import annotations

import types

import numpy

__all__ = ["get_xp", "device_of", "normalize_device", "is_available"]

_MODULES: dict[str, types.ModuleType] = {"cpu": numpy}
ARRAY_TYPES: set[type] = {numpy.ndarray}  # array classes a Tensor holds as they are


def normalize_device(device: object) -> str:
    """Return the canonical device name: ``"cpu"`` or ``"cuda"`` (``"cuda:0"`` -> ``"cuda"``)."""
    name = str(device).lower()
    if name == "cpu":
        return "cpu"
    if name == "cuda" or name.startswith("cuda:") or name == "gpu":
        return "cuda"
    raise ValueError(f"unknown device {device!r}: expected 'cpu' or 'cuda'")


def _load_cupy() -> types.ModuleType:
    try:
        import cupy  # noqa: PLC0415 - optional, imported only when a GPU is asked for
    except ImportError as e:
        raise RuntimeError(
            "device 'cuda' needs CuPy, which is not installed; "
            'install it with `pip install -e ".[gpu]"` on a machine with an NVIDIA GPU'
        ) from e
    return cupy


def get_xp(device: str = "cpu") -> types.ModuleType:
    """Return the array module for ``device``: ``numpy`` for ``"cpu"``, ``cupy`` for ``"cuda"``.

    Examples
    --------
    >>> get_xp("cpu").__name__
    'numpy'
    """
    xp = _MODULES.get(device)
    if xp is None:
        device = normalize_device(device)
        if device not in _MODULES:
            _MODULES[device] = _load_cupy()
            ARRAY_TYPES.add(_MODULES[device].ndarray)
        xp = _MODULES[device]
    return xp


def device_of(array: object) -> str:
    """Return the device an array lives on: ``"cpu"`` for NumPy arrays, ``"cuda"`` for CuPy's."""
    if isinstance(array, numpy.ndarray) or numpy.isscalar(array):
        return "cpu"
    if type(array).__module__.startswith("cupy"):
        return "cuda"
    return "cpu"


def is_available(device: str) -> bool:
    """Whether ``device`` can hold tensors on this machine."""
    try:
        get_xp(device)
    except RuntimeError:
        return False
    return True


def to_device(array: object, device: str) -> object:
    """Copy ``array`` to ``device`` (a no-op when it is already there)."""
    device = normalize_device(device)
    if device_of(array) == device:
        return array
    if device == "cpu":
        return array.get()  # CuPy -> NumPy
    return get_xp(device).asarray(array)
