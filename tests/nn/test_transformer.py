"""Transformer layers, stacks and positional encodings against PyTorch with copied weights:
outputs and the gradients of the inputs and every parameter (float64 tight, float32 loose).

PyTorch's layers run in training mode with dropout 0, so its inference fast path (which
works differently on padded sequences) never runs and both compute the same function."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from helpers import assert_same_tensor

import groundup as gu
from groundup import nn

DTYPES = ["float32", "float64"]
E, HEADS, FF = 8, 2, 16


def twins(ours_cls, ref_cls, *args, dtype="float64", seed=0, **kw):
    """A torch module (random non-trivial LayerNorm affines) and ours with its state_dict."""
    torch.manual_seed(seed)
    ref = ref_cls(*args, **kw).to(getattr(torch, dtype))
    with torch.no_grad():
        for name, p in ref.named_parameters():
            if "norm" in name:  # LayerNorm starts at 1 and 0: move it off the identity
                p.add_(0.1 * torch.randn_like(p))
    ours = ours_cls(*args, **kw).to(dtype)
    ours.load_state_dict({k: v.detach().numpy() for k, v in ref.state_dict().items()})
    return ours, ref


def compare(ours, ref, arrays, dtype, masks=None, **kw):
    """Forward both on the same inputs (and masks), backprop one upstream, compare all grads."""
    masks = {k: m.astype(dtype) if m.dtype.kind == "f" else m for k, m in (masks or {}).items()}
    ins_o = [gu.tensor(a.astype(dtype), requires_grad=True) for a in arrays]
    ins_r = [torch.tensor(a.astype(dtype), requires_grad=True) for a in arrays]
    out_o = ours(*ins_o, **{k: gu.tensor(m) for k, m in masks.items()}, **kw)
    out_r = ref(*ins_r, **{k: torch.tensor(m) for k, m in masks.items()}, **kw)
    # float32: a 2-layer stack of norms and softmaxes moves values by a few ulps more
    rtol, atol = (1e-4, 1e-5) if dtype == "float32" else (None, None)
    assert_same_tensor(out_o, out_r, "output", rtol, atol)
    g = np.random.default_rng(9).standard_normal(out_r.shape).astype(dtype)
    out_o.backward(gu.tensor(g))
    out_r.backward(torch.tensor(g))
    for i, (a, b) in enumerate(zip(ins_o, ins_r)):
        assert_same_tensor(a.grad, b.grad, f"grad of input {i}", rtol, atol)
    names_o = [n for n, _ in ours.named_parameters()]
    assert names_o == [n for n, _ in ref.named_parameters()]
    for (name, p), (_, q) in zip(ours.named_parameters(), ref.named_parameters()):
        assert_same_tensor(p.grad, q.grad, f"grad of {name}", rtol, atol)


def seq(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def padding_mask(n, s):
    mask = np.zeros((n, s), dtype=bool)
    mask[0, -2:] = True
    return mask


def causal(s):
    return np.triu(np.full((s, s), -np.inf), k=1)


# ----------------------------------------------------------------------------- encoder layer
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("activation", ["relu", "gelu"])
@pytest.mark.parametrize("batch_first", [False, True])
def test_encoder_layer_matches_torch(norm_first, activation, batch_first, dtype):
    kw = dict(
        dim_feedforward=FF,
        dropout=0.0,
        activation=activation,
        batch_first=batch_first,
        norm_first=norm_first,
    )
    ours, ref = twins(
        nn.TransformerEncoderLayer, torch.nn.TransformerEncoderLayer, E, HEADS, dtype=dtype, **kw
    )
    N, S = 3, 5
    x = seq(N, S, E) if batch_first else seq(S, N, E)
    compare(ours, ref, [x], dtype)


@pytest.mark.parametrize("norm_first", [False, True])
def test_encoder_layer_with_causal_and_padding_masks_matches_torch(norm_first):
    ours, ref = twins(
        nn.TransformerEncoderLayer,
        torch.nn.TransformerEncoderLayer,
        E,
        HEADS,
        dim_feedforward=FF,
        dropout=0.0,
        batch_first=True,
        norm_first=norm_first,
    )
    x = seq(3, 5, E)
    compare(ours, ref, [x], "float64", masks={"src_mask": causal(5)}, is_causal=True)
    ref.zero_grad()
    ours.zero_grad()
    masks = {"src_mask": causal(5), "src_key_padding_mask": padding_mask(3, 5)}
    masks["src_key_padding_mask"] = np.where(masks["src_key_padding_mask"], -np.inf, 0.0)
    compare(ours, ref, [x], "float64", masks=masks)


def test_encoder_layer_submodules_and_keys_match_torch():
    ours = nn.TransformerEncoderLayer(E, HEADS, dim_feedforward=FF)
    ref = torch.nn.TransformerEncoderLayer(E, HEADS, dim_feedforward=FF)
    assert [n for n, _ in ours.named_children()] == [n for n, _ in ref.named_children()]
    assert list(ours.state_dict()) == list(ref.state_dict())
    assert ours.dropout.p == 0.1 and ours.linear1.out_features == FF
    with pytest.raises(RuntimeError, match="relu/gelu"):
        nn.TransformerEncoderLayer(E, HEADS, activation="swish")


def test_encoder_layer_callable_activation_and_no_bias_match_torch():
    ours, ref = twins(
        nn.TransformerEncoderLayer,
        torch.nn.TransformerEncoderLayer,
        E,
        HEADS,
        dim_feedforward=FF,
        dropout=0.0,
        bias=False,
        activation=torch.tanh,
    )
    ours.activation = gu.Tensor.tanh
    compare(ours, ref, [seq(4, 2, E)], "float64")


# ----------------------------------------------------------------------------- decoder layer
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("activation", ["relu", "gelu"])
def test_decoder_layer_matches_torch(norm_first, activation, dtype):
    ours, ref = twins(
        nn.TransformerDecoderLayer,
        torch.nn.TransformerDecoderLayer,
        E,
        HEADS,
        dim_feedforward=FF,
        dropout=0.0,
        activation=activation,
        norm_first=norm_first,
        dtype=dtype,
    )
    tgt, memory = seq(4, 3, E), seq(6, 3, E, seed=1)
    masks = {"tgt_mask": causal(4)}
    compare(ours, ref, [tgt, memory], dtype, masks=masks, tgt_is_causal=True)


@pytest.mark.parametrize("batch_first", [False, True])
def test_decoder_layer_with_padding_masks_matches_torch(batch_first):
    ours, ref = twins(
        nn.TransformerDecoderLayer,
        torch.nn.TransformerDecoderLayer,
        E,
        HEADS,
        dim_feedforward=FF,
        dropout=0.0,
        batch_first=batch_first,
    )
    N, T, S = 3, 4, 6
    tgt, memory = (
        (seq(N, T, E), seq(N, S, E, seed=1))
        if batch_first
        else (seq(T, N, E), seq(S, N, E, seed=1))
    )
    masks = {
        "tgt_mask": causal(T) == -np.inf,  # bool: True = not attended
        "tgt_key_padding_mask": padding_mask(N, T),
        "memory_key_padding_mask": padding_mask(N, S),
    }
    compare(ours, ref, [tgt, memory], "float64", masks=masks)
    assert [n for n, _ in ours.named_children()] == [n for n, _ in ref.named_children()]


# ----------------------------------------------------------------------------- stacks
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("norm_first", [False, True])
def test_encoder_stack_of_two_matches_torch(norm_first, dtype):
    def build(mod):
        layer = mod.TransformerEncoderLayer(
            E, HEADS, dim_feedforward=FF, dropout=0.0, batch_first=True, norm_first=norm_first
        )
        kw = {} if mod is nn else {"enable_nested_tensor": False}
        return mod.TransformerEncoder(layer, num_layers=2, norm=mod.LayerNorm(E), **kw)

    ours, ref = twins(lambda: build(nn), lambda: build(torch.nn), dtype=dtype)
    assert list(ours.state_dict())[:2] == [
        "layers.0.self_attn.in_proj_weight",
        "layers.0.self_attn.in_proj_bias",
    ]
    masks = {"mask": causal(5), "src_key_padding_mask": np.where(padding_mask(3, 5), -np.inf, 0)}
    compare(ours, ref, [seq(3, 5, E)], dtype, masks=masks)


@pytest.mark.parametrize("dtype", DTYPES)
def test_decoder_stack_of_two_matches_torch(dtype):
    def build(mod):
        layer = mod.TransformerDecoderLayer(E, HEADS, dim_feedforward=FF, dropout=0.0)
        return mod.TransformerDecoder(layer, num_layers=2, norm=mod.LayerNorm(E))

    ours, ref = twins(lambda: build(nn), lambda: build(torch.nn), dtype=dtype)
    masks = {"tgt_mask": causal(4), "memory_key_padding_mask": padding_mask(3, 6)}
    compare(ours, ref, [seq(4, 3, E), seq(6, 3, E, seed=1)], dtype, masks=masks)


def test_stack_layers_are_independent_copies():
    layer = nn.TransformerEncoderLayer(E, HEADS, dim_feedforward=FF)
    enc = nn.TransformerEncoder(layer, num_layers=2)
    a, b = enc.layers[0].linear1.weight, enc.layers[1].linear1.weight
    assert a is not b and a is not layer.linear1.weight
    np.testing.assert_array_equal(a.numpy(), b.numpy())  # deep copies of one layer, as PyTorch


def test_full_transformer_matches_torch():
    kw = dict(
        d_model=E,
        nhead=HEADS,
        num_encoder_layers=2,
        num_decoder_layers=1,
        dim_feedforward=FF,
        dropout=0.0,
        batch_first=True,
    )
    ours, ref = twins(nn.Transformer, torch.nn.Transformer, **kw)
    assert list(ours.state_dict()) == list(ref.state_dict())
    masks = {"tgt_mask": causal(4), "src_key_padding_mask": padding_mask(3, 6)}
    compare(ours, ref, [seq(3, 6, E), seq(3, 4, E, seed=1)], "float64", masks=masks)


def test_generate_square_subsequent_mask_matches_torch():
    ours = nn.generate_square_subsequent_mask(5)
    ref = torch.nn.Transformer.generate_square_subsequent_mask(5)
    assert_same_tensor(ours, ref, "mask")
    assert nn.Transformer.generate_square_subsequent_mask(3).shape == (3, 3)


# ----------------------------------------------------------------------------- positions
def test_positional_encoding_matches_the_formula_and_shape():
    pe = nn.PositionalEncoding(6, dropout=0.0, max_len=50)
    assert pe.pe.shape == (50, 1, 6) and list(pe.state_dict()) == ["pe"]
    pos, i = 7, 2  # PE(pos, 2i) = sin(pos / 10000^(2i/d)), PE(pos, 2i+1) = cos(...)
    angle = pos / 10000 ** (2 * i / 6)
    np.testing.assert_allclose(pe.pe[pos, 0, 2 * i].item(), math.sin(angle), rtol=1e-6)
    np.testing.assert_allclose(pe.pe[pos, 0, 2 * i + 1].item(), math.cos(angle), rtol=1e-6)
    x = gu.tensor(seq(4, 2, 6).astype("float32"), requires_grad=True)
    out = pe(x)
    np.testing.assert_allclose(out.numpy(), x.numpy() + pe.pe.numpy()[:4], rtol=1e-6)
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.ones((4, 2, 6)))
    odd = nn.PositionalEncoding(5, max_len=10, batch_first=True)
    assert odd.pe.shape == (1, 10, 5) and odd.eval()(gu.zeros(2, 3, 5)).shape == (2, 3, 5)
    with pytest.raises(ValueError, match="max_len=10"):
        odd(gu.zeros(2, 11, 5))


def test_positional_encoding_dropout_in_training_only():
    pe = nn.PositionalEncoding(4, dropout=0.5)
    x = gu.ones(64, 4, 4)
    gu.manual_seed(0)
    assert (pe(x).numpy() == 0).mean() > 0.3
    pe.eval()
    assert (pe(x).numpy() == 0).mean() < 0.05


def test_learned_positional_embedding_adds_and_learns():
    gu.manual_seed(0)
    pos = nn.LearnedPositionalEmbedding(10, 4)
    assert 0.005 < pos.weight.numpy().std() < 0.04  # N(0, 0.02^2)
    x = gu.tensor(seq(3, 2, 4).astype("float32"))
    out = pos(x)
    np.testing.assert_allclose(out.numpy(), x.numpy() + pos.weight.numpy()[:3, None], rtol=1e-6)
    out.sum().backward()
    expected = np.zeros((10, 4), dtype="float32")
    expected[:3] = 2.0  # each of the 3 positions is used by 2 sequences
    np.testing.assert_array_equal(pos.weight.grad.numpy(), expected)
    bf = nn.LearnedPositionalEmbedding(10, 4, batch_first=True)
    assert bf(gu.zeros(2, 3, 4)).shape == (2, 3, 4)
