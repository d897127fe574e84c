"""``DataLoader``: iterate over a dataset in (shuffled) mini-batches of tensors."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from groundup.combine import stack
from groundup.creation import from_numpy, tensor
from groundup.data.dataset import TensorDataset
from groundup.random import generator
from groundup.tensor import Tensor

__all__ = ["DataLoader", "default_collate"]


def default_collate(batch: list) -> Any:
    """Stack a list of samples into a batch, field by field, like PyTorch's ``default_collate``.

    Tensors and arrays are stacked along a new first dimension (dtype kept); Python ints
    become an int64 tensor, floats a float64 tensor, bools a bool tensor (as in PyTorch);
    tuples, lists and dicts are collated per field; strings are left as a list.

    Examples
    --------
    >>> default_collate([(1.0, 0), (2.0, 1)])
    (tensor([1., 2.], dtype=float64), tensor([0, 1]))
    """
    first = batch[0]
    if isinstance(first, Tensor):
        return stack(batch)
    if isinstance(first, np.ndarray):
        return from_numpy(np.stack(batch))
    if isinstance(first, (bool, np.bool_)):
        return tensor(batch, dtype=bool)
    if isinstance(first, np.generic):  # a NumPy scalar keeps its dtype
        return from_numpy(np.array(batch))
    if isinstance(first, int):
        return from_numpy(np.array(batch, dtype=np.int64))
    if isinstance(first, float):
        return from_numpy(np.array(batch, dtype=np.float64))
    if isinstance(first, (str, bytes)):
        return list(batch)
    if isinstance(first, Mapping):
        return {key: default_collate([sample[key] for sample in batch]) for key in first}
    if isinstance(first, Sequence):
        if any(len(sample) != len(first) for sample in batch):
            raise ValueError(
                "default_collate: the samples of a batch have different numbers of fields "
                f"({sorted({len(sample) for sample in batch})}); every sample needs the same"
            )
        fields = [default_collate(list(field)) for field in zip(*batch)]
        if isinstance(first, tuple) and hasattr(first, "_fields"):  # a namedtuple
            return type(first)(*fields)
        return tuple(fields) if isinstance(first, tuple) else fields
    raise TypeError(
        f"default_collate: a sample holds a {type(first).__name__}; expected tensors, NumPy "
        f"arrays, numbers, strings, or tuples, lists and dicts of them. Pass collate_fn="
    )


def _check_int(value: Any, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"DataLoader: {name} must be an int >= {minimum}, got {value!r}")
    return int(value)


class DataLoader:
    """Iterate over a dataset in mini-batches, optionally reshuffled every epoch.

    For a :class:`~groundup.data.TensorDataset`, a NumPy array or a Tensor (and any dataset
    with ``__getitems__``) each batch is cut with one fancy-indexing call per array,
    ``array[indices]``, no Python loop over samples; other datasets are read sample by sample
    and stacked by ``collate_fn``. Batches are tensors of the arrays' own dtypes: float64
    NumPy data gives float64 batches, as ``torch.from_numpy`` does, so convert the arrays to
    float32 once, up front, to train in float32.

    Parameters
    ----------
    dataset : Dataset, ndarray or Tensor
        The samples; an array or tensor is read row by row.
    batch_size : int, default=1
        Samples per batch.
    shuffle : bool, default=False
        Visit the samples in a new random order each epoch (each ``iter(loader)``).
    drop_last : bool, default=False
        Skip the last batch when it is smaller than ``batch_size``.
    seed : int, optional
        Seed of the loader's own generator: the sequence of epoch orders is then the same on
        every run. Default: draw the orders from groundup's generator, which
        ``gu.manual_seed`` seeds.
    collate_fn : callable, optional
        Turns a list of samples into a batch (default :func:`default_collate`). Passing one
        makes the loader read samples one by one, like PyTorch.

    Examples
    --------
    >>> import numpy as np
    >>> X, y = np.arange(10.0).reshape(5, 2), np.array([0, 1, 0, 1, 1])
    >>> loader = DataLoader(TensorDataset(X, y), batch_size=2)
    >>> len(loader)
    3
    >>> [yb.tolist() for _, yb in loader]
    [[0, 1], [0, 1], [1]]
    >>> xb, yb = next(iter(DataLoader(TensorDataset(X, y), batch_size=4, shuffle=True, seed=0)))
    >>> xb.shape, xb.dtype
    ((4, 2), dtype('float64'))
    """

    def __init__(
        self,
        dataset: Any,
        batch_size: int = 1,
        shuffle: bool = False,
        drop_last: bool = False,
        seed: int | None = None,
        collate_fn: Callable[[list], Any] | None = None,
    ) -> None:
        self.batch_size = _check_int(batch_size, "batch_size", 1)
        if seed is not None:
            _check_int(seed, "seed", 0)
        if collate_fn is not None and not callable(collate_fn):
            raise TypeError(f"DataLoader: collate_fn must be callable, got {collate_fn!r}")
        self.dataset = dataset
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.seed = seed
        self.collate_fn = collate_fn
        self._rng = np.random.default_rng(seed) if seed is not None else None
        self._single = isinstance(dataset, (np.ndarray, Tensor))
        self._source = TensorDataset(dataset) if self._single else dataset
        self._batched = collate_fn is None and hasattr(self._source, "__getitems__")

    def __len__(self) -> int:
        n = len(self._source)
        if self.drop_last:
            return n // self.batch_size
        return -(-n // self.batch_size)

    def __iter__(self) -> Iterator[Any]:
        n = len(self._source)
        order = None
        if self.shuffle:
            rng = self._rng if self._rng is not None else generator()
            order = rng.permutation(n)
        stop = n - n % self.batch_size if self.drop_last else n
        for start in range(0, stop, self.batch_size):
            end = min(start + self.batch_size, n)
            indices = slice(start, end) if order is None else order[start:end]
            if self._batched:
                batch = self._source.__getitems__(indices)
                batch = tuple(from_numpy(b) if isinstance(b, np.ndarray) else b for b in batch)
                yield batch[0] if self._single else batch
            else:
                rows = range(start, end) if order is None else indices.tolist()
                samples = [self.dataset[i] for i in rows]
                yield (self.collate_fn or default_collate)(samples)

    def __repr__(self) -> str:
        return (
            f"DataLoader({type(self.dataset).__name__}, batch_size={self.batch_size}, "
            f"shuffle={self.shuffle}, drop_last={self.drop_last}, seed={self.seed})"
        )
