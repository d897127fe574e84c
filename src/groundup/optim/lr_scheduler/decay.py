"""Fixed decays of the learning rate: step, multi-step, exponential, linear, cosine.

Each ``get_lr`` is PyTorch's recursive form (the new lr from the current one), so the
values agree with PyTorch to the last bit, also when other code changes ``group["lr"]``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from typing import Any

from groundup.optim.lr_scheduler.scheduler import LRScheduler
from groundup.optim.optimizer import Optimizer

__all__ = ["StepLR", "MultiStepLR", "ExponentialLR", "LinearLR", "CosineAnnealingLR"]


class StepLR(LRScheduler):
    """Multiply the lr by ``gamma`` every ``step_size`` epochs: lr = base_lr γ^⌊epoch / s⌋.

    Parameters
    ----------
    optimizer : Optimizer
    step_size : int
    gamma : float, default=0.1
    last_epoch : int, default=-1

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup import optim
    >>> opt = optim.SGD([gu.zeros(1, requires_grad=True)], lr=1.0)
    >>> sched = optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    >>> for _ in range(4):
    ...     sched.step()
    >>> sched.get_last_lr()
    [0.25]
    """

    def __init__(
        self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1
    ) -> None:
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._group_lrs()
        return [lr * self.gamma for lr in self._group_lrs()]


class MultiStepLR(LRScheduler):
    """Multiply the lr by ``gamma`` at each milestone epoch: lr = base_lr γ^(milestones passed).

    Parameters
    ----------
    optimizer : Optimizer
    milestones : iterable of int
        Epochs at which to decay (a repeated epoch decays that many times).
    gamma : float, default=0.1
    last_epoch : int, default=-1

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup import optim
    >>> opt = optim.SGD([gu.zeros(1, requires_grad=True)], lr=1.0)
    >>> sched = optim.lr_scheduler.MultiStepLR(opt, milestones=[1, 3], gamma=0.5)
    >>> lrs = []
    >>> for _ in range(4):
    ...     sched.step()
    ...     lrs.append(sched.get_last_lr()[0])
    >>> lrs
    [0.5, 0.5, 0.25, 0.25]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        milestones: Iterable[int],
        gamma: float = 0.1,
        last_epoch: int = -1,
    ) -> None:
        self.milestones = Counter(milestones)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch not in self.milestones:
            return self._group_lrs()
        return [lr * self.gamma ** self.milestones[self.last_epoch] for lr in self._group_lrs()]

    def state_dict(self) -> dict[str, Any]:
        """As the base class, with ``milestones`` as a sorted list (a JSON-safe form)."""
        state = super().state_dict()
        state["milestones"] = sorted(self.milestones.elements())
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """As the base class; ``milestones`` may be a list or a dict ``{epoch: count}``."""
        state = dict(state_dict)
        milestones = state.pop("milestones", None)
        super().load_state_dict(state)
        if isinstance(milestones, dict):
            self.milestones = Counter({int(k): int(v) for k, v in milestones.items()})
        elif milestones is not None:
            self.milestones = Counter(int(m) for m in milestones)


class ExponentialLR(LRScheduler):
    """Multiply the lr by ``gamma`` every epoch: lr = base_lr γ^epoch.

    Parameters
    ----------
    optimizer : Optimizer
    gamma : float
    last_epoch : int, default=-1

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup import optim
    >>> opt = optim.SGD([gu.zeros(1, requires_grad=True)], lr=1.0)
    >>> sched = optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
    >>> sched.step()
    >>> sched.step()
    >>> sched.get_last_lr()
    [0.25]
    """

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self._is_initial:
            return self._group_lrs()
        return [lr * self.gamma for lr in self._group_lrs()]


class LinearLR(LRScheduler):
    """Warm-up: scale the lr linearly from ``start_factor`` to ``end_factor`` over ``total_iters``.

    lr = base_lr (f0 + (f1 - f0) min(epoch, total_iters) / total_iters).

    Parameters
    ----------
    optimizer : Optimizer
    start_factor : float, default=1/3
        In (0, 1].
    end_factor : float, default=1.0
        In [0, 1].
    total_iters : int, default=5
    last_epoch : int, default=-1

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup import optim
    >>> opt = optim.SGD([gu.zeros(1, requires_grad=True)], lr=1.0)
    >>> sched = optim.lr_scheduler.LinearLR(opt, start_factor=0.25, total_iters=3)
    >>> lrs = [sched.get_last_lr()[0]]
    >>> for _ in range(4):
    ...     sched.step()
    ...     lrs.append(sched.get_last_lr()[0])
    >>> lrs
    [0.25, 0.5, 0.75, 1.0, 1.0]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        start_factor: float = 1.0 / 3,
        end_factor: float = 1.0,
        total_iters: int = 5,
        last_epoch: int = -1,
    ) -> None:
        if start_factor > 1.0 or start_factor <= 0:
            raise ValueError(
                "Starting multiplicative factor expected to be greater than 0 and less or "
                f"equal to 1, got start_factor={start_factor}"
            )
        if end_factor > 1.0 or end_factor < 0:
            raise ValueError(
                f"Ending multiplicative factor expected to be between 0 and 1, got {end_factor}"
            )
        self.start_factor = start_factor
        self.end_factor = end_factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        f0, f1, n, epoch = self.start_factor, self.end_factor, self.total_iters, self.last_epoch
        if epoch == 0:
            return [lr * f0 for lr in self._group_lrs()]
        if self._is_initial or epoch > n:
            return self._group_lrs()
        # lr_e / lr_(e-1) = factor(e) / factor(e - 1), written as PyTorch writes it
        ratio = 1.0 + (f1 - f0) / (n * f0 + (epoch - 1) * (f1 - f0))
        return [lr * ratio for lr in self._group_lrs()]


class CosineAnnealingLR(LRScheduler):
    """Cosine annealing (Loshchilov & Hutter, 2017) from base_lr down to ``eta_min``.

    lr = eta_min + (base_lr - eta_min)(1 + cos(π epoch / T_max)) / 2, computed as PyTorch
    does, recursively from the previous lr (past ``T_max`` it rises again, periodically).

    Parameters
    ----------
    optimizer : Optimizer
    T_max : int
        Epochs from base_lr to eta_min.
    eta_min : float, default=0
    last_epoch : int, default=-1

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup import optim
    >>> opt = optim.SGD([gu.zeros(1, requires_grad=True)], lr=1.0)
    >>> sched = optim.lr_scheduler.CosineAnnealingLR(opt, T_max=2)
    >>> sched.step()
    >>> round(sched.get_last_lr()[0], 6)
    0.5
    """

    def __init__(
        self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1
    ) -> None:
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        e, T, eta_min = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return self._group_lrs()
        if self._step_count == 1 and e > 0:  # the closed form, when resuming
            return [
                eta_min + (base - eta_min) * (1 + math.cos(e * math.pi / T)) / 2
                for base in self.base_lrs
            ]
        if (e - 1 - T) % (2 * T) == 0:  # the bottom of a period: step back up
            return [
                lr + (base - eta_min) * (1 - math.cos(math.pi / T)) / 2
                for base, lr in zip(self.base_lrs, self._group_lrs())
            ]
        ratio = (1 + math.cos(math.pi * e / T)) / (1 + math.cos(math.pi * (e - 1) / T))
        return [ratio * (lr - eta_min) + eta_min for lr in self._group_lrs()]
