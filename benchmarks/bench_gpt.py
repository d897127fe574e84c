"""GPT benchmark: groundup vs PyTorch on nanoGPT's character-level CPU configuration.

(a) one training iteration (forward, backward, gradient clipping, AdamW step) of the same
    GPT (4 layers, 4 heads, width 128, context 64, vocabulary 65, no biases) from the same
    weights on the same batch of 12 windows; ms per iteration and the ratio (target <= 1.5);
(b) generation speed, tokens/s, batch 1, 63 new tokens after a 1-token prompt (the whole
    context): groundup with and without its key/value cache, and PyTorch without a cache
    (nanoGPT's ``generate`` recomputes the context for each token);
(c) BPE: training a 1,024-token byte-level vocabulary (GPT-4 split pattern) on Tiny
    Shakespeare, and encoding the whole text with it (needs ``GROUNDUP_DATA``).

``--recipe`` instead runs the whole character-level recipe (2,000 steps) in both libraries
side by side: same initial weights, same batches (drawn from groundup's generator in the
same order), same schedule; it prints each one's wall time, ms per step, the last
validation estimate (20 random batches) and the loss on the whole validation split.

Run: ``python benchmarks/bench_gpt.py [--repeats 20] [--threads 1] [--recipe]``; record it in
benchmarks/RESULTS.md. ``--threads 1`` (the default) keeps two BLAS thread pools from
spin-waiting against each other on a loaded 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch

import groundup as gu
from groundup.models import GPT, GPTConfig
from groundup.models.gpt_train import TrainConfig, configure_optimizer

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "models"))
from bench_attention import time_pair  # noqa: E402
from torch_gpt import param_groups_decay, torch_twin  # noqa: E402

B, T = 12, 64


def training_steps(model: GPT, ref: torch.nn.Module, x: np.ndarray, y: np.ndarray) -> tuple:
    """One recipe step in each library (the learning rate stays fixed here)."""
    cfg = TrainConfig()
    opt = configure_optimizer(model, cfg)
    ref_opt = torch.optim.AdamW(
        param_groups_decay(ref.named_parameters(), cfg.weight_decay), lr=1e-3, betas=(0.9, 0.99)
    )

    def run_gu() -> None:
        _, loss = model(gu.tensor(x), gu.tensor(y))
        opt.zero_grad()
        loss.backward()
        gu.nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_clip)
        opt.step()

    def run_torch() -> None:
        _, loss = ref(torch.tensor(x), torch.tensor(y))
        ref_opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(ref.parameters(), cfg.grad_clip)
        ref_opt.step()

    return run_gu, run_torch


def torch_generate(ref: torch.nn.Module, idx: torch.Tensor, n: int) -> torch.Tensor:
    """nanoGPT's sampling loop: the whole (cropped) context each token, top-k 200, T=0.8."""
    with torch.no_grad():
        for _ in range(n):
            logits, _ = ref(idx[:, -T:])
            logits = logits[:, -1, :] / 0.8
            v, _ = torch.topk(logits, min(200, logits.size(-1)))
            logits[logits < v[:, [-1]]] = -float("inf")
            nxt = torch.multinomial(torch.softmax(logits, dim=-1), 1)
            idx = torch.cat((idx, nxt), dim=1)
    return idx


def tokens_per_second(fn, n_tokens: int, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return n_tokens / float(np.median(times))


def bench_bpe() -> tuple[float, float, int] | None:
    if not os.environ.get("GROUNDUP_DATA"):
        return None
    from groundup.text import BPETokenizer

    text = gu.data.load_shakespeare()
    start = time.perf_counter()
    tok = BPETokenizer(pattern="gpt4").train(text, 1024)
    t_train = time.perf_counter() - start
    start = time.perf_counter()
    ids = tok.encode(text)
    return t_train, time.perf_counter() - start, len(ids)


def torch_recipe(ref: torch.nn.Module, ids: dict, cfg: TrainConfig) -> dict:
    """``train_gpt``'s loop in PyTorch, drawing the same batches in the same order."""
    from groundup.models.gpt_train import WarmupCosine, get_batch

    opt = torch.optim.AdamW(
        param_groups_decay(ref.named_parameters(), cfg.weight_decay),
        lr=cfg.learning_rate,
        betas=(cfg.beta1, cfg.beta2),
    )
    ratio = cfg.min_lr / cfg.learning_rate
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, WarmupCosine(cfg.warmup_iters, cfg.lr_decay_iters, ratio)
    )

    def estimate() -> float:
        ref.eval()
        with torch.no_grad():
            out = {}
            for name in ("train", "val"):
                batches = [get_batch(ids[name], T, cfg.batch_size) for _ in range(cfg.eval_iters)]
                out[name] = np.mean([ref(*map(torch.tensor, b))[1].item() for b in batches])
        ref.train()
        return out["val"]

    start, val = time.perf_counter(), None
    for it in range(cfg.max_iters):
        if it % cfg.eval_interval == 0:
            val = estimate()
        x, y = get_batch(ids["train"], T, cfg.batch_size)
        _, loss = ref(torch.tensor(x), torch.tensor(y))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(ref.parameters(), cfg.grad_clip)
        opt.step()
        sched.step()
    val = estimate()
    return {"val_loss": val, "time": time.perf_counter() - start}


def torch_split_loss(ref: torch.nn.Module, data: np.ndarray) -> float:
    """``split_loss`` in PyTorch: mean loss over consecutive windows of the whole split."""
    n = (len(data) - 1) // T
    x = torch.tensor(data[: n * T].reshape(n, T))
    y = torch.tensor(data[1 : n * T + 1].reshape(n, T))
    total = 0.0
    with torch.no_grad():
        for i in range(0, n, 64):
            total += ref(x[i : i + 64], y[i : i + 64])[1].item() * len(x[i : i + 64])
    return total / n


def recipe(max_iters: int = 2000, seed: int = 1337) -> None:
    """The character-level recipe in groundup and PyTorch, side by side (see the docstring)."""
    from groundup.models.gpt_train import split_loss, train_gpt
    from groundup.text import CharTokenizer

    text = gu.data.load_shakespeare()
    tok = CharTokenizer().train(text)
    n = int(0.9 * len(text))
    ids = {"train": np.array(tok.encode(text[:n])), "val": np.array(tok.encode(text[n:]))}
    gu.manual_seed(seed)
    model = GPT(GPTConfig())
    ref = torch_twin(model)
    cfg = TrainConfig(max_iters=max_iters)
    gu.manual_seed(seed)
    hist = train_gpt(model, ids["train"], ids["val"], cfg, progress=False, log=lambda s: None)
    gu.manual_seed(seed)
    ref_hist = torch_recipe(ref, ids, cfg)
    rows = [
        ("groundup", hist["time"], hist["val_loss"][-1], split_loss(model, ids["val"])),
        (
            "PyTorch",
            ref_hist["time"],
            ref_hist["val_loss"],
            torch_split_loss(ref.eval(), ids["val"]),
        ),
    ]
    print(
        f"{'library':10s} {'wall':>8s} {'ms/step':>8s} {'val (20 batches)':>17s} "
        f"{'val (split)':>12s}"
    )
    for name, wall, val, full in rows:
        print(f"{name:10s} {wall:7.1f}s {1e3 * wall / cfg.max_iters:8.1f} {val:17.4f} {full:12.4f}")
    print(f"ratio groundup / PyTorch (wall): {rows[0][1] / rows[1][1]:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--threads", type=int, default=1, help="BLAS/torch threads (1)")
    parser.add_argument("--recipe", action="store_true", help="run the whole recipe in both")
    parser.add_argument("--iters", type=int, default=2000, help="--recipe's steps (2000)")
    args = parser.parse_args()
    if args.threads:
        from threadpoolctl import threadpool_limits

        torch.set_num_threads(args.threads)
        threadpool_limits(limits=args.threads, user_api="blas")
    if args.recipe:
        recipe(args.iters)
        return
    gu.manual_seed(0)
    model = GPT(GPTConfig())
    ref = torch_twin(model)
    rng = np.random.default_rng(0)
    x, y = rng.integers(0, 65, (B, T)), rng.integers(0, 65, (B, T))
    np.testing.assert_allclose(
        model(gu.tensor(x))[0].numpy(), ref(torch.tensor(x))[0].detach().numpy(), atol=1e-4
    )
    t_gu, t_torch = time_pair(*training_steps(model, ref, x, y), args.repeats)

    n_new, prompt = T - 1, np.zeros((1, 1), dtype=np.int64)
    reps = max(3, args.repeats // 4)
    speeds = {
        "groundup, KV cache": tokens_per_second(
            lambda: model.generate(gu.tensor(prompt), n_new, 0.8, 200), n_new, reps
        ),
        "groundup, no cache": tokens_per_second(
            lambda: model.generate(gu.tensor(prompt), n_new, 0.8, 200, use_cache=False),
            n_new,
            reps,
        ),
        "PyTorch, no cache (nanoGPT)": tokens_per_second(
            lambda: torch_generate(ref.eval(), torch.tensor(prompt), n_new), n_new, reps
        ),
    }
    bpe = bench_bpe()

    print(
        f"cores: {os.cpu_count()}  torch {torch.__version__} (threads {torch.get_num_threads()})"
        f"  numpy {np.__version__};  GPT 4 layers, 4 heads, n_embd 128, block 64, batch 12"
    )
    print(f"{'benchmark':44s} {'groundup':>11s} {'pytorch':>11s} {'ratio':>6s} {'target':>6s}")
    print(
        f"{'(a) training iteration (fwd+bwd+clip+AdamW)':44s} {t_gu * 1e3:8.2f} ms "
        f"{t_torch * 1e3:8.2f} ms {t_gu / t_torch:6.2f} {1.5:6.2f}"
    )
    for name, speed in speeds.items():
        print(f"(b) generation, {name:28s} {speed:9.0f} tokens/s")
    if bpe is not None:
        t_train, t_encode, n_ids = bpe
        print(f"(c) BPE train, 1,024 tokens, Tiny Shakespeare: {t_train:.2f} s")
        print(f"(c) BPE encode, 1,115,394 characters: {t_encode:.2f} s -> {n_ids:,} tokens")


if __name__ == "__main__":
    main()
