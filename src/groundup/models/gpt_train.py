"""Training a GPT on a stream of token ids: nanoGPT's recipe on groundup's optimizers.

Random windows of ``block_size`` tokens make each batch; AdamW decays only the 2-D weights
(matrices and embeddings, not biases or LayerNorm gains); the learning rate warms up
linearly, then follows a cosine down to ``min_lr`` (a ``LambdaLR`` schedule); the gradient's
norm is clipped; every ``eval_interval`` steps the mean loss on ``eval_iters`` random batches
of each split is measured. A checkpoint (safetensors: model, optimizer, schedule, step,
history and the random generator) lets a run resume exactly where it stopped.

Shared by ``examples/gpt_shakespeare.py`` and ``groundup demo --model gpt``.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from groundup.autograd import no_grad
from groundup.backend import get_xp
from groundup.creation import tensor
from groundup.io import load_checkpoint, save_checkpoint
from groundup.nn.utils import clip_grad_norm_
from groundup.optim import AdamW
from groundup.optim.lr_scheduler import LambdaLR
from groundup.random import generator

__all__ = [
    "TrainConfig",
    "WarmupCosine",
    "get_batch",
    "configure_optimizer",
    "estimate_loss",
    "split_loss",
    "train_gpt",
]


@dataclass
class TrainConfig:
    """Hyperparameters of a run; the defaults are nanoGPT's Shakespeare-character CPU recipe.

    Parameters
    ----------
    max_iters : int, default=2000
        Optimizer steps.
    batch_size : int, default=12
        Windows per step.
    learning_rate, min_lr : float, default=1e-3, 1e-4
        Peak learning rate, and the floor the cosine ends at.
    warmup_iters, lr_decay_iters : int, default=100, 2000
        Linear warm-up steps; the step where the cosine reaches ``min_lr``.
    weight_decay : float, default=0.1
        AdamW's decay of the 2-D weights.
    beta1, beta2 : float, default=0.9, 0.99
    grad_clip : float, default=1.0
        Largest gradient norm (0: no clipping).
    eval_interval, eval_iters : int, default=250, 20
        Steps between evaluations; batches per split in each.
    checkpoint : str, optional
        Where to save the checkpoint after each evaluation (and at the end).

    Examples
    --------
    >>> TrainConfig(max_iters=10).lr_decay_iters
    2000
    """

    max_iters: int = 2000
    batch_size: int = 12
    learning_rate: float = 1e-3
    min_lr: float = 1e-4
    warmup_iters: int = 100
    lr_decay_iters: int = 2000
    weight_decay: float = 0.1
    beta1: float = 0.9
    beta2: float = 0.99
    grad_clip: float = 1.0
    eval_interval: int = 250
    eval_iters: int = 20
    checkpoint: str | None = None

    def __post_init__(self) -> None:
        for name in ("batch_size", "eval_interval", "eval_iters"):
            if getattr(self, name) < 1:
                raise ValueError(f"TrainConfig: {name} must be >= 1, got {getattr(self, name)}")
        if self.max_iters < 0 or self.warmup_iters < 0:
            raise ValueError("TrainConfig: max_iters and warmup_iters must be >= 0")
        if not 0.0 <= self.min_lr <= self.learning_rate:
            raise ValueError(
                f"TrainConfig: expected 0 <= min_lr <= learning_rate, got min_lr={self.min_lr}, "
                f"learning_rate={self.learning_rate}"
            )


class WarmupCosine:
    """The factor of the peak learning rate at step ``it`` (nanoGPT's ``get_lr``):
    (it + 1) / (warmup + 1) during the warm-up, then min_ratio + (1 - min_ratio)
    (1 + cos(pi r)) / 2 with r the fraction of the decay done, then min_ratio.

    Examples
    --------
    >>> f = WarmupCosine(warmup_iters=10, decay_iters=110, min_ratio=0.1)
    >>> round(f(0), 4), f(10), round(f(60), 4), f(500)
    (0.0909, 1.0, 0.55, 0.1)
    """

    def __init__(self, warmup_iters: int, decay_iters: int, min_ratio: float) -> None:
        self.warmup_iters, self.decay_iters, self.min_ratio = warmup_iters, decay_iters, min_ratio

    def __call__(self, it: int) -> float:
        if it < self.warmup_iters:
            return (it + 1) / (self.warmup_iters + 1)
        if it > self.decay_iters:
            return self.min_ratio
        r = (it - self.warmup_iters) / max(1, self.decay_iters - self.warmup_iters)
        return self.min_ratio + (1.0 - self.min_ratio) * 0.5 * (1.0 + math.cos(math.pi * r))


def get_batch(data: Any, block_size: int, batch_size: int) -> tuple[Any, Any]:
    """``batch_size`` random windows of ``data`` (1-D ids) and the ids one step ahead,
    ``(B, block_size)`` int64 arrays each, drawn with groundup's generator."""
    if len(data) <= block_size:
        raise ValueError(
            f"get_batch: need more than block_size={block_size} tokens, got {len(data)}"
        )
    xp = get_xp("cpu")
    starts = generator().integers(0, len(data) - block_size, batch_size)
    index = xp.asarray(starts)[:, None] + xp.arange(block_size)  # (B, T)
    return data[index].astype("int64"), data[index + 1].astype("int64")


def configure_optimizer(model: Any, config: TrainConfig) -> AdamW:
    """AdamW with two groups: the 2-D weights decay, biases and LayerNorm gains do not."""
    params = list(model.parameters())
    groups = [
        {"params": [p for p in params if p.ndim >= 2], "weight_decay": config.weight_decay},
        {"params": [p for p in params if p.ndim < 2], "weight_decay": 0.0},
    ]
    groups = [g for g in groups if g["params"]]
    return AdamW(groups, lr=config.learning_rate, betas=(config.beta1, config.beta2))


def estimate_loss(model: Any, splits: dict[str, Any], eval_iters: int, batch_size: int) -> dict:
    """Mean loss of ``model`` over ``eval_iters`` random batches of each split (eval mode)."""
    block, was_training = model.config.block_size, model.training
    model.eval()
    out = {}
    with no_grad():
        for name, data in splits.items():
            losses = []
            for _ in range(eval_iters):
                x, y = get_batch(data, block, batch_size)
                losses.append(model(tensor(x), tensor(y))[1].item())
            out[name] = sum(losses) / len(losses)
    model.train(was_training)
    return out


def split_loss(model: Any, data: Any, batch_size: int = 64) -> float:
    """Mean loss over a whole split, cut into consecutive windows of ``block_size`` tokens
    (each predicting its next tokens; the tail shorter than a window is left out).

    Deterministic, unlike :func:`estimate_loss`'s random batches: the number to compare runs by.
    """
    block, was_training = model.config.block_size, model.training
    n = (len(data) - 1) // block
    if n < 1:
        raise ValueError(f"split_loss: need more than block_size={block} tokens, got {len(data)}")
    x = data[: n * block].reshape(n, block).astype("int64")
    y = data[1 : n * block + 1].reshape(n, block).astype("int64")
    model.eval()
    total = 0.0
    with no_grad():
        for i in range(0, n, batch_size):
            loss = model(tensor(x[i : i + batch_size]), tensor(y[i : i + batch_size]))[1]
            total += loss.item() * len(x[i : i + batch_size])
    model.train(was_training)
    return total / n


def train_gpt(
    model: Any,
    train_data: Any,
    val_data: Any,
    config: TrainConfig,
    resume: bool = False,
    progress: bool = True,
    log: Callable[[str], None] = print,
    extra: dict | None = None,
) -> dict:
    """Train ``model`` (a :class:`~groundup.models.GPT`) on token-id arrays; return the history.

    Parameters
    ----------
    model : GPT
    train_data, val_data : 1-D int arrays
        The token ids of the two splits.
    config : TrainConfig
    resume : bool, default=False
        Continue from ``config.checkpoint`` (model, optimizer, schedule, step, history, RNG).
    progress : bool, default=True
        Show a tqdm progress bar with the running loss.
    log : callable, default=print
        Receives one line per evaluation.
    extra : dict, optional
        JSON-serialisable data stored in the checkpoint (a tokenizer, the model config).

    Returns
    -------
    dict
        ``"iter"``, ``"train_loss"``, ``"val_loss"`` (one entry per evaluation), ``"loss"``
        (every step's training loss), ``"time"`` (seconds of this call) and ``"iters_run"``
        (its steps).

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup.models import GPT, GPTConfig
    >>> _ = gu.manual_seed(0)
    >>> model = GPT(GPTConfig(vocab_size=3, block_size=4, n_layer=1, n_head=1, n_embd=8))
    >>> ids = gu.backend.get_xp().arange(40) % 3
    >>> cfg = TrainConfig(max_iters=20, batch_size=4, learning_rate=1e-2, warmup_iters=0,
    ...                   lr_decay_iters=20, eval_interval=20, eval_iters=2)
    >>> h = train_gpt(model, ids, ids, cfg, progress=False, log=lambda s: None)
    >>> h["val_loss"][-1] < h["val_loss"][0]
    True
    """
    opt = configure_optimizer(model, config)
    ratio = config.min_lr / config.learning_rate
    sched = LambdaLR(opt, WarmupCosine(config.warmup_iters, config.lr_decay_iters, ratio))
    history = {"iter": [], "train_loss": [], "val_loss": [], "loss": []}
    start_iter = 0
    if resume:
        start_iter, history = _resume(config, model, opt, sched)
        log(f"resumed from {config.checkpoint} at step {start_iter}")
    splits = {"train": train_data, "val": val_data}
    block, began = model.config.block_size, time.perf_counter()
    bar = _progress_bar(start_iter, config.max_iters, progress)
    model.train()
    for it in range(start_iter, config.max_iters):
        if it % config.eval_interval == 0 and it not in history["iter"]:
            _evaluate(model, splits, config, it, history, log)
        x, y = get_batch(train_data, block, config.batch_size)
        _, loss = model(tensor(x), tensor(y))
        opt.zero_grad()
        loss.backward()
        if config.grad_clip:
            clip_grad_norm_(model.parameters(), config.grad_clip)
        opt.step()
        sched.step()
        history["loss"].append(loss.item())
        bar.update(1)
        bar.set_postfix(loss=f"{history['loss'][-1]:.4f}", refresh=False)
        if (it + 1) % config.eval_interval == 0 and config.checkpoint:
            _save(config, model, opt, sched, it + 1, history, extra)
    bar.close()
    if config.max_iters not in history["iter"]:
        _evaluate(model, splits, config, config.max_iters, history, log)
    if config.checkpoint:
        _save(config, model, opt, sched, config.max_iters, history, extra)
    history["time"] = time.perf_counter() - began
    history["iters_run"] = config.max_iters - start_iter
    return history


def _evaluate(model: Any, splits: dict, config: TrainConfig, it: int, history: dict, log) -> None:
    losses = estimate_loss(model, splits, config.eval_iters, config.batch_size)
    history["iter"].append(it)
    history["train_loss"].append(losses["train"])
    history["val_loss"].append(losses["val"])
    log(f"step {it}: train loss {losses['train']:.4f}, val loss {losses['val']:.4f}")


def _save(config, model, opt, sched, it: int, history: dict, extra: dict | None) -> None:
    meta = {"train_config": asdict(config), **(extra or {})}
    save_checkpoint(config.checkpoint, model, opt, sched, it, history, extra=meta)


def _resume(config: TrainConfig, model: Any, opt: Any, sched: Any) -> tuple[int, dict]:
    if not config.checkpoint or not os.path.exists(config.checkpoint):
        raise FileNotFoundError(
            f"train_gpt: resume=True needs an existing checkpoint, got {config.checkpoint!r}"
        )
    ckpt = load_checkpoint(config.checkpoint, model, opt, sched)
    return int(ckpt["epoch"]), ckpt["history"]


def _progress_bar(start: int, total: int, enabled: bool) -> Any:
    from tqdm.auto import tqdm

    return tqdm(initial=start, total=total, unit="it", disable=not enabled, mininterval=1.0)
