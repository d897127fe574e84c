"""Learning-rate schedules: each ``step()`` sets ``group["lr"]`` of an optimizer's groups.

The values equal PyTorch's, computed with the same (recursive) formulas. Call
``scheduler.step()`` after ``optimizer.step()``, once per epoch (or per batch for
``OneCycleLR``); ``ReduceLROnPlateau.step(metric)`` takes the monitored value.

Examples
--------
>>> import groundup as gu
>>> from groundup import optim
>>> opt = optim.SGD([gu.zeros(1, requires_grad=True)], lr=1.0)
>>> sched = optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
>>> lrs = []
>>> for epoch in range(5):
...     lrs.append(sched.get_last_lr()[0])
...     opt.step()
...     sched.step()
>>> lrs
[1.0, 1.0, 0.5, 0.5, 0.25]
"""

from groundup.optim.lr_scheduler.decay import (
    CosineAnnealingLR,
    ExponentialLR,
    LinearLR,
    MultiStepLR,
    StepLR,
)
from groundup.optim.lr_scheduler.one_cycle import OneCycleLR
from groundup.optim.lr_scheduler.plateau import ReduceLROnPlateau
from groundup.optim.lr_scheduler.scheduler import LambdaLR, LRScheduler

__all__ = [
    "LRScheduler",
    "LambdaLR",
    "StepLR",
    "MultiStepLR",
    "ExponentialLR",
    "CosineAnnealingLR",
    "LinearLR",
    "OneCycleLR",
    "ReduceLROnPlateau",
]
