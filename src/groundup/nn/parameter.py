"""``Parameter``: a tensor that a ``Module`` registers as learnable when assigned to it."""

from __future__ import annotations

from typing import Any

from groundup.tensor import Tensor

__all__ = ["Parameter"]


class Parameter(Tensor):
    """A leaf tensor that requires grad by default and registers itself on a ``Module``.

    Parameters
    ----------
    data : Tensor or array_like, optional
        The values. A tensor's array is shared, not copied (as ``torch.nn.Parameter``);
        anything else is copied like ``gu.tensor``. Default: an empty float32 tensor.
    requires_grad : bool, default True

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup import nn
    >>> w = nn.Parameter(gu.zeros(2))
    >>> w
    Parameter containing:
    tensor([0., 0.], requires_grad=True)
    """

    __slots__ = ()

    def __init__(self, data: Any = None, requires_grad: bool = True) -> None:
        if not isinstance(data, Tensor):
            data = Tensor([] if data is None else data)
        self._set(data.data, data.device)
        self.requires_grad = requires_grad

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo: dict) -> Parameter:
        out = Parameter(Tensor._wrap(self.data.copy(), self.device), self._requires_grad)
        if self.grad is not None:
            out.grad = Tensor._wrap(self.grad.data.copy(), self.device)
        memo[id(self)] = out
        return out
