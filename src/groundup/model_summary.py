"""``Model.summary()``: the Keras-style table of layers, output shapes and parameter counts."""

from __future__ import annotations

from typing import Any

from groundup.autograd import no_grad
from groundup.compile_utils import first_in_features
from groundup.creation import zeros

__all__ = ["summary_table"]


def _input_shape(model: Any) -> tuple | None:
    """The per-sample input shape: seen in a forward call, or read off the first layer."""
    return model._input_shape or first_in_features(model.net)


def _shape(out: Any) -> Any:
    """``(None, *dims)`` of an output, or a list of them for tuples (an LSTM's ``(y, (h, c))``)."""
    if isinstance(out, (tuple, list)):
        return [_shape(o) for o in out]
    shape = getattr(out, "shape", None)
    return (None, *shape[1:]) if shape is not None else type(out).__name__


def _output_shapes(model: Any, shape: tuple) -> dict[int, tuple]:
    """Run one zero sample through the model, recording each top-level layer's output shape."""
    shapes: dict[int, Any] = {}
    handles = [
        layer.register_forward_hook(lambda m, args, out, i=i: shapes.__setitem__(i, _shape(out)))
        for i, layer in enumerate(model.net.children())
    ]
    was_training = model.training
    model.eval()
    try:
        with no_grad():
            model(zeros((1, *shape), dtype="int64" if model._takes_indices() else None))
    finally:
        model.train(was_training)
        for h in handles:
            h.remove()
    return shapes


def summary_table(model: Any) -> str:
    """The summary as text."""
    shape = _input_shape(model)
    if shape is None:
        raise ValueError(
            "summary: the model is not built yet, so its shapes are unknown; pass input_dim= "
            "to the first layer, or call the model (or fit) once"
        )
    shapes = _output_shapes(model, shape)
    rows = [("Layer (type)", "Output Shape", "Param #")]
    for i, (name, layer) in enumerate(model.net.named_children()):
        count = sum(p.numel() for p in layer.parameters())
        rows.append((f"{name} ({type(layer).__name__})", str(shapes.get(i, "?")), f"{count:,}"))
    widths = [max(len(r[k]) for r in rows) + 3 for k in range(3)]
    line = "=" * sum(widths)

    def fmt(row: tuple) -> str:
        return "".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip()

    params = list(model.parameters())
    total = sum(p.numel() for p in params)
    trainable = sum(p.numel() for p in params if p.requires_grad)
    out = [f'Model: "{type(model.net).__name__.lower()}"', line, fmt(rows[0]), line]
    out += [fmt(r) for r in rows[1:]]
    out += [
        line,
        f"Total params: {total:,}",
        f"Trainable params: {trainable:,}",
        f"Non-trainable params: {total - trainable:,}",
        line,
    ]
    return "\n".join(out)
