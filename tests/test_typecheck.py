"""The code stays type-checked, linted and formatted: mypy and ruff as the test command runs.

Each tool runs from the repository root with the settings in pyproject.toml, so
a failure here shows the same report as running the tool by hand. mypy keeps
its cache in `.mypy_cache` (ignored by git): a cold run, as in CI, takes about
30 s of CPU (a minute or more of wall time on a busy two-core machine); a warm
one a few seconds.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT


def run_tool(*args: str) -> None:
    """Run `python -m <args>` from the repository root; fail showing its output."""
    done = subprocess.run(
        [sys.executable, "-m", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(f"{' '.join(args)} failed:\n{done.stdout}{done.stderr}", pytrace=False)


@pytest.mark.timeout(600)  # a cold cache on a busy machine
def test_mypy_finds_no_errors() -> None:
    run_tool("mypy")


def test_ruff_finds_no_lint_errors() -> None:
    run_tool("ruff", "check", ".")


def test_ruff_finds_nothing_to_reformat() -> None:
    run_tool("ruff", "format", "--check", ".")
