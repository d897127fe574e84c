"""CharTokenizer: vocabulary, round trip, errors, JSON files."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from groundup.text import CharTokenizer


def test_char_tokenizer_ids_follow_sorted_characters():
    tok = CharTokenizer().train("First Citizen:\nBefore")
    assert tok.chars == sorted(set("First Citizen:\nBefore"))
    assert tok.encode("Fir") == [tok.chars.index(c) for c in "Fir"]
    assert tok.vocab_size == len(set("First Citizen:\nBefore"))


@given(st.text(min_size=1))
def test_char_tokenizer_round_trips_any_text(text):
    tok = CharTokenizer().train(text)
    ids = tok.encode(text)
    assert len(ids) == len(text)
    assert tok.decode(ids) == text


def test_char_tokenizer_rejects_unknown_characters_and_ids():
    tok = CharTokenizer().train("abc")
    with pytest.raises(ValueError, match=r"not in the vocabulary: \['z'\]"):
        tok.encode("abz")
    with pytest.raises(ValueError, match=r"ids must be in \[0, 3\), got 7"):
        tok.decode([0, 7])
    with pytest.raises(ValueError, match="more than vocab_size=2"):
        CharTokenizer().train("abc", vocab_size=2)


def test_char_tokenizer_save_load_json(tmp_path):
    tok = CharTokenizer().train("héllo wörld")
    path = tmp_path / "tok.json"
    tok.save(path)
    assert path.read_text(encoding="utf-8").startswith('{"type": "CharTokenizer"')
    again = CharTokenizer.load(path)
    assert again.chars == tok.chars
    assert again.encode("wörld") == tok.encode("wörld")
