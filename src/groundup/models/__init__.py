"""Ready architectures built from :mod:`groundup.nn`, with PyTorch-style layer names.

- :class:`LeNet5`: the classic digit CNN (ReLU and max pooling), 61,706 parameters.
- :class:`GPT` / :class:`GPTConfig`: a decoder-only transformer language model (nanoGPT's
  layout) with key/value-cached generation; ``groundup.models.gpt_train`` trains it.
- :class:`SmallCNN`: conv-batchnorm-ReLU blocks and an MLP head, for 28x28 grey or
  32x32 colour images (Fashion-MNIST, CIFAR-10).

Examples
--------
>>> from groundup.models import LeNet5
>>> LeNet5().fc3
Linear(in_features=84, out_features=10, bias=True)
"""

from groundup.models.cnn import SmallCNN
from groundup.models.gpt import GPT, GPTConfig
from groundup.models.lenet import LeNet5

__all__ = ["GPT", "GPTConfig", "LeNet5", "SmallCNN"]
