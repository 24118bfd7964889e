"""Spreadsheet imports of people and attendees, without Qt: mapping, preview, matching,
all-or-nothing writing, undo, saved mappings and the export round trip."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from delegations.model import ParticipationStatus, Person, Role, TravelDirection
from delegations.services import queries
from delegations.services.errors import NotFound, ValidationError
from delegations.services.history import History, StorageError, perform
from delegations.services.spreadsheets import mapping as mappings
from delegations.services.spreadsheets import people_export, preview
from delegations.services.spreadsheets import values as read
from delegations.services.spreadsheets.mapping import ColumnMap, guess
from delegations.services.spreadsheets.people_import import ImportRefused, import_people
from delegations.services.spreadsheets.preview import Action, OnMatch, Options, split_name
from delegations.services.spreadsheets.reading import read_table
from delegations.services.spreadsheets.table import Row, SheetError, Source, Table
from delegations.store import Database
from history_support import dump


def table(header: list[str], *rows: list[Any], name: str = "people.csv") -> Table:
    source = Source(Path(name), "csv", ("",), "utf-8", "utf-8", ",")
    return Table(source, "", tuple(header), [Row(i + 2, tuple(r)) for i, r in enumerate(rows)])


def demo_id(db: Database) -> int:
    with db.session() as session:
        return queries.list_delegations(session)[0].id


def build(db: Database, t: Table, m: ColumnMap | None = None, **options: Any) -> preview.Preview:
    with db.session() as session:
        return preview.build(session, t, m or guess(t.header), Options(**options))


def people_count(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count(Person.id))) or 0


# ------------------------------------------------------------------ guessing


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            ["Prénom", "Nom", "Courriel", "Structure", "Régime alimentaire", "Téléphone"],
            ["given_name", "family_name", "email", "organisation", "dietary_needs", "phone"],
        ),
        (
            ["Nombre", "Apellido", "Correo", "Empresa", "Cargo", "Idiomas"],
            ["given_name", "family_name", "email", "organisation", "job_title", "languages"],
        ),
        (
            ["First Name", "Last Name", "E-mail", "Organisation", "Dietary requirements"],
            ["given_name", "family_name", "email", "organisation", "dietary_needs"],
        ),
        (["Full name", "Email address", "Company"], ["full_name", "email", "organisation"]),
        (
            ["NOM", "PRENOM", "Adresse e-mail professionnelle", "Nom de l'organisation"],
            ["family_name", "given_name", "email", "organisation"],
        ),
        (
            ["Date d'arrivée", "Heure d'arrivée", "Vol aller", "Date de retour", "Vol retour"],
            [
                "arrival.arrives_at",
                "arrival.arrives_time",
                "arrival.number",
                "departure.departs_at",
                "departure.number",
            ],
        ),
        (
            ["Nombre y apellidos", "Correo electrónico", "Fecha de llegada", "Hora de salida"],
            ["full_name", "email", "arrival.arrives_at", "departure.departs_time"],
        ),
    ],
)
def test_the_mapping_is_guessed_from_headers_in_three_languages(
    header: list[str], expected: list[str]
) -> None:
    guessed = guess(header)
    assert [guessed.field_for(h) for h in header] == expected


def test_an_unknown_header_is_ignored_and_a_field_goes_to_its_first_column() -> None:
    # "Title" on a registration form is Mr or Ms, not a job title.
    guessed = guess(["E-mail", "Courriel", "Favourite colour", "Title"])
    assert guessed.columns == {"E-mail": "email"}


@pytest.mark.parametrize(
    ("full", "given", "family"),
    [
        ("Julien Caron", "Julien", "Caron"),
        ("Caron, Julien", "Julien", "Caron"),
        ("CARON Julien", "Julien", "CARON"),
        ("Ludwig van Beethoven", "Ludwig", "van Beethoven"),
        ("Hélène Marchetti-Dubois de la Tour", "Hélène Marchetti-Dubois", "de la Tour"),
        ("Jean-Marie  LE  PEN", "Jean-Marie", "LE PEN"),
        ("Madonna", "", "Madonna"),
    ],
)
def test_a_full_name_is_split_into_given_and_family_name(
    full: str, given: str, family: str
) -> None:
    assert split_name(full) == (given, family)


# ------------------------------------------------------------------ values


@pytest.mark.parametrize(
    ("cell", "local"),
    [
        ("01/07/2027 10:30", datetime(2027, 7, 1, 10, 30)),
        ("1/7/27 9h", datetime(2027, 7, 1, 9, 0)),
        ("2027-07-01T10:30", datetime(2027, 7, 1, 10, 30)),
        ("1 juil. 2027 10h30", datetime(2027, 7, 1, 10, 30)),
        ("jeudi 1er juillet 2027 à 10:30", datetime(2027, 7, 1, 10, 30)),
        ("1 de julio de 2027 a las 10:30", datetime(2027, 7, 1, 10, 30)),
        ("July 1, 2027 2:30 pm", datetime(2027, 7, 1, 14, 30)),
        (46569.4375, datetime(2027, 7, 1, 10, 30)),
        ("46569.4375", datetime(2027, 7, 1, 10, 30)),
        (datetime(2027, 7, 1, 10, 30), datetime(2027, 7, 1, 10, 30)),
    ],
)
def test_dates_and_times_read_as_people_type_them(cell: Any, local: datetime) -> None:
    moment = read.moment(cell, "Europe/Madrid")
    assert moment is not None
    assert moment.replace(tzinfo=None) == local
    assert str(moment.tzinfo) == "Europe/Madrid"


def test_a_date_can_read_month_first_and_a_date_alone_has_no_time() -> None:
    assert read.day("12/31/2027", read.DateOrder.MONTH_FIRST) == date(2027, 12, 31)
    with pytest.raises(read.CellProblem, match="choose month first"):
        read.day("12/31/2027")
    with pytest.raises(read.CellProblem, match="no time of day"):
        read.moment("1 juil. 2027", "Europe/Madrid")
    assert read.moment("1 juil. 2027", "Europe/Madrid", at=read.clock("10h30")) == datetime(
        2027, 7, 1, 10, 30, tzinfo=read.ZoneInfo("Europe/Madrid")
    )
    with pytest.raises(read.CellProblem, match="not a date in the calendar"):
        read.day("31/02/2027")


# ------------------------------------------------------------------ the preview


def test_the_preview_marks_new_people_updates_with_old_and_new_values_and_errors(
    demo_db: Database,
) -> None:
    t = table(
        ["Prénom", "Nom", "Courriel", "Structure", "Régime alimentaire"],
        ["Maria", "García", "maria.garcia@example.org", "Kids Cluster", "vegetarian"],
        ["Sophie", "Delacroix", "SOPHIE.DELACROIX@lillemetropole.example", "MEL", "halal"],
        ["Ana", "López", "maria@", "", ""],
        ["", "", "", "Nowhere", ""],
    )
    shown = build(demo_db, t)
    new, update, bad_mail, no_name = shown.rows
    assert new.action is Action.NEW and new.match is None
    assert update.action is Action.UPDATE
    assert update.match is not None and update.match.by == "e-mail"
    assert update.match.name == "Sophie Delacroix"
    assert [str(c) for c in update.changes] == ["Dietary needs: Vegetarian → halal"]
    assert bad_mail.action is Action.ERROR
    assert [str(p) for p in bad_mail.problems] == [
        "row 4, Courriel: 'maria@' is not an e-mail address"
    ]
    assert no_name.action is Action.ERROR
    assert {p.column for p in no_name.problems} == {"Prénom", "Nom"}
    assert shown.counts.new == 1 and shown.counts.update == 1 and shown.counts.error == 2
    assert shown.new_organisations == []  # Kids Cluster exists; the error row's does not count


def test_a_match_by_name_and_organisation_ignores_case_and_accents(demo_db: Database) -> None:
    t = table(
        ["Given name", "Family name", "Organisation"],
        ["zoe", "LEFEVRE", "maisons de mode"],
        ["Zoé", "Lefèvre", "Another house"],
    )
    same, other = build(demo_db, t).rows
    assert same.match is not None and same.match.by == "name and organisation"
    assert same.action is Action.UNCHANGED
    assert other.match is None and other.action is Action.NEW
    assert build(demo_db, t).new_organisations == ["Another house"]


def test_each_match_can_be_updated_skipped_or_created_one_by_one_or_all(
    demo_db: Database,
) -> None:
    t = table(
        ["Full name", "E-mail", "Phone"],
        ["Julien Caron", "julien.caron@interpretes.example", "+33 6 00 00 00 01"],
        ["Thomas Leroy", "t.leroy@grand-lille.cci.example", "+33 6 00 00 00 02"],
    )
    assert [r.action for r in build(demo_db, t).rows] == [Action.UPDATE, Action.UPDATE]
    assert [r.action for r in build(demo_db, t, on_match=OnMatch.SKIP).rows] == [
        Action.SKIP,
        Action.SKIP,
    ]
    chosen = build(demo_db, t, decisions={2: OnMatch.CREATE, 3: OnMatch.SKIP}).rows
    assert [r.action for r in chosen] == [Action.NEW, Action.SKIP]


def test_two_rows_for_one_person_are_an_error_on_the_second(demo_db: Database) -> None:
    t = table(
        ["Given name", "Family name", "E-mail"],
        ["Maria", "García", "mg@example.org"],
        ["María", "Garcia", "MG@example.org"],
    )
    first, second = build(demo_db, t).rows
    assert first.action is Action.NEW
    assert [str(p) for p in second.problems] == [
        "row 3, E-mail: the same person as row 2; keep one of the rows"
    ]


def test_bad_cells_name_their_row_and_column(demo_db: Database) -> None:
    t = table(
        ["Full name", "Role", "Status", "Check-in", "Check-out", "Consent", "Notes"],
        ["A B", "boss", "maybe", "32/07/2027", "01/07/2027", "perhaps", "x" * 6000],
        ["C D", "Chef de délégation", "Confirmé", "01/07/2027", "30/06/2027", "oui", ""],
    )
    first, second = build(demo_db, t, delegation_id=demo_id(demo_db)).rows
    messages = {p.column: p.message for p in first.problems}
    assert set(messages) == {"Role", "Status", "Check-in", "Consent", "Notes"}
    assert "not a known role" in messages["Role"]
    assert "is 6,000 characters long" in messages["Notes"]
    assert [p.column for p in second.problems] == ["Check-out"]
    assert "not after checking in" in second.problems[0].message


def test_columns_for_attendance_are_ignored_without_a_delegation(demo_db: Database) -> None:
    t = table(["Full name", "Role"], ["A B", "boss"])
    shown = build(demo_db, t)
    assert not shown.blocking and shown.notices == [
        "Ignored without a delegation: Role (attendance, hotel and travel belong to a "
        "delegation; choose one to import them)."
    ]
    assert [r.action for r in shown.rows] == [Action.NEW]  # "boss" is not read at all
    assert "names" in build(demo_db, table(["E-mail"], ["a@b.org"])).blocking[0]


def test_journeys_are_read_in_each_ends_zone_and_incomplete_ones_are_left_out(
    demo_db: Database,
) -> None:
    t = table(
        [
            "Full name", "Arrival from", "Arrival from time zone", "Arrival departs",
            "Arrival date", "Arrival time", "Vol aller", "Departure flight",
        ],
        ["Maria Garcia", "London", "Europe/London", "01/07/2027 08:00", "01/07/2027", "11:15",
         "BA 478", "BA 479"],
    )  # fmt: skip
    shown = build(demo_db, t, delegation_id=demo_id(demo_db))
    (row,) = shown.rows
    assert row.action is Action.NEW and row.attendee == "add"
    leg = row.legs[TravelDirection.ARRIVAL]
    assert leg["departs_at"].astimezone(UTC) == datetime(2027, 7, 1, 7, 0, tzinfo=UTC)
    assert leg["arrives_at"].astimezone(UTC) == datetime(2027, 7, 1, 9, 15, tzinfo=UTC)
    assert leg["destination"] == "Barcelona" and leg["number"] == "BA 478"
    assert TravelDirection.DEPARTURE not in row.legs
    assert [p.column for p in row.warnings] == ["Departure"]
    assert "Departure to" in row.warnings[0].message


def test_an_arrival_before_its_departure_is_an_error_on_the_arrival_column(
    demo_db: Database,
) -> None:
    t = table(
        ["Full name", "Arrival from", "Arrival departs", "Arrival arrives"],
        ["Maria Garcia", "Paris", "01/07/2027 10:00", "01/07/2027 09:00"],
    )
    (row,) = build(demo_db, t, delegation_id=demo_id(demo_db)).rows
    assert row.action is Action.ERROR
    assert [p.column for p in row.problems] == ["Arrival arrives"]


# ------------------------------------------------------------------ writing


def test_an_import_is_one_undoable_step(demo_db: Database) -> None:
    before = dump(demo_db.path)
    history = History(demo_db)
    t = table(
        ["Full name", "E-mail", "Organisation", "Role", "Status"],
        ["Maria Garcia", "mg@example.org", "New Cluster", "Delegate", "Confirmed"],
        ["Sophie Delacroix", "sophie.delacroix@lillemetropole.example", "MEL", "Head", "Confirmed"],
        ["Julien Caron", "julien.caron@interpretes.example", "", "Interpreter", "Confirmed"],
    )
    options = Options(delegation_id=demo_id(demo_db))
    outcome = history.run(import_people(t, guess(t.header), options))
    result = outcome.result
    assert (result.created, result.updated, result.organisations_created) == (1, 1, 1)
    assert result.attendees_added == 1 and result.attendees_updated == 1
    assert history.undo_label() == "import 3 rows from people.csv"
    with demo_db.session() as session:
        maria = session.scalars(select(Person).where(Person.email == "mg@example.org")).one()
        assert maria.organisation is not None and maria.organisation.name == "New Cluster"
        (part,) = maria.participations
        assert part.status is ParticipationStatus.CONFIRMED and part.role is Role.DELEGATE
        sophie = session.scalars(select(Person).where(Person.family_name == "Delacroix")).one()
        assert sophie.participations[0].role is Role.HEAD
    assert outcome.changes.created.get("person") == {result.person_ids[0]}
    after = dump(demo_db.path)
    history.undo()
    assert dump(demo_db.path) == before
    history.redo()
    assert dump(demo_db.path) == after


def test_rows_with_errors_stop_the_whole_import_unless_left_out(demo_db: Database) -> None:
    t = table(
        ["Full name", "E-mail"],
        ["Maria Garcia", "mg@example.org"],
        ["Ana Lopez", "maria@"],
    )
    before = dump(demo_db.path)
    with pytest.raises(ImportRefused, match=r"1 row of 2 has errors.*row 3, E-mail"):
        perform(demo_db, import_people(t, guess(t.header)))
    assert dump(demo_db.path) == before
    result = perform(demo_db, import_people(t, guess(t.header), skip_errors=True)).result
    assert (result.created, result.left_out) == (1, 1)


def test_a_failure_midway_leaves_nothing_written(demo_db: Database) -> None:
    t = table(
        ["Full name", "E-mail", "Organisation", "Role", "Arrival from", "Arrival departs",
         "Arrival arrives"],
        *[[f"Person {i} Test", f"p{i}@example.org", f"Org {i % 3}", "Delegate", "Paris",
           "01/07/2027 07:00", "01/07/2027 09:00"] for i in range(50)],
    )  # fmt: skip
    # The disk fails while the 30th journey is written, after the people, organisations
    # and attendees are in.
    with sqlite3.connect(demo_db.path) as con:
        con.execute(
            "CREATE TRIGGER fail BEFORE INSERT ON travel_leg "
            "WHEN (SELECT count(*) FROM travel_leg) >= 29 + "
            "(SELECT count(*) FROM travel_leg WHERE participation_id < 12) "
            "BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END"
        )
    before = dump(demo_db.path)
    operation = import_people(t, guess(t.header), Options(delegation_id=demo_id(demo_db)))
    with pytest.raises(StorageError, match="Nothing was changed"):
        perform(demo_db, operation)
    assert dump(demo_db.path) == before


def test_an_import_refuses_when_the_people_changed_since_the_preview(demo_db: Database) -> None:
    t = table(["Full name", "E-mail"], ["Maria Garcia", "mg@example.org"])
    shown = build(demo_db, t)
    perform(demo_db, import_people(t, guess(t.header)))
    count = people_count(demo_db)
    with pytest.raises(ImportRefused, match="changed since the preview"):
        perform(demo_db, import_people(t, guess(t.header), expect=shown.counts))
    assert people_count(demo_db) == count


def test_a_cancelled_import_writes_nothing(demo_db: Database) -> None:
    t = table(["Full name"], *[[f"Person {i} Test"] for i in range(1200)])
    before = dump(demo_db.path)
    seen: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> bool:
        seen.append((done, total))
        return done < 1500

    with pytest.raises(preview.Cancelled):
        perform(demo_db, import_people(t, guess(t.header), progress=progress))
    assert dump(demo_db.path) == before
    assert seen[0] == (0, 2400) and max(d for d, _ in seen) >= 1500


# ------------------------------------------------------------------ saved mappings


def test_a_mapping_is_saved_by_name_and_reused(demo_db: Database, tmp_path: Path) -> None:
    chosen = ColumnMap({"Mél": "email", "Qui": "full_name"}, read.DateOrder.MONTH_FIRST)
    with demo_db.session() as session:
        mappings.save(session, "  Partner form ", chosen)
        session.commit()
    with demo_db.session() as session:
        assert mappings.saved_names(session) == ["Partner form"]
        assert mappings.load(session, "Partner form") == chosen
        with pytest.raises(NotFound, match="Saved mappings: Partner form"):
            mappings.load(session, "Other")
        path = tmp_path / "form.json"
        path.write_text(chosen.as_json(), encoding="utf-8")
        assert mappings.resolve(session, str(path)) == chosen
        path.write_text('{"columns": {"A": "nonsense"}}', encoding="utf-8")
        with pytest.raises(ValidationError, match="not a field"):
            mappings.resolve(session, str(path))
        with pytest.raises(ValidationError, match="needs a name"):
            mappings.save(session, "  ", chosen)


# ------------------------------------------------------------------ round trip


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export_edit_and_import_updates_the_same_people(
    demo_db: Database, tmp_path: Path, suffix: str
) -> None:
    demo = demo_id(demo_db)
    target = tmp_path / f"attendees{suffix}"
    with demo_db.session() as session:
        people_export.export_people(session, target, demo)
    exported = read_table(target)
    guessed = guess(exported.header)
    assert len(guessed.columns) == len(exported.header)  # every column maps itself back
    unchanged = build(demo_db, exported, guessed, delegation_id=demo)
    assert {r.action for r in unchanged.rows} == {Action.UNCHANGED}, [
        (r.number, [str(c) for c in r.changes], [str(p) for p in r.problems])
        for r in unchanged.rows
        if r.action is not Action.UNCHANGED
    ]
    # Edit as a person would: a new diet, a changed e-mail (the ID still matches).
    header = list(exported.header)
    rows = [list(r.cells) + [None] * (len(header) - len(r.cells)) for r in exported.rows]
    rows[0][header.index("Dietary needs")] = "no pork"
    rows[1][header.index("E-mail")] = "new.address@example.org"
    edited = Table(exported.source, exported.sheet, exported.header, [
        Row(r.number, tuple(cells)) for r, cells in zip(exported.rows, rows, strict=True)
    ])  # fmt: skip
    count = people_count(demo_db)
    result = perform(demo_db, import_people(edited, guessed, Options(delegation_id=demo))).result
    assert (result.created, result.updated) == (0, 2)
    assert people_count(demo_db) == count


# ------------------------------------------------------------------ any input

_HEADERS = [
    "Full name", "Prénom", "Nom", "E-mail", "Organisation", "Phone", "Consent", "Role",
    "Status", "Check-in", "Check-out", "Arrival from", "Arrival from time zone",
    "Arrival departs", "Arrival arrives", "Arrival time", "Departure to",
    "Departure departs", "Departure arrives", "Departure to time zone", "Person ID", "Notes",
]  # fmt: skip
_VALID = st.sampled_from(
    ["01/07/2027 10:30", "02/07/2027 18:00", "30/06/2027", "03/07/2027", "Europe/London",
     "Paris", "Delegate", "Confirmed", "no", "mg@example.org", "+33 6 00 00 00 00"]
)  # fmt: skip
_CELLS = st.one_of(
    st.none(),
    st.none(),
    _VALID,
    _VALID,
    st.text(max_size=30),
    st.sampled_from(
        ["01/07/2027 10:30", "31/02/2027", "1 juil. 2027", "yes", "Head", "Confirmé",
         "Europe/Paris", "Mars/Olympus", "a@b.co", "maria@", "10h30", "25:99", "46569.5",
         "0", "-1", "1e308", "9999999", "=1+1", "'+33 6", "Ludwig van Beethoven", "\x00",
         "2027-07-01T10:30+25:00", "00000000-0000-0000-0000-000000000000", "x" * 400]
    ),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.booleans(),
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)),
    st.dates(),
)  # fmt: skip


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    header=st.lists(st.sampled_from(_HEADERS[1:]), max_size=8, unique=True),
    names=st.lists(
        st.sampled_from(["Maria Garcia", "Zoé Lefèvre", "Julien Caron", "CARON Julien", ""])
        | st.text(max_size=20),
        min_size=1,
        max_size=6,
    ),
    cells=st.lists(st.lists(_CELLS, max_size=9), min_size=6, max_size=6),
)
def test_any_cells_preview_and_import_or_refuse_but_never_crash(
    demo_db: Database, header: list[str], names: list[str], cells: list[list[Any]]
) -> None:
    t = table(["Full name", *header], *([n, *c] for n, c in zip(names, cells, strict=False)))
    options = Options(delegation_id=demo_id(demo_db))
    shown = build(demo_db, t, **{"delegation_id": options.delegation_id})
    assert len(shown.rows) == (0 if shown.blocking else len(names))
    try:
        result = perform(demo_db, import_people(t, guess(t.header), options, skip_errors=True))
        event(f"imported {min(result.result.created + result.result.updated, 2)}+")
    except ImportRefused:
        event("refused")  # nothing valid to import, or no name column


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    header=st.lists(st.sampled_from(_HEADERS[1:]), max_size=10, unique=True),
    cells=st.lists(st.lists(st.none() | _VALID, min_size=10, max_size=10), min_size=1, max_size=5),
)
def test_plausible_rows_that_preview_as_valid_are_written_as_shown(
    demo_db: Database, header: list[str], cells: list[list[Any]]
) -> None:
    names = ["Maria Garcia", "Jean Dupont", "Pilar Ortega", "Paul Martin", "Ana Lopez"]
    t = table(["Full name", *header], *([n, *c] for n, c in zip(names, cells, strict=False)))
    options = Options(delegation_id=demo_id(demo_db))
    shown = build(demo_db, t, delegation_id=options.delegation_id)
    try:
        outcome = perform(demo_db, import_people(t, guess(t.header), options, skip_errors=True))
    except ImportRefused:
        assert shown.writes == 0
        event("refused")
        return
    event("imported")
    assert outcome.result.created == shown.counts.new
    assert outcome.result.updated == shown.counts.update


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.binary(max_size=400)
    | st.lists(
        st.text(st.characters(exclude_categories=("Cs",)), max_size=40), min_size=1, max_size=8
    ).map(lambda lines: "\n".join(["Nom;Prénom;Courriel;Date d'arrivée", *lines]).encode()),
)
def test_any_bytes_either_preview_or_say_what_is_wrong(
    demo_db: Database, tmp_path: Path, data: bytes
) -> None:
    path = tmp_path / "any.csv"
    path.write_bytes(data)
    try:
        t = read_table(path)
    except SheetError as exc:
        assert str(exc)
        return
    shown = build(demo_db, t, delegation_id=demo_id(demo_db))
    assert all(r.action is not Action.ERROR or r.problems for r in shown.rows)
