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
from groundup.nn.modules.attention import MultiheadAttention
from groundup.nn.modules.conv import Conv1d, Conv2d, ConvTranspose2d
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
from groundup.nn.modules.pooling import (
    AdaptiveAvgPool2d,
    AvgPool2d,
    MaxPool1d,
    MaxPool2d,
    Upsample,
)
from groundup.nn.modules.positional import LearnedPositionalEmbedding, PositionalEncoding
from groundup.nn.modules.rnn import GRU, LSTM, RNN, RNNBase
from groundup.nn.modules.rnn_cell import GRUCell, LSTMCell, RNNCell
from groundup.nn.modules.sparse import Embedding
from groundup.nn.modules.transformer import (
    Transformer,
    TransformerDecoder,
    TransformerDecoderLayer,
    TransformerEncoder,
    TransformerEncoderLayer,
    generate_square_subsequent_mask,
)

__all__ = [
    "GRU",
    "GRUCell",
    "LSTM",
    "LSTMCell",
    "RNN",
    "RNNBase",
    "RNNCell",
    "AdaptiveAvgPool2d",
    "AvgPool2d",
    "Conv1d",
    "Conv2d",
    "ConvTranspose2d",
    "MaxPool1d",
    "MaxPool2d",
    "Upsample",
    "LearnedPositionalEmbedding",
    "MultiheadAttention",
    "PositionalEncoding",
    "Transformer",
    "TransformerDecoder",
    "TransformerDecoderLayer",
    "TransformerEncoder",
    "TransformerEncoderLayer",
    "generate_square_subsequent_mask",
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
