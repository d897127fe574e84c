"""Data, models and small helpers shared by the Keras-style Model and callback tests."""

from __future__ import annotations

import numpy as np
import torch

import groundup as gu
from groundup import nn


def class_data(n: int = 96, d: int = 5, classes: int = 3, seed: int = 0):
    """Gaussian inputs (n, d) float32 and class labels from a random linear rule."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)).astype(np.float32)
    y = (X @ rng.normal(size=(d, classes))).argmax(axis=1).astype(np.int64)
    return X, y


def binary_data(n: int = 48, d: int = 5, seed: int = 0):
    """Gaussian inputs (n, d) float32 and labels x0 + x1 > 0."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)).astype(np.float32)
    return X, (X[:, 0] + X[:, 1] > 0).astype(np.int64)


def dense_mlp(d_in: int = 5, hidden: int = 16, out: int = 3, activation: str | None = None):
    """A Model of Dense(hidden, relu) then Dense(out, activation)."""
    model = gu.Model()
    model.add(nn.Dense(hidden, activation="relu", input_dim=d_in))
    model.add(nn.Dense(out, activation=activation))
    return model


def seeded_mlp(seed: int = 0):
    """A 5-8-2 Dense model drawn after gu.manual_seed(seed)."""
    gu.manual_seed(seed)
    return dense_mlp(hidden=8, out=2)


def weights(model) -> dict[str, np.ndarray]:
    return {k: v.numpy().copy() for k, v in model.state_dict().items()}


def to_torch(state: dict) -> dict[str, torch.Tensor]:
    return {
        k: torch.from_numpy(np.array(v.numpy() if hasattr(v, "numpy") else v))
        for k, v in state.items()
    }


def scripted(values):
    """A metric that reports ``values`` one epoch after the other (called once per epoch)."""
    it = iter(values)

    def score(y_true, output):
        return next(it)

    return score
