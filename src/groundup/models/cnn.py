"""A small image classifier: blocks of conv-batchnorm-ReLU and max pooling, then an MLP head."""

from __future__ import annotations

from collections.abc import Sequence

from groundup.nn import (
    BatchNorm2d,
    Conv2d,
    Dropout,
    Flatten,
    Linear,
    MaxPool2d,
    Module,
    ReLU,
    Sequential,
)
from groundup.tensor import Tensor

__all__ = ["SmallCNN"]


class SmallCNN(Module):
    """Conv-BN-ReLU blocks with 2x2 max pooling, then dropout, a hidden layer and the logits.

    Each entry ``c`` of ``channels`` is one block: ``convs_per_block`` times (3x3 convolution
    to ``c`` maps, padding 1, no bias since batch norm follows; ``BatchNorm2d(c)``; ReLU),
    then ``MaxPool2d(2)``, which halves the image. The head is ``Flatten``, ``Dropout``,
    ``Linear(c_last * s * s, hidden)``, ReLU, ``Dropout``, ``Linear(hidden, num_classes)``
    with ``s = image_size // 2**len(channels)``. Layers live in ``features`` and
    ``classifier`` (``nn.Sequential``), so the state dict keys (``features.0.weight``,
    ``features.1.running_mean``, ``classifier.1.weight``, ...) equal those of the same
    ``torch.nn.Sequential`` layout.

    Shape: (N, in_channels, image_size, image_size) -> (N, num_classes) logits.

    Parameters
    ----------
    in_channels : int, default=1
        1 for MNIST / Fashion-MNIST, 3 for CIFAR-10.
    num_classes : int, default=10
    image_size : int, default=28
        Height = width of the input images; must be divisible by ``2**len(channels)``.
    channels : sequence of int, default=(32, 64)
        Output maps of each block.
    convs_per_block : int, default=1
    hidden : int, default=128
        Width of the hidden linear layer.
    dropout : float, default=0.25
        Dropout probability before each linear layer.

    Examples
    --------
    >>> import groundup as gu
    >>> _ = gu.manual_seed(0)
    >>> model = SmallCNN(in_channels=3, image_size=32, channels=(8, 16))
    >>> model(gu.zeros(2, 3, 32, 32)).shape
    (2, 10)
    >>> [name for name, _ in model.named_parameters()][:3]
    ['features.0.weight', 'features.1.weight', 'features.1.bias']
    """

    def __init__(
        self,
        in_channels: int = 1,
        num_classes: int = 10,
        image_size: int = 28,
        channels: Sequence[int] = (32, 64),
        convs_per_block: int = 1,
        hidden: int = 128,
        dropout: float = 0.25,
    ) -> None:
        super().__init__()
        channels = tuple(int(c) for c in channels)
        if not channels or convs_per_block < 1 or image_size % 2 ** len(channels):
            raise ValueError(
                f"SmallCNN: expected at least one block, convs_per_block >= 1 and image_size "
                f"divisible by 2**len(channels) = {2 ** len(channels)}; got channels={channels}, "
                f"convs_per_block={convs_per_block}, image_size={image_size}"
            )
        self.in_channels, self.image_size = in_channels, image_size
        layers: list[Module] = []
        prev = in_channels
        for c in channels:
            for _ in range(convs_per_block):
                layers += [Conv2d(prev, c, 3, padding=1, bias=False), BatchNorm2d(c), ReLU()]
                prev = c
            layers.append(MaxPool2d(2))
        self.features = Sequential(*layers)
        side = image_size // 2 ** len(channels)
        self.classifier = Sequential(
            Flatten(),
            Dropout(dropout),
            Linear(prev * side * side, hidden),
            ReLU(),
            Dropout(dropout),
            Linear(hidden, num_classes),
        )

    def forward(self, x: Tensor) -> Tensor:
        expected = (self.in_channels, self.image_size, self.image_size)
        if x.ndim != 4 or tuple(x.shape[1:]) != expected:
            raise ValueError(
                f"SmallCNN: expected input of shape (N, {', '.join(map(str, expected))}), "
                f"got {x.shape}"
            )
        return self.classifier(self.features(x))
