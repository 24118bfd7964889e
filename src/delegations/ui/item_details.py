"""An agenda item's practical details in its dialog: a transfer's drop-off, company,
vehicle and driver; whether food is served; its dress code and Wi-Fi.

The item dialog (``agenda_page``) lists these fields and calls ``wire_details``:
the transfer fields show only while the kind is Transfer (the venue then reads
"Pick-up"), and "Serves food" follows the kind (and, for a new item, the title)
until people tick or untick it themselves. ``saved_details`` empties the transfer
fields of an item that is not a transfer, so no document prints a driver's phone
for a lunch.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtWidgets import QCheckBox, QLineEdit

from delegations.model import ItemKind, serves_food_by_default
from delegations.services.listings import Choice
from delegations.ui.forms import EnumCombo, Field, RecordDialog

TRANSFER_ONLY = ("dropoff_venue_id", "transport_company", "vehicle", "driver_phone")
"""The fields that mean something for a transfer only."""
NOT_A_TRANSFER: dict[str, Any] = {
    "dropoff_venue_id": None,
    "transport_company": "",
    "vehicle": "",
    "driver_phone": "",
}
"""What those fields hold for any other kind."""
DETAILS = ("serves_food", "dress_code", "wifi")
"""The details every kind has."""
FOOD_HINT = "the item goes on the dietary list for the caterer"


def transfer_fields(venues: Callable[[], Sequence[Choice]]) -> list[Field]:
    """The fields of a transfer, shown after its pick-up place (the item's venue)."""
    return [
        Field(
            "dropoff_venue_id",
            "Drop-off",
            "choice",
            choices=venues,
            none_label="(not known yet)",
        ),
        Field("transport_company", "Company", placeholder="e.g. Autocars Montseny"),
        Field("vehicle", "Vehicle", placeholder="e.g. 55-seat coach, plate 4821 KLM"),
        Field("driver_phone", "Driver's phone", placeholder="e.g. +34 611 48 21 00"),
    ]


def detail_fields(delegation_dress_code: str = "") -> list[Field]:
    """Food, dress code and Wi-Fi; the dress code's hint names the delegation's own."""
    own = delegation_dress_code.strip()
    dress = f"empty: the delegation's ({own})" if own else "e.g. Smart casual (empty: none)"
    return [
        Field("serves_food", "Serves food", "bool"),
        Field("dress_code", "Dress code", placeholder=dress),
        Field("wifi", "Wi-Fi", placeholder="network and password, e.g. Guest / visit2027"),
    ]


def new_item_details() -> dict[str, Any]:
    """The details of a new item before anything is typed."""
    return {**NOT_A_TRANSFER, "serves_food": False, "dress_code": "", "wifi": ""}


def saved_details(values: dict[str, Any]) -> dict[str, Any]:
    """The details to save from the form's ``values`` (with its ``kind``)."""
    out = {name: values[name] for name in (*TRANSFER_ONLY, *DETAILS)}
    if values["kind"] is not ItemKind.TRANSFER:
        out.update(NOT_A_TRANSFER)
    return out


def wire_details(dialog: RecordDialog, new: bool) -> None:
    """Show the transfer fields for transfers only; let "Serves food" follow the kind.

    Args:
        dialog: an item dialog with the fields of ``transfer_fields`` and
            ``detail_fields`` besides ``title``, ``kind`` and ``venue_id``.
        new: a new item: "Serves food" follows the title too (a networking dinner
            serves food); an item's own answer is kept until its kind changes, and
            comes back when the kind does.
    """
    form = dialog.form
    kind = form.editors["kind"]
    food = form.editors["serves_food"]
    title = form.editors["title"]
    assert isinstance(kind, EnumCombo) and isinstance(food, QCheckBox)
    assert isinstance(title, QLineEdit)
    food.setText(FOOD_HINT)
    food.setToolTip("Meals and receptions serve food; tick or untick it to say otherwise")

    def current() -> ItemKind:
        value = kind.value()
        assert isinstance(value, ItemKind)
        return value

    own = (current(), food.isChecked())
    chosen = False

    def food_clicked() -> None:
        nonlocal chosen
        chosen = True

    def follow_food() -> None:
        if chosen:
            return
        if not new and current() is own[0]:
            food.setChecked(own[1])
        else:
            food.setChecked(serves_food_by_default(current(), title.text()))

    def kind_changed() -> None:
        transfer = current() is ItemKind.TRANSFER
        form.set_label("venue_id", "Pick-up" if transfer else "Venue")
        for name in TRANSFER_ONLY:
            form.show_field(name, transfer)
        follow_food()

    food.clicked.connect(food_clicked)
    kind.currentIndexChanged.connect(lambda _i: kind_changed())
    if new:
        title.textChanged.connect(lambda _t: follow_food())
    transfer = current() is ItemKind.TRANSFER
    form.set_label("venue_id", "Pick-up" if transfer else "Venue")
    for name in TRANSFER_ONLY:
        form.show_field(name, transfer)
