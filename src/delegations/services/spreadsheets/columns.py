"""The fields a spreadsheet column can fill, with the headers people give them.

Each field has one English header (the one exports write, so an exported file
maps itself back) and the other names registration forms, mailing tools and
partners' files use for it, in English, French and Spanish. Guessing compares
headers folded (case and accents ignored, punctuation as spaces).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from delegations.model.text import fold


class Group(StrEnum):
    PERSON = "person"
    ATTENDEE = "attendee"
    ARRIVAL = "arrival"
    DEPARTURE = "departure"

    @property
    def label(self) -> str:
        return {
            "person": "Person",
            "attendee": "Attendee (needs a delegation)",
            "arrival": "Arrival journey (needs a delegation)",
            "departure": "Departure journey (needs a delegation)",
        }[self.value]


class Kind(StrEnum):
    TEXT = "text"
    MULTILINE = "multiline"
    EMAIL = "email"
    BOOL = "bool"
    ROLE = "role"
    STATUS = "status"
    MODE = "mode"
    DATE = "date"
    DATETIME = "datetime"
    TIME = "time"
    TIMEZONE = "timezone"
    UUID = "uuid"
    ORGANISATION = "organisation"
    FULL_NAME = "full_name"


@dataclass(frozen=True)
class Field:
    """One field a column can fill.

    Attributes:
        key: stable name, used in saved mappings ("given_name", "arrival.arrives_at").
        header: the English header exports write.
        group: which record it belongs to.
        kind: how a cell is read.
        attribute: the record's attribute it sets ("" for full name and time parts).
        names: other headers that mean this field (any language; folded when compared).
        export: whether exports write it (import-only helpers such as "Full name" don't).
    """

    key: str
    header: str
    group: Group
    kind: Kind
    attribute: str
    names: tuple[str, ...] = ()
    export: bool = True

    @property
    def needs_delegation(self) -> bool:
        return self.group is not Group.PERSON


def _person(key: str, header: str, kind: Kind, *names: str, export: bool = True) -> Field:
    attribute = key if kind not in (Kind.FULL_NAME, Kind.ORGANISATION, Kind.UUID) else ""
    return Field(key, header, Group.PERSON, kind, attribute, names, export)


def _attendee(key: str, header: str, kind: Kind, *names: str) -> Field:
    return Field(f"attendee.{key}", header, Group.ATTENDEE, kind, key, names)


_WORDS = {
    Group.ARRIVAL: ("Arrival", ("arrival", "arrivee", "llegada", "ida", "aller", "inbound")),
    Group.DEPARTURE: (
        "Departure",
        ("departure", "depart", "salida", "retour", "regreso", "vuelta", "return"),
    ),
}


def _journey(group: Group) -> tuple[Field, ...]:
    """The fields of one journey. The bare words ("Arrival", "Date de retour") mean the
    moment that matters at the destination: when an arrival arrives, when a departure
    departs."""
    title, words = _WORDS[group]

    def field(key: str, header: str, kind: Kind, *names: str, attribute: str = "") -> Field:
        # A time column only completes a date column: exports write both in one cell.
        return Field(
            f"{group.value}.{key}",
            f"{title} {header}",
            group,
            kind,
            attribute or key,
            names,
            export=kind is not Kind.TIME,
        )

    def each(*patterns: str) -> tuple[str, ...]:
        return tuple(p.format(w=word) for p in patterns for word in words)

    moment = each(
        "{w}",
        "{w} date",
        "date {w}",
        "date d {w}",
        "date de {w}",
        "fecha {w}",
        "fecha de {w}",
        "{w} datetime",
        "{w} date and time",
        "date et heure d {w}",
        "date et heure de {w}",
        "fecha y hora de {w}",
    )
    moment_time = each(
        "{w} time", "heure {w}", "heure d {w}", "heure de {w}", "hora {w}", "hora de {w}"
    )
    arrival = group is Group.ARRIVAL
    return (
        field("mode", "mode", Kind.MODE, *each("{w} mode", "{w} transport", "mode {w}", "transporte {w}")),
        field("carrier", "carrier", Kind.TEXT, *each("{w} airline", "{w} company", "compagnie {w}", "aerolinea {w}")),
        field(
            "number", "flight or train number", Kind.TEXT,
            *each("{w} flight", "{w} flight number", "{w} train", "{w} train number",
                  "vol {w}", "vol d {w}", "vol de {w}", "numero de vol {w}", "train {w}",
                  "vuelo {w}", "vuelo de {w}", "numero de vuelo {w}", "tren {w}", "{w} number"),
        ),
        field(
            "origin", "from", Kind.TEXT,
            *each("{w} from", "{w} origin", "provenance {w}", "origen {w}"),
            *(("coming from", "travelling from", "traveling from", "provenance", "en provenance de",
               "ville de provenance", "procedencia", "ciudad de origen") if arrival else ()),
        ),
        field("origin_timezone", "from time zone", Kind.TIMEZONE),
        field("departs_at", "departs at", Kind.DATETIME, *(() if arrival else moment), *each("{w} departs", "{w} departs at")),
        field("departs_time", "departs at (time)", Kind.TIME, *(() if arrival else moment_time), attribute="departs_at"),
        field("destination", "to", Kind.TEXT, *each("{w} to", "{w} destination", "destination {w}", "destino {w}")),
        field("destination_timezone", "to time zone", Kind.TIMEZONE),
        field("arrives_at", "arrives at", Kind.DATETIME, *(moment if arrival else ()), *each("{w} arrives", "{w} arrives at")),
        field("arrives_time", "arrives at (time)", Kind.TIME, *(moment_time if arrival else ()), attribute="arrives_at"),
        field("notes", "notes", Kind.TEXT),
    )  # fmt: skip


FIELDS: tuple[Field, ...] = (
    _person("person_id", "Person ID", Kind.UUID, "id", "uuid", "identifier", "identifiant", "identificador", "person uuid"),
    _person(
        "full_name", "Full name", Kind.FULL_NAME,
        "name", "full name", "participant", "attendee", "delegate", "nom complet",
        "nom et prenom", "prenom et nom", "prenom nom", "nom prenom", "participant e",
        "nombre completo", "nombre y apellidos", "apellidos y nombre", "asistente",
        "participante", export=False,
    ),
    _person("given_name", "Given name", Kind.TEXT, "first name", "firstname", "forename", "given", "prenom", "nombre", "nombres", "first"),
    _person(
        "family_name", "Family name", Kind.TEXT,
        "last name", "lastname", "surname", "family", "nom", "nom de famille", "apellido",
        "apellidos", "primer apellido", "last",
    ),
    _person(
        "email", "E-mail", Kind.EMAIL,
        "email", "e mail", "mail", "email address", "e mail address", "courriel", "adresse mail",
        "adresse e mail", "adresse electronique", "mel", "correo", "correo electronico",
        "email professionnel", "work email",
    ),
    _person(
        "phone", "Phone", Kind.TEXT,
        "telephone", "phone number", "tel", "mobile", "mobile phone", "cell", "cell phone",
        "portable", "telephone portable", "numero de telephone", "gsm", "telefono", "movil",
        "celular", "telefono movil",
    ),
    _person(
        "job_title", "Job title", Kind.TEXT,
        "position", "job", "function", "fonction", "poste", "intitule du poste",
        "cargo", "puesto", "job position",
    ),
    _person(
        "organisation", "Organisation", Kind.ORGANISATION,
        "organization", "company", "institution", "employer", "affiliation", "entity",
        "organisme", "structure", "entreprise", "societe", "etablissement", "organisation name",
        "empresa", "organizacion", "entidad", "institucion", "compania",
    ),
    _person("languages", "Languages", Kind.TEXT, "language", "spoken languages", "langues", "langue", "langues parlees", "idiomas", "idioma", "lenguas"),
    _person(
        "dietary_needs", "Dietary needs", Kind.TEXT,
        "diet", "dietary", "dietary requirements", "dietary restrictions", "food", "allergies",
        "food allergies", "regime", "regime alimentaire", "regimes alimentaires",
        "restrictions alimentaires", "allergies alimentaires", "dieta", "alergias",
        "restricciones alimentarias", "requisitos dieteticos", "regimen alimenticio",
    ),
    _person(
        "accessibility_needs", "Accessibility needs", Kind.TEXT,
        "accessibility", "access needs", "special needs", "mobility", "reduced mobility",
        "accessibilite", "besoins specifiques", "besoins d accessibilite", "mobilite reduite",
        "handicap", "accesibilidad", "necesidades especiales", "movilidad reducida",
    ),
    _person("consent_data", "Consent to data use", Kind.BOOL, "consent", "data consent", "gdpr", "gdpr consent", "rgpd", "consentement", "consentement rgpd", "consentimiento", "proteccion de datos", "data protection", "privacy", "use of my data", "my personal data", "protection des donnees", "mes donnees", "tratamiento de datos", "mis datos"),
    _person("consent_photos", "Consent to photos", Kind.BOOL, "photo consent", "photos", "image rights", "droit a l image", "autorisation photo", "consentement photo", "derecho de imagen", "consentimiento fotos"),
    _person("notes", "Notes", Kind.MULTILINE, "note", "comments", "comment", "remarks", "remarques", "commentaires", "observations", "observaciones", "notas", "comentarios"),
    _attendee("role", "Role", Kind.ROLE, "delegation role", "role in delegation", "role dans la delegation", "rol", "papel"),
    _attendee("status", "Status", Kind.STATUS, "registration status", "participation", "attendance", "statut", "statut d inscription", "estado", "inscription", "inscripcion"),
    _attendee("badge_name", "Badge name", Kind.TEXT, "name on badge", "badge", "nom sur le badge", "nom badge", "nombre en la acreditacion", "acreditacion"),
    _attendee("hotel", "Hotel", Kind.TEXT, "accommodation", "hebergement", "hotel name", "alojamiento", "hospedaje"),
    _attendee("hotel_address", "Hotel address", Kind.TEXT, "adresse hotel", "adresse de l hotel", "direccion hotel", "direccion del hotel"),
    _attendee(
        "hotel_phone", "Hotel phone", Kind.TEXT,
        "hotel telephone", "hotel phone number", "hotel tel", "telephone hotel",
        "telephone de l hotel", "tel hotel", "telefono hotel", "telefono del hotel",
    ),
    _attendee("check_in", "Check-in", Kind.DATE, "check in", "check in date", "hotel check in", "arrivee hotel", "date d arrivee a l hotel", "entrada hotel", "fecha de entrada"),
    _attendee("check_out", "Check-out", Kind.DATE, "check out", "check out date", "hotel check out", "depart hotel", "date de depart de l hotel", "salida hotel", "fecha de salida del hotel"),
    _attendee(
        "booking_reference", "Booking reference", Kind.TEXT,
        "booking ref", "booking number", "hotel booking", "hotel booking reference",
        "confirmation number", "reservation number", "reservation reference",
        "reference de reservation", "numero de reservation", "numero de confirmation",
        "reference reservation", "n de reservation", "no de reservation", "numero de reserva",
        "n de reserva", "codigo de reserva", "localizador",
        "referencia de reserva",
    ),
    _attendee(
        "room_type", "Room type", Kind.TEXT,
        "type of room", "room category", "type de chambre", "categorie de chambre",
        "tipo de habitacion", "categoria de habitacion",
    ),
    _attendee(
        "room_sharing", "Room shared with", Kind.TEXT,
        "sharing with", "room sharing", "shares room with", "sharing room with", "roommate",
        "room mate", "chambre partagee avec", "partage la chambre avec", "partage de chambre",
        "comparte habitacion con", "habitacion compartida con", "companero de habitacion",
        "companera de habitacion",
    ),
    _attendee("room_notes", "Room notes", Kind.TEXT, "room", "chambre", "habitacion", "room requests", "demandes chambre", "peticiones habitacion"),
    _attendee("notes", "Attendee notes", Kind.MULTILINE, "participation notes", "notes participant", "notas participante"),
    *_journey(Group.ARRIVAL),
    *_journey(Group.DEPARTURE),
)  # fmt: skip
"""Every field, in the order exports write them and the wizard lists them."""

BY_KEY: dict[str, Field] = {f.key: f for f in FIELDS}
EXPORTED: tuple[Field, ...] = tuple(f for f in FIELDS if f.export)

_PUNCTUATION = re.compile(r"[^\w]+")


def header_key(header: str) -> str:
    """A header as guessing compares it: folded, punctuation and ``_`` as single spaces,
    a trailing ``*`` (required mark) or ``(…)`` note dropped."""
    text = re.sub(r"\(.*?\)|\*", " ", header)
    return " ".join(_PUNCTUATION.sub(" ", fold(text)).replace("_", " ").split())


def _index() -> dict[str, str]:
    index: dict[str, str] = {}
    for f in FIELDS:
        for name in (f.header, f.key.replace(".", " "), *f.names):
            index.setdefault(header_key(name), f.key)
    return index


NAMES: dict[str, str] = _index()
"""Folded header → field key, for every name of every field (first field wins)."""
