"""Plain stochastic gradient descent for linear models, as scikit-learn's ``_plain_sgd``.

For each sample (x, y), in a fresh random order each epoch, with p = w . x + b:

    w <- (1 - eta alpha (1 - l1_ratio)) w - eta dL/dp(y, p) x,    b <- b - eta dL/dp(y, p),

then, for an L1 part, the cumulative truncated-gradient step of Tsuruoka et al. (2009).
SGD is sequential by definition (every step starts from the weights the last one left),
so the loop over samples is Python; K one-vs-rest problems share one loop and each step
updates all K rows of W with (K,)-vector operations, so the per-step cost hardly grows
with K.

Examples
--------
>>> learning_rate("invscaling", 4, eta0=0.1, power_t=0.5, alpha=1e-4, optimal_init=0.0)
0.05
>>> loss, grad = LOSSES["hinge"]
>>> loss(np.array([1.0]), np.array([0.5]), 0.1), grad(np.array([1.0]), np.array([0.5]), 0.1)
(array([0.5]), array([-1.]))
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["LOSSES", "SGDConfig", "learning_rate", "optimal_init", "sgd_epochs"]

MAX_DLOSS = 1e12  # scikit-learn clips dL/dp to +-1e12 against overflow


def _hinge_loss(y, p, threshold):
    """max(0, threshold - y p); threshold 1 for "hinge", 0 for "perceptron"."""
    return np.maximum(threshold - p * y, 0.0)


def _hinge_grad(y, p, threshold):
    return np.where(p * y <= threshold, -y, 0.0)


def _squared_hinge_loss(y, p, _):
    """max(0, 1 - y p)^2."""
    return np.maximum(1.0 - p * y, 0.0) ** 2


def _squared_hinge_grad(y, p, _):
    return np.clip(-2.0 * y * np.maximum(1.0 - p * y, 0.0), -MAX_DLOSS, MAX_DLOSS)


def _log_loss(y, p, _):
    """log(1 + exp(-y p))."""
    return np.logaddexp(0.0, -p * y)


def _log_grad(y, p, _):
    return -0.5 * y * (1.0 - np.tanh(0.5 * p * y))  # -y sigmoid(-y p), without overflow


def _modified_huber_loss(y, p, _):
    """max(0, 1 - y p)^2 for y p >= -1, else -4 y p."""
    z = p * y
    return np.where(z < -1.0, -4.0 * z, np.maximum(1.0 - z, 0.0) ** 2)


def _modified_huber_grad(y, p, _):
    z = p * y
    return np.where(z < -1.0, -4.0 * y, -2.0 * y * np.maximum(1.0 - z, 0.0))


def _squared_error_loss(y, p, _):
    """(p - y)^2 / 2."""
    return 0.5 * (p - y) ** 2


def _squared_error_grad(y, p, _):
    return np.clip(p - y, -MAX_DLOSS, MAX_DLOSS)


def _huber_loss(y, p, eps):
    """(p - y)^2 / 2 within eps of y, linear (slope eps) beyond."""
    a = np.abs(p - y)
    return np.where(a <= eps, 0.5 * a * a, eps * a - 0.5 * eps * eps)


def _huber_grad(y, p, eps):
    return np.clip(p - y, -eps, eps)


def _epsilon_insensitive_loss(y, p, eps):
    """max(0, |p - y| - eps)."""
    return np.maximum(np.abs(p - y) - eps, 0.0)


def _epsilon_insensitive_grad(y, p, eps):
    r = p - y
    return np.where(np.abs(r) > eps, np.sign(r), 0.0)


def _squared_epsilon_insensitive_loss(y, p, eps):
    """max(0, |p - y| - eps)^2."""
    return np.maximum(np.abs(p - y) - eps, 0.0) ** 2


def _squared_epsilon_insensitive_grad(y, p, eps):
    r = p - y
    return np.clip(2.0 * np.sign(r) * np.maximum(np.abs(r) - eps, 0.0), -MAX_DLOSS, MAX_DLOSS)


LOSSES = {  # name -> (L(y, p, epsilon), dL/dp(y, p, epsilon)), elementwise
    "hinge": (lambda y, p, _: _hinge_loss(y, p, 1.0), lambda y, p, _: _hinge_grad(y, p, 1.0)),
    "perceptron": (lambda y, p, _: _hinge_loss(y, p, 0.0), lambda y, p, _: _hinge_grad(y, p, 0.0)),
    "squared_hinge": (_squared_hinge_loss, _squared_hinge_grad),
    "log_loss": (_log_loss, _log_grad),
    "modified_huber": (_modified_huber_loss, _modified_huber_grad),
    "squared_error": (_squared_error_loss, _squared_error_grad),
    "huber": (_huber_loss, _huber_grad),
    "epsilon_insensitive": (_epsilon_insensitive_loss, _epsilon_insensitive_grad),
    "squared_epsilon_insensitive": (
        _squared_epsilon_insensitive_loss,
        _squared_epsilon_insensitive_grad,
    ),
}


def optimal_init(loss: str, alpha: float, epsilon: float) -> float:
    """t0 of the "optimal" schedule (Bottou's heuristic, scikit-learn's constants): the
    first step is eta = typw / max(1, dL/dp(1, -typw)), typw = sqrt(1 / sqrt(alpha)).

    Examples
    --------
    >>> round(optimal_init("hinge", 1e-4, 0.1), 2)
    1000.0
    """
    typw = np.sqrt(1.0 / np.sqrt(alpha))
    grad = LOSSES[loss][1](np.array([1.0]), np.array([-typw]), epsilon)[0]
    eta0 = typw / max(1.0, float(grad))
    return float(1.0 / (eta0 * alpha))


def learning_rate(
    kind: str, t: float, *, eta0: float, power_t: float, alpha: float, optimal_init: float
) -> float:
    """eta at step t (t = 1 for the first sample), scikit-learn's schedules.

    "constant" and "adaptive": eta0 (adaptive divides it by 5 when the epochs stop
    improving); "optimal": 1 / (alpha (t0 + t - 1)); "invscaling": eta0 / t^power_t.

    Examples
    --------
    >>> learning_rate("optimal", 1, eta0=0.0, power_t=0.5, alpha=0.5, optimal_init=2.0)
    1.0
    """
    if kind == "optimal":
        return 1.0 / (alpha * (optimal_init + t - 1.0))
    if kind == "invscaling":
        return eta0 / t**power_t
    return eta0


@dataclass
class SGDConfig:
    """The hyperparameters one SGD run needs (validated by the estimator)."""

    loss: str
    penalty: str | None
    alpha: float
    l1_ratio: float
    epsilon: float
    fit_intercept: bool
    learning_rate: str
    eta0: float
    power_t: float
    tol: float | None
    n_iter_no_change: int
    shuffle: bool
    average: int  # 0: no averaging, else start averaging at step t = average


class SGDState:
    """Weights W (K, d), intercepts b (K,), step counter t and the running averages."""

    def __init__(self, n_problems: int, n_features: int):
        self.W = np.zeros((n_problems, n_features))
        self.b = np.zeros(n_problems)
        self.avg_W, self.avg_b = np.zeros_like(self.W), np.zeros_like(self.b)
        self.t = 1.0


def _penalty_parts(cfg: SGDConfig) -> tuple[float, float]:
    """(l2, l1) strengths: alpha (1 - l1_ratio) and alpha l1_ratio."""
    if cfg.penalty is None:
        return 0.0, 0.0
    ratio = {"l2": 0.0, "l1": 1.0}.get(cfg.penalty, cfg.l1_ratio)
    return cfg.alpha * (1.0 - ratio), cfg.alpha * ratio


def _epoch_rates(cfg: SGDConfig, t: float, n: int, eta: np.ndarray, active: np.ndarray, t0):
    """The step sizes of the next n steps, (n,) if shared by all K problems else (n, K),
    and the matching L2 decay factors max(0, 1 - eta l2) (shaped to scale W's rows)."""
    l2 = _penalty_parts(cfg)[0]
    if cfg.learning_rate in ("optimal", "invscaling") and active.all():
        steps = t + np.arange(n)
        etas = learning_rate(
            cfg.learning_rate, steps, eta0=cfg.eta0, power_t=cfg.power_t, alpha=cfg.alpha,
            optimal_init=t0,
        )  # fmt: skip
        return etas, 1.0 - np.minimum(l2 * etas, 1.0)
    if cfg.learning_rate in ("optimal", "invscaling"):
        etas = _epoch_rates(cfg, t, n, eta, np.ones_like(active), t0)[0][:, None] * active
    else:
        etas = np.broadcast_to(eta * active, (n, len(active)))
    return etas, (1.0 - np.minimum(l2 * etas, 1.0))[:, :, None]


class _Trace:
    """Per-step records of one epoch (scores p and penalty terms) and the L1 bookkeeping."""

    def __init__(self, n: int, W: np.ndarray):
        K = W.shape[0]
        self.P, self.sq_norms, self.abs_norms = np.empty((n, K)), np.zeros((n, K)), np.zeros((n, K))
        self.u, self.q = np.zeros(K), np.zeros_like(W)  # L1: accumulated, and applied


def _epoch(X, Y, state: SGDState, cfg: SGDConfig, etas, decays, active, trace: _Trace) -> None:
    """One pass over the rows of (X, Y), in their order: the SGD steps of all K problems."""
    l2, l1 = _penalty_parts(cfg)
    grad_fn, eps, W, b = LOSSES[cfg.loss][1], cfg.epsilon, state.W, state.b
    track = cfg.tol is not None  # the objective is only needed by the stopping rule
    for step, (x, y) in enumerate(zip(X, Y, strict=True)):
        p = trace.P[step]
        np.matmul(W, x, out=p)
        p += b
        if l2:
            if track:
                np.einsum("kd,kd->k", W, W, out=trace.sq_norms[step])
            W *= decays[step]
        if l1 and track:
            np.abs(W).sum(axis=1, out=trace.abs_norms[step])
        update = grad_fn(y, p, eps)
        update *= -etas[step]
        W += update[:, None] * x
        if cfg.fit_intercept:
            b += update
        if cfg.average and state.t >= cfg.average:
            mu = active / (state.t - cfg.average + 1.0)
            state.avg_W += (W - state.avg_W) * mu[:, None]
            state.avg_b += (b - state.avg_b) * mu
        if l1:
            trace.u += l1 * etas[step]
            _truncate_l1(W, trace.q, trace.u)
        state.t += 1.0


def sgd_epochs(
    X: np.ndarray, Y: np.ndarray, state: SGDState, cfg: SGDConfig, *, max_iter: int, rng
) -> int:
    """Run up to ``max_iter`` epochs on (X, Y (n, K)), updating ``state``; returns epochs.

    Each problem stops on its own when its mean objective (loss + penalty, summed over an
    epoch as the steps go) has not fallen below its best minus ``tol`` for
    ``n_iter_no_change`` epochs ("adaptive" first divides its eta by 5, down to 1e-6).
    The per-step work is a handful of (K,) and (K, d) operations; step sizes, losses and
    the objective are computed for the whole epoch outside the loop.
    """
    n, K = Y.shape
    l2, l1 = _penalty_parts(cfg)
    t0 = optimal_init(cfg.loss, cfg.alpha, cfg.epsilon) if cfg.learning_rate == "optimal" else 0
    eta = np.full(K, float(cfg.eta0))
    active, stale = np.ones(K, dtype=bool), np.zeros(K, dtype=int)
    best, epochs = np.full(K, np.inf), np.zeros(K, dtype=int)
    trace = _Trace(n, state.W)
    for epoch in range(1, max_iter + 1):
        order = rng.permutation(n) if cfg.shuffle else np.arange(n)
        etas, decays = _epoch_rates(cfg, state.t, n, eta, active, t0)
        with np.errstate(over="ignore", invalid="ignore"):  # _check_finite reports it
            _epoch(X[order], Y[order], state, cfg, etas, decays, active, trace)
        _check_finite(state.W, state.b, epoch)
        epochs += active
        if cfg.tol is not None:
            objective = LOSSES[cfg.loss][0](Y[order], trace.P, cfg.epsilon).sum(0)
            objective += 0.5 * l2 * trace.sq_norms.sum(0) + l1 * trace.abs_norms.sum(0)
            _update_stopping(objective / n, best, stale, active, eta, cfg)
        if not active.any():
            break
    return int(epochs.max())


def _truncate_l1(W: np.ndarray, q: np.ndarray, u: np.ndarray) -> None:
    """Cumulative L1 penalty (Tsuruoka et al. 2009): pull each weight towards 0 by what
    the penalty has accumulated (u) minus what it already took (q), never across 0."""
    old = W.copy()
    pos, neg = W > 0, W < 0
    W[pos] = np.maximum(0.0, W - (u[:, None] + q))[pos]
    W[neg] = np.minimum(0.0, W + (u[:, None] - q))[neg]
    q += W - old


def _update_stopping(objective, best, stale, active, eta, cfg: SGDConfig) -> None:
    """One epoch's bookkeeping of the no-improvement counters, in place."""
    stale[:] = np.where(objective > best - cfg.tol, stale + 1, 0)
    np.minimum(best, objective, out=best)
    hit = (stale >= cfg.n_iter_no_change) & active
    slower = hit & (cfg.learning_rate == "adaptive") & (eta > 1e-6)
    eta[slower] /= 5.0
    stale[slower] = 0
    active[hit & ~slower] = False


def _check_finite(W: np.ndarray, b: np.ndarray, epoch: int) -> None:
    if not (np.isfinite(W).all() and np.isfinite(b).all()):
        raise ValueError(
            f"Floating-point under-/overflow occurred at epoch #{epoch}. Scaling input data "
            "with StandardScaler or MinMaxScaler might help."
        )
