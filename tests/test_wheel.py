"""The application works from an installed wheel: migrations, resources, schemas."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_carries_everything_it_needs(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(dist), str(ROOT)],
        check=True,
    )  # fmt: skip
    wheel = next(dist.glob("delegations-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "delegations/db/env.py",
        "delegations/resources/demo/barcelona-study-visit.json",
        "delegations/resources/schemas/delegation-package.schema.json",
        "delegations/resources/fonts/DejaVuSans.ttf",
        "delegations/resources/fonts/LICENSE-DejaVu.txt",
    ):
        assert needed in names
    assert any(n.startswith("delegations/db/versions/0001") for n in names)

    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    db = tmp_path / "fromwheel.db"
    script = (
        "import sys, delegations, delegations.resources as r;"
        f"assert delegations.__file__.startswith({str(site)!r}), delegations.__file__;"
        "from delegations.cli import main;"
        f"sys.exit(main(['--db', {str(db)!r}, 'demo']) or main(['--db', {str(db)!r}, 'show', '1']))"
    )
    env = {"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "Μαρία Οικονομίδη" in result.stdout
