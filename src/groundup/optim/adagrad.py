"""Adagrad (Duchi, Hazan & Singer, 2011): per-coordinate steps shrinking with past gradients."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from groundup.backend import get_xp
from groundup.optim.optimizer import Optimizer

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """Adagrad: divide by the root of the sum of all squared gradients so far, as in PyTorch.

    Per step t, with g the gradient (negated when ``maximize``)::

        g = g + λ p                          (weight_decay λ, L2)
        s = s + g²                           (s starts at initial_accumulator_value)
        p = p - γ / (1 + (t - 1) η) · g / (√s + ε)     (lr_decay η)

    Parameters
    ----------
    params : iterable of Tensor or dict
        Parameters or parameter groups (see ``Optimizer``).
    lr : float, default=1e-2
    lr_decay : float, default=0
    weight_decay : float, default=0
    initial_accumulator_value : float, default=0
    eps : float, default=1e-10
    maximize : bool, default=False

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup import optim
    >>> w = gu.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = optim.Adagrad([w], lr=0.1)
    >>> (w * w).sum().backward()
    >>> opt.step()
    >>> w
    tensor([ 0.9, -1.9], requires_grad=True)
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-2,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr,
            lr_decay=lr_decay,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
            eps=eps,
            maximize=maximize,
        )
        super().__init__(params, defaults)
        for group in self.param_groups:  # PyTorch fills the state here, before any step
            for p in group["params"]:
                self._state(p, sum=float(group["initial_accumulator_value"]))

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        self._check_nonnegative(
            group, "lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps"
        )

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, lr_decay, eps = float(group["lr"]), float(group["lr_decay"]), float(group["eps"])
        initial = float(group["initial_accumulator_value"])
        for p in self._params_with_grad(group):
            xp, (t0, tmp) = get_xp(p.device), self._scratch(p)
            state = self._state(p, sum=initial)
            state["step"] += 1
            s = state["sum"]
            g = self._grad(p, group, t0)  # g = ∇ + λ p
            s += xp.multiply(g, g, out=tmp)  # s = s + g²
            clr = lr / (1.0 + (state["step"] - 1) * lr_decay)  # γ / (1 + (t - 1) η)
            std = xp.sqrt(s, out=tmp)
            std += eps  # √s + ε
            update = xp.multiply(g, clr, out=t0)
            update /= std
            p.data -= update  # p = p - clr · g / (√s + ε)
