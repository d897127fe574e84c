"""The ``LRScheduler`` base class, and ``LambdaLR`` (lr = base_lr * f(epoch))."""

from __future__ import annotations

import copy
import types
from collections.abc import Callable, Sequence
from typing import Any

from groundup.optim.optimizer import Optimizer

__all__ = ["LRScheduler", "LambdaLR"]


class LRScheduler:
    """Base class of the schedules: ``step()`` moves to the next epoch and sets the lrs.

    A subclass writes ``get_lr()``: the learning rate of each parameter group at epoch
    ``last_epoch``, usually from the current ``group["lr"]`` (PyTorch's chainable form).

    Parameters
    ----------
    optimizer : Optimizer
        Its groups' ``"lr"`` is set at every step; ``"initial_lr"`` records the first one.
    last_epoch : int, default=-1
        The index of the last epoch done; -1 starts a new schedule. Resuming with a value
        >= 0 needs ``"initial_lr"`` in the groups (load the optimizer's state dict first).

    Attributes
    ----------
    base_lrs : list of float
        Each group's ``initial_lr``.
    last_epoch : int
        Steps taken so far (0 after construction).
    """

    _not_saved: tuple[str, ...] = ("optimizer",)  # attributes state_dict() leaves out

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(
                        f"param 'initial_lr' is not specified in param_groups[{i}] when "
                        "resuming a scheduler with last_epoch >= 0; load the optimizer's "
                        "state dict (saved with its scheduler) before creating the scheduler"
                    )
        self.base_lrs: list[float] = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._initial_step()

    def _initial_step(self) -> None:
        """The step made by the constructor: sets the lrs of epoch ``last_epoch + 1``."""
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def get_lr(self) -> list[float]:
        """The learning rate of each group at epoch ``last_epoch`` (subclasses)."""
        raise NotImplementedError

    def get_last_lr(self) -> list[float]:
        """The learning rates set by the last ``step()``, one per parameter group."""
        return self._last_lr

    def step(self) -> None:
        """Advance one epoch and write the new learning rates into the optimizer."""
        self._step_count += 1
        self.last_epoch += 1
        for group, lr in zip(self.optimizer.param_groups, self.get_lr(), strict=True):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def _group_lrs(self) -> list[float]:
        """Each group's current lr (what a schedule returns when it does not change it)."""
        return [group["lr"] for group in self.optimizer.param_groups]

    def state_dict(self) -> dict[str, Any]:
        """The scheduler's attributes (not the optimizer), as plain Python values."""
        return {k: copy.deepcopy(v) for k, v in self.__dict__.items() if k not in self._not_saved}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore the attributes saved by ``state_dict()``."""
        self.__dict__.update(copy.deepcopy(state_dict))


class LambdaLR(LRScheduler):
    """lr = base_lr * lr_lambda(epoch), with a function of the epoch (one per group, or one).

    Parameters
    ----------
    optimizer : Optimizer
    lr_lambda : callable or list of callables
        ``epoch -> factor``; a list gives one function per parameter group.
    last_epoch : int, default=-1

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup import optim
    >>> opt = optim.SGD([gu.zeros(1, requires_grad=True)], lr=0.1)
    >>> sched = optim.lr_scheduler.LambdaLR(opt, lambda epoch: 0.5**epoch)
    >>> sched.step()
    >>> sched.get_last_lr()
    [0.05]
    """

    _not_saved = ("optimizer", "lr_lambdas")

    def __init__(
        self,
        optimizer: Optimizer,
        lr_lambda: Callable[[int], float] | Sequence[Callable[[int], float]],
        last_epoch: int = -1,
    ) -> None:
        n_groups = len(optimizer.param_groups)
        if isinstance(lr_lambda, (list, tuple)):
            if len(lr_lambda) != n_groups:
                raise ValueError(f"Expected {n_groups} lr_lambdas, but got {len(lr_lambda)}")
            self.lr_lambdas = list(lr_lambda)
        else:
            self.lr_lambdas = [lr_lambda] * n_groups
        for fn in self.lr_lambdas:
            if not callable(fn):
                raise TypeError(f"lr_lambda should be a function, but got {type(fn).__name__}")
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        return [lr * f(self.last_epoch) for f, lr in zip(self.lr_lambdas, self.base_lrs)]

    def state_dict(self) -> dict[str, Any]:
        """As the base class; a callable object's ``__dict__`` is saved (functions are not)."""
        state = super().state_dict()
        state["lr_lambdas"] = [
            None if isinstance(f, types.FunctionType) else copy.deepcopy(f.__dict__)
            for f in self.lr_lambdas
        ]
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """As the base class; restores the saved ``__dict__`` of callable objects."""
        state = dict(state_dict)
        saved_lambdas = state.pop("lr_lambdas", None) or []
        super().load_state_dict(state)
        for f, saved in zip(self.lr_lambdas, saved_lambdas):
            if saved is not None:
                f.__dict__.update(copy.deepcopy(saved))
