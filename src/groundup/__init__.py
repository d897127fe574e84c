"""groundup: machine learning and deep learning from first principles, on NumPy.

Examples
--------
>>> import groundup as gu
>>> x = gu.tensor([[1.0, 2.0]], requires_grad=True)
>>> y = (x @ gu.ones(2, 3)).relu().sum()
>>> y.backward()
>>> x.grad
tensor([[3., 3.]])
"""

from groundup._malloc import tune_malloc  # noqa: I001 - called once below
from groundup.tensor import Tensor  # Tensor first: the modules below build on it
from groundup.autograd import enable_grad, is_grad_enabled, no_grad
from groundup.backend import is_available
from groundup.combine import cat, maximum, minimum, stack, where
from groundup.creation import (
    arange,
    empty,
    eye,
    from_numpy,
    full,
    ones,
    ones_like,
    rand,
    randint,
    randn,
    tensor,
    zeros,
    zeros_like,
)
from groundup.dtypes import bool_, float16, float32, float64, int32, int64, uint8
from groundup.gradcheck import gradcheck
from groundup.random import manual_seed

__version__ = "0.1.0"

# The training stack loads on first use, so `import groundup` stays fast.
_LAZY = {
    "Model": ("groundup.model", "Model"),
    "Sequential": ("groundup.model", "Sequential"),
    "save": ("groundup.io", "save"),
    "load": ("groundup.io", "load"),
}
_SUBMODULES = {"nn", "optim", "data", "metrics", "io", "callbacks", "model"}


def __getattr__(name: str):
    import importlib

    if name in _LAZY:
        module, attr = _LAZY[name]
        value = getattr(importlib.import_module(module), attr)
    elif name in _SUBMODULES:
        value = importlib.import_module(f"groundup.{name}")
    else:
        raise AttributeError(f"module 'groundup' has no attribute {name!r}")
    globals()[name] = value
    return value


tune_malloc()  # big temporaries stay in the heap between steps: see _malloc.py

__all__ = [
    "Tensor",
    "tensor",
    "from_numpy",
    "zeros",
    "ones",
    "full",
    "empty",
    "arange",
    "eye",
    "randn",
    "rand",
    "randint",
    "zeros_like",
    "ones_like",
    "cat",
    "stack",
    "where",
    "maximum",
    "minimum",
    "no_grad",
    "enable_grad",
    "is_grad_enabled",
    "manual_seed",
    "gradcheck",
    "is_available",
    "float16",
    "float32",
    "float64",
    "int32",
    "int64",
    "uint8",
    "bool_",
    "Model",
    "Sequential",
    "save",
    "load",
]
