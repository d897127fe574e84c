"""Stochastic gradient descent with momentum (Polyak's heavy ball, or Nesterov's)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from groundup.backend import get_xp
from groundup.optim.optimizer import Optimizer

__all__ = ["SGD"]


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum, as in PyTorch.

    Per step, with g the gradient (negated when ``maximize``)::

        g = g + λ p                         (weight_decay λ, L2)
        b = μ b + (1 - τ) g                 (momentum μ, dampening τ; b = g at the first step)
        g = g + μ b  if nesterov, else  b
        p = p - γ g                         (learning rate γ)

    Parameters
    ----------
    params : iterable of Tensor or dict
        Parameters or parameter groups (see ``Optimizer``).
    lr : float, default=1e-3
    momentum : float, default=0
    dampening : float, default=0
    weight_decay : float, default=0
    nesterov : bool, default=False
        Nesterov momentum (Sutskever et al., 2013); needs momentum > 0 and no dampening.
    maximize : bool, default=False
        Ascend the objective instead of descending it.

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup import optim
    >>> w = gu.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = optim.SGD([w], lr=0.1, momentum=0.9)
    >>> (w * w).sum().backward()
    >>> opt.step()
    >>> w
    tensor([ 0.8, -1.6], requires_grad=True)
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr,
            momentum=momentum,
            dampening=dampening,
            weight_decay=weight_decay,
            nesterov=nesterov,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        self._check_nonnegative(group, "lr", "momentum", "weight_decay")
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, mu, tau = float(group["lr"]), float(group["momentum"]), float(group["dampening"])
        for p in self._params_with_grad(group):
            xp, (t0, t) = get_xp(p.device), self._scratch(p)
            g = self._grad(p, group, t0)  # g = ∇ + λ p
            if mu:
                state = self.state.setdefault(p, {})
                b = state.get("momentum_buffer")
                if b is None:
                    b = state["momentum_buffer"] = g.copy()  # b = g at the first step
                else:
                    b *= mu  # b = μ b + (1 - τ) g
                    b += g if tau == 0.0 else xp.multiply(g, 1.0 - tau, out=t)
                if group["nesterov"]:
                    g = xp.add(g, xp.multiply(b, mu, out=t), out=t)  # g = g + μ b
                else:
                    g = b
            p.data -= xp.multiply(g, lr, out=t)  # p = p - γ g
