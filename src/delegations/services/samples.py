"""A large study visit, made up, for trying documents at full size.

``large_visit`` returns a delegation package (the format ``services.package``
imports): 40 attendees from all over Europe, 120 agenda items over three days with
parallel B2B tracks, transfers with pick-up and drop-off, meals and a reception,
two hotels, flights and trains. Names are long, accented, Greek and Cyrillic on
purpose. The same arguments always give the same package (UUIDs included), so
tests, benchmarks and screenshots see the same visit.
"""

from __future__ import annotations

import random
import uuid
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

ZONE = "Europe/Madrid"
FIRST_DAY = date(2027, 10, 5)

GIVEN = (
    "Camille", "Julien", "Μαρία", "Jean-Baptiste", "Zoë", "Иван", "Ørjan", "Łucja", "Aurélie",
    "Ali", "Thomas", "Siobhán", "Grégoire", "Inès", "Björn", "Nathalie", "Dragoș", "Chloé",
    "Matteo", "Agnieszka", "Maria del Carmen", "Jesús", "Hélène", "Yannick",
)  # fmt: skip
FAMILY = (
    "Durand", "Caron", "Οικονομίδη", "de La Rochefoucauld", "Petrov", "Sørensen", "Nowak",
    "Lefèvre", "Benali", "Leroy", "Ní Bhriain", "Marchetti-Dubois de la Tour", "Van den Bossche",
    "Åkesson", "Roussel", "Popescu", "Moreau", "Rossi", "Wiśniewska", "García", "Lemaître",
    "Kowalczyk", "Иванова", "Vasseur",
)  # fmt: skip
LONG_NAME = ("Maria del Carmen", "Fernández de Córdoba y Álvarez de Toledo")
ORGANISATIONS = (
    ("Métropole Européenne de Lille", "MEL", "Métropole de Lille", "France", "Lille"),
    ("Plaine Images", "", "", "France", "Tourcoing"),
    ("Aéronef", "", "", "France", "Lille"),
    ("Lille Design", "", "", "France", "Lille"),
    ("Maisons de Mode", "", "", "France", "Lille"),
    ("Agence régionale de développement économique, d'innovation et d'internationalisation "
     "des Hauts-de-France et de ses territoires", "AD HDF", "Hauts-de-France Innovation",
     "France", "Amiens"),
    ("Κέντρο Δημιουργικής Οικονομίας Θεσσαλονίκης", "", "", "Greece", "Thessaloniki"),
    ("Зеленоградский инновационный центр", "", "", "Bulgaria", "Sofia"),
    ("Łódź Creative Industries Cluster", "", "", "Poland", "Łódź"),
    ("Ørestad Media Cluster", "", "", "Denmark", "Copenhagen"),
)  # fmt: skip
HOSTS = (
    ("Barcelona Activa", "Carrer de Llacuna, 162", "08018", 41.4036, 2.1958),
    ("ACCIÓ – Catalan Agency for Business Competitiveness", "Passeig de Gràcia, 129", "08008",
     41.3967, 2.159),
    ("Catalan Institute for Cultural Industries", "La Rambla, 118", "08002", 41.383, 2.1719),
    ("Barcelona Media", "Carrer de Roc Boronat, 117", "08018", 41.4039, 2.1927),
    ("Kids Cluster", "Carrer de Pujades, 77", "08005", None, None),
    ("Consortium for Trade, Crafts and Fashion of Catalonia", "Carrer de Provença, 339",
     "08037", 41.3968, 2.1668),
    ("Barcelona City Council – Music Development Unit", "Plaça de Sant Jaume, 1", "08002",
     41.3826, 2.177),
    ("Fira de Barcelona – Gran Via", "Avinguda de Joan Carles I, 64", "08908", 41.3548, 2.1274),
)  # fmt: skip
B2B_ROUNDS = 6
"""Half-hour rounds of B2B meetings in an afternoon."""
DIETS = ("", "", "", "", "Vegetarian", "Vegan", "Gluten-free", "No pork", "Halal",
         "Nut allergy (severe)", "Lactose-free")  # fmt: skip


def _uuids(seed: int) -> Any:
    generator = random.Random(seed)
    while True:
        yield str(uuid.UUID(int=generator.getrandbits(128), version=4))


def _at(day: date, hour: int, minute: int = 0) -> str:
    moment = datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(ZONE))
    return moment.isoformat(timespec="seconds")


def large_visit(
    attendees: int = 40, items: int = 120, days: int = 3, seed: int = 12
) -> dict[str, Any]:
    """A package of a made-up visit with ``attendees`` people and ``items`` agenda items
    spread evenly over ``days`` days (parallel tracks where a day is full)."""
    ids = _uuids(seed)
    random.Random(seed)
    organisations: list[dict[str, Any]] = []
    for name, acronym, short, country, city in ORGANISATIONS:
        organisations.append(
            {"uuid": next(ids), "name": name, "acronym": acronym, "short_name": short,
             "kind": "cluster", "country": country, "city": city}
        )  # fmt: skip
    venues: list[dict[str, Any]] = []
    hosts: list[dict[str, Any]] = []
    people: list[dict[str, Any]] = []
    for index, (name, address, postcode, lat, lon) in enumerate(HOSTS):
        host = {"uuid": next(ids), "name": name, "kind": "agency", "country": "Spain",
                "city": "Barcelona", "address": address, "phone": f"+34 93 400 {index:02d} 00"}  # fmt: skip
        hosts.append(host)
        venues.append(
            {"uuid": next(ids), "name": f"{name.split(' – ')[0]} – main building",
             "address": address, "postcode": postcode, "city": "Barcelona", "country": "Spain",
             "latitude": lat, "longitude": lon, "organisation": host["uuid"],
             "access_notes": "Reception on the ground floor; bring ID" if index % 3 == 0 else ""}
        )  # fmt: skip
        people.append(
            {"uuid": next(ids), "given_name": GIVEN[index], "family_name": FAMILY[-index - 1],
             "job_title": "Head of international relations", "organisation": host["uuid"],
             "email": f"contact{index}@host{index}.example", "phone": f"+34 600 00 {index:02d} 11",
             "consent_data": True}
        )  # fmt: skip
    hotel = {"uuid": next(ids), "name": "Hotel Ciutat Barcelona", "address": "Carrer de la Princesa, 35",
             "postcode": "08003", "city": "Barcelona", "country": "Spain", "latitude": 41.3856,
             "longitude": 2.181, "access_notes": "Coaches stop at the main entrance"}  # fmt: skip
    airport = {"uuid": next(ids), "name": "Barcelona–El Prat Airport, Terminal 1",
               "address": "Terminal 1", "postcode": "08820", "city": "El Prat de Llobregat",
               "country": "Spain", "latitude": 41.2887, "longitude": 2.0731}  # fmt: skip
    restaurant = {"uuid": next(ids), "name": "Restaurant Set Portes", "address": "Passeig d'Isabel II, 14",
                  "postcode": "08003", "city": "Barcelona", "country": "Spain",
                  "latitude": 41.3823, "longitude": 2.1829}  # fmt: skip
    venues += [hotel, airport, restaurant]

    participations: list[dict[str, Any]] = []
    for number in range(attendees):
        given = GIVEN[number % len(GIVEN)]
        family = FAMILY[(number * 7 + number // len(GIVEN)) % len(FAMILY)]
        if number == 3:
            given, family = LONG_NAME
        organisation = organisations[number % len(organisations)]
        person = {
            "uuid": next(ids), "given_name": given, "family_name": family,
            "job_title": "Project officer", "organisation": organisation["uuid"],
            "email": f"attendee{number:02d}@cluster{number % 10}.example",
            "phone": f"+33 6 {number:02d} 12 34 56", "dietary_needs": DIETS[number % len(DIETS)],
            "accessibility_needs": "Wheelchair user" if number % 17 == 5 else "",
            "consent_data": True,
        }  # fmt: skip
        people.append(person)
        status = "declined" if number % 20 == 19 else "invited" if number % 10 == 7 else "confirmed"
        role = "head" if number == 0 else "organiser" if number in (1, 2) else "delegate"
        second_hotel = number >= attendees * 3 // 4
        arrival_day = FIRST_DAY - timedelta(days=1)
        leaving = FIRST_DAY + timedelta(days=days)
        by_train = number % 4 == 1
        participations.append(
            {
                "uuid": next(ids), "person": person["uuid"], "role": role, "status": status,
                "hotel": "Hotel Arts Barcelona" if second_hotel else "Hotel Ciutat Barcelona",
                "hotel_address": "Carrer de la Marina, 19-21" if second_hotel else "Carrer de la Princesa, 35",
                "hotel_phone": "+34 932 21 10 00" if second_hotel else "+34 932 69 74 75",
                "booking_reference": f"HCB-{number:04d}", "room_type": "Twin" if number in (8, 9) else "Single",
                "room_sharing": {8: f"with {GIVEN[9]}", 9: f"with {GIVEN[8]}"}.get(number, ""),
                "check_in": arrival_day.isoformat(),
                "check_out": leaving.isoformat(),
                "travel": [
                    {"uuid": next(ids), "direction": "arrival",
                     "mode": "train" if by_train else "flight",
                     "carrier": "SNCF" if by_train else "Vueling", "number": f"{'TGV 97' if by_train else 'VY 89'}{number:02d}",
                     "origin": "Lille Europe" if by_train else "Lille (LIL)", "origin_timezone": "Europe/Paris",
                     "departs_at": _at(arrival_day, 8 + number % 6),
                     "destination": "Barcelona Sants" if by_train else "Barcelona (BCN)",
                     "destination_timezone": ZONE, "arrives_at": _at(arrival_day, 14 + number % 6)},
                    {"uuid": next(ids), "direction": "departure", "mode": "flight", "carrier": "Vueling",
                     "number": f"VY 88{number:02d}", "origin": "Barcelona (BCN)", "origin_timezone": ZONE,
                     "departs_at": _at(leaving, 10 + number % 3),
                     "destination": "Lille (LIL)", "destination_timezone": "Europe/Paris",
                     "arrives_at": _at(leaving, 11 + number % 3, 50)},
                ],
            }
        )  # fmt: skip

    agenda: list[dict[str, Any]] = []
    per_day = [items // days + (1 if d < items % days else 0) for d in range(days)]
    attending = [p["uuid"] for p in participations]
    for day_number, count in enumerate(per_day):
        day = FIRST_DAY + timedelta(days=day_number)
        # The morning at one host's building, the B2B afternoon at the fair, the evening
        # near the hotel: every way between venues has the time it needs.
        morning, fair = venues[day_number % 4], venues[len(HOSTS) - 1]
        fixed = [
            ("Coach to the first visit", "transfer", 8, 0, 8, 45, hotel, morning),
            ("Lunch", "meal", 12, 45, 13, 45, morning, None),
            ("Coach back to the hotel", "transfer", 18, 0, 18, 45, fair, hotel),
            ("Networking dinner with the hosts" if day_number != 1 else "Evening reception",
             "networking", 20, 30, 22, 30, restaurant, None),
        ]  # fmt: skip
        for title, kind, h1, m1, h2, m2, venue, dropoff in fixed:
            entry: dict[str, Any] = {
                "uuid": next(ids), "title": title, "kind": kind, "starts_at": _at(day, h1, m1),
                "ends_at": _at(day, h2, m2), "status": "confirmed", "venue": venue["uuid"],
                "participants": "everyone",
                "serves_food": kind in ("meal", "networking"),
            }  # fmt: skip
            if kind == "transfer":
                entry.update(
                    dropoff_venue=dropoff["uuid"] if dropoff else None,
                    transport_company="Autocars Montseny", vehicle="55-seat coach, plate 4821 KLM",
                    driver_phone="+34 611 48 21 00",
                )  # fmt: skip
            agenda.append(entry)
        # The rest: plenary visits in the morning, parallel B2B tracks in the afternoon.
        rest = count - len(fixed)
        plenary = min(rest, 3)
        for n in range(plenary):
            host_index = (day_number * 3 + n) % len(HOSTS)
            start = 9 * 60 + n * 75
            agenda.append(
                {"uuid": next(ids), "title": f"Visit: {HOSTS[host_index][0]}", "kind": "visit",
                 "starts_at": _at(day, start // 60, start % 60),
                 "ends_at": _at(day, (start + 60) // 60, (start + 60) % 60),
                 "status": "confirmed" if n else "tentative", "venue": morning["uuid"],
                 "host": hosts[host_index]["uuid"], "host_contacts": [people[host_index]["uuid"]],
                 "description": "Presentation of the host's programmes, then questions.\n\n"
                 "Tour of the building and meeting with resident companies.",
                 "participants": "everyone", "wifi": "Guest-WiFi, password: visit2027" if n == 1 else ""}
            )  # fmt: skip
        tracks = rest - plenary
        # Meetings of 25 minutes every half hour from 14:45 at the fair (the coach back
        # leaves at 18:00), as many tables in parallel as it takes.
        lanes = max(4, -(-tracks // B2B_ROUNDS))
        slot = 0
        while tracks > 0:
            start = 14 * 60 + 45 + (slot // lanes) * 30
            track = slot % lanes
            group = attending[track::lanes]
            host_index = (slot + day_number) % len(HOSTS)
            agenda.append(
                {"uuid": next(ids), "title": f"B2B meeting {slot + 1}: {HOSTS[host_index][0]} "
                 f"and delegates of track {track + 1}", "kind": "b2b",
                 "starts_at": _at(day, start // 60 % 24, start % 60),
                 "ends_at": _at(day, (start + 25) // 60 % 24, (start + 25) % 60),
                 "status": "confirmed", "venue": fair["uuid"],
                 "host": hosts[host_index]["uuid"], "participants": sorted(group)}
            )  # fmt: skip
            slot += 1
            tracks -= 1
    for entry in agenda:
        entry.setdefault("serves_food", False)
        entry.setdefault("host_contacts", [])
        entry.setdefault("description", "")
    lead = people[len(HOSTS) + 1]
    return {
        "format": "delegations-package",
        "version": 1,
        "delegation": {
            "uuid": next(ids),
            "title": "Creative industries B2B mission to Barcelona",
            "programme": "Interreg Europe – CREADIS3",
            "destination_city": "Barcelona",
            "destination_country": "Spain",
            "timezone": ZONE,
            "start_date": FIRST_DAY.isoformat(),
            "end_date": (FIRST_DAY + timedelta(days=days - 1)).isoformat(),
            "status": "confirmed",
            "objectives": "Match 40 cluster members with Catalan partners in three days.",
            "lead_officer": lead["uuid"],
            "sending_organisation": organisations[0]["uuid"],
            "emergency_contacts": f"{lead['given_name']} {lead['family_name']} (lead officer): "
            f"{lead['phone']}\nEuropean emergency number: 112",
            "dress_code": "Business casual",
        },
        "organisations": organisations + hosts,
        "venues": venues,
        "people": people,
        "participations": participations,
        "agenda": agenda,
    }
