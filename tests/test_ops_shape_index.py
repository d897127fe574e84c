"""Shape ops, cat/stack and every kind of indexing against PyTorch (float64 and float32),
plus gradcheck: repeated integer indices must accumulate their gradients."""

import numpy as np
import pytest
import torch
from helpers import check_against_torch, check_gradcheck

import groundup as gu

# name: (groundup fn, input shapes, torch fn or None for the same)
SHAPE_OPS = {
    "reshape": (lambda x: x.reshape(4, 6), [(2, 3, 4)], None),
    "reshape_tuple_neg": (lambda x: x.reshape((3, -1)), [(2, 3, 4)], None),
    "reshape_flat": (lambda x: x.reshape(-1), [(2, 3, 4)], None),
    "reshape_0d": (lambda x: x.reshape(1, 1), [()], None),
    "view_neg": (lambda x: x.view(-1, 4), [(2, 3, 4)], None),
    "reshape_after_transpose": (lambda x: x.transpose(0, 1).reshape(3, -1), [(2, 3, 4)], None),
    "flatten": (lambda x: x.flatten(), [(2, 3, 4)], None),
    "flatten_start": (lambda x: x.flatten(1), [(2, 3, 4)], None),
    "flatten_start_end": (lambda x: x.flatten(0, 1), [(2, 3, 4)], None),
    "flatten_neg": (lambda x: x.flatten(-2, -1), [(2, 3, 4)], None),
    "squeeze_all": (lambda x: x.squeeze(), [(2, 1, 3, 1)], None),
    "squeeze_dim": (lambda x: x.squeeze(1), [(2, 1, 3, 1)], None),
    "squeeze_neg_dim": (lambda x: x.squeeze(-1), [(2, 1, 3, 1)], None),
    "squeeze_non_one": (lambda x: x.squeeze(0), [(2, 1, 3, 1)], None),
    "unsqueeze_0": (lambda x: x.unsqueeze(0), [(2, 3)], None),
    "unsqueeze_mid": (lambda x: x.unsqueeze(1), [(2, 3)], None),
    "unsqueeze_neg": (lambda x: x.unsqueeze(-1), [(2, 3)], None),
    "transpose": (lambda x: x.transpose(0, 2), [(2, 3, 4)], None),
    "transpose_neg": (lambda x: x.transpose(-1, 1), [(2, 3, 4)], None),
    "permute": (lambda x: x.permute(2, 0, 1), [(2, 3, 4)], None),
    "permute_tuple": (lambda x: x.permute((1, 2, 0)), [(2, 3, 4)], None),
    "permute_neg": (lambda x: x.permute(-1, 0, 1), [(2, 3, 4)], None),
    "expand": (lambda x: x.expand(2, 3, 4), [(2, 1, 4)], None),
    "expand_neg": (lambda x: x.expand(-1, 3, -1), [(2, 1, 4)], None),
    "expand_new_dims": (lambda x: x.expand(5, 2, 3, 4), [(2, 1, 4)], None),
    "expand_0d": (lambda x: x.expand(3, 2), [()], None),
    "T_2d": (lambda x: x.T, [(3, 4)], None),
    "T_1d": (lambda x: x.T, [(4,)], lambda x: x.permute(0)),  # torch warns on 1-D .T
    "T_3d": (lambda x: x.T, [(2, 3, 4)], lambda x: x.permute(2, 1, 0)),
    "contiguous": (lambda x: x.transpose(0, 1).contiguous(), [(3, 4)], None),
    "clone": (lambda x: x.clone(), [(3, 4)], None),
    "cat_dim0": (lambda a, b: gu.cat([a, b]), [(2, 3), (4, 3)], lambda a, b: torch.cat([a, b])),
    "cat_dim1": (
        lambda a, b, c: gu.cat([a, b, c], dim=1),
        [(2, 1), (2, 3), (2, 2)],
        lambda a, b, c: torch.cat([a, b, c], dim=1),
    ),
    "cat_neg_dim": (
        lambda a, b: gu.cat((a, b), -1),
        [(2, 3, 1), (2, 3, 2)],
        lambda a, b: torch.cat((a, b), -1),
    ),
    "stack_0d": (lambda a, b: gu.stack([a, b]), [(), ()], lambda a, b: torch.stack([a, b])),
}
for _d in (0, 1, 2, -1, -3):
    SHAPE_OPS[f"stack_dim{_d}"] = (
        lambda a, b, c, d=_d: gu.stack([a, b, c], dim=d),
        [(2, 3), (2, 3), (2, 3)],
        lambda a, b, c, d=_d: torch.stack([a, b, c], dim=d),
    )


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", SHAPE_OPS)
def test_shape_op_matches_torch(name, dtype):
    fn, shapes, torch_fn = SHAPE_OPS[name]
    check_against_torch(fn, shapes, dtype=dtype, torch_fn=torch_fn)


@pytest.mark.parametrize("name", SHAPE_OPS)
def test_shape_op_gradcheck(name):
    fn, shapes, _ = SHAPE_OPS[name]
    check_gradcheck(fn, shapes)


# ---------------------------------------------------------------------- indexing

IDX_REPEAT = np.array([0, 0, 1])
IDX_2D = np.array([[0, 2], [2, 2]])
IDX_NEG = np.array([-1, 0, -1])
IDX_COLS = np.array([3, 0, 3])
MASK_ROWS = np.array([True, False, True, True, False])
MASK_FULL = np.array([[True, False, False, True]] * 5)
X = (5, 4)

# name: (groundup fn, inputs, torch fn or None for the same)
INDEXING = {
    "int": (lambda x: x[1], [X], None),
    "neg_int": (lambda x: x[-1], [X], None),
    "two_ints": (lambda x: x[1, 2], [X], None),
    "slice": (lambda x: x[1:3], [X], None),
    "slice_cols": (lambda x: x[:, 1:3], [X], None),
    "slice_step": (lambda x: x[::2, 1:], [X], None),
    "reverse": (lambda x: x[::-1], [X], lambda x: x.flip(0)),
    "neg_step": (lambda x: x[3:0:-2], [X], lambda x: x[[3, 1]]),
    "reverse_cols": (lambda x: x[:, ::-1], [X], lambda x: x.flip(1)),
    "none": (lambda x: x[None], [X], None),
    "none_mid": (lambda x: x[:, None], [X], None),
    "ellipsis_last": (lambda x: x[..., 1], [(2, 3, 4)], None),
    "ellipsis_first": (lambda x: x[1, ...], [(2, 3, 4)], None),
    "ellipsis_none": (lambda x: x[None, ..., 0], [(2, 3, 4)], None),
    "int_0d_tensor": (lambda x, i: x[i], [X, np.array(2)], None),
    "list_repeated": (lambda x: x[[0, 0, 1]], [X], None),
    "list_repeated_1d": (lambda x: x[[0, 0, 1]], [(4,)], None),
    "list_empty": (lambda x: x[[]], [X], None),
    "array_repeated": (lambda x: x[IDX_REPEAT], [X], None),
    "array_negative": (lambda x: x[IDX_NEG], [X], None),
    "tensor_repeated": (lambda x, i: x[i], [X, IDX_REPEAT], None),
    "tensor_repeated_1d": (lambda x, i: x[i], [(4,), IDX_REPEAT], None),
    "tensor_2d_repeated_rows": (lambda x, i: x[i], [X, IDX_2D], None),
    "tensor_2d_of_3d": (lambda x, i: x[i], [(3, 2, 4), IDX_2D], None),
    "rows_then_slice": (lambda x, i: x[i, 1:], [X, IDX_REPEAT], None),
    "rows_then_full_slice": (lambda x, i: x[i, :], [X, IDX_REPEAT], None),
    "cols": (lambda x, i: x[:, i], [X, IDX_COLS], None),
    "ellipsis_cols": (lambda x, i: x[..., i], [(2, 3, 4), IDX_COLS], None),
    "rows_and_cols": (lambda x, i, j: x[i, j], [X, IDX_REPEAT, IDX_COLS], None),
    "rows_and_cols_split": (lambda x, i, j: x[i, :, j], [(3, 2, 4), IDX_REPEAT, IDX_COLS], None),
    "row_int_and_cols": (lambda x, j: x[2, j], [X, IDX_COLS], None),
    "mask_positive": (lambda x: x[x > 0], [X], None),
    "mask_rows": (lambda x, m: x[m], [X, MASK_ROWS], None),
    "mask_rows_then_slice": (lambda x, m: x[m, 1:], [X, MASK_ROWS], None),
    "mask_full": (lambda x, m: x[m], [X, MASK_FULL], None),
    "mask_list": (lambda x: x[[True, False, True, False, True]], [X], None),
    "masked_fill": (lambda x, m: x.masked_fill(m, 0.5), [X, MASK_FULL], None),
    "masked_fill_broadcast": (lambda x, m: x.masked_fill(m, -1.0), [X, MASK_FULL[0]], None),
    "masked_fill_rows": (
        lambda x, m: x.masked_fill(m, 2.0),
        [X, MASK_ROWS[:, None]],
        None,
    ),
}


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", INDEXING)
def test_indexing_matches_torch(name, dtype):
    fn, inputs, torch_fn = INDEXING[name]
    check_against_torch(fn, inputs, dtype=dtype, torch_fn=torch_fn)


@pytest.mark.parametrize("name", INDEXING)
def test_indexing_gradcheck(name):
    fn, inputs, _ = INDEXING[name]
    check_gradcheck(fn, inputs)


@pytest.mark.parametrize(
    "key, expected",
    [
        ([0, 0, 1], [2.0, 1.0, 0.0, 0.0]),
        ([3, -1, 0, 3], [1.0, 0.0, 0.0, 3.0]),
        (np.array([[1, 1], [1, 2]]), [0.0, 3.0, 1.0, 0.0]),
    ],
)
def test_indexing_repeated_indices_accumulate_gradient(key, expected):
    x = gu.tensor(np.arange(4.0), requires_grad=True)
    x[key].sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), expected)


def test_indexing_repeated_rows_and_columns_accumulate_gradient():
    x = gu.tensor(np.zeros((3, 2)), requires_grad=True)
    x[[0, 0, 2], [1, 1, 0]].sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[0.0, 2.0], [0.0, 0.0], [1.0, 0.0]])


def test_indexing_basic_is_a_view_and_advanced_a_copy():
    x = gu.tensor(np.arange(6.0).reshape(2, 3))
    assert np.shares_memory(x[0].numpy(), x.numpy())
    assert not np.shares_memory(x[[0]].numpy(), x.numpy())
