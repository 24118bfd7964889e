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


def test_ui_does_not_use_sql_directly() -> None:
    for path in (PACKAGE / "ui").rglob("*.py") if (PACKAGE / "ui").exists() else []:
        modules = imported_modules(path)
        assert "sqlalchemy" not in {m.split(".")[0] for m in modules}, path
