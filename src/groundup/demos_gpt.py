"""``groundup demo --model gpt``: a small GPT trained on Tiny Shakespeare, then sampled.

The text is split 90/10 into training and validation characters; a character-level or
byte-level BPE tokenizer (trained on the training part only) turns each split into ids;
:func:`groundup.models.gpt_train.train_gpt` runs nanoGPT's recipe. The validation loss is
also given in bits per character, loss * n_tokens / n_chars / ln 2, so that models with
different tokenizers compare. ``examples/gpt_shakespeare.py`` is its command line.
"""

from __future__ import annotations

import math
import os
import time
from typing import Any

__all__ = ["gpt_demo", "make_tokenizer", "bits_per_char"]


def make_tokenizer(kind: str, text: str, vocab_size: int | None, pattern: str | None) -> Any:
    """A ``CharTokenizer`` (``kind="char"``) or ``BPETokenizer`` trained on ``text``."""
    from groundup.text import BPETokenizer, CharTokenizer

    if kind == "char":
        return CharTokenizer().train(text)
    if kind == "bpe":
        return BPETokenizer(pattern=pattern).train(text, vocab_size or 1024)
    raise ValueError(f"gpt_demo: tokenizer must be 'char' or 'bpe', got {kind!r}")


def tokenizer_from_dict(data: dict) -> Any:
    """The tokenizer saved by ``to_dict`` (as a checkpoint's metadata holds it)."""
    from groundup.text import BPETokenizer, CharTokenizer

    cls = {"CharTokenizer": CharTokenizer, "BPETokenizer": BPETokenizer}.get(data.get("type"))
    if cls is None:
        raise ValueError(f"gpt_demo: unknown tokenizer type {data.get('type')!r}")
    return cls.from_dict(data)


def bits_per_char(loss_nats: float, n_tokens: int, n_chars: int) -> float:
    """Cross-entropy per token (nats) as bits per character of the text those tokens encode.

    Examples
    --------
    >>> round(bits_per_char(math.log(2), 10, 10), 6)
    1.0
    """
    return loss_nats * n_tokens / n_chars / math.log(2)


def gpt_demo(
    tokenizer: str = "char",
    vocab_size: int | None = None,
    pattern: str | None = "gpt4",
    max_iters: int = 2000,
    model_args: dict | None = None,
    train_args: dict | None = None,
    checkpoint: str | None = None,
    resume: bool = False,
    sample_tokens: int = 300,
    prompt: str = "\n",
    temperature: float = 0.8,
    top_k: int | None = 200,
    seed: int = 1337,
    root: str | None = None,
    text: str | None = None,
    progress: bool = True,
) -> dict[str, Any]:
    """Train a GPT on Tiny Shakespeare (or ``text``) and print losses and a sample.

    Parameters
    ----------
    tokenizer : {"char", "bpe"}, default="char"
    vocab_size : int, optional
        BPE vocabulary size (default 1024).
    pattern : {"gpt2", "gpt4", None}, default="gpt4"
        The BPE pre-split pattern (None: no split).
    max_iters : int, default=2000
    model_args : dict, optional
        ``GPTConfig`` fields (vocab_size comes from the tokenizer).
    train_args : dict, optional
        ``TrainConfig`` fields (``max_iters`` and ``checkpoint`` come from the arguments).
    checkpoint : str, optional
        Path of the safetensors checkpoint (saved during training; read with ``resume``).
    resume : bool, default=False
        Continue the run saved in ``checkpoint``, with its tokenizer and model shape.
    sample_tokens, prompt, temperature, top_k
        The text generated at the end.
    seed : int, default=1337
    root, text
        Where Tiny Shakespeare is (see ``load_shakespeare``), or a text to use instead.
    progress : bool, default=True

    Returns
    -------
    dict
        ``history`` (see ``train_gpt``), ``val_loss`` (the last estimate), ``full_val_loss``
        (over the whole validation split, nats per token), ``val_bpc`` (the same in bits per
        character),
        ``sample``, ``time`` (seconds), ``model`` and ``tokenizer``.
    """
    import groundup as gu
    from groundup.backend import get_xp
    from groundup.models import GPT, GPTConfig
    from groundup.models.gpt_train import TrainConfig, split_loss, train_gpt

    started = time.perf_counter()
    if text is None:
        text = gu.data.load_shakespeare(root=root)
    n = int(0.9 * len(text))
    parts = {"train": text[:n], "val": text[n:]}
    gu.manual_seed(seed)
    saved = _saved_extra(checkpoint) if resume else None
    if saved is not None:
        tok, model_args = tokenizer_from_dict(saved["tokenizer"]), saved["model_config"]
    else:  # characters from the whole text (as nanoGPT); BPE merges from the training part
        tok = make_tokenizer(
            tokenizer, text if tokenizer == "char" else parts["train"], vocab_size, pattern
        )
    xp = get_xp("cpu")
    ids = {k: xp.asarray(tok.encode(v), dtype=xp.int64) for k, v in parts.items()}
    config = GPTConfig(**{**(model_args or {}), "vocab_size": tok.vocab_size})
    model = GPT(config)
    print(
        f"{type(tok).__name__}: vocabulary {tok.vocab_size}, {len(ids['train']):,} training and "
        f"{len(ids['val']):,} validation tokens; GPT {model.num_parameters() / 1e6:.2f}M "
        "parameters"
    )
    tcfg = TrainConfig(**{**(train_args or {}), "max_iters": max_iters, "checkpoint": checkpoint})
    extra = {"tokenizer": tok.to_dict(), "model_config": model.config_dict()}
    history = train_gpt(
        model, ids["train"], ids["val"], tcfg, resume=resume, progress=progress, extra=extra
    )
    val = history["val_loss"][-1]
    full_val = split_loss(model, ids["val"])
    bpc = bits_per_char(full_val, len(ids["val"]), len(parts["val"]))
    per_iter = 1000 * history["time"] / max(1, history["iters_run"])
    print(
        f"validation loss {val:.4f} ({tcfg.eval_iters} random batches); on the whole validation "
        f"split {full_val:.4f} nats per token, {bpc:.3f} bits per character"
    )
    print(f"training: {history['time']:.1f} s ({per_iter:.1f} ms per step)")
    start = gu.tensor([tok.encode(prompt)])
    out = model.generate(start, sample_tokens, temperature=temperature, top_k=top_k)
    sample = tok.decode(out[0].tolist())
    print("--- sample ---\n" + sample + "\n--------------")
    print(f"wall time: {time.perf_counter() - started:.1f} s")
    return {
        "history": history,
        "val_loss": val,
        "full_val_loss": full_val,
        "val_bpc": bpc,
        "sample": sample,
        "time": time.perf_counter() - started,
        "model": model,
        "tokenizer": tok,
    }


def _saved_extra(checkpoint: str | None) -> dict | None:
    """The tokenizer and model shape stored in ``checkpoint`` (None when it does not exist)."""
    from groundup.io import load_checkpoint

    if checkpoint is None or not os.path.exists(checkpoint):
        raise FileNotFoundError(f"gpt_demo: resume needs an existing checkpoint, got {checkpoint}")
    return load_checkpoint(checkpoint, rng=False)["extra"]
