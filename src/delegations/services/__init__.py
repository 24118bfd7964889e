"""Use cases: create, edit and delete with validation; queries; the package format.

Every function takes the SQLAlchemy session of the user action it serves;
``Database.transaction()`` commits or rolls back around it. No Qt here.
"""

from delegations.services import (
    agenda,
    delegations,
    organisations,
    package,
    participations,
    people,
    queries,
    venues,
)
from delegations.services.errors import Ambiguous, InUse, NotFound, ServiceError, ValidationError

__all__ = [
    "Ambiguous",
    "InUse",
    "NotFound",
    "ServiceError",
    "ValidationError",
    "agenda",
    "delegations",
    "organisations",
    "package",
    "participations",
    "people",
    "queries",
    "venues",
]
