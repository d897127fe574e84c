"""What an experiment config can name: models, optimizers and learning-rate schedules.

Each name maps to the keys its table accepts, with their defaults (what ``resolve_config``
fills in), and to a builder. Optimizers take every keyword of their class (``lr``,
``betas``, ``weight_decay``, ...), with the class's own defaults. A schedule's length is
the run's: ``cosine`` anneals over ``training.epochs``, ``onecycle`` over every batch of
the run, so those keys are not in the tables.
"""

from __future__ import annotations

import inspect
import math
from typing import Any

from groundup import nn
from groundup.compile_utils import OPTIMIZERS

__all__ = [
    "MODELS",
    "MODEL_ALIASES",
    "SCHEDULES",
    "build_model",
    "build_optimizer",
    "build_schedule",
    "optimizer_defaults",
    "task_loss_and_metrics",
]

MODELS: dict[str, dict[str, Any]] = {
    "mlp": {"hidden": [256, 128], "dropout": 0.0},
    "lenet5": {},
    "small_cnn": {"channels": [32, 64], "convs_per_block": 1, "hidden": 128, "dropout": 0.25},
    "char_lstm": {"embed": 64, "hidden": 256, "num_layers": 1},
    "gpt": {"n_layer": 4, "n_head": 4, "n_embd": 128, "dropout": 0.0, "bias": False},
}
MODEL_ALIASES = {"cnn": "lenet5", "lstm": "char_lstm"}
TEXT_MODELS = ("char_lstm", "gpt")

SCHEDULES: dict[str, dict[str, Any]] = {
    "none": {},
    "step": {"step_size": 1, "gamma": 0.1},  # lr *= gamma every step_size epochs
    "exponential": {"gamma": 0.9},  # lr *= gamma every epoch
    "cosine": {"eta_min": 0.0},  # a half cosine from lr to eta_min over the epochs
    "onecycle": {"max_lr": 0.0, "pct_start": 0.3},  # per batch; max_lr 0 = optimizer.lr
    "plateau": {"factor": 0.1, "patience": 10},  # on the validation loss
}


# ---------------------------------------------------------------------- models
class CharLSTM(nn.Module):
    """Character ids (N, L) -> next-character logits (N, L, V): embedding, LSTM, linear."""

    def __init__(self, vocab_size: int, embed: int, hidden: int, num_layers: int) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed)
        self.lstm = nn.LSTM(embed, hidden, num_layers=num_layers, batch_first=True)
        self.head = nn.Linear(hidden, vocab_size)

    def forward(self, x: Any) -> Any:
        y, _ = self.lstm(self.embed(x))  # (N, L, H)
        return self.head(y)


class LogitsOnly(nn.Module):
    """A language model that returns ``(logits, loss)``, seen as one that returns logits."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, x: Any) -> Any:
        return self.model(x)[0]


def _mlp(cfg: dict, info: dict) -> nn.Module:
    layers: list[nn.Module] = [nn.Flatten()]
    width = math.prod(info["shape"])
    for units in cfg["hidden"]:
        layers += [nn.Linear(width, units), nn.ReLU()]
        if cfg["dropout"]:
            layers.append(nn.Dropout(cfg["dropout"]))
        width = units
    layers.append(nn.Linear(width, info["num_classes"]))
    return nn.Sequential(*layers)


def _lenet5(cfg: dict, info: dict) -> nn.Module:
    from groundup.models import LeNet5

    channels, height, width = info["shape"]
    if (height, width) not in ((28, 28), (32, 32)):
        raise ValueError(
            f"model lenet5: expects 28x28 images (padded to 32) or 32x32 ones, got "
            f"{height}x{width}; use model.name = 'mlp' or 'small_cnn' for this dataset"
        )
    padding = 2 if height == 28 else 0
    return LeNet5(num_classes=info["num_classes"], in_channels=channels, padding=padding)


def _small_cnn(cfg: dict, info: dict) -> nn.Module:
    from groundup.models import SmallCNN

    channels, height, _ = info["shape"]
    return SmallCNN(
        in_channels=channels,
        num_classes=info["num_classes"],
        image_size=height,
        channels=tuple(cfg["channels"]),
        convs_per_block=cfg["convs_per_block"],
        hidden=cfg["hidden"],
        dropout=cfg["dropout"],
    )


def _char_lstm(cfg: dict, info: dict) -> nn.Module:
    return CharLSTM(info["vocab_size"], cfg["embed"], cfg["hidden"], cfg["num_layers"])


def _gpt(cfg: dict, info: dict) -> nn.Module:
    try:
        from groundup.models import GPT, GPTConfig
    except ImportError as e:
        raise ValueError(
            "model gpt: groundup.models.GPT is not available in this version of groundup "
            f"({e}); choose another model"
        ) from e
    shape = {k: cfg[k] for k in ("n_layer", "n_head", "n_embd", "dropout", "bias")}
    config = GPTConfig(vocab_size=info["vocab_size"], block_size=info["seq_len"], **shape)
    return LogitsOnly(GPT(config))


_BUILDERS = {
    "mlp": _mlp,
    "lenet5": _lenet5,
    "small_cnn": _small_cnn,
    "char_lstm": _char_lstm,
    "gpt": _gpt,
}


def build_model(cfg: dict, info: dict) -> nn.Module:
    """The module a resolved ``[model]`` table names, sized for the data (``info``)."""
    name = cfg["name"]
    wants_text = name in TEXT_MODELS
    if wants_text != (info["kind"] == "text"):
        needs = "a text dataset (shakespeare)" if wants_text else "an image dataset"
        raise ValueError(f"model {name}: needs {needs}, but the dataset is {info['kind']}")
    return _BUILDERS[name](cfg, info)


# ---------------------------------------------------------------------- loss and metrics
def _sequence_cross_entropy(logits: Any, targets: Any) -> Any:
    """Mean cross-entropy over every position: logits (N, L, V), targets (N, L)."""
    V = logits.shape[-1]
    return nn.functional.cross_entropy(logits.reshape(-1, V), targets.reshape(-1))


def accuracy(y_true: Any, output: Any) -> float:
    """The share of positions whose largest logit is the target (NumPy arrays)."""
    return float((output.argmax(axis=-1) == y_true).mean())


def task_loss_and_metrics(kind: str) -> tuple[Any, list]:
    """``Model.compile``'s loss and metrics: images by class, text by next character."""
    if kind == "text":
        return _sequence_cross_entropy, [accuracy]
    return "cross_entropy", ["accuracy"]


# ---------------------------------------------------------------------- optimizers
def _optimizer_class(name: str) -> type:
    from groundup import optim

    return getattr(optim, OPTIMIZERS[name][0])


def optimizer_defaults(name: str) -> dict[str, Any]:
    """The keyword arguments of optimizer ``name`` and their defaults (tuples as lists)."""
    signature = inspect.signature(_optimizer_class(name))
    return {
        key: list(p.default) if isinstance(p.default, tuple) else p.default
        for key, p in signature.parameters.items()
        if key != "params" and p.default is not inspect.Parameter.empty
    }


def build_optimizer(cfg: dict, params: list) -> Any:
    """The optimizer a resolved ``[optimizer]`` table names, over ``params``."""
    kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in cfg.items() if k != "name"}
    return _optimizer_class(cfg["name"])(params, **kwargs)


# ---------------------------------------------------------------------- schedules
def build_schedule(cfg: dict, optimizer: Any, epochs: int, steps_per_epoch: int) -> Any:
    """The learning-rate scheduler a resolved ``[schedule]`` table names (None for "none")."""
    from groundup.optim import lr_scheduler as S

    name = cfg["name"]
    if name == "none":
        return None
    if name == "step":
        return S.StepLR(optimizer, step_size=cfg["step_size"], gamma=cfg["gamma"])
    if name == "exponential":
        return S.ExponentialLR(optimizer, gamma=cfg["gamma"])
    if name == "cosine":
        return S.CosineAnnealingLR(optimizer, T_max=epochs, eta_min=cfg["eta_min"])
    if name == "onecycle":
        total = epochs * steps_per_epoch
        return S.OneCycleLR(optimizer, cfg["max_lr"], total_steps=total, pct_start=cfg["pct_start"])
    return S.ReduceLROnPlateau(optimizer, factor=cfg["factor"], patience=cfg["patience"])
