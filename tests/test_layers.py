"""Dependencies point one way; ui/ never writes SQL.

The import rules (layers, no Qt below ui/, exports beside the model, ui/ reaching
the store only through services) are import-linter contracts in pyproject.toml;
``test_import_contracts_are_kept`` runs them. What import-linter cannot see, the
ui making its own queries, is checked here.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import delegations

PACKAGE = Path(delegations.__file__).parent
ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


@pytest.mark.skipif(
    not LINT_IMPORTS.exists(),
    reason=f"import-linter is not installed ({LINT_IMPORTS} missing): pip install -e '.[test]'",
)
def test_import_contracts_are_kept() -> None:
    result = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(ROOT / "pyproject.toml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


QUERY_METHODS = {"query", "execute", "scalars", "scalar", "get", "add", "delete", "flush"}


def session_calls(path: Path) -> list[str]:
    """Calls such as ``session.query(...)`` or ``s.get(...)`` made in a file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in QUERY_METHODS
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id in {"session", "s"}
        ):
            found.append(f"{path.name}:{node.lineno} {node.func.value.id}.{node.func.attr}()")
    return found


def test_ui_leaves_queries_to_services() -> None:
    paths = sorted((PACKAGE / "ui").rglob("*.py"))
    assert paths, "the ui package is missing"
    assert [call for path in paths for call in session_calls(path)] == []
