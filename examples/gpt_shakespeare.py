"""A GPT on Tiny Shakespeare: nanoGPT's character-level CPU recipe on groundup, or BPE tokens.

The text (``groundup.data.load_shakespeare``) is split 90/10 into training and validation
characters. ``--tokenizer char`` gives each character an id; ``--tokenizer bpe`` trains a
byte-level BPE tokenizer of ``--vocab-size`` tokens on the training part. A GPT
(``groundup.models.GPT``: 4 layers, 4 heads, width 128, context 64 by default) trains for
``--max-iters`` steps of 12 random windows with AdamW (weight decay 0.1 on the matrices),
a learning rate warming up for 100 steps then decaying by a cosine from 1e-3 to 1e-4, and
gradients clipped at norm 1. The train/validation losses are printed every
``--eval-interval`` steps (also in bits per character at the end), the checkpoint is saved
to ``--checkpoint`` (safetensors), and a sample is generated with the key/value cache.

Run::

    GROUNDUP_DATA=/path/to/datasets python examples/gpt_shakespeare.py [--tokenizer bpe]
    python examples/gpt_shakespeare.py --resume --max-iters 3000   # continue a run

nanoGPT reports a validation loss of about 1.88 for the character-level recipe.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tokenizer", choices=["char", "bpe"], default="char")
    p.add_argument("--vocab-size", type=int, default=1024, help="BPE vocabulary size (1024)")
    p.add_argument(
        "--pattern",
        choices=["gpt2", "gpt4", "none"],
        default="gpt4",
        help="BPE pre-split regex (gpt4; none: no split)",
    )
    p.add_argument("--max-iters", type=int, default=2000, help="training steps (2000)")
    p.add_argument("--batch-size", type=int, default=12)
    p.add_argument("--block-size", type=int, default=64, help="context length (64)")
    p.add_argument("--n-layer", type=int, default=4)
    p.add_argument("--n-head", type=int, default=4)
    p.add_argument("--n-embd", type=int, default=128)
    p.add_argument("--dropout", type=float, default=0.0)
    p.add_argument("--lr", type=float, default=1e-3, help="peak learning rate (1e-3)")
    p.add_argument("--min-lr", type=float, default=1e-4, help="final learning rate (1e-4)")
    p.add_argument("--warmup-iters", type=int, default=100)
    p.add_argument("--lr-decay-iters", type=int, default=None, help="default: --max-iters")
    p.add_argument("--eval-interval", type=int, default=250)
    p.add_argument("--eval-iters", type=int, default=20)
    p.add_argument("--checkpoint", default="gpt_shakespeare.safetensors")
    p.add_argument("--resume", action="store_true", help="continue from --checkpoint")
    p.add_argument("--sample", type=int, default=300, help="tokens to generate at the end")
    p.add_argument("--prompt", default="\n")
    p.add_argument("--temperature", type=float, default=0.8)
    p.add_argument("--top-k", type=int, default=200)
    p.add_argument("--seed", type=int, default=1337)
    p.add_argument("--root", default=None, help="dataset folder (default $GROUNDUP_DATA/...)")
    p.add_argument("--no-progress", action="store_true")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None, text: str | None = None) -> dict:
    """Parse ``argv``, train, sample; ``text`` replaces Tiny Shakespeare (for tests)."""
    from groundup.demos_gpt import gpt_demo

    args = parse_args(argv)
    model_args = dict(
        block_size=args.block_size,
        n_layer=args.n_layer,
        n_head=args.n_head,
        n_embd=args.n_embd,
        dropout=args.dropout,
    )
    train_args = dict(
        batch_size=args.batch_size,
        learning_rate=args.lr,
        min_lr=args.min_lr,
        warmup_iters=args.warmup_iters,
        lr_decay_iters=args.lr_decay_iters or args.max_iters,
        eval_interval=args.eval_interval,
        eval_iters=args.eval_iters,
    )
    return gpt_demo(
        tokenizer=args.tokenizer,
        vocab_size=args.vocab_size,
        pattern=None if args.pattern == "none" else args.pattern,
        max_iters=args.max_iters,
        model_args=model_args,
        train_args=train_args,
        checkpoint=args.checkpoint,
        resume=args.resume,
        sample_tokens=args.sample,
        prompt=args.prompt,
        temperature=args.temperature,
        top_k=args.top_k,
        seed=args.seed,
        root=args.root,
        text=text,
        progress=not args.no_progress,
    )


if __name__ == "__main__":
    main()
