"""Reading PDFs back in tests: text per page, the size of every piece of text, links.

And the visits documents are tried on: the demo, and the large made-up visit (40
attendees, 120 items, 3 days) of ``services.samples``, each loaded from a database as
the application loads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pypdf import PdfReader

from delegations.model import Delegation
from delegations.services import package, queries, samples
from delegations.services.demo import load_demo
from delegations.services.history import Operation, perform
from delegations.store import Database


@dataclass(frozen=True)
class Run:
    """A piece of text as drawn: its page (from 1), text, size in points and font."""

    page: int
    text: str
    size: float
    font: str
    x: float
    y: float


def _scale(matrix: Any) -> float:
    a, b, c, d = (float(v) for v in matrix[:4])
    return float(max(abs(a * d - b * c), 0.0) ** 0.5)


def text_runs(path: Path) -> list[Run]:
    """Every non-blank text run of the PDF with its effective size (font size × the
    text and current transformation matrices' scale)."""
    runs: list[Run] = []
    for number, page in enumerate(PdfReader(path).pages, start=1):

        def visit(
            text: str, cm: Any, tm: Any, font: Any, size: float, number: int = number
        ) -> None:
            if not text.strip():
                return
            scale = _scale(tm) * _scale(cm)
            name = str(font.get("/BaseFont", "")) if font else ""
            x = float(tm[4]) * _scale(cm) + float(cm[4])
            y = float(tm[5]) * _scale(cm) + float(cm[5])
            runs.append(Run(number, text.strip(), round(size * scale, 2), name, x, y))

        page.extract_text(visitor_text=visit)
    return runs


def page_texts(path: Path) -> list[str]:
    """The text of each page."""
    return [page.extract_text() or "" for page in PdfReader(path).pages]


def links(path: Path) -> list[tuple[int, str]]:
    """(page, URI) of every link annotation."""
    found: list[tuple[int, str]] = []
    for number, page in enumerate(PdfReader(path).pages, start=1):
        for annotation in page.get("/Annots") or []:
            target = annotation.get_object()
            action = target.get("/A")
            if action is not None:
                action = action.get_object()
                if action.get("/URI"):
                    found.append((number, str(action["/URI"])))
    return found


def _load(db: Database, document: dict[str, Any] | None) -> Delegation:
    if document is None:
        delegation_id = perform(db, Operation("demo", lambda s: load_demo(s).id)).result
    else:
        delegation_id = perform(
            db, Operation("import", lambda s: package.import_document(s, document).id)
        ).result
    with db.session() as session:
        return queries.load_delegation(session, delegation_id)


def demo_visit(folder: Path) -> Delegation:
    """The demo delegation, loaded from a new database in ``folder``."""
    return _load(Database.open(folder / "demo.db"), None)


def large_visit(folder: Path, **size: int) -> Delegation:
    """The large made-up visit (``samples.large_visit(**size)``), loaded from a database."""
    return _load(Database.open(folder / "large.db"), samples.large_visit(**size))
