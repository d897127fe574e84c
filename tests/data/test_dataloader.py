"""Dataset, TensorDataset, DataLoader and one_hot."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import groundup as gu
from groundup.data import DataLoader, Dataset, TensorDataset, default_collate, one_hot

# ---------------------------------------------------------------- TensorDataset


def test_tensor_dataset_items_keep_dtype_and_share_memory():
    X = np.arange(12.0).reshape(6, 2)  # float64
    y = np.arange(6)
    ds = TensorDataset(X, y)
    assert len(ds) == 6
    x1, y1 = ds[1]
    assert isinstance(x1, gu.Tensor) and x1.dtype == np.float64 and x1.tolist() == [2.0, 3.0]
    assert y1.item() == 1 and y1.dtype == np.int64
    assert np.shares_memory(ds.tensors[0].data, X)


def test_tensor_dataset_accepts_tensors_and_lists():
    t = gu.tensor([[1.0], [2.0], [3.0]])
    ds = TensorDataset(t, [0, 1, 0])
    assert ds.tensors[0] is t and ds.arrays[1].tolist() == [0, 1, 0]


def test_tensor_dataset_size_mismatch_names_sizes():
    with pytest.raises(ValueError, match=r"first dimensions are \[5, 4\]"):
        TensorDataset(np.zeros((5, 2)), np.zeros(4))


def test_tensor_dataset_rejects_scalars_and_other_types():
    with pytest.raises(ValueError, match="0-d array"):
        TensorDataset(np.array(1.0))
    with pytest.raises(TypeError, match="argument 1 is a dict"):
        TensorDataset(np.zeros(3), {"a": 1})
    with pytest.raises(ValueError, match="at least one"):
        TensorDataset()


def test_dataset_base_class_is_abstract():
    with pytest.raises(NotImplementedError, match="must define __len__"):
        len(Dataset())


# ---------------------------------------------------------------- DataLoader: arrays


class CountingDataset(TensorDataset):
    """A TensorDataset that counts per-sample reads, to prove the loader batches by slicing."""

    reads = 0

    def __getitem__(self, index):
        CountingDataset.reads += 1
        return super().__getitem__(index)


def test_loader_batches_in_order_without_per_sample_reads():
    X, y = np.arange(20, dtype=np.float32).reshape(10, 2), np.arange(10)
    CountingDataset.reads = 0
    batches = list(DataLoader(CountingDataset(X, y), batch_size=4))
    assert CountingDataset.reads == 0
    assert [b[1].tolist() for b in batches] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    xb, yb = batches[0]
    assert isinstance(xb, gu.Tensor) and xb.dtype == np.float32 and xb.shape == (4, 2)
    assert yb.dtype == np.int64


@pytest.mark.parametrize(
    "n, batch_size, drop_last, expected", [(10, 4, False, 3), (10, 4, True, 2), (8, 4, True, 2)]
)
def test_loader_len(n, batch_size, drop_last, expected):
    loader = DataLoader(np.zeros(n), batch_size=batch_size, drop_last=drop_last)
    assert len(loader) == expected == len(list(loader))


def test_loader_drop_last_sizes():
    sizes = [len(b) for b in DataLoader(np.arange(10), batch_size=3, drop_last=True)]
    assert sizes == [3, 3, 3]


def test_loader_shuffle_seed_is_reproducible_and_new_each_epoch():
    loader = DataLoader(np.arange(50), batch_size=7, shuffle=True, seed=3)
    epoch1 = np.concatenate([b.numpy() for b in loader])
    epoch2 = np.concatenate([b.numpy() for b in loader])
    assert sorted(epoch1.tolist()) == list(range(50)) == sorted(epoch2.tolist())
    assert not np.array_equal(epoch1, epoch2)
    again = DataLoader(np.arange(50), batch_size=7, shuffle=True, seed=3)
    np.testing.assert_array_equal(np.concatenate([b.numpy() for b in again]), epoch1)


def test_loader_shuffle_without_seed_follows_manual_seed():
    loader = DataLoader(np.arange(30), batch_size=30, shuffle=True)
    gu.manual_seed(5)
    first = next(iter(loader)).tolist()
    gu.manual_seed(5)
    assert next(iter(loader)).tolist() == first
    assert first != list(range(30))


def test_loader_batches_are_copies():
    X = np.zeros((6, 2), np.float32)
    for shuffle in (False, True):
        for xb in DataLoader(X, batch_size=4, shuffle=shuffle, seed=0):
            xb.data[...] = 1.0
    assert not X.any()


def test_loader_float64_stays_float64_and_tensor_dataset_of_tensor():
    xb = next(iter(DataLoader(np.ones((3, 2)), batch_size=2)))
    assert xb.dtype == np.float64
    xb = next(iter(DataLoader(gu.ones(3, 2), batch_size=2)))
    assert isinstance(xb, gu.Tensor) and xb.dtype == np.float32 and xb.shape == (2, 2)


def test_loader_rejects_bad_arguments():
    with pytest.raises(ValueError, match="batch_size must be an int >= 1, got 0"):
        DataLoader(np.zeros(3), batch_size=0)
    with pytest.raises(ValueError, match="seed must be an int"):
        DataLoader(np.zeros(3), seed=1.5)
    with pytest.raises(TypeError, match="collate_fn must be callable"):
        DataLoader(np.zeros(3), collate_fn=3)


# ---------------------------------------------------------------- DataLoader: generic datasets


class Pairs(Dataset):
    def __len__(self):
        return 5

    def __getitem__(self, i):
        return {"x": np.full(3, i, dtype=np.float32), "label": i % 2, "w": 0.5 * i, "name": f"s{i}"}


def test_loader_generic_dataset_default_collate():
    batch = next(iter(DataLoader(Pairs(), batch_size=3)))
    assert batch["x"].shape == (3, 3) and batch["x"].dtype == np.float32
    assert batch["label"].tolist() == [0, 1, 0] and batch["label"].dtype == np.int64
    assert batch["w"].dtype == np.float64 and batch["w"].tolist() == [0.0, 0.5, 1.0]
    assert batch["name"] == ["s0", "s1", "s2"]


def test_loader_generic_dataset_shuffles_all_samples():
    names = [n for b in DataLoader(Pairs(), batch_size=2, shuffle=True, seed=0) for n in b["name"]]
    assert sorted(names) == ["s0", "s1", "s2", "s3", "s4"] and names != sorted(names)


def test_loader_custom_collate_gets_sample_lists():
    loader = DataLoader(TensorDataset(np.arange(4)), batch_size=2, collate_fn=len)
    assert list(loader) == [2, 2]


def test_default_collate_tuples_tensors_and_errors():
    xb, yb = default_collate([(gu.tensor([1.0, 2.0]), 1), (gu.tensor([3.0, 4.0]), 0)])
    assert xb.tolist() == [[1.0, 2.0], [3.0, 4.0]] and yb.tolist() == [1, 0]
    assert default_collate([True, False]).dtype == np.bool_
    assert default_collate([np.float32(1), np.float32(2)]).dtype == np.float32
    with pytest.raises(ValueError, match="different numbers of fields"):
        default_collate([(1, 2), (1,)])
    with pytest.raises(TypeError, match="a sample holds a object"):
        default_collate([object()])


# ---------------------------------------------------------------- one_hot


@pytest.mark.parametrize("shape, num_classes", [((5,), None), ((2, 3), 7), ((0,), 3)])
def test_one_hot_matches_torch(shape, num_classes):
    labels = np.random.default_rng(0).integers(0, 5, shape)
    ours = one_hot(labels, num_classes)
    theirs = torch.nn.functional.one_hot(torch.from_numpy(labels), num_classes or -1).numpy()
    assert ours.dtype == np.int64 == theirs.dtype
    np.testing.assert_array_equal(ours, theirs)


def test_one_hot_tensor_in_tensor_out_and_dtype():
    out = one_hot(gu.tensor([2, 0]), 3)
    assert isinstance(out, gu.Tensor) and out.tolist() == [[0, 0, 1], [1, 0, 0]]
    assert one_hot([1], 2, dtype=np.float32).dtype == np.float32


@pytest.mark.parametrize(
    "labels, num_classes, error, match",
    [
        ([0, 3], 3, ValueError, "smaller than num_classes=3, got 3"),
        ([-1, 0], None, ValueError, "non-negative"),
        ([0.0, 1.0], None, TypeError, "integer class indices"),
        ([], None, ValueError, "empty labels"),
    ],
)
def test_one_hot_errors(labels, num_classes, error, match):
    with pytest.raises(error, match=match):
        one_hot(np.asarray(labels), num_classes)
