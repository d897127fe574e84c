"""Tests of the error messages: each names where, what was expected and what came."""

from __future__ import annotations

import re

import numpy as np
import pytest

import groundup as gu


# ---------------------------------------------------------------------- shapes
@pytest.mark.parametrize(
    "sa, sb, message",
    [
        ((2, 3), (4, 5), "matmul: cannot multiply (2, 3) by (4, 5): inner sizes 3 and 4 differ"),
        ((3,), (4,), "matmul: cannot multiply (3,) by (4,): inner sizes 3 and 4 differ"),
        ((2,), (3, 2), "matmul: cannot multiply (2,) by (3, 2): inner sizes 2 and 3 differ"),
        ((5, 2, 3), (2, 4), "matmul: cannot multiply (5, 2, 3) by (2, 4): inner sizes 3 and 2"),
    ],
    ids=str,
)
def test_matmul_shape_mismatch_message(sa, sb, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        gu.ones(sa, requires_grad=True) @ gu.ones(sb)


def test_matmul_of_0d_tensor_raises():
    with pytest.raises(ValueError, match="matmul: .*at least one dimension"):
        gu.tensor(1.0) @ gu.ones(2)


@pytest.mark.parametrize(
    "fn, name",
    [
        (lambda a, b: a + b, "add"),
        (lambda a, b: a - b, "sub"),
        (lambda a, b: a * b, "mul"),
        (lambda a, b: a / b, "div"),
        (lambda a, b: a**b, "pow"),
        (lambda a, b: a < b, "lt"),
        (lambda a, b: a == b, "eq"),
    ],
)
def test_broadcast_failure_names_both_shapes(fn, name):
    message = f"{name}: cannot broadcast shapes (2, 3) and (4,)"
    with pytest.raises(ValueError, match=re.escape(message)):
        fn(gu.ones(2, 3, requires_grad=True), gu.ones(4))


def test_reverse_broadcast_failure_names_shapes_in_call_order():
    with pytest.raises(ValueError, match=re.escape("add: cannot broadcast shapes (4,) and (2, 3)")):
        np.ones(4, dtype=np.float32) + gu.ones(2, 3)


@pytest.mark.parametrize(
    "shape, new, message",
    [
        ((2, 3), (4, 2), "reshape: cannot view a tensor of shape (2, 3) (6 elements) as shape"),
        ((6,), (4, -1), "shape (6,) (6 elements) as shape (4, -1)"),
    ],
    ids=str,
)
def test_reshape_incompatible_names_both_shapes(shape, new, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        gu.ones(shape).reshape(new)


@pytest.mark.parametrize(
    "key, message",
    [
        (5, "index 5 is out of bounds for axis 0 with size 2"),
        ((0, 3), "index 3 is out of bounds for axis 1 with size 3"),
        ([0, 7], "index 7 is out of bounds for axis 0 with size 2"),
        (-3, "index -3 is out of bounds"),
    ],
    ids=str,
)
def test_index_out_of_range_names_index_and_shape(key, message):
    with pytest.raises(IndexError, match=re.escape(message) + r".*\(2, 3\)"):
        gu.ones(2, 3)[key]


def test_cat_mismatched_shapes_names_them():
    message = "cat: shapes [(2, 3), (2, 4)] differ outside dim 0"
    with pytest.raises(ValueError, match=re.escape(message)):
        gu.cat([gu.ones(2, 3), gu.ones(2, 4)])


def test_cat_empty_sequence_raises():
    with pytest.raises(ValueError, match="cat: expected a non-empty sequence"):
        gu.cat([])


def test_stack_mismatched_shapes_names_them():
    with pytest.raises(ValueError, match=re.escape("stack: expected tensors of one shape")):
        gu.stack([gu.ones(2), gu.ones(3)])


@pytest.mark.parametrize("call", [lambda: gu.ones(2).sum(dim=3), lambda: gu.ones(2, 3).softmax(2)])
def test_dim_out_of_range_raises(call):
    with pytest.raises(IndexError, match="dim .* out of range"):
        call()


# ---------------------------------------------------------------------- dtypes and values
@pytest.mark.parametrize("dtype", [gu.int64, gu.int32, gu.bool_, gu.uint8])
def test_requires_grad_on_non_float_says_floating_point(dtype):
    with pytest.raises(RuntimeError, match=f"floating-point.*{dtype}"):
        gu.zeros(2, dtype=dtype, requires_grad=True)
    t = gu.zeros(2, dtype=dtype)
    with pytest.raises(RuntimeError, match=f"floating-point.*{dtype}"):
        t.requires_grad_()
    assert not t.requires_grad


def test_requires_grad_off_on_non_leaf_raises():
    y = gu.ones(2, requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="detach"):
        y.requires_grad = False


@pytest.mark.parametrize("data", [["a", "b"], {"a": 1}, object()], ids=["str", "dict", "object"])
def test_tensor_from_non_numbers_raises_type_error(data):
    with pytest.raises(TypeError, match="tensor"):
        gu.tensor(data)


def test_len_of_0d_tensor_raises():
    with pytest.raises(TypeError, match="0-d"):
        len(gu.tensor(1.0))


def test_bool_of_many_elements_raises():
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(gu.tensor([1.0, 2.0]))


def test_item_of_many_elements_raises():
    with pytest.raises(ValueError, match=re.escape("one-element tensors convert, got shape (2,)")):
        gu.ones(2).item()


def test_where_non_bool_condition_raises():
    with pytest.raises(TypeError, match="where: condition must be a bool tensor"):
        gu.where(gu.ones(2), 1.0, 0.0)


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: gu.zeros(-1), ValueError, "non-negative"),
        (lambda: gu.arange(0, 3, 0), ValueError, "step must be nonzero"),
        (lambda: gu.manual_seed(1.5), TypeError, "int seed"),
        (lambda: gu.ones(2, dtype="not-a-dtype"), TypeError, "not a dtype"),
        (lambda: gu.ones(2).clip(), ValueError, "min and max"),
        (lambda: gu.randint(5), TypeError, "size"),
    ],
    ids=["negative-size", "arange-step", "seed", "dtype", "clip", "randint"],
)
def test_bad_arguments_raise(call, error, match):
    with pytest.raises(error, match=match):
        call()


# ---------------------------------------------------------------------- backward
def test_backward_non_scalar_without_grad_raises():
    with pytest.raises(RuntimeError, match=re.escape("single-element output, got shape (2,)")):
        (gu.ones(2, requires_grad=True) * 2).backward()


def test_backward_grad_of_wrong_shape_raises():
    with pytest.raises(RuntimeError, match=re.escape("grad has shape (3,)")):
        (gu.ones(2, requires_grad=True) * 2).backward(gu.ones(3))


def test_backward_without_graph_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        gu.ones(2).sum().backward()


def test_backward_twice_through_freed_graph_says_retain_graph():
    x = gu.ones(3, requires_grad=True)
    loss = (x.exp() * x).sum()
    loss.backward()
    with pytest.raises(RuntimeError, match=re.escape("retain_graph=True")):
        loss.backward()


def test_backward_through_freed_subgraph_says_retain_graph():
    x = gu.ones(2, requires_grad=True)
    y = x.exp()
    (y * 2).sum().backward()
    with pytest.raises(RuntimeError, match=re.escape("retain_graph=True")):
        (y * 3).sum().backward()


# ---------------------------------------------------------------------- in place
def _changed_after_save(change):
    """A loss whose backward needs a saved array, then ``change`` applied to that array."""
    x = gu.tensor([1.0, 2.0, 3.0], requires_grad=True)
    w = gu.tensor([4.0, 5.0, 6.0])
    y = x.exp()  # Exp saves its output y
    loss = (x * w).sum() + y.sum()  # Mul saves x and w
    with gu.no_grad():
        change(w, y)
    return loss


@pytest.mark.parametrize(
    "change",
    [
        lambda w, y: w.__iadd__(1.0),
        lambda w, y: w.__imul__(2.0),
        lambda w, y: w.__setitem__(0, 0.0),
        lambda w, y: w.zero_(),
        lambda w, y: w.fill_(3.0),
        lambda w, y: w.copy_(gu.zeros(3)),
        lambda w, y: w.add_(gu.ones(3)),
        lambda w, y: w[1:].zero_(),
        lambda w, y: w.reshape(3, 1).__setitem__(0, 9.0),
        lambda w, y: w.detach().zero_(),
        lambda w, y: y.__iadd__(1.0),
        lambda w, y: y.zero_(),
        lambda w, y: y[0].__setitem__(..., 0.0),
        lambda w, y: y.detach().__setitem__(1, 0.0),
    ],
    ids=[
        "iadd",
        "imul",
        "setitem",
        "zero_",
        "fill_",
        "copy_",
        "add_",
        "slice-view-zero_",
        "reshape-view-setitem",
        "detach-zero_",
        "saved-output-iadd",
        "saved-output-zero_",
        "saved-output-view-setitem",
        "saved-output-detach-setitem",
    ],
)
def test_in_place_change_of_saved_tensor_detected_at_backward(change):
    loss = _changed_after_save(change)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        loss.backward()


def test_in_place_change_of_base_of_saved_view_detected():
    x = gu.tensor([1.0, 2.0], requires_grad=True)
    base = gu.tensor([[3.0, 4.0], [5.0, 6.0]])
    loss = (x * base[0]).sum()  # Mul saves the view base[0]
    base[1, 1] = 0.0  # shares the version counter with the view, as in PyTorch
    with pytest.raises(RuntimeError, match="in-place"):
        loss.backward()


def test_change_through_data_is_not_tracked_like_torch():
    x = gu.tensor([1.0, 2.0], requires_grad=True)
    w = gu.tensor([3.0, 4.0])
    loss = (x * w).sum()
    w.data[0] = 10.0  # .data bypasses the version counter, as in PyTorch
    loss.backward()
    assert x.grad.tolist() == [10.0, 4.0]


def test_in_place_on_unsaved_tensor_is_allowed():
    x = gu.tensor([1.0, 2.0], requires_grad=True)
    w = gu.tensor([3.0, 4.0])
    loss = (x + w).sum()  # Add saves only shapes
    w.zero_()
    loss.backward()
    assert x.grad.tolist() == [1.0, 1.0]


def test_setitem_with_value_requiring_grad_never_drops_its_gradient():
    x = gu.tensor([1.0, 2.0], requires_grad=True)
    v = gu.ones(3, requires_grad=True)
    t = gu.zeros(3)
    try:
        t[1:] = x * 2  # torch records this (CopySlices); refusing it would also be fine
    except RuntimeError:
        return
    (t * v).sum().backward()
    assert x.grad is not None, "x's gradient was silently cut by __setitem__"
    assert x.grad.tolist() == [2.0, 2.0]


@pytest.mark.parametrize(
    "change",
    [
        lambda p: p.__iadd__(1.0),
        lambda p: p.__isub__(1.0),
        lambda p: p.__imul__(2.0),
        lambda p: p.__itruediv__(2.0),
        lambda p: p.__setitem__(0, 0.0),
        lambda p: p.zero_(),
        lambda p: p.fill_(1.0),
        lambda p: p.copy_(gu.zeros(2)),
        lambda p: p.add_(gu.ones(2)),
        lambda p: p.mul_(2.0),
    ],
    ids=["iadd", "isub", "imul", "itruediv", "setitem", "zero_", "fill_", "copy_", "add_", "mul_"],
)
def test_in_place_on_leaf_requiring_grad_raises_in_grad_mode(change):
    p = gu.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"in place.*no_grad"):
        change(p)
    assert p.tolist() == [1.0, 2.0]
    with gu.no_grad():
        change(p)  # an optimizer step: allowed


# ---------------------------------------------------------------------- devices
def _on_fake_cuda(t):
    """``t`` relabelled as a CUDA tensor: enough to reach the device check without CuPy."""
    t.device = "cuda"
    return t


@pytest.mark.parametrize(
    "fn, op",
    [
        (lambda a, b: a + b, "Add"),
        (lambda a, b: a * b, "Mul"),
        (lambda a, b: a @ b, "MatMul"),
        (lambda a, b: gu.cat([a, b]), "Cat"),
    ],
)
def test_tensors_on_different_devices_raise_naming_both(fn, op):
    a, b = gu.ones(2, 2, requires_grad=True), _on_fake_cuda(gu.ones(2, 2))
    message = f"{op}: expected all tensors on one device, got cpu and cuda"
    with pytest.raises(RuntimeError, match=message):
        fn(a, b)


@pytest.mark.parametrize(
    "call",
    [
        lambda: gu.ones(2).to("cuda"),
        lambda: gu.zeros(2, device="cuda"),
        lambda: gu.tensor([1.0], device="cuda:0"),
        lambda: gu.randn(2, device="cuda"),
    ],
)
def test_cuda_without_cupy_says_how_to_install(call):
    if gu.is_available("cuda"):
        pytest.skip("CuPy is installed: cuda works here")
    with pytest.raises(RuntimeError, match=r"CuPy.*pip install"):
        call()


def test_unknown_device_raises():
    with pytest.raises(ValueError, match="unknown device 'tpu'"):
        gu.zeros(2, device="tpu")
