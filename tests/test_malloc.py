"""The allocator tuning applied on import: on where glibc is, off on request.

Its effect on speed is shown by benchmarks/bench_gpt.py (see benchmarks/RESULTS.md).
"""

import platform
import sys

import pytest

from groundup import _malloc


def _glibc() -> bool:
    return sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"


def test_opt_out_leaves_the_allocator_alone(monkeypatch):
    monkeypatch.setenv("GROUNDUP_MALLOC_TUNING", "0")
    assert _malloc.tune_malloc() is False


@pytest.mark.skipif(not _glibc(), reason="mallopt tuning applies to glibc only")
def test_tuning_applies_on_glibc(monkeypatch):
    monkeypatch.delenv("GROUNDUP_MALLOC_TUNING", raising=False)
    assert _malloc.tune_malloc() is True
