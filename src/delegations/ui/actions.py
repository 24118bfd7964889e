"""Every action of the window, declared once with its label and shortcut.

Menus are built from ``MENUS``; Help ▸ Keyboard shortcuts and the agenda's hint
read the same declarations, so a shortcut is written in one place only.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QMenuBar, QWidget

from delegations.ui.pages import LIST_PAGES, WORKSPACE_PAGES


@dataclass(frozen=True)
class ActionSpec:
    """One action: its key (the window's slot name), label, shortcuts and help line.

    Attributes:
        key: the name of the window method it triggers.
        label: the menu text, with ``&`` before the mnemonic.
        shortcuts: key sequences in Qt's portable text ("Ctrl+N") or standard keys.
        help: what Help ▸ Keyboard shortcuts says it does (empty: not listed).
    """

    key: str
    label: str
    shortcuts: tuple[str | QKeySequence.StandardKey, ...] = ()
    help: str = ""

    def sequences(self) -> list[QKeySequence]:
        return [QKeySequence(s) for s in self.shortcuts]

    def shortcut_text(self) -> str:
        return ", ".join(
            s.toString(QKeySequence.SequenceFormat.NativeText) for s in self.sequences()
        )


SEPARATOR = ActionSpec("-", "")

_GO = tuple(
    ActionSpec(f"go:{name}", f"&{name.capitalize()}", (f"Ctrl+{n}",), f"show {name}")
    for n, name in enumerate(LIST_PAGES, start=1)
)
_TABS = tuple(ActionSpec(f"go:{name}", f"Delegation {name}") for name in WORKSPACE_PAGES)

MENUS: Mapping[str, tuple[ActionSpec, ...]] = {
    "&File": (
        ActionSpec("new_database_dialog", "&New database…"),
        ActionSpec("open_database_dialog", "&Open database…", (QKeySequence.StandardKey.Open,)),
        ActionSpec("recent", "Open &recent"),
        SEPARATOR,
        ActionSpec("import_package_dialog", "&Import delegation package…"),
        ActionSpec("export_package_dialog", "E&xport delegation package…"),
        ActionSpec(
            "import_people_dialog",
            "Import &people…",
            ("Ctrl+Shift+I",),
            "import people from a spreadsheet (CSV, Excel, OpenDocument)",
        ),
        ActionSpec("export_people_dialog", "Expor&t people…"),
        ActionSpec("backup_now", "Bac&k up now"),
        ActionSpec("backup_dialog", "&Back up database…"),
        ActionSpec("restore_dialog", "Re&store from backup…"),
        SEPARATOR,
        ActionSpec("close", "&Quit", (QKeySequence.StandardKey.Quit,)),
    ),
    "&Edit": (
        ActionSpec("undo", "&Undo", ("Ctrl+Z",), "undo the last change"),
        ActionSpec("redo", "&Redo", ("Ctrl+Shift+Z", "Ctrl+Y"), "redo it"),
        SEPARATOR,
        ActionSpec("new_record", "&New…", ("Ctrl+N",), "new record (on the page shown)"),
        ActionSpec("edit_record", "&Edit…", ("F2",), "edit the selected record"),
        ActionSpec("delete_records", "&Delete…", ("Delete",), "delete the selected records"),
        SEPARATOR,
        ActionSpec("focus_filter", "&Find", ("Ctrl+F",), "filter the list"),
        SEPARATOR,
        # Ctrl+, is QKeySequence.Preferences on macOS (Cmd+,); other systems have no
        # standard key for it, and Ctrl+, is the usual fallback.
        ActionSpec(
            "show_preferences",
            "&Preferences…",
            ("Ctrl+,",),
            "preferences (the SMTP server for sending e-mail)",
        ),
    ),
    "&Go": (
        *_GO,
        SEPARATOR,
        *_TABS,
        SEPARATOR,
        ActionSpec("show_exports", "&Export…", ("Ctrl+E",), "export documents and calendars"),
    ),
    "P&rivacy": (
        ActionSpec("export_personal_data", "E&xport personal data…"),
        ActionSpec("erase_person", "&Erase person…"),
        ActionSpec("remove_old_data", "&Remove old sensitive data…"),
        SEPARATOR,
        ActionSpec(
            "show_audit_log",
            "&Audit log…",
            ("Ctrl+Shift+L",),
            "the audit log: what was done to which records (never the values)",
        ),
    ),
    "&Help": (
        ActionSpec("show_shortcuts", "&Keyboard shortcuts", ("F1",)),
        ActionSpec("show_about", "&About Delegations"),
    ),
}

PAGE_ACTIONS: Mapping[str, ActionSpec] = {
    "save_overview": ActionSpec(
        "save_overview",
        "Save changes",
        (QKeySequence.StandardKey.Save,),
        "save the delegation's overview",
    ),
}
"""Shortcuts that belong to one page rather than a menu."""


def spec(key: str) -> ActionSpec:
    """The declaration of action ``key`` (a menu action or a page action)."""
    if key in PAGE_ACTIONS:
        return PAGE_ACTIONS[key]
    for specs in MENUS.values():
        for found in specs:
            if found.key == key:
                return found
    raise KeyError(key)


def keys(key: str) -> str:
    """The shortcut of action ``key`` as people read it ("Ctrl+F")."""
    return spec(key).shortcut_text().split(", ")[0]


def hint(key: str) -> str:
    """Where action ``key`` is and its shortcut: "Edit ▸ Undo (Ctrl+Z)"."""
    for title, specs in MENUS.items():
        for found in specs:
            if found.key == key:
                label = found.label.replace("&", "").rstrip("…")
                return f"{title.replace('&', '')} ▸ {label} ({keys(key)})"
    raise KeyError(key)


AGENDA_KEYS: tuple[tuple[str, str], ...] = (
    ("↑/↓", "select"),
    ("Alt+↑/↓", "move 15 min"),
    ("Alt+Shift+↑/↓", "change the end"),
    ("Alt+←/→", "move a day"),
    ("Enter", "edit"),
    ("Ctrl+D", "duplicate"),
    ("Delete", "delete"),
)
"""The agenda grid's own keys (handled in ``AgendaGrid.keyPressEvent``)."""


def agenda_hint() -> str:
    keys = ", ".join(f"{key} {what}" for key, what in AGENDA_KEYS)
    return (
        "Double-click a free time to add an item. Drag an item to move it, or its bottom "
        f"edge to change its end. Keyboard: {keys}."
    )


def shortcut_help() -> str:
    """Help ▸ Keyboard shortcuts (an HTML table), from the declarations."""
    declared = [*(s for specs in MENUS.values() for s in specs), *PAGE_ACTIONS.values()]
    rows = [(s.shortcut_text(), s.help) for s in declared if s.help and s.shortcuts]

    def table(pairs: list[tuple[str, str]]) -> str:
        cells = "".join(
            f"<tr><td style='padding-right:16px'><b>{html.escape(k)}</b></td>"
            f"<td>{html.escape(v)}</td></tr>"
            for k, v in pairs
        )
        return f"<table>{cells}</table>"

    return f"{table(rows)}<p><b>In the agenda</b></p>{table(list(AGENDA_KEYS))}"


def how_to() -> list[tuple[str, str]]:
    """The first steps, each naming the menu entries and keys declared above."""
    return [
        (
            "Create a delegation",
            f"{hint('go:delegations')}, then {hint('new_record')}: fill in the title, "
            "dates and time zone, and press OK. It opens in its workspace.",
        ),
        (
            "Add attendees",
            "In the delegation's Attendees tab, press “Add person…” for someone already in "
            "People, or “New person…” to create them; set their role, status, travel and "
            "hotel with “Edit…”.",
        ),
        (
            "Plan the agenda",
            "In the Agenda tab, double-click a free time (or press “New item…”); drag an "
            "item to move it, or its bottom edge to change its end.",
        ),
        (
            "Export",
            f"{hint('show_exports')}: choose the document, check “Save as”, press Export, "
            "then Open file or Open folder.",
        ),
    ]


def help_text() -> str:
    """Help ▸ Keyboard shortcuts: the shortcuts, then how to do the usual things (HTML)."""
    steps = "".join(
        f"<li><b>{html.escape(what)}</b>: {html.escape(how)}</li>" for what, how in how_to()
    )
    return f"{shortcut_help()}<p><b>How to</b></p><ol>{steps}</ol>"


def action_text(text: str) -> str:
    """``text`` as a menu entry shows it: "&" doubled, so that "Paris & Co" keeps its "&"
    instead of underlining the next letter."""
    return text.replace("&", "&&")


def build_menus(
    bar: QMenuBar, parent: QWidget, slot_for: Callable[[str], Callable[[], object] | None]
) -> dict[str, QAction | QMenu]:
    """Fill ``bar`` from ``MENUS``; ``slot_for(key)`` gives each action's slot.

    A key whose slot is None becomes a submenu (e.g. "Open recent"). Returns
    the actions and submenus by key.
    """
    made: dict[str, QAction | QMenu] = {}
    for title, specs in MENUS.items():
        menu = bar.addMenu(title)
        for spec in specs:
            if spec is SEPARATOR:
                menu.addSeparator()
                continue
            slot = slot_for(spec.key)
            if slot is None:
                made[spec.key] = menu.addMenu(spec.label)
                continue
            action = QAction(spec.label, parent)
            action.setShortcuts(spec.sequences())
            action.triggered.connect(lambda _checked=False, slot=slot: slot())
            menu.addAction(action)
            made[spec.key] = action
    return made
