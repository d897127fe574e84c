"""What the tokenizers share: saving to and loading from a small JSON file (no pickle)."""

from __future__ import annotations

import json
import os
from typing import Any

__all__ = ["JsonFileMixin"]


class JsonFileMixin:
    """``save``/``load`` through the class's ``to_dict``/``from_dict``."""

    def to_dict(self) -> dict[str, Any]:
        raise NotImplementedError

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def save(self, path: str | os.PathLike) -> None:
        """Write the tokenizer as a small JSON file (UTF-8, no pickle)."""
        with open(path, "w", encoding="utf-8") as f:
            json.dump(self.to_dict(), f, ensure_ascii=False)

    @classmethod
    def load(cls, path: str | os.PathLike) -> Any:
        """Read a tokenizer written by :meth:`save`."""
        with open(path, encoding="utf-8") as f:
            return cls.from_dict(json.load(f))


def check_type(data: dict[str, Any], cls: type) -> None:
    """Raise unless ``data`` describes a ``cls`` (its ``"type"`` entry)."""
    if data.get("type") != cls.__name__:
        raise ValueError(f"{cls.__name__}.from_dict: not a {cls.__name__}: {data.get('type')!r}")
