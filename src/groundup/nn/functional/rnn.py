"""One recurrent layer in one direction over a whole sequence: the functions behind ``nn.RNN``,
``nn.LSTM``, ``nn.GRU`` and their cells. Each is ONE node of the graph (``ops/rnn.py``).

Shapes: x ``(T, N, I)`` (time first), weights in PyTorch's layout ``w_ih (G*H, I)``,
``w_hh (G*H, H)``, biases ``(G*H,)`` or None, states ``(N, H)`` or None (zeros), with G the
number of gates (1 RNN, 4 LSTM, 3 GRU). ``reverse=True`` reads the sequence from the end;
the output stays in time order, and the final state is then the one at t = 0.
"""

from __future__ import annotations

from groundup.ops.rnn import LSTM, RNN
from groundup.ops.rnn_gru import GRU
from groundup.tensor import Tensor

__all__ = ["rnn_layer", "lstm_layer", "gru_layer"]


def _final(y: Tensor, reverse: bool) -> Tensor:
    return y[0] if reverse else y[-1]


def rnn_layer(
    x: Tensor,
    w_ih: Tensor,
    w_hh: Tensor,
    b_ih: Tensor | None = None,
    b_hh: Tensor | None = None,
    h0: Tensor | None = None,
    nonlinearity: str = "tanh",
    reverse: bool = False,
) -> tuple[Tensor, Tensor]:
    """h_t = act(x_t w_ih.T + b_ih + h_{t-1} w_hh.T + b_hh) for all t; returns (y, h_n).

    Shape: x (T, N, I) -> y (T, N, H), h_n (N, H). ``nonlinearity`` is "tanh" or "relu".

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup.nn.functional.rnn import rnn_layer
    >>> y, h_n = rnn_layer(gu.ones(5, 2, 3), gu.zeros(4, 3), gu.zeros(4, 4))
    >>> y.shape, h_n.shape
    ((5, 2, 4), (2, 4))
    """
    if nonlinearity not in ("tanh", "relu"):
        raise ValueError(f"rnn_layer: unknown nonlinearity {nonlinearity!r}; use 'tanh' or 'relu'")
    y = RNN.apply(x, w_ih, w_hh, b_ih, b_hh, h0, nonlinearity=nonlinearity, reverse=reverse)
    return y, _final(y, reverse)


def lstm_layer(
    x: Tensor,
    w_ih: Tensor,
    w_hh: Tensor,
    b_ih: Tensor | None = None,
    b_hh: Tensor | None = None,
    h0: Tensor | None = None,
    c0: Tensor | None = None,
    reverse: bool = False,
) -> tuple[Tensor, tuple[Tensor, Tensor]]:
    """LSTM (gates i, f, g, o) over all t; returns (y, (h_n, c_n)).

    c_t = f c_{t-1} + i g, h_t = o tanh(c_t). Shape: x (T, N, I) -> y (T, N, H), h_n and
    c_n (N, H).

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup.nn.functional.rnn import lstm_layer
    >>> y, (h_n, c_n) = lstm_layer(gu.ones(5, 2, 3), gu.zeros(16, 3), gu.zeros(16, 4))
    >>> y.shape, c_n.shape
    ((5, 2, 4), (2, 4))
    """
    out = LSTM.apply(x, w_ih, w_hh, b_ih, b_hh, h0, c0, reverse=reverse)  # (T + 1, N, H)
    T = out.shape[0] - 1
    y = out[:T]
    return y, (_final(y, reverse), out[T])


def gru_layer(
    x: Tensor,
    w_ih: Tensor,
    w_hh: Tensor,
    b_ih: Tensor | None = None,
    b_hh: Tensor | None = None,
    h0: Tensor | None = None,
    reverse: bool = False,
) -> tuple[Tensor, Tensor]:
    """GRU (gates r, z, n; n = tanh(W_in x + b_in + r (W_hn h + b_hn))) over all t;
    returns (y, h_n).

    Shape: x (T, N, I) -> y (T, N, H), h_n (N, H).

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup.nn.functional.rnn import gru_layer
    >>> y, h_n = gru_layer(gu.ones(5, 2, 3), gu.zeros(12, 3), gu.zeros(12, 4))
    >>> y.shape, h_n.shape
    ((5, 2, 4), (2, 4))
    """
    y = GRU.apply(x, w_ih, w_hh, b_ih, b_hh, h0, reverse=reverse)
    return y, _final(y, reverse)
