"""Tokenizers: text to integer ids and back, for language models.

- :class:`CharTokenizer`: one id per distinct character.
- :class:`BPETokenizer`: byte-level byte-pair encoding as in GPT-2 and GPT-4, with their
  regex pre-split patterns (needs the optional ``regex`` package) and special tokens.

Both have ``train(text, vocab_size)``, ``encode``, ``decode``, ``save``/``load`` (JSON).

Examples
--------
>>> from groundup.text import CharTokenizer
>>> CharTokenizer().train("abba").encode("ab")
[0, 1]
"""

from groundup.text.bpe import BPETokenizer
from groundup.text.char import CharTokenizer

__all__ = ["BPETokenizer", "CharTokenizer"]
