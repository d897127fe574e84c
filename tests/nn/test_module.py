"""Module, Parameter and the containers against torch.nn: registration, traversal, modes,
repr strings, state dict keys and round trips, and load_state_dict's errors."""

from __future__ import annotations

import copy
from collections import OrderedDict

import numpy as np
import pytest
import torch

import groundup as gu
from groundup import nn


# ---------------------------------------------------------------------- twin models
def make_block(lib):
    """The same custom module in torch.nn and groundup.nn: fc1, fc2 and a registered buffer."""

    class Block(lib.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = lib.Linear(6, 5)
            self.act = lib.ReLU()
            self.fc2 = lib.Linear(5, 3)
            self.register_buffer("scale", (gu if lib is nn else torch).full((3,), 2.0))
            self.register_buffer("cache", (gu if lib is nn else torch).zeros(3), persistent=False)

        def forward(self, x):
            return self.fc2(self.act(self.fc1(x))) * self.scale

    return Block()


def make_model(lib):
    """Sequential of Linear/ReLU/Dropout plus the custom block: nested keys like 3.fc1.weight."""
    return lib.Sequential(lib.Linear(4, 6), lib.ReLU(), lib.Dropout(0.2), make_block(lib))


def torch_to_numpy(sd):
    return {k: v.detach().numpy().copy() for k, v in sd.items()}


# ---------------------------------------------------------------------- registration
def test_module_registers_in_definition_order():
    ours, ref = make_model(nn), make_model(torch.nn)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in ref.named_parameters()]
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in ref.named_buffers()]
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in ref.named_modules()]
    assert [n for n, _ in ours.named_children()] == [n for n, _ in ref.named_children()]
    assert len(list(ours.modules())) == len(list(ref.modules())) == 8
    assert [type(m).__name__ for m in ours.children()] == ["Linear", "ReLU", "Dropout", "Block"]


def test_module_parameters_shared_counted_once():
    ours, ref = nn.Sequential(), torch.nn.Sequential()
    for model, lib in ((ours, nn), (ref, torch.nn)):
        fc = lib.Linear(3, 3)
        model.append(fc)
        model.append(fc)
    assert len(list(ours.parameters())) == len(list(ref.parameters())) == 2
    assert (
        list(ours.state_dict())
        == list(ref.state_dict())
        == [
            "0.weight",
            "0.bias",
            "1.weight",
            "1.bias",
        ]
    )


def test_module_parameters_recurse_false_and_prefix():
    block = make_block(nn)
    assert list(block.parameters(recurse=False)) == []
    names = [n for n, _ in block.named_parameters(prefix="enc")]
    assert names == ["enc.fc1.weight", "enc.fc1.bias", "enc.fc2.weight", "enc.fc2.bias"]


def test_module_reassign_and_delete():
    m = nn.Module()
    m.w = nn.Parameter(gu.zeros(2))
    m.sub = nn.Linear(2, 2)
    m.register_buffer("buf", gu.ones(1))
    assert isinstance(m.w, nn.Parameter) and m.buf.tolist() == [1.0]
    m.w = None  # a declared but absent parameter
    assert "w" in m._parameters and list(m.parameters()) == list(m.sub.parameters())
    m.buf = gu.zeros(1)  # reassigning a buffer keeps it a buffer
    assert m._buffers["buf"].tolist() == [0.0]
    del m.sub
    assert "sub" not in m._modules
    with pytest.raises(AttributeError, match="has no attribute 'sub'"):
        m.sub  # noqa: B018
    with pytest.raises(TypeError, match="as parameter 'w'"):
        m.w = gu.zeros(2)
    with pytest.raises(TypeError, match="as buffer 'buf'"):
        m.buf = 3.0


def test_module_plain_tensor_attribute_is_not_state():
    m = nn.Module()
    m.t = gu.ones(2)
    assert list(m.state_dict()) == [] and list(m.buffers()) == []


def test_module_assign_before_init_raises():
    class Bad(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(1, 1)

    with pytest.raises(AttributeError, match=r"before Module.__init__\(\) call"):
        Bad()


def test_module_register_errors():
    m = nn.Module()
    m.x = 1
    with pytest.raises(KeyError, match="attribute 'x' already exists"):
        m.register_buffer("x", gu.ones(1))
    with pytest.raises(KeyError, match="contain"):
        m.register_parameter("a.b", None)
    with pytest.raises(TypeError, match="nn.Parameter or None required"):
        m.register_parameter("p", gu.ones(1))
    with pytest.raises(TypeError, match="Tensor or None required"):
        m.register_buffer("b", np.ones(1))


def test_module_forward_missing_raises():
    with pytest.raises(NotImplementedError, match='missing the required "forward"'):
        nn.Module()(gu.ones(1))


def test_module_train_eval_propagates():
    model = make_model(nn)
    assert all(m.training for m in model.modules())
    assert model.eval() is model
    assert not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())
    model.train(False)
    assert not model[3].fc1.training
    with pytest.raises(ValueError, match="bool"):
        model.train("yes")


def test_module_apply_visits_children_first():
    model = make_model(nn)
    seen = []
    assert model.apply(lambda m: seen.append(type(m).__name__)) is model
    assert seen == ["Linear", "ReLU", "Dropout", "Linear", "ReLU", "Linear", "Block", "Sequential"]


def test_module_zero_grad_and_requires_grad():
    model = make_model(nn)
    model(gu.ones(2, 4)).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad.data.any() for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())
    model.requires_grad_(False)
    assert not any(p.requires_grad for p in model.parameters())
    assert not model(gu.ones(2, 4)).requires_grad


def test_module_to_casts_float_state_in_place():
    model = make_model(nn)
    model.register_buffer("steps", gu.tensor(3))
    weight = model[0].weight
    assert model.to(gu.float64) is model
    assert model[0].weight is weight and weight.dtype == np.float64
    assert model[3].scale.dtype == np.float64 and model.steps.dtype == np.int64
    assert model(gu.ones(2, 4, dtype=gu.float64)).dtype == np.float64
    assert model.float()[0].weight.dtype == np.float32
    with pytest.raises(TypeError, match="only floating dtypes"):
        model.to(gu.int64)


def test_module_getattr_unknown_names_class():
    with pytest.raises(AttributeError, match="'Linear' object has no attribute 'weights'"):
        nn.Linear(1, 1).weights  # noqa: B018


def test_module_forward_hooks():
    fc = nn.Linear(2, 2)
    calls = []
    pre = fc.register_forward_pre_hook(lambda m, args: calls.append("pre"))
    post = fc.register_forward_hook(lambda m, args, out: out * 0)
    assert not fc(gu.ones(1, 2)).data.any() and calls == ["pre"]
    pre.remove()
    post.remove()
    assert fc(gu.ones(1, 2)).data.any() and calls == ["pre"]


def test_module_deepcopy_is_independent():
    model = make_model(nn)
    clone = copy.deepcopy(model)
    assert clone[0].weight is not model[0].weight
    np.testing.assert_array_equal(clone[0].weight.data, model[0].weight.data)
    clone[0].weight.data += 1
    assert not np.array_equal(clone[0].weight.data, model[0].weight.data)
    assert isinstance(clone[0].weight, nn.Parameter) and clone[0].weight.requires_grad


# ---------------------------------------------------------------------- Parameter
def test_parameter_shares_tensor_data_and_requires_grad():
    t = gu.ones(3)
    p = nn.Parameter(t)
    assert p.data is t.data and p.requires_grad and p.is_leaf
    assert not nn.Parameter(t, requires_grad=False).requires_grad
    assert nn.Parameter([1.0, 2.0]).dtype == np.float32
    assert nn.Parameter().shape == (0,)
    assert repr(p) == "Parameter containing:\ntensor([1., 1., 1.], requires_grad=True)"
    assert type(p * 2) is gu.Tensor


# ---------------------------------------------------------------------- repr
def test_module_repr_matches_torch():
    ours, ref = make_model(nn), make_model(torch.nn)
    assert repr(ours) == repr(ref)
    assert repr(nn.Module()) == repr(torch.nn.Module()) == "Module()"


def test_containers_repr_matches_torch():
    def build(lib):
        return lib.ModuleDict(
            {
                "blocks": lib.ModuleList([lib.Linear(3, 3) for _ in range(3)] + [lib.ReLU()]),
                "head": lib.Sequential(OrderedDict(fc=lib.Linear(3, 2), out=lib.Softmax(dim=1))),
                "empty": lib.ModuleList(),
            }
        )

    assert repr(build(nn)) == repr(build(torch.nn))


# ---------------------------------------------------------------------- state dict
def test_state_dict_keys_match_torch():
    ours, ref = make_model(nn), make_model(torch.nn)
    assert list(ours.state_dict()) == list(ref.state_dict())
    assert "3.cache" not in ours.state_dict()  # non-persistent
    for k, v in ours.state_dict().items():
        assert v.shape == tuple(ref.state_dict()[k].shape), k


def test_state_dict_values_are_detached_views():
    model = make_model(nn)
    sd = model.state_dict()
    w = sd["0.weight"]
    assert type(w) is gu.Tensor and not w.requires_grad
    assert np.shares_memory(w.data, model[0].weight.data)
    assert model.state_dict(keep_vars=True)["0.weight"] is model[0].weight


def test_load_torch_state_dict_gives_same_outputs():
    torch.manual_seed(0)
    ref = make_model(torch.nn).eval()
    ours = make_model(nn).eval()
    arrays = [p.data for p in ours.parameters()]
    result = ours.load_state_dict(torch_to_numpy(ref.state_dict()))
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert repr(result) == "<All keys matched successfully>"
    assert all(a is p.data for a, p in zip(arrays, ours.parameters()))  # copied in place
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    np.testing.assert_allclose(
        ours(gu.tensor(x)).numpy(), ref(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6
    )


def test_load_torch_tensors_directly():
    ref = make_model(torch.nn)
    ours = make_model(nn)
    ours.load_state_dict(ref.state_dict())
    np.testing.assert_array_equal(ours[0].weight.numpy(), ref[0].weight.detach().numpy())


def test_state_dict_round_trip_to_torch():
    ours = make_model(nn).eval()
    ref = make_model(torch.nn).eval()
    ref.load_state_dict({k: torch.from_numpy(v.numpy()) for k, v in ours.state_dict().items()})
    x = np.random.default_rng(1).standard_normal((3, 4)).astype(np.float32)
    np.testing.assert_allclose(
        ours(gu.tensor(x)).numpy(), ref(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6
    )


def test_load_state_dict_keeps_dtype():
    ours = make_model(nn)
    sd = {k: v.numpy().astype(np.float64) for k, v in make_model(nn).state_dict().items()}
    ours.load_state_dict(sd)
    assert all(p.dtype == np.float32 for p in ours.parameters())
    np.testing.assert_allclose(ours[0].bias.numpy(), sd["0.bias"], rtol=1e-7)


def test_load_state_dict_strict_names_every_missing_and_unexpected_key():
    ours = make_model(nn)
    sd = {k: v.numpy() for k, v in ours.state_dict().items()}
    del sd["0.bias"], sd["3.fc2.weight"]
    sd["3.fc3.weight"] = np.zeros((1, 1), np.float32)
    sd["extra"] = np.zeros(1, np.float32)
    with pytest.raises(RuntimeError) as info:
        ours.load_state_dict(sd)
    with pytest.raises(RuntimeError) as ref_info:
        make_model(torch.nn).load_state_dict({k: torch.from_numpy(v) for k, v in sd.items()})
    message = str(info.value)
    assert message == str(ref_info.value)  # the same text as PyTorch, every key named
    assert 'Missing key(s) in state_dict: "0.bias", "3.fc2.weight".' in message
    assert 'Unexpected key(s) in state_dict: "extra", "3.fc3.weight".' in message


def test_load_state_dict_non_strict_returns_keys():
    ours = make_model(nn)
    sd = {k: v.numpy() for k, v in ours.state_dict().items()}
    del sd["0.bias"]
    sd["junk"] = np.zeros(1)
    missing, unexpected = ours.load_state_dict(sd, strict=False)
    assert missing == ["0.bias"] and unexpected == ["junk"]


def test_load_state_dict_shape_mismatch_names_key_and_shapes():
    ours = make_model(nn)
    sd = {k: v.numpy() for k, v in ours.state_dict().items()}
    sd["3.fc1.weight"] = np.zeros((5, 7), np.float32)
    expected = r"size mismatch for 3\.fc1\.weight: .*\(5, 7\).*\(5, 6\)"
    for strict in (True, False):
        with pytest.raises(RuntimeError, match=expected):
            ours.load_state_dict(sd, strict=strict)


def test_load_state_dict_rejects_non_arrays():
    ours = nn.Linear(2, 1)
    with pytest.raises(RuntimeError, match='parameter named "weight"'):
        ours.load_state_dict({"weight": "abc", "bias": np.zeros(1)})
    with pytest.raises(TypeError, match="dict-like"):
        ours.load_state_dict([("weight", np.zeros((1, 2)))])


def test_load_state_dict_int_buffer_like_batchnorm_counter():
    m = nn.Module()
    m.register_buffer("num_batches_tracked", gu.tensor(0))
    m.load_state_dict({"num_batches_tracked": torch.tensor(7)})
    assert m.num_batches_tracked.item() == 7 and m.num_batches_tracked.dtype == np.int64


# ---------------------------------------------------------------------- containers
def test_sequential_indexing_slicing_and_editing_match_torch():
    ours = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 4), nn.Tanh())
    ref = torch.nn.Sequential(
        torch.nn.Linear(2, 3), torch.nn.ReLU(), torch.nn.Linear(3, 4), torch.nn.Tanh()
    )
    assert len(ours) == 4 and isinstance(ours[-1], nn.Tanh)
    assert isinstance(ours[1:3], nn.Sequential) and repr(ours[1:3]) == repr(ref[1:3])
    assert [type(m).__name__ for m in ours] == ["Linear", "ReLU", "Linear", "Tanh"]
    for model, lib in ((ours, nn), (ref, torch.nn)):
        del model[1]
        model.append(lib.Sigmoid())
        model.insert(1, lib.GELU())
        model[0] = lib.Linear(2, 3, bias=False)
    assert repr(ours) == repr(ref)
    assert list(ours.state_dict()) == list(ref.state_dict())
    with pytest.raises(IndexError, match="out of range"):
        ours[10]


def test_sequential_from_ordered_dict_names_keys():
    model = nn.Sequential(OrderedDict(fc=nn.Linear(2, 2), act=nn.ReLU()))
    assert list(model.state_dict()) == ["fc.weight", "fc.bias"]
    assert model(gu.ones(1, 2)).shape == (1, 2)


def test_module_list_operations():
    blocks = nn.ModuleList([nn.Linear(2, 2)])
    blocks.append(nn.ReLU())
    blocks.extend([nn.Tanh(), nn.Sigmoid()])
    blocks.insert(1, nn.GELU())
    blocks += [nn.Identity()]
    names = [type(m).__name__ for m in blocks]
    assert names == ["Linear", "GELU", "ReLU", "Tanh", "Sigmoid", "Identity"]
    assert isinstance(blocks[1:3], nn.ModuleList) and len(blocks[1:3]) == 2
    assert isinstance(blocks[-1], nn.Identity)
    del blocks[0]
    assert list(blocks._modules) == [str(i) for i in range(5)]
    assert isinstance(blocks.pop(0), nn.GELU) and len(blocks) == 4
    with pytest.raises(TypeError, match="iterable of modules"):
        blocks.extend(nn.ReLU())
    with pytest.raises(NotImplementedError):
        blocks(gu.ones(1))


def test_module_dict_operations():
    heads = nn.ModuleDict({"a": nn.Linear(2, 1)})
    heads["b"] = nn.Linear(2, 3)
    heads.update([("c", nn.ReLU())])
    assert list(heads) == ["a", "b", "c"] and "b" in heads and len(heads) == 3
    assert list(heads.state_dict()) == ["a.weight", "a.bias", "b.weight", "b.bias"]
    assert isinstance(heads.pop("c"), nn.ReLU) and list(heads.keys()) == ["a", "b"]
    heads.clear()
    assert len(heads) == 0 and list(heads.parameters()) == []
