"""GPT: a decoder-only transformer language model (Radford et al., 2019), nanoGPT's layout.

Token and position embeddings, ``n_layer`` pre-LayerNorm blocks (causal self-attention, then
a 4x GELU MLP, each added back to the residual stream), a final LayerNorm and a linear head
that shares its weight with the token embedding. Parameter names equal nanoGPT's
(``transformer.wte.weight``, ``transformer.h.0.attn.c_attn.weight``, ..., ``lm_head.weight``),
so its checkpoints' state dicts load here.

``generate`` keeps a key/value cache (:class:`KVCache`): the keys and values of the positions
already seen are stored per layer, so each new token runs one position through the network,
not the whole context.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from groundup.autograd import no_grad
from groundup.backend import get_xp
from groundup.creation import arange, tensor
from groundup.nn import Dropout, Embedding, LayerNorm, Linear, Module, ModuleDict, ModuleList, init
from groundup.nn import functional as F
from groundup.ops.attention import PackedSelfAttention
from groundup.random import generator
from groundup.tensor import Tensor

__all__ = ["GPTConfig", "GPT", "KVCache"]


@dataclass
class GPTConfig:
    """The shape of a :class:`GPT`; the defaults are nanoGPT's character-level CPU recipe.

    Parameters
    ----------
    vocab_size : int, default=65
        Number of token ids (65 characters of Tiny Shakespeare).
    block_size : int, default=64
        The longest context, in tokens (the size of the position table).
    n_layer, n_head, n_embd : int, default=4, 4, 128
        Blocks, attention heads, and the width of the residual stream
        (``n_embd % n_head == 0``).
    dropout : float, default=0.0
        Dropout on the embeddings, attention weights and each residual branch.
    bias : bool, default=False
        Biases in the linear layers and LayerNorms (GPT-2 has them; nanoGPT's
        character-level recipe does not).

    Examples
    --------
    >>> GPTConfig(n_layer=2).n_layer
    2
    """

    vocab_size: int = 65
    block_size: int = 64
    n_layer: int = 4
    n_head: int = 4
    n_embd: int = 128
    dropout: float = 0.0
    bias: bool = False

    def __post_init__(self) -> None:
        for name in ("vocab_size", "block_size", "n_layer", "n_head", "n_embd"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"GPTConfig: {name} must be an integer >= 1, got {value!r}")
        if self.n_embd % self.n_head:
            raise ValueError(
                f"GPTConfig: n_embd={self.n_embd} must be divisible by n_head={self.n_head}"
            )
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"GPTConfig: dropout must be in [0, 1), got {self.dropout}")


class KVCache:
    """Keys and values of the positions seen so far, one ``(B, n_head, block_size, head_dim)``
    buffer per layer; ``length`` positions of each are filled.

    Examples
    --------
    >>> cache = KVCache(GPTConfig(n_layer=1, n_embd=8, n_head=2, block_size=4), batch_size=1)
    >>> cache.length, cache.k.shape
    (0, (1, 1, 2, 4, 4))
    """

    def __init__(self, config: GPTConfig, batch_size: int, dtype: Any = "float32") -> None:
        xp = get_xp("cpu")
        head_dim = config.n_embd // config.n_head
        shape = (config.n_layer, batch_size, config.n_head, config.block_size, head_dim)
        self.k = xp.zeros(shape, dtype=dtype)
        self.v = xp.zeros(shape, dtype=dtype)
        self.length = 0

    def append(self, layer: int, k: Tensor, v: Tensor) -> tuple[Tensor, Tensor]:
        """Store the new ``(B, H, T, D)`` keys and values after the cached ones; return all
        keys and values of ``layer`` so far, ``(B, H, length + T, D)`` each."""
        end = self.length + k.shape[2]
        self.k[layer, :, :, self.length : end] = k.data
        self.v[layer, :, :, self.length : end] = v.data
        return Tensor._wrap(self.k[layer, :, :, :end]), Tensor._wrap(self.v[layer, :, :, :end])


class CausalSelfAttention(Module):
    """Multi-head self-attention where position t sees positions <= t, then a projection.

    One GEMM (``c_attn``) makes queries, keys and values; the heads attend in one fused op.
    """

    def __init__(self, config: GPTConfig) -> None:
        super().__init__()
        self.n_head, self.dropout = config.n_head, config.dropout
        self.c_attn = Linear(config.n_embd, 3 * config.n_embd, bias=config.bias)
        self.c_proj = Linear(config.n_embd, config.n_embd, bias=config.bias)
        self.resid_dropout = Dropout(config.dropout)

    def forward(self, x: Tensor, cache: KVCache | None = None, layer: int = 0) -> Tensor:
        B, T, C = x.shape
        qkv = self.c_attn(x).reshape(B, T, 3, self.n_head, C // self.n_head)
        qkv = qkv.permute(2, 0, 3, 1, 4)  # (3, B, H, T, D): views of one GEMM's output
        scale = 1.0 / math.sqrt(C // self.n_head)
        if cache is None:
            p = self.dropout if self.training else 0.0
            y = PackedSelfAttention.apply(qkv, None, scale=scale, dropout_p=p, is_causal=True)
        else:
            k, v = cache.append(layer, qkv[1], qkv[2])
            y = F.scaled_dot_product_attention(qkv[0], k, v, _cached_causal_mask(T, k.shape[2]))
        y = y.transpose(1, 2).reshape(B, T, C)  # heads side by side again
        return self.resid_dropout(self.c_proj(y))


def _cached_causal_mask(T: int, S: int) -> Tensor | None:
    """The T new queries are the last T of S positions: query i sees keys j <= S - T + i
    (a bottom-right causal mask); a single query sees every key, so it needs none."""
    if T == 1:
        return None
    xp = get_xp("cpu")
    return tensor(xp.arange(S)[None, :] <= xp.arange(S - T, S)[:, None])


class MLP(Module):
    """Linear to 4 n_embd, GELU, linear back to n_embd, dropout."""

    def __init__(self, config: GPTConfig) -> None:
        super().__init__()
        self.c_fc = Linear(config.n_embd, 4 * config.n_embd, bias=config.bias)
        self.c_proj = Linear(4 * config.n_embd, config.n_embd, bias=config.bias)
        self.dropout = Dropout(config.dropout)

    def forward(self, x: Tensor) -> Tensor:
        return self.dropout(self.c_proj(F.gelu(self.c_fc(x))))


class Block(Module):
    """A pre-LayerNorm transformer block: x + attn(ln_1(x)), then x + mlp(ln_2(x))."""

    def __init__(self, config: GPTConfig) -> None:
        super().__init__()
        self.ln_1 = LayerNorm(config.n_embd, bias=config.bias)
        self.attn = CausalSelfAttention(config)
        self.ln_2 = LayerNorm(config.n_embd, bias=config.bias)
        self.mlp = MLP(config)

    def forward(self, x: Tensor, cache: KVCache | None = None, layer: int = 0) -> Tensor:
        x = x + self.attn(self.ln_1(x), cache, layer)
        return x + self.mlp(self.ln_2(x))


class GPT(Module):
    """A GPT language model: token ids ``(B, T)`` -> next-token logits ``(B, T, vocab_size)``.

    logits = ln_f(blocks(wte[idx] + wpe[0..T-1])) @ wte^T. The GPT-2 initialisation: every
    weight ~ N(0, 0.02), biases 0, and the projections back into the residual stream
    (``c_proj``) ~ N(0, 0.02 / sqrt(2 n_layer)), so the residual stream's variance does not
    grow with depth.

    Parameters
    ----------
    config : GPTConfig

    Examples
    --------
    >>> import groundup as gu
    >>> _ = gu.manual_seed(0)
    >>> model = GPT(GPTConfig(vocab_size=10, block_size=8, n_layer=1, n_head=2, n_embd=8))
    >>> logits, loss = model(gu.tensor([[1, 2, 3]]), targets=gu.tensor([[2, 3, 4]]))
    >>> logits.shape, round(loss.item(), 1)  # about ln(10) at initialisation
    ((1, 3, 10), 2.3)
    >>> model.generate(gu.tensor([[1, 2]]), max_new_tokens=4).shape
    (1, 6)
    """

    def __init__(self, config: GPTConfig) -> None:
        super().__init__()
        self.config = config
        self.transformer = ModuleDict(
            dict(
                wte=Embedding(config.vocab_size, config.n_embd),
                wpe=Embedding(config.block_size, config.n_embd),
                drop=Dropout(config.dropout),
                h=ModuleList([Block(config) for _ in range(config.n_layer)]),
                ln_f=LayerNorm(config.n_embd, bias=config.bias),
            )
        )
        self.lm_head = Linear(config.n_embd, config.vocab_size, bias=False)
        self.transformer.wte.weight = self.lm_head.weight  # weight tying (Press & Wolf, 2017)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """The GPT-2 initialisation (see the class docstring)."""
        for module in self.modules():
            if isinstance(module, (Linear, Embedding)):
                init.normal_(module.weight, 0.0, 0.02)
            if isinstance(module, Linear) and module.bias is not None:
                init.zeros_(module.bias)
        for name, p in self.named_parameters():
            if name.endswith("c_proj.weight"):
                init.normal_(p, 0.0, 0.02 / math.sqrt(2 * self.config.n_layer))

    def num_parameters(self, non_embedding: bool = True) -> int:
        """The number of parameters, by default without the position table (nanoGPT's count)."""
        n = sum(p.data.size for p in self.parameters())
        return n - self.transformer.wpe.weight.data.size if non_embedding else n

    def forward(self, idx: Any, targets: Any = None) -> tuple[Tensor, Tensor | None]:
        """(logits ``(B, T, vocab_size)``, mean cross-entropy against ``targets`` or None)."""
        x = self.hidden(idx)
        logits = self.lm_head(x)
        if targets is None:
            return logits, None
        V = logits.shape[-1]
        return logits, F.cross_entropy(logits.reshape(-1, V), _ids(targets).reshape(-1))

    def hidden(self, idx: Any, cache: KVCache | None = None) -> Tensor:
        """The final hidden states ``(B, T, n_embd)``; with a cache, ``idx`` holds the tokens
        after the ``cache.length`` cached ones, and the cache grows by them."""
        idx = _ids(idx)
        if idx.ndim != 2:
            raise ValueError(f"GPT: expected token ids of shape (B, T), got {idx.shape}")
        start = 0 if cache is None else cache.length
        T = idx.shape[1]
        if start + T > self.config.block_size:
            raise ValueError(
                f"GPT: cannot run {start + T} positions (cached {start} + new {T}), "
                f"block_size is only {self.config.block_size}; crop the context"
            )
        tr = self.transformer
        x = tr.drop(tr.wte(idx) + tr.wpe(arange(start, start + T)))
        for layer, block in enumerate(tr.h):
            x = block(x, cache, layer)
        if cache is not None:
            cache.length += T
        return tr.ln_f(x)

    def generate(
        self,
        idx: Any,
        max_new_tokens: int,
        temperature: float = 1.0,
        top_k: int | None = None,
        use_cache: bool = True,
    ) -> Tensor:
        """Extend ``idx`` ``(B, T)`` by ``max_new_tokens`` sampled tokens; returns ``(B, T + n)``.

        Each token is drawn from softmax(logits / temperature), restricted to the ``top_k``
        most likely ones when given (``top_k=1`` or ``temperature=0``: greedy), using
        groundup's seeded generator. With ``use_cache`` the keys and values of earlier
        positions are kept, so each new token costs one position. Once the sequence is longer
        than ``block_size`` only its last ``block_size`` tokens are seen, as without the cache;
        their positions then all shift by one each step, which invalidates the cached keys, so
        from there on every token recomputes the cropped context (as nanoGPT does always).
        Runs in eval mode (no dropout), restoring the mode afterwards.
        """
        ids, xp = _ids(idx).data, self.lm_head.weight._xp
        block, was_training = self.config.block_size, self.training
        dtype = self.lm_head.weight.dtype
        cache = KVCache(self.config, ids.shape[0], dtype) if use_cache else None
        self.eval()
        try:
            with no_grad():
                for _ in range(max_new_tokens):
                    if cache is not None and ids.shape[1] <= block:
                        x = self.hidden(ids[:, cache.length :], cache)
                    else:
                        x = self.hidden(ids[:, -block:])
                    logits = self.lm_head(x[:, -1]).data.astype("float64")  # (B, V)
                    nxt = _sample(xp, logits, temperature, top_k)
                    ids = xp.concatenate([ids, nxt.astype(ids.dtype)[:, None]], axis=1)
        finally:
            self.train(was_training)
        return Tensor._wrap(ids)

    def config_dict(self) -> dict[str, Any]:
        """The config as a plain dict (for checkpoints' JSON metadata)."""
        return asdict(self.config)


def _ids(idx: Any) -> Tensor:
    """Token ids as an int64 tensor (from a tensor, array or nested list)."""
    t = idx if isinstance(idx, Tensor) else tensor(idx)
    if t.dtype.kind not in "iu":
        raise TypeError(f"GPT: token ids must be integers, got dtype {t.dtype}")
    return t


def _sample(xp: Any, logits: Any, temperature: float, top_k: int | None) -> Any:
    """One token id per row of ``logits`` (B, V): softmax(logits / temperature) restricted to
    the top_k largest, sampled by inverting the CDF at a uniform draw."""
    if temperature < 0:
        raise ValueError(f"GPT.generate: temperature must be >= 0, got {temperature}")
    if top_k is not None and top_k < 1:
        raise ValueError(f"GPT.generate: top_k must be >= 1 or None, got {top_k}")
    if temperature == 0 or top_k == 1:
        return logits.argmax(axis=-1)
    z, V = logits / temperature, logits.shape[-1]
    if top_k is not None and top_k < V:
        kth = xp.partition(z, V - top_k, axis=-1)[:, V - top_k, None]  # the top_k-th largest
        z[z < kth] = -xp.inf
    p = xp.exp(z - z.max(axis=-1, keepdims=True))
    p /= p.sum(axis=-1, keepdims=True)
    u = xp.asarray(generator().random((z.shape[0], 1)))
    return (p.cumsum(axis=-1) < u).sum(axis=-1).clip(max=V - 1)
