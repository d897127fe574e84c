"""Pre-splitting text into chunks before BPE, with the GPT-2 and GPT-4 regex patterns.

BPE merges never cross a chunk boundary, so words, numbers, punctuation and whitespace
become separate tokens (no "dog." token next to "dog!"). The patterns use Unicode classes
(``\\p{L}`` letters, ``\\p{N}`` numbers) that only the third-party ``regex`` package knows.
Without it, an approximate pattern for Python's ``re`` stands in, with a warning:
``\\p{L}`` becomes ``[^\\W\\d_]`` (word characters that are not digits or ``_``), ``\\p{N}``
becomes ``\\d`` (decimal digits only, so a "²" counts as a letter there). The chunks then
differ slightly from GPT-2's or GPT-4's, but every character still lands in a chunk, so
encoding stays lossless.
"""

from __future__ import annotations

import re
import warnings
from typing import Any

__all__ = ["GPT2_SPLIT_PATTERN", "GPT4_SPLIT_PATTERN", "PATTERNS", "compile_pattern"]

GPT2_SPLIT_PATTERN = r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
"""GPT-2's split (OpenAI's ``encoder.py``): contractions, words, numbers, punctuation runs."""

GPT4_SPLIT_PATTERN = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]++[\r\n]*"""
    r"""|\s*[\r\n]|\s+(?!\S)|\s+"""
)
"""GPT-4's split (``cl100k_base``): as GPT-2's, numbers in groups of at most 3 digits, case-
insensitive contractions, newlines kept apart from other whitespace."""

# The same splits for ``re``: \p{L} -> [^\W\d_], \p{N} -> \d, [^...\p{L}\p{N}] -> (?:[^...\w]|_);
# the possessive quantifiers (Python >= 3.11 only) are dropped: no match depends on them here.
_RE_FALLBACKS = {
    GPT2_SPLIT_PATTERN: (
        r"""'(?:[sdmt]|ll|ve|re)| ?[^\W\d_]+| ?\d+| ?(?:[^\s\w]|_)+|\s+(?!\S)|\s+"""
    ),
    GPT4_SPLIT_PATTERN: (
        r"""'(?i:[sdmt]|ll|ve|re)|(?:[^\r\n\w]|_)?[^\W\d_]+|\d{1,3}| ?(?:[^\s\w]|_)+[\r\n]*"""
        r"""|\s*[\r\n]|\s+(?!\S)|\s+"""
    ),
}

PATTERNS = {"gpt2": GPT2_SPLIT_PATTERN, "gpt4": GPT4_SPLIT_PATTERN}
"""The split patterns by name."""


def resolve_pattern(pattern: str | None) -> str | None:
    """A pattern name (``"gpt2"``, ``"gpt4"``) as its regex; a regex or None as is."""
    return PATTERNS.get(pattern, pattern) if pattern is not None else None


def compile_pattern(pattern: str, use_regex: bool | None = None) -> Any:
    """The compiled split pattern: with ``regex`` when installed (or ``use_regex=True``),
    else the ``re`` approximation of a GPT pattern, with a warning naming ``pip install regex``.

    Examples
    --------
    >>> compile_pattern(GPT2_SPLIT_PATTERN).findall("Hello world!!")
    ['Hello', ' world', '!!']
    """
    if use_regex is not False:
        try:
            import regex
        except ImportError:
            if use_regex:
                raise ImportError(
                    "BPETokenizer: the GPT split patterns need the regex package: "
                    "pip install regex (or pip install groundup[text])"
                ) from None
        else:
            return regex.compile(pattern)
    if pattern in _RE_FALLBACKS:
        if use_regex is None:
            warnings.warn(
                "BPETokenizer: the regex package is not installed (pip install regex), so the "
                "split pattern is approximated with re; chunks may differ from GPT-2/GPT-4's",
                stacklevel=3,
            )
        return re.compile(_RE_FALLBACKS[pattern])
    try:
        return re.compile(pattern)
    except re.error as e:
        raise ValueError(
            f"BPETokenizer: Python's re cannot compile the split pattern ({e}); "
            "pip install regex for \\p{...} classes"
        ) from e
