"""Optimizers that update parameters from their gradients, and learning-rate schedules.

Each optimizer matches its PyTorch namesake: argument names, defaults, ``param_groups``,
``state`` keys, ``state_dict`` layout, and the numbers it computes.

Examples
--------
>>> import groundup as gu
>>> from groundup import optim
>>> w = gu.tensor([3.0], requires_grad=True)
>>> opt = optim.SGD([w], lr=0.25)
>>> for _ in range(3):
...     opt.zero_grad()
...     (w * w).sum().backward()
...     opt.step()
>>> w
tensor([0.375], requires_grad=True)
"""

from groundup.optim import lr_scheduler
from groundup.optim.adagrad import Adagrad
from groundup.optim.adam import Adam, AdamW
from groundup.optim.optimizer import Optimizer
from groundup.optim.rmsprop import RMSprop
from groundup.optim.sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "lr_scheduler"]
