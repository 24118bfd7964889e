"""The package import applies everything a package says and refuses what it should not hold.

Each refusal is one located line, repeats no personal value and leaves the
database file byte for byte as it was.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from delegations import cli
from delegations.model import Participation, Person, TravelLeg
from delegations.resources import resource
from delegations.services import (
    ValidationError,
    agenda,
    delegations,
    organisations,
    package,
    participations,
    people,
    venues,
)
from delegations.services.demo import DEMO_PACKAGE
from delegations.services.validation import Checker, is_timezone
from delegations.store import Database
from history_support import dump

MEGA = "x" * 1_048_576
PHONE = "+33 6 12 34 56 78"


def demo_document() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(resource(*DEMO_PACKAGE).read_text(encoding="utf-8"))
    return document


OLDER_NOTICE = (
    "This package was written by an older version of Delegations, without what a merge "
    "needs: importing it replaces the delegation here with the package's version; edits "
    "made here since are not kept."
)


def write(tmp_path: Path, document: dict[str, Any] | str | bytes) -> Path:
    path = tmp_path / "package.json"
    if isinstance(document, bytes):
        path.write_bytes(document)
    elif isinstance(document, str):
        path.write_bytes(document.encode("utf-8", "surrogatepass"))
    else:
        path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def import_file(db: Database, path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    capsys.readouterr()
    code = cli.main(["--db", str(db.path), "import", "package", str(path)])
    return code, capsys.readouterr().err


def imports(
    db: Database, tmp_path: Path, document: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = import_file(db, write(tmp_path, document), capsys)
    # These packages carry no exchange data: they replace the delegation, and say so.
    assert code == 0 and err in ("", f"delegations: warning: {OLDER_NOTICE}\n"), err


def refused(
    db: Database,
    tmp_path: Path,
    document: Any,
    capsys: pytest.CaptureFixture[str],
    *secrets: str,
) -> str:
    """The one-line error the import gives; checks the database did not change."""
    db.engine.dispose()
    before, rows = Path(db.path).read_bytes(), dump(Path(db.path))
    code, err = import_file(db, write(tmp_path, document), capsys)
    db.engine.dispose()
    assert code == 1
    assert err.startswith("delegations: error: ") and err.count("\n") == 1, err[:500]
    assert "Unexpected" not in err and "could not be saved" not in err, err
    assert Path(db.path).read_bytes() == before
    assert dump(Path(db.path)) == rows
    for secret in secrets:
        assert secret not in err
    return err.removeprefix("delegations: error: ").rstrip("\n")


def person_rows(db: Database) -> list[tuple[str, str, str]]:
    with db.session() as s:
        return [
            (p.uuid, p.given_name, p.job_title)
            for p in s.scalars(select(Person).order_by(Person.id))
        ]


# ------------------------------------------------------------------ 1. UUIDs


def test_uuids_match_in_any_case_and_are_stored_lower_case(
    demo_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = demo_document()
    before = person_rows(demo_db)
    lead = doc["delegation"]["lead_officer"]
    (officer,) = [p for p in doc["people"] if p["uuid"] == lead]
    officer["job_title"] = "Senior project officer"
    text = json.dumps(doc).replace(lead, lead.upper())
    assert lead.upper() in text and lead not in text
    imports(demo_db, tmp_path, text, capsys)
    after = person_rows(demo_db)
    assert len(after) == len(before)
    assert all(uuid == uuid.lower() for uuid, _, _ in after)
    assert [row[2] for row in after if row[0] == lead] == ["Senior project officer"]


def test_a_new_upper_case_uuid_is_stored_in_canonical_form(
    db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = demo_document()
    doc["people"][0]["uuid"] = "ABCDEF01-2345-4678-9ABC-DEF012345678"
    text = json.dumps(doc).replace(demo_document()["people"][0]["uuid"], doc["people"][0]["uuid"])
    imports(db, tmp_path, text, capsys)
    uuids = {uuid for uuid, _, _ in person_rows(db)}
    assert "abcdef01-2345-4678-9abc-def012345678" in uuids
    assert not any(u != u.lower() for u in uuids)


@pytest.mark.parametrize("suffix", ["\n", " ", "\t", "\r\n", "0"])
def test_a_uuid_with_anything_after_it_is_refused(
    demo_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str], suffix: str
) -> None:
    doc = demo_document()
    doc["people"][0]["uuid"] += suffix
    assert refused(demo_db, tmp_path, doc, capsys).startswith("people[0].uuid: is not a UUID")
    assert package.schema_errors(doc)["people[0].uuid"].startswith("is not a UUID")


# ------------------------------------------- 2. attendees, journeys, duplicates


def test_an_attendee_can_become_another_person(
    demo_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = demo_document()
    newcomer = {
        "uuid": "0b0e7d4e-4d1e-4c59-9b55-3f8a0f6f1a01",
        "given_name": "Zoé",
        "family_name": "Newcomer",
    }
    doc["people"].append(newcomer)
    moved = doc["participations"][0]
    with demo_db.session() as s:
        row = s.scalar(select(Participation).where(Participation.uuid == moved["uuid"]))
        assert row is not None
        row_id = row.id
    moved["person"] = newcomer["uuid"]
    imports(demo_db, tmp_path, doc, capsys)
    with demo_db.session() as s:
        row = s.get(Participation, row_id)
        assert row is not None and (row.uuid, row.person.uuid) == (moved["uuid"], newcomer["uuid"])


def test_two_attendees_can_swap_people(
    demo_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = demo_document()
    first, second = doc["participations"][0], doc["participations"][1]
    first["person"], second["person"] = second["person"], first["person"]
    imports(demo_db, tmp_path, doc, capsys)
    with demo_db.session() as s:
        owners = dict(s.execute(select(Participation.uuid, Person.uuid).join(Person)).all())
    assert owners[first["uuid"]] == first["person"]
    assert owners[second["uuid"]] == second["person"]


def test_journeys_are_matched_by_uuid(
    demo_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = demo_document()
    travelling = [p for p in doc["participations"] if len(p["travel"]) == 2]
    one, other = travelling[0], travelling[1]
    renewed = "5d7c3e3a-1b0e-4b8e-8f57-2a9d6a0c7e11"
    gone = one["travel"][0]["uuid"]
    one["travel"][0]["uuid"] = renewed.upper()
    # The other attendee's arrival and departure journeys trade places.
    other["travel"][0]["direction"], other["travel"][1]["direction"] = (
        other["travel"][1]["direction"],
        other["travel"][0]["direction"],
    )
    imports(demo_db, tmp_path, doc, capsys)
    with demo_db.session() as s:
        legs = {
            leg.uuid: (leg.participation.uuid, leg.direction.value)
            for leg in s.scalars(select(TravelLeg))
        }
    assert gone not in legs
    assert legs[renewed] == (one["uuid"], one["travel"][0]["direction"])
    for leg in other["travel"]:
        assert legs[leg["uuid"]] == (other["uuid"], leg["direction"])


@pytest.mark.parametrize(
    ("section", "where"),
    [
        ("people", "people[{last}].uuid"),
        ("participations", "participations[{last}].uuid"),
        ("agenda", "agenda[{last}].uuid"),
        ("travel", "participations[1].travel[0].uuid"),
    ],
)
def test_uuids_given_twice_are_located_even_on_a_first_import(
    db: Database,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    section: str,
    where: str,
) -> None:
    doc = demo_document()
    if section == "travel":
        doc["participations"][1]["travel"][0]["uuid"] = doc["participations"][0]["travel"][0][
            "uuid"
        ].upper()
    else:
        twin = copy.deepcopy(doc[section][0])
        twin["uuid"] = twin["uuid"].upper()
        doc[section].append(twin)
    where = where.format(last=len(doc.get(section, [])) - 1)
    message = refused(db, tmp_path, doc, capsys)
    assert f"{where}: " in message and "appears twice" in message


# ------------------------------------------------------------------ 3. revision


@pytest.mark.parametrize("revision", [2**63 - 1, 2**31, 1e308, 2.0, 1.5, True, -1, "3"])
def test_a_revision_is_a_whole_number_within_32_bits(
    demo_db: Database,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    revision: Any,
) -> None:
    doc = demo_document()
    doc["agenda"][0]["revision"] = revision
    assert refused(demo_db, tmp_path, doc, capsys).startswith("agenda[0].revision: ")
    doc = demo_document()
    doc["participations"][0]["travel"][0]["revision"] = revision
    assert refused(demo_db, tmp_path, doc, capsys).startswith(
        "participations[0].travel[0].revision: "
    )


def test_the_largest_revision_is_kept_and_never_exceeded(
    demo_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = demo_document()
    doc["agenda"][0]["revision"] = 2**31 - 1
    imports(demo_db, tmp_path, doc, capsys)
    doc["agenda"][0]["title"] += " (moved)"  # a change raises the revision: not past the top
    imports(demo_db, tmp_path, doc, capsys)
    with demo_db.session() as s:
        exported = package.export_package(s, 1)
    assert exported["agenda"][0]["revision"] == 2**31 - 1
    assert package.schema_errors(exported) == {}


# ------------------------------------------------------------------ 4. lengths


def test_a_megabyte_name_is_refused_without_repeating_it(
    demo_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = demo_document()
    doc["people"][2]["given_name"] = MEGA
    message = refused(demo_db, tmp_path, doc, capsys, "xxxxxxxxxx")
    assert message == "people[2].given_name: is 1,048,576 characters long; at most 120 fit"


@pytest.mark.parametrize(
    ("section", "field", "limit"),
    [
        ("people", "phone", 60),
        ("people", "email", 254),
        ("people", "dietary_needs", 300),
        ("people", "job_title", 200),
        ("organisations", "name", 200),
        ("venues", "address", 300),
        ("agenda", "title", 200),
        ("agenda", "description", 5000),
        ("delegation", "emergency_contacts", 5000),
        ("participations", "hotel", 200),
    ],
)
def test_every_text_has_a_limit(
    demo_db: Database,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    section: str,
    field: str,
    limit: int,
) -> None:
    doc = demo_document()
    entry = doc[section] if section == "delegation" else doc[section][0]
    entry[field] = PHONE[:1] * (limit + 1)
    where = section if section == "delegation" else f"{section}[0]"
    assert refused(demo_db, tmp_path, doc, capsys) == (
        f"{where}.{field}: is {limit + 1:,} characters long; at most {limit:,} fit"
    )
    entry[field] = "a" * limit if field != "email" else "a" * (limit - 12) + "@example.org"
    imports(demo_db, tmp_path, doc, capsys)


def _schema_limits(section: dict[str, Any], defs: dict[str, Any]) -> dict[str, int]:
    limits = {}
    for name, spec in section["properties"].items():
        if "maxLength" in spec:
            limits[name] = spec["maxLength"]
        elif spec.get("$ref") == "#/$defs/timezone":
            limits[name] = defs["timezone"]["maxLength"]
    return limits


def test_the_schema_and_the_services_state_the_same_limits() -> None:
    schema = json.loads(resource("schemas", "delegation-package.schema.json").read_text("utf-8"))
    props, defs = schema["properties"], schema["$defs"]
    expected = {
        "organisations": (props["organisations"]["items"], organisations),
        "venues": (props["venues"]["items"], venues),
        "people": (props["people"]["items"], people),
        "delegation": (props["delegation"], delegations),
        "participations": (props["participations"]["items"], participations),
        "agenda": (props["agenda"]["items"], agenda),
    }
    for name, (section, service) in expected.items():
        assert _schema_limits(section, defs) == service.LIMITS, name
        multiline = {
            f for f, spec in section["properties"].items() if spec.get("$ref") == "#/$defs/text"
        }
        assert multiline == service.MULTILINE, name
    travel = props["participations"]["items"]["properties"]["travel"]["items"]
    assert _schema_limits(travel, defs) == participations.TRAVEL_LIMITS


def test_the_window_refuses_the_same_lengths(db: Database) -> None:
    with pytest.raises(ValidationError) as caught, db.transaction() as s:
        people.create(s, given_name="Ana", family_name=MEGA, phone=PHONE.replace(" ", "\n", 1))
    assert caught.value.errors == {
        "family_name": "is 1,048,576 characters long; at most 120 fit",
        "phone": "contains a line break (U+000A); this field holds one line of text",
    }
    assert PHONE not in str(caught.value)


# ------------------------------------------------------------- 5. control characters


@pytest.mark.parametrize(
    ("section", "field", "value"),
    [
        ("people", "phone", PHONE + "\n"),
        ("people", "given_name", "Ana\tMaria"),
        ("people", "email", "ana@example.org\x00"),
        ("organisations", "city", "Barcelona\r"),
        ("participations", "hotel", "Hotel\x85Ciutat"),
        ("agenda", "title", "Welcome\x1b[31m"),
        ("delegation", "title", "Visit\x7f"),
        ("people", "notes", "first line\nsecond\tline"),
        ("agenda", "description", "bell\x07"),
    ],
)
def test_control_characters_are_refused(
    demo_db: Database,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    section: str,
    field: str,
    value: str,
) -> None:
    doc = demo_document()
    entry = doc[section] if section == "delegation" else doc[section][0]
    entry[field] = value
    where = section if section == "delegation" else f"{section}[0]"
    message = refused(demo_db, tmp_path, doc, capsys, PHONE)
    assert message.startswith(f"{where}.{field}: contains ")


def test_multi_line_fields_keep_their_line_breaks(
    demo_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = demo_document()
    doc["people"][0]["notes"] = "first line\nsecond line"
    doc["agenda"][0]["description"] = "Meet at the door.\n\nBring ID."
    imports(demo_db, tmp_path, doc, capsys)
    with demo_db.session() as s:
        notes = s.scalar(select(Person.notes).where(Person.uuid == doc["people"][0]["uuid"]))
    assert notes == "first line\nsecond line"


def test_the_window_refuses_control_characters_too(db: Database) -> None:
    check = Checker()
    organisations.validate({"name": "ACME\n", "notes": "a\nb"}, check)
    assert set(check.errors) == {"name"}


# ---------------------------------------------------------------- 6. years


@pytest.mark.parametrize(
    ("where", "value"),
    [
        ("agenda[0].starts_at", "0001-01-01T00:00:00+14:00"),
        ("agenda[0].ends_at", "9999-12-31T23:59:59-12:00"),
        ("agenda[0].starts_at", "1899-12-31T23:00:00+00:00"),
        ("participations[0].travel[0].departs_at", "0001-01-01T00:00:00+00:00"),
        ("participations[0].travel[0].arrives_at", "9999-12-31T23:59:59-12:00"),
        ("delegation.start_date", "0001-01-01"),
        ("delegation.end_date", "9999-12-31"),
        ("participations[0].check_in", "0001-01-01"),
        ("participations[0].check_out", "9999-12-31"),
        ("agenda[0].starts_at", "2027-02-30T10:00:00+01:00"),
        ("delegation.start_date", "2027-13-01"),
    ],
)
def test_dates_and_instants_lie_between_1900_and_2200(
    demo_db: Database,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    where: str,
    value: str,
) -> None:
    doc = demo_document()
    target: Any = doc
    *path, last = where.replace("[", ".").replace("]", "").split(".")
    for part in path:
        target = target[int(part)] if part.isdigit() else target[part]
    target[last] = value
    assert refused(demo_db, tmp_path, doc, capsys).startswith(f"{where}: ")


def test_an_item_starts_within_a_year_of_its_visit(
    demo_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = demo_document()
    doc["agenda"][0]["starts_at"] = "2029-07-01T10:00:00+02:00"
    doc["agenda"][0]["ends_at"] = "2029-07-01T11:00:00+02:00"
    message = refused(demo_db, tmp_path, doc, capsys)
    assert message.startswith("agenda[0].starts_at: starts on Sun 1 Jul 2029, more than a year")


# ------------------------------------------------------------------ 7. time zones


@pytest.mark.parametrize(
    "zone", ["localtime", "posix/Europe/Paris", "right/UTC", "Factory", "Europe", "Europe/"]
)
def test_only_iana_time_zones_are_known(
    demo_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str], zone: str
) -> None:
    assert not is_timezone(zone)
    doc = demo_document()
    doc["delegation"]["timezone"] = zone
    assert refused(demo_db, tmp_path, doc, capsys).startswith("delegation.timezone: ")
    doc = demo_document()
    doc["participations"][0]["travel"][0]["origin_timezone"] = zone
    message = refused(demo_db, tmp_path, doc, capsys)
    assert message.startswith("participations[0].travel[0].origin_timezone: ")
    assert "time zone" in message


def test_utc_and_iana_names_are_known() -> None:
    assert all(is_timezone(z) for z in ("UTC", "Europe/Madrid", "America/Port-au-Prince"))
    check = Checker()
    check.timezone("timezone", "localtime")
    assert check.errors["timezone"].startswith("unknown time zone 'localtime'")


# ---------------------------------------------------------- 8. files that are not JSON


def _demo_text() -> str:
    return resource(*DEMO_PACKAGE).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (_demo_text().replace('"generator": "', '"generator": "\\ud800', 1), "surrogate"),
        (_demo_text().replace('"notes": ""', '"notes": "\\udfff\\ud800"', 1), "surrogate"),
        ('{"format": ' + "[" * 1000 + "]" * 1000 + "}", "nested"),
        ("[" * 100_000, "nested"),
        ('{"a": ' + '{"b": ' * 40 + "1" + "}" * 41, "nested"),
        (_demo_text().encode("latin-1", "replace"), "UTF-8"),
        (b"\xff\xfe{\x00}\x00", "UTF-8"),
        ("", "empty"),
        ("  \n", "empty"),
        (_demo_text().replace('"latitude": 41.', '"latitude": NaN, "x": 41.', 1), "NaN"),
        (_demo_text().replace('"revision": 0', '"revision": 1e999', 1), "number"),
        (_demo_text().replace('"revision": 0', '"revision": ' + "9" * 5000, 1), "digits"),
        (_demo_text().replace('"notes": ""', '"notes": "", "notes": "x"', 1), "twice"),
    ],
)
def test_files_that_are_not_json_get_one_line(
    demo_db: Database,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: str | bytes,
    reason: str,
) -> None:
    message = refused(demo_db, tmp_path, content, capsys)
    assert message.startswith(f"file: {tmp_path / 'package.json'} is not valid JSON (")
    assert reason in message


def test_a_file_with_a_byte_order_mark_is_read(
    db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    imports(db, tmp_path, "\ufeff" + _demo_text(), capsys)


def test_a_file_too_large_is_not_read(
    demo_db: Database,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(package, "MAX_BYTES", 1000)
    message = refused(demo_db, tmp_path, _demo_text(), capsys)
    assert "is too large" in message


def test_a_folder_is_not_a_package(
    demo_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = import_file(demo_db, tmp_path, capsys)
    assert code == 1 and err.count("\n") == 1 and "is a folder" in err


def test_deep_nesting_inside_a_document_is_located(db: Database) -> None:
    doc = demo_document()
    deep: list[Any] = []
    for _ in range(2000):
        deep = [deep]
    doc["people"][0]["notes"] = deep
    with pytest.raises(ValidationError) as caught, db.transaction() as s:
        package.import_document(s, doc)
    ((where, message),) = caught.value.errors.items()
    assert where.startswith("people[0].notes[0][0]") and "nested" in message


def test_schema_messages_never_repeat_values(db: Database) -> None:
    doc = demo_document()
    doc["people"][0]["phone"] = 33612345678
    doc["people"][1]["email"] = [PHONE]
    doc["people"][2]["consent_data"] = PHONE
    doc["organisations"][0]["kind"] = PHONE
    doc["venues"][0]["latitude"] = 612345678
    doc["venues"][1][PHONE] = 1
    doc["agenda"][0]["participants"] = PHONE
    doc["agenda"][1]["venue"] = PHONE
    with pytest.raises(ValidationError) as caught, db.transaction() as s:
        package.import_document(s, doc)
    text = str(caught.value)
    assert "33612345678" not in text and "612345678" not in text
    assert text.count(PHONE) == 1  # the unknown field's name is shown, cut short
    assert set(caught.value.errors) == {
        "people[0].phone",
        "people[1].email",
        "people[2].consent_data",
        "organisations[0].kind",
        "venues[0].latitude",
        "venues[1]",
        "agenda[0].participants",
        "agenda[1].venue",
    }


def test_the_demo_still_round_trips(db: Database) -> None:
    doc = demo_document()
    with db.transaction() as s:
        package.import_document(s, copy.deepcopy(doc))
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Person)) == len(doc["people"])
