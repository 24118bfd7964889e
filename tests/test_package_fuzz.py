"""Mutated demo packages either import, and then every export works, or are refused in one line.

Each example changes the demo package (types of values, missing and unknown
keys, UUID case and trailing characters, huge strings, deep nesting, years 1
and 9999, unknown time zones, halves of surrogate pairs, control characters,
attendees and journeys moved or repeated), writes it to a file and imports it
with the command line into a copy of a database holding the demo. Either the
import succeeds and the exports work, or it exits 1 with exactly one line on
stderr and the database is as it was.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import tempfile
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from delegations import cli
from delegations.resources import resource
from delegations.services import agenda, delegations, organisations, participations, people, venues
from delegations.services.demo import DEMO_PACKAGE
from history_support import dump

DEMO: dict[str, Any] = json.loads(resource(*DEMO_PACKAGE).read_text(encoding="utf-8"))
SURROGATE = "@@surrogate@@"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")
DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

Path_ = tuple[Any, ...]
KINDS = (
    "fill", "fill", "fill", "fill", "retype", "delete", "add key", "uuid", "uuid", "huge",
    "deep", "year", "zone", "zone", "surrogate", "control", "revision", "attendees",
    "attendees", "duplicate", "journey", "journey",
)  # fmt: skip
"""The mutations, those that may well import more often."""
LETTERS = "aZé ßŁΩЖ中文한글😀\u0301\u05d0\u0627·-'’&<>\"\\%{}()"
"""Latin, Greek, Cyrillic, CJK, emoji, a combining accent, Hebrew, Arabic, markup and quotes."""
SERVICES = {
    "delegation": (delegations.LIMITS, delegations.MULTILINE),
    "organisations": (organisations.LIMITS, organisations.MULTILINE),
    "venues": (venues.LIMITS, venues.MULTILINE),
    "people": (people.LIMITS, people.MULTILINE),
    "participations": (participations.LIMITS, participations.MULTILINE),
    "travel": (participations.TRAVEL_LIMITS, frozenset()),
    "agenda": (agenda.LIMITS, agenda.MULTILINE),
}


def _paths(node: Any, path: Path_ = ()) -> list[Path_]:
    found = [path] if path else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _paths(value, (*path, i))
    return found


def _at(doc: Any, path: Path_) -> Any:
    for part in path:
        doc = doc[part]
    return doc


PATHS = _paths(DEMO)
STRINGS = [p for p in PATHS if isinstance(_at(DEMO, p), str)]
UUIDS = [p for p in STRINGS if UUID.match(_at(DEMO, p))]
WHEN = [p for p in STRINGS if DAY.match(_at(DEMO, p))]
ZONES = [p for p in STRINGS if str(p[-1]).endswith("timezone")]


def _limit(path: Path_) -> tuple[int, bool]:
    """The length limit of the text at ``path`` and whether it may hold line breaks."""
    limits, multiline = SERVICES["travel" if "travel" in path else path[0]]
    return limits[path[-1]], path[-1] in multiline


TEXTS = [
    p
    for p in STRINGS
    if p[0] in SERVICES
    and p[-1] in SERVICES["travel" if "travel" in p else p[0]][0]
    and not p[-1].endswith("zone")
]
REVISIONS = [p for p in PATHS if p[-1] == "revision"]
DICTS = [()] + [p for p in PATHS if isinstance(_at(DEMO, p), dict)]

EXPORTS: list[list[str]] = [
    ["itinerary"],
    ["programme"],
    ["badges"],
    ["attendance"],
    ["rooming", "--format", "csv"],
    ["dietary", "--format", "csv"],
    ["passengers", "--format", "csv"],
    ["ical"],
]
REFUSALS = (
    "nobody to print badges for",
    "has no agenda items",
    "the badges cannot show these characters",
)
"""What an export may say instead of writing (a one-line refusal about the content)."""

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(),
    st.text(max_size=12),
    st.sampled_from(["", " ", "everyone", "2027-07-01", "UTC", DEMO["people"][0]["uuid"]]),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=6,
)


def _set(doc: Any, path: Path_, value: Any) -> None:
    with suppress(KeyError, IndexError, TypeError):  # an earlier mutation changed the place
        _at(doc, path[:-1])[path[-1]] = value


def _get(doc: Any, path: Path_) -> Any:
    try:
        return _at(doc, path)
    except (KeyError, IndexError, TypeError):
        return None


def _replace_everywhere(node: Any, old: str, new: str) -> Any:
    if isinstance(node, dict):
        return {k: _replace_everywhere(v, old, new) for k, v in node.items()}
    if isinstance(node, list):
        return [_replace_everywhere(v, old, new) for v in node]
    return new if node == old else node


def _nested(depth: int) -> Any:
    value: Any = "deep"
    for _ in range(depth):
        value = [value]
    return value


def mutate(draw: Callable[..., Any], doc: dict[str, Any]) -> dict[str, Any]:
    kind = draw(st.sampled_from(KINDS))
    if kind == "fill":
        path = draw(st.sampled_from(TEXTS))
        limit, multiline = _limit(path)
        alphabet = st.sampled_from(LETTERS + ("\n" if multiline else ""))
        size = draw(st.sampled_from([limit, 1, limit // 2]))
        _set(doc, path, draw(st.text(alphabet, min_size=size, max_size=size)).strip() or "x")
    elif kind == "retype":
        _set(doc, draw(st.sampled_from(PATHS)), draw(values))
    elif kind == "delete":
        path = draw(st.sampled_from([p for p in PATHS if isinstance(p[-1], str)]))
        parent = _get(doc, path[:-1])
        if isinstance(parent, dict):
            parent.pop(path[-1], None)
    elif kind == "add key":
        parent = _get(doc, draw(st.sampled_from(DICTS)))
        if isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=8))] = draw(values)
    elif kind == "uuid":
        path = draw(st.sampled_from(UUIDS))
        value = _get(doc, path)
        if isinstance(value, str):
            how = draw(st.sampled_from(["upper everywhere", "upper here", "suffix"]))
            if how == "upper everywhere":
                return dict(_replace_everywhere(doc, value, value.upper()))
            if how == "upper here":
                _set(doc, path, value.upper())
            else:
                _set(doc, path, value + draw(st.sampled_from(["\n", " ", "\t", "\u00a0", "0"])))
    elif kind == "huge":
        _set(doc, draw(st.sampled_from(STRINGS)), draw(st.sampled_from(["x", "é", "\n"])) * 100_000)
    elif kind == "deep":
        _set(doc, draw(st.sampled_from(PATHS)), _nested(draw(st.sampled_from([3, 40, 1200]))))
    elif kind == "year":
        path = draw(st.sampled_from(WHEN))
        value = _get(doc, path)
        if isinstance(value, str) and len(value) >= 4:
            year = draw(st.sampled_from(["0001", "9999", "1899", "2201", "1900", "2200", "0000"]))
            _set(doc, path, year + value[4:])
    elif kind == "zone":
        zone = draw(
            st.sampled_from(
                [
                    "localtime", "posix/Europe/Paris", "right/UTC", "Factory", "Europe",
                    "Europe/", "../etc/passwd", "UTC", "Pacific/Kiritimati", "Etc/GMT+12",
                    "America/Port-au-Prince", "Europe/Madrid\n", "",
                ]
            )
        )  # fmt: skip
        _set(doc, draw(st.sampled_from(ZONES)), zone)
    elif kind == "surrogate":
        path = draw(st.sampled_from(STRINGS))
        value = _get(doc, path)
        if isinstance(value, str):
            _set(doc, path, value + SURROGATE)
    elif kind == "control":
        path = draw(st.sampled_from(STRINGS))
        value = _get(doc, path)
        if isinstance(value, str):
            char = draw(st.sampled_from(["\n", "\t", "\x00", "\x1b", "\x85", "\r", "\u2028"]))
            at = draw(st.integers(0, len(value)))
            _set(doc, path, value[:at] + char + value[at:])
    elif kind == "revision":
        revision = draw(st.sampled_from([2**31 - 1, 2**31, 2**63 - 1, 1e308, 2.0, True, -1, 7]))
        _set(doc, draw(st.sampled_from(REVISIONS)), revision)
    elif kind == "attendees":
        entries = doc.get("participations")
        if isinstance(entries, list) and len(entries) >= 2:
            i, j = draw(st.permutations(range(len(entries))))[:2]
            if isinstance(entries[i], dict) and isinstance(entries[j], dict):
                if draw(st.booleans()):
                    entries[i]["person"], entries[j]["person"] = (
                        entries[j].get("person"),
                        entries[i].get("person"),
                    )
                else:
                    entries[i]["travel"], entries[j]["travel"] = (
                        entries[j].get("travel", []),
                        entries[i].get("travel", []),
                    )
    elif kind == "duplicate":
        section = draw(st.sampled_from(["people", "participations", "agenda", "organisations"]))
        entries = doc.get(section)
        if isinstance(entries, list) and entries:
            twin = copy.deepcopy(draw(st.sampled_from(entries)))
            if isinstance(twin, dict) and isinstance(twin.get("uuid"), str) and draw(st.booleans()):
                twin["uuid"] = twin["uuid"].upper()
            entries.append(twin)
    elif kind == "journey":
        path = draw(st.sampled_from([p for p in UUIDS if "travel" in p]))
        how = draw(st.sampled_from(["new uuid", "flip direction", "drop"]))
        if how == "new uuid":
            _set(doc, path, "0badf00d-0000-4000-8000-00000000000" + str(len(path) % 10))
        elif how == "flip direction":
            leg = _get(doc, path[:-1])
            if isinstance(leg, dict):
                leg["direction"] = {"arrival": "departure"}.get(leg.get("direction"), "arrival")
        else:
            legs = _get(doc, path[:-2])
            if isinstance(legs, list) and legs:
                legs.pop()
    return doc


OLDER_NOTICE = (
    "This package was written by an older version of Delegations, without what a merge "
    "needs: importing it replaces the delegation here with the package's version; edits "
    "made here since are not kept."
)


@st.composite
def packages(draw: Callable[..., Any]) -> bytes:
    doc = copy.deepcopy(DEMO)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        doc = mutate(draw, doc)
    text = json.dumps(doc, ensure_ascii=draw(st.booleans()))
    text = text.replace(SURROGATE, draw(st.sampled_from(["\\ud800", "\\udfff", "\\ud83d"])))
    if draw(st.sampled_from(range(20))) == 7:  # now and then, a file cut short
        text = text[: draw(st.integers(0, len(text)))]
    return text.encode("utf-8", "surrogatepass")


@settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(content=packages(), exports=st.lists(st.sampled_from(EXPORTS), max_size=2, unique_by=str))
def test_a_mutated_package_imports_and_exports_or_is_refused_in_one_line(
    demo_db_template: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    content: bytes,
    exports: list[list[str]],
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        monkeypatch.setenv("XDG_DATA_HOME", str(work / "data"))  # where a crash would be logged
        db = work / "demo.db"
        shutil.copyfile(demo_db_template, db)
        before = dump(db)
        package = work / "package.json"
        package.write_bytes(content)

        capsys.readouterr()
        code = cli.main(["--db", str(db), "import", "package", str(package)])
        out, err = capsys.readouterr()
        if code != 0:
            section = re.split(r"[.:\[]", err.removeprefix("delegations: error: "))[0]
            event(f"refused: {section[:20]}")
            assert code == 1, err
            assert err.startswith("delegations: error: ") and err.count("\n") == 1, err[:2000]
            assert "Unexpected" not in err and "could not be saved" not in err, err[:2000]
            assert dump(db) == before
            return
        # A package without exchange data replaces the delegation here: said in one line.
        assert err in ("", f"delegations: warning: {OLDER_NOTICE}\n"), err[:2000]
        event("imported")
        found = re.search(r"\(id (\d+)\)", out)
        assert found, out
        for kind, *options in exports:
            target = work / f"out-{kind}"
            argv = ["--db", str(db), "export", kind, found.group(1), "--out", str(target)]
            code = cli.main([*argv, *options])
            out, err = capsys.readouterr()
            if code != 0 and err.count("\n") == 1 and any(r in err for r in REFUSALS):
                continue
            assert (code, err) == (0, ""), f"export {kind} failed: {err[:2000]}"
            assert target.stat().st_size > 0
