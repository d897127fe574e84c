"""``Dataset``, the indexable collection of samples, and ``TensorDataset`` over arrays."""

from __future__ import annotations

from typing import Any

import numpy as np

from groundup.backend import device_of, get_xp
from groundup.tensor import Tensor

__all__ = ["Dataset", "TensorDataset"]


class Dataset:
    """An indexable collection of samples: subclasses define ``__getitem__`` and ``__len__``.

    Like PyTorch's map-style ``Dataset``. A :class:`~groundup.data.DataLoader` fetches the
    samples one by one and stacks them; a dataset that can fetch a whole batch at once may
    also define ``__getitems__(indices)`` returning a tuple of arrays with ``len(indices)``
    rows each, which the loader then uses instead (as :class:`TensorDataset` does).

    Examples
    --------
    >>> class Squares(Dataset):
    ...     def __len__(self):
    ...         return 4
    ...     def __getitem__(self, i):
    ...         return float(i), float(i * i)
    >>> len(Squares()), Squares()[3]
    (4, (3.0, 9.0))
    """

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must define __len__")


def _as_array(x: Any, position: int) -> tuple[Any, str]:
    """The array behind x (a Tensor's ``.data``, shared) and its device."""
    if isinstance(x, Tensor):
        return x.data, x.device
    if isinstance(x, np.ndarray):
        return x, "cpu"
    if hasattr(x, "__cuda_array_interface__"):  # a CuPy array
        return x, device_of(x)
    if isinstance(x, (list, tuple)):
        return np.asarray(x), "cpu"
    raise TypeError(
        f"TensorDataset: argument {position} is a {type(x).__name__}; expected a NumPy array, "
        f"a groundup Tensor or a list"
    )


def _wrap(array: Any, device: str) -> Tensor:
    """A tensor around an array, no copy (the callers pass fresh arrays)."""
    return Tensor._wrap(array, device)


class TensorDataset(Dataset):
    """Samples drawn row by row from arrays or tensors sharing their first dimension.

    ``dataset[i]`` is ``(tensors[0][i], tensors[1][i], ...)``. The arrays are kept as they are
    (no copy, same dtype: float64 NumPy input stays float64, as with ``torch.from_numpy``);
    a :class:`~groundup.data.DataLoader` slices whole batches out of them with one indexing
    call per array.

    Parameters
    ----------
    *tensors : ndarray, Tensor or list
        At least one, all of the same length along dimension 0.

    Attributes
    ----------
    tensors : tuple of Tensor
        The data as tensors (sharing memory with the arrays passed).
    arrays : tuple of ndarray
        The same data as arrays.

    Examples
    --------
    >>> import numpy as np
    >>> ds = TensorDataset(np.arange(6.0).reshape(3, 2), np.array([0, 1, 0]))
    >>> len(ds), ds[1]
    (3, (tensor([2., 3.], dtype=float64), tensor(1)))
    """

    def __init__(self, *tensors: Any) -> None:
        if not tensors:
            raise ValueError("TensorDataset: expected at least one array or tensor, got none")
        pairs = [_as_array(x, i) for i, x in enumerate(tensors)]
        for i, (a, _) in enumerate(pairs):
            if a.ndim == 0:
                raise ValueError(
                    f"TensorDataset: argument {i} is a 0-d array; expected at least one "
                    f"dimension, the samples"
                )
        sizes = [a.shape[0] for a, _ in pairs]
        if len(set(sizes)) > 1:
            raise ValueError(
                f"TensorDataset: size mismatch between tensors: first dimensions are {sizes}; "
                f"every array must hold one row per sample"
            )
        self.arrays = tuple(a for a, _ in pairs)
        self._devices = tuple(d for _, d in pairs)
        self.tensors = tuple(
            x if isinstance(x, Tensor) else _wrap(a, d) for x, (a, d) in zip(tensors, pairs)
        )

    def __len__(self) -> int:
        return self.arrays[0].shape[0]

    def __getitem__(self, index: int) -> tuple[Tensor, ...]:
        return tuple(t[index] for t in self.tensors)

    def __getitems__(self, indices: Any) -> tuple[Tensor, ...]:
        """A whole batch: each array indexed by ``indices`` (an int array or a slice).

        Fancy indexing copies, so the batch never aliases the dataset; a slice is copied too.
        """
        out = []
        for a, device in zip(self.arrays, self._devices):
            if isinstance(indices, slice):
                batch = a[indices].copy()
            elif device == "cpu":
                batch = a[indices]
            else:
                batch = a[get_xp(device).asarray(indices)]
            out.append(_wrap(batch, device))
        return tuple(out)

    def __repr__(self) -> str:
        shapes = ", ".join(str(tuple(a.shape)) for a in self.arrays)
        return f"TensorDataset({shapes})"
