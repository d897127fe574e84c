"""GPT: same logits, gradients and training steps as nanoGPT's PyTorch model with copied
weights; KV-cached generation equals recomputing; a tiny run's loss falls; resume is exact."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest
import torch
from torch_gpt import param_groups_decay, torch_twin  # tests/models/, on sys.path

import groundup as gu
from groundup.models import GPT, GPTConfig
from groundup.models.gpt import KVCache
from groundup.models.gpt_train import (
    TrainConfig,
    configure_optimizer,
    get_batch,
    split_loss,
    train_gpt,
)

SMALL = dict(vocab_size=11, block_size=8, n_layer=2, n_head=2, n_embd=16)


def small_gpt(seed: int = 0, **overrides) -> GPT:
    gu.manual_seed(seed)
    return GPT(GPTConfig(**{**SMALL, **overrides}))


def batch(seed: int, B: int = 3, T: int = 8, V: int = 11) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.integers(0, V, (B, T)), rng.integers(0, V, (B, T))


@pytest.mark.parametrize("bias", [False, True])
def test_gpt_logits_and_gradients_match_torch(bias):
    model = small_gpt(bias=bias)
    ref = torch_twin(model)
    x, y = batch(1)
    logits, loss = model(gu.tensor(x), gu.tensor(y))
    loss.backward()
    ref_logits, ref_loss = ref(torch.tensor(x), torch.tensor(y))
    ref_loss.backward()
    np.testing.assert_allclose(logits.numpy(), ref_logits.detach().numpy(), rtol=1e-5, atol=1e-5)
    assert loss.item() == pytest.approx(ref_loss.item(), rel=1e-6)
    ref_params = dict(ref.named_parameters())
    names = [n for n, _ in model.named_parameters()]
    assert names == list(ref_params)  # same names, order and tying (wte == lm_head)
    for name, p in model.named_parameters():
        assert p.grad.dtype == np.float32
        np.testing.assert_allclose(
            p.grad.numpy(), ref_params[name].grad.numpy(), rtol=1e-4, atol=1e-6, err_msg=name
        )


def test_gpt_init_is_gpt2s():
    model = small_gpt(n_layer=4, n_embd=64, vocab_size=200, block_size=64)
    assert model.lm_head.weight is model.transformer.wte.weight
    std = {n: p.numpy().std() for n, p in model.named_parameters() if p.ndim == 2}
    assert std["transformer.wte.weight"] == pytest.approx(0.02, rel=0.05)
    assert std["transformer.h.0.mlp.c_fc.weight"] == pytest.approx(0.02, rel=0.05)
    assert std["transformer.h.0.mlp.c_proj.weight"] == pytest.approx(0.02 / 8**0.5, rel=0.05)
    assert model.num_parameters() == sum(p.data.size for p in model.parameters()) - 64 * 64


def test_gpt_training_steps_match_torch():
    """Three steps of the recipe (AdamW on two groups, warm-up schedule, clipping) in both.

    Without biases, as the recipe: the key bias gets a gradient that is 0 up to rounding
    (it shifts every score of a row alike), which Adam's normalisation amplifies into noise.
    """
    model = small_gpt()
    ref = torch_twin(model)
    cfg = TrainConfig(learning_rate=3e-2, warmup_iters=1, lr_decay_iters=3, grad_clip=0.5)
    opt = configure_optimizer(model, cfg)
    ref_opt = torch.optim.AdamW(
        param_groups_decay(ref.named_parameters(), cfg.weight_decay), lr=3e-2, betas=(0.9, 0.99)
    )
    for step in range(3):
        x, y = batch(10 + step)
        lr = 3e-2 * [0.5, 1.0, 0.1][step]  # warm-up (it+1)/(w+1), then the cosine to min_lr
        for group in opt.param_groups + ref_opt.param_groups:
            group["lr"] = lr
        _, loss = model(gu.tensor(x), gu.tensor(y))
        opt.zero_grad()
        loss.backward()
        gu.nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_clip)
        opt.step()
        _, ref_loss = ref(torch.tensor(x), torch.tensor(y))
        ref_opt.zero_grad()
        ref_loss.backward()
        torch.nn.utils.clip_grad_norm_(ref.parameters(), cfg.grad_clip)
        ref_opt.step()
        assert loss.item() == pytest.approx(ref_loss.item(), rel=1e-5)
    for name, p in ref.named_parameters():
        np.testing.assert_allclose(
            model.state_dict()[name].numpy(), p.detach().numpy(), atol=2e-5, err_msg=name
        )


def test_adamw_decays_only_2d_weights():
    groups = configure_optimizer(small_gpt(bias=True), TrainConfig()).param_groups
    assert [g["weight_decay"] for g in groups] == [0.1, 0.0]
    assert all(p.ndim == 2 for p in groups[0]["params"])
    assert all(p.ndim == 1 for p in groups[1]["params"])


def test_kv_cache_logits_equal_full_forward():
    model = small_gpt(bias=True).eval()
    x, _ = batch(2, B=2, T=7)
    full, _ = model(gu.tensor(x))
    cache = KVCache(model.config, batch_size=2)
    with gu.no_grad():
        # a prompt of 4, then 2 at once (a bottom-right causal mask), then 1
        parts = [model.lm_head(model.hidden(x[:, a:b], cache)) for a, b in ((0, 4), (4, 6), (6, 7))]
    got = np.concatenate([p.numpy() for p in parts], axis=1)
    np.testing.assert_allclose(got, full.numpy(), rtol=1e-5, atol=1e-5)
    assert cache.length == 7


@pytest.mark.parametrize("top_k, temperature", [(1, 1.0), (None, 0.0), (5, 0.8)])
def test_generate_with_cache_equals_without(top_k, temperature):
    model = small_gpt()
    prompt = gu.tensor(batch(3, B=2, T=3)[0])
    outs = []
    for use_cache in (True, False):
        gu.manual_seed(7)
        outs.append(model.generate(prompt, 12, temperature, top_k, use_cache=use_cache).numpy())
    assert outs[0].shape == (2, 15)  # past block_size 8: cropped and recomputed
    np.testing.assert_array_equal(outs[0], outs[1])
    np.testing.assert_array_equal(outs[0][:, :3], prompt.numpy())
    assert model.training  # the mode is restored


def test_generate_top_k_keeps_the_k_most_likely():
    model = small_gpt()
    gu.manual_seed(0)
    out = model.generate(gu.tensor([[1]] * 64), 1, top_k=2).numpy()[:, 1]
    logits, _ = model(gu.tensor([[1]]))
    assert set(out) <= set(np.argsort(logits.numpy()[0, -1])[-2:])


def test_gpt_errors():
    with pytest.raises(ValueError, match="n_embd=10 must be divisible by n_head=3"):
        GPTConfig(n_embd=10, n_head=3)
    with pytest.raises(ValueError, match="block_size is only 8"):
        small_gpt()(gu.tensor(np.zeros((1, 9), dtype=np.int64)))
    with pytest.raises(TypeError, match="token ids must be integers"):
        small_gpt()(gu.tensor([[0.5]]))
    with pytest.raises(ValueError, match="expected 0 <= min_lr <= learning_rate"):
        TrainConfig(learning_rate=1e-4, min_lr=1e-3)
    with pytest.raises(ValueError, match="need more than block_size=5 tokens, got 5"):
        get_batch(np.arange(5), block_size=5, batch_size=2)
    with pytest.raises(ValueError, match="temperature must be >= 0"):
        small_gpt().generate(gu.tensor([[1]]), 1, temperature=-1.0)


def _pattern_ids(n: int = 400) -> np.ndarray:
    return np.tile(np.array([1, 2, 3, 4, 5, 6, 7, 2, 3, 9], dtype=np.int64), n // 10)


def test_train_gpt_loss_falls_and_resume_is_exact(tmp_path):
    ids = _pattern_ids()
    kwargs = dict(batch_size=4, learning_rate=2e-2, warmup_iters=2, lr_decay_iters=12)
    cfg = TrainConfig(max_iters=12, eval_interval=6, eval_iters=2, **kwargs)
    model = small_gpt()
    full = train_gpt(model, ids, ids, cfg, progress=False, log=lambda s: None)
    assert full["iter"] == [0, 6, 12]
    assert full["val_loss"][-1] < 0.7 * full["val_loss"][0]

    path = str(tmp_path / "gpt.safetensors")
    first = small_gpt()
    half = TrainConfig(max_iters=6, eval_interval=6, eval_iters=2, checkpoint=path, **kwargs)
    train_gpt(first, ids, ids, half, progress=False, log=lambda s: None)
    resumed = small_gpt(seed=99)  # other weights: all of them come from the checkpoint
    rest = TrainConfig(max_iters=12, eval_interval=6, eval_iters=2, checkpoint=path, **kwargs)
    hist = train_gpt(resumed, ids, ids, rest, resume=True, progress=False, log=lambda s: None)
    assert hist["loss"] == full["loss"]
    for (name, p), q in zip(resumed.state_dict().items(), model.state_dict().values()):
        np.testing.assert_array_equal(p.numpy(), q.numpy(), err_msg=name)


def test_get_batch_windows_are_shifted_by_one():
    gu.manual_seed(0)
    x, y = get_batch(np.arange(100), block_size=5, batch_size=4)
    assert x.shape == y.shape == (4, 5) and x.dtype == np.int64
    np.testing.assert_array_equal(y, x + 1)
    np.testing.assert_array_equal(np.diff(x, axis=1), 1)


EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "gpt_shakespeare.py"


@pytest.mark.parametrize("tokenizer", ["char", "bpe"])
def test_example_trains_saves_and_resumes(tmp_path, capsys, tokenizer):
    spec = importlib.util.spec_from_file_location("gpt_shakespeare", EXAMPLE)
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    text = "To be, or not to be, that is the question:\n" * 40
    ckpt = str(tmp_path / "g.safetensors")
    common = ["--tokenizer", tokenizer, "--vocab-size", "280", "--checkpoint", ckpt]
    small = ["--n-layer", "1", "--n-embd", "16", "--n-head", "2", "--block-size", "16"]
    args = common + small + ["--eval-interval", "10", "--eval-iters", "2", "--no-progress"]
    first = example.main([*args, "--max-iters", "20", "--sample", "10"], text=text)
    assert first["val_loss"] < first["history"]["val_loss"][0]
    again = example.main([*args, "--max-iters", "30", "--resume", "--sample", "5"], text=text)
    assert again["history"]["iter"] == [0, 10, 20, 30]
    assert "resumed from" in capsys.readouterr().out
    assert type(again["tokenizer"]).__name__ == type(first["tokenizer"]).__name__


def test_cli_demo_gpt_without_the_text_fails_cleanly(tmp_path, monkeypatch, capsys):
    from groundup.cli import main

    monkeypatch.setenv("GROUNDUP_DATA", str(tmp_path))  # an empty folder: input.txt missing
    assert main(["demo", "--model", "gpt", "--no-progress"]) == 1
    assert "could not load Tiny Shakespeare" in capsys.readouterr().err


def test_split_loss_averages_consecutive_windows():
    model = small_gpt()
    ids = _pattern_ids(100)[:35]  # 4 windows of 8 (+ 1 target), the rest left out
    x, y = ids[:32].reshape(4, 8), ids[1:33].reshape(4, 8)
    expected = model(gu.tensor(x), gu.tensor(y))[1].item()
    assert split_loss(model, ids, batch_size=3) == pytest.approx(expected, rel=1e-6)
