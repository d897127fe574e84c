"""groundup.io: the safetensors format, save/load of state dicts, atomic writes, interop."""

from __future__ import annotations

import importlib
import json
import os
import struct

import numpy as np
import pytest
import safetensors.numpy
import safetensors.torch
import torch
from safetensors import safe_open

import groundup as gu
from groundup import io as gio
from groundup.io import safetensors as st

DTYPES = ["float64", "float32", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"]


def _arrays(seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    out = {f"{name}.x": (rng.standard_normal((3, 4)) * 50).astype(name) for name in DTYPES}
    out["scalar"] = np.array(2.5, np.float32)  # 0-d
    out["empty"] = np.zeros((0, 3), np.float32)  # zero-size
    out["strided"] = np.arange(24, dtype=np.int32).reshape(4, 6)[:, ::2]  # not contiguous
    return out


def _assert_same(got: dict, want: dict, ordered: bool = True) -> None:
    assert list(got) == list(want) if ordered else sorted(got) == sorted(want)
    for k in want:
        w = np.asarray(want[k])
        assert got[k].dtype == w.dtype, k
        assert got[k].shape == w.shape, k
        np.testing.assert_array_equal(got[k], w, err_msg=k)


def _raw_header(path) -> tuple[int, dict]:
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        return n, json.loads(f.read(n))


# ---------------------------------------------------------------------------- format


def test_save_file_round_trips_every_dtype_and_shape(tmp_path):
    arrays = _arrays()
    st.save_file(arrays, tmp_path / "a.safetensors", metadata={"k": "v", "é": "ü"})
    _assert_same(st.load_file(tmp_path / "a.safetensors"), arrays)
    assert st.metadata(tmp_path / "a.safetensors") == {"k": "v", "é": "ü"}


def test_save_file_header_is_padded_aligned_and_tiles_the_data(tmp_path):
    path = tmp_path / "a.safetensors"
    st.save_file(_arrays(), path, metadata={"a": "b"})
    n, header = _raw_header(path)
    assert n % 8 == 0
    assert next(iter(header)) == "__metadata__"
    spans = sorted(tuple(v["data_offsets"]) for k, v in header.items() if k != "__metadata__")
    assert spans[0][0] == 0
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:]))
    assert spans[-1][1] == os.path.getsize(path) - 8 - n
    for k, v in header.items():  # falling item size keeps each tensor aligned
        if k != "__metadata__":
            itemsize = st.DTYPES[v["dtype"]].itemsize
            assert v["data_offsets"][0] % itemsize == 0, k


def test_save_file_stores_big_endian_arrays_as_little_endian(tmp_path):
    a = np.arange(5, dtype=">f4")
    st.save_file({"a": a}, tmp_path / "a.safetensors")
    got = st.load_file(tmp_path / "a.safetensors")["a"]
    assert got.dtype == np.dtype("float32")
    np.testing.assert_array_equal(got, a)


def test_save_file_without_tensors_or_metadata(tmp_path):
    st.save_file({}, tmp_path / "e.safetensors")
    assert st.load_file(tmp_path / "e.safetensors") == {}
    assert st.metadata(tmp_path / "e.safetensors") == {}


@pytest.mark.parametrize(
    "tensors, metadata, match",
    [
        ({"a": [1.0, 2.0]}, None, "tensor 'a' is a list, expected a NumPy array"),
        ({"a": np.array(["x"])}, None, "dtype <U1, which safetensors cannot hold"),
        ({"a": np.zeros(2, np.complex64)}, None, "dtype complex64"),
        ({1: np.zeros(2)}, None, "names must be str"),
        ({"a": np.zeros(2)}, {"epoch": 3}, "metadata must map str -> str"),
        ([np.zeros(2)], None, "expected a dict of name -> array, got list"),
    ],
)
def test_save_file_rejects_what_it_cannot_store(tmp_path, tensors, metadata, match):
    with pytest.raises(TypeError, match=match):
        st.save_file(tensors, tmp_path / "x.safetensors", metadata=metadata)
    assert os.listdir(tmp_path) == []


def test_save_file_rejects_the_reserved_name(tmp_path):
    with pytest.raises(ValueError, match="'__metadata__' is reserved"):
        st.save_file({"__metadata__": np.zeros(1)}, tmp_path / "x.safetensors")


def test_save_file_into_a_missing_folder_says_which(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        st.save_file({"a": np.zeros(1)}, tmp_path / "nope" / "x.safetensors")


# ---------------------------------------------------------------------------- atomic writes


def test_save_file_crash_midway_leaves_the_old_file_and_no_temp_file(tmp_path, monkeypatch):
    path = tmp_path / "model.safetensors"
    st.save_file({"w": np.ones(1000, np.float32)}, path)
    before = path.read_bytes()
    calls = []

    def crash_on_second(f, a):
        calls.append(1)
        if len(calls) == 2:
            raise OSError("disk full (simulated)")
        f.write(a.reshape(-1).view(np.uint8))

    monkeypatch.setattr(st, "_write_array", crash_on_second)
    new = {"w": np.zeros(1000, np.float32), "b": np.zeros(10, np.float32)}
    with pytest.raises(OSError, match="disk full"):
        st.save_file(new, path)
    assert len(calls) == 2  # it really died half way through the data
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["model.safetensors"]


def test_save_file_crash_on_a_new_path_leaves_nothing(tmp_path, monkeypatch):
    def crash(f, a):
        raise KeyboardInterrupt

    monkeypatch.setattr(st, "_write_array", crash)
    with pytest.raises(KeyboardInterrupt):
        st.save_file({"w": np.ones(3)}, tmp_path / "new.safetensors")
    assert os.listdir(tmp_path) == []


def test_save_file_replaces_keeping_the_file_mode(tmp_path):
    path = tmp_path / "m.safetensors"
    st.save_file({"a": np.ones(2)}, path)
    os.chmod(path, 0o640)
    st.save_file({"a": np.zeros(2)}, path)
    assert os.stat(path).st_mode & 0o777 == 0o640
    np.testing.assert_array_equal(st.load_file(path)["a"], np.zeros(2))


# ---------------------------------------------------------------------------- interop


def test_groundup_file_loads_in_reference_safetensors(tmp_path):
    arrays = _arrays()
    path = str(tmp_path / "gu.safetensors")
    st.save_file(arrays, path, metadata={"epoch": "7", "name": "mlp"})
    _assert_same(safetensors.numpy.load_file(path), arrays, ordered=False)
    with safe_open(path, framework="np") as f:
        assert f.metadata() == {"epoch": "7", "name": "mlp"}


def test_reference_numpy_file_loads_in_groundup(tmp_path):
    arrays = {k: v for k, v in _arrays(1).items() if k != "strided"}
    path = str(tmp_path / "ref.safetensors")
    safetensors.numpy.save_file(arrays, path, metadata={"source": "numpy"})
    _assert_same(st.load_file(path), arrays, ordered=False)
    assert st.metadata(path) == {"source": "numpy"}


def test_torch_state_dict_moves_to_groundup_and_back(tmp_path):
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3))
    path = str(tmp_path / "torch.safetensors")
    safetensors.torch.save_file(net.state_dict(), path, metadata={"format": "pt"})
    state = gio.load(path)
    assert sorted(state) == sorted(net.state_dict())  # the reference writes in dtype order
    for k, v in net.state_dict().items():
        assert isinstance(state[k], gu.Tensor)
        np.testing.assert_array_equal(state[k].numpy(), v.numpy())
    assert gio.load_metadata(path) == {"format": "pt"}  # not JSON: kept as the string
    back = str(tmp_path / "back.safetensors")
    gio.save(state, back)
    for k, v in safetensors.torch.load_file(back).items():
        assert torch.equal(v, net.state_dict()[k])


def test_torch_bfloat16_loads_as_float32(tmp_path):
    w = torch.randn(3, 5, generator=torch.Generator().manual_seed(0)).to(torch.bfloat16)
    path = str(tmp_path / "bf16.safetensors")
    safetensors.torch.save_file({"w": w}, path)
    got = st.load_file(path)["w"]
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, w.float().numpy())


# ---------------------------------------------------------------------------- save / load


class _Holder:
    """A module stand-in: anything with state_dict() is saved through it."""

    def __init__(self, state):
        self.state = state

    def state_dict(self):
        return self.state


def test_save_load_round_trips_a_state_dict_of_tensors(tmp_path):
    state = {"fc1.weight": gu.randn(3, 2), "fc1.bias": gu.zeros(3), "n": gu.tensor(5)}
    gio.save(_Holder(state), tmp_path / "m.safetensors")
    got = gio.load(tmp_path / "m.safetensors")
    assert list(got) == list(state)
    for k, v in state.items():
        assert isinstance(got[k], gu.Tensor) and not got[k].requires_grad
        assert got[k].dtype == v.dtype
        np.testing.assert_array_equal(got[k].numpy(), v.numpy())


def test_save_metadata_round_trips_json_values(tmp_path):
    meta = {
        "epoch": 12,
        "history": {"loss": [0.9, 0.5, float("nan")], "acc": [0.5, 0.75, 0.875]},
        "betas": (0.9, 0.999),
        "best": float("inf"),
        "seed": 2**100,
        "np": np.float32(0.5),
        "name": "mlp",
        "flags": [True, None],
    }
    gio.save({"w": np.zeros(1)}, tmp_path / "m.safetensors", metadata=meta)
    got = gio.load_metadata(tmp_path / "m.safetensors")
    assert got.keys() == meta.keys()
    assert np.isnan(got["history"]["loss"][2])
    got["history"]["loss"][2] = meta["history"]["loss"][2] = 0.0
    assert got == meta
    assert isinstance(got["betas"], tuple)
    raw = st.metadata(tmp_path / "m.safetensors")  # the raw file holds JSON strings only
    assert json.loads(raw["seed"]) == {"__int__": str(2**100)}


@pytest.mark.parametrize(
    "meta, match",
    [
        ({"f": open}, r"metadata\['f'\]: a builtin_function_or_method is not JSON"),
        ({"h": {"loss": [1.0, object()]}}, r"metadata\['h'\]\['loss'\]\[1\]: a object"),
        ({"w": np.zeros(2)}, "store arrays as tensors"),
        ({"d": {1.5: 2}}, "dict keys must be str or int"),
        ({3: "x"}, "metadata keys must be str"),
    ],
)
def test_save_rejects_metadata_json_cannot_hold(tmp_path, meta, match):
    with pytest.raises(TypeError, match=match):
        gio.save({"w": np.zeros(1)}, tmp_path / "m.safetensors", metadata=meta)


def test_save_rejects_nested_state_with_a_hint(tmp_path):
    opt_state = {"state": {}, "param_groups": [{"lr": 0.1, "params": [0]}]}
    with pytest.raises(TypeError, match="save_checkpoint"):
        gio.save(_Holder(opt_state), tmp_path / "o.safetensors")


def test_json_codec_keeps_int_keys_tuples_and_tensor_refs():
    tensors: dict = {}
    value = {"state": {0: {"step": 3, "buf": np.ones(2)}}, "groups": [{"betas": (0.9, 0.99)}]}
    text = gio.serialize.to_json(value, "v", tensors, "opt")
    assert list(tensors) == ["opt.state.0.buf"]
    back = gio.serialize.from_json(text, tensors)
    assert back["state"][0]["step"] == 3 and back["state"][0]["buf"] is tensors["opt.state.0.buf"]
    assert back["groups"] == [{"betas": (0.9, 0.99)}]


def test_load_to_a_missing_device_is_a_clear_error(tmp_path):
    gio.save({"w": np.zeros(1)}, tmp_path / "m.safetensors")
    with pytest.raises(ValueError, match="unknown device"):
        gio.load(tmp_path / "m.safetensors", device="tpu")


def _nn():
    try:
        nn = importlib.import_module("groundup.nn")
    except ImportError:
        return None
    return nn if all(hasattr(nn, n) for n in ("Sequential", "Linear", "ReLU")) else None


@pytest.mark.skipif(_nn() is None, reason="groundup.nn (Sequential, Linear, ReLU) not built yet")
def test_save_module_loads_into_groundup_and_torch(tmp_path):
    nn = _nn()
    gu.manual_seed(0)
    net = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    path = tmp_path / "net.safetensors"
    gio.save(net, path, metadata={"epoch": 1})
    gu.manual_seed(1)
    other = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    other.load_state_dict(gio.load(path))
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    want = net(gu.tensor(x)).numpy()
    np.testing.assert_array_equal(other(gu.tensor(x)).numpy(), want)
    ref = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.Linear(3, 2))
    ref.load_state_dict(safetensors.torch.load_file(str(path)), strict=True)
    with torch.no_grad():
        np.testing.assert_allclose(ref(torch.from_numpy(x)).numpy(), want, rtol=1e-5, atol=1e-6)
    assert gio.load_metadata(path) == {"epoch": 1}
