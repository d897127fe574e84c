"""LeNet5 and SmallCNN (groundup.models) against PyTorch twins with the same state dict."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
import torch

import groundup as gu
from groundup.models import LeNet5, SmallCNN

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "examples"))
from _cnn_common import torch_small_cnn  # noqa: E402
from cnn_mnist import torch_lenet5  # noqa: E402


def _compare(model, twin, x: np.ndarray, rtol: float, atol: float) -> None:
    """Same state dict -> same outputs, input gradient and parameter gradients."""
    state = model.state_dict()
    twin.load_state_dict({k: torch.from_numpy(np.array(v.numpy())) for k, v in state.items()})
    assert list(twin.state_dict()) == list(model.state_dict())
    xg, xt = gu.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, ref = model(xg), twin(xt)
    np.testing.assert_allclose(out.numpy(), ref.detach().numpy(), rtol=rtol, atol=atol)
    w = np.random.default_rng(1).standard_normal(ref.shape).astype(x.dtype)
    (out * gu.tensor(w)).sum().backward()
    (ref * torch.from_numpy(w)).sum().backward()
    np.testing.assert_allclose(xg.grad.numpy(), xt.grad.numpy(), rtol=rtol, atol=atol)
    grads = {n: p.grad for n, p in twin.named_parameters()}
    for name, p in model.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), grads[name].numpy(), rtol=rtol, atol=atol)


@pytest.mark.parametrize(
    "dtype, rtol, atol", [(np.float64, 1e-10, 1e-12), (np.float32, 1e-4, 1e-5)]
)
def test_lenet5_matches_torch(dtype, rtol, atol):
    # float32: the sums run over up to 400 products in different orders, hence 1e-4
    gu.manual_seed(0)
    model, twin = LeNet5(), torch_lenet5()
    if dtype == np.float64:
        model, twin = model.to(gu.float64), twin.double()
    x = np.random.default_rng(0).standard_normal((4, 1, 28, 28)).astype(dtype)
    _compare(model, twin, x, rtol, atol)


def test_lenet5_has_pytorch_layer_names_and_init_bounds():
    gu.manual_seed(0)
    model = LeNet5()
    assert [k for k, _ in model.named_parameters()] == [
        f"{layer}.{kind}" for layer in ("conv1", "conv2", "fc1", "fc2", "fc3")
        for kind in ("weight", "bias")
    ]  # fmt: skip
    bound = 1 / np.sqrt(1 * 5 * 5)  # PyTorch's default: U(-1/sqrt(fan_in), 1/sqrt(fan_in))
    w = model.conv1.weight.numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.8 * bound
    with pytest.raises(ValueError, match=r"LeNet5\(in_channels=1\): expected input of shape"):
        model(gu.zeros(2, 3, 28, 28))


@pytest.mark.parametrize("convs_per_block", [1, 2])
def test_small_cnn_matches_torch_in_train_and_eval_mode(convs_per_block):
    gu.manual_seed(0)
    shape = dict(channels=(4, 8), convs_per_block=convs_per_block, hidden=16, dropout=0.0)
    model, twin = SmallCNN(3, 10, 16, **shape), torch_small_cnn(3, 10, 16, **shape)
    model, twin = model.to(gu.float64), twin.double()
    x = np.random.default_rng(0).standard_normal((5, 3, 16, 16))
    _compare(model, twin, x, 1e-10, 1e-12)  # train mode: batch statistics
    running = twin.state_dict()["features.1.running_mean"].numpy()
    np.testing.assert_allclose(model.state_dict()["features.1.running_mean"].numpy(), running)
    model.eval(), twin.eval()
    model.zero_grad(), twin.zero_grad()
    _compare(model, twin, x, 1e-10, 1e-12)  # eval mode: running statistics


def test_small_cnn_checks_image_size():
    with pytest.raises(ValueError, match=r"image_size divisible by 2\*\*len\(channels\) = 4"):
        SmallCNN(image_size=30)
    with pytest.raises(ValueError, match=r"SmallCNN: expected input of shape \(N, 1, 28, 28\)"):
        SmallCNN()(gu.zeros(2, 1, 32, 32))
