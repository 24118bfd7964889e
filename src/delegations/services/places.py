"""Where a place is: the time zone of a country (and city), read from tzdata's own tables.

``zone_for("France")`` is ``"Europe/Paris"``. Countries are known by their English
names as tzdata writes them (``iso3166.tab``), common other English, French, Spanish,
Catalan and German names, and their ISO 3166 codes written in capitals ("FR"). A
country with several zones gets the zone of the city when the city is named (in the
zone's name, as in ``America/Los_Angeles``, or in a short list of big cities), else
the zone of its capital or most people.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib.resources import files

__all__ = ["country_code", "country_zones", "zone_for"]

MAIN_ZONE = {
    "AU": "Australia/Sydney",
    "BR": "America/Sao_Paulo",
    "CA": "America/Toronto",
    "RU": "Europe/Moscow",
    "UA": "Europe/Kyiv",
    "UZ": "Asia/Tashkent",
}
"""The zone of a country whose first zone in ``zone.tab`` is not where most people live
(elsewhere the first zone is: New York, Madrid, Lisbon, Berlin, Mexico City…)."""

COUNTRY_NAMES = {
    # English
    "uk": "GB", "united kingdom": "GB", "great britain": "GB", "england": "GB",
    "scotland": "GB", "wales": "GB", "northern ireland": "GB",
    "usa": "US", "united states of america": "US", "america": "US",
    "south korea": "KR", "republic of korea": "KR", "north korea": "KP",
    "czechia": "CZ", "turkiye": "TR", "holland": "NL", "the netherlands": "NL",
    "russian federation": "RU", "vatican": "VA", "holy see": "VA", "ivory coast": "CI",
    "dr congo": "CD", "drc": "CD", "democratic republic of the congo": "CD",
    "republic of the congo": "CG", "uae": "AE", "emirates": "AE", "macedonia": "MK",
    "bosnia": "BA", "cabo verde": "CV", "timor leste": "TL", "burma": "MM",
    "swaziland": "SZ", "eswatini": "SZ", "samoa": "WS", "viet nam": "VN",
    "central african republic": "CF", "faroes": "FO",
    # French
    "allemagne": "DE", "espagne": "ES", "italie": "IT", "belgique": "BE", "pays bas": "NL",
    "royaume uni": "GB", "angleterre": "GB", "ecosse": "GB", "pays de galles": "GB",
    "suisse": "CH", "autriche": "AT", "grece": "GR", "pologne": "PL", "suede": "SE",
    "norvege": "NO", "danemark": "DK", "finlande": "FI", "irlande": "IE", "hongrie": "HU",
    "roumanie": "RO", "bulgarie": "BG", "croatie": "HR", "slovenie": "SI", "slovaquie": "SK",
    "tchequie": "CZ", "republique tcheque": "CZ", "lituanie": "LT", "lettonie": "LV",
    "estonie": "EE", "chypre": "CY", "malte": "MT", "islande": "IS", "turquie": "TR",
    "maroc": "MA", "tunisie": "TN", "algerie": "DZ", "egypte": "EG", "etats unis": "US",
    "mexique": "MX", "bresil": "BR", "argentine": "AR", "chili": "CL", "colombie": "CO",
    "perou": "PE", "japon": "JP", "chine": "CN", "inde": "IN", "coree du sud": "KR",
    "australie": "AU", "nouvelle zelande": "NZ", "afrique du sud": "ZA", "russie": "RU",
    "serbie": "RS", "albanie": "AL", "macedoine du nord": "MK", "macedoine": "MK",
    "bosnie herzegovine": "BA", "moldavie": "MD", "georgie": "GE", "armenie": "AM",
    "azerbaidjan": "AZ", "liban": "LB", "jordanie": "JO", "singapour": "SG",
    "thailande": "TH", "indonesie": "ID", "cameroun": "CM", "bielorussie": "BY",
    "cap vert": "CV", "emirats arabes unis": "AE", "arabie saoudite": "SA",
    # Spanish
    "alemania": "DE", "espana": "ES", "belgica": "BE", "paises bajos": "NL", "holanda": "NL",
    "reino unido": "GB", "inglaterra": "GB", "escocia": "GB", "suiza": "CH", "grecia": "GR",
    "polonia": "PL", "suecia": "SE", "noruega": "NO", "dinamarca": "DK", "finlandia": "FI",
    "irlanda": "IE", "hungria": "HU", "rumania": "RO", "croacia": "HR", "eslovenia": "SI",
    "eslovaquia": "SK", "chequia": "CZ", "republica checa": "CZ", "lituania": "LT",
    "letonia": "LV", "chipre": "CY", "islandia": "IS", "turquia": "TR", "marruecos": "MA",
    "tunez": "TN", "argelia": "DZ", "egipto": "EG", "estados unidos": "US", "eeuu": "US",
    "brasil": "BR", "corea del sur": "KR", "nueva zelanda": "NZ",
    "sudafrica": "ZA", "rusia": "RU", "ucrania": "UA", "francia": "FR", "luxemburgo": "LU",
    "bielorrusia": "BY", "camerun": "CM", "filipinas": "PH",
    # Catalan
    "espanya": "ES", "franca": "FR", "alemanya": "DE", "italia": "IT", "regne unit": "GB",
    "paisos baixos": "NL", "suissa": "CH", "estats units": "US", "irlanda del nord": "GB",
    # German
    "deutschland": "DE", "spanien": "ES", "frankreich": "FR", "italien": "IT",
    "osterreich": "AT", "schweiz": "CH", "niederlande": "NL", "belgien": "BE",
    "griechenland": "GR", "polen": "PL", "schweden": "SE",
    "vereinigtes konigreich": "GB", "vereinigte staaten": "US",
}  # fmt: skip
"""Country names tzdata does not write, by their normalised spelling (see ``_key``)."""

CITY_ZONES: dict[str, dict[str, tuple[str, ...]]] = {
    "US": {
        "America/Los_Angeles": (
            "San Francisco", "Seattle", "San Diego", "San Jose", "Sacramento", "Las Vegas",
        ),
        "America/Chicago": (
            "Houston", "Dallas", "Austin", "San Antonio", "Minneapolis", "New Orleans",
            "Kansas City", "Saint Louis", "Nashville", "Milwaukee",
        ),
        "America/Denver": ("Salt Lake City", "Albuquerque"),
        "America/New_York": (
            "Washington", "Boston", "Philadelphia", "Atlanta", "Miami", "Pittsburgh",
            "Baltimore", "Charlotte", "Orlando",
        ),
    },
    "CA": {"America/Toronto": ("Montréal", "Ottawa", "Québec"), "America/Edmonton": ("Calgary",)},
    "AU": {"Australia/Sydney": ("Canberra",)},
    "BR": {
        "America/Sao_Paulo": (
            "Rio de Janeiro", "Brasília", "Belo Horizonte", "Curitiba", "Porto Alegre",
        ),
        "America/Bahia": ("Salvador",),
    },
    "RU": {"Europe/Moscow": ("Saint Petersburg", "Sankt-Peterburg", "Kazan", "Nizhny Novgorod")},
    "ES": {
        "Atlantic/Canary": (
            "Las Palmas", "Las Palmas de Gran Canaria", "Gran Canaria", "Tenerife",
            "Santa Cruz de Tenerife", "Lanzarote", "Fuerteventura", "Canarias",
        ),
        "Africa/Ceuta": ("Melilla",),
    },
    "PT": {"Atlantic/Madeira": ("Funchal",), "Atlantic/Azores": ("Ponta Delgada", "Açores")},
    "MX": {"America/Mexico_City": ("Guadalajara", "Puebla")},
    "UA": {"Europe/Kyiv": ("Kiev",)},
    "ID": {"Asia/Makassar": ("Bali", "Denpasar")},
}  # fmt: skip
"""Big cities not named by their zone, country by country."""


def _key(text: str) -> str:
    """``text`` as it is compared: no accents, no case, no punctuation, "St" for "Saint"."""
    plain = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in plain if not unicodedata.combining(c)).casefold()
    plain = plain.replace("&", " and ")
    words = re.sub(r"[^0-9a-z]+", " ", plain).split()
    if words[:1] == ["the"] and len(words) > 1:
        words = words[1:]
    return " ".join("st" if w in ("saint", "sainte") else w for w in words)


def _table(name: str) -> list[list[str]]:
    """The rows of one of tzdata's tables (``zone.tab``…), split at tabs."""
    text = (files("tzdata") / "zoneinfo" / name).read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


@lru_cache(maxsize=1)
def _countries() -> dict[str, str]:
    """Country code by every name it is known by (normalised)."""
    english = {row[0]: row[1] for row in _table("iso3166.tab") if len(row) >= 2}
    names: dict[str, str] = {}
    short: dict[str, set[str]] = {}
    for code, name in english.items():
        names[_key(name)] = code
        bare = re.sub(r"\s*\(.*?\)\s*", " ", name).strip()
        short.setdefault(_key(bare), set()).add(code)
    for bare, codes in short.items():
        if len(codes) == 1 and bare not in names:
            names[bare] = next(iter(codes))
    for name, code in COUNTRY_NAMES.items():
        names[_key(name)] = code
    return names


@lru_cache(maxsize=1)
def _zones() -> dict[str, list[tuple[str, str]]]:
    """(zone, comment) by country code, in the order of ``zone.tab`` (else ``zone1970.tab``)."""
    try:
        rows = [(r[0], r[2], r[3] if len(r) > 3 else "") for r in _table("zone.tab")]
    except FileNotFoundError:
        rows = [
            (code, r[2], r[3] if len(r) > 3 else "")
            for r in _table("zone1970.tab")
            for code in r[0].split(",")
        ]
    zones: dict[str, list[tuple[str, str]]] = {}
    for code, zone, comment in rows:
        zones.setdefault(code, []).append((zone, comment))
    return zones


def country_code(country: str) -> str | None:
    """The ISO 3166 code of ``country`` (a name, or a code in capitals); None if unknown."""
    text = country.strip()
    if re.fullmatch(r"[A-Z]{2}", text) and text in _zones():
        return text
    return _countries().get(_key(text)) if text else None


def country_zones(code: str) -> list[str]:
    """The zones of country ``code``, the main one first."""
    zones = [zone for zone, _comment in _zones().get(code, [])]
    main = MAIN_ZONE.get(code)
    if main in zones:
        zones.remove(main)
        zones.insert(0, main)
    return zones


def _city(zone: str) -> str:
    """The place a zone is named after: "America/Argentina/Buenos_Aires" → "buenos aires"."""
    return _key(zone.rsplit("/", 1)[-1].replace("_", " "))


def _city_zone(code: str | None, city: str) -> str | None:
    """The zone of ``city`` in country ``code`` (anywhere when None), if only one fits."""
    wanted = _key(city)
    if not wanted:
        return None
    codes = [code] if code else list(_zones())
    found: list[str] = []
    for each in codes:
        for zone, comment in _zones().get(each, []):
            if wanted in (_city(zone), _key(comment)) and zone not in found:
                found.append(zone)
        for zone, cities in CITY_ZONES.get(each, {}).items():
            if wanted in {_key(c) for c in cities} and zone not in found:
                found.append(zone)
    return found[0] if len(found) == 1 else None


def zone_for(country: str, city: str = "") -> str | None:
    """The IANA time zone of a place, or None when the place is not known.

    Args:
        country: a country name (English, French, Spanish, Catalan, German; any case,
            accents optional) or its ISO 3166 code in capitals ("FR").
        city: the city, which picks the zone in a country with several ("Los Angeles",
            "Las Palmas"); with no known country, a city a zone is named after
            ("Paris", "Tokyo").
    """
    code = country_code(country)
    if code is None:
        return _city_zone(None, city) if not country.strip() else None
    zones = country_zones(code)
    if not zones:
        return None
    if len(zones) > 1 and city.strip():
        return _city_zone(code, city) or zones[0]
    return zones[0]
