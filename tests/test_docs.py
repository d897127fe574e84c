"""The documentation site builds with ``mkdocs build --strict``; its API reference renders
every public name of groundup and it has a page for every notebook.

The build runs in a subprocess, as CI and a contributor run it. The test is skipped only
where MkDocs or its plugins are not installed (``pip install -e ".[docs]"``).
"""

from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
API_PAGES = {  # module -> its page under docs/api/
    "groundup": "groundup",
    "groundup.autograd": "autograd",
    "groundup.gradcheck": "gradcheck",
    "groundup.nn": "nn",
    "groundup.nn.functional": "functional",
    "groundup.nn.init": "init",
    "groundup.nn.utils": "nn_utils",
    "groundup.optim": "optim",
    "groundup.optim.lr_scheduler": "lr_scheduler",
    "groundup.data": "data",
    "groundup.model": "model",
    "groundup.callbacks": "callbacks",
    "groundup.metrics": "metrics",
    "groundup.io": "io",
    "groundup.ml": "ml",
    "groundup.models": "models",
    "groundup.text": "text",
    "groundup.scalar": "scalar",
    "groundup.experiments": "experiments",
}
OWN_PAGE = {("groundup", "Tensor"): "tensor"}  # documented on a page of its own
BUILD_TIMEOUT_S = 600


def test_docs_build_strict_and_document_every_public_name(tmp_path):
    """One build (the test would otherwise build once per xdist worker), then its pages."""
    for plugin in ("mkdocs", "material", "mkdocstrings_handlers.python", "mkdocs_jupyter"):
        pytest.importorskip(plugin)
    site = tmp_path / "site"
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)]
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}  # mkdocs-material's banner about MkDocs 2
    result = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S
    )
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stderr[-6000:]}"

    assert "groundup" in (site / "index.html").read_text(encoding="utf-8")
    undocumented = {module: _undocumented(site, module) for module in API_PAGES}
    assert not any(undocumented.values()), f"API pages miss public names: {undocumented}"
    assert {"backward", "reshape", "sum", "softmax", "numpy"} <= _documented(site, "tensor")
    notebooks = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
    unrendered = [n for n in notebooks if not (site / "notebooks" / n / "index.html").is_file()]
    assert notebooks and not unrendered, f"notebooks without a page in the site: {unrendered}"


def _undocumented(site: Path, module: str) -> list[str]:
    """The public names of ``module`` (its ``__all__``) without an anchor on its page."""
    return [
        name
        for name in importlib.import_module(module).__all__
        if not _is_submodule(module, name)
        and name not in _documented(site, OWN_PAGE.get((module, name), API_PAGES[module]))
    ]


def _documented(site: Path, page: str) -> set[str]:
    """The names with an anchor on an API page: ``id="groundup.nn.Linear"`` gives Linear."""
    html = (site / "api" / page / "index.html").read_text(encoding="utf-8")
    return {anchor.rsplit(".", 1)[-1] for anchor in re.findall(r'id="(groundup\.[\w.]+)"', html)}


def _is_submodule(module: str, name: str) -> bool:
    return type(getattr(importlib.import_module(module), name)).__name__ == "module"
