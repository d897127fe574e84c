"""The layers of ``groundup.nn``, one family a file."""

from groundup.nn.modules.activation import (
    ELU,
    GELU,
    LeakyReLU,
    LogSoftmax,
    ReLU,
    Sigmoid,
    SiLU,
    Softmax,
    Tanh,
)
from groundup.nn.modules.dropout import Dropout
from groundup.nn.modules.linear import Dense, Flatten, Identity, Linear
from groundup.nn.modules.loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
)
from groundup.nn.modules.normalization import BatchNorm1d, BatchNorm2d, LayerNorm
from groundup.nn.modules.sparse import Embedding

__all__ = [
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
