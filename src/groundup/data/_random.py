"""``check_random_state``: the ``random_state`` argument of splitters and generators."""

from __future__ import annotations

from typing import Any

import numpy as np

from groundup.random import generator

__all__ = ["check_random_state", "shuffle_rows"]


def check_random_state(random_state: Any) -> np.random.RandomState:
    """A NumPy ``RandomState`` for a ``random_state`` argument, as scikit-learn reads it.

    An int seeds a fresh ``RandomState``, the generator scikit-learn uses, so our splits and
    generated data equal scikit-learn's for the same seed. None draws a seed from groundup's
    generator (so ``gu.manual_seed`` makes it reproducible). A ``RandomState`` is used as it
    is; a ``np.random.Generator`` seeds a fresh ``RandomState`` from its next draw.

    Examples
    --------
    >>> check_random_state(0).randint(10, size=3).tolist()
    [5, 0, 3]
    """
    if random_state is None:
        return np.random.RandomState(generator().integers(2**32))
    if isinstance(random_state, (int, np.integer)) and not isinstance(random_state, bool):
        return np.random.RandomState(random_state)
    if isinstance(random_state, np.random.RandomState):
        return random_state
    if isinstance(random_state, np.random.Generator):
        return np.random.RandomState(random_state.integers(2**32))
    raise TypeError(
        f"random_state must be None, an int, a np.random.RandomState or a np.random.Generator; "
        f"got {type(random_state).__name__}"
    )


def shuffle_rows(rng: np.random.RandomState, *arrays: np.ndarray) -> list[np.ndarray]:
    """The arrays' rows in one random order (scikit-learn's ``shuffle``: same draws)."""
    order = np.arange(len(arrays[0]))
    rng.shuffle(order)
    return [a[order] for a in arrays]
