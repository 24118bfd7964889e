"""Finding a person in free text (``services.mentions``): ignoring case and accents,
badge names too, whole words only (a hyphen or apostrophe between letters is inside a
word); what the erasure replaces and what subject access lists."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from delegations.model import (
    AgendaItem,
    Delegation,
    DelegationStatus,
    Participation,
    Person,
    TravelLeg,
)
from delegations.services import erasure
from delegations.services.errors import NotFound
from delegations.services.history import perform
from delegations.services.mentions import (
    REPLACEMENT,
    Matcher,
    NameForms,
    OtherNames,
    found_words,
    name_forms,
    person_mentions,
)
from delegations.store import Database


def matcher(
    given: str,
    family: str,
    email: str = "",
    phone: str = "",
    badges: tuple[str, ...] = (),
) -> Matcher:
    strong, weak, digits = name_forms(given, family, email, phone, badges)
    return Matcher(NameForms(1, (), (), strong, weak, digits))


ZOE = matcher("Zoé", "Lefèvre", "zoe.lefevre@maisons.example", "+33 6 12 34 56 78")
HELENE = matcher("Hélène", "Marchetti-Dubois de la Tour", badges=("Hélène Marchetti-Dubois",))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Call Zoe Lefevre at the hotel", "Call [erased] at the hotel"),
        ("ZOÉ LEFÈVRE arrives", "[erased] arrives"),
        ("zoe lefevre", "[erased]"),
        ("Lefevre, Zoe (guest)", "[erased] (guest)"),
        ("Zoé\n  Lefèvre", "[erased]"),
        # decomposed accents (e + combining grave) are replaced with their letters
        ("Zoe\u0301 Lefe\u0300vre, then Zoé.", "[erased], then Zoé."),
        # folding "ß" to "ss" moves what follows: the replacement stays in place
        ("Straße 5: Zoé Lefèvre; Œuvre", "Straße 5: [erased]; Œuvre"),
        ("ZOE.LEFEVRE@maisons.example, +33 (6) 12-34-56-78", "[erased], [erased]"),
        ("Lefèvre-Smith, Zoé Lefèvre-Smith", "Lefèvre-Smith, Zoé Lefèvre-Smith"),
    ],
)
def test_strong_forms_ignore_case_and_accents(text: str, expected: str) -> None:
    assert ZOE(text, False) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Zoétrope screening; Zoe at 9", "Zoétrope screening; [erased] at 9"),
        (
            "Lefèvre-Smith and Smith-Lefevre; Lefèvre - Smith",
            ("Lefèvre-Smith and Smith-Lefevre; [erased] - Smith"),
        ),
        ("Zoé’s room, Zoé's bag", "[erased]’s room, [erased]'s bag"),
        ("O'Lefèvre and Lefèvre'ette", "O'Lefèvre and Lefèvre'ette"),
        (
            "la chambre d'Hélène et de Zoé, qu’Zoé",
            "la chambre d'Hélène et de [erased], qu’[erased]",
        ),
        ("-Zoé- (Zoé) 'Zoé'", "-[erased]- ([erased]) '[erased]'"),
        ("Lefevres", "Lefevres"),
    ],
)
def test_weak_forms_are_whole_words_and_a_hyphen_or_apostrophe_joins_letters(
    text: str, expected: str
) -> None:
    assert ZOE(text, True) == expected
    assert ZOE(text, False) == text  # a name alone: only in their delegations


def test_badge_names_are_forms_too() -> None:
    assert HELENE("with Helene Marchetti-Dubois", False) == "with [erased]"
    assert HELENE("with Hélène Marchetti-Dubois de la Tour", False) == "with [erased]"
    # what the badge adds to the given name is their name in their delegations
    assert HELENE("Mme Marchetti-Dubois", True) == "Mme [erased]"
    assert HELENE("Mme Marchetti-Dubois", False) == "Mme Marchetti-Dubois"
    assert HELENE("Marchetti-Dubois-Smith", True) == "Marchetti-Dubois-Smith"
    nickname = matcher("Margaret", "Hale", badges=("Maggie",))
    assert nickname("Maggie and Maggiefest", True) == "[erased] and Maggiefest"
    assert nickname("Maggie", False) == "Maggie"


def test_names_says_whether_replacing_would_change_the_text() -> None:
    for text, linked in (("Zoétrope", True), ("Zoe", False), ("", True), ("Zoe", True)):
        assert ZOE.names(text, linked) == (ZOE(text, linked) != text)
    assert erasure.ERASED == REPLACEMENT


# ------------------------------------------------------------------ in the database


def person(db: Database, family: str) -> int:
    with db.session() as session:
        return int(session.scalars(select(Person.id).where(Person.family_name == family)).one())


def add_mentions(db: Database) -> None:
    """Text in other records naming Zoé Lefèvre and Hélène Marchetti-Dubois de la Tour
    (the demo: Zoé's room sharing names Hélène, and the other way round)."""
    with db.transaction() as session:
        delegation = session.scalars(select(Delegation)).one()
        delegation.notes = "Zoe Lefevre arrives late; Lefèvre-Smith is not her. Zoétrope."
        delegation.objectives = "Meet Marchetti-Dubois about the fashion cluster"
        item = session.scalars(select(AgendaItem).order_by(AgendaItem.id)).first()
        assert item is not None
        item.description = "Helene Marchetti-Dubois presents; Zoé’s slides"
        caron = session.scalars(select(Participation).join(Person).where(
            Person.family_name == "Caron"
        )).one()  # fmt: skip
        caron.notes = "Sits next to ZOÉ"
        leg = session.scalars(
            select(TravelLeg).where(TravelLeg.participation_id == caron.id)
        ).first()
        assert leg is not None
        leg.notes = "Same train as Zoé"
        ferrer = session.scalars(select(Person).where(Person.family_name == "Ferrer")).one()
        ferrer.notes = "Knows Zoé Lefèvre; met Zoé and Marchetti-Dubois in Lille"


def test_erasure_replaces_what_the_reviewer_found(demo_db: Database) -> None:
    add_mentions(demo_db)
    zoe = person(demo_db, "Lefèvre")
    perform(demo_db, erasure.erase(zoe))
    with demo_db.session() as session:
        delegation = session.scalars(select(Delegation)).one()
        assert delegation.notes == "[erased] arrives late; Lefèvre-Smith is not her. Zoétrope."
        item = session.scalars(select(AgendaItem).order_by(AgendaItem.id)).first()
        assert item is not None
        assert item.description == "Helene Marchetti-Dubois presents; [erased]’s slides"
        helene = session.scalars(select(Participation).join(Person).where(
            Person.family_name == "Marchetti-Dubois de la Tour"
        )).one()  # fmt: skip
        assert helene.room_sharing == "with [erased]"
        caron = session.scalars(
            select(Participation).join(Person).where(Person.family_name == "Caron")
        ).one()
        assert caron.notes == "Sits next to [erased]"
        assert "Same train as [erased]" in [leg.notes for leg in caron.travel]
        ferrer = session.scalars(select(Person).where(Person.family_name == "Ferrer")).one()
        # Laia Ferrer is in no delegation with Zoé: the given name alone stays
        assert ferrer.notes == "Knows [erased]; met Zoé and Marchetti-Dubois in Lille"


def test_erasure_replaces_the_badge_name(demo_db: Database) -> None:
    add_mentions(demo_db)
    helene = person(demo_db, "Marchetti-Dubois de la Tour")
    perform(demo_db, erasure.erase(helene))
    with demo_db.session() as session:
        delegation = session.scalars(select(Delegation)).one()
        assert delegation.objectives == "Meet [erased] about the fashion cluster"
        item = session.scalars(select(AgendaItem).order_by(AgendaItem.id)).first()
        assert item is not None
        assert item.description == "[erased] presents; Zoé’s slides"
        zoe = session.scalars(
            select(Participation).join(Person).where(Person.family_name == "Lefèvre")
        ).one()
        assert zoe.room_sharing == "with [erased]"
        ferrer = session.scalars(select(Person).where(Person.family_name == "Ferrer")).one()
        assert ferrer.notes == "Knows Zoé Lefèvre; met Zoé and Marchetti-Dubois in Lille"


def test_mentions_are_what_the_erasure_replaces(demo_db: Database) -> None:
    add_mentions(demo_db)
    for family in ("Lefèvre", "Marchetti-Dubois de la Tour", "Delacroix", "Caron"):
        pid = person(demo_db, family)
        with demo_db.session() as session:
            target = session.get(Person, pid)
            assert target is not None
            mentions = person_mentions(session, target)
            plan = erasure.erasure_plan(session, pid)
        assert plan.texts == len({(m.record, m.record_id) for m in mentions}), family
        assert all(m.replaced != m.text and REPLACEMENT in m.replaced for m in mentions)
    zoe = person(demo_db, "Lefèvre")
    with demo_db.session() as session:
        target = session.get(Person, zoe)
        assert target is not None
        listed = {(m.record, m.field) for m in person_mentions(session, target)}
    assert listed == {
        ("delegation", "notes"),
        ("agenda_item", "description"),
        ("participation", "room_sharing"),
        ("participation", "notes"),
        ("person", "notes"),
        ("travel_leg", "notes"),
    }


# ------------------------------------------------------------------ other people's names


def test_a_name_part_inside_another_persons_full_name_is_theirs() -> None:
    strong, weak, digits = name_forms("Camille", "Martin", "camille@x.example", "", ())
    others = OtherNames([("Grégoire", "Martin", ()), ("Jordi", "Soler i Ferrer", ())])
    camille = Matcher(NameForms(1, (), (), strong, weak, digits), others)
    assert (
        camille("Camille Martin and Grégoire Martin share the taxi", True)
        == "[erased] and Grégoire Martin share the taxi"
    )
    assert camille("Martin, Grégoire; Martin; GREGOIRE MARTIN", True) == (
        "Martin, Grégoire; [erased]; GREGOIRE MARTIN"
    )
    # the e-mail and full name are theirs wherever they are
    assert camille("camille@x.example (Camille Martin)", False) == "[erased] ([erased])"
    strong, weak, digits = name_forms("Laia", "Ferrer", "", "", ())
    laia = Matcher(NameForms(2, (), (), strong, weak, digits), others)
    assert laia("Jordi Soler i Ferrer and Ferrer", True) == "Jordi Soler i Ferrer and [erased]"
    assert laia("Soler i Ferrer, Jordi; Laia Ferrer", True) == ("Soler i Ferrer, Jordi; [erased]")
    # without the others, the name part is taken wherever it is (what erased.py does)
    bare = Matcher(NameForms(2, (), (), strong, weak, digits))
    assert bare("Jordi Soler i Ferrer", True) == "Jordi Soler i [erased]"


def test_others_badge_names_count_and_anonymised_people_name_nobody() -> None:
    strong, weak, digits = name_forms("Margaret", "Hale", "", "", ("Maggie",))
    others = OtherNames(
        [
            ("Margaret", "Thatcher", ("Maggie T",)),
            ("Erased", "person #4", ()),  # an anonymised person: no name
            ("", "Hale", ()),  # no given name: no full name
        ]
    )
    hale = Matcher(NameForms(1, (), (), strong, weak, digits), others)
    assert hale("Maggie T and Maggie; Margaret Thatcher", True) == (
        "Maggie T and [erased]; Margaret Thatcher"
    )
    assert hale("Hale and Erased person #4", True) == "[erased] and Erased person #4"


def test_an_anonymised_person_has_no_name_forms_and_erased_is_never_matched() -> None:
    strong, weak, digits = name_forms("Erased", "person #12", "", "", ())
    assert (strong, weak, digits) == ((), (), "")
    anonymous = Matcher(NameForms(12, (), (), strong, weak, digits))
    for text in ("Erased data policy", "Meet [erased]", "person #12 and Erased person #12"):
        assert anonymous(text, True) == text
    # somebody really named so is found, but never inside "[erased]"
    real = matcher("Erased", "Smith")
    assert real("Meet [erased] and [ERASED], Erased too", True) == (
        "Meet [erased] and [ERASED], [erased] too"
    )


def test_the_words_found_are_listed_as_written() -> None:
    assert ZOE.words("ZOÉ Lefèvre, then Zoe and Zoétrope", True) == ["ZOÉ Lefèvre", "Zoe"]
    assert ZOE.words(None, True) == []


def test_erasure_leaves_other_peoples_names(demo_db: Database) -> None:
    """Laia Ferrer and Jordi Soler i Ferrer are host contacts of the demo delegation;
    Camille and Grégoire, attendees, are renamed Martin."""
    with demo_db.transaction() as session:
        for given in ("Camille", "Grégoire"):
            session.scalars(
                select(Person).where(Person.given_name == given)
            ).one().family_name = "Martin"
        delegation = session.scalars(select(Delegation)).one()
        delegation.notes = (
            "Jordi Soler i Ferrer greets Laia; Soler i Ferrer, Jordi hosts lunch. Ferrer pays."
        )
        delegation.objectives = "Camille Martin and Grégoire Martin share the taxi"
        item = session.scalars(select(AgendaItem).order_by(AgendaItem.id)).first()
        assert item is not None
        item.description = "Ask Camille, or Martin, Grégoire"
    with demo_db.session() as session:
        laia = int(session.scalars(select(Person.id).where(Person.given_name == "Laia")).one())
        camille = int(
            session.scalars(select(Person.id).where(Person.given_name == "Camille")).one()
        )
    perform(demo_db, erasure.erase(laia))
    perform(demo_db, erasure.erase(camille))
    with demo_db.session() as session:
        delegation = session.scalars(select(Delegation)).one()
        assert delegation.notes == (
            "Jordi Soler i Ferrer greets [erased]; Soler i Ferrer, Jordi hosts lunch. [erased] pays."
        )
        assert delegation.objectives == "[erased] and Grégoire Martin share the taxi"
        item = session.scalars(select(AgendaItem).order_by(AgendaItem.id)).first()
        assert item is not None
        assert item.description == "Ask [erased], or Martin, Grégoire"


def test_found_words_show_what_an_erasure_replaces(demo_db: Database) -> None:
    """Montserrat Vidal, a host contact: "Montserrat" the monastery cannot be told apart
    from her, so the confirmation can show it."""
    with demo_db.transaction() as session:
        item = session.scalars(select(AgendaItem).order_by(AgendaItem.id)).first()
        assert item is not None
        item.description = "Visit to the Montserrat monastery with montserrat VIDAL; Montserrat"
        item_id = item.id
    vidal = person(demo_db, "Vidal")
    with demo_db.session() as session:
        found = found_words(session, vidal)
        plan = erasure.erasure_plan(session, vidal)
        with pytest.raises(NotFound):
            found_words(session, 10_000)
    assert [f.describe() for f in found] == [
        f'agenda_item #{item_id} description: "Montserrat", "montserrat VIDAL"'
    ]
    assert plan.texts == len(found)
    perform(demo_db, erasure.erase(vidal))
    with demo_db.session() as session:
        item = session.get(AgendaItem, item_id)
        assert item is not None
        assert item.description == "Visit to the [erased] monastery with [erased]; [erased]"


def test_an_anonymised_persons_label_is_not_searched_for(demo_db: Database) -> None:
    zoe = person(demo_db, "Lefèvre")
    with demo_db.transaction() as session:
        session.scalars(select(Delegation)).one().status = DelegationStatus.COMPLETED
    perform(demo_db, erasure.erase(zoe))  # anonymised: she took part in an ended delegation
    with demo_db.transaction() as session:
        anonymised = session.get(Person, zoe)
        assert anonymised is not None and anonymised.given_name == erasure.ANONYMOUS_GIVEN
        delegation = session.scalars(select(Delegation)).one()
        delegation.notes = f"Erased data policy; Meet [erased]; {anonymised.family_name}"
        notes = delegation.notes
    with demo_db.session() as session:
        anonymised = session.get(Person, zoe)
        assert anonymised is not None
        assert person_mentions(session, anonymised) == []
        assert erasure.erasure_plan(session, zoe).texts == 0
    perform(demo_db, erasure.erase(zoe))
    with demo_db.session() as session:
        assert session.scalars(select(Delegation)).one().notes == notes
