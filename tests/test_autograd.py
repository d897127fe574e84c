"""Tests of the backward walk and grad mode (groundup.autograd): gradients against PyTorch,
accumulation, reused tensors, retain_graph, long chains, and the memory a graph holds."""

from __future__ import annotations

import gc
import threading
import tracemalloc
import weakref

import numpy as np
import pytest
import torch
from helpers import check_against_torch

import groundup as gu
from groundup.autograd import Function


def _pair(data, dtype="float32"):
    """The same leaf, requiring grad, in groundup and in torch."""
    a = np.asarray(data, dtype=dtype)
    return gu.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)


# ---------------------------------------------------------------------- backward
def test_backward_scalar_matches_torch():
    x, xt = _pair([1.0, -2.0, 3.0])
    (x * x * 3.0 + x).sum().backward()
    (xt * xt * 3.0 + xt).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-6)


def test_backward_with_grad_for_non_scalar_matches_torch():
    x, xt = _pair([[1.0, 2.0], [3.0, 4.0]])
    g = np.array([[0.5, -1.0], [2.0, 3.0]], dtype=np.float32)
    x.exp().backward(gu.tensor(g))
    xt.exp().backward(torch.tensor(g))
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-6)


def test_backward_on_leaf_seeds_its_own_grad():
    x = gu.tensor([1.0, 2.0], requires_grad=True)
    x.backward(gu.tensor([3.0, 4.0]))
    assert x.grad.tolist() == [3.0, 4.0]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", [(), (1,), (3,), (2, 3), (2, 1, 3)], ids=str)
def test_grad_is_tensor_with_input_dtype_and_shape(dtype, shape):
    x = gu.ones(shape, dtype=dtype, requires_grad=True)
    b = gu.ones(3, dtype=dtype)  # broadcasting: the gradient is summed back to x's shape
    (x * b * 2.0).sum().backward()
    assert isinstance(x.grad, gu.Tensor)
    assert x.grad.dtype == np.dtype(dtype)
    assert x.grad.shape == shape
    assert not x.grad.requires_grad


def test_backward_casts_seed_grad_to_output_dtype():
    x = gu.tensor([1.0, 2.0], requires_grad=True)
    (x * 2).backward(np.array([1.0, 1.0], dtype=np.float64))
    assert x.grad.dtype == gu.float32


def test_grad_only_reaches_inputs_that_require_it():
    x = gu.tensor([1.0, 2.0], requires_grad=True)
    c = gu.tensor([3.0, 4.0])
    k = gu.tensor([5, 6])
    (x * c + x * k).sum().backward()
    assert c.grad is None and k.grad is None
    assert x.grad.dtype == gu.float32
    assert x.grad.tolist() == [8.0, 10.0]


def test_grad_accumulates_across_backward_calls_like_torch():
    x, xt = _pair([1.0, 2.0, 3.0])
    for _ in range(2):
        (x * x).sum().backward()
        (xt * xt).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy())
    np.testing.assert_allclose(x.grad.numpy(), [4.0, 8.0, 12.0])


def test_grad_of_one_leaf_never_aliases_another_or_the_seed():
    x, y = gu.zeros(3, requires_grad=True), gu.zeros(3, requires_grad=True)
    seed = gu.ones(3)
    (x + y).backward(seed)
    assert not np.shares_memory(x.grad.data, y.grad.data)
    assert not np.shares_memory(x.grad.data, seed.data)
    x.grad.data += 10.0
    seed.data[:] = 5.0
    assert y.grad.tolist() == [1.0, 1.0, 1.0]


# ---------------------------------------------------------------------- graph shapes
def test_diamond_graph_matches_torch():
    x, xt = _pair([1.0, -2.0, 0.5])
    (x * x + x * 3).sum().backward()
    (xt * xt + xt * 3).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy())
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.array([1.0, -2.0, 0.5]) + 3)


@pytest.mark.parametrize(
    "fn",
    [
        lambda lib, x: (lambda y: y + y.exp())(x * 2),  # a residual: y + f(y)
        lambda lib, x: (lambda y: y.exp().tanh() + y * 3 + y)(x * 2),  # three paths, uneven
        lambda lib, x: _residual_stack(x * 1.5),
    ],
    ids=["residual", "uneven_paths", "residual_stack"],
)
def test_non_leaf_reused_through_paths_of_different_length_matches_torch(fn):
    # Regression: the topological order once placed y before f(y), dropping f(y)'s share.
    x, xt = _pair([0.3, -0.7, 0.2])
    fn(gu, x).sum().backward()
    fn(torch, xt).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-6)


def _residual_stack(h):
    for _ in range(3):
        h = h + (h * 0.5).tanh()
    return h


SAME_OPERAND = {
    "mul": lambda x: x * x,
    "add": lambda x: x + x,
    "sub": lambda x: x - x,
    "div": lambda x: x / x,
    "matmul": lambda x: x @ x,
    "pow": lambda x: x**x,
}


@pytest.mark.parametrize("fn", SAME_OPERAND.values(), ids=SAME_OPERAND.keys())
def test_same_tensor_as_both_operands_matches_torch(fn):
    check_against_torch(fn, [(3, 3)], low=0.5, high=2.0)


@pytest.mark.parametrize(
    "fn, shapes",
    [
        (lambda x, y: (x + y).sum() + (x * 2).sum(), [(3,), (3,)]),
        (lambda x, y: x + y + x, [(3,), (3,)]),
        (lambda x, y: (x + y) * (x + y), [(2, 3), (3,)]),
        (lambda w: w + w.reshape(3, 1), [(3,)]),
        (lambda w: w + w.reshape(6), [(6,)]),
        (lambda w: w.reshape(2, 3) + w.reshape(3, 2).T, [(6,)]),
        (lambda x: x + x.T, [(3, 3)]),
        (lambda x: (x + 0.0) + x, [(4,)]),
        (lambda x: x[0] + x[1] + x, [(2, 3)]),
        (lambda x: x.exp() + x.exp().exp(), [(4,)]),
        (lambda x: gu.cat([x, x]) if isinstance(x, gu.Tensor) else torch.cat([x, x]), [(2, 2)]),
        (lambda x, y: ((x @ y).relu() + x.sum(1, keepdim=True)) @ y.T, [(3, 4), (4, 2)]),
        (lambda x: (lambda a: a * a + a.sum() + a)(x + 1.0), [(3,)]),
        (lambda x, y: (x * y, x + y), [(3,), (3,)]),
    ],
)
def test_reused_tensors_match_torch(fn, shapes):
    check_against_torch(fn, shapes)


def test_detach_cuts_the_graph():
    x = gu.tensor([1.0, 2.0], requires_grad=True)
    (x.detach() * 5 + x).sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]


def test_retain_grad_keeps_non_leaf_grad_like_torch():
    x, xt = _pair([1.0, 2.0, 3.0])
    h, ht = x * 2, xt * 2
    h.retain_grad()
    ht.retain_grad()
    h2, h2t = x.exp(), xt.exp()
    ((h * h).sum() + h2.sum()).backward()
    ((ht * ht).sum() + h2t.sum()).backward()
    np.testing.assert_allclose(h.grad.numpy(), ht.grad.numpy())
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-6)
    assert h2.grad is None


def test_retain_grad_on_root_gives_seed_like_torch():
    x, xt = _pair([1.0, 2.0])
    y, yt = (x * 3).sum(), (xt * 3).sum()
    y.retain_grad()
    yt.retain_grad()
    y.backward()
    yt.backward()
    assert y.grad.tolist() == yt.grad.tolist() == 1.0
    assert x.grad.tolist() == [3.0, 3.0]


def test_custom_function_reads_saved_tensors_and_needs_input_grad():
    class ScaledMul(Function):
        """out = 2 a b;  da = 2 g b;  db = 2 g a."""

        @staticmethod
        def forward(ctx, a, b):
            ctx.save_for_backward(a, b)
            return 2.0 * a * b

        @staticmethod
        def backward(ctx, g):
            a, b = ctx.saved_tensors
            assert ctx.needs_input_grad == (True, False)
            return 2.0 * g * b, None

    a, b = gu.tensor([1.0, 2.0], requires_grad=True), gu.tensor([3.0, 4.0])
    ScaledMul.apply(a, b).sum().backward()
    assert a.grad.tolist() == [6.0, 8.0]


# ---------------------------------------------------------------------- retain_graph
def test_retain_graph_allows_second_backward_like_torch():
    x, xt = _pair([0.5, 1.0, 1.5])
    y, yt = (x.exp() * x).sum(), (xt.exp() * xt).sum()
    y.backward(retain_graph=True)
    yt.backward(retain_graph=True)
    first = x.grad.numpy().copy()
    y.backward()
    yt.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * first, rtol=1e-6)
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-6)


# ---------------------------------------------------------------------- long chains
N_CHAIN = 50_000


def test_long_add_chain_backward_without_recursion():
    x = gu.tensor([1.0, 2.0], requires_grad=True)
    y = x
    for _ in range(N_CHAIN):
        y = y + 1
    y.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]
    assert y.tolist() == [1.0 + N_CHAIN, 2.0 + N_CHAIN]


def test_long_mul_chain_gradient_is_exact_power():
    x = gu.tensor([1.0], dtype=gu.float64, requires_grad=True)
    y = x
    for _ in range(N_CHAIN):
        y = y * 1.0001
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [1.0001**N_CHAIN], rtol=1e-9)


def test_long_chain_without_backward_is_freed():
    x = gu.tensor([1.0], requires_grad=True)
    y = x * 1.0
    first = weakref.ref(y)
    for _ in range(N_CHAIN):
        y = y * 1.0
    assert first() is not None
    del y  # freeing 50,000 nested nodes must not hit the recursion limit
    assert first() is None


# ---------------------------------------------------------------------- grad mode
def test_grad_mode_contexts_nest_and_restore():
    x = gu.tensor([1.0], requires_grad=True)
    assert gu.is_grad_enabled()
    with gu.no_grad():
        assert not gu.is_grad_enabled()
        y = x * 2
    assert gu.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None
    with gu.no_grad():
        with gu.enable_grad():
            y = x * 2
        z = x * 2
        assert not gu.is_grad_enabled()
    assert y.requires_grad and not z.requires_grad


def test_grad_mode_decorators_restore_previous_mode():
    @gu.no_grad()
    def off():
        """Docs."""
        return gu.is_grad_enabled()

    @gu.enable_grad()
    def on():
        return gu.is_grad_enabled()

    assert off() is False
    assert gu.is_grad_enabled()
    with gu.no_grad():
        assert on() is True
        assert not gu.is_grad_enabled()
        assert off() is False
        assert not gu.is_grad_enabled()
    assert on() is True
    assert gu.is_grad_enabled()
    assert (off.__name__, off.__doc__) == ("off", "Docs.")


@pytest.mark.parametrize("mode, enabled", [(gu.no_grad, False), (gu.enable_grad, True)])
def test_grad_mode_works_as_bare_decorator_like_torch(mode, enabled):
    @mode
    def probe():
        return gu.is_grad_enabled()

    with gu.enable_grad() if not enabled else gu.no_grad():
        assert probe() is enabled


def test_no_grad_decorates_generator_like_torch():
    @gu.no_grad()
    def batches():
        for _ in range(2):
            yield gu.is_grad_enabled()

    assert list(batches()) == [False, False]
    assert gu.is_grad_enabled()


def test_grad_mode_is_per_thread():
    seen = []
    with gu.no_grad():
        worker = threading.Thread(target=lambda: seen.append(gu.is_grad_enabled()))
        worker.start()
        worker.join()
    assert seen == [True]


@pytest.mark.parametrize("mode", [gu.no_grad, gu.enable_grad])
def test_grad_mode_restored_after_exception(mode):
    @mode()
    def boom():
        raise KeyError("boom")

    for outer in (gu.no_grad, gu.enable_grad):
        with outer():
            before = gu.is_grad_enabled()
            with pytest.raises(KeyError), mode():
                raise KeyError("boom")
            assert gu.is_grad_enabled() == before
            with pytest.raises(KeyError):
                boom()
            assert gu.is_grad_enabled() == before
    assert gu.is_grad_enabled()


# ---------------------------------------------------------------------- memory
def _graph():
    """Two leaves, a loss, and weakrefs to the intermediate tensors (and one of their arrays)."""
    gu.manual_seed(0)
    x = gu.randn(8, 4, requires_grad=True)
    w = gu.randn(4, 3, requires_grad=True)
    h = x @ w
    a = h.tanh()
    e = (a * a).exp()
    loss = e.mean()
    refs = [weakref.ref(t) for t in (h, a, e)]
    return x, w, loss, refs


def test_backward_releases_intermediates():
    x, w, loss, refs = _graph()
    assert all(r() is not None for r in refs)  # the graph holds them until backward
    loss.backward()
    assert all(r() is None for r in refs)
    assert x.grad is not None and w.grad is not None


def test_unused_graph_is_freed_by_reference_counting():
    gc_was_enabled = gc.isenabled()
    gc.disable()  # no reference cycles: dropping the loss frees the graph at once
    try:
        _, _, loss, refs = _graph()
        del loss
        assert all(r() is None for r in refs)
    finally:
        if gc_was_enabled:
            gc.enable()


def test_retain_graph_keeps_intermediates():
    _, _, loss, refs = _graph()
    loss.backward(retain_graph=True)
    assert all(r() is not None for r in refs)
    loss.backward()
    assert all(r() is None for r in refs)


def test_detached_output_does_not_keep_the_graph():
    _, _, loss, refs = _graph()
    kept = loss.detach()  # like logging a loss: torch frees the graph once the loss goes
    del loss
    assert all(r() is None for r in refs)
    assert kept.shape == ()


def test_training_loop_memory_stays_flat():
    gu.manual_seed(0)
    x, y = gu.randn(64, 32), gu.randn(64, 10)
    w1 = (gu.randn(32, 64) * 0.1).requires_grad_()
    w2 = (gu.randn(64, 10) * 0.1).requires_grad_()
    used = {}
    gc_was_enabled = gc.isenabled()
    gc.disable()  # memory must come back by reference counting alone, step by step
    tracemalloc.start()
    try:
        for step in range(1, 51):
            loss = (((x @ w1).relu() @ w2 - y) ** 2).mean()
            loss.backward()
            with gu.no_grad():
                for p in (w1, w2):
                    p -= 0.01 * p.grad
                    p.grad = None
            if step in (10, 50):
                used[step] = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
        if gc_was_enabled:
            gc.enable()
    # One step's graph holds ~70 KB of arrays; 40 leaked steps would be megabytes.
    assert used[50] - used[10] < 32 * 1024
