"""Reproducible experiments: TOML configs, seeded runs that log everything, and grid sweeps.

- :func:`load_config` / :func:`resolve_config`: read and check a config, fill in defaults.
- :func:`run_experiment`: one seeded run, written to ``runs/NAME-TIMESTAMP/``.
- :func:`run_sweep`: a grid of runs over ``key=v1,v2`` and a comparison table.

The command line: ``groundup train CONFIG.toml`` and
``groundup sweep CONFIG.toml --grid optimizer.lr=1e-3,3e-3``. The configs of the examples
are in the repository's ``configs/`` folder.
"""

from groundup.experiments.config import ConfigError, load_config, resolve_config, to_toml
from groundup.experiments.run import RunResult, run_experiment
from groundup.experiments.sweep import run_sweep

__all__ = [
    "ConfigError",
    "RunResult",
    "load_config",
    "resolve_config",
    "run_experiment",
    "run_sweep",
    "to_toml",
]
