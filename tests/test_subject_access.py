"""Subject access: everything held about one person, in the documented JSON form
(``services.subject_access``, ``delegations person export``)."""

from __future__ import annotations

import io
import json
import os
import stat
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from sqlalchemy import select

from delegations.cli import main
from delegations.model import (
    AgendaItem,
    AuditEntry,
    Base,
    Delegation,
    Exchange,
    Participation,
    Person,
    Publication,
    TravelLeg,
)
from delegations.model.publications import person_audience
from delegations.resources import resource
from delegations.services import audit, erasure, queries
from delegations.services.errors import NotFound
from delegations.services.subject_access import (
    FORMAT,
    SCHEMA,
    SECTIONS,
    AmbiguousPerson,
    export_person,
    find_person_id,
    others_contacts_hidden,
    subject_access,
    write_subject_access,
)
from delegations.store import Database

TEXT_REFERENCES = {"publication", "exchange", "audit_entry"}
"""Tables that name a person in text: a calendar's audience ``person:ID``, a package's
document (their UUID), an audit entry (their records' table and id)."""


def validator() -> Draft202012Validator:
    schema = json.loads(resource(*SCHEMA).read_text("utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def person_holding_tables() -> set[str]:
    """Every table that can hold a person's data, found from the schema: ``person``,
    the tables with a foreign key to it, those that reach ``participation`` through
    foreign keys, and the tables that name a person in text."""
    tables = Base.metadata.tables
    direct = {
        name
        for name, table in tables.items()
        if any(fk.column.table.name == "person" for fk in table.foreign_keys)
    }
    via = {"participation"}
    while True:
        more = {
            name
            for name, table in tables.items()
            if any(fk.column.table.name in via for fk in table.foreign_keys)
        } - via
        if not more:
            break
        via |= more
    return {"person"} | direct | via | TEXT_REFERENCES


@pytest.fixture
def people(demo_db: Database) -> dict[str, int]:
    """The demo's lead officer (an attendee too), a host contact and another attendee,
    with a calendar published to the lead, a package that names everyone and audit
    entries about the lead's records."""
    with demo_db.transaction() as session:
        delegation = queries.load_delegation(session, queries.list_delegations(session)[0].id)
        lead = delegation.lead_officer
        assert lead is not None
        host = next(c for i in delegation.items for c in i.host_contacts)
        other = next(
            p.person for p in delegation.participations if p.person is not lead and p.travel
        )
        participation = next(p for p in delegation.participations if p.person is lead)
        session.add(
            Publication(
                delegation_id=delegation.id,
                audience=person_audience(lead.id),
                events=json.dumps([]),
            )
        )
        session.add(
            Exchange(
                delegation_id=delegation.id,
                package=str(uuid.uuid4()),
                origin=str(uuid.uuid4()),
                direction="sent",
                document=json.dumps({"people": [{"uuid": p.uuid} for p in (lead, host)]}),
            )
        )
        audit.note(session, "update", "person", lead.id, ["phone", "notes"], change="update")
        audit.note(session, "update", "participation", participation.id, ["hotel"])
        if participation.travel:
            audit.note(session, "update", "travel_leg", participation.travel[0].id, ["number"])
        audit.note(session, "export", "itinerary", participation.id, delegation_id=delegation.id)
        audit.note(session, "update", "person", other.id, ["email"])  # not the lead's
        return {"lead": lead.id, "host": host.id, "other": other.id}


def test_the_export_covers_every_table_that_can_hold_a_person() -> None:
    found = person_holding_tables()
    assert set(SECTIONS) == found, (
        f"tables not covered: {sorted(found - set(SECTIONS))}; "
        f"covered but holding no person: {sorted(set(SECTIONS) - found)}"
    )
    properties = json.loads(resource(*SCHEMA).read_text("utf-8"))["properties"]
    assert set(SECTIONS.values()) <= set(properties)


def test_every_section_is_filled_and_the_form_is_the_documented_one(
    demo_db: Database, people: dict[str, int]
) -> None:
    with demo_db.session() as session:
        lead = subject_access(session, people["lead"])
        host = subject_access(session, people["host"])
    for document in (lead, host):
        errors = sorted(validator().iter_errors(document), key=lambda e: list(e.path))
        assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]
        assert document["format"] == FORMAT and document["version"] == 1
    filled = {
        "person": lead["person"]["id"] == people["lead"],
        "participations": bool(lead["participations"]),
        "lead_officer_of": bool(lead["lead_officer_of"]),
        "calendars": bool(lead["calendars"]),
        "packages": lead["packages"]["count"] == 1,
        "audit": bool(lead["audit"]),
        "host_contact_for": bool(host["host_contact_for"]),
    }
    assert set(filled) == set(SECTIONS.values())
    assert all(filled.values()), filled
    # the delegation's emergency contacts name the lead ("Sophie Delacroix (lead officer)…")
    assert {"record": "delegation", "field": "emergency_contacts"}.items() <= (
        lead["mentions"][0].items()
    )
    assert host["packages"]["count"] == 1 and host["participations"] == []
    participation = lead["participations"][0]
    assert participation["travel"] and participation["agenda_items"]
    assert participation["delegation"]["title"] == "Creative clusters study visit to Barcelona"


def columns(model: type[Any], *left_out: str) -> set[str]:
    return {c.name for c in model.__table__.columns} - set(left_out)


def test_every_field_of_the_person_their_participations_and_journeys_is_given(
    demo_db: Database, people: dict[str, int]
) -> None:
    with demo_db.session() as session:
        document = subject_access(session, people["lead"])
        person = session.get(Person, people["lead"])
        assert person is not None
        participation = session.scalars(
            select(Participation).where(Participation.person_id == person.id)
        ).one()
        leg = participation.travel[0]
        given = document["person"]
        for name in columns(Person, "search_text", "organisation_id"):
            assert name in given, name
        assert given["email"] == person.email and given["phone"] == person.phone
        assert given["dietary_needs"] == person.dietary_needs
        assert given["consent_data"] is person.consent_data
        assert person.organisation is not None
        assert given["organisation"]["name"] == person.organisation.name
        shown = document["participations"][0]
        left_out = ("delegation_id", "person_id", "created_at", "updated_at")
        for name in columns(Participation, *left_out):
            assert name in shown, name
        assert shown["hotel"] == participation.hotel
        assert shown["booking_reference"] == participation.booking_reference
        legs = {entry["id"]: entry for entry in shown["travel"]}
        for name in columns(TravelLeg, "participation_id", "revision", "created_at", "updated_at"):
            assert name in legs[leg.id], name
        assert legs[leg.id]["number"] == leg.number


def test_audit_entries_are_theirs_only_and_hold_no_values(
    demo_db: Database, people: dict[str, int]
) -> None:
    with demo_db.session() as session:
        document = subject_access(session, people["lead"])
        total = len(list(session.scalars(select(AuditEntry))))
    entries = document["audit"]
    assert {(e["record"], e["action"]) for e in entries} >= {
        ("person", "update"),
        ("participation", "update"),
        ("itinerary", "export"),
    }
    assert not any(e["record"] == "person" and e["record_id"] == people["other"] for e in entries)
    assert len(entries) < total
    assert ["phone", "notes"] in [e["fields"] for e in entries]


def test_the_file_is_private_json_written_in_one_step(
    demo_db: Database, people: dict[str, int], tmp_path: Path
) -> None:
    out = tmp_path / "out" / "subject.json"
    with demo_db.session() as session:
        written = write_subject_access(session, people["other"], out)
    assert written == out
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    document = json.loads(out.read_text("utf-8"))
    assert document["person"]["id"] == people["other"]
    assert sorted(p.name for p in out.parent.iterdir()) == ["subject.json"]  # no temporary left


def test_export_person_writes_and_records_the_export(
    demo_db: Database, people: dict[str, int], tmp_path: Path
) -> None:
    out = export_person(demo_db, people["host"], tmp_path / "host.json")
    assert json.loads(out.read_text("utf-8"))["person"]["id"] == people["host"]
    with demo_db.session() as session:
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert entry is not None
        assert (entry.action, entry.record, entry.record_id) == ("export", "person", people["host"])
        assert entry.fields == ""


def test_people_are_found_by_id_e_mail_or_a_unique_part_of_the_name(
    demo_db: Database, people: dict[str, int]
) -> None:
    with demo_db.session() as session:
        person = session.get(Person, people["host"])
        assert person is not None
        assert find_person_id(session, str(person.id)) == person.id
        assert find_person_id(session, f"#{person.id}") == person.id
        assert find_person_id(session, person.email.upper()) == person.id
        assert find_person_id(session, person.full_name) == person.id
        with pytest.raises(AmbiguousPerson) as caught:
            find_person_id(session, "e")
        assert "give the person's id" in str(caught.value)
        with pytest.raises(NotFound):
            find_person_id(session, "nobody of that name")
        with pytest.raises(NotFound):
            subject_access(session, 999_999)


# --------------------------------------------------------------------------- command line


def run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(args), out=out)
    return code, out.getvalue()


def test_the_command_writes_the_file_and_records_it(
    demo_db: Database, people: dict[str, int], tmp_path: Path
) -> None:
    out = tmp_path / "lead.json"
    code, shown = run(
        "--db", str(demo_db.path), "person", "export", str(people["lead"]), "--out", str(out)
    )
    assert code == 0
    assert shown == f"Wrote what is held about person #{people['lead']} to {out}\n"
    document = json.loads(out.read_text("utf-8"))
    assert not list(validator().iter_errors(document))
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    with demo_db.session() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "export", AuditEntry.record == "person")
        ).all()
        assert [e.record_id for e in entries] == [people["lead"]]


def test_the_command_refuses_the_database_and_names_nobody(
    demo_db: Database,
    people: dict[str, int],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    db = str(demo_db.path)
    with demo_db.session() as session:
        names = [p.family_name for p in session.scalars(select(Person))]
    code, _ = run("--db", db, "person", "export", str(people["lead"]), "--out", db)
    err = capsys.readouterr().err
    assert code == 1 and err.startswith("delegations: error: --out") and err.count("\n") == 1
    code, _ = run("--db", db, "person", "export", "e", "--out", str(tmp_path / "x.json"))
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1 and "people match" in err and "id" in err
    assert not any(name in err for name in names)
    assert not (tmp_path / "x.json").exists()
    code, _ = run("--db", db, "person", "export", "Zzyzx", "--out", str(tmp_path / "y.json"))
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1 and "Traceback" not in err
    with pytest.raises(SystemExit) as usage:
        run("--db", db, "person", "export", "1")  # --out is required
    assert usage.value.code == 2


def test_help_stays_light() -> None:
    """``delegations person --help`` imports neither SQLAlchemy nor the services."""
    import subprocess

    code = (
        "import sys\n"
        "from delegations.cli import main\n"
        "try:\n"
        "    main(['person', 'export', '--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "assert 'sqlalchemy' not in sys.modules, 'sqlalchemy imported'\n"
        "assert 'delegations.services.subject_access' not in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "FILE" in done.stdout


def test_mentions_in_other_records_are_what_an_erasure_would_replace(
    demo_db: Database, people: dict[str, int]
) -> None:
    """Another attendee's notes, room sharing "with Hélène…", the delegation's emergency
    contacts and notes, an item's description: listed, each field once, and exactly the
    records whose text the erasure replaces."""
    with demo_db.transaction() as session:
        delegation = session.scalars(select(Delegation)).one()
        delegation.notes = "Helene Marchetti-Dubois needs a taxi; Zoétrope evening"
        delegation.emergency_contacts += "\nHélène’s husband: +33 6 00 00 00 01"
        item = session.scalars(select(AgendaItem).order_by(AgendaItem.id)).first()
        assert item is not None
        item.description = "Presented by MARCHETTI-DUBOIS (not Marchetti-Dubois-Smith)"
        participations = {p.person.family_name: p for p in session.scalars(select(Participation))}
        participations["Caron"].notes = "Interprets for Hélène"
        participations["Caron"].room_notes = "Next to Lefèvre-Smith"  # not a mention of Zoé
        helene = participations["Marchetti-Dubois de la Tour"].person_id
        zoe = participations["Lefèvre"].person_id
        item_id, delegation_id = item.id, delegation.id
        caron = participations["Caron"].id
        zoe_participation = participations["Lefèvre"].id
    with demo_db.session() as session:
        document = subject_access(session, helene)
        plan = erasure.erasure_plan(session, helene)
        zoe_document = subject_access(session, zoe)
        zoe_plan = erasure.erasure_plan(session, zoe)
    assert not list(validator().iter_errors(document))
    listed = {(m["record"], m["record_id"], m["field"]) for m in document["mentions"]}
    assert listed == {
        ("delegation", delegation_id, "notes"),
        ("delegation", delegation_id, "emergency_contacts"),
        ("agenda_item", item_id, "description"),
        ("participation", caron, "notes"),
        ("participation", zoe_participation, "room_sharing"),
    }
    assert len(listed) == len(document["mentions"])
    texts = {(m["record"], m["field"]): m["text"] for m in document["mentions"]}
    assert texts["participation", "room_sharing"] == "with Hélène Marchetti-Dubois de la Tour"
    # the erasure's "replaced in the text of N records" counts the same records
    assert plan.texts == len({(r, i) for r, i, _ in listed}) == 4
    zoe_listed = {(m["record"], m["field"]) for m in zoe_document["mentions"]}
    assert zoe_listed == {("participation", "room_sharing")}  # Hélène's "with Zoé Lefèvre"
    assert zoe_plan.texts == 1


def test_a_delegation_without_its_lead_still_exports(
    demo_db: Database, people: dict[str, int]
) -> None:
    """Removing the lead from a delegation removes that section, nothing else."""
    with demo_db.transaction() as session:
        for delegation in session.scalars(select(Delegation)):
            delegation.lead_officer_id = None
    with demo_db.session() as session:
        document = subject_access(session, people["lead"])
    assert document["lead_officer_of"] == [] and document["participations"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Ask zoe@x.example or SOPHIE@Lille.example",
            "Ask [e-mail of someone else] or SOPHIE@Lille.example",
        ),
        (
            "Mobile +33 (6) 34-56-78-90, hers 06 12 34 56 78, +33612345678; 112",
            "Mobile [phone of someone else], hers 06 12 34 56 78, +33612345678; 112",
        ),
        ("On 2024-05-12, 12/05/2024, 2024-2025, 9.30-11.00", None),
        ("Room 12345 and code 061234567891", "Room 12345 and code [phone of someone else]"),
        ("Line 1 +34 932 69 74 75\n12 seats", "Line 1 [phone of someone else]\n12 seats"),
        ("0612345678@sms.example", "[e-mail of someone else]"),
    ],
)
def test_other_peoples_contact_details_are_hidden(text: str, expected: str | None) -> None:
    hidden = others_contacts_hidden(text, "sophie@lille.example", "+33 6 12 34 56 78")
    assert hidden == (text if expected is None else expected)
    # a person without an e-mail or phone keeps nobody's
    assert "@" not in others_contacts_hidden("sophie@lille.example", "", "")


def test_mentions_hide_other_peoples_contact_details(
    demo_db: Database, people: dict[str, int]
) -> None:
    """GDPR art. 15(4): the lead's copy of the emergency contacts keeps her own phone,
    not the hotel's; a note naming her keeps her e-mail, not Zoé's or Grégoire's."""
    with demo_db.transaction() as session:
        delegation = session.scalars(select(Delegation)).one()
        delegation.notes = (
            "Sophie Delacroix or Zoé (zoe.lefevre@maisonsdemode.example, "
            "+33 6 34 56 78 90); Sophie: SOPHIE.DELACROIX@lillemetropole.example, "
            "06 12 34 56 78 from 2024-05-12"
        )
    with demo_db.session() as session:
        document = subject_access(session, people["lead"])
    assert not list(validator().iter_errors(document))
    texts = {(m["record"], m["field"]): m["text"] for m in document["mentions"]}
    assert texts["delegation", "emergency_contacts"] == (
        "Sophie Delacroix (lead officer): +33 6 12 34 56 78\n"
        "Hotel Ciutat Barcelona reception: [phone of someone else]\n"
        "European emergency number: 112"
    )
    assert texts["delegation", "notes"] == (
        "Sophie Delacroix or Zoé ([e-mail of someone else], [phone of someone else]); "
        "Sophie: SOPHIE.DELACROIX@lillemetropole.example, 06 12 34 56 78 from 2024-05-12"
    )
