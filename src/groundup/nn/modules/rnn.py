"""Recurrent layers: ``RNN`` (tanh or relu), ``LSTM`` and ``GRU``, stacked and bidirectional.

Parameter names, shapes, gate order and initialisation are PyTorch's, so a PyTorch
``state_dict`` loads as is. Each layer-direction runs as ONE node of the graph with its
input projection for all time steps done as one GEMM (``nn/functional/rnn.py``,
``ops/rnn.py``). The cells (``RNNCell``, ``LSTMCell``, ``GRUCell``) are in ``rnn_cell.py``.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

from groundup.combine import cat, stack
from groundup.creation import empty
from groundup.nn import functional as F
from groundup.nn import init
from groundup.nn.functional.rnn import gru_layer, lstm_layer, rnn_layer
from groundup.nn.module import Module
from groundup.nn.parameter import Parameter
from groundup.tensor import Tensor

__all__ = ["RNNBase", "RNN", "LSTM", "GRU"]

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def check_size(layer: str, name: str, value: Any, low: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < low:
        raise ValueError(f"{layer}: {name} must be an int >= {low}, got {value!r}")
    return value


class RNNBase(Module):
    """What ``RNN``, ``LSTM`` and ``GRU`` share: parameters, checks and the layer loop.

    For layer k and direction suffix s ("" or "_reverse") the parameters are
    ``weight_ih_l{k}{s}`` (G*H, I_k), ``weight_hh_l{k}{s}`` (G*H, H), ``bias_ih_l{k}{s}``
    and ``bias_hh_l{k}{s}`` (G*H,), with G gates, I_0 = input_size and
    I_k = H * num_directions above; all drawn from U(-1/sqrt(H), 1/sqrt(H)).
    """

    def __init__(
        self,
        mode: str,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        name = type(self).__name__
        self.mode = mode
        self.input_size = check_size(name, "input_size", input_size, 0)
        self.hidden_size = check_size(name, "hidden_size", hidden_size, 1)
        self.num_layers = check_size(name, "num_layers", num_layers, 1)
        if isinstance(dropout, bool) or not isinstance(dropout, (int, float)):
            raise ValueError(f"{name}: dropout must be a number in [0, 1], got {dropout!r}")
        if not 0 <= dropout <= 1:
            raise ValueError(f"{name}: dropout must be a number in [0, 1], got {dropout}")
        if dropout > 0 and num_layers == 1:
            warnings.warn(
                f"{name}: dropout={dropout} acts between layers, so it does nothing with "
                "num_layers=1",
                stacklevel=2,
            )
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        gates = _GATES[mode] * hidden_size
        kw = {"dtype": dtype, "device": device or "cpu"}
        for layer in range(num_layers):
            layer_in = input_size if layer == 0 else hidden_size * self.num_directions
            for suffix in self._suffixes():
                tag = f"l{layer}{suffix}"
                setattr(self, f"weight_ih_{tag}", Parameter(empty(gates, layer_in, **kw)))
                setattr(self, f"weight_hh_{tag}", Parameter(empty(gates, hidden_size, **kw)))
                if bias:
                    setattr(self, f"bias_ih_{tag}", Parameter(empty(gates, **kw)))
                    setattr(self, f"bias_hh_{tag}", Parameter(empty(gates, **kw)))
        self.reset_parameters()

    @property
    def num_directions(self) -> int:
        return 2 if self.bidirectional else 1

    def _suffixes(self) -> tuple[str, ...]:
        return ("", "_reverse") if self.bidirectional else ("",)

    def reset_parameters(self) -> None:
        """PyTorch's init: every weight and bias from U(-1/sqrt(H), 1/sqrt(H))."""
        k = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            init.uniform_(p, -k, k)

    def flatten_parameters(self) -> None:
        """Does nothing (PyTorch packs weights for cuDNN here; kept so its code runs)."""

    def _weights(self, layer: int, suffix: str) -> tuple:
        tag = f"l{layer}{suffix}"
        w_ih, w_hh = getattr(self, f"weight_ih_{tag}"), getattr(self, f"weight_hh_{tag}")
        if not self.bias:
            return w_ih, w_hh, None, None
        return w_ih, w_hh, getattr(self, f"bias_ih_{tag}"), getattr(self, f"bias_hh_{tag}")

    def _name(self) -> str:
        return (
            f"{type(self).__name__}(input_size={self.input_size}, hidden_size={self.hidden_size})"
        )

    def _time_major(self, input: Any) -> tuple[Tensor, bool]:  # noqa: A002
        """The input as (T, N, I) and whether it was batched."""
        if not isinstance(input, Tensor):
            raise TypeError(f"{self._name()}: expected a Tensor input, got {type(input).__name__}")
        layout = "(N, L, {})" if self.batch_first else "(L, N, {})"
        if input.ndim not in (2, 3) or input.shape[-1] != self.input_size or 0 in input.shape:
            expected = layout.format(self.input_size)
            raise ValueError(
                f"{self._name()}: expected input of shape {expected} or (L, {self.input_size}) "
                f"unbatched, with L, N > 0 (batch_first={self.batch_first}), got {input.shape}"
            )
        if input.dtype != self.weight_ih_l0.dtype:
            raise TypeError(
                f"{self._name()}: input dtype {input.dtype} does not match weight dtype "
                f"{self.weight_ih_l0.dtype}; convert the input with .to({self.weight_ih_l0.dtype})"
            )
        if input.ndim == 2:
            return input.unsqueeze(1), False
        return (input.transpose(0, 1) if self.batch_first else input), True

    def _check_state(self, what: str, h: Any, n: int, batched: bool) -> Tensor:
        expected = (self.num_layers * self.num_directions, n, self.hidden_size)
        if not batched:
            expected = expected[:1] + expected[2:]
        if not isinstance(h, Tensor) or h.shape != expected:
            got = h.shape if isinstance(h, Tensor) else type(h).__name__
            raise ValueError(f"{self._name()}: expected {what} of shape {expected}, got {got}")
        return h if batched else h.unsqueeze(1)

    def _run(self, input: Tensor, states: tuple) -> tuple[Tensor, tuple, bool]:  # noqa: A002
        """All layers and directions. ``states`` are the initial (L*D, N, H) tensors or None;
        returns the output as given (batch_first, unbatched) and the final states (L*D, N, H)."""
        x, batched = self._time_major(input)
        states = tuple(
            None if s is None else self._check_state(what, s, x.shape[1], batched)
            for what, s in zip(("h0", "c0"), states)
        )
        finals: list[list] = [[] for _ in states]
        for layer in range(self.num_layers):
            if layer and self.dropout and self.training:
                x = F.dropout(x, self.dropout)
            outputs = []
            for d, suffix in enumerate(self._suffixes()):
                k = layer * self.num_directions + d
                init_k = [None if s is None else s[k] for s in states]
                y, last = self._layer(x, self._weights(layer, suffix), init_k, reverse=d == 1)
                outputs.append(y)
                for f, s in zip(finals, last):
                    f.append(s)
            x = outputs[0] if len(outputs) == 1 else cat(outputs, dim=2)
        final = tuple(stack(f) for f in finals)
        if not batched:
            return x.squeeze(1), tuple(s.squeeze(1) for s in final), batched
        return (x.transpose(0, 1) if self.batch_first else x), final, batched

    def _layer(self, x: Tensor, weights: tuple, states: list, reverse: bool) -> tuple:
        raise NotImplementedError

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s


_ARGS_DOC = """
    Parameters
    ----------
    input_size, hidden_size : int
        Features of each input step and of the hidden state H.
    num_layers : int, default 1
        Stacked layers; layer k > 0 reads the output of layer k - 1.
    bias : bool, default True
        Whether the layers have ``bias_ih`` and ``bias_hh``.
    batch_first : bool, default False
        Input and output as (N, L, features) instead of (L, N, features).
    dropout : float, default 0
        Dropout on the output of every layer but the last, in training mode only.
    bidirectional : bool, default False
        Run a second set of layers from the end of the sequence; outputs are concatenated.
"""


class RNN(RNNBase):
    """Elman RNN: h_t = act(x_t W_ih.T + b_ih + h_{t-1} W_hh.T + b_hh), act = tanh or relu.

    Shape: input (L, N, H_in) (or (N, L, H_in) with batch_first, or (L, H_in)), h0
    (D * num_layers, N, H) -> output (L, N, D * H), h_n (D * num_layers, N, H); D = 2 if
    bidirectional else 1.
    {args}    nonlinearity : {"tanh", "relu"}, default "tanh"

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup import nn
    >>> rnn = nn.RNN(10, 20, num_layers=2)
    >>> output, h_n = rnn(gu.randn(5, 3, 10), gu.zeros(2, 3, 20))
    >>> output.shape, h_n.shape
    ((5, 3, 20), (2, 3, 20))
    """

    def __init__(
        self, input_size: int, hidden_size: int, num_layers: int = 1, nonlinearity: str = "tanh",
        bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
        bidirectional: bool = False, device: Any = None, dtype: Any = None,
    ) -> None:  # fmt: skip
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNN: unknown nonlinearity {nonlinearity!r}; use 'tanh' or 'relu'")
        super().__init__(
            f"RNN_{nonlinearity.upper()}", input_size, hidden_size, num_layers, bias,
            batch_first, dropout, bidirectional, device, dtype,
        )  # fmt: skip
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> tuple[Tensor, Tensor]:  # noqa: A002
        output, (h_n,), _ = self._run(input, (hx,))
        return output, h_n

    def _layer(self, x: Tensor, weights: tuple, states: list, reverse: bool) -> tuple:
        y, h_n = rnn_layer(x, *weights, states[0], self.nonlinearity, reverse)
        return y, (h_n,)

    def extra_repr(self) -> str:
        s = super().extra_repr()
        return s if self.nonlinearity == "tanh" else f"{s}, nonlinearity={self.nonlinearity}"


class LSTM(RNNBase):
    """Long short-term memory: gates (i, f, g, o) = (sig, sig, tanh, sig) of
    x_t W_ih.T + b_ih + h_{t-1} W_hh.T + b_hh;  c_t = f c_{t-1} + i g;  h_t = o tanh(c_t).

    Shape: input (L, N, H_in) (or (N, L, H_in) with batch_first, or (L, H_in)), optional
    (h0, c0) each (D * num_layers, N, H) -> output (L, N, D * H), (h_n, c_n).
    {args}
    Examples
    --------
    >>> import groundup as gu
    >>> from groundup import nn
    >>> lstm = nn.LSTM(10, 20, batch_first=True, bidirectional=True)
    >>> output, (h_n, c_n) = lstm(gu.randn(3, 5, 10))
    >>> output.shape, h_n.shape, c_n.shape
    ((3, 5, 40), (2, 3, 20), (2, 3, 20))
    >>> lstm.weight_hh_l0_reverse.shape
    (80, 20)
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__("LSTM", *args, **kwargs)

    def forward(
        self,
        input: Tensor,  # noqa: A002
        hx: tuple[Tensor, Tensor] | None = None,
    ) -> tuple[Tensor, tuple[Tensor, Tensor]]:
        if hx is not None and (not isinstance(hx, (tuple, list)) or len(hx) != 2):
            raise TypeError(f"{self._name()}: hx must be a tuple (h0, c0), got {type(hx).__name__}")
        output, (h_n, c_n), _ = self._run(input, (None, None) if hx is None else tuple(hx))
        return output, (h_n, c_n)

    def _layer(self, x: Tensor, weights: tuple, states: list, reverse: bool) -> tuple:
        y, (h_n, c_n) = lstm_layer(x, *weights, states[0], states[1], reverse)
        return y, (h_n, c_n)


class GRU(RNNBase):
    """Gated recurrent unit: r, z = sig(W_ir x + b_ir + W_hr h + b_hr), sig(... z ...);
    n = tanh(W_in x + b_in + r (W_hn h + b_hn));  h_t = (1 - z) n + z h_{t-1}.

    Shape: input (L, N, H_in) (or (N, L, H_in) with batch_first, or (L, H_in)), h0
    (D * num_layers, N, H) -> output (L, N, D * H), h_n (D * num_layers, N, H).
    {args}
    Examples
    --------
    >>> import groundup as gu
    >>> from groundup import nn
    >>> gru = nn.GRU(10, 20, num_layers=2, dropout=0.1)
    >>> output, h_n = gru(gu.randn(5, 3, 10))
    >>> output.shape, h_n.shape
    ((5, 3, 20), (2, 3, 20))
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__("GRU", *args, **kwargs)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> tuple[Tensor, Tensor]:  # noqa: A002
        output, (h_n,), _ = self._run(input, (hx,))
        return output, h_n

    def _layer(self, x: Tensor, weights: tuple, states: list, reverse: bool) -> tuple:
        y, h_n = gru_layer(x, *weights, states[0], reverse)
        return y, (h_n,)


for _cls in (RNN, LSTM, GRU):
    _cls.__doc__ = _cls.__doc__.replace("{args}", _ARGS_DOC)
