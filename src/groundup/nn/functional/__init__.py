"""Stateless neural-network functions, PyTorch's ``torch.nn.functional``.

>>> from groundup.nn import functional as F
"""

from groundup.nn.functional.activation import (
    elu,
    gelu,
    leaky_relu,
    log_softmax,
    relu,
    sigmoid,
    silu,
    softmax,
    tanh,
)
from groundup.nn.functional.attention import (
    multi_head_attention_forward,
    scaled_dot_product_attention,
)
from groundup.nn.functional.conv import conv1d, conv2d, conv_transpose2d
from groundup.nn.functional.linear import dropout, flatten, linear
from groundup.nn.functional.loss import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    l1_loss,
    mse_loss,
    nll_loss,
)
from groundup.nn.functional.normalization import batch_norm, layer_norm
from groundup.nn.functional.pooling import (
    adaptive_avg_pool2d,
    avg_pool2d,
    interpolate,
    max_pool1d,
    max_pool2d,
)
from groundup.nn.functional.sparse import embedding

__all__ = [
    "adaptive_avg_pool2d",
    "avg_pool2d",
    "conv1d",
    "conv2d",
    "conv_transpose2d",
    "interpolate",
    "max_pool1d",
    "max_pool2d",
    "multi_head_attention_forward",
    "scaled_dot_product_attention",
    "batch_norm",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "embedding",
    "l1_loss",
    "layer_norm",
    "mse_loss",
    "nll_loss",
    "dropout",
    "elu",
    "flatten",
    "gelu",
    "leaky_relu",
    "linear",
    "log_softmax",
    "relu",
    "sigmoid",
    "silu",
    "softmax",
    "tanh",
]
