"""Exchanging packages between two databases merges both people's work (issue 14).

These tests drive real databases and package files, through the command line and the
services; the field-by-field rules themselves are in tests/test_merge.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from delegations.cli import main
from delegations.model import AgendaItem, Delegation
from delegations.services import exchange, package, queries
from delegations.services import operations as ops
from delegations.services.history import History, perform
from delegations.store import Database

WELCOME = "Welcome and cultural-industries policy in Catalonia"


class Laptop:
    """One officer's database."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.db = Database.open(path)

    def run(self, *argv: str) -> int:
        return main(["--db", str(self.path), *argv])

    def delegation(self) -> Delegation:
        with self.db.session() as session:
            return queries.load_delegation(session, queries.list_delegations(session)[0].id)

    def item(self, starts: str) -> AgendaItem:
        return next(i for i in self.delegation().items if i.title.startswith(starts))

    def rename(self, starts: str, title: str) -> None:
        perform(self.db, ops.update_item(self.item(starts).id, {"title": title}))

    def titles(self) -> set[str]:
        return {i.title for i in self.delegation().items}

    def send(self, out: Path) -> Path:
        return exchange.write_package(self.db, self.delegation().id, out)


@pytest.fixture
def laptops(tmp_path: Path, demo_db: Database) -> Iterator[tuple[Laptop, Laptop]]:
    """Laptops A and B, each with its own database started from the same package."""
    first = tmp_path / "first.json"
    origin = Laptop(demo_db.path)
    origin.send(first)
    a, b = Laptop(tmp_path / "a.db"), Laptop(tmp_path / "b.db")
    for laptop in (a, b):
        assert laptop.run("import", "package", str(first)) == 0
    yield a, b
    for laptop in (a, b):
        laptop.db.close()


def test_the_issue_scenario_keeps_both_renames(
    laptops: tuple[Laptop, Laptop], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = laptops
    a.rename("Welcome", "Welcome (edited on laptop A)")
    b.rename("Barcelona Media", "Barcelona Media (edited on laptop B)")
    capsys.readouterr()
    q = b.send(tmp_path / "q.json")
    assert a.run("import", "package", str(q)) == 0
    said = capsys.readouterr().out
    assert "merged: 0 added, 1 changed, 0 removed" in said
    titles = a.titles()
    assert "Welcome (edited on laptop A)" in titles
    assert "Barcelona Media (edited on laptop B)" in titles

    # and back: B receives A's package and converges to the same agenda
    r = a.send(tmp_path / "r.json")
    assert b.run("import", "package", str(r)) == 0
    assert b.titles() == a.titles()


def test_records_added_since_the_exchange_are_kept(
    laptops: tuple[Laptop, Laptop], tmp_path: Path
) -> None:
    a, b = laptops
    added = perform(a.db, ops.duplicate_item(a.item("Welcome").id)).result
    before = len(a.delegation().items)
    removed = next(p for p in a.delegation().participations if p.confirmed)
    b.rename("Welcome", "Welcome (B)")
    q = b.send(tmp_path / "q.json")
    perform(a.db, ops.remove_attendees([removed.id]))
    assert a.run("import", "package", str(q)) == 0
    after = a.delegation()
    assert len(after.items) == before and added in {i.id for i in after.items}
    assert removed.uuid not in {p.uuid for p in after.participations}  # our removal stands
    assert "Welcome (B)" in {i.title for i in after.items}


def test_same_field_on_both_sides_is_refused_until_decided(
    laptops: tuple[Laptop, Laptop], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = laptops
    a.rename("Welcome", "Welcome (A)")
    b.rename("Welcome", "Welcome (B)")
    q = b.send(tmp_path / "q.json")
    capsys.readouterr()
    assert a.run("import", "package", str(q)) == 1
    said = capsys.readouterr()
    assert "1 conflict" in said.err and "--prefer" in said.err
    assert len(said.err.strip().splitlines()) == 1
    assert "Welcome (A)" in said.out and "Welcome (B)" in said.out  # the listing
    assert "Welcome (A)" in a.titles()  # nothing written

    assert a.run("import", "package", str(q), "--dry-run") == 0
    assert "Welcome (A)" in a.titles()
    assert a.run("import", "package", str(q), "--prefer", "ours") == 0
    assert "Welcome (A)" in a.titles()
    # The package is now the base: the same package again changes nothing, and a new
    # rename on B conflicts with A's again, which --prefer theirs settles for B.
    capsys.readouterr()
    assert a.run("import", "package", str(q)) == 0
    assert capsys.readouterr().out.startswith("Nothing to import")
    b.rename("Welcome", "Welcome (B, again)")
    q2 = b.send(tmp_path / "q2.json")
    assert a.run("import", "package", str(q2)) == 1
    assert a.run("import", "package", str(q2), "--prefer", "theirs") == 0
    assert "Welcome (B, again)" in a.titles()


def test_dry_run_prints_what_would_change_and_writes_nothing(
    laptops: tuple[Laptop, Laptop], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = laptops
    b.rename("Welcome", "Welcome (B)")
    q = b.send(tmp_path / "q.json")
    with a.db.session() as session:
        exchanged = len(exchange.exchanges(session, a.delegation().id))
    capsys.readouterr()
    assert a.run("import", "package", str(q), "--dry-run") == 0
    out = capsys.readouterr().out
    assert "Welcome (B)" in out and WELCOME in out
    assert WELCOME in a.titles()
    with a.db.session() as session:
        assert len(exchange.exchanges(session, a.delegation().id)) == exchanged


def test_reimporting_an_unchanged_package_is_clean(
    laptops: tuple[Laptop, Laptop], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = laptops
    q = b.send(tmp_path / "q.json")
    a.rename("Welcome", "Welcome (A)")  # ours moved on: the old package changes nothing
    capsys.readouterr()
    assert a.run("import", "package", str(q)) == 0
    assert capsys.readouterr().out.startswith("Nothing to import")
    assert "Welcome (A)" in a.titles()


def test_an_older_package_replaces_with_a_notice(
    laptops: tuple[Laptop, Laptop], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = laptops
    b.rename("Welcome", "Welcome (B)")
    q = b.send(tmp_path / "q.json")
    document = json.loads(q.read_text())
    del document["exchange"]
    old = tmp_path / "old.json"
    old.write_text(json.dumps(document))
    a.rename("Welcome", "Welcome (A)")
    capsys.readouterr()
    assert a.run("import", "package", str(old)) == 0
    assert "older version" in capsys.readouterr().err
    assert "Welcome (B)" in a.titles()


def test_three_laptops_in_a_ring(tmp_path: Path, demo_db: Database) -> None:
    """A → B → C → A, each started from the same package: every edit reaches everyone."""
    first = Laptop(demo_db.path).send(tmp_path / "first.json")
    a, b, c = (Laptop(tmp_path / f"{name}.db") for name in "abc")
    for laptop in (a, b, c):
        assert laptop.run("import", "package", str(first)) == 0
    a.rename("Welcome", "Welcome (A)")
    b.rename("Barcelona Media", "Barcelona Media (B)")
    c.rename("Kids Cluster", "Kids Cluster (C)")
    assert b.run("import", "package", str(a.send(tmp_path / "ab.json"))) == 0
    assert c.run("import", "package", str(b.send(tmp_path / "bc.json"))) == 0
    assert a.run("import", "package", str(c.send(tmp_path / "ca.json"))) == 0
    titles = a.titles()
    assert {"Welcome (A)", "Barcelona Media (B)", "Kids Cluster (C)"} <= titles
    assert c.titles() == titles
    # A edits again and sends to B: B's base is A's earlier package (ab), no conflict
    a.rename("Welcome (A)", "Welcome (A, again)")
    assert b.run("import", "package", str(a.send(tmp_path / "ab2.json"))) == 0
    assert b.titles() == a.titles()
    for laptop in (a, b, c):
        laptop.db.close()


def test_the_merge_is_one_undo_step_and_raises_sequences(
    laptops: tuple[Laptop, Laptop], tmp_path: Path
) -> None:
    a, b = laptops
    a.rename("Welcome", "Welcome (A)")
    media = b.item("Barcelona Media")
    revision = media.revision or 0
    b.rename("Barcelona Media", "Changed on B")
    q = b.send(tmp_path / "q.json")
    history = History(a.db)
    with a.db.session() as session:
        plan = exchange.plan_import(session, package.read_package(q))
    history.run(exchange.apply_import(plan, name=q.name))
    merged = next(i for i in a.delegation().items if i.uuid == media.uuid)
    assert merged.title == "Changed on B"
    assert (merged.revision or 0) > revision  # calendars see an update
    assert history.undo_label().endswith(f"import {q.name}")
    history.undo()
    titles = a.titles()
    assert "Changed on B" not in titles and "Welcome (A)" in titles
    with a.db.session() as session:  # the package is not remembered either
        assert all(e.package != json.loads(q.read_text())["exchange"]["package"]
                   for e in exchange.exchanges(session, a.delegation().id))  # fmt: skip


def test_an_edit_after_the_preview_is_not_overwritten(
    laptops: tuple[Laptop, Laptop], tmp_path: Path
) -> None:
    a, b = laptops
    b.rename("Welcome", "Welcome (B)")
    q = b.send(tmp_path / "q.json")
    with a.db.session() as session:
        plan = exchange.plan_import(session, package.read_package(q))
    a.rename("Welcome", "Welcome (A, meanwhile)")
    with pytest.raises(exchange.ChangedSincePreview):
        perform(a.db, exchange.apply_import(plan, name=q.name))
    assert "Welcome (A, meanwhile)" in a.titles()


def test_packages_name_what_their_writer_exchanged(
    laptops: tuple[Laptop, Laptop], tmp_path: Path
) -> None:
    a, _ = laptops
    one = json.loads(a.send(tmp_path / "1.json").read_text())["exchange"]
    two = json.loads(a.send(tmp_path / "2.json").read_text())["exchange"]
    assert one["package"] != two["package"] and one["origin"] == two["origin"]
    assert two["known"][0] == two["package"] and one["package"] in two["known"]
    assert len(two["known"]) <= exchange.KNOWN_LIMIT
    with a.db.session() as session:
        assert exchange.database_id(session) == one["origin"]


def test_a_new_delegation_imports_without_a_merge(demo_db: Database, tmp_path: Path) -> None:
    origin = Laptop(demo_db.path)
    path = origin.send(tmp_path / "p.json")
    fresh = Laptop(tmp_path / "fresh.db")
    with fresh.db.session() as session:
        plan = exchange.plan_import(session, package.read_package(path))
    assert plan.merge is None and plan.notice is None and plan.delegation_id is None
    perform(fresh.db, exchange.apply_import(plan, name=path.name))
    assert fresh.titles() == origin.titles()
    fresh.db.close()


def test_a_merge_that_would_end_an_item_before_it_starts_is_refused(
    laptops: tuple[Laptop, Laptop], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each side's times are valid; taken together they are not: nothing is written."""
    from datetime import timedelta

    a, b = laptops
    item = a.item("Welcome")
    hour = timedelta(hours=1)
    perform(a.db, ops.move_item(item.id, item.starts_at + hour, item.ends_at + hour))
    theirs = b.item("Welcome")
    perform(b.db, ops.move_item(theirs.id, theirs.starts_at, theirs.starts_at + hour / 2))
    q = b.send(tmp_path / "q.json")
    before = a.item("Welcome")
    capsys.readouterr()
    assert a.run("import", "package", str(q), "--prefer", "theirs") == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "ends_at" in err and "Traceback" not in err
    after = a.item("Welcome")
    assert (after.starts_at, after.ends_at) == (before.starts_at, before.ends_at)
