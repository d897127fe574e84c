"""One time step of a recurrent layer: ``RNNCell``, ``LSTMCell`` and ``GRUCell``.

A cell is the sequence op of ``ops/rnn.py`` run on a sequence of length 1, so the cells and
the layers share one implementation. Parameters ``weight_ih`` (G*H, I), ``weight_hh``
(G*H, H), ``bias_ih`` and ``bias_hh`` (G*H,) and their U(-1/sqrt(H), 1/sqrt(H)) init are
PyTorch's.
"""

from __future__ import annotations

import math
from typing import Any

from groundup.creation import empty
from groundup.nn import init
from groundup.nn.functional.rnn import gru_layer, lstm_layer, rnn_layer
from groundup.nn.module import Module
from groundup.nn.modules.rnn import check_size
from groundup.nn.parameter import Parameter
from groundup.tensor import Tensor

__all__ = ["RNNCell", "LSTMCell", "GRUCell"]


class _RNNCellBase(Module):
    """Parameters, init and input checks shared by the three cells (``gates`` blocks of H)."""

    gates = 1

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        name = type(self).__name__
        self.input_size = check_size(name, "input_size", input_size, 0)
        self.hidden_size = check_size(name, "hidden_size", hidden_size, 1)
        self.bias = bias
        kw = {"dtype": dtype, "device": device or "cpu"}
        G = self.gates * hidden_size
        self.weight_ih = Parameter(empty(G, input_size, **kw))
        self.weight_hh = Parameter(empty(G, hidden_size, **kw))
        if bias:
            self.bias_ih = Parameter(empty(G, **kw))
            self.bias_hh = Parameter(empty(G, **kw))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's init: every weight and bias from U(-1/sqrt(H), 1/sqrt(H))."""
        k = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            init.uniform_(p, -k, k)

    def _name(self) -> str:
        return (
            f"{type(self).__name__}(input_size={self.input_size}, hidden_size={self.hidden_size})"
        )

    def _sequence(self, input: Any) -> tuple[Tensor, bool]:  # noqa: A002
        """The input as a length-1 sequence (1, N, I) and whether it was batched."""
        if not isinstance(input, Tensor):
            raise TypeError(f"{self._name()}: expected a Tensor input, got {type(input).__name__}")
        if input.ndim not in (1, 2) or input.shape[-1] != self.input_size or 0 in input.shape:
            raise ValueError(
                f"{self._name()}: expected input of shape (N, {self.input_size}) or "
                f"({self.input_size},), got {input.shape}"
            )
        batched = input.ndim == 2
        return (input if batched else input.unsqueeze(0)).unsqueeze(0), batched

    def _state(self, what: str, h: Any, n: int, batched: bool) -> Tensor | None:
        if h is None:
            return None
        expected = (n, self.hidden_size) if batched else (self.hidden_size,)
        if not isinstance(h, Tensor) or h.shape != expected:
            got = h.shape if isinstance(h, Tensor) else type(h).__name__
            raise ValueError(f"{self._name()}: expected {what} of shape {expected}, got {got}")
        return h if batched else h.unsqueeze(0)

    def _weights(self) -> tuple:
        return self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        nonlinearity = self.__dict__.get("nonlinearity", "tanh")
        return s if nonlinearity == "tanh" else f"{s}, nonlinearity={nonlinearity}"


def _unbatch(h: Tensor, batched: bool) -> Tensor:
    return h if batched else h.squeeze(0)


class RNNCell(_RNNCellBase):
    """h' = act(x W_ih.T + b_ih + h W_hh.T + b_hh), act = tanh or relu.

    Shape: input (N, I) or (I,), hx (N, H) or (H,) (zeros when None) -> h' like hx.

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup import nn
    >>> cell = nn.RNNCell(10, 20, nonlinearity="relu")
    >>> cell(gu.randn(3, 10)).shape
    (3, 20)
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        nonlinearity: str = "tanh",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(
                f"RNNCell: unknown nonlinearity {nonlinearity!r}; use 'tanh' or 'relu'"
            )
        super().__init__(input_size, hidden_size, bias, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:  # noqa: A002
        x, batched = self._sequence(input)
        h = self._state("hx", hx, x.shape[1], batched)
        _, h_new = rnn_layer(x, *self._weights(), h, self.nonlinearity)
        return _unbatch(h_new, batched)


class LSTMCell(_RNNCellBase):
    """(i, f, g, o) = (sig, sig, tanh, sig)(x W_ih.T + b_ih + h W_hh.T + b_hh);
    c' = f c + i g;  h' = o tanh(c').

    Shape: input (N, I) or (I,), hx = (h, c) each (N, H) or (H,) (zeros when None) ->
    (h', c').

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup import nn
    >>> cell = nn.LSTMCell(10, 20)
    >>> h, c = cell(gu.randn(3, 10))
    >>> h.shape, c.shape, cell.weight_ih.shape
    ((3, 20), (3, 20), (80, 10))
    """

    gates = 4

    def forward(
        self,
        input: Tensor,  # noqa: A002
        hx: tuple[Tensor, Tensor] | None = None,
    ) -> tuple[Tensor, Tensor]:
        x, batched = self._sequence(input)
        if hx is None:
            h = c = None
        elif isinstance(hx, (tuple, list)) and len(hx) == 2:
            h = self._state("h", hx[0], x.shape[1], batched)
            c = self._state("c", hx[1], x.shape[1], batched)
        else:
            raise TypeError(f"{self._name()}: hx must be a tuple (h, c), got {type(hx).__name__}")
        _, (h_new, c_new) = lstm_layer(x, *self._weights(), h, c)
        return _unbatch(h_new, batched), _unbatch(c_new, batched)


class GRUCell(_RNNCellBase):
    """r, z = sig(x W_ir.T + b_ir + h W_hr.T + b_hr), sig(... z ...);
    n = tanh(x W_in.T + b_in + r (h W_hn.T + b_hn));  h' = (1 - z) n + z h.

    Shape: input (N, I) or (I,), hx (N, H) or (H,) (zeros when None) -> h' like hx.

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup import nn
    >>> cell = nn.GRUCell(10, 20)
    >>> cell(gu.randn(10)).shape
    (20,)
    """

    gates = 3

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:  # noqa: A002
        x, batched = self._sequence(input)
        h = self._state("hx", hx, x.shape[1], batched)
        _, h_new = gru_layer(x, *self._weights(), h)
        return _unbatch(h_new, batched)
