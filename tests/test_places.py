"""The time zone of a place, read from tzdata's own tables."""

from __future__ import annotations

from importlib.resources import files
from zoneinfo import ZoneInfo, available_timezones

import pytest

from delegations.services.places import country_code, country_zones, zone_for


@pytest.mark.parametrize(
    ("country", "zone"),
    [
        ("France", "Europe/Paris"),
        ("FR", "Europe/Paris"),
        ("  spain ", "Europe/Madrid"),
        ("Espagne", "Europe/Madrid"),  # French
        ("España", "Europe/Madrid"),  # Spanish
        ("Espana", "Europe/Madrid"),  # accents optional
        ("Espanya", "Europe/Madrid"),  # Catalan
        ("Allemagne", "Europe/Berlin"),
        ("Deutschland", "Europe/Berlin"),
        ("Grèce", "Europe/Athens"),
        ("Pays-Bas", "Europe/Amsterdam"),
        ("the Netherlands", "Europe/Amsterdam"),
        ("Royaume-Uni", "Europe/London"),
        ("United Kingdom", "Europe/London"),
        ("UK", "Europe/London"),
        ("Britain (UK)", "Europe/London"),  # as iso3166.tab writes it
        ("Côte d'Ivoire", "Africa/Abidjan"),
        ("Cote d’Ivoire", "Africa/Abidjan"),
        ("South Korea", "Asia/Seoul"),
        ("Korea (South)", "Asia/Seoul"),
        ("Bosnia and Herzegovina", "Europe/Sarajevo"),
        ("Saint Lucia", "America/St_Lucia"),
        ("Norway", "Europe/Oslo"),
        ("Türkiye", "Europe/Istanbul"),
    ],
)
def test_country_names_and_codes_give_the_zone(country: str, zone: str) -> None:
    assert zone_for(country) == zone


@pytest.mark.parametrize(
    ("country", "city", "zone"),
    [
        ("United States", "", "America/New_York"),
        ("United States", "Los Angeles", "America/Los_Angeles"),  # named by its zone
        ("USA", "San Francisco", "America/Los_Angeles"),  # a big city not named by it
        ("US", "Chicago", "America/Chicago"),
        ("Spain", "Barcelona", "Europe/Madrid"),  # not a zone city: the main zone
        ("Spain", "Las Palmas de Gran Canaria", "Atlantic/Canary"),
        ("Espagne", "Canary Islands", "Atlantic/Canary"),  # the zone's comment
        ("Portugal", "Funchal", "Atlantic/Madeira"),
        ("Canada", "", "America/Toronto"),
        ("Canada", "Vancouver", "America/Vancouver"),
        ("Australia", "", "Australia/Sydney"),
        ("Australia", "Perth", "Australia/Perth"),
        ("Brazil", "", "America/Sao_Paulo"),
        ("Russia", "", "Europe/Moscow"),
        ("Germany", "Büsingen", "Europe/Busingen"),
        ("France", "Lyon", "Europe/Paris"),  # one zone: the city does not matter
    ],
)
def test_a_country_with_several_zones_uses_the_city_or_its_main_zone(
    country: str, city: str, zone: str
) -> None:
    assert zone_for(country, city) == zone


def test_without_a_country_a_city_named_by_a_zone_is_enough() -> None:
    assert zone_for("", "Paris") == "Europe/Paris"
    assert zone_for("", "tokyo") == "Asia/Tokyo"
    assert zone_for("", "Buenos Aires") == "America/Argentina/Buenos_Aires"
    assert zone_for("", "Barcelona") is None
    assert zone_for("", "") is None


def test_unknown_places_have_no_zone() -> None:
    assert zone_for("Atlantis") is None
    assert zone_for("Atlantis", "Paris") is None  # a wrong country is not ignored
    # Codes count in capitals only, so that typing "Ge…" never reads as Georgia.
    assert zone_for("Ge") is None
    assert zone_for("GE") == "Asia/Tbilisi"
    assert country_code("fr") is None
    assert country_code("XX") is None


def test_every_country_of_the_tables_gets_a_zone_this_computer_knows() -> None:
    iso = (files("tzdata") / "zoneinfo" / "iso3166.tab").read_text(encoding="utf-8")
    rows = [line.split("\t") for line in iso.splitlines() if line and not line.startswith("#")]
    known = available_timezones()
    with_zones = 0
    for code, name in rows:
        zones = country_zones(code)
        if not zones:
            continue  # e.g. Bouvet Island: no zone of its own
        with_zones += 1
        assert country_code(name) == code, name
        assert zone_for(name) == zones[0] in known, name
        assert zone_for(code) == zones[0]
        ZoneInfo(zones[0])
    assert with_zones > 240


def test_zones_come_from_the_tables_main_zone_first() -> None:
    assert country_zones("US")[0] == "America/New_York"
    assert "America/Los_Angeles" in country_zones("US")
    assert country_zones("AU")[0] == "Australia/Sydney"
    assert "Australia/Lord_Howe" in country_zones("AU")
    assert country_zones("ZZ") == []
