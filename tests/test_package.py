"""The delegation package: round trip, located errors, all-or-nothing, matching by UUID."""

from __future__ import annotations

import copy
import json
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from delegations import __version__
from delegations.model import AgendaItem, Delegation, Organisation, Participation, Person, Venue
from delegations.resources import resource
from delegations.services import ValidationError, package
from delegations.store import Database

DEMO = resource("demo", "barcelona-study-visit.json")


def demo_document() -> dict[str, Any]:
    return json.loads(DEMO.read_text(encoding="utf-8"))


def counts(db: Database) -> dict[str, int]:
    with db.session() as s:
        return {
            m.__name__: s.scalar(select(func.count()).select_from(m)) or 0
            for m in (Organisation, Venue, Person, Delegation, Participation, AgendaItem)
        }


def export(db: Database, document: dict[str, Any]) -> dict[str, Any]:
    with db.session() as s:
        did = s.scalar(
            select(Delegation.id).where(Delegation.uuid == document["delegation"]["uuid"])
        )
        assert did is not None
        return package.export_package(s, did, datetime.fromisoformat(document["exported_at"]))


def test_round_trip_loses_nothing(db: Database) -> None:
    original = demo_document()
    with db.transaction() as s:
        package.import_document(s, copy.deepcopy(original))
    # The demo file was written by an earlier version; everything else comes back as it was.
    assert export(db, original) == {**original, "generator": package.GENERATOR}


def test_the_version_is_stated_once() -> None:
    assert f"Delegations {__version__}" == package.GENERATOR
    assert metadata.version("delegations") == __version__


def test_the_demo_package_matches_its_schema_and_has_what_the_brief_asks() -> None:
    doc = demo_document()
    assert package.schema_errors(doc) == {}
    names = {f"{p['given_name']} {p['family_name']}" for p in doc["people"]}
    assert "Μαρία Οικονομίδη" in names and any("é" in n for n in names)
    assert 8 <= len(doc["participations"]) <= 12
    kinds = [i["kind"] for i in doc["agenda"]]
    assert len(kinds) >= 10 and "transfer" in kinds and "meal" in kinds
    b2b = [i for i in doc["agenda"] if i["kind"] == "b2b"]
    assert len(b2b) >= 2 and all(isinstance(i["participants"], list) for i in b2b)
    assert b2b[0]["starts_at"] == b2b[1]["starts_at"]


def test_importing_again_updates_and_never_duplicates(db: Database) -> None:
    doc = demo_document()
    with db.transaction() as s:
        package.import_document(s, copy.deepcopy(doc))
    first = counts(db)
    newer = copy.deepcopy(doc)
    newer["agenda"][1]["title"] = "Welcome at ICEC (new room)"
    newer["agenda"][1]["starts_at"] = newer["agenda"][1]["starts_at"].replace("T10:00", "T10:15")
    newer["agenda"].pop()  # the last transfer was dropped from the plan
    newer["people"][0]["job_title"] = "Senior interpreter"
    with db.transaction() as s:
        package.import_document(s, copy.deepcopy(newer))
    again = counts(db)
    assert again == {**first, "AgendaItem": first["AgendaItem"] - 1}
    with db.session() as s:
        item = s.scalar(select(AgendaItem).where(AgendaItem.uuid == doc["agenda"][1]["uuid"]))
        assert item is not None
        assert (item.title, item.revision) == ("Welcome at ICEC (new room)", 1)
        person = s.scalar(select(Person).where(Person.uuid == doc["people"][0]["uuid"]))
        assert person is not None and person.job_title == "Senior interpreter"


def test_a_newer_revision_in_the_package_is_kept(db: Database) -> None:
    doc = demo_document()
    doc["agenda"][0]["revision"] = 7
    with db.transaction() as s:
        package.import_document(s, doc)
    with db.session() as s:
        assert (
            s.scalar(select(AgendaItem.revision).where(AgendaItem.uuid == doc["agenda"][0]["uuid"]))
            == 7
        )


def test_every_error_is_located_and_nothing_is_written(db: Database) -> None:
    doc = demo_document()
    doc["agenda"][3]["ends_at"] = doc["agenda"][3]["starts_at"].replace("T13:00", "T12:00")
    doc["people"][2]["email"] = "anna@"
    doc["delegation"]["timezone"] = "Europe/Barcelone"
    doc["agenda"][5]["venue"] = "00000000-0000-4000-8000-000000000000"
    with pytest.raises(ValidationError) as caught, db.transaction() as s:
        package.import_document(s, doc)
    errors = caught.value.errors
    assert errors["agenda[3].ends_at"] == "before starts_at"
    assert errors["people[2].email"] == "'anna@' is not an e-mail address"
    assert errors["delegation.timezone"].startswith("unknown time zone 'Europe/Barcelone'")
    assert errors["agenda[5].venue"].startswith("refers to venue 00000000-")
    assert set(counts(db).values()) == {0}


def test_schema_errors_are_located(db: Database) -> None:
    doc = demo_document()
    del doc["agenda"][2]["title"]
    doc["participations"][0]["role"] = "boss"
    doc["venues"][0]["latitude"] = 123.0
    with pytest.raises(ValidationError) as caught, db.transaction() as s:
        package.import_document(s, doc)
    assert caught.value.errors["agenda[2].title"] == "is missing"
    assert "participations[0].role" in caught.value.errors
    assert "venues[0].latitude" in caught.value.errors


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not valid JSON (line 1, column 2"),
        ("[]", "does not hold a delegation package"),
        ('{"format": "something-else"}', "this file is not a Delegations package"),
        ('{"format": "delegations-package", "version": 9}', "package version 9 is not supported"),
    ],
)
def test_unreadable_files_get_a_clear_message(
    tmp_path: Path, db: Database, content: str, message: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValidationError, match=message.replace("(", r"\(")), db.transaction() as s:
        package.import_package(s, path)


def test_write_package_is_atomic(tmp_path: Path) -> None:
    target = tmp_path / "plan.json"
    target.write_text("previous version")
    with pytest.raises(TypeError):
        package.write_package({"not serialisable": object()}, target)
    assert target.read_text() == "previous version"
    assert list(tmp_path.iterdir()) == [target]
