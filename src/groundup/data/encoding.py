"""``one_hot``: class indices to indicator rows."""

from __future__ import annotations

from typing import Any

import numpy as np

from groundup.tensor import Tensor

__all__ = ["one_hot"]


def one_hot(labels: Any, num_classes: int | None = None, *, dtype: Any = np.int64) -> Any:
    """Turn class indices into one-hot rows: ``out[..., c] = 1`` where ``labels[...] == c``.

    Like ``torch.nn.functional.one_hot``: integer labels of any shape ``S`` give an int64
    array of shape ``S + (num_classes,)``.

    Parameters
    ----------
    labels : array_like of int, or Tensor
        Class indices in ``0 .. num_classes - 1``.
    num_classes : int, optional
        Number of classes; default (None or -1) ``labels.max() + 1``.
    dtype : dtype, default=np.int64
        Of the result (int64 like PyTorch; pass ``np.float32`` for targets of a loss).

    Returns
    -------
    ndarray or Tensor
        A Tensor when ``labels`` is one, else a NumPy array.

    Examples
    --------
    >>> one_hot([0, 2, 1])
    array([[1, 0, 0],
           [0, 0, 1],
           [0, 1, 0]])
    >>> one_hot([1], num_classes=4, dtype=np.float32)
    array([[0., 1., 0., 0.]], dtype=float32)
    """
    is_tensor = isinstance(labels, Tensor)
    y = np.asarray(labels.numpy() if is_tensor else labels)
    if y.dtype.kind not in "iu":
        if y.size == 0 and y.dtype.kind == "f":  # np.asarray([]) is float64
            y = y.astype(np.int64)
        else:
            raise TypeError(
                f"one_hot: expected integer class indices, got dtype {y.dtype}; "
                f"convert with .astype(int) (or .long() for a tensor)"
            )
    if num_classes is None or num_classes == -1:
        if y.size == 0:
            raise ValueError(
                "one_hot: cannot infer the number of classes from empty labels; pass num_classes"
            )
        num_classes = int(y.max()) + 1
    if not isinstance(num_classes, (int, np.integer)) or num_classes < 1:
        raise ValueError(f"one_hot: num_classes must be a positive int, got {num_classes!r}")
    if y.size and y.min() < 0:
        raise ValueError(f"one_hot: class values must be non-negative, got {y.min()}")
    if y.size and y.max() >= num_classes:
        raise ValueError(
            f"one_hot: class values must be smaller than num_classes={num_classes}, got {y.max()}"
        )
    out = np.zeros((y.size, int(num_classes)), dtype=dtype)
    out[np.arange(y.size), y.reshape(-1)] = 1
    out = out.reshape(*y.shape, int(num_classes))
    if not is_tensor:
        return out
    return Tensor._wrap(out, "cpu").to(labels.device)
