"""RMSprop (Hinton, Coursera lecture 6e, 2012), with momentum and the centered variant."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from groundup.backend import get_xp
from groundup.optim.optimizer import Optimizer, lerp_

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """RMSprop: divide the gradient by a running root-mean-square of it, as in PyTorch.

    Per step, with g the gradient (negated when ``maximize``)::

        g = g + λ p                         (weight_decay λ, L2)
        v = α v + (1 - α) g²
        a = √v + ε         centered: a = √(v - ḡ²) + ε,  ḡ = α ḡ + (1 - α) g
        b = μ b + g / a,  p = p - γ b       (momentum μ > 0)
        p = p - γ g / a                     (momentum μ = 0)

    Parameters
    ----------
    params : iterable of Tensor or dict
        Parameters or parameter groups (see ``Optimizer``).
    lr : float, default=1e-2
    alpha : float, default=0.99
        α: decay rate of the average of g².
    eps : float, default=1e-8
    weight_decay : float, default=0
    momentum : float, default=0
    centered : bool, default=False
        Normalise by an estimate of the variance of g instead of its second moment.
    maximize : bool, default=False

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup import optim
    >>> w = gu.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = optim.RMSprop([w], lr=0.01)
    >>> (w * w).sum().backward()
    >>> opt.step()
    >>> w
    tensor([ 0.9, -1.9], requires_grad=True)
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr,
            alpha=alpha,
            eps=eps,
            weight_decay=weight_decay,
            momentum=momentum,
            centered=centered,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        self._check_nonnegative(group, "lr", "eps", "momentum", "weight_decay", "alpha")

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, alpha, eps = float(group["lr"]), float(group["alpha"]), float(group["eps"])
        mu, centered = float(group["momentum"]), group["centered"]
        arrays = dict(square_avg=0.0)
        if mu > 0:
            arrays["momentum_buffer"] = 0.0
        if centered:
            arrays["grad_avg"] = 0.0
        for p in self._params_with_grad(group):
            xp, (t0, tmp) = get_xp(p.device), self._scratch(p)
            state = self._state(p, **arrays)
            state["step"] += 1
            v = state["square_avg"]
            g = self._grad(p, group, t0)  # g = ∇ + λ p
            v *= alpha  # v = α v + (1 - α) g²
            v += xp.multiply(xp.multiply(g, 1.0 - alpha, out=tmp), g, out=tmp)
            if centered:
                g_avg = state["grad_avg"]
                lerp_(g_avg, g, 1.0 - alpha, tmp, xp)  # ḡ = α ḡ + (1 - α) g
                a = xp.subtract(v, xp.multiply(g_avg, g_avg, out=tmp), out=tmp)  # v - ḡ²
                a = xp.sqrt(a, out=tmp)
            else:
                a = xp.sqrt(v, out=tmp)
            a += eps  # a = √v + ε
            if mu > 0:
                b = state["momentum_buffer"]
                b *= mu  # b = μ b + g / a
                b += xp.divide(g, a, out=t0)
                p.data -= xp.multiply(b, lr, out=t0)  # p = p - γ b
            else:
                update = xp.multiply(g, lr, out=t0)
                update /= a
                p.data -= update  # p = p - γ g / a
