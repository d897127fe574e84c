"""Recurrent layers over a whole sequence, each layer-direction ONE node with a hand-written BPTT.

Every op here runs one layer in one direction over all T time steps of x (T, N, I):

1. the input projection of all steps is one GEMM, gx = x @ W_ih.T + b (T*N rows at once);
2. the forward loops over the steps doing only the recurrent GEMM h @ W_hh.T and the
   element-wise gates, writing into preallocated arrays and keeping the gates for backward;
3. the backward loops back over the steps once (element-wise work and dh = dA_t @ W_hh),
   collecting the gradient dA of every pre-activation in one (T, N, G) array; then dW_ih,
   dW_hh, the biases and dx are each ONE GEMM (or sum) over all steps (``weight_grads``).

``reverse=True`` runs the steps from T-1 down to 0 (the backward half of a bidirectional
layer); outputs stay in time order. Gate order and equations are PyTorch's. Sigmoids are
computed as 0.5 tanh(0.5 a) + 0.5 with the 0.5 folded into the pre-activations once, so a
step makes one ``tanh`` call for all its gates (scaling by 0.5 is exact in floating point).
The GRU lives in ``ops/rnn_gru.py``.
"""

from __future__ import annotations

from typing import Any

from groundup.autograd import Function


def check_rnn_args(op: str, x: Any, w_ih: Any, w_hh: Any, gates: int, states: tuple) -> None:
    """Raise a clear error unless x (T, N, I), w_ih (gates*H, I), w_hh (gates*H, H), states
    (N, H) or None agree in shape and dtype."""
    H = w_hh.shape[-1]
    if x.ndim != 3 or x.shape[0] == 0:
        raise ValueError(f"{op}: expected a non-empty input of shape (T, N, I), got {x.shape}")
    if w_ih.shape != (gates * H, x.shape[2]) or w_hh.shape != (gates * H, H):
        raise ValueError(
            f"{op}: expected weight_ih ({gates * H}, {x.shape[2]}) and weight_hh "
            f"({gates * H}, {H}) for input {x.shape}, got {w_ih.shape} and {w_hh.shape}"
        )
    for s in states:
        if s is not None and s.shape != (x.shape[1], H):
            raise ValueError(
                f"{op}: expected an initial state of shape (N, H) = {(x.shape[1], H)}, "
                f"got {s.shape}"
            )
    dtypes = {a.dtype for a in (x, w_ih, w_hh, *states) if a is not None}
    if len(dtypes) != 1:
        raise TypeError(
            f"{op}: input {x.dtype}, weights {w_ih.dtype} and states must share one floating "
            "dtype; convert the input with .to(weight.dtype)"
        )


def input_gates(x: Any, w_ih: Any, bias: Any) -> Any:
    """gx = x @ W_ih.T + bias for all T*N rows of x (T, N, I) in one GEMM -> (T, N, G)."""
    T, N, I = x.shape
    gx = x.reshape(T * N, I) @ w_ih.T
    if bias is not None:
        gx += bias
    return gx.reshape(T, N, -1)


def add_biases(b_ih: Any, b_hh: Any) -> Any:
    """b_ih + b_hh, or None without biases (PyTorch has both or neither)."""
    if b_ih is None:
        return b_hh
    return b_ih if b_hh is None else b_ih + b_hh


def steps(T: int, reverse: bool) -> range:
    """The time steps in the order the recurrence visits them."""
    return range(T - 1, -1, -1) if reverse else range(T)


def after_first(T: int, reverse: bool) -> tuple[slice, slice, int]:
    """(steps after the first visited, their previous steps, the first step) as slices of T:
    step t's previous state is y[t - 1] forward and y[t + 1] in reverse."""
    if reverse:
        return slice(0, T - 1), slice(1, T), T - 1
    return slice(1, T), slice(0, T - 1), 0


def initial_state(s: Any, N: int, H: int, dtype: Any, xp: Any) -> Any:
    return xp.zeros((N, H), dtype=dtype) if s is None else s


def weight_grads(ctx: Any, dA: Any, dAh: Any, x: Any, w_ih: Any, y: Any, h0: Any) -> tuple:
    """(dx, dW_ih, dW_hh, db_ih, db_hh) from dA = dL/d(x-side pre-activations) (T, N, G) and
    dAh = dL/d(h-side ones) (the same array for RNN and LSTM): one GEMM or sum each.

    dW_hh = sum_t dAh_t.T @ h_prev_t, split in two GEMMs so the previous states need no
    stacking: the steps after the first read y shifted by one, the first reads h0.
    """
    need_x, need_wih, need_whh, need_bih, need_bhh = ctx.needs_input_grad[:5]
    T, N, I = x.shape
    G, H = dA.shape[2], y.shape[2]
    dA2, dAh2 = dA.reshape(T * N, G), dAh.reshape(T * N, G)
    dx = (dA2 @ w_ih).reshape(x.shape) if need_x else None
    dw_ih = dA2.T @ x.reshape(T * N, I) if need_wih else None
    dw_hh = None
    if need_whh:
        rest, prev, first = after_first(T, ctx.reverse)
        dw_hh = dAh[rest].reshape(-1, G).T @ y[prev].reshape(-1, H)
        if h0 is not None:
            dw_hh += dAh[first].T @ h0
    db_ih = dA2.sum(axis=0) if need_bih else None
    db_hh = None
    if need_bhh:
        db_hh = dAh2.sum(axis=0) if dAh is not dA or db_ih is None else db_ih.copy()
    return dx, dw_ih, dw_hh, db_ih, db_hh


class RNN(Function):
    """h_t = act(x_t W_ih.T + b_ih + h_{t-1} W_hh.T + b_hh), act = tanh or relu, over all t;
    out = (h_1 .. h_T) (T, N, H);  BPTT: dA_t = (g_t + dA_{t+1} W_hh) act'(h_t), then
    dW_ih = dA.T x, dW_hh = dA.T h_prev, db = sum dA, dx = dA W_ih, dh0 = dA_first W_hh."""

    @staticmethod
    def forward(
        ctx: Any,
        x: Any,
        w_ih: Any,
        w_hh: Any,
        b_ih: Any,
        b_hh: Any,
        h0: Any,
        *,
        nonlinearity: str = "tanh",
        reverse: bool = False,
    ) -> Any:
        xp = ctx.xp
        check_rnn_args(f"rnn_{nonlinearity}", x, w_ih, w_hh, 1, (h0,))
        T, N, _ = x.shape
        H = w_hh.shape[1]
        gx = input_gates(x, w_ih, add_biases(b_ih, b_hh))  # (T, N, H)
        y = xp.empty((T, N, H), dtype=x.dtype)
        # A contiguous copy of W_hh.T: OpenBLAS's AVX-512 kernels run the small per-step GEMM
        # 1.4x faster from it than from the transposed view.
        h, w_hh_t = initial_state(h0, N, H, x.dtype, xp), xp.ascontiguousarray(w_hh.T)
        for t in steps(T, reverse):
            a = y[t]
            xp.matmul(h, w_hh_t, out=a)
            a += gx[t]
            if nonlinearity == "tanh":
                xp.tanh(a, out=a)
            else:
                xp.maximum(a, 0, out=a)
            h = a
        ctx.save_for_backward(x, w_ih, w_hh, h0, y)
        ctx.reverse, ctx.nonlinearity = reverse, nonlinearity
        return y

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        xp = ctx.xp
        x, w_ih, w_hh, h0, y = ctx.saved_tensors
        T, N, H = y.shape
        if ctx.nonlinearity == "tanh":
            dA = y * y
            xp.subtract(1, dA, out=dA)  # tanh' = 1 - h^2
        else:
            dA = (y > 0).astype(y.dtype)
        dh, dh_rec = xp.empty((N, H), dtype=y.dtype), xp.zeros((N, H), dtype=y.dtype)
        for t in steps(T, not ctx.reverse):
            xp.add(g[t], dh_rec, out=dh)
            dA[t] *= dh
            xp.matmul(dA[t], w_hh, out=dh_rec)
        return (*weight_grads(ctx, dA, dA, x, w_ih, y, h0), dh_rec)


class LSTM(Function):
    """i, f, g, o = sig, sig, tanh, sig of (x_t W_ih.T + b_ih + h_{t-1} W_hh.T + b_hh);
    c_t = f c_{t-1} + i g;  h_t = o tanh(c_t);  out = (h_1 .. h_T, c_T) stacked (T + 1, N, H);
    BPTT: dc_t = dc_{t+1} f_{t+1} + dh_t o (1 - tanh^2 c_t), d(i, f, g, o) = (dc g, dc c_{t-1},
    dc i, dh tanh c_t) times the activations' derivatives, dh_{t-1} = dA_t W_hh.

    A node has one output, so the final cell state rides along as row T of ``out``.
    """

    @staticmethod
    def forward(
        ctx: Any,
        x: Any,
        w_ih: Any,
        w_hh: Any,
        b_ih: Any,
        b_hh: Any,
        h0: Any,
        c0: Any,
        *,
        reverse: bool = False,
    ) -> Any:
        xp = ctx.xp
        check_rnn_args("lstm", x, w_ih, w_hh, 4, (h0, c0))
        T, N, _ = x.shape
        H = w_hh.shape[1]
        sig = (slice(0, 2 * H), slice(3 * H, 4 * H))  # i, f and o; g (2H:3H) is a tanh
        acts = input_gates(x, w_ih, add_biases(b_ih, b_hh))  # (T, N, 4H), gates in place
        w_half = w_hh.copy()
        for s in sig:  # sig(a) = 0.5 tanh(0.5 a) + 0.5: halve the sigmoid rows once
            acts[..., s] *= 0.5
            w_half[s] *= 0.5
        out = xp.empty((T + 1, N, H), dtype=x.dtype)
        cs, tanh_cs = xp.empty((T, N, H), dtype=x.dtype), xp.empty((T, N, H), dtype=x.dtype)
        buf, ig = xp.empty((N, 4 * H), dtype=x.dtype), xp.empty((N, H), dtype=x.dtype)
        h, c = initial_state(h0, N, H, x.dtype, xp), initial_state(c0, N, H, x.dtype, xp)
        w_half_t = xp.ascontiguousarray(w_half.T)  # faster per-step GEMMs, see RNN
        for t in steps(T, reverse):
            a = acts[t]  # (N, 4H)
            xp.matmul(h, w_half_t, out=buf)
            a += buf
            xp.tanh(a, out=a)
            for s in sig:
                a[:, s] *= 0.5
                a[:, s] += 0.5
            xp.multiply(a[:, H : 2 * H], c, out=cs[t])  # f c_{t-1}
            xp.multiply(a[:, :H], a[:, 2 * H : 3 * H], out=ig)  # i g
            cs[t] += ig
            xp.tanh(cs[t], out=tanh_cs[t])
            xp.multiply(a[:, 3 * H :], tanh_cs[t], out=out[t])
            h, c = out[t], cs[t]
        out[T] = c
        ctx.save_for_backward(x, w_ih, w_hh, h0, c0, out)
        ctx.acts, ctx.cs, ctx.tanh_cs, ctx.reverse = acts, cs, tanh_cs, reverse
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        xp = ctx.xp
        x, w_ih, w_hh, h0, c0, out = ctx.saved_tensors
        acts, cs, tanh_cs, reverse = ctx.acts, ctx.cs, ctx.tanh_cs, ctx.reverse
        T, N, H = cs.shape
        y = out[:T]
        # For every step at once: the factor of dc (gates i, f, g) or dh (gate o) that gives
        # each gate's pre-activation gradient, and k = d c_t / d h_t through tanh = o (1 - tc^2).
        a4 = acts.reshape(T, N, 4, H)
        i, f, gg, o = (a4[:, :, k] for k in range(4))
        factor = xp.subtract(1, a4)
        factor *= a4  # sig' = s (1 - s) for i, f, o
        xp.multiply(gg, gg, out=factor[:, :, 2])
        xp.subtract(1, factor[:, :, 2], out=factor[:, :, 2])  # tanh' = 1 - g^2
        factor[:, :, 0] *= gg  # di = dc g sig'(i)
        rest, prev, first = after_first(T, reverse)
        factor[rest, :, 1] *= cs[prev]  # df = dc c_{t-1} sig'(f)
        if c0 is not None:
            factor[first, :, 1] *= c0
        else:
            factor[first, :, 1] = 0
        factor[:, :, 2] *= i  # dg = dc i tanh'(g)
        factor[:, :, 3] *= tanh_cs  # do = dh tanh(c) sig'(o)
        k = tanh_cs * tanh_cs
        xp.subtract(1, k, out=k)
        k *= o

        # The loop turns each step's factors into that step's dA in place (no second array:
        # fresh memory costs page faults).
        dh, tmp = xp.empty((N, H), dtype=y.dtype), xp.empty((N, H), dtype=y.dtype)
        dh_rec, dc = xp.zeros((N, H), dtype=y.dtype), g[T].copy()
        for t in steps(T, not reverse):
            xp.add(g[t], dh_rec, out=dh)
            xp.multiply(dh, k[t], out=tmp)
            dc += tmp
            xp.multiply(factor[t, :, :3], dc[:, None, :], out=factor[t, :, :3])  # di, df, dg
            factor[t, :, 3] *= dh  # do
            dc *= f[t]  # dc_{t-1}
            xp.matmul(factor[t].reshape(N, 4 * H), w_hh, out=dh_rec)
        dA = factor.reshape(T, N, 4 * H)
        return (*weight_grads(ctx, dA, dA, x, w_ih, y, h0), dh_rec, dc)
