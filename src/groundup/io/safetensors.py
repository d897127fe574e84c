"""The safetensors file format, written from scratch: arrays plus a JSON header, no pickle.

Layout (the same as the reference ``safetensors`` package, so files move to and from PyTorch)::

    8 bytes      N, the header length, unsigned little-endian
    N bytes      UTF-8 JSON: {"__metadata__": {str: str},
                              name: {"dtype": "F32", "shape": [2, 3], "data_offsets": [b, e]}, ...}
                 padded with spaces to a multiple of 8
    the rest     the raw little-endian C-order bytes of every tensor; tensor ``name`` is
                 bytes [b, e) of this part, and the tensors cover it exactly, in order

Reading parses only that JSON and copies bytes into fresh arrays, so a file can never run
code; every size in the header is checked against the file before anything is allocated.
"""

from __future__ import annotations

import json
import math
import os
import secrets
import stat
import struct
from collections.abc import Callable, Mapping
from typing import Any, BinaryIO

import numpy as np

__all__ = ["SafetensorsError", "save_file", "load_file", "metadata", "atomic_write"]

MAX_HEADER_BYTES = 100_000_000  # the reference's limit: bigger headers are an attack, not a model

# safetensors dtype -> little-endian NumPy dtype (BF16 is read as raw uint16, then widened)
DTYPES: dict[str, np.dtype] = {
    "F64": np.dtype("<f8"),
    "F32": np.dtype("<f4"),
    "F16": np.dtype("<f2"),
    "BF16": np.dtype("<u2"),
    "I64": np.dtype("<i8"),
    "I32": np.dtype("<i4"),
    "I16": np.dtype("<i2"),
    "I8": np.dtype("i1"),
    "U64": np.dtype("<u8"),
    "U32": np.dtype("<u4"),
    "U16": np.dtype("<u2"),
    "U8": np.dtype("u1"),
    "BOOL": np.dtype("?"),
}
_CODES = {dt.newbyteorder("=").str: code for code, dt in DTYPES.items() if code != "BF16"}

PathLike = str | os.PathLike


class SafetensorsError(ValueError):
    """A file that is not a valid safetensors file (truncated, corrupt, lying or foreign)."""


# ---------------------------------------------------------------------------- writing


def save_file(
    tensors: Mapping[str, Any], path: PathLike, metadata: Mapping[str, str] | None = None
) -> None:
    """Write arrays to ``path`` in the safetensors format, atomically.

    The file is written to a temporary file in the same folder, flushed to disk and then
    renamed over ``path``, so a crash mid-save leaves any previous file intact.

    Parameters
    ----------
    tensors : mapping of str to ndarray or Tensor
        Arrays of dtype float64/32/16, (u)int64/32/16/8 or bool.
    path : str or PathLike
    metadata : mapping of str to str, optional
        Stored as the header's ``"__metadata__"``.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "w.safetensors")
    >>> save_file({"w": np.ones((2, 3), np.float32)}, path, metadata={"epoch": "3"})
    >>> load_file(path)["w"].shape, metadata(path)
    ((2, 3), {'epoch': '3'})
    """
    arrays = {name: _as_array(name, value) for name, value in _check_mapping(tensors).items()}
    meta = _check_metadata(metadata)
    header: dict[str, Any] = {"__metadata__": meta} if meta else {}
    # Data in order of falling item size keeps every tensor aligned (as the reference does);
    # the header keeps the caller's order, which is what load_file gives back.
    order = sorted(arrays, key=lambda name: -arrays[name].dtype.itemsize)
    offsets, end = {}, 0
    for name in order:
        offsets[name] = [end, end + arrays[name].nbytes]
        end += arrays[name].nbytes
    for name, a in arrays.items():
        code = _dtype_code(name, a)
        header[name] = {"dtype": code, "shape": list(a.shape), "data_offsets": offsets[name]}
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * (-len(text) % 8)
    atomic_write(path, lambda f: _write_body(f, text, [arrays[name] for name in order]))


def _write_body(f: BinaryIO, header: bytes, arrays: list[np.ndarray]) -> None:
    f.write(struct.pack("<Q", len(header)))
    f.write(header)
    for a in arrays:
        _write_array(f, a)


def _write_array(f: BinaryIO, a: np.ndarray) -> None:
    if a.nbytes:
        f.write(a.reshape(-1).view(np.uint8))  # the array's own memory, no copy


def atomic_write(path: PathLike, write: Callable[[BinaryIO], None]) -> None:
    """Call ``write(f)`` on a temporary file beside ``path``, then rename it to ``path``.

    The data reaches the disk (``fsync``) before the rename, and the rename is atomic, so
    ``path`` holds either the old file or the whole new one. On an error the temporary
    file is removed and the error re-raised.
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"cannot save to {path!r}: folder {folder!r} does not exist")
    if os.path.isdir(path):
        raise IsADirectoryError(f"cannot save to {path!r}: it is a folder, expected a file path")
    tmp = os.path.join(folder, f".{os.path.basename(path)}.{secrets.token_hex(6)}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    fd = os.open(tmp, flags, 0o666)  # 0o666 minus the umask, as a plain open() would give
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        if os.path.exists(path):
            os.chmod(tmp, stat.S_IMODE(os.stat(path).st_mode))
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    _fsync_folder(folder)


def _fsync_folder(folder: str) -> None:
    """Make the rename itself durable (POSIX); a no-op where folders can't be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _check_mapping(tensors: Any) -> Mapping[str, Any]:
    if not isinstance(tensors, Mapping):
        kind = type(tensors).__name__
        raise TypeError(f"save_file: expected a dict of name -> array, got {kind}")
    for name in tensors:
        if not isinstance(name, str):
            raise TypeError(f"save_file: tensor names must be str, got {name!r}")
        if name == "__metadata__":
            raise ValueError("save_file: '__metadata__' is reserved for the header's metadata")
    return tensors


def _check_metadata(metadata: Any) -> dict[str, str]:
    if metadata is None:
        return {}
    if not isinstance(metadata, Mapping):
        raise TypeError(f"save_file: metadata must be a dict of str -> str, got {metadata!r}")
    for k, v in metadata.items():
        if not isinstance(k, str) or not isinstance(v, str):
            raise TypeError(
                f"save_file: metadata must map str -> str, got {k!r}: {type(v).__name__}; "
                "encode other values first (json.dumps), or use groundup.io.save"
            )
    return dict(metadata)


def _as_array(name: str, value: Any) -> np.ndarray:
    from groundup.tensor import Tensor

    if isinstance(value, Tensor):
        value = value.numpy()
    if not isinstance(value, (np.ndarray, np.generic)):
        raise TypeError(
            f"save_file: tensor {name!r} is a {type(value).__name__}, "
            "expected a NumPy array or a groundup Tensor"
        )
    a = np.asarray(value)
    if a.dtype.byteorder == ">" or (a.dtype.byteorder == "=" and np.little_endian is False):
        a = a.astype(a.dtype.newbyteorder("<"))
    return a if a.flags.c_contiguous else a.copy(order="C")  # (ascontiguousarray makes 0-d 1-d)


def _dtype_code(name: str, a: np.ndarray) -> str:
    code = _CODES.get(a.dtype.newbyteorder("=").str)
    if code is None:
        raise TypeError(
            f"save_file: tensor {name!r} has dtype {a.dtype}, which safetensors cannot hold; "
            "expected float64/32/16, (u)int64/32/16/8 or bool"
        )
    return code


# ---------------------------------------------------------------------------- reading


def load_file(path: PathLike) -> dict[str, np.ndarray]:
    """Read every tensor of a safetensors file, in header order, as fresh NumPy arrays.

    ``BF16`` tensors come back as float32 (exact: NumPy has no bfloat16).

    Raises
    ------
    SafetensorsError
        When the file is not a valid safetensors file; the message says what is wrong.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "w.safetensors")
    >>> save_file({"b": np.arange(3, dtype=np.int64)}, path)
    >>> load_file(path)
    {'b': array([0, 1, 2])}
    """
    path = os.fspath(path)
    with open(path, "rb") as f:
        entries, _, data_start = _read_header(f, path)
        out: dict[str, np.ndarray] = {}
        for name, (code, shape, begin, _) in sorted(entries.items(), key=lambda e: e[1][2]):
            f.seek(data_start + begin)
            out[name] = _read_array(f, path, name, code, shape)
    return {name: out[name] for name in entries}


def metadata(path: PathLike) -> dict[str, str]:
    """The ``"__metadata__"`` of a safetensors file (str -> str; empty when there is none).

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "w.safetensors")
    >>> save_file({"w": np.zeros(1)}, path, metadata={"format": "np"})
    >>> metadata(path)
    {'format': 'np'}
    """
    path = os.fspath(path)
    with open(path, "rb") as f:
        return _read_header(f, path)[1]


def _read_array(f: BinaryIO, path: str, name: str, code: str, shape: tuple) -> np.ndarray:
    a = np.empty(shape, DTYPES[code] if code != "BOOL" else np.uint8)
    buf = a.reshape(-1).view(np.uint8)
    got = 0
    while got < buf.size:  # readinto may return short counts; loop until full
        n = f.readinto(buf[got:])
        if not n:
            raise SafetensorsError(f"{path}: file ended while reading tensor {name!r}")
        got += n
    if code == "BF16":
        return (a.astype(np.uint32) << 16).view(np.float32)
    if code == "BOOL":
        if (a > 1).any():
            raise SafetensorsError(f"{path}: BOOL tensor {name!r} holds bytes other than 0 and 1")
        return a.view(np.bool_)
    return a.astype(a.dtype.newbyteorder("="), copy=False)


def _read_header(f: BinaryIO, path: str) -> tuple[dict[str, tuple], dict[str, str], int]:
    """Parse and check the header: (name -> (dtype, shape, begin, end), metadata, data start)."""
    size = os.fstat(f.fileno()).st_size
    head = f.read(8)

    def fail(problem: str) -> SafetensorsError:
        foreign = _sniff(head)
        if foreign:
            problem = f"it looks like {foreign}, not a safetensors file ({problem})"
        return SafetensorsError(f"{path}: {problem}")

    if len(head) < 8:
        raise fail(f"file is {size} bytes, shorter than the 8-byte header length")
    (n,) = struct.unpack("<Q", head)
    if n > MAX_HEADER_BYTES:
        raise fail(f"header length {n} is larger than the {MAX_HEADER_BYTES}-byte limit")
    if 8 + n > size:
        raise fail(f"header length {n} is larger than the rest of the file ({size - 8} bytes)")
    raw = f.read(n)
    if len(raw) != n:
        raise fail(f"file ended inside the {n}-byte header")
    if not raw.startswith(b"{"):
        raise fail("header does not start with '{'")
    try:
        header = json.loads(raw.decode("utf-8"), object_pairs_hook=_no_duplicates)
    except UnicodeDecodeError as e:
        raise fail(f"header is not valid UTF-8 ({e})") from None
    except (ValueError, RecursionError) as e:
        raise fail(f"header is not valid JSON ({e})") from None
    if not isinstance(header, dict):
        raise fail(f"header is JSON {type(header).__name__}, expected an object")
    meta = header.pop("__metadata__", None)
    meta = {} if meta is None else meta
    if not isinstance(meta, dict) or not all(isinstance(v, str) for v in meta.values()):
        raise fail("'__metadata__' must be an object of string values")
    data_len = size - 8 - n
    entries = {name: _check_entry(name, info, data_len, fail) for name, info in header.items()}
    _check_coverage(entries, data_len, fail)
    return entries, meta, 8 + n


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        names = [k for k, _ in pairs]
        dup = next(k for k in names if names.count(k) > 1)
        raise ValueError(f"key {dup!r} appears twice")
    return out


def _is_uint(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool) and x >= 0


def _check_entry(name: str, info: Any, data_len: int, fail: Callable) -> tuple:
    where = f"tensor {name!r}"
    if not isinstance(info, dict):
        raise fail(f"{where}: expected an object with dtype, shape, data_offsets, got {info!r}")
    missing = [k for k in ("dtype", "shape", "data_offsets") if k not in info]
    if missing:
        raise fail(f"{where}: header entry is missing {', '.join(missing)}")
    code, shape, offsets = info["dtype"], info["shape"], info["data_offsets"]
    if code not in DTYPES:
        raise fail(f"{where}: unknown dtype {code!r}; expected one of {', '.join(DTYPES)}")
    if not isinstance(shape, list) or not all(_is_uint(d) for d in shape):
        raise fail(f"{where}: shape must be a list of non-negative ints, got {shape!r}")
    if not (isinstance(offsets, list) and len(offsets) == 2 and all(map(_is_uint, offsets))):
        raise fail(f"{where}: data_offsets must be [begin, end] ints >= 0, got {offsets!r}")
    begin, end = offsets
    if end < begin:
        raise fail(f"{where}: data_offsets {offsets} end before they begin")
    expected = math.prod(shape) * DTYPES[code].itemsize
    if end - begin != expected:
        raise fail(
            f"{where}: shape {shape} of {code} needs {expected} bytes, "
            f"but data_offsets {offsets} span {end - begin}"
        )
    if end > data_len:
        raise fail(
            f"{where}: data_offsets {offsets} go past the end of the data ({data_len} bytes); "
            "the file is truncated or its header lies"
        )
    return code, tuple(shape), begin, end


def _check_coverage(entries: dict[str, tuple], data_len: int, fail: Callable) -> None:
    """The tensors must tile the data exactly: no gap, no overlap, nothing after the last."""
    pos, prev = 0, None
    for name, (_, _, begin, end) in sorted(entries.items(), key=lambda e: (e[1][2], e[1][3])):
        if begin < pos:
            raise fail(f"tensors {prev!r} and {name!r} overlap (bytes {begin}..{pos})")
        if begin > pos:
            raise fail(f"{begin - pos} bytes before tensor {name!r} belong to no tensor")
        pos, prev = end, name
    if pos != data_len:
        raise fail(f"{data_len - pos} bytes of trailing garbage after the last tensor")


def _sniff(head: bytes) -> str | None:
    """Name a common non-safetensors format from its first bytes (for error messages)."""
    if head[:1] == b"\x80" and head[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05"):
        return (
            "a pickle file (torch.save / pickle.dump); groundup never unpickles, because "
            "unpickling can run arbitrary code"
        )
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return (
            "a zip archive (a NumPy .npz or a torch.save file); convert it to safetensors "
            "with np.load(path, allow_pickle=False) and groundup.io.save_file"
        )
    if head.startswith(b"\x93NUMPY"):
        return "a NumPy .npy file; convert it with np.load(path, allow_pickle=False)"
    return None
