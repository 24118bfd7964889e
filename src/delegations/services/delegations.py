"""Delegations (study visits)."""

from __future__ import annotations

from functools import partial
from typing import Any

from sqlalchemy.orm import Session

from delegations.model import Delegation, DelegationStatus, Organisation, Person
from delegations.services.base import (
    check_exists,
    create_record,
    get,
    update_record,
)
from delegations.services.validation import (
    COUNTRY,
    LONG,
    NAME,
    TITLE,
    ZONE_MAX,
    Checker,
    describe_day,
)

FIELDS = (
    "title", "programme", "sending_organisation_id", "destination_city",
    "destination_country", "timezone", "start_date", "end_date", "status",
    "objectives", "lead_officer_id", "emergency_contacts", "dress_code", "notes",
)  # fmt: skip
ENUMS = {"status": DelegationStatus}
LIMITS = {
    "title": TITLE, "programme": TITLE, "destination_city": NAME,
    "destination_country": COUNTRY, "timezone": ZONE_MAX, "objectives": LONG,
    "emergency_contacts": LONG, "dress_code": TITLE, "notes": LONG,
}  # fmt: skip
"""The most characters each text field holds."""
MULTILINE = frozenset({"objectives", "emergency_contacts", "notes"})
"""The text fields that may hold line breaks; the others are one line."""
MAX_DAYS = 60


def validate(session: Session, values: dict[str, Any], check: Checker) -> None:
    check.texts(values, LIMITS, MULTILINE)
    check.required("title", values.get("title"))
    check.timezone("timezone", values.get("timezone"))
    check.enum("status", values.get("status"), DelegationStatus)
    start, end = values.get("start_date"), values.get("end_date")
    check.required("start_date", start, "start date")
    check.required("end_date", end, "end date")
    ok = check.day("start_date", start) & check.day("end_date", end)
    if ok and start and end:
        if end < start:
            check.add(
                "end_date",
                f"ends on {describe_day(end)}, before it starts on {describe_day(start)}",
            )
        elif (end - start).days + 1 > MAX_DAYS:
            check.add(
                "end_date", f"a visit of {(end - start).days + 1} days is longer than {MAX_DAYS}"
            )
    check_exists(
        session, check, "sending_organisation_id", Organisation,
        values.get("sending_organisation_id"), "organisation",
    )  # fmt: skip
    check_exists(session, check, "lead_officer_id", Person, values.get("lead_officer_id"), "person")


def create(session: Session, **fields: Any) -> Delegation:
    return create_record(
        session, Delegation, "delegation", fields, FIELDS, partial(validate, session), ENUMS
    )


def update(session: Session, delegation_id: int, **fields: Any) -> Delegation:
    return update_record(
        session,
        Delegation,
        delegation_id,
        "delegation",
        fields,
        FIELDS,
        partial(validate, session),
        ENUMS,
    )


def refusal(session: Session, delegation_id: int) -> str | None:
    """Nothing stops a delegation's deletion (its attendees and agenda go with it)."""
    get(session, Delegation, delegation_id, "delegation")
    return None


def delete(session: Session, delegation_id: int) -> None:
    """Delete a delegation with its participations and agenda."""
    delegation = get(session, Delegation, delegation_id, "delegation")
    session.delete(delegation)
    session.flush()
