"""Tiny Shakespeare: the 1.1 MB plain-text corpus of character-level language models."""

from __future__ import annotations

import os

from groundup.data._download import fetch, read_bytes

__all__ = ["SHAKESPEARE_URL", "load_shakespeare"]

SHAKESPEARE_URL = "https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/"
"""Default location of ``input.txt`` (Andrej Karpathy's char-rnn repository, MIT)."""


def load_shakespeare(
    root: str | os.PathLike | None = None,
    download: bool = True,
    *,
    url: str | None = None,
) -> str:
    """Load Tiny Shakespeare, about 40,000 lines of the plays joined into one string.

    1,115,394 characters, 65 distinct ones, ``\\n`` line endings. A common split trains on
    the first 90% of the characters and validates on the rest.

    Parameters
    ----------
    root : str or os.PathLike, optional
        Folder holding ``input.txt``. Default: ``$GROUNDUP_DATA/shakespeare`` when that
        variable is set, else the cache ``$GROUNDUP_CACHE/shakespeare``
        (``~/.cache/groundup/shakespeare``).
    download : bool, default=True
        Download the file into ``root`` or the cache when it is missing (never into
        ``GROUNDUP_DATA``: a file missing there raises).
    url : str, optional
        Base URL of a mirror; default ``$GROUNDUP_SHAKESPEARE_URL``, else
        :data:`SHAKESPEARE_URL`.

    Returns
    -------
    str
        The whole text.

    Raises
    ------
    FileNotFoundError, ChecksumError, OSError
        As for :func:`groundup.data.load_mnist`.

    Examples
    --------
    >>> text = load_shakespeare()  # doctest: +SKIP
    >>> len(text), len(set(text)), text[:14]  # doctest: +SKIP
    (1115394, 65, 'First Citizen:')
    """
    base = url or os.environ.get("GROUNDUP_SHAKESPEARE_URL") or SHAKESPEARE_URL
    path = fetch("load_shakespeare", "shakespeare", root, download, base)["input.txt"]
    return read_bytes(path, "input.txt").decode("utf-8")
