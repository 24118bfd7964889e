"""The shared calendar checker, for tests of calendar updates."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

CHECK_ICS = Path(__file__).resolve().parents[2] / "shared" / "tools" / "check-ics"
"""Beside the checkout (../shared/tools), where the project's machines keep it."""


def check_ics(new: Path, old: Path) -> None:
    """The checker (Thunderbird's parser) finds no error and no warning in the update
    from ``old`` to ``new``. Skipped where the tool is not installed: it lives outside
    the repository, and the tests' own assertions on the files still run."""
    tool = CHECK_ICS if CHECK_ICS.exists() else shutil.which("check-ics")
    if tool is None:
        pytest.skip("check-ics is not installed")
    result = subprocess.run(
        [str(tool), str(new), "--previous", str(old)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 error(s), 0 warning(s)" in result.stdout, result.stdout
