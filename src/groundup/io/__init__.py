"""Safe files: state dicts and checkpoints as safetensors (arrays + a JSON header, no pickle).

- ``save(obj, path, metadata=None)`` / ``load(path)``: a state dict or module, and back as
  name -> Tensor; ``load_metadata(path)`` reads the JSON metadata saved beside it.
- ``save_checkpoint`` / ``load_checkpoint``: model, optimizer, scheduler, epoch, history
  and RNG state, so training resumes bit-identically.
- ``save_file`` / ``load_file`` / ``metadata``: the raw format, NumPy arrays and str -> str
  metadata, compatible with the reference ``safetensors`` package.

Every file is written atomically (temporary file, fsync, rename), and reading never runs
code from the file: pickles, ``.npz`` archives and corrupt headers raise ``SafetensorsError``.

Examples
--------
>>> import groundup as gu, tempfile, os
>>> from groundup.io import save, load
>>> path = os.path.join(tempfile.mkdtemp(), "weights.safetensors")
>>> save({"fc.weight": gu.ones(2, 3)}, path)
>>> load(path)["fc.weight"].shape
(2, 3)
"""

from groundup.io.checkpoint import load_checkpoint, save_checkpoint
from groundup.io.safetensors import SafetensorsError, atomic_write, load_file, metadata, save_file
from groundup.io.serialize import load, load_metadata, save

__all__ = [
    "save",
    "load",
    "load_metadata",
    "save_checkpoint",
    "load_checkpoint",
    "save_file",
    "load_file",
    "metadata",
    "atomic_write",
    "SafetensorsError",
]
