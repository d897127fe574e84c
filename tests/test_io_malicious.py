"""groundup.io never runs code from a file, and names what is wrong with a broken one."""

from __future__ import annotations

import json
import os
import pickle
import struct

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs

from groundup import io as gio
from groundup.io import safetensors as st
from groundup.io.safetensors import SafetensorsError


class _Payload:
    """Unpickling this creates ``marker``: proof that code from the file ran."""

    def __init__(self, marker: str):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


class _OpenPayload:
    def __init__(self, marker: str):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def _file(tmp_path, header: bytes | dict, data: bytes = b"", n: int | None = None):
    if isinstance(header, dict):
        header = json.dumps(header).encode()
    path = tmp_path / "f.safetensors"
    path.write_bytes(struct.pack("<Q", len(header) if n is None else n) + header + data)
    return path


def _entry(dtype="F32", shape=(2,), offsets=(0, 8)):
    return {"dtype": dtype, "shape": list(shape), "data_offsets": list(offsets)}


@pytest.mark.parametrize("payload", [_Payload, _OpenPayload])
@pytest.mark.parametrize("protocol", [2, 4, 5])
@pytest.mark.parametrize("loader", [gio.load, gio.load_checkpoint, st.load_file, st.metadata])
def test_pickle_payload_is_refused_and_never_runs(tmp_path, payload, protocol, loader):
    marker = tmp_path / "pwned"
    path = tmp_path / "model.pt"
    path.write_bytes(pickle.dumps({"w": payload(str(marker))}, protocol=protocol))
    with pytest.raises(SafetensorsError, match="looks like a pickle file.*never unpickles"):
        loader(path)
    assert not marker.exists()


def test_torch_save_zip_file_is_refused(tmp_path):
    torch = pytest.importorskip("torch")
    marker = tmp_path / "pwned"
    torch.save({"w": torch.ones(2), "evil": _Payload(str(marker))}, tmp_path / "m.pt")
    with pytest.raises(SafetensorsError, match="zip archive"):
        gio.load(tmp_path / "m.pt")
    assert not marker.exists()


def test_npz_with_object_arrays_is_refused(tmp_path):
    marker = tmp_path / "pwned"
    obj = np.array([_Payload(str(marker))], dtype=object)
    np.savez(tmp_path / "w.npz", w=np.ones(3), obj=obj)
    with pytest.raises(SafetensorsError, match=r"zip archive \(a NumPy \.npz"):
        gio.load(tmp_path / "w.npz")
    assert not marker.exists()


def test_npy_file_is_refused(tmp_path):
    np.save(tmp_path / "w.npy", np.ones(3))
    with pytest.raises(SafetensorsError, match="NumPy .npy file"):
        gio.load(tmp_path / "w.npy")


def test_truncated_file_is_refused(tmp_path):
    path = tmp_path / "m.safetensors"
    st.save_file({"w": np.ones((10, 10), np.float32)}, path)
    data = path.read_bytes()
    for cut in (0, 5, 8, 20, len(data) - 1):
        path.write_bytes(data[:cut])
        with pytest.raises(SafetensorsError):
            st.load_file(path)
    path.write_bytes(data[:-4])
    with pytest.raises(SafetensorsError, match="go past the end of the data.*truncated"):
        gio.load(path)


def test_file_shorter_than_the_length_field(tmp_path):
    (tmp_path / "s").write_bytes(b"\x01\x02")
    with pytest.raises(SafetensorsError, match="2 bytes, shorter than the 8-byte header length"):
        st.load_file(tmp_path / "s")


def test_header_length_of_2_pow_63_is_refused_without_allocating(tmp_path):
    path = _file(tmp_path, b"{}", n=2**63)
    with pytest.raises(SafetensorsError, match="larger than the 100000000-byte limit"):
        st.load_file(path)


def test_header_length_past_the_end_of_the_file(tmp_path):
    path = _file(tmp_path, b"{}      ", n=1000)
    with pytest.raises(SafetensorsError, match="header length 1000 is larger than the rest"):
        st.load_file(path)


@pytest.mark.parametrize(
    "header, data, match",
    [
        (b"\xff\xfe{}    ", b"", "does not start with"),
        (b"{\xff}    ", b"", "not valid UTF-8"),
        (b"{'a': 1}", b"", "not valid JSON"),
        (b"[1, 2]  ", b"", "does not start with"),
        pytest.param(b"{" + b"[" * 100_000, b"", "not valid JSON", id="deep-nesting"),
        (b'{"a": 1, "a": 2}', b"", "key 'a' appears twice"),
        ({"w": 5}, b"", "expected an object with dtype"),
        ({"w": {"dtype": "F32", "shape": [2]}}, b"", "missing data_offsets"),
        ({"w": _entry(dtype="O")}, b"\0" * 8, "unknown dtype 'O'"),
        ({"w": _entry(dtype="F8_E4M3")}, b"\0" * 8, "unknown dtype"),
        ({"w": _entry(shape=(-2,))}, b"\0" * 8, "shape must be a list of non-negative ints"),
        ({"w": _entry(shape=(2.0,))}, b"\0" * 8, "shape must be a list"),
        ({"w": _entry(offsets=(8, 0))}, b"\0" * 8, "end before they begin"),
        ({"w": _entry(offsets=(0,))}, b"\0" * 8, r"data_offsets must be \[begin, end\]"),
        ({"w": _entry(shape=(3,))}, b"\0" * 8, r"needs 12 bytes, but data_offsets \[0, 8\] span 8"),
        ({"w": _entry(shape=(10**12,), offsets=(0, 4 * 10**12))}, b"", "go past the end"),
        ({"w": _entry(offsets=(4, 12))}, b"\0" * 12, "4 bytes before tensor 'w' belong to no"),
        ({"a": _entry(), "b": _entry(offsets=(4, 12))}, b"\0" * 12, "'a' and 'b' overlap"),
        ({"a": _entry(), "b": _entry()}, b"\0" * 8, "overlap"),
        ({"w": _entry()}, b"\0" * 9, "1 bytes of trailing garbage"),
        ({"__metadata__": {"epoch": 3}, "w": _entry()}, b"\0" * 8, "string values"),
        ({"__metadata__": [], "w": _entry()}, b"\0" * 8, "string values"),
        ({"w": _entry("BOOL", (2,), (0, 2))}, b"\0\7", "bytes other than 0 and 1"),
    ],
)
def test_lying_or_corrupt_header_is_refused(tmp_path, header, data, match):
    path = _file(tmp_path, header, data)
    with pytest.raises(SafetensorsError, match=match):
        st.load_file(path)


def test_errors_name_the_file(tmp_path):
    path = _file(tmp_path, {"w": _entry(dtype="Q9")}, b"\0" * 8)
    with pytest.raises(SafetensorsError, match=f"^{path}: tensor 'w': unknown dtype 'Q9'"):
        st.load_file(path)


def test_load_checkpoint_refuses_a_plain_state_dict(tmp_path):
    gio.save({"w": np.ones(2)}, tmp_path / "w.safetensors")
    with pytest.raises(ValueError, match="not a groundup checkpoint"):
        gio.load_checkpoint(tmp_path / "w.safetensors")


@pytest.mark.parametrize(
    "key, text, match",
    [
        ("extra", '{"__tensor__":"nope"}', "'extra' is corrupt: metadata refers to tensor 'nope'"),
        ("epoch", '{"__tuple__":5}', "'epoch' is corrupt"),
        pytest.param("history", "[" * 100_000, "'history' is corrupt", id="deep-nesting"),
        ("groundup.checkpoint", '{"version":2}', "expected version 1"),
        ("model", "5", r"model keys \[5\] do not match"),
        ("model", '["w", "v"]', "do not match its tensors"),
        ("rng", '{"bit_generator":"PCG64"}', "cannot restore the RNG state"),
    ],
)
def test_corrupt_checkpoint_metadata_is_refused(tmp_path, key, text, match):
    meta = {"groundup.checkpoint": '{"version":1}', key: text}
    st.save_file({"model.w": np.ones(1)}, tmp_path / "c.safetensors", metadata=meta)
    with pytest.raises(ValueError, match=match):
        gio.load_checkpoint(tmp_path / "c.safetensors")


@settings(
    max_examples=300,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(hs.data())
def test_corrupted_bytes_raise_only_safetensors_errors(tmp_path, data):
    path = tmp_path / "fuzz.safetensors"
    st.save_file(
        {"a": np.arange(6, dtype=np.float32).reshape(2, 3), "b": np.array([True, False])},
        path,
        metadata={"k": "v"},
    )
    raw = bytearray(path.read_bytes())
    for _ in range(data.draw(hs.integers(1, 4))):
        i = data.draw(hs.integers(0, len(raw) - 1))
        raw[i] = data.draw(hs.integers(0, 255))
    raw = raw[: data.draw(hs.integers(0, len(raw)))]
    path.write_bytes(bytes(raw))
    try:
        out = st.load_file(path)
    except SafetensorsError:
        return
    for name, a in out.items():  # what loads is well-formed
        assert isinstance(name, str) and isinstance(a, np.ndarray)
