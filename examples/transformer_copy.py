"""An encoder-decoder transformer that learns to reverse (or copy) random digit sequences.

The model: ``nn.Embedding`` + ``nn.PositionalEncoding``, a
``TransformerEncoder`` and a ``TransformerDecoder`` (post-norm, batch_first) and a ``Linear``
head over the 10 digits. Training uses teacher forcing: the decoder reads ``[BOS, y_0 ..
y_{n-2}]`` under a causal mask and predicts ``y_0 .. y_{n-1}``, with cross-entropy and Adam
(linear warm-up, then constant). Evaluation is greedy decoding on fresh sequences: the
decoder starts from BOS and feeds back its own argmax, one token at a time; the printed
token accuracy is the fraction of digits it gets right.

Run::

    python examples/transformer_copy.py [--task reverse|copy] [--steps 600] [--length 10]

Measured (2 busy shared cores, one BLAS thread): reverse of 10 digits, 600 steps of batch 64
in 22-26 s, token and sequence accuracy 100% by greedy decoding on 1,000 new sequences (the
loss falls below 0.01 by step 300); ``--task copy``: 99.8% of tokens, 98.9% of sequences.
"""

from __future__ import annotations

import argparse
import contextlib
import time
from collections.abc import Sequence

import numpy as np

import groundup as gu
from groundup import nn, optim
from groundup.nn import functional as F

DIGITS = 10
BOS = DIGITS  # the start token fed to the decoder; the output head predicts digits only


class Seq2SeqTransformer(nn.Module):
    """Embedding + sinusoidal positions -> encoder/decoder stacks -> a Linear over the digits."""

    def __init__(
        self, d_model: int, nhead: int, layers: int, dim_feedforward: int, dropout: float
    ) -> None:
        super().__init__()
        self.d_model = d_model
        self.embed = nn.Embedding(DIGITS + 1, d_model)
        self.pos = nn.PositionalEncoding(d_model, dropout=dropout, max_len=64, batch_first=True)
        kw = {"dim_feedforward": dim_feedforward, "dropout": dropout, "batch_first": True}
        self.encoder = nn.TransformerEncoder(
            nn.TransformerEncoderLayer(d_model, nhead, **kw), layers, nn.LayerNorm(d_model)
        )
        self.decoder = nn.TransformerDecoder(
            nn.TransformerDecoderLayer(d_model, nhead, **kw), layers, nn.LayerNorm(d_model)
        )
        self.head = nn.Linear(d_model, DIGITS)

    def _embed(self, tokens: gu.Tensor) -> gu.Tensor:
        # no sqrt(d_model) factor: nn.Embedding starts at N(0, 1), already the sinusoids' scale
        return self.pos(self.embed(tokens))

    def encode(self, src: gu.Tensor) -> gu.Tensor:
        return self.encoder(self._embed(src))

    def decode(self, tgt_in: gu.Tensor, memory: gu.Tensor) -> gu.Tensor:
        mask = nn.generate_square_subsequent_mask(tgt_in.shape[1])
        return self.head(self.decoder(self._embed(tgt_in), memory, tgt_mask=mask))

    def forward(self, src: gu.Tensor, tgt_in: gu.Tensor) -> gu.Tensor:
        return self.decode(tgt_in, self.encode(src))


def make_batch(rng: np.random.Generator, n: int, length: int, task: str) -> tuple:
    """(src, decoder input, target): random digits, and the target reversed or copied."""
    src = rng.integers(0, DIGITS, (n, length))
    tgt = src[:, ::-1].copy() if task == "reverse" else src.copy()
    tgt_in = np.concatenate([np.full((n, 1), BOS), tgt[:, :-1]], axis=1)
    return src, tgt_in, tgt


@gu.no_grad()
def greedy_decode(model: Seq2SeqTransformer, src: np.ndarray) -> np.ndarray:
    """Start from BOS and append the argmax digit, ``src.shape[1]`` times."""
    memory = model.encode(gu.tensor(src))
    out = np.full((len(src), 1), BOS)
    for _ in range(src.shape[1]):
        logits = model.decode(gu.tensor(out), memory)  # (N, t, DIGITS)
        nxt = logits.numpy()[:, -1].argmax(axis=-1)
        out = np.concatenate([out, nxt[:, None]], axis=1)
    return out[:, 1:]


def train(
    task: str = "reverse",
    steps: int = 600,
    length: int = 10,
    batch_size: int = 64,
    d_model: int = 64,
    nhead: int = 4,
    layers: int = 2,
    dim_feedforward: int = 128,
    dropout: float = 0.0,
    lr: float = 1e-3,
    warmup: int = 100,
    n_eval: int = 1000,
    seed: int = 0,
    log_every: int = 100,
) -> dict:
    """Train with teacher forcing, evaluate by greedy decoding; return the figures."""
    gu.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = Seq2SeqTransformer(d_model, nhead, layers, dim_feedforward, dropout)
    opt = optim.Adam(model.parameters(), lr=lr)
    start = time.perf_counter()
    losses = []
    model.train()
    for step in range(1, steps + 1):
        for group in opt.param_groups:  # linear warm-up, then constant
            group["lr"] = lr * min(1.0, step / warmup)
        src, tgt_in, tgt = make_batch(rng, batch_size, length, task)
        logits = model(gu.tensor(src), gu.tensor(tgt_in))
        loss = F.cross_entropy(logits.reshape(-1, DIGITS), gu.tensor(tgt.reshape(-1)))
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        losses.append(loss.item())
        if log_every and step % log_every == 0:
            print(
                f"step {step:5d}  loss {np.mean(losses[-log_every:]):.4f}  "
                f"{time.perf_counter() - start:6.1f} s"
            )
    train_time = time.perf_counter() - start
    model.eval()
    src, _, tgt = make_batch(np.random.default_rng(seed + 1), n_eval, length, task)
    pred = greedy_decode(model, src)
    return {
        "token_accuracy": float((pred == tgt).mean()),
        "sequence_accuracy": float((pred == tgt).all(axis=1).mean()),
        "final_loss": float(np.mean(losses[-20:])),
        "train_time": train_time,
        "steps": steps,
    }


def _blas_threads(n: int):
    """Limit BLAS to ``n`` threads when threadpoolctl is installed (else change nothing).

    The matrices here are small (64 x 64 weights); on a busy machine extra BLAS threads
    spin-wait for cores and made a step 10x slower in our runs.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(limits=n, user_api="blas")


def main(argv: Sequence[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", choices=["reverse", "copy"], default="reverse")
    parser.add_argument("--steps", type=int, default=600)
    parser.add_argument("--length", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--blas-threads",
        type=int,
        default=1,
        help="BLAS threads (needs threadpoolctl); small GEMMs run best on one",
    )
    args = parser.parse_args(argv)
    with _blas_threads(args.blas_threads):
        result = train(args.task, args.steps, args.length, args.batch_size, seed=args.seed)
    print(
        f"{args.task} of {args.length} digits: token accuracy {result['token_accuracy']:.4f}, "
        f"sequence accuracy {result['sequence_accuracy']:.4f} (greedy decoding, "
        f"1000 new sequences) after {result['steps']} steps in {result['train_time']:.1f} s"
    )
    return result


if __name__ == "__main__":
    main()
