"""Enumerations stored as readable strings.

Each enum has a ``label`` for people (screens, PDFs) while its value is what the
database and the package format store.
"""

from __future__ import annotations

from enum import StrEnum


class LabelledEnum(StrEnum):
    """A string enum whose members have a human label."""

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class OrganisationKind(LabelledEnum):
    CLUSTER = "cluster"
    AGENCY = "agency"
    COMPANY = "company"
    PUBLIC_AUTHORITY = "public_authority"
    UNIVERSITY = "university"
    ASSOCIATION = "association"
    OTHER = "other"


class DelegationStatus(LabelledEnum):
    DRAFT = "draft"
    PLANNED = "planned"
    CONFIRMED = "confirmed"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class Role(LabelledEnum):
    HEAD = "head"
    DELEGATE = "delegate"
    ORGANISER = "organiser"
    INTERPRETER = "interpreter"
    GUEST = "guest"

    @property
    def label(self) -> str:
        return "Head of delegation" if self is Role.HEAD else super().label


class ParticipationStatus(LabelledEnum):
    INVITED = "invited"
    CONFIRMED = "confirmed"
    DECLINED = "declined"
    CANCELLED = "cancelled"

    @property
    def attending(self) -> bool:
        return self in (ParticipationStatus.INVITED, ParticipationStatus.CONFIRMED)


class ItemKind(LabelledEnum):
    VISIT = "visit"
    MEETING = "meeting"
    B2B = "b2b"
    WORKSHOP = "workshop"
    PRESENTATION = "presentation"
    MEAL = "meal"
    TRANSFER = "transfer"
    NETWORKING = "networking"
    FREE_TIME = "free_time"

    @property
    def label(self) -> str:
        return "B2B meeting" if self is ItemKind.B2B else super().label


class ItemStatus(LabelledEnum):
    TENTATIVE = "tentative"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


class HostConfirmation(LabelledEnum):
    REQUESTED = "requested"
    CONFIRMED = "confirmed"
    DECLINED = "declined"


class TravelDirection(LabelledEnum):
    ARRIVAL = "arrival"
    DEPARTURE = "departure"


class TravelMode(LabelledEnum):
    FLIGHT = "flight"
    TRAIN = "train"
    COACH = "coach"
    CAR = "car"
    FERRY = "ferry"
    OTHER = "other"
