"""``CharTokenizer``: one token per distinct character of the training text."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from groundup.backend import get_xp
from groundup.text._base import JsonFileMixin, check_type

__all__ = ["CharTokenizer"]


class CharTokenizer(JsonFileMixin):
    """Characters to ids and back: id i is the i-th smallest character seen in training.

    Parameters
    ----------
    chars : iterable of str, optional
        The vocabulary, one character each; default empty until :meth:`train`.

    Examples
    --------
    >>> tok = CharTokenizer().train("hello")
    >>> tok.vocab_size, tok.encode("hole")
    (4, [1, 3, 2, 0])
    >>> tok.decode([1, 0, 2, 2, 3])
    'hello'
    """

    def __init__(self, chars: Iterable[str] = ()) -> None:
        self.chars = sorted(set(chars))
        if any(len(c) != 1 for c in self.chars):
            raise ValueError("CharTokenizer: every vocabulary entry must be one character")
        self._index = {c: i for i, c in enumerate(self.chars)}

    @property
    def vocab_size(self) -> int:
        """The number of ids."""
        return len(self.chars)

    def train(self, text: str, vocab_size: int | None = None) -> CharTokenizer:
        """Take the distinct characters of ``text`` as the vocabulary; returns self.

        ``vocab_size``, when given, must be at least the number of distinct characters
        (a character tokenizer cannot merge); it is accepted for the BPE interface.
        """
        chars = set(text)
        if vocab_size is not None and vocab_size < len(chars):
            raise ValueError(
                f"CharTokenizer.train: the text has {len(chars)} distinct characters, "
                f"more than vocab_size={vocab_size}"
            )
        self.__init__(chars)
        return self

    def encode(self, text: str) -> list[int]:
        """The ids of the characters of ``text``; an unseen character raises ``ValueError``."""
        xp = get_xp("cpu")
        codes = xp.frombuffer(text.encode("utf-32-le"), dtype=xp.uint32)
        table = xp.array([ord(c) for c in self.chars], dtype=xp.uint32)  # sorted
        ids = xp.searchsorted(table, codes).clip(max=max(len(table) - 1, 0))
        if len(table) == 0 or (table[ids] != codes).any():
            unknown = sorted(set(text) - set(self.chars))
            raise ValueError(
                f"CharTokenizer.encode: characters not in the vocabulary: {unknown[:10]!r}"
            )
        return ids.tolist()

    def decode(self, ids: Iterable[int]) -> str:
        """The characters of the ids, joined."""
        try:
            return "".join(self.chars[int(i)] for i in ids)
        except IndexError:
            raise ValueError(
                f"CharTokenizer.decode: ids must be in [0, {self.vocab_size}), got "
                f"{max(int(i) for i in ids)}"
            ) from None

    def to_dict(self) -> dict[str, Any]:
        """The tokenizer as JSON-serialisable data."""
        return {"type": "CharTokenizer", "chars": "".join(self.chars)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CharTokenizer:
        """The tokenizer that ``to_dict`` described."""
        check_type(data, cls)
        return cls(data["chars"])

    def __repr__(self) -> str:
        return f"CharTokenizer(vocab_size={self.vocab_size})"
