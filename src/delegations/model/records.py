"""The records: organisations, people, venues, delegations, participations, agenda."""

from __future__ import annotations

import re
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from delegations.model.base import Base, RecordMixin, enum_column
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
from delegations.model.text import fold

item_participants = Table(
    "item_participant",
    Base.metadata,
    Column(
        "agenda_item_id",
        ForeignKey("agenda_item.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column(
        "participation_id",
        ForeignKey("participation.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)

item_host_contacts = Table(
    "item_host_contact",
    Base.metadata,
    Column(
        "agenda_item_id",
        ForeignKey("agenda_item.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column(
        "person_id",
        ForeignKey("person.id", ondelete="RESTRICT"),
        primary_key=True,
        index=True,
    ),
)


class Organisation(RecordMixin, Base):
    """A host, sending or partner body."""

    __tablename__ = "organisation"
    __table_args__ = {"sqlite_autoincrement": True}

    name: Mapped[str] = mapped_column(String(200))
    acronym: Mapped[str] = mapped_column(String(40), default="")
    short_name: Mapped[str] = mapped_column(String(60), default="")
    """A shorter name for badges ("Barcelona Activa"), used when the full name would not
    print large enough."""
    kind: Mapped[OrganisationKind] = mapped_column(
        enum_column(OrganisationKind, "organisation_kind"), default=OrganisationKind.OTHER
    )
    sectors: Mapped[str] = mapped_column(String(300), default="")
    country: Mapped[str] = mapped_column(String(80), default="")
    city: Mapped[str] = mapped_column(String(120), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(60), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    search_text: Mapped[str] = mapped_column(String(600), default="", index=True)
    region: Mapped[str] = mapped_column(String(10), default="")
    """Subdivision code for public holidays (ISO 3166-2 without the country: "CT")."""
    opening_hours: Mapped[str] = mapped_column(String(300), default="")
    """When visits are possible, e.g. "Mon-Thu 09:00-18:00; Fri 09:00-14:00"."""
    closed_dates: Mapped[str] = mapped_column(String(1000), default="")
    """Days it is closed: "2027-08-01..2027-08-31, 2027-12-24"."""

    people: Mapped[list[Person]] = relationship(back_populates="organisation")
    venues: Mapped[list[Venue]] = relationship(back_populates="organisation")

    @property
    def display_name(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    @staticmethod
    def search_key(name: str, acronym: str = "", city: str = "") -> str:
        """The ``search_text`` an organisation with these fields has."""
        return fold(f"{name} {acronym} {city}")

    def refresh_search_text(self) -> None:
        self.search_text = self.search_key(self.name, self.acronym, self.city)


class Person(RecordMixin, Base):
    """Somebody who attends, hosts or organises."""

    __tablename__ = "person"
    __table_args__ = {"sqlite_autoincrement": True}

    given_name: Mapped[str] = mapped_column(String(120))
    family_name: Mapped[str] = mapped_column(String(120))
    job_title: Mapped[str] = mapped_column(String(200), default="")
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(60), default="")
    languages: Mapped[str] = mapped_column(String(120), default="")
    dietary_needs: Mapped[str] = mapped_column(String(300), default="")
    accessibility_needs: Mapped[str] = mapped_column(String(300), default="")
    consent_data: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_photos: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str] = mapped_column(Text, default="")
    search_text: Mapped[str] = mapped_column(String(600), default="", index=True)

    organisation: Mapped[Organisation | None] = relationship(back_populates="people")
    participations: Mapped[list[Participation]] = relationship(back_populates="person")

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    @property
    def sort_name(self) -> str:
        return f"{self.family_name}, {self.given_name}"

    @staticmethod
    def search_key(given_name: str, family_name: str, email: str) -> str:
        """The ``search_text`` a person with these fields has (bulk inserts set it too)."""
        return fold(f"{given_name} {family_name} {email}")

    def refresh_search_text(self) -> None:
        self.search_text = self.search_key(self.given_name, self.family_name, self.email)


class Venue(RecordMixin, Base):
    """A place where things happen."""

    __tablename__ = "venue"
    __table_args__ = (
        CheckConstraint("latitude IS NULL OR (latitude BETWEEN -90 AND 90)", name="latitude"),
        CheckConstraint("longitude IS NULL OR (longitude BETWEEN -180 AND 180)", name="longitude"),
        {"sqlite_autoincrement": True},
    )

    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300), default="")
    postcode: Mapped[str] = mapped_column(String(20), default="")
    city: Mapped[str] = mapped_column(String(120), default="")
    country: Mapped[str] = mapped_column(String(80), default="")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    access_notes: Mapped[str] = mapped_column(Text, default="")
    capacity: Mapped[int | None] = mapped_column(Integer)
    """How many people it holds (None: not known)."""
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )

    organisation: Mapped[Organisation | None] = relationship(back_populates="venues")

    @property
    def full_address(self) -> str:
        city = " ".join(p for p in (self.postcode, self.city) if p)
        return ", ".join(p for p in (self.address, city, self.country) if p)


class Delegation(RecordMixin, Base):
    """A study visit: a group from one region visiting hosts in another."""

    __tablename__ = "delegation"
    __table_args__ = (
        CheckConstraint("end_date >= start_date", name="dates_in_order"),
        {"sqlite_autoincrement": True},
    )

    title: Mapped[str] = mapped_column(String(200))
    programme: Mapped[str] = mapped_column(String(200), default="")
    sending_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )
    destination_city: Mapped[str] = mapped_column(String(120), default="")
    destination_country: Mapped[str] = mapped_column(String(80), default="")
    timezone: Mapped[str] = mapped_column(String(64))
    start_date: Mapped[date]
    end_date: Mapped[date]
    status: Mapped[DelegationStatus] = mapped_column(
        enum_column(DelegationStatus, "delegation_status"), default=DelegationStatus.DRAFT
    )
    objectives: Mapped[str] = mapped_column(Text, default="")
    lead_officer_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="RESTRICT"), index=True
    )
    emergency_contacts: Mapped[str] = mapped_column(Text, default="")
    dress_code: Mapped[str] = mapped_column(String(200), default="")
    """What to wear through the visit ("Business casual"); an item may say otherwise."""
    notes: Mapped[str] = mapped_column(Text, default="")
    search_text: Mapped[str] = mapped_column(String(600), default="")
    revision: Mapped[int] = mapped_column(Integer, default=0)
    """The version printed on its documents: rises with every change to the delegation,
    its attendees, their travel, its agenda, or the people, organisations and venues
    they name (``services.history`` raises it; undo raises it too)."""

    sending_organisation: Mapped[Organisation | None] = relationship()
    lead_officer: Mapped[Person | None] = relationship()
    participations: Mapped[list[Participation]] = relationship(
        back_populates="delegation",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    items: Mapped[list[AgendaItem]] = relationship(
        back_populates="delegation",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="(AgendaItem.starts_at, AgendaItem.ends_at, AgendaItem.id)",
    )

    @property
    def day_count(self) -> int:
        return (self.end_date - self.start_date).days + 1

    @property
    def emergency_line(self) -> str:
        """Who to call on the day, on one line: the first emergency contact, else the lead
        officer with their phone (empty when neither is known)."""
        for line in (self.emergency_contacts or "").splitlines():
            if line.strip():
                return line.strip()
        officer = self.lead_officer
        if officer is not None and officer.phone:
            return f"{officer.full_name}: {officer.phone}"
        return ""

    def refresh_search_text(self) -> None:
        self.search_text = fold(f"{self.title} {self.programme} {self.destination_city}")


class Participation(RecordMixin, Base):
    """A person in a delegation, with their role, travel and hotel."""

    __tablename__ = "participation"
    __table_args__ = (
        UniqueConstraint("delegation_id", "person_id", name="one_per_person"),
        CheckConstraint(
            "check_out IS NULL OR check_in IS NULL OR check_out > check_in",
            name="hotel_dates_in_order",
        ),
        {"sqlite_autoincrement": True},
    )

    delegation_id: Mapped[int] = mapped_column(
        ForeignKey("delegation.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="RESTRICT"), index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"), default=Role.DELEGATE)
    status: Mapped[ParticipationStatus] = mapped_column(
        enum_column(ParticipationStatus, "participation_status"),
        default=ParticipationStatus.INVITED,
    )
    badge_name: Mapped[str] = mapped_column(String(120), default="")
    hotel: Mapped[str] = mapped_column(String(200), default="")
    hotel_address: Mapped[str] = mapped_column(String(300), default="")
    hotel_phone: Mapped[str] = mapped_column(String(60), default="")
    booking_reference: Mapped[str] = mapped_column(String(60), default="")
    room_type: Mapped[str] = mapped_column(String(60), default="")
    """As the hotel names it: "Single", "Double for single use", "Twin"."""
    room_sharing: Mapped[str] = mapped_column(String(200), default="")
    """Who shares the room, as the hotel should read it ("with Julien Caron")."""
    check_in: Mapped[date | None]
    check_out: Mapped[date | None]
    room_notes: Mapped[str] = mapped_column(String(300), default="")
    notes: Mapped[str] = mapped_column(Text, default="")

    delegation: Mapped[Delegation] = relationship(back_populates="participations")
    person: Mapped[Person] = relationship(back_populates="participations")
    travel: Mapped[list[TravelLeg]] = relationship(
        back_populates="participation",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="TravelLeg.departs_at",
    )

    @property
    def display_name(self) -> str:
        return self.badge_name or self.person.full_name

    @property
    def confirmed(self) -> bool:
        return self.status == ParticipationStatus.CONFIRMED

    def leg(self, direction: TravelDirection) -> TravelLeg | None:
        return next((t for t in self.travel if t.direction == direction), None)

    @property
    def arrival(self) -> TravelLeg | None:
        return self.leg(TravelDirection.ARRIVAL)

    @property
    def departure(self) -> TravelLeg | None:
        return self.leg(TravelDirection.DEPARTURE)


class TravelLeg(RecordMixin, Base):
    """An arrival or departure journey; each end has its own time zone."""

    __tablename__ = "travel_leg"
    __table_args__ = (
        UniqueConstraint("participation_id", "direction", name="one_per_direction"),
        CheckConstraint("arrives_at > departs_at", name="arrives_after_departure"),
        {"sqlite_autoincrement": True},
    )

    participation_id: Mapped[int] = mapped_column(
        ForeignKey("participation.id", ondelete="CASCADE"), index=True
    )
    direction: Mapped[TravelDirection] = mapped_column(
        enum_column(TravelDirection, "travel_direction")
    )
    mode: Mapped[TravelMode] = mapped_column(
        enum_column(TravelMode, "travel_mode"), default=TravelMode.FLIGHT
    )
    carrier: Mapped[str] = mapped_column(String(80), default="")
    number: Mapped[str] = mapped_column(String(40), default="")
    origin: Mapped[str] = mapped_column(String(120))
    origin_timezone: Mapped[str] = mapped_column(String(64))
    departs_at: Mapped[datetime]
    destination: Mapped[str] = mapped_column(String(120))
    destination_timezone: Mapped[str] = mapped_column(String(64))
    arrives_at: Mapped[datetime]
    revision: Mapped[int] = mapped_column(Integer, default=0)
    notes: Mapped[str] = mapped_column(String(300), default="")

    participation: Mapped[Participation] = relationship(back_populates="travel")

    @property
    def service(self) -> str:
        return " ".join(p for p in (self.carrier, self.number) if p)


class AgendaItem(RecordMixin, Base):
    """A programme item: a visit, meeting, meal, transfer, ..."""

    __tablename__ = "agenda_item"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        {"sqlite_autoincrement": True},
    )

    delegation_id: Mapped[int] = mapped_column(
        ForeignKey("delegation.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[ItemKind] = mapped_column(enum_column(ItemKind, "item_kind"))
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]
    venue_id: Mapped[int | None] = mapped_column(
        ForeignKey("venue.id", ondelete="RESTRICT"), index=True
    )
    """Where it happens; for a transfer, where the group is picked up."""
    dropoff_venue_id: Mapped[int | None] = mapped_column(
        ForeignKey("venue.id", ondelete="RESTRICT"), index=True
    )
    """A transfer's drop-off place (None for other kinds, or not known yet)."""
    transport_company: Mapped[str] = mapped_column(String(120), default="")
    vehicle: Mapped[str] = mapped_column(String(120), default="")
    """"50-seat coach, plate 1234 ABC"."""
    driver_phone: Mapped[str] = mapped_column(String(60), default="")
    dress_code: Mapped[str] = mapped_column(String(200), default="")
    """Overrides the delegation's dress code for this item."""
    wifi: Mapped[str] = mapped_column(String(200), default="")
    """Network and password for attendees ("Activa-Guest / creative2027")."""
    serves_food: Mapped[bool] = mapped_column(Boolean, default=False)
    """Food is served (meals, receptions, dinners): it is on the dietary list."""
    host_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )
    host_confirmation: Mapped[HostConfirmation | None] = mapped_column(
        enum_column(HostConfirmation, "host_confirmation")
    )
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ItemStatus] = mapped_column(
        enum_column(ItemStatus, "item_status"), default=ItemStatus.TENTATIVE
    )
    everyone: Mapped[bool] = mapped_column(Boolean, default=True)
    revision: Mapped[int] = mapped_column(Integer, default=0)

    delegation: Mapped[Delegation] = relationship(back_populates="items")
    venue: Mapped[Venue | None] = relationship(foreign_keys=[venue_id])
    dropoff_venue: Mapped[Venue | None] = relationship(foreign_keys=[dropoff_venue_id])
    host: Mapped[Organisation | None] = relationship()
    host_contacts: Mapped[list[Person]] = relationship(
        secondary=item_host_contacts, order_by="(Person.family_name, Person.given_name)"
    )
    participants: Mapped[list[Participation]] = relationship(secondary=item_participants)

    @property
    def is_transfer(self) -> bool:
        return self.kind == ItemKind.TRANSFER

    @property
    def end_venue(self) -> Venue | None:
        """Where the group is when the item ends: a transfer's drop-off, else its venue."""
        if self.is_transfer and self.dropoff_venue is not None:
            return self.dropoff_venue
        return self.venue

    def concerns(self, participation: Participation) -> bool:
        """Whether ``participation`` takes part in this item."""
        if self.everyone:
            return participation.status.attending
        return any(p.id == participation.id for p in self.participants)

    def attendees(self, participations: list[Participation]) -> list[Participation]:
        """The attending participations this item concerns, in the order given."""
        return [p for p in participations if p.status.attending and self.concerns(p)]


FOOD_WORDS = (
    "breakfast", "brunch", "lunch", "dinner", "supper", "reception", "cocktail", "buffet",
    "coffee", "apéritif", "aperitif", "drinks", "tapas", "petit-déjeuner", "petit déjeuner",
    "déjeuner", "dîner", "repas", "desayuno", "almuerzo", "comida", "cena", "vino",
)  # fmt: skip
"""Words in a title that say food is served (English, French, Spanish)."""


def serves_food_by_default(kind: ItemKind | str | None, title: str = "") -> bool:
    """Whether an item of ``kind`` called ``title`` serves food, unless the officer says
    otherwise: meals always; networking items whose title names a meal or reception."""
    if kind in (ItemKind.MEAL, "meal"):
        return True
    if kind in (ItemKind.NETWORKING, "networking"):
        words = f" {' '.join(re.split(r'[^a-z0-9]+', fold(title)))} "
        return any(f" {' '.join(re.split(r'[^a-z0-9]+', fold(w)))} " in words for w in FOOD_WORDS)
    return False


class VenueTravelTime(Base):
    """How long the way from one venue to another takes, as the officer knows it."""

    __tablename__ = "venue_travel_time"
    __table_args__ = (
        CheckConstraint("minutes >= 0 AND minutes <= 1440", name="minutes_in_a_day"),
        CheckConstraint("from_venue_id <> to_venue_id", name="two_venues"),
    )

    from_venue_id: Mapped[int] = mapped_column(
        ForeignKey("venue.id", ondelete="CASCADE"), primary_key=True
    )
    to_venue_id: Mapped[int] = mapped_column(
        ForeignKey("venue.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    minutes: Mapped[int] = mapped_column(Integer)


class CheckSetting(Base):
    """One setting of the plan checks (speeds, buffers), stored with the data."""

    __tablename__ = "check_setting"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


class ImportMapping(Base):
    """A saved column mapping for spreadsheet imports: header text → field, by name."""

    __tablename__ = "import_mapping"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    columns: Mapped[str] = mapped_column(Text)
    """JSON object: header text → field key (``"Courriel": "email"``)."""
    date_order: Mapped[str] = mapped_column(String(3), default="dmy")
