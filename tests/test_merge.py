"""The three-way merge of delegation packages (issue 14): per record and per field,
conflicts surfaced, a preview of what importing does, and nothing lost silently."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from delegations.model import Delegation
from delegations.resources import resource
from delegations.services import package
from delegations.services.merge import Conflict, Merge, Side, merge
from delegations.store import Database


def u(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


DELEGATION, CLUSTER, HOST, HALL = u(1), u(2), u(3), u(4)
PEOPLE = [u(10 + n) for n in range(5)]
ATTENDEES = [u(20 + n) for n in range(5)]
JOURNEYS = [u(30 + n) for n in range(5)]
ITEMS = [u(40 + n) for n in range(5)]
NAMES = [("Julien", "Caron"), ("Anna", "García"), ("Piotr", "Nowak"), ("Zoé", "Dubois"),
         ("Jordi", "Ferrer")]  # fmt: skip


def journey(n: int) -> dict[str, Any]:
    return {
        "uuid": JOURNEYS[n], "direction": "arrival", "mode": "flight", "carrier": "Air",
        "number": f"AF{n}", "origin": "Paris", "origin_timezone": "Europe/Paris",
        "departs_at": "2027-07-01T07:00:00+02:00", "destination": "Barcelona",
        "destination_timezone": "Europe/Madrid", "arrives_at": "2027-07-01T09:00:00+02:00",
        "revision": 0, "notes": "",
    }  # fmt: skip


def attendee(n: int) -> dict[str, Any]:
    return {
        "uuid": ATTENDEES[n], "person": PEOPLE[n], "role": "delegate", "status": "confirmed",
        "badge_name": "", "hotel": "Hotel Ciutat", "hotel_address": "", "check_in": None,
        "check_out": None, "room_notes": "", "notes": "", "travel": [journey(n)],
    }  # fmt: skip


def item(n: int, participants: Any = "everyone") -> dict[str, Any]:
    return {
        "uuid": ITEMS[n], "title": f"Visit {n}", "kind": "visit",
        "starts_at": f"2027-07-01T{10 + n:02d}:00:00+02:00",
        "ends_at": f"2027-07-01T{10 + n:02d}:45:00+02:00", "host_confirmation": None,
        "description": "", "status": "confirmed", "serves_food": False, "venue": HALL,
        "host": HOST, "host_contacts": [], "participants": participants, "revision": 0,
    }  # fmt: skip


def base_doc() -> dict[str, Any]:
    """A small package: 4 attendees with a journey each, 4 agenda items."""
    return {
        "format": "delegations-package",
        "version": 1,
        "exported_at": "2027-06-01T10:00:00+00:00",
        "generator": "tests",
        "delegation": {
            "uuid": DELEGATION,
            "title": "Study visit",
            "timezone": "Europe/Madrid",
            "start_date": "2027-07-01",
            "end_date": "2027-07-02",
            "status": "planned",
            "notes": "",
            "sending_organisation": CLUSTER,
            "lead_officer": PEOPLE[0],
        },
        "organisations": [
            {"uuid": CLUSTER, "name": "Cluster", "kind": "cluster"},
            {"uuid": HOST, "name": "Host", "kind": "agency"},
        ],
        "venues": [{"uuid": HALL, "name": "Hall", "city": "Barcelona", "organisation": HOST}],
        "people": [
            {
                "uuid": PEOPLE[n],
                "given_name": NAMES[n][0],
                "family_name": NAMES[n][1],
                "organisation": CLUSTER,
                "email": f"p{n}@example.org",
            }
            for n in range(4)
        ],
        "participations": [attendee(n) for n in range(4)],
        "agenda": [
            item(0, [ATTENDEES[0], ATTENDEES[1]]),
            item(1),
            item(2, [ATTENDEES[2]]),
            item(3),
        ],
    }


def rec(doc: dict[str, Any], section: str, uuid: str) -> dict[str, Any]:
    """A record of a document (journeys found in their attendee)."""
    if section == "travel":
        records = [j for p in doc["participations"] for j in p["travel"]]
    elif section == "delegation":
        records = [doc["delegation"]]
    else:
        records = doc[section]
    found = [r for r in records if r["uuid"] == uuid]
    assert len(found) == 1, f"{section} {uuid}: {len(found)} found"
    return found[0]


def has(doc: dict[str, Any], section: str, uuid: str) -> bool:
    if section == "travel":
        return any(j["uuid"] == uuid for p in doc["participations"] for j in p["travel"])
    return any(r["uuid"] == uuid for r in doc[section])


def add_person(doc: dict[str, Any], n: int) -> None:
    doc["people"].append({"uuid": PEOPLE[n], "given_name": NAMES[n][0], "family_name": NAMES[n][1]})


def valid(doc: dict[str, Any]) -> dict[str, Any]:
    assert package.schema_errors(doc) == {}
    return doc


def keys(m: Merge) -> list[str]:
    return [c.key for c in m.preview.conflicts]


# --------------------------------------------------------------------------- one side, both sides


def test_a_change_on_one_side_only_is_applied_whichever_side() -> None:
    base, ours, theirs = base_doc(), base_doc(), base_doc()
    rec(theirs, "agenda", ITEMS[1])["title"] = "Visit one, renamed"
    rec(ours, "participations", ATTENDEES[2])["hotel"] = "Hotel Arts"
    m = merge(base, ours, theirs)
    assert m.preview.conflicts == []
    assert [(c.record.uuid, c.field, c.before, c.after) for c in m.preview.changed] == [
        (ITEMS[1], "title", "Visit 1", "Visit one, renamed")
    ]
    assert m.preview.counts() == {"added": 0, "changed": 1, "removed": 0, "conflicts": 0}
    doc = valid(m.document())
    assert rec(doc, "agenda", ITEMS[1])["title"] == "Visit one, renamed"
    assert rec(doc, "participations", ATTENDEES[2])["hotel"] == "Hotel Arts"


def test_both_sides_changing_different_fields_of_one_record_both_survive() -> None:
    base, ours, theirs = base_doc(), base_doc(), base_doc()
    rec(ours, "agenda", ITEMS[1])["title"] = "Ours"
    rec(theirs, "agenda", ITEMS[1])["starts_at"] = "2027-07-01T10:30:00+02:00"
    rec(theirs, "delegation", DELEGATION)["notes"] = "Bring badges"
    doc = valid(merge(base, ours, theirs).document())
    entry = rec(doc, "agenda", ITEMS[1])
    assert (entry["title"], entry["starts_at"]) == ("Ours", "2027-07-01T10:30:00+02:00")
    assert doc["delegation"]["notes"] == "Bring badges"


def test_both_sides_changing_a_field_alike_is_no_conflict() -> None:
    base, ours, theirs = base_doc(), base_doc(), base_doc()
    for doc in (ours, theirs):
        rec(doc, "agenda", ITEMS[0])["title"] = "Same"
    m = merge(base, ours, theirs)
    assert m.preview.clean
    assert rec(m.document(), "agenda", ITEMS[0])["title"] == "Same"


@pytest.mark.parametrize("side", ["ours", "theirs"])
def test_both_sides_changing_a_field_differently_is_a_conflict_either_side_wins(
    side: Side,
) -> None:
    base, ours, theirs = base_doc(), base_doc(), base_doc()
    rec(ours, "agenda", ITEMS[0])["title"] = "Ours"
    rec(theirs, "agenda", ITEMS[0])["title"] = "Theirs"
    m = merge(base, ours, theirs)
    assert m.preview.conflicts == [
        Conflict(
            key=f"agenda:{ITEMS[0]}:title",
            record=m.preview.conflicts[0].record,
            field="title",
            kind="both-edited",
            base="Visit 0",
            ours="Ours",
            theirs="Theirs",
        )
    ]
    assert m.preview.conflicts[0].record.label == "agenda item “Ours” (Thu 1 Jul 10:00)"
    assert m.preview.changed == []
    doc = valid(m.document({f"agenda:{ITEMS[0]}:title": side}))
    assert rec(doc, "agenda", ITEMS[0])["title"] == {"ours": "Ours", "theirs": "Theirs"}[side]


def test_an_instant_written_in_another_offset_is_the_same_instant() -> None:
    base, ours, theirs = base_doc(), base_doc(), base_doc()
    rec(theirs, "agenda", ITEMS[0])["starts_at"] = "2027-07-01T08:00:00+00:00"
    rec(ours, "agenda", ITEMS[0])["title"] = "Ours"
    m = merge(base, ours, theirs)
    assert m.preview.changed == [] and m.preview.conflicts == []


# --------------------------------------------------------------------------- added, deleted


def test_records_added_on_either_side_are_kept() -> None:
    base, ours, theirs = base_doc(), base_doc(), base_doc()
    ours["agenda"].append(item(4))
    add_person(theirs, 4)
    theirs["participations"].append(attendee(4))
    m = merge(base, ours, theirs)
    assert [(r.section, r.uuid) for r in m.preview.added] == [
        ("people", PEOPLE[4]),
        ("participations", ATTENDEES[4]),
        ("travel", JOURNEYS[4]),
    ]
    assert m.preview.added[1].label == "attendee Jordi Ferrer"
    assert m.preview.added[2].label == "journey Paris → Barcelona of Jordi Ferrer"
    doc = valid(m.document())
    assert has(doc, "agenda", ITEMS[4]) and has(doc, "participations", ATTENDEES[4])
    assert has(doc, "people", PEOPLE[4]) and has(doc, "travel", JOURNEYS[4])


def test_a_record_added_on_both_sides_merges_field_by_field() -> None:
    base, ours, theirs = base_doc(), base_doc(), base_doc()
    ours["agenda"].append(item(4))
    theirs["agenda"].append({**item(4), "description": "Theirs", "title": "Other"})
    ours["agenda"][-1]["title"] = "Mine"
    m = merge(base, ours, theirs)
    assert keys(m) == [f"agenda:{ITEMS[4]}:title", f"agenda:{ITEMS[4]}:description"]
    assert m.preview.conflicts[0].base is None
    doc = valid(m.document(prefer="theirs"))
    assert rec(doc, "agenda", ITEMS[4])["title"] == "Other"


@pytest.mark.parametrize("deleting", ["ours", "theirs"])
@pytest.mark.parametrize("section", ["agenda", "participations", "travel"])
def test_deleted_on_one_side_and_unchanged_on_the_other_is_deleted(
    deleting: Side, section: str
) -> None:
    base, ours, theirs = base_doc(), base_doc(), base_doc()
    gone = {"agenda": ITEMS[3], "participations": ATTENDEES[3], "travel": JOURNEYS[3]}[section]
    doc = ours if deleting == "ours" else theirs
    if section == "agenda":
        doc["agenda"] = [i for i in doc["agenda"] if i["uuid"] != gone]
    elif section == "participations":
        doc["participations"] = [p for p in doc["participations"] if p["uuid"] != gone]
    else:
        rec(doc, "participations", ATTENDEES[3])["travel"] = []
    m = merge(base, ours, theirs)
    assert m.preview.conflicts == []
    removed = [(r.section, r.uuid) for r in m.preview.removed]
    if deleting == "theirs":
        assert (section, gone) in removed
    else:
        assert removed == []
    merged = valid(m.document())
    assert not has(merged, section, gone)
    assert has(merged, "people", PEOPLE[3])  # people are never deleted


def test_deleted_on_both_sides_is_deleted() -> None:
    base, ours, theirs = base_doc(), base_doc(), base_doc()
    for doc in (ours, theirs):
        doc["agenda"].pop()
    m = merge(base, ours, theirs)
    assert m.preview.clean and not has(m.document(), "agenda", ITEMS[3])


@pytest.mark.parametrize("choice", ["ours", "theirs"])
@pytest.mark.parametrize("deleting", ["ours", "theirs"])
@pytest.mark.parametrize("section", ["agenda", "participations", "travel"])
def test_deleted_on_one_side_and_edited_on_the_other_is_a_conflict(
    deleting: Side, choice: Side, section: str
) -> None:
    base, ours, theirs = base_doc(), base_doc(), base_doc()
    deleter, editor = (ours, theirs) if deleting == "ours" else (theirs, ours)
    uuid = {"agenda": ITEMS[1], "participations": ATTENDEES[1], "travel": JOURNEYS[1]}[section]
    if section == "agenda":
        deleter["agenda"] = [i for i in deleter["agenda"] if i["uuid"] != uuid]
        rec(editor, "agenda", uuid)["title"] = "Edited"
    elif section == "participations":
        deleter["participations"] = [p for p in deleter["participations"] if p["uuid"] != uuid]
        for i in deleter["agenda"]:
            if isinstance(i["participants"], list) and uuid in i["participants"]:
                i["participants"].remove(uuid)
        rec(editor, "participations", uuid)["hotel"] = "Hotel Arts"
    else:
        rec(deleter, "participations", ATTENDEES[1])["travel"] = []
        rec(editor, "travel", uuid)["number"] = "VY1234"
    m = merge(base, ours, theirs)
    [conflict] = m.preview.conflicts
    assert conflict.key == f"{section}:{uuid}:*"
    assert conflict.field is None
    assert conflict.kind == f"deleted-{deleting}"
    assert (conflict.ours is None) == (deleting == "ours")
    assert (conflict.theirs is None) == (deleting == "theirs")
    assert m.preview.removed == [] and not any(r.uuid == uuid for r in m.preview.added)
    line = next(text for text in m.preview.lines() if text.startswith("!"))
    assert ("deleted here" in line) == (deleting == "ours")
    doc = valid(m.document({conflict.key: choice}))
    assert has(doc, section, uuid) == (choice != deleting)
    if choice != deleting:
        edited = rec(doc, section, uuid)
        assert (
            "Edited" in edited.values()
            or "Hotel Arts" in edited.values()
            or ("VY1234" in edited.values())
        )


def test_an_attendee_deleted_while_their_journey_was_edited_is_a_conflict_on_the_attendee() -> None:
    base, ours, theirs = base_doc(), base_doc(), base_doc()
    theirs["participations"] = [p for p in theirs["participations"] if p["uuid"] != ATTENDEES[3]]
    rec(ours, "travel", JOURNEYS[3])["carrier"] = "Vueling"
    m = merge(base, ours, theirs)
    assert keys(m) == [f"participations:{ATTENDEES[3]}:*"]
    kept = m.document(prefer="ours")
    assert rec(kept, "travel", JOURNEYS[3])["carrier"] == "Vueling"
    gone = valid(m.document(prefer="theirs"))
    assert not has(gone, "participations", ATTENDEES[3]) and not has(gone, "travel", JOURNEYS[3])


def test_organisations_venues_and_people_are_never_deleted() -> None:
    base, ours, theirs = base_doc(), base_doc(), base_doc()
    # Theirs no longer refers to the host, its venue or Piotr (their items changed).
    theirs["venues"], theirs["organisations"] = [], theirs["organisations"][:1]
    for i in theirs["agenda"]:
        i["venue"] = i["host"] = None
    rec(theirs, "delegation", DELEGATION)["lead_officer"] = PEOPLE[1]
    rec(ours, "people", PEOPLE[0])["email"] = "julien@example.org"
    rec(ours, "venues", HALL)["city"] = "Badalona"
    doc = valid(merge(base, ours, theirs).document())
    assert has(doc, "people", PEOPLE[0]) and rec(doc, "people", PEOPLE[0])["email"] == (
        "julien@example.org"
    )
    assert rec(doc, "venues", HALL)["city"] == "Badalona"
    assert has(doc, "organisations", HOST)


def test_a_shared_record_edited_on_both_sides_merges_field_by_field() -> None:
    base, ours, theirs = base_doc(), base_doc(), base_doc()
    rec(ours, "people", PEOPLE[1])["email"] = "anna@ours.example"
    rec(theirs, "people", PEOPLE[1])["family_name"] = "García López"
    rec(theirs, "people", PEOPLE[2])["email"] = "a@b.example"
    rec(ours, "people", PEOPLE[2])["email"] = "c@d.example"
    m = merge(base, ours, theirs)
    assert keys(m) == [f"people:{PEOPLE[2]}:email"]
    assert m.preview.conflicts[0].record.label == "person Piotr Nowak"
    person = rec(m.document(prefer="ours"), "people", PEOPLE[1])
    assert (person["email"], person["family_name"]) == ("anna@ours.example", "García López")


# --------------------------------------------------------------------------- sets, references


def test_attendee_subsets_changed_on_both_sides_merge_element_by_element() -> None:
    base, ours, theirs = base_doc(), base_doc(), base_doc()
    rec(ours, "agenda", ITEMS[0])["participants"] = [ATTENDEES[0], ATTENDEES[2]]  # −1 +2
    rec(theirs, "agenda", ITEMS[0])["participants"] = [ATTENDEES[3], ATTENDEES[0], ATTENDEES[1]]
    rec(ours, "agenda", ITEMS[2])["host_contacts"] = [PEOPLE[0]]
    rec(theirs, "agenda", ITEMS[2])["host_contacts"] = [PEOPLE[1]]
    m = merge(base, ours, theirs)
    assert m.preview.conflicts == []
    doc = valid(m.document())
    assert rec(doc, "agenda", ITEMS[0])["participants"] == sorted(
        [ATTENDEES[0], ATTENDEES[2], ATTENDEES[3]]
    )
    assert rec(doc, "agenda", ITEMS[2])["host_contacts"] == sorted([PEOPLE[0], PEOPLE[1]])
    lines = m.preview.lines()
    assert "~ agenda item “Visit 0” (Thu 1 Jul 10:00): participants: + Zoé Dubois" in lines


def test_everyone_is_one_value_that_can_conflict_with_a_subset() -> None:
    base, ours, theirs = base_doc(), base_doc(), base_doc()
    rec(ours, "agenda", ITEMS[0])["participants"] = "everyone"
    rec(theirs, "agenda", ITEMS[0])["participants"] = [ATTENDEES[3]]
    m = merge(base, ours, theirs)
    assert keys(m) == [f"agenda:{ITEMS[0]}:participants"]
    assert "participants: ours everyone, theirs Zoé Dubois" in m.preview.lines()[-1]
    assert rec(m.document(prefer="ours"), "agenda", ITEMS[0])["participants"] == "everyone"


def test_an_attendee_deleted_by_the_merge_leaves_the_items_they_were_added_to() -> None:
    base, ours, theirs = base_doc(), base_doc(), base_doc()
    theirs["participations"] = [p for p in theirs["participations"] if p["uuid"] != ATTENDEES[1]]
    rec(theirs, "agenda", ITEMS[0])["participants"] = [ATTENDEES[0]]
    rec(ours, "agenda", ITEMS[2])["participants"] = [ATTENDEES[1], ATTENDEES[2]]  # ours adds
    m = merge(base, ours, theirs)
    assert m.preview.conflicts == []
    assert [r.uuid for r in m.preview.removed] == [ATTENDEES[1], JOURNEYS[1]]
    doc = valid(m.document())
    assert rec(doc, "agenda", ITEMS[0])["participants"] == [ATTENDEES[0]]
    assert rec(doc, "agenda", ITEMS[2])["participants"] == [ATTENDEES[2]]
    assert has(doc, "people", PEOPLE[1])  # a person is never deleted
    assert has(doc, "venues", HALL)


def test_an_item_deleted_on_one_side_goes_through_the_other_removed_a_deleted_attendee_from_it() -> (
    None
):
    base, ours, theirs = base_doc(), base_doc(), base_doc()
    ours["participations"] = [p for p in ours["participations"] if p["uuid"] != ATTENDEES[2]]
    rec(ours, "agenda", ITEMS[2])["participants"] = []  # what deleting the attendee does
    theirs["agenda"] = [i for i in theirs["agenda"] if i["uuid"] != ITEMS[2]]
    m = merge(base, ours, theirs)
    assert m.preview.conflicts == []
    assert [r.uuid for r in m.preview.removed] == [ITEMS[2]]


def test_the_same_person_added_as_an_attendee_on_both_sides_is_one_attendee() -> None:
    base, ours, theirs = base_doc(), base_doc(), base_doc()
    for doc, uuid in ((ours, ATTENDEES[4]), (theirs, u(99))):
        add_person(doc, 4)
        doc["participations"].append({**attendee(4), "uuid": uuid, "travel": []})
        rec(doc, "agenda", ITEMS[2])["participants"].append(uuid)
    doc = valid(merge(base, ours, theirs).document())
    assert [p["uuid"] for p in doc["participations"] if p["person"] == PEOPLE[4]] == [ATTENDEES[4]]
    assert rec(doc, "agenda", ITEMS[2])["participants"] == sorted([ATTENDEES[2], ATTENDEES[4]])


# --------------------------------------------------------------------------- travel legs


@pytest.mark.parametrize("side", ["ours", "theirs"])
def test_travel_legs_edited_added_and_deleted_on_each_side(side: Side) -> None:
    base, ours, theirs = base_doc(), base_doc(), base_doc()
    doc, other = (ours, theirs) if side == "ours" else (theirs, ours)
    rec(doc, "travel", JOURNEYS[0])["departs_at"] = "2027-07-01T08:00:00+02:00"
    rec(doc, "participations", ATTENDEES[1])["travel"].append(
        {**journey(1), "uuid": u(77), "direction": "departure", "origin": "Barcelona",
         "destination": "Paris", "origin_timezone": "Europe/Madrid",
         "destination_timezone": "Europe/Paris"}
    )  # fmt: skip
    rec(doc, "participations", ATTENDEES[2])["travel"] = []
    rec(other, "travel", JOURNEYS[3])["notes"] = "Window seat"
    m = merge(base, ours, theirs)
    assert m.preview.conflicts == []
    merged = valid(m.document())
    assert rec(merged, "travel", JOURNEYS[0])["departs_at"] == "2027-07-01T08:00:00+02:00"
    assert [j["uuid"] for j in rec(merged, "participations", ATTENDEES[1])["travel"]] == [
        JOURNEYS[1],
        u(77),
    ]
    assert not has(merged, "travel", JOURNEYS[2])
    assert rec(merged, "travel", JOURNEYS[3])["notes"] == "Window seat"
    if side == "theirs":
        assert [r.uuid for r in m.preview.added] == [u(77)]
        assert [r.uuid for r in m.preview.removed] == [JOURNEYS[2]]
        assert m.preview.removed[0].label == "journey Paris → Barcelona of Piotr Nowak"


def test_a_journey_edited_on_both_sides_conflicts_per_field() -> None:
    base, ours, theirs = base_doc(), base_doc(), base_doc()
    rec(ours, "travel", JOURNEYS[0])["number"] = "AF1"
    rec(theirs, "travel", JOURNEYS[0])["number"] = "VY9"
    rec(theirs, "travel", JOURNEYS[0])["carrier"] = "Vueling"
    m = merge(base, ours, theirs)
    assert keys(m) == [f"travel:{JOURNEYS[0]}:number"]
    leg = rec(m.document(prefer="theirs"), "travel", JOURNEYS[0])
    assert (leg["carrier"], leg["number"]) == ("Vueling", "VY9")


# --------------------------------------------------------------------------- revision, fields


def test_revision_is_never_merged_the_higher_is_kept() -> None:
    base, ours, theirs = base_doc(), base_doc(), base_doc()
    rec(ours, "agenda", ITEMS[0])["revision"] = 3
    rec(theirs, "agenda", ITEMS[0])["revision"] = 5
    rec(theirs, "travel", JOURNEYS[0])["revision"] = 2
    m = merge(base, ours, theirs)
    assert m.preview.clean
    doc = m.document()
    assert rec(doc, "agenda", ITEMS[0])["revision"] == 5
    assert rec(doc, "travel", JOURNEYS[0])["revision"] == 2


def test_a_field_absent_from_a_side_is_unchanged_there() -> None:
    base, ours, theirs = base_doc(), base_doc(), base_doc()
    for doc in (base, ours, theirs):
        rec(doc, "agenda", ITEMS[1])["dress_code"] = "Smart"
    del rec(theirs, "agenda", ITEMS[1])["dress_code"]  # an older package
    rec(ours, "agenda", ITEMS[2])["dress_code"] = "Casual"  # absent from base and theirs
    del rec(ours, "agenda", ITEMS[3])["description"]
    rec(theirs, "agenda", ITEMS[3])["description"] = "Theirs"
    m = merge(base, ours, theirs)
    assert [(c.record.uuid, c.field) for c in m.preview.changed] == [(ITEMS[3], "description")]
    doc = m.document()
    assert rec(doc, "agenda", ITEMS[1])["dress_code"] == "Smart"
    assert rec(doc, "agenda", ITEMS[2])["dress_code"] == "Casual"


def test_uuids_match_whatever_their_case() -> None:
    base, ours, theirs = base_doc(), base_doc(), base_doc()
    for entry in theirs["agenda"]:
        entry["uuid"] = entry["uuid"].upper()
        if isinstance(entry["participants"], list):
            entry["participants"] = [p.upper() for p in entry["participants"]]
    rec(theirs, "agenda", ITEMS[0].upper())["title"] = "Renamed"
    m = merge(base, ours, theirs)
    assert m.preview.counts() == {"added": 0, "changed": 1, "removed": 0, "conflicts": 0}
    assert rec(m.document(), "agenda", ITEMS[0])["title"] == "Renamed"


def test_the_merged_document_keeps_their_metadata_and_sorts_like_an_export() -> None:
    base, ours, theirs = base_doc(), base_doc(), base_doc()
    theirs["exported_at"] = "2027-06-02T10:00:00+00:00"
    theirs["exchange"] = {"package": u(900), "origin": u(901), "known": [u(900)]}
    ours["exported_at"] = "2027-06-03T10:00:00+00:00"
    rec(theirs, "agenda", ITEMS[3])["starts_at"] = "2027-07-01T08:00:00+02:00"
    rec(theirs, "people", PEOPLE[2])["family_name"] = "Abad"
    doc = valid({k: v for k, v in merge(base, ours, theirs).document().items()})
    assert doc["exported_at"] == "2027-06-02T10:00:00+00:00"
    assert doc["exchange"] == theirs["exchange"]
    assert [i["uuid"] for i in doc["agenda"]] == [ITEMS[3], ITEMS[0], ITEMS[1], ITEMS[2]]
    assert doc["participations"][0]["uuid"] == ATTENDEES[2]  # Abad comes first
    assert list(doc)[:4] == ["format", "version", "exported_at", "generator"]


def test_another_delegation_is_refused() -> None:
    other = base_doc()
    other["delegation"]["uuid"] = u(999)
    with pytest.raises(ValueError, match="another delegation"):
        merge(base_doc(), base_doc(), other)


# --------------------------------------------------------------------------- clean cases


def test_reimporting_an_unchanged_package_is_clean_whatever_ours_holds() -> None:
    base, ours = base_doc(), base_doc()
    rec(ours, "agenda", ITEMS[0])["title"] = "Ours"
    ours["agenda"] = [i for i in ours["agenda"] if i["uuid"] != ITEMS[3]]
    ours["participations"] = [p for p in ours["participations"] if p["uuid"] != ATTENDEES[3]]
    ours["people"] = [p for p in ours["people"] if p["uuid"] != PEOPLE[3]]
    rec(ours, "people", PEOPLE[1])["email"] = "new@example.org"
    ours["agenda"].append(item(4))
    del rec(ours, "delegation", DELEGATION)["notes"]  # written only when it holds something
    m = merge(base, ours, copy.deepcopy(base))
    assert m.preview.clean, m.preview.lines()
    assert m.preview.lines() == ["Nothing to merge: the package holds nothing this database lacks."]
    assert merge(base, base, base).preview.clean
    assert merge(None, ours, copy.deepcopy(ours)).preview.clean


def test_without_a_base_every_difference_is_a_conflict() -> None:
    ours, theirs = base_doc(), base_doc()
    rec(ours, "agenda", ITEMS[0])["title"] = "Ours"
    theirs["agenda"].append(item(4))
    ours["participations"].pop()
    m = merge(None, ours, theirs)
    assert keys(m) == [f"agenda:{ITEMS[0]}:title"]
    assert {r.uuid for r in m.preview.added} == {ITEMS[4], ATTENDEES[3], JOURNEYS[3]}
    assert m.preview.removed == []


def test_document_refuses_undecided_conflicts_and_honours_prefer() -> None:
    base, ours, theirs = base_doc(), base_doc(), base_doc()
    rec(ours, "agenda", ITEMS[0])["title"] = "Ours"
    rec(theirs, "agenda", ITEMS[0])["title"] = "Theirs"
    rec(ours, "agenda", ITEMS[1])["title"] = "Ours 1"
    rec(theirs, "agenda", ITEMS[1])["title"] = "Theirs 1"
    m = merge(base, ours, theirs)
    with pytest.raises(ValueError, match=f"agenda:{ITEMS[0]}:title"):
        m.document()
    with pytest.raises(ValueError, match=f"agenda:{ITEMS[1]}:title"):
        m.document({f"agenda:{ITEMS[0]}:title": "theirs"})
    with pytest.raises(ValueError, match="choose ours or theirs"):
        m.document({f"agenda:{ITEMS[0]}:title": "mine"}, prefer="ours")
    doc = m.document({f"agenda:{ITEMS[0]}:title": "theirs"}, prefer="ours")
    titles = [rec(doc, "agenda", ITEMS[n])["title"] for n in (0, 1)]
    assert titles == ["Theirs", "Ours 1"]
    assert [rec(m.document(prefer=p), "agenda", ITEMS[1])["title"] for p in ("ours", "theirs")] == [
        "Ours 1",
        "Theirs 1",
    ]


def test_the_preview_lines_say_what_happens_with_counts() -> None:
    base, ours, theirs = base_doc(), base_doc(), base_doc()
    theirs["agenda"].append({**item(4), "title": "Closing " + "x" * 100})
    rec(theirs, "agenda", ITEMS[1])["description"] = "Line one\nline two"
    theirs["agenda"] = [i for i in theirs["agenda"] if i["uuid"] != ITEMS[3]]
    rec(ours, "agenda", ITEMS[0])["title"] = "Ours"
    rec(theirs, "agenda", ITEMS[0])["title"] = "Theirs"
    lines = merge(base, ours, theirs).preview.lines()
    assert lines == [
        "1 added, 1 changed, 1 removed, 1 conflict to decide",
        f"+ agenda item “Closing {'x' * 31}…” (Thu 1 Jul 14:00)",
        "~ agenda item “Visit 1” (Thu 1 Jul 11:00): description: (empty) → Line one line two",
        "- agenda item “Visit 3” (Thu 1 Jul 13:00)",
        "! agenda item “Ours” (Thu 1 Jul 10:00): title: ours Ours, theirs Theirs",
    ]
    assert all(len(line) < 200 for line in lines)


# --------------------------------------------------------------------------- the issue's scenario


DEMO = resource("demo", "barcelona-study-visit.json")
WELCOME = "838b0274"
MEDIA = "36824368"


def demo_item(doc: dict[str, Any], prefix: str) -> dict[str, Any]:
    return next(i for i in doc["agenda"] if i["uuid"].startswith(prefix))


def exported(db: Database, uuid: str) -> dict[str, Any]:
    with db.session() as s:
        did = s.scalar(select(Delegation.id).where(Delegation.uuid == uuid))
        assert did is not None
        return package.export_package(s, did, datetime(2027, 6, 1, tzinfo=UTC))


def test_the_issue_scenario_both_renames_survive_and_additions_are_kept(db: Database) -> None:
    """A renames the welcome, B renames the Barcelona Media visit; A imports B's package."""
    demo = json.loads(DEMO.read_text(encoding="utf-8"))
    with db.transaction() as s:
        package.import_document(s, copy.deepcopy(demo))
    base = exported(db, demo["delegation"]["uuid"])
    a, b = copy.deepcopy(base), copy.deepcopy(base)
    demo_item(a, WELCOME)["title"] = "Welcome (edited on laptop A)"
    demo_item(b, MEDIA)["title"] = "Barcelona Media (edited on laptop B)"
    a["agenda"].append({**item(4), "venue": None, "host": None})  # added on A since
    m = merge(base, a, b)
    assert m.preview.conflicts == [] and m.preview.removed == [] and m.preview.added == []
    assert m.preview.lines()[1] == (
        "~ agenda item “Barcelona Media: media and ICT innovati…” (Thu 1 Jul 11:45): "
        "title: Barcelona Media: media and ICT innovation → Barcelona Media (edited on laptop B)"
    )
    with db.transaction() as s:
        package.import_document(s, a)  # A's database before the import
    with db.transaction() as s:
        package.import_document(s, m.document())
    after = exported(db, demo["delegation"]["uuid"])
    assert demo_item(after, WELCOME)["title"] == "Welcome (edited on laptop A)"
    assert demo_item(after, MEDIA)["title"] == "Barcelona Media (edited on laptop B)"
    assert has(after, "agenda", ITEMS[4])
    # The renamed item's calendar SEQUENCE rose on import, like any edit.
    assert demo_item(after, MEDIA)["revision"] > demo_item(base, MEDIA)["revision"]
    # Exchanging again changes nothing.
    assert merge(after, after, m.document()).preview.clean


def test_three_parties_a_to_b_to_c_to_a() -> None:
    base = base_doc()
    a, b, c = copy.deepcopy(base), copy.deepcopy(base), copy.deepcopy(base)
    rec(a, "agenda", ITEMS[0])["title"] = "A's title"
    rec(b, "participations", ATTENDEES[1])["hotel"] = "B's hotel"
    c["agenda"].append(item(4))
    rec(c, "travel", JOURNEYS[2])["carrier"] = "C's carrier"
    # A sends to B: B merges (base, B, A).
    b1 = merge(base, b, a)
    assert b1.preview.conflicts == []
    b_doc = b1.document()
    # B sends to C (base still the original for C).
    c_doc = merge(base, c, b_doc).document()
    # C sends back to A; A's base with C is the original too.
    m = merge(base, a, c_doc)
    assert m.preview.conflicts == []
    assert [(x.record.uuid, x.field) for x in m.preview.changed] == [
        (ATTENDEES[1], "hotel"),
        (JOURNEYS[2], "carrier"),
    ]
    assert [r.uuid for r in m.preview.added] == [ITEMS[4]]
    final = valid(m.document())
    assert rec(final, "agenda", ITEMS[0])["title"] == "A's title"
    assert rec(final, "participations", ATTENDEES[1])["hotel"] == "B's hotel"
    assert rec(final, "travel", JOURNEYS[2])["carrier"] == "C's carrier"
    assert has(final, "agenda", ITEMS[4])
    # Everyone now holds the same plan: with the last exchanged version as the base,
    # C's and B's packages bring A nothing new.
    assert merge(c_doc, final, c_doc).preview.clean


# --------------------------------------------------------------------------- property


def _edit(doc: dict[str, Any], op: tuple[Any, ...]) -> None:
    """Apply one random edit; edits that no longer apply are skipped."""
    kind, n, value = op
    items, parts = doc["agenda"], doc["participations"]
    if kind == "rename" and items:
        items[n % len(items)]["title"] = f"Title {value}"
    elif kind == "move" and items:
        entry = items[n % len(items)]
        entry["starts_at"] = f"2027-07-0{1 + value % 2}T{8 + value % 8:02d}:00:00+02:00"
        entry["ends_at"] = f"2027-07-0{1 + value % 2}T{8 + value % 8:02d}:30:00+02:00"
    elif kind == "subset" and items:
        chosen = [p["uuid"] for k, p in enumerate(parts) if value >> k & 1]
        items[n % len(items)]["participants"] = "everyone" if value % 7 == 0 else chosen
    elif kind == "add_item":
        items.append({**item(4), "uuid": u(500 + value), "title": f"Added {value}"})
    elif kind == "delete_item" and items:
        items.pop(n % len(items))
    elif kind == "add_attendee":
        person = u(600 + value)
        if not any(p["uuid"] == person for p in doc["people"]):
            doc["people"].append({"uuid": person, "given_name": "New", "family_name": str(value)})
            parts.append({**attendee(0), "uuid": u(700 + value), "person": person, "travel": []})
    elif kind == "delete_attendee" and parts:
        gone = parts.pop(n % len(parts))["uuid"]
        for entry in items:
            if isinstance(entry["participants"], list) and gone in entry["participants"]:
                entry["participants"].remove(gone)
    elif kind == "journey" and parts:
        legs = parts[n % len(parts)]["travel"]
        if legs:
            legs[0]["number"] = f"N{value}"
        else:
            parent = parts[n % len(parts)]["uuid"]
            legs.append(
                {**journey(0), "uuid": u(100_000 + int(parent[-12:])), "number": f"N{value}"}
            )
    elif kind == "drop_journey" and parts:
        parts[n % len(parts)]["travel"] = []
    elif kind == "person":
        doc["people"][n % len(doc["people"])]["email"] = f"e{value}@example.org"


EDITS = st.tuples(
    st.sampled_from(
        [
            "rename",
            "move",
            "subset",
            "add_item",
            "delete_item",
            "add_attendee",
            "delete_attendee",
            "journey",
            "drop_journey",
            "person",
        ]
    ),
    st.integers(0, 7),
    st.integers(0, 40),
)


def _content(doc: dict[str, Any]) -> dict[str, Any]:
    """A document without metadata and revisions."""

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k != "revision"}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return strip({k: doc[k] for k in package_sections})


package_sections = ("delegation", "organisations", "venues", "people", "participations", "agenda")


def _records(doc: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    out = {("delegation", doc["delegation"]["uuid"]): doc["delegation"]}
    for section in package_sections[1:]:
        for r in doc[section]:
            out[(section, r["uuid"])] = {k: v for k, v in r.items() if k != "travel"}
    for p in doc["participations"]:
        for j in p["travel"]:
            out[("travel", j["uuid"])] = j
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(EDITS, max_size=8), st.lists(EDITS, max_size=8))
def test_random_edits_exchanged_both_ways_converge_and_lose_nothing_unlisted(
    edits_a: list[tuple[Any, ...]], edits_b: list[tuple[Any, ...]]
) -> None:
    base = base_doc()
    a, b = copy.deepcopy(base), copy.deepcopy(base)
    for op in edits_a:
        _edit(a, op)
    for op in edits_b:
        _edit(b, op)
    into_a = merge(base, a, b)  # A imports B's package
    into_b = merge(base, b, a)  # B imports A's package
    # Conflicts are the same in both directions, and decided alike: A's value wins.
    assert sorted(keys(into_a)) == sorted(keys(into_b))
    doc_a = into_a.document(prefer="ours")
    doc_b = into_b.document(prefer="theirs")
    assert _content(doc_a) == _content(doc_b)
    valid(doc_a)
    merged = _records(doc_a)
    survivors = {uuid for section, uuid in merged if section == "participations"}
    conflicts = set(keys(into_a))
    base_records = _records(base)
    for side in (a, b):
        for (section, uuid), record in _records(side).items():
            before = base_records.get((section, uuid))
            after = merged.get((section, uuid))
            if before is None:  # added on this side: kept, but an attendee the other
                # side added too (merged into theirs) and a journey of an attendee deleted
                assert (
                    after is not None
                    or (
                        section == "participations"
                        and any(p["person"] == record["person"] for p in doc_a["participations"])
                    )
                    or (section == "travel" and _parent(side, uuid) not in survivors)
                )
                continue
            if after is None:  # deleted by the other side: only if unchanged here
                parent = f"participations:{_parent(side, uuid)}:*" if section == "travel" else ""
                assert (
                    _unchanged(record, before, side, base)
                    or {f"{section}:{uuid}:*", parent} & conflicts
                    or (section == "travel" and _parent(side, uuid) not in survivors)
                )
                continue
            for key, value in record.items():
                if key in ("revision", "uuid") or value == before.get(key):
                    continue
                if f"{section}:{uuid}:{key}" in conflicts or f"{section}:{uuid}:*" in conflicts:
                    continue
                if key == "participants" and isinstance(value, list):
                    got = after[key]
                    if isinstance(before[key], list) and isinstance(got, list):
                        assert all(
                            v in got for v in value if v not in before[key] and v in survivors
                        )
                        assert all(v not in got for v in before[key] if v not in value)
                        continue
                    if got == "everyone" or isinstance(before[key], str):
                        assert (
                            got == value
                            or [v for v in value if v in survivors] == got
                            or (f"{section}:{uuid}:{key}" in conflicts)
                        )
                        continue
                if key in ("participants", "host_contacts"):
                    continue
                assert after[key] == value, (section, uuid, key)


def _parent(doc: dict[str, Any], journey_uuid: str) -> str:
    return next(
        p["uuid"] for p in doc["participations"] for j in p["travel"] if j["uuid"] == journey_uuid
    )


def _unchanged(
    record: dict[str, Any], before: dict[str, Any], side: dict[str, Any], base: dict[str, Any]
) -> bool:
    """A record as in the base, but for attendees the side deleted leaving its items."""
    deleted = {p["uuid"] for p in base["participations"]} - {
        p["uuid"] for p in side["participations"]
    }
    if isinstance(record.get("participants"), list) and isinstance(before["participants"], list):
        before = {**before, "participants": [p for p in before["participants"] if p not in deleted]}
    return record == before
