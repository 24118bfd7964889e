"""Where a person is named in the free text of other records: one matcher, shared by the
erasure (which replaces what it finds by "[erased]") and subject access (which lists it).

``person_forms`` gathers what names a person:

* ``strong`` forms, found anywhere: the full name, "Family, Given", the e-mail, the
  phone (also written with other spacing: ``phone_digits``), and the badge names of
  their participations that have two words or more;
* ``weak`` forms, found only in the delegations the person is part of (attendee, lead
  officer or host contact): the given name, the family name, a one-word badge name and
  what a badge name adds to the given name ("Marchetti-Dubois" when the badge reads
  "Hélène Marchetti-Dubois").

``Matcher`` finds them ignoring case and accents ("Zoe Lefevre" names Zoé Lefèvre; the
app's ``fold``, one character at a time, so the original text is replaced at the right
place even where folding changes a length: "ß" is "ss"), as whole words: a hyphen or
an apostrophe between letters is inside a word, so erasing Lefèvre leaves
"Lefèvre-Smith" and "O'Lefèvre", and erasing Zoé leaves "Zoétrope". A French elision
("d'Hélène", "qu'Hélène") and an English possessive ("Hélène's") still name the person.

A name part (a ``weak`` form) is left where it is part of ANOTHER person's full name
written in the same text ("Given Family", "Family, Given", a badge name of two words or
more: ``OtherNames``): erasing Camille Martin leaves "Grégoire Martin", erasing Laia
Ferrer leaves "Jordi Soler i Ferrer". A place named like a person ("Montserrat") cannot
be told apart: ``found_words`` lists what would be replaced, word by word, for the
erasure's confirmation. An anonymised person ("Erased" "person #12") has no name forms
(their label is no name), and nothing is ever found inside "[erased]".

``text_mentions`` walks ``FREE_TEXT`` of every record but the person's own (their
person record, participations and journeys: the erasure clears or deletes those, and
subject access lists them in full) and returns each field that names them.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from delegations.model import (
    AgendaItem,
    Delegation,
    Participation,
    Person,
    TravelLeg,
    fold,
    item_host_contacts,
)
from delegations.services.errors import NotFound

REPLACEMENT = "[erased]"
"""What replaces a form found (``erasure.ERASED``)."""

FREE_TEXT: dict[type[Any], tuple[str, ...]] = {
    Delegation: ("objectives", "emergency_contacts", "notes"),
    AgendaItem: ("title", "description"),
    Participation: ("badge_name", "room_sharing", "room_notes", "notes"),
    TravelLeg: ("notes",),
    Person: ("job_title", "notes"),
}
"""Text the officer types, where a person's name, e-mail or phone may be copied."""

MIN_STRONG = 3
MIN_WEAK = 2

_JOINERS = "\\-'\u2019\u2010\u2011"
"""Characters that join two letters into one word: hyphens and apostrophes."""
_APOSTROPHES = "'\u2019"
_ELISIONS = ("c", "d", "j", "l", "m", "n", "s", "t", "qu", "jusqu", "lorsqu", "puisqu")

# A form starts a word: no letter or digit just before it, nor one joined to it by a
# hyphen or apostrophe (unless that is a French elision: "d'Hélène").
_BEFORE = (
    rf"(?:(?<!\w)(?<!\w[{_JOINERS}])"
    + "".join(rf"|(?<=\b{e}[{_APOSTROPHES}])" for e in _ELISIONS)
    + ")"
)
# A form ends a word: no letter or digit just after it, nor one joined to it (unless
# that is an English possessive: "Hélène's").
_END = rf"(?!\w)(?![{_JOINERS}]\w)"
_AFTER = rf"(?:{_END}|(?=[{_APOSTROPHES}]s{_END}))"


_SEPARATOR = r"(?:[^\S\r\n]|[.\-/()])"
PHONE_RUN = re.compile(rf"(?<!\d)\+?\d(?:{_SEPARATOR}*\d){{5,}}(?!\d)")
"""A run of six digits or more, as a phone is found (spaces, dots, hyphens, slashes or
brackets between the digits, a "+" before), on one line."""


def same_phone(found: str, own: str) -> bool:
    """Whether the number written ``found`` is the line ``own``: the same digits, or the
    same last nine ("+33 6 12 34 56 78", "0033 6 12…" and "06 12 34 56 78")."""
    a, b = re.sub(r"\D", "", found), re.sub(r"\D", "", own)
    if not b:
        return False
    return a == b or (min(len(a), len(b)) >= 9 and a[-9:] == b[-9:])


class Forms(Protocol):
    """What ``Matcher`` needs (``NameForms``, or the erasure's ``Traces``)."""

    @property
    def strong(self) -> tuple[str, ...]: ...

    @property
    def weak(self) -> tuple[str, ...]: ...

    @property
    def phone_digits(self) -> str: ...


@dataclass(frozen=True)
class NameForms:
    """What names one person (see the module's docstring), and where to look for it."""

    person_id: int
    participations: tuple[int, ...]
    delegations: tuple[int, ...]
    """The delegations the person is part of, where ``weak`` forms count too."""
    strong: tuple[str, ...]
    weak: tuple[str, ...]
    phone_digits: str = ""


def is_anonymous(given_name: str, family_name: str) -> bool:
    """Whether the name is an anonymised person's ("Erased" "person #12"): no name."""
    from delegations.services.erasure import ANONYMOUS_GIVEN, anonymous_label

    given, family = given_name.strip(), family_name.strip()
    number = re.search(r"\d+$", family)
    return (
        given == ANONYMOUS_GIVEN
        and number is not None
        and family == anonymous_label(int(number.group()))
    )


def name_forms(
    given_name: str, family_name: str, email: str, phone: str, badge_names: Iterable[str]
) -> tuple[tuple[str, ...], tuple[str, ...], str]:
    """The strong forms, the weak forms (longest first) and the phone's digits (an
    anonymised person's label is no name: no name forms)."""
    given, family = given_name.strip(), family_name.strip()
    if is_anonymous(given, family):
        given = family = ""
    strong = {f"{given} {family}", f"{family}, {given}", email, phone}
    weak = {given, family}
    for badge in badge_names:
        badge = " ".join((badge or "").split())
        words = badge.split(" ")
        if len(words) < 2:
            weak.add(badge)
            continue
        strong.add(badge)
        folded = fold(badge)
        if given and folded.startswith(fold(given) + " "):
            weak.add(" ".join(words[len(given.split()) :]))
        if family and folded.endswith(" " + fold(family)):
            weak.add(" ".join(words[: -len(family.split())]))
    digits = re.sub(r"\D", "", phone)

    def longest_first(forms: set[str], shortest: int) -> tuple[str, ...]:
        kept = {f.strip() for f in forms if len(f.strip()) >= shortest}
        return tuple(sorted(kept, key=lambda f: (-len(f), f)))

    return (
        longest_first(strong, MIN_STRONG),
        longest_first(weak, MIN_WEAK),
        digits if len(digits) >= 6 else "",
    )


def person_forms(session: Session, person: Person) -> NameForms:
    """What names ``person``, and the delegations they are part of."""
    participations = list(
        session.scalars(select(Participation).where(Participation.person_id == person.id))
    )
    led = session.scalars(select(Delegation.id).where(Delegation.lead_officer_id == person.id))
    hosted = session.scalars(
        select(AgendaItem.delegation_id)
        .join(item_host_contacts, item_host_contacts.c.agenda_item_id == AgendaItem.id)
        .where(item_host_contacts.c.person_id == person.id)
    )
    delegations = {p.delegation_id for p in participations} | set(led) | set(hosted)
    strong, weak, digits = name_forms(
        person.given_name,
        person.family_name,
        person.email,
        person.phone,
        (p.badge_name for p in participations),
    )
    return NameForms(
        person_id=person.id,
        participations=tuple(p.id for p in participations),
        delegations=tuple(sorted(delegations)),
        strong=strong,
        weak=weak,
        phone_digits=digits,
    )


# ------------------------------------------------------------------ matching


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    return " " if char.isspace() else fold(char)


def _folded(text: str) -> str:
    """``text`` folded one character at a time (a space for each space)."""
    return text.lower() if text.isascii() else "".join(map(_fold_char, text))


def _starts(text: str) -> list[int]:
    """Where each character of ``text`` starts in ``_folded(text)``, its length last."""
    return [0, *accumulate(len(_fold_char(c)) for c in text)]


def _pattern(form: str) -> str:
    """A form, folded, as a pattern: any run of spaces, either apostrophe."""
    folded = _folded(form)
    words = []
    for word in folded.split():
        words.append(
            "".join(f"[{_APOSTROPHES}]" if c in _APOSTROPHES else re.escape(c) for c in word)
        )
    return r"\s+".join(words)


def _compile(forms: Iterable[str], digits: str) -> re.Pattern[str] | None:
    folded = {_folded(f).strip() for f in forms} - {""}
    patterns = sorted({_pattern(f) for f in folded}, key=lambda p: (-len(p), p))
    parts = [f"{_BEFORE}(?:{'|'.join(patterns)}){_AFTER}"] if patterns else []
    firsts = {f[0] for f in folded}
    if digits:
        parts.append(r"(?<!\d)\+?" + r"[\s.\-/()]*".join(digits) + r"(?!\d)")
        firsts |= {"+", digits[0]}
    if not parts:
        return None
    # Most places start no form: a look at one character says so before the rest is tried.
    if firsts & set(_APOSTROPHES):
        firsts |= set(_APOSTROPHES)
    first = "".join(re.escape(c) for c in sorted(firsts))
    return re.compile(f"(?=[{first}])(?:{'|'.join(parts)})")


def _words(folded: str) -> set[str]:
    return set(re.findall(r"\w+", folded))


class OtherNames:
    """Other people's full names ("Given Family", "Family, Given", badge names of two
    words or more), where a name part of the person found is not theirs."""

    def __init__(self, names: Iterable[tuple[str, str, Iterable[str]]]) -> None:
        """``names``: each other person's given name, family name and badge names (an
        anonymised person's, or a name without a given or family name, count for none)."""
        self._by_word: dict[str, list[tuple[str, frozenset[str]]]] = {}
        for given_name, family_name, badges in names:
            given, family = given_name.strip(), family_name.strip()
            forms = {b for b in ((b or "").strip() for b in badges) if len(b.split()) >= 2}
            if given and family and not is_anonymous(given, family):
                forms |= {f"{given} {family}", f"{family}, {given}"}
            for form in forms:
                words = _words(_folded(form))
                if words:
                    self._by_word.setdefault(min(words), []).append((form, frozenset(words)))

    def spans(self, folded: str) -> list[tuple[int, int]]:
        """Where ``folded`` (a text, ``_folded``) writes another person's full name."""
        words = _words(folded)
        forms = sorted(
            {
                form
                for word in words & self._by_word.keys()
                for form, needed in self._by_word[word]
                if needed <= words
            }
        )
        pattern = _compile_cached(tuple(forms)) if forms else None
        return [] if pattern is None else [m.span() for m in pattern.finditer(folded)]


def other_names(session: Session, person_id: int) -> OtherNames:
    """The full names of everybody in the database but ``person_id``."""
    badges: dict[int, list[str]] = {}
    for pid, badge in session.execute(
        select(Participation.person_id, Participation.badge_name).where(
            Participation.person_id != person_id, Participation.badge_name != ""
        )
    ):
        badges.setdefault(pid, []).append(badge or "")
    return OtherNames(
        (given or "", family or "", badges.get(pid, ()))
        for pid, given, family in session.execute(
            select(Person.id, Person.given_name, Person.family_name).where(Person.id != person_id)
        )
    )


@lru_cache(maxsize=1024)
def _compile_cached(forms: tuple[str, ...]) -> re.Pattern[str] | None:
    return _compile(forms, "")


_ERASED_MARK = re.compile(re.escape(_folded(REPLACEMENT)))


def _merged(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


class Matcher:
    """Finds a person's forms in text (strong ones anywhere, weak ones when ``linked``:
    the text belongs to a delegation the person is part of, and not inside one of
    ``others``' full names) and replaces them."""

    def __init__(self, forms: Forms, others: OtherNames | None = None) -> None:
        self.strong = _compile(forms.strong, forms.phone_digits)
        self.weak = _compile(forms.weak, "")
        self.others = others

    def spans(self, text: str | None, linked: bool) -> list[tuple[int, int]]:
        """Where ``text`` names the person: (start, end) in ``text`` itself."""
        if not text:
            return []
        folded = _folded(text)
        found = [m.span() for m in self.strong.finditer(folded)] if self.strong else []
        weak = [m.span() for m in self.weak.finditer(folded)] if linked and self.weak else []
        if weak and self.others is not None:
            theirs = self.others.spans(folded)
            weak = [(s, e) for s, e in weak if not any(a <= s and e <= b for a, b in theirs)]
        found = [(s, e) for s, e in (*found, *weak) if e > s]
        if found and "[" in folded:
            marks = [m.span() for m in _ERASED_MARK.finditer(folded)]
            found = [(s, e) for s, e in found if not any(s < b and a < e for a, b in marks)]
        found = _merged(found)
        if not found or text.isascii():
            return found
        starts = _starts(text)
        spans = []
        for start, end in found:
            first = bisect_right(starts, start) - 1
            last = bisect_left(starts, end, lo=first + 1)
            while last < len(text) and starts[last + 1] == starts[last]:
                last += 1  # a combining accent goes with its letter
            spans.append((first, last))
        return spans

    def names(self, text: str | None, linked: bool) -> bool:
        """Whether ``text`` names the person."""
        return bool(self.spans(text, linked))

    def words(self, text: str | None, linked: bool) -> list[str]:
        """What ``text`` names the person with, as written there, in order."""
        return [text[s:e] for s, e in self.spans(text, linked)] if text else []

    def __call__(self, text: str, linked: bool) -> str:
        """``text`` with each form found replaced by "[erased]"."""
        return _replaced(text, self.spans(text, linked))


def _replaced(text: str, spans: list[tuple[int, int]]) -> str:
    if not spans:
        return text
    pieces = []
    at = 0
    for start, end in spans:
        start = max(start, at)
        pieces.append(text[at:start])
        pieces.append(REPLACEMENT)
        at = end
    pieces.append(text[at:])
    return "".join(pieces)


# ------------------------------------------------------------------ records


@dataclass(frozen=True)
class Mention:
    """One field of one record that names the person."""

    model: type[Any]
    record_id: int
    field: str
    text: str
    replaced: str
    """The text with the person's forms replaced by "[erased]"."""
    words: tuple[str, ...] = ()
    """What is replaced, as written in the text, in order."""

    @property
    def record(self) -> str:
        """The record's table."""
        return str(self.model.__tablename__)


def text_mentions(
    session: Session,
    matcher: Matcher,
    *,
    person_id: int,
    participations: Iterable[int],
    delegations: Iterable[int],
) -> list[Mention]:
    """Every ``FREE_TEXT`` field of a record other than the person's own (``person_id``,
    their ``participations`` and journeys) that ``matcher`` finds them in (weak forms in
    ``delegations`` only), in the order of ``FREE_TEXT``, then of the records' ids."""
    linked = set(delegations)
    theirs = set(participations)
    own: dict[type[Any], set[int]] = {
        Person: {person_id},
        Participation: theirs,
        TravelLeg: set(
            session.scalars(select(TravelLeg.id).where(TravelLeg.participation_id.in_(theirs)))
        ),
    }
    found: list[Mention] = []
    for model, columns in FREE_TEXT.items():
        scope: Any = (
            Delegation.id if model is Delegation
            else Participation.delegation_id if model is TravelLeg
            else model.delegation_id if model in (AgendaItem, Participation)
            else None
        )  # fmt: skip
        query = select(model.id, *(getattr(model, c) for c in columns))
        if scope is not None:
            query = query.add_columns(scope)
        if model is TravelLeg:
            query = query.join(Participation, Participation.id == TravelLeg.participation_id)
        skip = own.get(model, set())
        for row in session.execute(query.order_by(model.id)):
            record_id = row[0]
            if record_id in skip:
                continue
            in_scope = scope is not None and row[-1] in linked
            for index, column in enumerate(columns, start=1):
                value = row[index] or ""
                spans = matcher.spans(value, in_scope)
                if spans:
                    words = tuple(value[s:e] for s, e in spans)
                    replaced = _replaced(value, spans)
                    found.append(Mention(model, record_id, column, value, replaced, words))
    return found


def person_mentions(session: Session, person: Person) -> list[Mention]:
    """Every field of another record that names ``person`` (what an erasure replaces)."""
    forms = person_forms(session, person)
    return text_mentions(
        session,
        Matcher(forms, other_names(session, person.id)),
        person_id=forms.person_id,
        participations=forms.participations,
        delegations=forms.delegations,
    )


@dataclass(frozen=True)
class FoundWords:
    """What an erasure replaces in one field of one record: the words found there."""

    record: str
    record_id: int
    field: str
    words: tuple[str, ...]
    """Each form found, as written, once (in the order of the text)."""

    def describe(self) -> str:
        """``agenda_item #5 description: "Montserrat"`` (names: for the user's screen)."""
        quoted = ", ".join(f'"{w}"' for w in self.words)
        return f"{self.record} #{self.record_id} {self.field}: {quoted}"


def found_words(session: Session, person_id: int) -> list[FoundWords]:
    """Per record and field of other records' free text, the words an erasure of
    ``person_id`` replaces by "[erased]" (``person_mentions``, the erasure's matcher), so
    that a confirmation can show them: a place named like the person ("Montserrat
    monastery") is replaced too. It holds names: for the user's own screen only.

    Raises:
        NotFound: there is no such person.
    """
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound(f"No person #{person_id}.")
    return [
        FoundWords(m.record, m.record_id, m.field, tuple(dict.fromkeys(m.words)))
        for m in person_mentions(session, person)
    ]
