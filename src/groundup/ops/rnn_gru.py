"""The GRU over a whole sequence as one node with a hand-written BPTT (see ``ops/rnn.py``).

Unlike the RNN and LSTM, the GRU's recurrent bias b_hn sits inside r * (...), so the two
projections are kept apart: gx = x W_ih.T + b_ih (one GEMM for all steps) and, per step,
gh = h W_hh.T + b_hh; their gradients differ only in the n block.
"""

from __future__ import annotations

from typing import Any

from groundup.autograd import Function
from groundup.ops.rnn import (
    after_first,
    check_rnn_args,
    initial_state,
    input_gates,
    steps,
    weight_grads,
)


class GRU(Function):
    """r, z = sig(gx_rz + gh_rz);  n = tanh(gx_n + r gh_n);  h_t = (1 - z) n + z h_{t-1}, with
    gx = x_t W_ih.T + b_ih, gh = h_{t-1} W_hh.T + b_hh;  out = (h_1 .. h_T) (T, N, H);
    BPTT: da_n = dh (1 - z)(1 - n^2), da_r = da_n gh_n r(1 - r), da_z = dh (h_{t-1} - n) z(1 - z),
    dgh = (da_r, da_z, da_n r), dh_{t-1} = dgh W_hh + dh z."""

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
        reverse: bool = False,
    ) -> Any:
        xp = ctx.xp
        check_rnn_args("gru", x, w_ih, w_hh, 3, (h0,))
        T, N, _ = x.shape
        H = w_hh.shape[1]
        acts = input_gates(x, w_ih, b_ih)  # (T, N, 3H): r, z, n, activated in place
        # sig(a) = 0.5 tanh(0.5 a) + 0.5: halve the r and z rows once (exact in floating point)
        acts[..., : 2 * H] *= 0.5
        w_half = w_hh.copy()
        w_half[: 2 * H] *= 0.5
        b_half = None
        if b_hh is not None:
            b_half = b_hh.copy()
            b_half[: 2 * H] *= 0.5
        gh_all = xp.empty((T, N, 3 * H), dtype=x.dtype)  # kept: backward reads gh_n
        y = xp.empty((T, N, H), dtype=x.dtype)
        tmp = xp.empty((N, H), dtype=x.dtype)
        w_half_t = xp.ascontiguousarray(w_half.T)  # faster per-step GEMMs, see ops/rnn.py
        h = initial_state(h0, N, H, x.dtype, xp)
        for t in steps(T, reverse):
            a, gh = acts[t], gh_all[t]
            xp.matmul(h, w_half_t, out=gh)
            if b_half is not None:
                gh += b_half
            rz, n = a[:, : 2 * H], a[:, 2 * H :]
            rz += gh[:, : 2 * H]
            xp.tanh(rz, out=rz)
            rz *= 0.5
            rz += 0.5
            xp.multiply(a[:, :H], gh[:, 2 * H :], out=tmp)  # r gh_n
            n += tmp
            xp.tanh(n, out=n)
            xp.subtract(h, n, out=tmp)
            tmp *= a[:, H : 2 * H]
            xp.add(n, tmp, out=y[t])  # n + z (h - n)
            h = y[t]
        ctx.save_for_backward(x, w_ih, w_hh, h0, y)
        ctx.acts, ctx.gh_n, ctx.reverse = acts, gh_all[..., 2 * H :], reverse
        return y

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        xp = ctx.xp
        x, w_ih, w_hh, h0, y = ctx.saved_tensors
        acts, gh_n, reverse = ctx.acts, ctx.gh_n, ctx.reverse
        T, N, H = y.shape
        r, z, n = (acts[..., k * H : (k + 1) * H] for k in range(3))
        # For all steps at once, in the array that becomes dgx (fresh memory costs page
        # faults): da_r = da_n q_r, da_z = dh q_z, da_n = dh q_n.
        dgx = xp.empty((T, N, 3 * H), dtype=y.dtype)  # dL / d(x-side pre-activations)
        q_r, q_z, q_n = (dgx[..., k * H : (k + 1) * H] for k in range(3))
        xp.subtract(1, r, out=q_r)
        q_r *= r
        q_r *= gh_n
        rest, prev, first = after_first(T, reverse)
        xp.subtract(y[prev], n[rest], out=q_z[rest])
        xp.subtract(initial_state(h0, N, H, y.dtype, xp), n[first], out=q_z[first])
        q_z *= z
        q_z *= 1 - z
        xp.multiply(n, n, out=q_n)
        xp.subtract(1, q_n, out=q_n)
        q_n *= 1 - z

        dgh = xp.empty((T, N, 3 * H), dtype=y.dtype)  # dL / d(h-side ones)
        dh, tmp = xp.empty((N, H), dtype=y.dtype), xp.empty((N, H), dtype=y.dtype)
        dh_rec = xp.zeros((N, H), dtype=y.dtype)
        for t in steps(T, not reverse):
            xp.add(g[t], dh_rec, out=dh)
            da_n = q_n[t]
            da_n *= dh
            xp.multiply(da_n, r[t], out=dgh[t, :, 2 * H :])
            q_r[t] *= da_n
            q_z[t] *= dh
            dgh[t, :, : 2 * H] = dgx[t, :, : 2 * H]
            xp.matmul(dgh[t], w_hh, out=dh_rec)
            xp.multiply(dh, z[t], out=tmp)
            dh_rec += tmp
        return (*weight_grads(ctx, dgx, dgh, x, w_ih, y, h0), dh_rec)
