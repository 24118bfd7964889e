"""Lists in the order people expect, honest counts, the agenda's cards, legend and
height, the exports page's file name and questions, and the main window's title,
size, help and menu labels."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QSize, Qt, QUrl
from PySide6.QtGui import QColor, QHelpEvent
from PySide6.QtWidgets import QApplication, QMainWindow, QToolTip

from delegations import __version__
from delegations.model import (
    HostConfirmation,
    OrganisationKind,
    ParticipationStatus,
    fold,
)
from delegations.services import delegations, listings, organisations, people
from delegations.services import operations as ops
from delegations.store import Database
from delegations.ui import actions
from delegations.ui.agenda_legend import AgendaLegend
from delegations.ui.agenda_view import MAX_HOUR_PX, MIN_HOUR_PX, Block, hour_range
from delegations.ui.main_window import MainWindow
from delegations.ui.settings import Settings
from delegations.ui.table_models import Column, RowTableModel
from delegations.ui.tables import RecordTable
from ui_support import Answers, open_window


@pytest.fixture
def main_window(qtbot, demo_db: Database, answers: Answers) -> Iterator[MainWindow]:  # type: ignore[no-untyped-def]
    window = open_window(qtbot, demo_db, answers)
    window.open_delegation(window.pages["delegation"].model.id_at(0))
    yield window
    window.close()


def shown(text: str) -> str:
    """A menu text as Qt draws it: "&&" is an "&", a single "&" marks the mnemonic."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def column(page: object, index: int = 0) -> list[str]:
    model = page.model  # type: ignore[attr-defined]
    return [model.row_at(r).cells[index] for r in range(model.rowCount())]


# ------------------------------------------------------------------ sorting


def test_lists_sort_ignoring_case_and_accents(qtbot, db: Database, answers: Answers) -> None:  # type: ignore[no-untyped-def]
    with db.transaction() as s:
        for name in ("Zeta", "Ørestad", "alpha", "Beta"):
            organisations.create(s, name=name, kind=OrganisationKind.OTHER)
        for given, family in (
            ("Ana", "Zoé"),
            ("Jan", "van Dijk"),
            ("Åsa", "Åberg"),
            ("Léa", "Martin"),
        ):
            people.create(s, given_name=given, family_name=family)
        for title, start in (
            ("b visit", date(2027, 5, 1)),
            ("A visit", date(2027, 5, 1)),
            ("Élan visit", date(2027, 5, 1)),
            ("Older visit", date(2026, 1, 1)),
        ):
            delegations.create(
                s, title=title, timezone="Europe/Madrid", start_date=start, end_date=start
            )
    window = open_window(qtbot, db, answers)

    window.show_page("organisations")
    orgs = window.pages["organisation"]
    assert column(orgs) == ["alpha", "Beta", "Ørestad", "Zeta"]
    # A new row is placed by the same order, without re-reading the list.
    created = window.runner.run(
        ops.create("organisation", {"name": "Émile", "kind": OrganisationKind.OTHER})
    )
    assert created is not None
    assert column(orgs) == ["alpha", "Beta", "Émile", "Ørestad", "Zeta"]
    # A renamed row moves to its place too.
    window.runner.run(ops.update("organisation", created.result, {"name": "zz top"}))
    assert column(orgs) == ["alpha", "Beta", "Ørestad", "Zeta", "zz top"]

    window.show_page("people")
    assert column(window.pages["person"]) == ["Åberg", "Martin", "van Dijk", "Zoé"]

    window.show_page("delegations")
    assert column(window.pages["delegation"]) == [
        "A visit",
        "b visit",
        "Élan visit",
        "Older visit",
    ]  # latest start first, then by title

    # Pickers read the same order.
    with db.session() as s:
        labels = [c.label for c in listings.organisation_choices(s)]
        assert labels == ["alpha", "Beta", "Ørestad", "Zeta", "zz top"]
        names = [c.label.split(",")[0] for c in listings.person_choices(s)]
        assert names == ["Åberg", "Martin", "van Dijk", "Zoé"]
    window.close()


def test_a_column_sort_wins_over_the_natural_order(qtbot, db: Database, answers: Answers) -> None:  # type: ignore[no-untyped-def]
    with db.transaction() as s:
        organisations.create(s, name="beta", city="Zaragoza", kind=OrganisationKind.OTHER)
        organisations.create(s, name="Alpha", city="Ávila", kind=OrganisationKind.OTHER)
    window = open_window(qtbot, db, answers)
    window.show_page("organisations")
    page = window.pages["organisation"]
    page.table.sort_by(3, Qt.SortOrder.DescendingOrder)  # City, Z to A
    assert column(page, 3) == ["Zaragoza", "Ávila"]
    window.runner.run(
        ops.create("organisation", {"name": "Gamma", "city": "madrid", "kind": "other"})
    )
    assert column(page, 3) == ["Zaragoza", "madrid", "Ávila"]
    window.close()


def test_attendees_by_family_name_unless_sorted_by_a_column(main_window: MainWindow) -> None:
    workspace = main_window.workspace
    main_window.show_page("attendees")
    page = workspace.attendees
    delegation = workspace.delegation
    assert delegation is not None
    expected = sorted(
        delegation.participations,
        key=lambda p: (fold(p.person.family_name), fold(p.person.given_name), p.id),
    )
    assert [page.model.id_at(r) for r in range(page.model.rowCount())] == [p.id for p in expected]
    page.table.sort_by(3)  # Status
    workspace.reload()
    statuses = column(page, 3)
    assert statuses == sorted(statuses, key=fold)
    assert page.table.horizontalHeader().sortIndicatorSection() == 3


def test_the_model_orders_rows_by_its_natural_key_folded() -> None:
    model = RowTableModel([Column("Name")])
    model.natural = lambda row: (row.values[0], row.id)
    model.set_records([(1, "Zeta"), (2, "Ørestad"), (3, "alpha"), (4, "Éclair")])
    assert [model.row_at(r).cells[0] for r in range(4)] == ["alpha", "Éclair", "Ørestad", "Zeta"]
    model.upsert([(5, "beta"), (2, "ärger")])
    assert [model.row_at(r).cells[0] for r in range(5)] == [
        "alpha",
        "ärger",
        "beta",
        "Éclair",
        "Zeta",
    ]


# ------------------------------------------------------------------ counts


def test_counts_say_confirmed_and_invited_not_attending(main_window: MainWindow) -> None:
    workspace = main_window.workspace
    delegation = workspace.delegation
    assert delegation is not None
    statuses = [p.status for p in delegation.participations]
    confirmed = statuses.count(ParticipationStatus.CONFIRMED)
    invited = statuses.count(ParticipationStatus.INVITED)
    assert invited and len(statuses) > confirmed + invited  # the demo has every case
    expected = f"{confirmed} confirmed, {invited} invited, {len(statuses)} attendees listed"
    assert workspace.attendees.count.text() == expected
    assert expected in workspace.overview.summary.text()
    assert "attending" not in workspace.overview.summary.text()

    guest = next(p for p in delegation.participations if p.status is ParticipationStatus.INVITED)
    main_window.runner.run(
        ops.update_attendees([guest.id], {"status": ParticipationStatus.CONFIRMED})
    )
    assert workspace.attendees.count.text() == (
        f"{confirmed + 1} confirmed, {invited - 1} invited, {len(statuses)} attendees listed"
    )


# ------------------------------------------------------------------ the agenda


def test_agenda_cards_show_the_hosts_answer(qtbot, main_window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    main_window.show_page("agenda")
    agenda = main_window.workspace.agenda
    grid = agenda.grid
    hosted = [b for b in grid.blocks if b.host]
    assert any(b.host_confirmation is HostConfirmation.CONFIRMED for b in hosted)
    confirmed = next(b for b in hosted if b.host_confirmation is HostConfirmation.CONFIRMED)
    assert confirmed.mark() == "✓ confirmed"
    assert f"Host {confirmed.host}: confirmed" in confirmed.tooltip()

    block = next(b for b in grid.ordered() if b.lanes == 1)
    main_window.runner.run(
        ops.update_item(block.id, {"host_confirmation": HostConfirmation.DECLINED})
    )
    block = grid.block(block.id)  # type: ignore[assignment]
    assert block is not None and block.mark() == "✗ declined"
    grid.select(block.id)
    assert "declined" in grid.accessibleDescription()

    # The mark is drawn at the card's top right, in its colour.
    image = grid.grab().toImage()
    rect = grid.rect_for(block).toAlignedRect().adjusted(10, 3, -5, -3)
    red = [
        (x, y)
        for x in range(rect.center().x(), rect.right())
        for y in range(rect.top(), rect.top() + 16)
        if (c := QColor(image.pixel(x, y))).red() > 140 and c.green() < 90 and c.blue() < 90
    ]
    assert red

    # Hovering shows the tooltip with the host's answer.
    centre = grid.rect_for(block).center().toPoint()
    QApplication.sendEvent(grid, QHelpEvent(QEvent.Type.ToolTip, centre, grid.mapToGlobal(centre)))
    assert "declined" in QToolTip.text()
    QToolTip.hideText()

    asked = Block(1, "Visit", "visit", "tentative", block.start, block.end)  # type: ignore[arg-type]
    assert asked.mark() == "" and asked.host_text() == ""
    asked = Block(
        1,
        "Visit",
        "visit",  # type: ignore[arg-type]
        "tentative",  # type: ignore[arg-type]
        block.start,
        block.end,
        host="ICEC",
        host_confirmation=HostConfirmation.REQUESTED,
    )
    assert asked.mark() == "? asked"
    assert "Host ICEC: asked, no answer yet" in asked.describe()
    assert "tentative" in asked.describe()


def test_the_agenda_legend_explains_colours_and_marks(qtbot, main_window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    main_window.show_page("agenda")
    agenda = main_window.workspace.agenda
    legend = agenda.grid.legend
    assert isinstance(legend, AgendaLegend)
    qtbot.waitUntil(legend.isVisible)
    # Under the grid, and compact.
    assert legend.geometry().top() >= agenda.scroller.geometry().bottom()
    assert legend.height() <= 3 * legend._row_height()
    description = legend.accessibleDescription()
    for word in ("dashed", "faded", "✓ confirmed", "? asked", "✗ declined", "Visit", "Meal"):
        assert word in description
    # It wraps onto more lines when narrow, one when wide.
    assert legend.heightForWidth(300) > legend.heightForWidth(3000) == legend._row_height()
    legend.grab()  # paints


def test_the_agenda_uses_the_height_it_has(qtbot, main_window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    assert hour_range([]) == (8, 19)
    # The page was hidden while the window grew: the grid still fits when shown.
    main_window.show_page("attendees")
    main_window.resize(1500, 1000)
    main_window.show_page("agenda")
    agenda = main_window.workspace.agenda
    grid = agenda.grid
    viewport = agenda.scroller.viewport()

    def fits() -> bool:
        hours = grid.last_hour - grid.first_hour
        height = viewport.height()
        content = grid.sizeHint().height()
        if grid.hour_px == MAX_HOUR_PX:
            return content <= height
        if grid.hour_px == MIN_HOUR_PX:
            return content >= height - hours
        # As tall as will fit: one more pixel per hour would not.
        return content <= height < content + hours + 1

    qtbot.waitUntil(fits)
    before = grid.hour_px
    assert before > MIN_HOUR_PX
    assert grid.first_hour <= 8 and grid.last_hour >= 19
    main_window.resize(1500, 1300)
    qtbot.waitUntil(lambda: grid.hour_px > before)
    qtbot.waitUntil(fits)
    # Items' hours, with half an hour of room around them.
    first = min(grid.blocks, key=lambda b: b.start)
    early = Block(
        0,
        "Breakfast",
        "meal",
        "confirmed",
        first.start.replace(hour=7, minute=0),
        first.start.replace(hour=7, minute=45),
    )  # type: ignore[arg-type]
    late = Block(
        0,
        "Concert",
        "networking",
        "confirmed",
        first.start.replace(hour=20, minute=0),
        first.start.replace(hour=21, minute=15),
    )  # type: ignore[arg-type]
    assert hour_range([early, late]) == (6, 22)


# ------------------------------------------------------------------ exports


def test_save_as_follows_the_chosen_document(
    qtbot, main_window: MainWindow, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    page = main_window.workspace.exports
    page.folder = tmp_path
    page.select_kind("badges")
    assert Path(page.file.text()).name.endswith("-badges.pdf")
    page.select_kind("attendance")
    assert Path(page.file.text()).name.endswith("-attendance.pdf")
    # The user's own name for attendance sheets stays theirs.
    page.file.selectAll()
    own = str(tmp_path / "sheets.pdf")
    qtbot.keyClicks(page.file, own)
    page.select_kind("badges")
    assert Path(page.file.text()).name.endswith("-badges.pdf")
    page.select_kind("attendance")
    assert page.file.text() == own
    page.select_kind("rooming")
    page.list_format.setCurrentIndex(page.list_format.findData("csv"))
    assert page.file.text().endswith("-rooming.csv")


def test_exporting_onto_a_file_asks_first(qtbot, main_window: MainWindow, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = main_window.workspace.exports
    page.select_kind("ical")
    target = tmp_path / "calendar.ics"
    target.write_text("mine")
    page.file.setText(str(target))
    asked: list[tuple[str, str]] = []
    page.confirm = lambda title, text: bool(asked.append((title, text)))
    page.start()
    assert page.task is None
    assert "calendar.ics" in asked[0][1]
    assert target.read_text() == "mine"
    assert "Not exported" in page.status.text()

    page.confirm = lambda title, text: True
    with qtbot.waitSignal(page.finished, timeout=60000):
        page.start()
    assert target.read_text().startswith("BEGIN:VCALENDAR")
    qtbot.waitUntil(lambda: page.task is None)

    # No application to open it with: the page says so.
    page.open_url = lambda url: False
    page.open_file_button.click()
    assert "No application could open the file" in page.status.text()
    assert str(target) in page.status.text()
    page.open_folder_button.click()
    assert "No application could open the folder" in page.status.text()
    opened: list[QUrl] = []
    page.open_url = lambda url: opened.append(url) or True
    page.status.setText("")
    page.open_file_button.click()
    assert opened and page.status.text() == ""


# ------------------------------------------------------------------ main window


def test_the_title_names_the_file_once(main_window: MainWindow, demo_db: Database) -> None:
    assert main_window.windowTitle() == demo_db.path.name
    assert main_window.windowFilePath() == str(demo_db.path)
    assert "Delegations" not in main_window.windowTitle()  # Qt adds the application's name


def test_the_window_is_never_restored_larger_than_the_screen(
    qtbot, demo_db: Database, answers: Answers
) -> None:  # type: ignore[no-untyped-def]
    settings = Settings()
    far = QMainWindow()
    far.setGeometry(9000, 9000, 700, 500)
    settings.set_geometry(far.saveGeometry())
    settings.set_window_size(QSize(6000, 4000))
    settings.sync()
    window = open_window(qtbot, demo_db, answers)
    screen = window.screen()
    assert screen is not None
    available = screen.availableGeometry()
    assert window.width() <= available.width() and window.height() <= available.height()
    assert available.contains(window.frameGeometry())
    window.close()


def test_about_shows_the_version_and_a_link_to_the_documentation(
    main_window: MainWindow, answers: Answers
) -> None:
    main_window.show_about()
    title, text = answers.messages[-1]
    assert title == "About Delegations"
    assert __version__ in text
    assert '<a href="file://' in text
    link = text.split('<a href="', 1)[1].split('"', 1)[0]
    readme = Path(QUrl(link).toLocalFile())
    assert readme.name == "README.md" and readme.is_file()


def test_help_lists_the_shortcuts_and_how_to(main_window: MainWindow, answers: Answers) -> None:
    main_window.show_shortcuts()
    _title, text = answers.messages[-1]
    assert text.startswith("<table>")
    for step in ("How to", "Create a delegation", "Add attendees", "Plan the agenda", "Export"):
        assert step in text
    assert actions.hint("show_exports") in text
    assert actions.hint("new_record") in text


def test_an_ampersand_in_undo_shows_as_an_ampersand(main_window: MainWindow) -> None:
    main_window.runner.run(
        ops.create("organisation", {"name": "Paris & Co", "kind": OrganisationKind.COMPANY})
    )
    assert main_window.undo_action.text() == "&Undo add Paris && Co"
    assert shown(main_window.undo_action.text()) == "Undo add Paris & Co"
    main_window.undo_action.trigger()
    assert shown(main_window.redo_action.text()) == "Redo add Paris & Co"
    assert shown(main_window.undo_action.text()).startswith("Undo")


# ------------------------------------------------------------------ columns


def test_columns_share_the_free_space_and_refit_when_rows_arrive(qtbot) -> None:  # type: ignore[no-untyped-def]
    model = RowTableModel([Column("Name"), Column("Role"), Column("Hotel", stretch=True)])
    table = RecordTable(model)
    qtbot.addWidget(table)
    table.resize(900, 300)
    table.show()
    model.set_records([(1, "Ana", "guest", "")])
    table.size_columns()
    widths = [table.columnWidth(c) for c in range(3)]
    assert abs(sum(widths) - table.viewport().width()) <= 1
    narrow = [w for w, _h, _s in table._natural]
    assert all(w > n for w, n in zip(widths, narrow, strict=True))  # each took a share
    assert widths[2] - narrow[2] > widths[1] - narrow[1]  # the stretch column more

    # Longer rows arrive later: the columns are sized to them.
    name_before = table._natural[0][0]
    model.set_records(
        [(1, "Ana", "guest", ""), (2, "Maximiliane Marchetti-Dubois de la Tour", "head", "Hotel")]
    )
    assert table._natural[0][0] > name_before
    assert abs(sum(table.columnWidth(c) for c in range(3)) - table.viewport().width()) <= 1


def test_attendee_columns_fill_the_table(qtbot, main_window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    main_window.resize(1600, 800)
    main_window.show_page("attendees")
    table = main_window.workspace.attendees.table
    count = table.model().columnCount()

    def filled() -> bool:
        total = sum(table.columnWidth(c) for c in range(count))
        return abs(total - table.viewport().width()) <= 1

    qtbot.waitUntil(filled)
    before = [table.columnWidth(c) for c in range(count)]
    main_window.resize(1900, 800)
    qtbot.waitUntil(lambda: filled() and table.columnWidth(0) > before[0])
    assert all(table.columnWidth(c) >= before[c] for c in range(count))
