"""RNN (tanh, relu), LSTM and GRU against torch.nn with copied state_dicts: outputs, final
states and the gradients of the input, the initial states and every weight; gradcheck of the
fused layer ops; the graph size; dropout between layers; errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import groundup as gu
from groundup import nn
from groundup.nn.functional.rnn import gru_layer, lstm_layer, rnn_layer

# float64: summation order only. float32: the style guide's bound holds here, though BPTT
# chains T steps whose rounding differs from PyTorch's (sigmoid via tanh).
TOL = {"float64": (1e-7, 1e-9), "float32": (1e-5, 1e-6)}
DTYPES = ["float64", "float32"]
MODES = ["LSTM", "GRU", "RNN_TANH", "RNN_RELU"]
T, N, I, H = 5, 3, 4, 6


def make(mode, lib, **kw):
    if mode.startswith("RNN"):
        kw["nonlinearity"] = mode[4:].lower()
        mode = "RNN"
    return getattr(lib, mode)(I, H, **kw)


def twins(mode, dtype, seed=0, **kw):
    """A torch layer and ours holding the same weights (torch's init, loaded as a state_dict)."""
    torch.manual_seed(seed)
    ref = make(mode, torch.nn, **kw).to(getattr(torch, dtype))
    ours = make(mode, nn, **kw).to(dtype)
    ours.load_state_dict({k: v.detach().numpy() for k, v in ref.state_dict().items()})
    return ours, ref


def assert_close(ours, ref, what):
    ref = ref.detach()
    assert ours.shape == tuple(ref.shape), f"{what}: shape {ours.shape} != {tuple(ref.shape)}"
    assert ours.dtype.name == str(ref.dtype).removeprefix("torch."), f"{what}: {ours.dtype}"
    rtol, atol = TOL[ours.dtype.name]
    np.testing.assert_allclose(ours.numpy(), ref.numpy(), rtol, atol, err_msg=what)


def flat_outputs(out):
    """(output, h_n) or (output, (h_n, c_n)) as a flat list."""
    output, state = out
    return [output, *state] if isinstance(state, tuple) else [output, state]


def run_both(ours, ref, x_shape, state_shape, dtype, n_states):
    """Forward random x (and initial states when ``state_shape``) through both, compare the
    outputs, backpropagate the same random weights of every output, compare all gradients."""
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, x_shape).astype(dtype)
    states = [rng.uniform(-1, 1, state_shape).astype(dtype) for _ in range(n_states)]
    xo, xr = gu.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    so = [gu.tensor(s, requires_grad=True) for s in states]
    sr = [torch.tensor(s, requires_grad=True) for s in states]
    if not states:
        out_o, out_r = ours(xo), ref(xr)
    elif n_states == 1:
        out_o, out_r = ours(xo, so[0]), ref(xr, sr[0])
    else:
        out_o, out_r = ours(xo, tuple(so)), ref(xr, tuple(sr))
    outs_o, outs_r = flat_outputs(out_o), flat_outputs(out_r)
    for k, (o, r) in enumerate(zip(outs_o, outs_r)):
        assert_close(o, r, f"output {k}")
    weights = [rng.standard_normal(tuple(r.shape)).astype(dtype) for r in outs_r]
    sum((o * gu.tensor(w)).sum() for o, w in zip(outs_o, weights)).backward()
    sum((r * torch.tensor(w)).sum() for r, w in zip(outs_r, weights)).backward()
    assert_close(xo.grad, xr.grad, "grad of input")
    for k, (s, r) in enumerate(zip(so, sr)):
        assert_close(s.grad, r.grad, f"grad of initial state {k}")
    for (name, p), (_, q) in zip(ours.named_parameters(), ref.named_parameters()):
        assert_close(p.grad, q.grad, f"grad of {name}")


def n_states(mode):
    return 2 if mode == "LSTM" else 1


# ----------------------------------------------------------------------------- against torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mode", MODES)
def test_one_layer_matches_torch(mode, dtype):
    ours, ref = twins(mode, dtype)
    run_both(ours, ref, (T, N, I), None, dtype, 0)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mode", MODES)
def test_two_layer_bidirectional_batch_first_with_states_matches_torch(mode, dtype):
    ours, ref = twins(mode, dtype, num_layers=2, bidirectional=True, batch_first=True)
    run_both(ours, ref, (N, T, I), (4, N, H), dtype, n_states(mode))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mode", MODES)
def test_without_bias_matches_torch(mode, dtype):
    ours, ref = twins(mode, dtype, bias=False, num_layers=2)
    assert not any("bias" in name for name, _ in ours.named_parameters())
    run_both(ours, ref, (T, N, I), (2, N, H), dtype, n_states(mode))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mode", MODES)
def test_unbatched_input_matches_torch(mode, dtype):
    ours, ref = twins(mode, dtype, bidirectional=True, batch_first=True)  # ignored unbatched
    run_both(ours, ref, (T, I), (2, H), dtype, n_states(mode))
    run_both(ours, ref, (T, I), None, dtype, 0)


@pytest.mark.parametrize("mode", MODES)
def test_dropout_in_eval_is_off_and_matches_torch(mode):
    ours, ref = twins(mode, "float64", num_layers=3, dropout=0.5)
    ours.eval()
    ref.eval()
    run_both(ours, ref, (T, N, I), None, "float64", 0)


def test_long_sequence_matches_torch_in_float32():
    ours, ref = twins("LSTM", "float32", num_layers=2)
    x = np.random.default_rng(0).uniform(-1, 1, (60, 4, I)).astype("float32")
    out_o, (h_o, c_o) = ours(gu.tensor(x))
    out_r, (h_r, c_r) = ref(torch.tensor(x))
    for o, r, what in [(out_o, out_r, "output"), (h_o, h_r, "h_n"), (c_o, c_r, "c_n")]:
        assert_close(o, r, what)


# ----------------------------------------------------------------------------- structure
def test_state_dict_keys_and_shapes_match_torch():
    for mode in MODES:
        ours, ref = twins(mode, "float32", num_layers=2, bidirectional=True)
        ours_sd, ref_sd = ours.state_dict(), ref.state_dict()
        assert list(ours_sd) == list(ref_sd)
        assert all(ours_sd[k].shape == tuple(v.shape) for k, v in ref_sd.items())


def test_init_is_uniform_within_one_over_sqrt_hidden_and_seeded():
    gu.manual_seed(0)
    a = nn.LSTM(4, 16, num_layers=2)
    gu.manual_seed(0)
    b = nn.LSTM(4, 16, num_layers=2)
    for (name, p), q in zip(a.named_parameters(), b.parameters()):
        values = p.numpy()
        assert np.abs(values).max() <= 0.25, name
        assert values.std() > 0.1, name  # U(-0.25, 0.25) has std 0.144
        np.testing.assert_array_equal(values, q.numpy())
        assert p.dtype.name == "float32"


def count_nodes(t):
    """Function nodes in the graph behind t, by name."""
    counts, seen, stack = {}, set(), [t]
    while stack:
        t = stack.pop()
        ctx = t.grad_fn
        if ctx is None or id(ctx) in seen:
            continue
        seen.add(id(ctx))
        counts[ctx.name] = counts.get(ctx.name, 0) + 1
        stack.extend(p for p in ctx.inputs if isinstance(p, gu.Tensor))
    return counts


@pytest.mark.parametrize("mode, op", [("LSTM", "LSTM"), ("GRU", "GRU"), ("RNN_TANH", "RNN")])
def test_each_layer_direction_is_one_node_whatever_the_length(mode, op):
    layer = make(mode, nn, num_layers=2, bidirectional=True)
    short = count_nodes(layer(gu.randn(3, 2, I, requires_grad=True))[0])
    long = count_nodes(layer(gu.randn(40, 2, I, requires_grad=True))[0])
    assert short == long
    assert short[op] == 4
    assert sum(short.values()) < 20


def test_repr_echoes_arguments_like_torch():
    kw = dict(num_layers=2, bias=False, batch_first=True, dropout=0.25, bidirectional=True)
    assert repr(nn.LSTM(I, H, **kw)) == repr(torch.nn.LSTM(I, H, **kw))
    assert repr(nn.GRU(I, H)) == repr(torch.nn.GRU(I, H))
    assert repr(nn.RNN(I, H, nonlinearity="relu")) == "RNN(4, 6, nonlinearity=relu)"


# ----------------------------------------------------------------------------- dropout
def test_dropout_in_training_is_seeded_and_changes_the_output():
    layer = nn.GRU(I, H, num_layers=2, dropout=0.5).double()
    x = gu.tensor(np.random.default_rng(0).uniform(-1, 1, (T, N, I)))
    gu.manual_seed(1)
    a = layer(x)[0].numpy()
    gu.manual_seed(1)
    b = layer(x)[0].numpy()
    c = layer.eval()(x)[0].numpy()
    np.testing.assert_array_equal(a, b)
    assert np.abs(a - c).max() > 1e-3


def test_dropout_in_training_gradcheck():
    layer = nn.LSTM(2, 2, num_layers=2, dropout=0.5).double()

    def fn(x):
        gu.manual_seed(3)  # the same mask in every evaluation
        out, (h_n, c_n) = layer(x)
        return out, c_n

    x = gu.tensor(np.random.default_rng(0).uniform(-1, 1, (3, 2, 2)), requires_grad=True)
    assert gu.gradcheck(fn, [x])


# ----------------------------------------------------------------------------- gradcheck
def layer_inputs(gates, seed=0, h=2, i=2):
    rng = np.random.default_rng(seed)
    shapes = [(3, 2, i), (gates * h, i), (gates * h, h), (gates * h,), (gates * h,), (2, h)]
    return [gu.tensor(rng.uniform(-1, 1, s), requires_grad=True) for s in shapes]


@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_rnn_layer_gradcheck(nonlinearity, reverse):
    def fn(*a):
        return rnn_layer(*a, nonlinearity=nonlinearity, reverse=reverse)[0]

    assert gu.gradcheck(fn, layer_inputs(1))


@pytest.mark.parametrize("reverse", [False, True])
def test_lstm_layer_gradcheck(reverse):
    c0 = gu.tensor(np.random.default_rng(5).uniform(-1, 1, (2, 2)), requires_grad=True)

    def fn(*a):
        y, (h_n, c_n) = lstm_layer(*a, reverse=reverse)
        return y, c_n

    assert gu.gradcheck(fn, layer_inputs(4) + [c0])


@pytest.mark.parametrize("reverse", [False, True])
def test_gru_layer_gradcheck(reverse):
    assert gu.gradcheck(lambda *a: gru_layer(*a, reverse=reverse)[0], layer_inputs(3))


def test_layers_without_bias_or_state_gradcheck():
    x, w_ih, w_hh = layer_inputs(4)[:3]
    assert gu.gradcheck(lambda *a: lstm_layer(*a)[1][1], [x, w_ih, w_hh])
    x, w_ih, w_hh = layer_inputs(3)[:3]
    assert gu.gradcheck(lambda *a: gru_layer(*a)[0], [x, w_ih, w_hh])


def test_backward_twice_with_retain_graph_gives_the_same_grads():
    layer = nn.LSTM(I, H).double()
    x = gu.tensor(np.random.default_rng(0).uniform(-1, 1, (T, N, I)), requires_grad=True)
    out, (h_n, c_n) = layer(x)
    loss = (out * out).sum() + c_n.sum()
    loss.backward(retain_graph=True)
    first = x.grad.numpy().copy()
    x.grad = None
    loss.backward()
    np.testing.assert_array_equal(x.grad.numpy(), first)


# ----------------------------------------------------------------------------- errors
def test_wrong_input_size_names_the_layer_and_shapes():
    with pytest.raises(ValueError, match=r"LSTM\(input_size=4, hidden_size=6\).*\(L, N, 4\).*"
                       r"\(5, 3, 7\)"):  # fmt: skip
        nn.LSTM(I, H)(gu.ones(5, 3, 7))
    with pytest.raises(ValueError, match=r"GRU\(input_size=4.*\(N, L, 4\).*\(2, 3, 4, 1\)"):
        nn.GRU(I, H, batch_first=True)(gu.ones(2, 3, 4, 1))


def test_wrong_initial_state_shape_is_reported():
    with pytest.raises(ValueError, match=r"RNN\(input_size=4, hidden_size=6\).*h0.*\(2, 3, 6\)"
                       r".*\(1, 3, 6\)"):  # fmt: skip
        nn.RNN(I, H, bidirectional=True)(gu.ones(5, 3, I), gu.zeros(1, 3, H))
    with pytest.raises(ValueError, match=r"c0 of shape \(1, 3, 6\), got \(1, 3, 5\)"):
        nn.LSTM(I, H)(gu.ones(5, 3, I), (gu.zeros(1, 3, H), gu.zeros(1, 3, 5)))
    with pytest.raises(TypeError, match=r"hx must be a tuple \(h0, c0\)"):
        nn.LSTM(I, H)(gu.ones(5, 3, I), gu.zeros(1, 3, H))


def test_wrong_dtype_and_arguments_are_reported():
    with pytest.raises(TypeError, match=r"input dtype float64 does not match weight dtype float32"):
        nn.GRU(I, H)(gu.ones(5, 3, I, dtype=gu.float64))
    with pytest.raises(ValueError, match="unknown nonlinearity 'sigmoid'"):
        nn.RNN(I, H, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match=r"dropout must be a number in \[0, 1\], got 1.5"):
        nn.LSTM(I, H, num_layers=2, dropout=1.5)
    with pytest.raises(ValueError, match="hidden_size must be an int >= 1, got 0"):
        nn.GRU(I, 0)
    with pytest.warns(UserWarning, match="does nothing with num_layers=1"):
        nn.LSTM(I, H, dropout=0.2)


def test_op_checks_weight_shapes():
    x, w_ih, w_hh = layer_inputs(4)[:3]
    with pytest.raises(ValueError, match=r"lstm: expected weight_ih \(8, 2\) .* got \(6, 2\)"):
        lstm_layer(x, w_ih[:6], w_hh)
    with pytest.raises(ValueError, match=r"lstm: expected an initial state of shape \(N, H\)"):
        lstm_layer(x, w_ih, w_hh, None, None, gu.zeros(3, 2, dtype=gu.float64))
