"""Tests of the ``groundup`` command line (groundup.cli)."""

from __future__ import annotations

import os
import re

import pytest

from groundup import cli


@pytest.fixture
def groundup_data() -> str:
    """The real data folder; skip only when GROUNDUP_DATA is unset."""
    value = os.environ.get("GROUNDUP_DATA")
    if not value:
        pytest.skip("GROUNDUP_DATA is not set")
    return value


def test_demo_one_epoch_reaches_90_percent(groundup_data, capsys):
    assert cli.main(["demo", "--epochs", "1", "--no-progress"]) == 0
    out = capsys.readouterr().out
    match = re.search(r"^test accuracy: (\d+\.\d)%$", out, re.MULTILINE)
    assert match, out
    assert float(match.group(1)) >= 90.0
    assert re.search(r"^wall time: \d+\.\d s", out, re.MULTILINE)


def test_demo_without_data_prints_one_line_and_fails(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("GROUNDUP_DATA", str(tmp_path))  # an empty folder: files are missing
    assert cli.main(["demo", "--no-progress"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("groundup demo: could not load MNIST: GROUNDUP_DATA=")


def test_main_requires_a_command(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main([])
    assert info.value.code == 2
    assert "COMMAND" in capsys.readouterr().err


def test_demo_rejects_zero_epochs(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["demo", "--epochs", "0"])
    assert info.value.code == 2
    assert "expected an integer >= 1, got 0" in capsys.readouterr().err
