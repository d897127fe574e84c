"""Keep freed array memory in the process: glibc's allocator, tuned for big short-lived arrays.

A training step allocates and frees dozens of temporaries of a few MB each. glibc serves
blocks above its ``mmap`` threshold with fresh pages from the kernel and gives the top of the
heap back once more than its trim threshold is free, so the next step page-faults all that
memory in again: measured, GELU on a (12, 64, 512) float32 array took 5.9 ms instead of
1.5 ms, and a GPT training step 55 ms instead of 39 ms. Raising the two thresholds keeps that
memory for reuse, as PyTorch's caching CPU allocator does. Imported by ``groundup``; set
``GROUNDUP_MALLOC_TUNING=0`` to leave the allocator alone.
"""

from __future__ import annotations

import ctypes
import os
import sys

__all__ = ["tune_malloc"]

_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # mallopt's parameter numbers (malloc.h)
MMAP_THRESHOLD = 32 << 20  # blocks below 32 MB come from the heap (glibc's own dynamic cap)
TRIM_THRESHOLD = 128 << 20  # keep up to 128 MB of free heap before returning it


def tune_malloc() -> bool:
    """Raise glibc's mmap and trim thresholds; True if applied (Linux with glibc only).

    Examples
    --------
    >>> isinstance(tune_malloc(), bool)
    True
    """
    if os.environ.get("GROUNDUP_MALLOC_TUNING", "1") == "0" or not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None)
        libc.gnu_get_libc_version  # glibc only: musl's mallopt does nothing  # noqa: B018
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    )
