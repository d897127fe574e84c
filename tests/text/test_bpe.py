"""BPETokenizer: the incremental training equals a recount-every-merge reference, encoding
equals minbpe's rule, round trips on arbitrary Unicode (Hypothesis), special tokens, files."""

from __future__ import annotations

import os
import time
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from groundup.text import BPETokenizer
from groundup.text._pretokenize import GPT2_SPLIT_PATTERN, GPT4_SPLIT_PATTERN, compile_pattern

TEXT = (
    "First Citizen:\nBefore we proceed any further, hear me speak.\n\n"
    "All:\nSpeak, speak.\n\nFirst Citizen:\nYou are all resolved rather to die than to "
    "famish?\n\nAll:\nResolved. resolved.\n\nFirst Citizen:\nFirst, you know Caius Marcius "
    "is chief enemy to the people. aaaa bbbbbb 12345 ünïcödé 日本語のテキスト 🙂🙂🙂\n"
)


def naive_merges(text: str, pattern: str | None, n_merges: int) -> list[tuple[int, int]]:
    """The textbook algorithm: recount every pair after each merge; ties to the smallest pair."""
    chunks = [text] if pattern is None else compile_pattern(pattern).findall(text)
    seqs = [list(c.encode("utf-8")) for c in chunks]
    merges = []
    for k in range(n_merges):
        stats = Counter(p for s in seqs for p in zip(s, s[1:]))
        if not stats:
            break
        pair = min(stats, key=lambda p: (-stats[p], p))
        merges.append(pair)
        seqs = [merge_left_to_right(s, pair, 256 + k) for s in seqs]
    return merges


def merge_left_to_right(ids, pair, new_id):
    out, i = [], 0
    while i < len(ids):
        if i + 1 < len(ids) and (ids[i], ids[i + 1]) == pair:
            out.append(new_id)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out


def naive_encode(text: str, tok: BPETokenizer) -> list[int]:
    """minbpe's encoding: merge the earliest-learned pair present, everywhere, repeat."""
    chunks = [text] if tok.pattern is None else compile_pattern(tok.pattern).findall(text)
    out = []
    for chunk in chunks:
        ids = list(chunk.encode("utf-8"))
        while len(ids) >= 2:
            pair = min(zip(ids, ids[1:]), key=lambda p: tok.merges.get(p, float("inf")))
            if pair not in tok.merges:
                break
            ids = merge_left_to_right(ids, pair, tok.merges[pair])
        out += ids
    return out


@pytest.mark.parametrize("pattern", ["gpt4", "gpt2", None])
def test_bpe_training_equals_recounting_reference(pattern):
    tok = BPETokenizer(pattern=pattern).train(TEXT, vocab_size=256 + 60)
    resolved = {"gpt4": GPT4_SPLIT_PATTERN, "gpt2": GPT2_SPLIT_PATTERN}.get(pattern)
    assert list(tok.merges) == naive_merges(TEXT, resolved, 60)
    assert tok.encode(TEXT) == naive_encode(TEXT, tok)


def test_bpe_runs_of_one_byte_merge_left_to_right():
    tok = BPETokenizer(pattern=None).train("aaaaaa", vocab_size=258)
    assert tok.merges == {(97, 97): 256, (256, 256): 257}
    assert tok.encode("aaaaaa") == [257, 256]
    assert tok.encode("aaaaa") == [257, 97]
    assert tok.encode("aaa") == [256, 97]


def test_bpe_stops_when_nothing_is_left_to_merge():
    tok = BPETokenizer().train("ab ab", vocab_size=1000)
    assert tok.vocab_size < 1000
    assert all(len(tok.encode(w)) == 1 for w in ("ab", " ab"))


@settings(max_examples=60, deadline=None)
@given(text=st.text())
def test_bpe_round_trips_arbitrary_unicode(trained, text):
    for tok in trained:
        assert tok.decode(tok.encode(text)) == text


@pytest.fixture(scope="module")
def trained():
    tokens = [BPETokenizer(pattern=p).train(TEXT, 320) for p in ("gpt4", "gpt2", None)]
    fallback = BPETokenizer(pattern=None)
    fallback.pattern = GPT4_SPLIT_PATTERN  # the re approximation used without `regex`
    fallback._split = compile_pattern(GPT4_SPLIT_PATTERN, use_regex=False)
    return [*tokens, fallback.train(TEXT, 320)]


@pytest.mark.parametrize("pattern", [GPT2_SPLIT_PATTERN, GPT4_SPLIT_PATTERN])
def test_re_fallback_splits_ascii_like_regex(pattern):
    text = "Hello world's 12345 numbers!!  \n\n  tabs\there... don't I'LL"
    assert compile_pattern(pattern, use_regex=False).findall(text) == compile_pattern(
        pattern
    ).findall(text)


def test_gpt4_pattern_splits_digits_in_threes_and_keeps_newlines_apart():
    chunks = compile_pattern(GPT4_SPLIT_PATTERN).findall("Year 12345!\n\nNext")
    assert chunks == ["Year", " ", "123", "45", "!\n\n", "Next"]


def test_bpe_special_tokens():
    tok = BPETokenizer().train(TEXT, 300)
    tok.register_special_tokens({"<|endoftext|>": 300})
    text = "hear me<|endoftext|>speak"
    ids = tok.encode(text, allowed_special="all")
    assert 300 in ids
    assert tok.decode(ids) == text
    assert 300 not in tok.encode(text, allowed_special="none")
    with pytest.raises(ValueError, match="contains the special token '<|endoftext|>'"):
        tok.encode(text)
    with pytest.raises(ValueError, match="already used"):
        tok.register_special_tokens({"<|pad|>": 256})


def test_bpe_save_load_json(tmp_path):
    tok = BPETokenizer(pattern="gpt2").train(TEXT, 300)
    tok.register_special_tokens({"<|endoftext|>": 300})
    path = tmp_path / "bpe.json"
    tok.save(path)
    again = BPETokenizer.load(path)
    assert again.merges == tok.merges and again.special_tokens == tok.special_tokens
    assert again.encode(TEXT) == tok.encode(TEXT)
    with pytest.raises(ValueError, match="not a BPETokenizer"):
        BPETokenizer.from_dict({"type": "CharTokenizer"})


def test_bpe_decode_errors_and_invalid_utf8():
    tok = BPETokenizer().train(TEXT, 280)
    with pytest.raises(ValueError, match="unknown id 5000"):
        tok.decode([5000])
    assert tok.decode([0xE6]) == "\ufffd"  # half a character: replaced, not an exception


@pytest.mark.skipif(not os.environ.get("GROUNDUP_DATA"), reason="needs GROUNDUP_DATA")
def test_bpe_trains_1024_tokens_on_tiny_shakespeare_in_seconds():
    from groundup.data import load_shakespeare

    text = load_shakespeare()
    start = time.perf_counter()
    tok = BPETokenizer().train(text, 1024)
    assert time.perf_counter() - start < 20  # about 2 s alone; 2 shared cores are slower
    ids = tok.encode(text[:100_000])
    assert tok.decode(ids) == text[:100_000]
    assert 2.3 < 100_000 / len(ids) < 3.0  # measured 2.6 characters per token
