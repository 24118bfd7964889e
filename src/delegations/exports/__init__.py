"""PDF, CSV and iCalendar writers: pure functions of loaded model objects, no Qt.

Every export has the signature ``export(delegation, out, options) -> Path`` where
``delegation`` is fully loaded (``services.queries.load_delegation``). The kinds
are declared once in ``exports.kinds``. The modules import ReportLab, icalendar
and segno lazily, so start-up stays fast.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING

from delegations.exports.kinds import EXPORT_KINDS, KINDS, LIST_KINDS, ExportKind
from delegations.exports.options import ExportCancelled, ExportError, ExportOptions, Ways

if TYPE_CHECKING:
    from delegations.model import Delegation


def run_export(kind: str, delegation: Delegation, out: Path, options: ExportOptions) -> Path:
    """Write the ``kind`` export of ``delegation`` to ``out``, atomically."""
    if kind not in KINDS:
        raise ExportError(f"unknown export '{kind}'; choose one of {', '.join(KINDS)}")
    module = import_module(KINDS[kind].module)
    if kind in LIST_KINDS:
        return module.export(kind, delegation, Path(out), options)
    return module.export(delegation, Path(out), options)


__all__ = [
    "EXPORT_KINDS",
    "KINDS",
    "ExportCancelled",
    "ExportError",
    "ExportKind",
    "ExportOptions",
    "Ways",
    "run_export",
]
