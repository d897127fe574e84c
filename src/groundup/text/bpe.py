"""``BPETokenizer``: byte-level byte-pair encoding, as the GPT-2 and GPT-4 tokenizers.

Text is UTF-8 bytes, ids 0-255. Training repeatedly takes the most frequent adjacent pair of
ids and gives it a new id (256, 257, ...), until ``vocab_size`` ids exist; encoding applies
the learned merges in the order they were learned; decoding joins the bytes of the ids.
An optional regex first splits the text into chunks (words, numbers, punctuation,
whitespace) that merges never cross.

Training is incremental, so a 1,024-token vocabulary on the 1.1 MB Tiny Shakespeare takes
seconds: each distinct chunk is stored once, weighted by how often it occurs, as a doubly
linked list of ids; every pair knows the positions where it occurs; a merge rewrites only
those positions and updates the counts of the pairs around them; a heap (with stale entries
skipped) gives the most frequent pair. Ties go to the smallest pair (a, b).
"""

from __future__ import annotations

import heapq
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from groundup.text._base import JsonFileMixin, check_type
from groundup.text._pretokenize import compile_pattern, resolve_pattern

__all__ = ["BPETokenizer"]


class BPETokenizer(JsonFileMixin):
    """Byte-level BPE: ``train(text, vocab_size)``, ``encode``, ``decode``, ``save``/``load``.

    Parameters
    ----------
    pattern : {"gpt4", "gpt2"} or str or None, default="gpt4"
        The pre-split regex: GPT-4's or GPT-2's split pattern by name, any regex, or None
        (no split). The GPT patterns need the ``regex`` package (``pip install regex``);
        without it an approximation with ``re`` is used, with a warning.

    Attributes
    ----------
    merges : dict of (int, int) -> int
        The learned merges: a pair of ids and the id that replaces it, in order.
    vocab : dict of int -> bytes
        The bytes of every id.
    special_tokens : dict of str -> int
        Strings encoded as one id each, never split (``register_special_tokens``).

    Examples
    --------
    >>> tok = BPETokenizer().train("aaabdaaabac", vocab_size=259)
    >>> tok.encode("aaabdaaabac")
    [258, 100, 258, 97, 99]
    >>> tok.decode([258, 100])
    'aaabd'
    """

    def __init__(self, pattern: str | None = "gpt4") -> None:
        self.pattern = resolve_pattern(pattern)
        self._split = None if self.pattern is None else compile_pattern(self.pattern)
        self.merges: dict[tuple[int, int], int] = {}
        self.special_tokens: dict[str, int] = {}
        self._build_vocab()

    # ----------------------------------------------------------------- vocabulary
    @property
    def vocab_size(self) -> int:
        """256 byte ids, one per merge, and the special tokens."""
        return 256 + len(self.merges) + len(self.special_tokens)

    def _build_vocab(self) -> None:
        self.vocab = {i: bytes([i]) for i in range(256)}
        for (a, b), t in self.merges.items():  # in order: a and b exist before t
            self.vocab[t] = self.vocab[a] + self.vocab[b]
        for s, t in self.special_tokens.items():
            self.vocab[t] = s.encode("utf-8")
        self._chunk_cache: dict[str, list[int]] = {}
        self._special_re = None
        if self.special_tokens:
            alternatives = sorted(self.special_tokens, key=len, reverse=True)
            self._special_re = re.compile("(" + "|".join(map(re.escape, alternatives)) + ")")

    def register_special_tokens(self, tokens: dict[str, int]) -> None:
        """Add strings that encode to one id each, e.g. ``{"<|endoftext|>": 1024}``.

        Their ids must not be used by bytes or merges.
        """
        taken = set(range(256 + len(self.merges)))
        for s, t in tokens.items():
            if t in taken or t in self.special_tokens.values():
                raise ValueError(f"BPETokenizer: special token {s!r} has id {t}, already used")
        self.special_tokens.update(tokens)
        self._build_vocab()

    # ----------------------------------------------------------------- training
    def train(self, text: str, vocab_size: int, verbose: bool = False) -> BPETokenizer:
        """Learn ``vocab_size - 256`` merges from ``text``; returns self.

        Stops early when no pair is left to merge (every chunk is a single id).
        """
        if vocab_size < 256:
            raise ValueError(f"BPETokenizer.train: vocab_size must be >= 256, got {vocab_size}")
        chunks = Counter(self._chunks(text))
        merges = _learn_merges(chunks, vocab_size - 256)
        self.merges = {pair: 256 + i for i, pair in enumerate(merges)}
        self.special_tokens = {}
        self._build_vocab()
        if verbose:
            print(f"BPETokenizer: {len(merges)} merges from {len(chunks):,} distinct chunks")
        return self

    def _chunks(self, text: str) -> list[str]:
        if self._split is None:
            return [text] if text else []
        return self._split.findall(text)

    # ----------------------------------------------------------------- encoding
    def encode(self, text: str, allowed_special: str | set = "none_raise") -> list[int]:
        """The ids of ``text``.

        ``allowed_special``: ``"all"`` encodes registered special tokens as their ids,
        ``"none"`` encodes them as ordinary text, ``"none_raise"`` (default) raises when the
        text contains one, or a set of the special tokens to allow (tiktoken's convention).
        """
        special = self._allowed_special(text, allowed_special)
        if not special:
            return self._encode_ordinary(text)
        ids: list[int] = []
        pieces = re.split("(" + "|".join(re.escape(s) for s in special) + ")", text)
        for i, piece in enumerate(pieces):
            if i % 2:  # the separators of re.split with a group: the special tokens
                ids.append(self.special_tokens[piece])
            else:
                ids.extend(self._encode_ordinary(piece))
        return ids

    def _allowed_special(self, text: str, allowed: str | set) -> list[str]:
        if allowed == "all":
            return sorted(self.special_tokens, key=len, reverse=True)
        if allowed == "none":
            return []
        if allowed == "none_raise":
            if self._special_re is not None and self._special_re.search(text):
                found = self._special_re.search(text).group(0)
                raise ValueError(
                    f"BPETokenizer.encode: the text contains the special token {found!r}; "
                    "pass allowed_special='all' (or 'none' to encode it as plain text)"
                )
            return []
        if isinstance(allowed, (set, frozenset)):
            unknown = set(allowed) - set(self.special_tokens)
            if unknown:
                raise ValueError(f"BPETokenizer.encode: unknown special tokens {sorted(unknown)}")
            return sorted(allowed, key=len, reverse=True)
        raise ValueError(
            "BPETokenizer.encode: allowed_special must be 'all', 'none', 'none_raise' or a set, "
            f"got {allowed!r}"
        )

    def _encode_ordinary(self, text: str) -> list[int]:
        ids: list[int] = []
        cache = self._chunk_cache
        for chunk in self._chunks(text):
            if chunk not in cache:
                cache[chunk] = _apply_merges(list(chunk.encode("utf-8")), self.merges)
            ids.extend(cache[chunk])
        return ids

    def decode(self, ids: Iterable[int]) -> str:
        """The text of ``ids``; bytes that are not valid UTF-8 become U+FFFD."""
        try:
            data = b"".join(self.vocab[int(i)] for i in ids)
        except KeyError as e:
            raise ValueError(
                f"BPETokenizer.decode: unknown id {e.args[0]} (vocab_size {self.vocab_size})"
            ) from None
        return data.decode("utf-8", errors="replace")

    # ----------------------------------------------------------------- files
    def to_dict(self) -> dict[str, Any]:
        """The tokenizer as JSON-serialisable data: pattern, merges in order, special tokens."""
        return {
            "type": "BPETokenizer",
            "pattern": self.pattern,
            "merges": [list(pair) for pair in self.merges],
            "special_tokens": dict(self.special_tokens),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BPETokenizer:
        """The tokenizer that ``to_dict`` described."""
        check_type(data, cls)
        tok = cls(pattern=data["pattern"])
        tok.merges = {(int(a), int(b)): 256 + i for i, (a, b) in enumerate(data["merges"])}
        for (a, b), t in tok.merges.items():
            if not (0 <= a < t and 0 <= b < t):
                raise ValueError(f"BPETokenizer.from_dict: merge {t} = ({a}, {b}) is out of order")
        tok.special_tokens = {str(s): int(t) for s, t in data.get("special_tokens", {}).items()}
        tok._build_vocab()
        return tok

    def __repr__(self) -> str:
        return f"BPETokenizer(vocab_size={self.vocab_size}, merges={len(self.merges)})"


def _learn_merges(chunks: Counter, n_merges: int) -> list[tuple[int, int]]:
    """The ``n_merges`` most frequent pairs, merged one after the other (see the module doc).

    ``chunks`` maps each distinct chunk to its count. All chunks' bytes sit in one array
    ``seq`` with links ``nxt``/``prv`` (-1 at a chunk's ends); a merged-away position is -1.
    """
    seq: list[int] = []
    weight: list[int] = []
    for chunk, count in chunks.items():
        data = chunk.encode("utf-8")
        seq.extend(data)
        weight.extend([count] * len(data))
    n = len(seq)
    nxt = [i + 1 for i in range(n)]
    prv = [i - 1 for i in range(n)]
    end = 0
    for chunk in chunks:
        start, end = end, end + len(chunk.encode("utf-8"))
        if end > start:
            prv[start], nxt[end - 1] = -1, -1
    counts: dict[tuple[int, int], int] = defaultdict(int)
    where: dict[tuple[int, int], set[int]] = defaultdict(set)
    for i in range(n):
        if nxt[i] != -1:
            pair = (seq[i], seq[i + 1])
            counts[pair] += weight[i]
            where[pair].add(i)
    heap = [(-c, pair) for pair, c in counts.items()]
    heapq.heapify(heap)
    merges: list[tuple[int, int]] = []
    while len(merges) < n_merges and heap:
        neg, pair = heapq.heappop(heap)
        if counts.get(pair, 0) != -neg or neg == 0:
            continue  # a stale entry: the pair's count changed after it was pushed
        new_id = 256 + len(merges)
        changed = _merge_everywhere(pair, new_id, seq, nxt, prv, weight, counts, where)
        merges.append(pair)
        for p in changed:
            if counts.get(p, 0) > 0:
                heapq.heappush(heap, (-counts[p], p))
    return merges


def _merge_everywhere(pair, new_id, seq, nxt, prv, weight, counts, where) -> set:
    """Replace every occurrence of ``pair`` (left to right) by ``new_id``, updating the
    counts and positions of the pairs next to each; returns the pairs whose count changed."""
    a, b = pair
    changed = set()

    def add(p: tuple[int, int], i: int, w: int) -> None:
        counts[p] += w
        where[p].add(i)
        changed.add(p)

    def remove(p: tuple[int, int], i: int, w: int) -> None:
        counts[p] -= w
        where[p].discard(i)
        changed.add(p)

    for i in sorted(where.pop(pair)):
        j = nxt[i]
        if seq[i] != a or j == -1 or seq[j] != b:
            continue  # merged away by an overlapping occurrence (a run like "aaa")
        w, p, q = weight[i], prv[i], nxt[j]
        if p != -1:
            remove((seq[p], a), p, w)
        if q != -1:
            remove((b, seq[q]), j, w)
        seq[i], seq[j], nxt[i] = new_id, -1, q
        if q != -1:
            prv[q] = i
            add((new_id, seq[q]), i, w)
        if p != -1:
            add((seq[p], new_id), p, w)
    del counts[pair]
    changed.discard(pair)
    return changed


def _apply_merges(ids: list[int], merges: dict[tuple[int, int], int]) -> list[int]:
    """Encode one chunk: apply the merges in the order they were learned, each left to right.

    A heap holds (new id, position) of every mergeable pair, so a chunk of n bytes costs
    O(n log n) however many merges there are (a 1 MB text without pre-split included):
    a merge creates only pairs with larger ids, so popping the smallest id is the training
    order. Positions are linked as in training; entries made stale by a merge are skipped.
    """
    n = len(ids)
    seq, nxt, prv = list(ids), list(range(1, n + 1)), list(range(-1, n - 1))
    if n:
        nxt[-1] = -1
    heap = [(merges[p], i) for i, p in enumerate(zip(ids, ids[1:])) if p in merges]
    heapq.heapify(heap)
    while heap:
        t, i = heapq.heappop(heap)
        j = nxt[i]
        if seq[i] == -1 or j == -1 or merges.get((seq[i], seq[j])) != t:
            continue
        q, p = nxt[j], prv[i]
        seq[i], seq[j], nxt[i] = t, -1, q
        if q != -1:
            prv[q] = i
            if (t, seq[q]) in merges:
                heapq.heappush(heap, (merges[t, seq[q]], i))
        if p != -1 and (seq[p], t) in merges:
            heapq.heappush(heap, (merges[seq[p], t], p))
    return [t for t in seq if t != -1]
