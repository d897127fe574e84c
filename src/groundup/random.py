"""The one seeded random generator behind ``randn``, ``rand``, ``randint``, init and dropout."""

from __future__ import annotations

import numpy as np

__all__ = ["manual_seed", "generator", "initial_seed"]

_state = {"seed": None, "generator": np.random.default_rng()}


def manual_seed(seed: int) -> np.random.Generator:
    """Seed groundup's random generator, for reproducible runs; returns the generator.

    Examples
    --------
    >>> import groundup as gu
    >>> _ = gu.manual_seed(0); a = gu.randn(2)
    >>> _ = gu.manual_seed(0); b = gu.randn(2)
    >>> bool((a == b).all())
    True
    """
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise TypeError(f"manual_seed: expected an int seed, got {type(seed).__name__}")
    _state["seed"] = int(seed)
    _state["generator"] = np.random.default_rng(int(seed))
    return _state["generator"]


def generator() -> np.random.Generator:
    """The current generator (a NumPy ``Generator``)."""
    return _state["generator"]


def initial_seed() -> int | None:
    """The seed last passed to ``manual_seed`` (None when never seeded)."""
    return _state["seed"]
