"""Adam (Kingma & Ba, 2015), its AMSGrad variant, and AdamW (decoupled weight decay)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from groundup.backend import get_xp
from groundup.optim.optimizer import Optimizer, lerp_

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    """Adam: steps scaled by running averages of the gradient and its square, as in PyTorch.

    Per step t, with g the gradient (negated when ``maximize``)::

        g = g + λ p                              (weight_decay λ, L2; AdamW: p = p (1 - γλ))
        m = β1 m + (1 - β1) g
        v = β2 v + (1 - β2) g²                   (amsgrad: v_max = max(v_max, v), used for v)
        p = p - γ / (1 - β1^t) · m / (√v / √(1 - β2^t) + ε)

    Parameters
    ----------
    params : iterable of Tensor or dict
        Parameters or parameter groups (see ``Optimizer``).
    lr : float, default=1e-3
    betas : (float, float), default=(0.9, 0.999)
        β1, β2: decay rates of the averages m and v, each in [0, 1).
    eps : float, default=1e-8
    weight_decay : float, default=0
    amsgrad : bool, default=False
        Normalise by the largest v so far (Reddi et al., 2018).
    maximize : bool, default=False
    decoupled_weight_decay : bool, default=False
        Shrink the weights directly instead of adding λ p to g (this makes it AdamW).

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup import optim
    >>> w = gu.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = optim.Adam([w], lr=0.1)
    >>> (w * w).sum().backward()
    >>> opt.step()
    >>> w
    tensor([ 0.9, -1.9], requires_grad=True)
    >>> sorted(opt.state[w])
    ['exp_avg', 'exp_avg_sq', 'step']
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        decoupled_weight_decay: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr,
            betas=betas,
            eps=eps,
            weight_decay=weight_decay,
            amsgrad=amsgrad,
            maximize=maximize,
            decoupled_weight_decay=decoupled_weight_decay,
        )
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        self._check_nonnegative(group, "lr", "eps")
        betas = group["betas"]
        if len(betas) != 2:
            raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}")
        for i, beta in enumerate(betas):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"Invalid beta parameter at index {i}: {beta}")
        self._check_nonnegative(group, "weight_decay")

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, eps, wd = float(group["lr"]), float(group["eps"]), float(group["weight_decay"])
        b1, b2 = (float(b) for b in group["betas"])
        amsgrad, decoupled = group["amsgrad"], group["decoupled_weight_decay"]
        moments = dict(exp_avg=0.0, exp_avg_sq=0.0, **({"max_exp_avg_sq": 0.0} if amsgrad else {}))
        for p in self._params_with_grad(group):
            xp, (t0, tmp) = get_xp(p.device), self._scratch(p)
            state = self._state(p, **moments)
            state["step"] += 1
            t, m, v = state["step"], state["exp_avg"], state["exp_avg_sq"]
            if decoupled and wd:
                p.data *= 1.0 - lr * wd  # p = p (1 - γλ)   (AdamW)
            g = self._grad(p, group, t0, weight_decay=not decoupled)  # g = ∇ + λ p
            lerp_(m, g, 1.0 - b1, tmp, xp)  # m = β1 m + (1 - β1) g
            v *= b2  # v = β2 v + (1 - β2) g²
            v += xp.multiply(xp.multiply(g, 1.0 - b2, out=tmp), g, out=tmp)
            if amsgrad:
                v = xp.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
            step_size = lr / (1.0 - b1**t)  # γ / (1 - β1^t)
            denom = xp.sqrt(v, out=tmp)  # √v / √(1 - β2^t) + ε
            denom /= (1.0 - b2**t) ** 0.5
            denom += eps
            update = xp.multiply(m, step_size, out=t0)  # g is no longer needed
            update /= denom
            p.data -= update  # p = p - step_size · m / denom


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, 2019), as in PyTorch.

    The weights shrink by ``p = p (1 - γλ)`` before the Adam step, instead of λ p
    being added to the gradient (where Adam's scaling would weaken it).

    Parameters
    ----------
    params, lr, betas, eps, amsgrad, maximize
        As in ``Adam``.
    weight_decay : float, default=1e-2
        λ: the fraction of the weights removed per unit of learning rate.

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup import optim
    >>> w = gu.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = optim.AdamW([w], lr=0.1, weight_decay=0.5)
    >>> (w * w).sum().backward()
    >>> opt.step()
    >>> w
    tensor([ 0.85, -1.8 ], requires_grad=True)
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(
            params,
            lr=lr,
            betas=betas,
            eps=eps,
            weight_decay=weight_decay,
            amsgrad=amsgrad,
            maximize=maximize,
            decoupled_weight_decay=True,
        )
