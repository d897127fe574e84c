"""``Module.to`` and its shortcuts: move parameters and buffers between devices and dtypes."""

from __future__ import annotations

import itertools
from typing import Any

from groundup import dtypes
from groundup.backend import normalize_device, to_device
from groundup.tensor import Tensor


class ConversionMixin:
    """``to``, ``float``, ``double``, ``cpu``, ``cuda`` of ``Module`` (see ``module.py``)."""

    def to(self, *args: Any, device: Any = None, dtype: Any = None) -> Any:
        """Move parameters and buffers to ``device`` and/or cast the floating ones to ``dtype``.

        In place (the same ``Parameter`` objects, new arrays), returning self:
        ``model.to("cuda")``, ``model.to(gu.float64)``, ``model.to("cpu", gu.float32)``.
        """
        for a in args:
            if isinstance(a, Tensor):
                device, dtype = a.device, a.dtype
            elif isinstance(a, str) and a.split(":")[0] in ("cpu", "cuda", "gpu"):
                device = a
            else:
                dtype = a
        device = None if device is None else normalize_device(device)
        dtype = dtypes.as_dtype(dtype)
        if dtype is not None and not dtypes.is_floating(dtype):
            raise TypeError(f"Module.to: only floating dtypes are accepted, got {dtype}")
        seen: set[int] = set()
        for module in self.modules():
            for t in itertools.chain(module._parameters.values(), module._buffers.values()):
                if t is not None and id(t) not in seen:
                    seen.add(id(t))
                    _convert(t, device, dtype)
                    if t.grad is not None:
                        _convert(t.grad, device, dtype)
        return self

    def float(self) -> Any:
        """Cast floating parameters and buffers to float32."""
        return self.to(dtype=dtypes.float32)

    def double(self) -> Any:
        """Cast floating parameters and buffers to float64."""
        return self.to(dtype=dtypes.float64)

    def cpu(self) -> Any:
        """Move everything to the CPU."""
        return self.to(device="cpu")

    def cuda(self) -> Any:
        """Move everything to the GPU (needs CuPy)."""
        return self.to(device="cuda")


def _convert(t: Tensor, device: str | None, dtype: Any) -> None:
    """Give ``t`` a new array on ``device`` and, if floating, of ``dtype`` (same object)."""
    data = t.data
    if dtype is not None and dtypes.is_floating(data.dtype) and data.dtype != dtype:
        data = data.astype(dtype)
    if device is not None and device != t.device:
        data = to_device(data, device)
        t.device = device
    t.data = data
