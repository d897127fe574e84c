"""Tests of the batch image transforms (groundup.data.transforms) against per-image references."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import groundup as gu
from groundup.data import (
    Compose,
    Normalize,
    RandomCrop,
    RandomHorizontalFlip,
    normalize,
    random_crop,
    random_horizontal_flip,
)


def _images(shape=(6, 3, 5, 7), dtype=np.float32, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_normalize_matches_torch_per_channel(dtype):
    X = _images(dtype=dtype)
    mean, std = [0.1, -0.2, 0.3], [0.5, 2.0, 1.5]
    out = normalize(X, mean, std)
    t = torch.from_numpy(X)
    expected = (t - torch.tensor(mean, dtype=t.dtype)[:, None, None]) / torch.tensor(
        std, dtype=t.dtype
    )[:, None, None]
    assert out.dtype == dtype and out.shape == X.shape
    np.testing.assert_allclose(out, expected.numpy(), rtol=1e-6, atol=1e-7)


def test_normalize_uint8_gives_float32_and_leaves_input_unchanged():
    X = np.full((2, 1, 2, 2), 255, dtype=np.uint8)
    out = normalize(X, [127.5], [127.5])
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, np.ones((2, 1, 2, 2), dtype=np.float32))
    Y = _images()
    before = Y.copy()
    normalize(Y, 1.0, 2.0)
    np.testing.assert_array_equal(Y, before)


def test_normalize_rejects_wrong_channel_count_and_zero_std():
    with pytest.raises(ValueError, match=r"normalize: expected mean of length 3 .*got 2"):
        normalize(_images(), [0.0, 0.0], [1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="std must be nonzero"):
        normalize(_images(), [0.0] * 3, [1.0, 0.0, 1.0])


def _crop_reference(X, size, padding, seed):
    """One image at a time, with the same draws as random_crop: offsets top, then left."""
    gen = np.random.default_rng(seed)
    Xp = np.pad(X, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    top = gen.integers(0, Xp.shape[2] - size[0] + 1, size=len(X))
    left = gen.integers(0, Xp.shape[3] - size[1] + 1, size=len(X))
    return np.stack(
        [Xp[i, :, t : t + size[0], l : l + size[1]] for i, (t, l) in enumerate(zip(top, left))]
    )


@pytest.mark.parametrize("size, padding", [((5, 7), 2), ((3, 4), 0), ((4, 6), 1)])
def test_random_crop_matches_per_image_reference(size, padding):
    X = _images()
    out = random_crop(X, size, padding=padding, rng=3)
    assert out.shape == (6, 3) + size and out.dtype == X.dtype and out.flags["C_CONTIGUOUS"]
    np.testing.assert_array_equal(out, _crop_reference(X, size, padding, 3))


def test_random_crop_uses_every_offset_and_keeps_content():
    X = np.arange(16.0, dtype=np.float32).reshape(1, 1, 4, 4).repeat(400, axis=0)
    out = random_crop(X, 4, padding=1, rng=0)
    # each crop is the image shifted by (dy, dx) in {-1, 0, 1}^2: 9 distinct results
    assert len({o.tobytes() for o in out}) == 9
    assert (out == X).all(axis=(1, 2, 3)).any()  # the zero shift occurs
    assert np.isin(out, np.arange(16.0)).all()  # only pixels of the image and the zero fill


def test_random_crop_is_reproducible_from_manual_seed():
    X = _images()
    gu.manual_seed(5)
    a = random_crop(X, 4, padding=2)
    gu.manual_seed(5)
    b = random_crop(X, 4, padding=2)
    np.testing.assert_array_equal(a, b)


def test_random_crop_rejects_bad_input():
    with pytest.raises(ValueError, match=r"random_crop: expected a batch .*\(N, C, H, W\)"):
        random_crop(np.zeros((4, 28, 28)), 28)
    with pytest.raises(ValueError, match=r"crop size \(9, 9\) must be >= 1 and fit"):
        random_crop(_images(), 9, padding=0)
    with pytest.raises(TypeError, match="rng must be None, an int seed"):
        random_crop(_images(), 3, rng="seed")


def test_random_horizontal_flip_matches_per_image_reference():
    X = _images((50, 2, 3, 4))
    out = random_horizontal_flip(X, p=0.5, rng=1)
    flip = np.random.default_rng(1).random(50) < 0.5
    expected = np.stack([x[:, :, ::-1] if f else x for x, f in zip(X, flip)])
    np.testing.assert_array_equal(out, expected)
    assert 10 < flip.sum() < 40 and out.dtype == X.dtype
    np.testing.assert_array_equal(random_horizontal_flip(X, p=0.0, rng=1), X)
    np.testing.assert_array_equal(random_horizontal_flip(X, p=1.0, rng=1), X[..., ::-1])


def test_random_horizontal_flip_rejects_bad_p():
    with pytest.raises(ValueError, match=r"random_horizontal_flip: p must be in \[0, 1\]"):
        random_horizontal_flip(_images(), p=1.5)


def test_compose_applies_in_order_with_one_shared_generator():
    X = _images((8, 3, 6, 6))
    pipeline = Compose(
        [RandomCrop(6, padding=2), RandomHorizontalFlip(), Normalize([0, 0, 0], [2, 2, 2])]
    )
    out = pipeline(X, rng=7)
    gen = np.random.default_rng(7)
    expected = normalize(
        random_horizontal_flip(random_crop(X, 6, 2, rng=gen), rng=gen), [0] * 3, [2] * 3
    )
    np.testing.assert_array_equal(out, expected)
    assert "RandomCrop(size=6, padding=2)" in repr(pipeline)
    assert Compose([lambda a: a + 1])(np.zeros((1, 1, 1, 1))).item() == 1.0


def test_compose_rejects_non_callables():
    with pytest.raises(TypeError, match="Compose: every transform must be callable"):
        Compose([3])
