"""The learning path's notebooks: stored without outputs, and each one runs top to bottom.

The run sets ``GROUNDUP_NOTEBOOK_QUICK=1``, which every notebook reads to shrink its data
and its epochs (and writes its files to a temporary folder); a reader in Jupyter, without
the variable, gets the full size. Notebooks on real datasets (MNIST, Tiny Shakespeare) are
skipped when ``GROUNDUP_DATA`` is unset, like the other tests on real data.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")

NOTEBOOKS_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
NEEDS_REAL_DATA = {"03_neural_networks", "04_transformers"}
CELL_TIMEOUT_S = 600


def _ids(path: Path) -> str:
    return path.stem


def test_learning_path_has_six_lessons_in_order():
    assert [p.stem[:3] for p in NOTEBOOKS] == ["00_", "01_", "02_", "03_", "04_", "05_"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids)
def test_notebook_is_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    dirty = [
        i
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None)
    ]
    assert not dirty, f"{path.name}: cells {dirty} carry outputs; run `nbstripout {path}`"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids)
def test_notebook_is_a_lesson_with_hidden_solutions(path):
    nb = nbformat.read(path, as_version=4)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    exercises = re.findall(r"^\d+\. \*\*", markdown.split("## Exercises")[-1], re.MULTILINE)
    solutions = [c for c in nb.cells if c.metadata.get("jupyter", {}).get("source_hidden")]
    assert "$" in markdown, f"{path.name}: a lesson states its math in LaTeX"
    assert "## Exercises" in markdown and exercises, f"{path.name}: a lesson ends with exercises"
    assert len(solutions) >= len(exercises), f"{path.name}: each exercise needs a hidden solution"
    assert re.search(r"^(import|from) groundup\b", code, re.MULTILINE), f"{path.name}: no groundup"
    assert "GROUNDUP_NOTEBOOK_QUICK" in code, f"{path.name}: needs a quick mode for the tests"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids)
def test_notebook_runs_top_to_bottom(path, monkeypatch):
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    if path.stem in NEEDS_REAL_DATA and not os.environ.get("GROUNDUP_DATA"):
        pytest.skip("GROUNDUP_DATA is not set")
    monkeypatch.setenv("GROUNDUP_NOTEBOOK_QUICK", "1")
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel draws plots inline
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        nb,
        timeout=CELL_TIMEOUT_S,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOKS_DIR)}},  # the folder Jupyter runs it in
    )
    client.execute()  # raises CellExecutionError naming the cell and its traceback
    outputs = [o for cell in nb.cells for o in cell.get("outputs", [])]
    assert any("image/png" in o.get("data", {}) for o in outputs), f"{path.name}: draws no plot"
