"""Conv1d, Conv2d and ConvTranspose2d against torch.nn with copied weights, plus gradcheck."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from helpers import assert_same_tensor, check_gradcheck

import groundup as gu
from groundup import nn
from groundup.nn import functional as F

# float32: each output sums C/groups * kh * kw products in a different order than PyTorch's
# oneDNN kernels, so allow a few ulp of the sum's magnitude.
F32 = {"rtol": 1e-4, "atol": 1e-5}

# torch warns that its "same" padding with an even kernel copies the input; so do we, silently
pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same'")


def tol(dtype: str) -> dict:
    return F32 if dtype == "float32" else {}


def twin(cls_name: str, *args, dtype: str = "float64", seed: int = 0, **kwargs):
    """A torch layer and a groundup layer of the same class holding the same weights."""
    torch.manual_seed(seed)
    ref = getattr(torch.nn, cls_name)(*args, **kwargs, dtype=getattr(torch, dtype))
    ours = getattr(nn, cls_name)(*args, **kwargs, dtype=dtype)
    ours.load_state_dict({k: v.detach().numpy() for k, v in ref.state_dict().items()})
    return ours, ref


def run_both(ours, ref, shape, dtype, seed=0, input_grad=True):
    """Forward the same seeded input, backpropagate the same upstream gradient."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape).astype(dtype)
    xo = gu.tensor(x, requires_grad=input_grad)
    xr = torch.tensor(x, requires_grad=input_grad)
    yo, yr = ours(xo), ref(xr)
    g = rng.standard_normal(tuple(yr.shape)).astype(dtype)
    yo.backward(gu.tensor(g))
    yr.backward(torch.tensor(g))
    return (xo, yo), (xr, yr)


def assert_all_match(ours, ref, xo, yo, xr, yr, dtype):
    assert_same_tensor(yo, yr, "output", **tol(dtype))
    if xr.grad is not None:
        assert_same_tensor(xo.grad, xr.grad, "grad of input", **tol(dtype))
    for (name, p), (_, q) in zip(ours.named_parameters(), ref.named_parameters()):
        assert_same_tensor(p.grad, q.grad, f"grad of {name}", **tol(dtype))


CONV2D_CASES = [
    # (in, out, kernel, kwargs, input shape)
    (3, 4, 3, {}, (2, 3, 7, 8)),
    (3, 4, 3, {"stride": 2}, (2, 3, 9, 8)),
    (3, 4, 3, {"padding": 1}, (2, 3, 6, 5)),
    (3, 5, 3, {"stride": 2, "padding": 1}, (2, 3, 8, 7)),
    (3, 4, 3, {"padding": "same"}, (2, 3, 6, 7)),
    (3, 4, (4, 2), {"padding": "same"}, (2, 3, 6, 7)),
    (3, 4, 3, {"padding": "valid"}, (2, 3, 6, 7)),
    (3, 4, 3, {"dilation": 2, "padding": 2}, (2, 3, 9, 8)),
    (4, 6, 3, {"groups": 2, "padding": 1}, (2, 4, 6, 6)),
    (4, 4, 3, {"groups": 4, "padding": 1}, (2, 4, 6, 6)),  # depthwise
    (4, 8, 3, {"groups": 4, "stride": 2}, (2, 4, 7, 7)),  # depthwise, multiplier 2
    (3, 4, (3, 2), {"stride": (2, 1), "padding": (1, 0), "bias": False}, (2, 3, 7, 6)),
    (3, 4, 1, {}, (2, 3, 5, 5)),  # 1x1: cols are the input itself
    (3, 4, 2, {"stride": 3}, (2, 3, 8, 8)),  # stride > kernel skips pixels
    (2, 3, 5, {"padding": 2}, (1, 2, 5, 5)),
]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("c_in, c_out, k, kwargs, shape", CONV2D_CASES)
def test_conv2d_matches_torch(c_in, c_out, k, kwargs, shape, dtype):
    ours, ref = twin("Conv2d", c_in, c_out, k, dtype=dtype, **kwargs)
    (xo, yo), (xr, yr) = run_both(ours, ref, shape, dtype)
    assert_all_match(ours, ref, xo, yo, xr, yr, dtype)


CONV1D_CASES = [
    (3, 4, 3, {}, (2, 3, 10)),
    (3, 4, 3, {"stride": 2, "padding": 1}, (2, 3, 9)),
    (3, 4, 4, {"padding": "same", "dilation": 2}, (2, 3, 9)),
    (4, 6, 3, {"groups": 2, "bias": False}, (2, 4, 8)),
    (4, 4, 5, {"groups": 4, "padding": 2}, (3, 4, 8)),
]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("c_in, c_out, k, kwargs, shape", CONV1D_CASES)
def test_conv1d_matches_torch(c_in, c_out, k, kwargs, shape, dtype):
    ours, ref = twin("Conv1d", c_in, c_out, k, dtype=dtype, **kwargs)
    (xo, yo), (xr, yr) = run_both(ours, ref, shape, dtype)
    assert_all_match(ours, ref, xo, yo, xr, yr, dtype)


CONVT_CASES = [
    (4, 3, 3, {}, (2, 4, 5, 6)),
    (4, 3, 3, {"stride": 2, "padding": 1, "output_padding": 1}, (2, 4, 5, 5)),
    (4, 3, 2, {"stride": 2}, (2, 4, 4, 3)),
    (4, 6, 3, {"groups": 2, "stride": (2, 1), "padding": (1, 0)}, (2, 4, 5, 6)),
    (4, 3, (3, 2), {"dilation": 2, "bias": False}, (2, 4, 4, 5)),
    (4, 3, 3, {"stride": 1, "dilation": 2, "output_padding": 1}, (1, 4, 4, 4)),
]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("c_in, c_out, k, kwargs, shape", CONVT_CASES)
def test_conv_transpose2d_matches_torch(c_in, c_out, k, kwargs, shape, dtype):
    ours, ref = twin("ConvTranspose2d", c_in, c_out, k, dtype=dtype, **kwargs)
    (xo, yo), (xr, yr) = run_both(ours, ref, shape, dtype)
    assert_all_match(ours, ref, xo, yo, xr, yr, dtype)


def test_conv_transpose2d_output_size_picks_output_padding():
    ours, ref = twin("ConvTranspose2d", 4, 2, 3, stride=2, padding=1)
    x = np.random.default_rng(0).standard_normal((1, 4, 5, 5))
    yo = ours(gu.tensor(x), output_size=(10, 10))
    yr = ref(torch.tensor(x), output_size=(10, 10))
    assert_same_tensor(yo, yr)


@pytest.mark.parametrize("cls_name, shape", [("Conv2d", (3, 6, 7)), ("Conv1d", (3, 9))])
def test_conv_accepts_unbatched_input(cls_name, shape):
    ours, ref = twin(cls_name, 3, 4, 3, padding=1)
    (xo, yo), (xr, yr) = run_both(ours, ref, shape, "float64")
    assert_all_match(ours, ref, xo, yo, xr, yr, "float64")


def test_conv2d_first_layer_skips_input_grad():
    ours, ref = twin("Conv2d", 1, 2, 3, dtype="float32")
    (xo, yo), (xr, yr) = run_both(ours, ref, (2, 1, 6, 6), "float32", input_grad=False)
    assert xo.grad is None and yo.grad_fn.name == "Conv"
    assert_all_match(ours, ref, xo, yo, xr, yr, "float32")


def test_conv_keeps_float32():
    conv = nn.Conv2d(2, 3, 3)
    x = gu.ones(1, 2, 5, 5, requires_grad=True)
    y = conv(x)
    y.sum().backward()
    assert y.dtype == np.float32 and x.grad.dtype == np.float32
    assert conv.weight.grad.dtype == np.float32 and conv.bias.grad.dtype == np.float32


GRADCHECK_CASES = [
    (lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1), [(2, 3, 5, 5), (2, 3, 3, 3), (2,)]),
    (
        lambda x, w: F.conv2d(x, w, dilation=2, groups=2, padding=(1, 2)),
        [(1, 4, 5, 6), (4, 2, 2, 3)],
    ),
    (lambda x, w, b: F.conv1d(x, w, b, padding="same"), [(2, 2, 6), (3, 2, 4), (3,)]),
    (
        lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2, output_padding=1),
        [(1, 2, 3, 3), (2, 3, 3, 3), (3,)],
    ),
    (
        lambda x, w: F.conv_transpose2d(x, w, groups=2, dilation=(1, 2)),
        [(1, 4, 3, 3), (4, 1, 2, 2)],
    ),
]


@pytest.mark.parametrize("fn, shapes", GRADCHECK_CASES)
def test_conv_gradcheck(fn, shapes):
    check_gradcheck(fn, shapes)


def test_conv2d_default_init_is_pytorch_uniform():
    gu.manual_seed(0)
    conv = nn.Conv2d(16, 32, 5)
    k = 1 / math.sqrt(16 * 5 * 5)
    w, b = conv.weight.numpy(), conv.bias.numpy()
    assert w.shape == (32, 16, 5, 5) and w.dtype == np.float32 and b.shape == (32,)
    assert k * 0.99 < np.abs(w).max() <= k and np.abs(b).max() <= k
    assert abs(w.std() - k / math.sqrt(3)) < 0.02 * k


def test_conv_weight_layouts_and_state_dict_keys():
    assert nn.Conv2d(6, 4, (3, 2), groups=2).weight.shape == (4, 3, 3, 2)
    assert nn.Conv1d(6, 4, 3, bias=False).weight.shape == (4, 6, 3)
    assert nn.ConvTranspose2d(6, 4, 3, groups=2).weight.shape == (6, 2, 3, 3)
    assert list(nn.Conv2d(1, 2, 3).state_dict()) == ["weight", "bias"]
    gu.manual_seed(0)
    t = nn.ConvTranspose2d(6, 4, 3, groups=2)
    k = 1 / math.sqrt(2 * 3 * 3)  # fan_in of the transposed layout: weight.shape[1] * kernel
    assert np.abs(t.weight.numpy()).max() <= k and np.abs(t.bias.numpy()).max() <= k


@pytest.mark.parametrize(
    "make",
    [
        lambda m: m.Conv2d(1, 6, 5, padding=2),
        lambda m: m.Conv2d(3, 8, (3, 1), stride=2, dilation=(2, 1), groups=1, bias=False),
        lambda m: m.Conv2d(4, 4, 3, padding="same", groups=4),
        lambda m: m.Conv1d(3, 6, 3, stride=2, padding=1, dilation=2, groups=3, bias=False),
        lambda m: m.ConvTranspose2d(4, 2, 3, stride=2, output_padding=1),
    ],
)
def test_conv_repr_matches_torch(make):
    assert repr(make(nn)) == repr(make(torch.nn))


def test_conv2d_wrong_channels_names_layer_and_shapes():
    conv = nn.Conv2d(3, 16, 3)
    message = (
        "Conv2d(3, 16, kernel_size=(3, 3)): expected input (N, 3, H, W) or (3, H, W), "
        "got (8, 1, 32, 32)"
    )
    with pytest.raises(ValueError) as info:
        conv(gu.ones(8, 1, 32, 32))
    assert str(info.value) == message
    with pytest.raises(ValueError, match=r"got \(8, 32, 32, 3\); channels-last input"):
        conv(gu.ones(8, 32, 32, 3))


def test_conv2d_3d_input_without_channel_dim_suggests_unsqueeze():
    conv = nn.Conv2d(1, 6, 5)
    with pytest.raises(ValueError, match=r"got \(64, 28, 28\); add a channel dim"):
        conv(gu.ones(64, 28, 28))
    with pytest.raises(ValueError, match=r"expected input \(N, 1, H, W\)"):
        conv(gu.ones(2, 1, 28))


def test_f_conv2d_errors():
    x, w = gu.ones(2, 4, 8, 8), gu.ones(6, 2, 3, 3)
    with pytest.raises(ValueError, match=r"conv2d: weight \(6, 2, 3, 3\) with groups=1 expects 2"):
        F.conv2d(x, w)
    with pytest.raises(ValueError, match="padding='same' is not supported for strided"):
        F.conv2d(x, w, groups=2, stride=2, padding="same")
    with pytest.raises(ValueError, match="smaller than the"):
        F.conv2d(gu.ones(1, 4, 2, 2), w, groups=2)
    with pytest.raises(ValueError, match=r"expected bias of shape \(6,\)"):
        F.conv2d(x, w, gu.ones(5), groups=2)
    with pytest.raises(TypeError, match="must share one dtype"):
        F.conv2d(x.double(), w, groups=2)
    with pytest.raises(ValueError, match=r"conv2d: expected a 4-D input"):
        F.conv2d(gu.ones(1, 1, 4, 8, 8), w)
    with pytest.raises(ValueError, match="output_padding"):
        F.conv_transpose2d(gu.ones(1, 6, 3, 3), w, stride=1, output_padding=1)


def test_conv_layer_argument_errors():
    with pytest.raises(ValueError, match="divisible by groups"):
        nn.Conv2d(4, 6, 3, groups=4)
    with pytest.raises(ValueError, match="padding_mode='zeros'"):
        nn.Conv2d(4, 6, 3, padding_mode="reflect")
    with pytest.raises(ValueError, match="strided"):
        nn.Conv2d(4, 6, 3, stride=2, padding="same")
    with pytest.raises(TypeError, match="kernel_size must be an int or a tuple of 2 ints"):
        nn.Conv2d(4, 6, (3, 3, 3))


def test_conv_bn_relu_pool_net_matches_torch():
    """A small CNN (conv-bn-relu-pool twice, then linear), train mode: outputs and every grad."""

    def net(m):
        return m.Sequential(
            m.Conv2d(1, 4, 3, padding=1),
            m.BatchNorm2d(4),
            m.ReLU(),
            m.MaxPool2d(2),
            m.Conv2d(4, 8, 3, padding="same", bias=False),
            m.BatchNorm2d(8),
            m.ReLU(),
            m.AvgPool2d(2),
            m.Flatten(),
            m.Linear(8 * 2 * 2, 3),
        )

    torch.manual_seed(0)
    ref, ours = net(torch.nn).double(), net(nn)
    ours.load_state_dict({k: v.detach().numpy() for k, v in ref.state_dict().items()})
    ours = ours.to(gu.float64)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 1, 8, 8))
    labels = rng.integers(0, 3, 4)
    xo, xr = gu.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    lo = F.cross_entropy(ours(xo), gu.tensor(labels))
    lr = torch.nn.functional.cross_entropy(ref(xr), torch.tensor(labels))
    lo.backward()
    lr.backward()
    assert_same_tensor(lo, lr, "loss")
    assert_same_tensor(xo.grad, xr.grad, "grad of input")
    for (name, p), (_, q) in zip(ours.named_parameters(), ref.named_parameters()):
        assert_same_tensor(p.grad, q.grad, f"grad of {name}")
    for (name, b), (_, c) in zip(ours.named_buffers(), ref.named_buffers()):
        assert_same_tensor(b, c, f"buffer {name}")
