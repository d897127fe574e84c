"""scaled_dot_product_attention and MultiheadAttention against PyTorch: outputs, gradients of
the inputs, masks and weights (float64 tight, float32 loose); gradcheck; dropout; errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from helpers import assert_same_tensor, check_against_torch, check_gradcheck

import groundup as gu
from groundup import nn
from groundup.nn import functional as F

DTYPES = ["float32", "float64"]


def lib_of(t):
    return torch if isinstance(t, torch.Tensor) else gu


def sdpa(**kw):
    """The same SDPA call for either library (masks are converted to the library's tensors)."""

    def call(q, k, v, *mask):
        lib = lib_of(q)
        f = TF.scaled_dot_product_attention if lib is torch else F.scaled_dot_product_attention
        extra = dict(kw)
        if "mask" in extra:
            extra["attn_mask"] = lib.tensor(extra.pop("mask"))
        if mask:
            extra["attn_mask"] = mask[0]
        return f(q, k, v, **extra)

    return call


# ----------------------------------------------------------------------------- SDPA
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "shapes",
    [
        [(4, 3), (5, 3), (5, 2)],  # no batch dims
        [(2, 3, 4, 8), (2, 3, 6, 8), (2, 3, 6, 5)],  # (N, H, L, E)
        [(2, 3, 4, 8), (2, 1, 6, 8), (1, 3, 6, 5)],  # broadcast over batch and heads
        [(3, 1, 1), (3, 1, 1), (3, 1, 1)],  # size-1
    ],
)
def test_sdpa_matches_torch(shapes, dtype):
    check_against_torch(sdpa(), shapes, dtype=dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_sdpa_causal_and_scale_match_torch(dtype):
    shapes = [(2, 2, 5, 4), (2, 2, 7, 4), (2, 2, 7, 3)]
    check_against_torch(sdpa(is_causal=True), shapes, dtype=dtype)
    check_against_torch(sdpa(scale=0.3), shapes, dtype=dtype)
    check_against_torch(sdpa(is_causal=True, scale=2.0), shapes, dtype=dtype)


@pytest.mark.parametrize("mask_shape", [(4, 6), (2, 1, 4, 6), (1, 3, 1, 6)])
def test_sdpa_bool_mask_matches_torch(mask_shape):
    mask = np.random.default_rng(3).random(mask_shape) > 0.3
    mask[..., 0] = True  # every query keeps a key
    shapes = [(2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 2)]
    check_against_torch(sdpa(mask=mask), shapes)
    check_against_torch(sdpa(mask=mask), shapes, dtype="float32")


def test_sdpa_float_mask_matches_torch_including_its_gradient():
    shapes = [(2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 2), (3, 1, 6)]  # mask (3, 1, 6) broadcasts
    check_against_torch(sdpa(), shapes)
    check_against_torch(sdpa(), shapes, dtype="float32")


def test_sdpa_fully_masked_row_gives_zeros_like_torch():
    mask = np.ones((4, 6), dtype=bool)
    mask[1] = False
    out, (q, k, v) = check_against_torch(sdpa(mask=mask), [(2, 4, 5), (2, 6, 5), (2, 6, 3)])
    assert not np.isnan(q.grad.numpy()).any()
    assert np.all(out.numpy()[:, 1] == 0)


def test_sdpa_gradcheck():
    mask = np.random.default_rng(0).random((3, 4)) > 0.4
    mask[:, 0] = True
    check_gradcheck(sdpa(), [(2, 3, 2), (2, 4, 2), (2, 4, 3)])
    check_gradcheck(sdpa(is_causal=True, scale=0.7), [(3, 2), (4, 2), (4, 3)])
    check_gradcheck(sdpa(mask=mask), [(1, 3, 2), (1, 4, 2), (1, 4, 3)])
    check_gradcheck(sdpa(), [(3, 2), (4, 2), (4, 3), (3, 4)])  # float mask, with its gradient


def test_sdpa_dropout_is_seeded_and_inverted():
    q, k, v = (
        gu.tensor(a)
        for a in np.random.default_rng(0).standard_normal((3, 64, 32, 8)).astype("float32")
    )
    gu.manual_seed(5)
    a = F.scaled_dot_product_attention(q, k, v, dropout_p=0.5)
    gu.manual_seed(5)
    b = F.scaled_dot_product_attention(q, k, v, dropout_p=0.5)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    plain = F.scaled_dot_product_attention(q, k, v)
    assert not np.allclose(a.numpy(), plain.numpy())
    # inverted dropout keeps the expectation: ones for v give row sums of the kept weights
    ones = F.scaled_dot_product_attention(q, k, gu.ones(64, 32, 1), dropout_p=0.5)
    assert abs(ones.numpy().mean() - 1.0) < 0.05
    zero = F.scaled_dot_product_attention(q, k, v, dropout_p=1.0)
    assert np.all(zero.numpy() == 0)


def test_sdpa_dropout_backward_matches_finite_differences():
    q, k, v = (gu.tensor(a, requires_grad=True) for a in np.random.default_rng(0).random((3, 3, 4)))

    def f(q, k, v):
        gu.manual_seed(7)  # the same mask at every evaluation
        return F.scaled_dot_product_attention(q, k, v, dropout_p=0.3)

    assert gu.gradcheck(f, [q, k, v])


def test_sdpa_errors_name_the_op_and_shapes():
    q = gu.ones(2, 4, 8)
    with pytest.raises(ValueError, match=r"scaled_dot_product_attention.*\(2, 4, 8\).*\(2, 4, 7\)"):
        F.scaled_dot_product_attention(q, gu.ones(2, 4, 7), gu.ones(2, 4, 3))
    with pytest.raises(ValueError, match="value"):
        F.scaled_dot_product_attention(q, q, gu.ones(2, 5, 3))
    with pytest.raises(ValueError, match="attn_mask of shape"):
        F.scaled_dot_product_attention(q, q, q, attn_mask=gu.ones(3, 4))
    with pytest.raises(ValueError, match="not both"):
        F.scaled_dot_product_attention(q, q, q, attn_mask=gu.ones(4, 4), is_causal=True)
    with pytest.raises(TypeError, match="dtype"):
        F.scaled_dot_product_attention(q, q.double(), q)
    with pytest.raises(ValueError, match="dropout"):
        F.scaled_dot_product_attention(q, q, q, dropout_p=1.5)


# ----------------------------------------------------------------------------- MHA
def twin_mha(dtype="float64", seed=0, **kw):
    torch.manual_seed(seed)
    ref = torch.nn.MultiheadAttention(dtype=getattr(torch, dtype), **kw)
    ours = nn.MultiheadAttention(**kw).to(dtype)
    ours.load_state_dict({k: v.detach().numpy() for k, v in ref.state_dict().items()})
    return ours, ref


def run_mha(ours, ref, shapes, dtype, self_attn=False, masks=(), **kw):
    """Forward both, backprop the same upstream through (output, weights); compare all."""
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s).astype(dtype) for s in shapes]
    if self_attn:
        arrays = arrays[:1] * 3
    ins_o = [gu.tensor(a, requires_grad=True) for a in arrays]
    ins_r = [torch.tensor(a, requires_grad=True) for a in arrays]
    if self_attn:
        ins_o, ins_r = ins_o[:1] * 3, ins_r[:1] * 3
    mask_kw_o = {name: gu.tensor(m) for name, m in masks}
    mask_kw_r = {name: torch.tensor(m) for name, m in masks}
    out_o, w_o = ours(*ins_o, **mask_kw_o, **kw)
    out_r, w_r = ref(*ins_r, **mask_kw_r, **kw)
    assert_same_tensor(out_o, out_r, "output")
    assert (w_o is None) == (w_r is None)
    g = rng.standard_normal(out_r.shape).astype(dtype)
    loss_o, loss_r = (out_o * gu.tensor(g)).sum(), (out_r * torch.tensor(g)).sum()
    if w_r is not None:
        assert_same_tensor(w_o, w_r, "attention weights")
        gw = rng.standard_normal(w_r.shape).astype(dtype)
        loss_o = loss_o + (w_o * gu.tensor(gw)).sum()
        loss_r = loss_r + (w_r * torch.tensor(gw)).sum()
    loss_o.backward()
    loss_r.backward()
    for i, (a, b) in enumerate(zip(ins_o, ins_r)):
        assert_same_tensor(a.grad, b.grad, f"grad of input {i}")
    for (name, p), (_, q) in zip(ours.named_parameters(), ref.named_parameters()):
        assert_same_tensor(p.grad, q.grad, f"grad of {name}")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("need_weights, average", [(True, True), (True, False), (False, True)])
def test_mha_self_attention_matches_torch(batch_first, need_weights, average, dtype):
    ours, ref = twin_mha(dtype, embed_dim=8, num_heads=2, batch_first=batch_first)
    shape = (3, 5, 8) if batch_first else (5, 3, 8)
    run_mha(
        ours,
        ref,
        [shape],
        dtype,
        self_attn=True,
        need_weights=need_weights,
        average_attn_weights=average,
    )


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("need_weights", [True, False])
def test_mha_cross_attention_with_masks_matches_torch(batch_first, need_weights):
    ours, ref = twin_mha(embed_dim=12, num_heads=3, batch_first=batch_first)
    N, L, S = 2, 4, 6
    if batch_first:
        shapes = [(N, L, 12), (N, S, 12), (N, S, 12)]
    else:
        shapes = [(L, N, 12), (S, N, 12), (S, N, 12)]
    rng = np.random.default_rng(2)
    padding = np.zeros((N, S), dtype=bool)
    padding[0, -2:] = True  # the first sequence has two padded keys
    masks_2d = rng.random((L, S)) > 0.7
    masks_2d[:, 0] = False
    masks_3d = rng.standard_normal((N * 3, L, S))
    for masks in [
        [("key_padding_mask", padding)],
        [("attn_mask", masks_2d)],
        [("attn_mask", masks_3d), ("key_padding_mask", np.where(padding, -np.inf, 0.0))],
        [("attn_mask", rng.standard_normal((L, S)))],
    ]:
        for p in ours.parameters():
            p.grad = None
        ref.zero_grad()
        run_mha(ours, ref, shapes, "float64", masks=masks, need_weights=need_weights)


def test_mha_causal_mask_and_float32_match_torch():
    ours, ref = twin_mha("float32", embed_dim=16, num_heads=4, batch_first=True)
    mask = nn.generate_square_subsequent_mask(5).numpy()
    run_mha(
        ours,
        ref,
        [(3, 5, 16)],
        "float32",
        self_attn=True,
        need_weights=False,
        masks=[("attn_mask", mask)],
        is_causal=True,
    )


def test_mha_kdim_vdim_and_no_bias_match_torch():
    ours, ref = twin_mha(embed_dim=8, num_heads=2, kdim=5, vdim=3, batch_first=True)
    assert list(ours.state_dict()) == list(ref.state_dict())
    run_mha(ours, ref, [(2, 4, 8), (2, 6, 5), (2, 6, 3)], "float64")
    ours, ref = twin_mha(embed_dim=8, num_heads=2, bias=False)
    assert list(ours.state_dict()) == ["in_proj_weight", "out_proj.weight"]
    run_mha(ours, ref, [(4, 2, 8)], "float64", self_attn=True)


def test_mha_unbatched_matches_torch():
    for batch_first in (False, True):
        ours, ref = twin_mha(embed_dim=8, num_heads=4, batch_first=batch_first)
        padding = np.array([False, False, True, False, True, False])
        run_mha(
            ours,
            ref,
            [(4, 8), (6, 8), (6, 8)],
            "float64",
            masks=[("key_padding_mask", padding)],
            average_attn_weights=False,
        )


def test_mha_state_dict_keys_and_init_follow_torch():
    gu.manual_seed(0)
    ours = nn.MultiheadAttention(64, 4)
    ref = torch.nn.MultiheadAttention(64, 4)
    assert list(ours.state_dict()) == list(ref.state_dict())
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in ref.named_parameters()]
    bound = np.sqrt(6 / (64 + 192))  # xavier_uniform_ on the (3E, E) in_proj_weight
    w = ours.in_proj_weight.numpy()
    assert w.shape == (192, 64) and np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert np.all(ours.in_proj_bias.numpy() == 0) and np.all(ours.out_proj.bias.numpy() == 0)
    assert np.abs(ours.out_proj.weight.numpy()).max() <= 1 / 8  # Linear's U(-1/sqrt(E), ..)
    assert ours.in_proj_weight.dtype == gu.float32


def test_mha_dropout_only_in_training():
    gu.manual_seed(0)
    mha = nn.MultiheadAttention(8, 2, dropout=0.5, batch_first=True)
    x = gu.randn(2, 5, 8)
    gu.manual_seed(1)
    a = mha(x, x, x)[0]
    gu.manual_seed(2)
    b = mha(x, x, x)[0]
    assert not np.allclose(a.numpy(), b.numpy())
    mha.eval()
    np.testing.assert_array_equal(mha(x, x, x)[0].numpy(), mha(x, x, x)[0].numpy())


def test_mha_errors_are_clear():
    mha = nn.MultiheadAttention(8, 2)
    x = gu.ones(5, 3, 8)
    with pytest.raises(ValueError, match="divisible"):
        nn.MultiheadAttention(8, 3)
    with pytest.raises(NotImplementedError, match="add_bias_kv"):
        nn.MultiheadAttention(8, 2, add_bias_kv=True)
    with pytest.raises(ValueError, match=r"embed_dim=8.*\(5, 3, 7\)"):
        mha(gu.ones(5, 3, 7), x, x)
    with pytest.raises(ValueError, match=r"attn_mask must be \(5, 5\)"):
        mha(x, x, x, attn_mask=gu.ones(4, 5))
    with pytest.raises(ValueError, match=r"key_padding_mask \(N=3, S=5\)"):
        mha(x, x, x, key_padding_mask=gu.ones(5, 3))
    with pytest.raises(RuntimeError, match="is_causal"):
        mha(x, x, x, is_causal=True)
    with pytest.raises(ValueError, match="3-D"):
        mha(x, gu.ones(5, 8), x)


def test_mha_packed_self_attention_path_equals_the_general_one_with_dropout():
    """need_weights=False on one input takes the one-GEMM path; same seed, same numbers."""
    gu.manual_seed(0)
    mha = nn.MultiheadAttention(8, 2, dropout=0.3).to("float64")
    x = gu.tensor(np.random.default_rng(0).standard_normal((5, 3, 8)), requires_grad=True)
    results = []
    for need_weights in (False, True):
        mha.zero_grad()
        x.grad = None
        gu.manual_seed(3)
        out = mha(x, x, x, need_weights=need_weights)[0]
        (out * out).sum().backward()
        results.append([out.numpy(), x.grad.numpy(), mha.in_proj_weight.grad.numpy()])
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
