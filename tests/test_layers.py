"""Dependencies point one way: nothing below ui/ imports Qt; ui/ never writes SQL."""

from __future__ import annotations

import ast
from pathlib import Path

import delegations

PACKAGE = Path(delegations.__file__).parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_core_layers_do_not_import_qt() -> None:
    offenders = []
    for layer in ("model", "store", "services", "exports"):
        for path in (PACKAGE / layer).rglob("*.py"):
            if any(m.split(".")[0] in {"PySide6", "shiboken6"} for m in imported_modules(path)):
                offenders.append(str(path.relative_to(PACKAGE)))
    assert offenders == []


def test_model_imports_nothing_above_it() -> None:
    for path in (PACKAGE / "model").rglob("*.py"):
        for module in imported_modules(path):
            assert not module.startswith(
                ("delegations.store", "delegations.services", "delegations.ui")
            )


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
    for path in paths:
        assert "sqlalchemy" not in {m.split(".")[0] for m in imported_modules(path)}, path
    assert [call for path in paths for call in session_calls(path)] == []
