"""LeNet-5 (LeCun et al., 1998) in its modern form: ReLU activations and max pooling."""

from __future__ import annotations

from groundup.nn import Conv2d, Flatten, Linear, MaxPool2d, Module, ReLU
from groundup.tensor import Tensor

__all__ = ["LeNet5"]


class LeNet5(Module):
    """LeNet-5 for 28x28 (or 32x32) images: two 5x5 convolutions, then three linear layers.

    ``conv1`` (6 maps, 5x5, padding 2 so a 28x28 digit keeps LeNet's 28x28 first maps)
    -> ReLU -> 2x2 max pool -> ``conv2`` (16 maps, 5x5) -> ReLU -> 2x2 max pool -> flatten
    (16 x 5 x 5 = 400) -> ``fc1`` (120) -> ReLU -> ``fc2`` (84) -> ReLU -> ``fc3`` (classes).
    The original's tanh, subsampling and RBF outputs are replaced by ReLU, max pooling and a
    linear layer for cross-entropy, as in the usual PyTorch versions; every layer has
    PyTorch's default initialisation, and the state dict keys are ``conv1.weight``,
    ``conv1.bias``, ..., ``fc3.bias``, so a PyTorch model with these attribute names loads.

    Shape: (N, in_channels, 28, 28) -> (N, num_classes) logits; with ``padding=0``,
    (N, in_channels, 32, 32) -> (N, num_classes), the original input size.

    Parameters
    ----------
    num_classes : int, default=10
    in_channels : int, default=1
    padding : int, default=2
        Padding of ``conv1``: 2 for 28x28 inputs, 0 for 32x32 ones.

    Examples
    --------
    >>> import groundup as gu
    >>> _ = gu.manual_seed(0)
    >>> model = LeNet5()
    >>> model(gu.zeros(2, 1, 28, 28)).shape
    (2, 10)
    >>> sum(p.data.size for p in model.parameters())
    61706
    """

    def __init__(self, num_classes: int = 10, in_channels: int = 1, padding: int = 2) -> None:
        super().__init__()
        self.num_classes, self.in_channels = num_classes, in_channels
        self.conv1 = Conv2d(in_channels, 6, kernel_size=5, padding=padding)
        self.conv2 = Conv2d(6, 16, kernel_size=5)
        self.pool = MaxPool2d(2)
        self.relu = ReLU()
        self.flatten = Flatten()
        self.fc1 = Linear(16 * 5 * 5, 120)
        self.fc2 = Linear(120, 84)
        self.fc3 = Linear(84, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim != 4 or x.shape[1] != self.in_channels:
            raise ValueError(
                f"LeNet5(in_channels={self.in_channels}): expected input of shape "
                f"(N, {self.in_channels}, 28, 28), got {x.shape}"
            )
        x = self.pool(self.relu(self.conv1(x)))  # (N, 6, 14, 14)
        x = self.pool(self.relu(self.conv2(x)))  # (N, 16, 5, 5)
        x = self.flatten(x)  # (N, 400)
        x = self.relu(self.fc1(x))  # (N, 120)
        x = self.relu(self.fc2(x))  # (N, 84)
        return self.fc3(x)  # (N, num_classes)
