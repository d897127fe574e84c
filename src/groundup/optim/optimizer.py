"""The ``Optimizer`` base class: parameter groups, per-parameter state, ``step``, state dicts.

A subclass writes only ``_update_group(group)``: the paper's update for the parameters of
one group, in place on their arrays. Everything else is shared here: checking the
parameters and hyperparameters, the closure, ``zero_grad``, the gradient with ``maximize``
and L2 ``weight_decay`` applied (``_grad``), scratch arrays so an update allocates nothing
(``_scratch``), torch's ``lerp_``, and ``state_dict``/``load_state_dict`` in PyTorch's layout.

Speed (DESIGN principle 2): each update is a fixed handful of NumPy ufunc calls per
parameter (Adam: 13), each writing into existing memory (``out=`` or in-place operators).
On the 784-256-128-10 MLP (6 parameters, 235k floats) gathering a group into one flat
buffer did not beat this loop (about 300 us per Adam step either way, like PyTorch's
default CPU path): the time goes to the passes over memory, not to the calls. The calls
cost about 6 us per parameter (Adam), which matters only for models with many small tensors.
"""

from __future__ import annotations

import copy
import numbers
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from groundup.autograd import enable_grad
from groundup.backend import get_xp, to_device
from groundup.tensor import Tensor

__all__ = ["Optimizer", "lerp_"]

_LABELS = {"lr": "learning rate", "eps": "epsilon value"}  # PyTorch's words in its messages


class Optimizer:
    """Base class of the optimizers: holds ``param_groups`` and ``state``.

    Parameters
    ----------
    params : iterable of Tensor, of (name, Tensor) pairs, or of dicts
        The tensors to optimize, or parameter groups: dicts with a ``"params"`` list and
        any hyperparameters that differ from ``defaults`` for that group.
    defaults : dict
        The hyperparameters of every group that does not set its own.

    Attributes
    ----------
    param_groups : list of dict
        One dict per group: ``"params"`` plus every hyperparameter.
    state : dict
        Per-parameter state (``step``, ``exp_avg``, ...), keyed by the parameter tensor.

    Examples
    --------
    >>> import groundup as gu
    >>> from groundup import optim
    >>> w, b = gu.ones(2, requires_grad=True), gu.zeros(1, requires_grad=True)
    >>> opt = optim.SGD([{"params": [w]}, {"params": [b], "lr": 0.5}], lr=0.1)
    >>> [g["lr"] for g in opt.param_groups]
    [0.1, 0.5]
    """

    def __init__(self, params: Iterable[Any], defaults: dict[str, Any]) -> None:
        self.defaults = dict(defaults)
        self.state: dict[Tensor, dict[str, Any]] = defaultdict(dict)  # as PyTorch's
        self.param_groups: list[dict[str, Any]] = []
        self._buffers: dict[tuple, Any] = {}  # scratch memory, see _scratch
        self._views: dict[tuple, Any] = {}
        if isinstance(params, (Tensor, set)):
            kind = (
                "a set (its order changes between runs)" if isinstance(params, set) else "a Tensor"
            )
            raise TypeError(
                f"{type(self).__name__}: params should be an iterable of Tensors or dicts, "
                f"but got {kind}; pass a list or model.parameters()"
            )
        groups = list(params)
        if not groups:
            raise ValueError(f"{type(self).__name__}: got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {group[k]}" for k in sorted(group) if k != "params"]
        return "\n".join([*lines, ")"])

    # ------------------------------------------------------------------ groups
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own hyperparameters (the rest from ``defaults``).

        Useful to unfreeze layers during fine-tuning. Raises ``ValueError`` for a parameter
        that is already in a group, a non-leaf tensor or an invalid hyperparameter.
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the "
                "ordering of tensors in sets will change between runs; use a list instead"
            )
        params = list(params)
        group = dict(param_group)
        names = [p[0] for p in params if isinstance(p, tuple)]
        if names:  # model.named_parameters(): keep the names, like PyTorch
            if len(names) != len(params):
                raise ValueError("all optimizer params should be with/without names")
            group["param_names"] = names
            params = [p[1] for p in params]
        group["params"] = params
        for p in params:
            _check_param(p)
        if len({id(p) for p in params}) != len(params):
            raise ValueError("optimizer got a parameter group with the same tensor twice")
        for name, default in self.defaults.items():
            group.setdefault(name, default)
        self._check_hyperparameters(group)
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in seen for p in params):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(group)

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        """Raise ``ValueError`` for an invalid hyperparameter of ``group`` (subclasses)."""

    @staticmethod
    def _check_nonnegative(group: dict[str, Any], *keys: str) -> None:
        """PyTorch's checks: each of ``keys`` is a number >= 0 (``Invalid learning rate: -1``)."""
        for key in keys:
            value = group[key]
            if not isinstance(value, numbers.Real) or isinstance(value, bool):
                raise TypeError(f"{key} must be a number, got {value!r}")
            if not value >= 0.0:  # NaN fails too
                label = _LABELS.get(key, f"{key} value")
                raise ValueError(f"Invalid {label}: {value}")

    # ------------------------------------------------------------------ stepping
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients: to ``None`` (default, frees memory) or to zeros in place."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    p.grad.data.fill(0)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient; return ``closure()``'s loss, if given.

        ``closure`` re-evaluates the model and returns the loss (it runs with grad
        recording on, so it may call ``backward``).
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            self._update_group(group)
        return loss

    def _update_group(self, group: dict[str, Any]) -> None:
        """Apply one update to the parameters of ``group`` that have a gradient (subclasses)."""
        raise NotImplementedError

    # ------------------------------------------------------------------ helpers for updates
    def _params_with_grad(self, group: dict[str, Any]) -> Iterable[Tensor]:
        """The parameters of ``group`` that have a gradient (the others are skipped)."""
        for p in group["params"]:
            if p.grad is None:
                continue
            g = p.grad.data
            if g.shape != p.data.shape or g.dtype != p.data.dtype:
                raise RuntimeError(
                    f"{type(self).__name__}.step: a parameter of shape {p.shape} and dtype "
                    f"{p.dtype} has a gradient of shape {g.shape} and dtype {g.dtype}"
                )
            p._bump_version()  # the update below changes p in place, as in PyTorch
            yield p

    def _state(self, p: Tensor, **arrays: float) -> dict[str, Any]:
        """The state of ``p``, made on first use: ``step = 0`` and one array per keyword.

        Each array is shaped like ``p`` and filled with the keyword's value:
        ``exp_avg=0.0`` makes ``state["exp_avg"]`` zeros.
        """
        state = self.state.get(p)
        if not state:
            state = self.state[p] = {"step": 0}
            for name, value in arrays.items():
                state[name] = get_xp(p.device).full_like(p.data, value)
        return state

    def _grad(self, p: Tensor, group: dict[str, Any], out: Any, weight_decay: bool = True) -> Any:
        """The gradient the update uses: g = ±dL/dp + weight_decay * p (PyTorch's order).

        ``maximize`` flips the sign; L2 ``weight_decay`` (unless ``weight_decay=False``)
        adds ``wd * p``. Returns ``p.grad``'s array itself when neither applies, else ``out``.
        """
        g = p.grad.data
        wd = float(group.get("weight_decay", 0.0)) if weight_decay else 0.0
        maximize = group.get("maximize", False)
        if not wd:
            return get_xp(p.device).negative(g, out=out) if maximize else g
        get_xp(p.device).multiply(p.data, wd, out=out)  # wd * p
        if maximize:
            out -= g  # -g + wd * p
        else:
            out += g  # g + wd * p
        return out

    def _scratch(self, p: Tensor) -> tuple[Any, Any]:
        """Two scratch arrays shaped like ``p``, for an update's temporaries.

        They are views into two flat buffers per dtype and device, shared by all parameters
        (updates run one parameter at a time), so a step allocates nothing.
        """
        data = p.data
        key = (data.shape, data.dtype, p.device)
        views = self._views.get(key)
        if views is None:
            n, flat_key = data.size, (data.dtype, p.device)
            buffers = self._buffers.get(flat_key)
            if buffers is None or buffers[0].size < n:
                xp = get_xp(p.device)
                buffers = self._buffers[flat_key] = (
                    xp.empty(n, data.dtype),
                    xp.empty(n, data.dtype),
                )
                self._views = {}  # they point into the old, smaller buffers
            views = self._views[key] = (
                buffers[0][:n].reshape(data.shape),
                buffers[1][:n].reshape(data.shape),
            )
        return views

    # ------------------------------------------------------------------ state dicts
    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state in PyTorch's layout, as NumPy arrays and Python numbers.

        ``{"state": {index: {"step": 3, "exp_avg": array, ...}}, "param_groups": [{"lr": ...,
        "params": [index, ...]}, ...]}``: parameters are numbered across the groups in order.
        Arrays are copies, so later steps do not change a saved state dict.
        """
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = copy.deepcopy({k: v for k, v in group.items() if k != "params"})
            packed["params"] = [index.setdefault(id(p), len(index)) for p in group["params"]]
            groups.append(packed)
        state = {}
        for group in self.param_groups:
            for p in group["params"]:
                if self.state.get(p):
                    state[index[id(p)]] = {k: _export(v) for k, v in self.state[p].items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a state from ``state_dict()`` (ours, or PyTorch's converted to arrays).

        The groups must hold the same numbers of parameters as when it was saved; the
        hyperparameters and per-parameter state are copied in, so training continues
        exactly as it would have.
        """
        groups, saved_groups = self.param_groups, state_dict["param_groups"]
        if len(groups) != len(saved_groups):
            raise ValueError(
                f"load_state_dict: the state dict has {len(saved_groups)} parameter groups, "
                f"but the optimizer has {len(groups)}"
            )
        for i, (group, saved) in enumerate(zip(groups, saved_groups)):
            if len(group["params"]) != len(saved["params"]):
                raise ValueError(
                    f"load_state_dict: parameter group {i} has {len(saved['params'])} parameters "
                    f"in the state dict, but {len(group['params'])} in the optimizer"
                )
        params = {}  # saved index -> our tensor
        for group, saved in zip(groups, saved_groups):
            params.update({int(i): p for i, p in zip(saved["params"], group["params"])})
        state: dict[Tensor, dict[str, Any]] = defaultdict(dict)
        for i, saved_state in state_dict["state"].items():
            if int(i) not in params:
                raise ValueError(f"load_state_dict: state for unknown parameter index {i}")
            p = params[int(i)]
            state[p] = {k: _import(v, p, k, i) for k, v in saved_state.items()}
        new_groups = []
        for group, saved in zip(groups, saved_groups):  # saved values win; params stay ours
            new = dict(group)
            new.update({k: _as_hyperparameter(v) for k, v in saved.items() if k != "params"})
            new["params"] = group["params"]
            if "param_names" in group:
                new["param_names"] = group["param_names"]
            new_groups.append(new)
        self.state, self.param_groups = state, new_groups


def lerp_(a: Any, b: Any, w: float, tmp: Any, xp: Any) -> None:
    """a = a + w (b - a) = (1 - w) a + w b, in place, as PyTorch's ``lerp_`` computes it.

    ``tmp`` is scratch memory shaped like ``a``; ``xp`` the array module. For |w| >= 0.5
    PyTorch computes b - (b - a)(1 - w), which is more exact there.
    """
    xp.subtract(b, a, out=tmp)  # b - a
    if abs(w) < 0.5:
        tmp *= w
        a += tmp
    else:
        tmp *= 1.0 - w
        xp.subtract(b, tmp, out=a)


def _check_param(p: Any) -> None:
    if not isinstance(p, Tensor):
        raise TypeError(f"optimizer can only optimize Tensors, but one of the params is {type(p)}")
    if not p.is_leaf:
        raise ValueError("can't optimize a non-leaf Tensor; optimize the leaves it was made from")
    if p.dtype.kind != "f":
        raise TypeError(
            f"optimizer can only optimize floating-point tensors, got dtype {p.dtype}; "
            "convert it with .float()"
        )


def _export(value: Any) -> Any:
    """A state value as a NumPy array (copied) or a plain Python number."""
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        return to_device(value, "cpu").copy()
    return value


def _import(value: Any, p: Tensor, key: str, index: Any) -> Any:
    """A saved state value for parameter ``p``: ``step`` as an int, arrays on p's device."""
    if key == "step":
        return int(float(value))  # PyTorch saves step as a float tensor
    if value is None or isinstance(value, (int, float)):
        return value
    array = get_xp(p.device).array(to_device(_as_array(value), p.device), dtype=p.dtype)
    if array.shape != p.shape:
        raise ValueError(
            f"load_state_dict: state {key!r} of parameter {index} has shape {array.shape}, "
            f"but the parameter has shape {p.shape}"
        )
    return array


def _as_array(value: Any) -> Any:
    if isinstance(value, Tensor):
        return value.data
    if hasattr(value, "detach") and hasattr(value, "numpy"):  # a torch.Tensor
        return value.detach().cpu().numpy()
    return value


def _as_hyperparameter(value: Any) -> Any:
    """Lists of numbers (a tuple after a trip through JSON) come back as tuples."""
    if isinstance(value, list) and all(isinstance(v, (int, float)) for v in value):
        return tuple(value)
    return copy.deepcopy(value)
