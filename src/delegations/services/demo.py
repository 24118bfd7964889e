"""The demo study visit: a French creative-cluster delegation in Barcelona."""

from __future__ import annotations

from sqlalchemy.orm import Session

from delegations.model import Delegation
from delegations.resources import resource
from delegations.services import package

DEMO_PACKAGE = ("demo", "barcelona-study-visit.json")


def load_demo(session: Session) -> Delegation:
    """Import the demo package (again: it updates the same records)."""
    return package.import_package(session, resource(*DEMO_PACKAGE))
