"""RNNCell, LSTMCell and GRUCell against torch.nn with copied state_dicts, gradcheck, a cell
stepped over a sequence against the layer, and errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import groundup as gu
from groundup import nn

TOL = {"float64": (1e-7, 1e-9), "float32": (1e-5, 1e-6)}
DTYPES = ["float64", "float32"]
CELLS = ["LSTMCell", "GRUCell", "RNNCell-tanh", "RNNCell-relu"]
N, I, H = 3, 4, 5


def make(name, lib, **kw):
    name, _, nonlinearity = name.partition("-")
    if nonlinearity:
        kw["nonlinearity"] = nonlinearity
    return getattr(lib, name)(I, H, **kw)


def twins(name, dtype, **kw):
    torch.manual_seed(0)
    ref = make(name, torch.nn, **kw).to(getattr(torch, dtype))
    ours = make(name, nn, **kw).to(dtype)
    ours.load_state_dict({k: v.detach().numpy() for k, v in ref.state_dict().items()})
    return ours, ref


def assert_close(ours, ref, what):
    ref = ref.detach()
    assert ours.shape == tuple(ref.shape), f"{what}: shape {ours.shape} != {tuple(ref.shape)}"
    assert ours.dtype.name == str(ref.dtype).removeprefix("torch."), f"{what}: {ours.dtype}"
    rtol, atol = TOL[ours.dtype.name]
    np.testing.assert_allclose(ours.numpy(), ref.numpy(), rtol, atol, err_msg=what)


def as_list(out):
    return list(out) if isinstance(out, tuple) else [out]


@pytest.mark.parametrize("batched", [True, False])
@pytest.mark.parametrize("with_state", [True, False])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", CELLS)
def test_cell_matches_torch(name, dtype, bias, with_state, batched):
    ours, ref = twins(name, dtype, bias=bias)
    rng = np.random.default_rng(0)
    lead = (N,) if batched else ()
    x = rng.uniform(-1, 1, lead + (I,)).astype(dtype)
    n_states = 2 if name == "LSTMCell" else 1
    states = [rng.uniform(-1, 1, lead + (H,)).astype(dtype) for _ in range(n_states)]
    xo, xr = gu.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    so = [gu.tensor(s, requires_grad=True) for s in states]
    sr = [torch.tensor(s, requires_grad=True) for s in states]
    if not with_state:
        out_o, out_r = ours(xo), ref(xr)
    elif n_states == 2:
        out_o, out_r = ours(xo, tuple(so)), ref(xr, tuple(sr))
    else:
        out_o, out_r = ours(xo, so[0]), ref(xr, sr[0])
    outs_o, outs_r = as_list(out_o), as_list(out_r)
    for k, (o, r) in enumerate(zip(outs_o, outs_r)):
        assert_close(o, r, f"output {k}")
    weights = [rng.standard_normal(tuple(r.shape)).astype(dtype) for r in outs_r]
    sum((o * gu.tensor(w)).sum() for o, w in zip(outs_o, weights)).backward()
    sum((r * torch.tensor(w)).sum() for r, w in zip(outs_r, weights)).backward()
    assert_close(xo.grad, xr.grad, "grad of input")
    if with_state:
        for k, (s, r) in enumerate(zip(so, sr)):
            assert_close(s.grad, r.grad, f"grad of state {k}")
    for (pname, p), (_, q) in zip(ours.named_parameters(), ref.named_parameters()):
        assert_close(p.grad, q.grad, f"grad of {pname}")


@pytest.mark.parametrize("name", CELLS)
def test_cell_gradcheck(name):
    cell = make(name, nn).double()
    rng = np.random.default_rng(1)
    x = gu.tensor(rng.uniform(-1, 1, (2, I)), requires_grad=True)
    h = gu.tensor(rng.uniform(-1, 1, (2, H)), requires_grad=True)
    c = gu.tensor(rng.uniform(-1, 1, (2, H)), requires_grad=True)
    if name == "LSTMCell":
        assert gu.gradcheck(lambda x, h, c: cell(x, (h, c)), [x, h, c])
    else:
        assert gu.gradcheck(lambda x, h: cell(x, h), [x, h])


@pytest.mark.parametrize("cell_name, layer_name", [("LSTMCell", "LSTM"), ("GRUCell", "GRU")])
def test_cell_stepped_over_a_sequence_equals_the_layer(cell_name, layer_name):
    cell = make(cell_name, nn).double()
    layer = getattr(nn, layer_name)(I, H).double()
    layer.load_state_dict({k + "_l0": v for k, v in cell.state_dict().items()})
    x = gu.tensor(np.random.default_rng(0).uniform(-1, 1, (6, N, I)))
    state = None
    outputs = []
    for t in range(6):
        state = cell(x[t], state)
        outputs.append(state[0] if isinstance(state, tuple) else state)
    expected = layer(x)[0]
    np.testing.assert_allclose(gu.stack(outputs).numpy(), expected.numpy(), rtol=1e-12)


def test_cell_state_dict_keys_init_and_repr_match_torch():
    for name in CELLS:
        ours, ref = twins(name, "float32")
        assert list(ours.state_dict()) == list(ref.state_dict())
        assert repr(ours) == repr(ref)
        bound = 1 / np.sqrt(H)
        assert all(np.abs(p.numpy()).max() <= bound for p in make(name, nn).parameters())
    assert repr(nn.GRUCell(I, H, bias=False)) == repr(torch.nn.GRUCell(I, H, bias=False))


def test_cell_errors_name_the_cell_and_shapes():
    with pytest.raises(ValueError, match=r"LSTMCell\(input_size=4, hidden_size=5\): expected "
                       r"input of shape \(N, 4\) or \(4,\), got \(3, 7\)"):  # fmt: skip
        nn.LSTMCell(I, H)(gu.ones(3, 7))
    with pytest.raises(
        ValueError, match=r"GRUCell\(input_size=4.*hx of shape \(3, 5\), got \(3, 4\)"
    ):
        nn.GRUCell(I, H)(gu.ones(3, I), gu.ones(3, 4))
    with pytest.raises(TypeError, match=r"hx must be a tuple \(h, c\)"):
        nn.LSTMCell(I, H)(gu.ones(3, I), gu.ones(3, H))
    with pytest.raises(ValueError, match="unknown nonlinearity 'gelu'"):
        nn.RNNCell(I, H, nonlinearity="gelu")
