"""SQLAlchemy models and enums. No Qt, no I/O beyond the ORM."""

from delegations.model import events as _events  # noqa: F401  (registers listeners)
from delegations.model.base import Base, new_uuid
from delegations.model.enums import (
    DelegationStatus,
    HostConfirmation,
    ItemKind,
    ItemStatus,
    OrganisationKind,
    ParticipationStatus,
    Role,
    TravelDirection,
    TravelMode,
)
from delegations.model.exchanges import DatabaseIdentity, Exchange
from delegations.model.privacy import AuditEntry, ErasedRecord, Preference
from delegations.model.publications import (
    DELEGATION_AUDIENCE,
    Publication,
    PublishedEvent,
)
from delegations.model.records import (
    AgendaItem,
    CheckSetting,
    Delegation,
    ImportMapping,
    Organisation,
    Participation,
    Person,
    TravelLeg,
    Venue,
    VenueTravelTime,
    item_host_contacts,
    item_participants,
    serves_food_by_default,
)
from delegations.model.text import count_of, fold
from delegations.model.types import UTCDateTime, utc_now

__all__ = [
    "DELEGATION_AUDIENCE",
    "AgendaItem",
    "AuditEntry",
    "Base",
    "CheckSetting",
    "DatabaseIdentity",
    "Delegation",
    "DelegationStatus",
    "ErasedRecord",
    "Exchange",
    "HostConfirmation",
    "ImportMapping",
    "ItemKind",
    "ItemStatus",
    "Organisation",
    "OrganisationKind",
    "Participation",
    "ParticipationStatus",
    "Person",
    "Preference",
    "Publication",
    "PublishedEvent",
    "Role",
    "TravelDirection",
    "TravelLeg",
    "TravelMode",
    "UTCDateTime",
    "Venue",
    "VenueTravelTime",
    "count_of",
    "fold",
    "item_host_contacts",
    "item_participants",
    "new_uuid",
    "serves_food_by_default",
    "utc_now",
]
