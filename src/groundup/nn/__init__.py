"""Neural-network layers, PyTorch's ``torch.nn``: ``Module``, ``Parameter``, containers, layers.

>>> from groundup import nn
>>> from groundup.nn import functional as F, init
"""

from groundup.nn import functional, init, utils
from groundup.nn.containers import ModuleDict, ModuleList, Sequential
from groundup.nn.module import Module
from groundup.nn.modules import (
    ELU,
    GELU,
    BatchNorm1d,
    BatchNorm2d,
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    Dense,
    Dropout,
    Embedding,
    Flatten,
    Identity,
    L1Loss,
    LayerNorm,
    LeakyReLU,
    Linear,
    LogSoftmax,
    MSELoss,
    NLLLoss,
    ReLU,
    Sigmoid,
    SiLU,
    Softmax,
    Tanh,
)
from groundup.nn.parameter import Parameter

__all__ = [
    "functional",
    "init",
    "utils",
    "Module",
    "Parameter",
    "Sequential",
    "ModuleList",
    "ModuleDict",
    "Dense",
    "Dropout",
    "ELU",
    "Flatten",
    "GELU",
    "Identity",
    "LeakyReLU",
    "Linear",
    "LogSoftmax",
    "ReLU",
    "Sigmoid",
    "SiLU",
    "Softmax",
    "Tanh",
    "BatchNorm1d",
    "BatchNorm2d",
    "BCELoss",
    "BCEWithLogitsLoss",
    "CrossEntropyLoss",
    "Embedding",
    "L1Loss",
    "LayerNorm",
    "MSELoss",
    "NLLLoss",
]
