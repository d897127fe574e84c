"""Embedding against PyTorch with copied weights: lookups, gradients with repeated ids,
padding_idx (zero row, no gradient), gradcheck and the errors."""

import numpy as np
import pytest
import torch

import groundup as gu
from groundup import nn
from groundup.nn import functional as F


def make_pair(num, dim, padding_idx=None, dtype="float32"):
    ours, ref = nn.Embedding(num, dim, padding_idx), torch.nn.Embedding(num, dim, padding_idx)
    ref.to(getattr(torch, dtype))
    ours.to(dtype)
    ours.load_state_dict({k: v.numpy() for k, v in ref.state_dict().items()})
    return ours, ref


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("padding_idx", [None, 2, -1])
@pytest.mark.parametrize("ids", [[3, 1, 3, 3, 0, 6], [[1, 2, 2], [6, 6, 1]], 4])
def test_embedding_matches_torch(ids, padding_idx, dtype):
    ours, ref = make_pair(7, 5, padding_idx, dtype)
    ids = np.array(ids)
    out, expected = ours(gu.tensor(ids)), ref(torch.tensor(ids))
    assert out.shape == tuple(expected.shape) and out.dtype.name == dtype
    np.testing.assert_array_equal(out.numpy(), expected.detach().numpy())  # a copy: exact
    upstream = np.random.default_rng(0).standard_normal(out.shape).astype(dtype)
    out.backward(gu.tensor(upstream))
    expected.backward(torch.tensor(upstream))
    # repeated ids sum their rows of the upstream gradient; float32 sums in another order
    np.testing.assert_allclose(ours.weight.grad.numpy(), ref.weight.grad.numpy(), 1e-6, 1e-6)


def test_embedding_padding_row_is_zero_and_gets_no_gradient():
    emb = nn.Embedding(4, 3, padding_idx=1)
    assert emb.weight[1].tolist() == [0.0, 0.0, 0.0]
    emb(gu.tensor([1, 1, 2])).sum().backward()
    assert emb.weight.grad.numpy()[1].tolist() == [0.0, 0.0, 0.0]
    assert emb.weight.grad.numpy()[2].tolist() == [1.0, 1.0, 1.0]


def test_embedding_init_is_standard_normal():
    gu.manual_seed(0)
    w = nn.Embedding(1000, 100).weight.numpy()
    assert abs(w.mean()) < 0.01 and abs(w.std() - 1.0) < 0.01


def test_embedding_state_dict_and_repr_match_torch():
    ours, ref = nn.Embedding(10, 3, padding_idx=0), torch.nn.Embedding(10, 3, padding_idx=0)
    assert list(ours.state_dict()) == list(ref.state_dict()) == ["weight"]
    assert repr(ours) == repr(ref)
    assert repr(nn.Embedding(5, 2)) == repr(torch.nn.Embedding(5, 2))


def test_embedding_from_pretrained_is_frozen_by_default():
    w = gu.tensor([[1.0, 2.0], [3.0, 4.0]])
    emb = nn.Embedding.from_pretrained(w)
    assert not emb.weight.requires_grad and emb(gu.tensor([1, 0])).tolist() == [
        [3.0, 4.0],
        [1.0, 2.0],
    ]
    assert nn.Embedding.from_pretrained(w, freeze=False).weight.requires_grad


def test_gradcheck_embedding_with_repeats_and_padding():
    w = gu.tensor(np.random.default_rng(0).standard_normal((5, 3)), requires_grad=True)
    ids = gu.tensor([[0, 3, 3], [4, 0, 0]])
    assert gu.gradcheck(lambda w: F.embedding(ids, w) ** 2, [w])
    # the padding row's gradient is 0 by design, not d/dw: check the rows around it
    assert gu.gradcheck(lambda w: F.embedding(ids, w, padding_idx=1) * 2.0, [w])


def test_embedding_errors_name_the_bad_id():
    emb = nn.Embedding(5, 2)
    with pytest.raises(IndexError, match=r"id 5 is out of range for 5 embeddings"):
        emb(gu.tensor([0, 5]))
    with pytest.raises(IndexError, match=r"id -1 is out of range"):
        emb(gu.tensor([-1, 2]))
    with pytest.raises(TypeError, match="expected integer ids, got dtype float32"):
        emb(gu.tensor([1.0]))
    with pytest.raises(ValueError, match=r"padding_idx must be within \[-5, 5\)"):
        nn.Embedding(5, 2, padding_idx=5)
