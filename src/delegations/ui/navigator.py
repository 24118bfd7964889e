"""The side bar and the pages it shows: the four record lists and a delegation's workspace."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QSplitter, QStackedWidget, QWidget

from delegations.services import ServiceError
from delegations.ui import actions
from delegations.ui.delegation_workspace import DelegationWorkspace
from delegations.ui.forms import RecordDialog
from delegations.ui.page import Page
from delegations.ui.pages import LIST_PAGES as PAGE_NAMES
from delegations.ui.pages import WORKSPACE_PAGES
from delegations.ui.records import RecordPage, make_page
from delegations.ui.runner import ChangeEvent, Runner

LIST_PAGES = tuple(PAGE_NAMES.values())
WORKSPACE_ROW = len(LIST_PAGES)
SIDEBAR_STYLE = """
QListWidget#sidebar { background: #f3f4f6; border: none; padding-top: 8px; }
QListWidget#sidebar::item { padding: 7px 12px; border-radius: 4px; margin: 1px 6px; color: #1f2937; }
QListWidget#sidebar::item:selected { background: #dbe4f3; color: #111827; font-weight: bold; }
QListWidget#sidebar::item:hover:!selected { background: #e5e7eb; }
"""


class Navigator(QSplitter):
    """The side bar beside the page it selects.

    Args:
        runner: runs every edit of the pages.
        open_dialog: shows a dialog without blocking.
        confirm: asks a yes/no question (title, text) → yes?
        inform: shows a message (title, text).
        export_folder: where the workspace suggests export files.

    Signals:
        message(str): a line for the status bar.
        export_folder_used(object): the user exported into this folder.
        import_requested(object): import people from a spreadsheet (into this
            delegation id, or None).
        export_requested(object): export people (this delegation's attendees, or None:
            everybody) to a spreadsheet.
    """

    message = Signal(str)
    export_folder_used = Signal(object)
    import_requested = Signal(object)
    export_requested = Signal(object)

    def __init__(
        self,
        runner: Runner,
        open_dialog: Callable[[RecordDialog], RecordDialog],
        confirm: Callable[[str, str], bool],
        inform: Callable[[str, str], None],
        export_folder: Path,
    ) -> None:
        super().__init__(Qt.Orientation.Horizontal)
        self.runner = runner
        self.confirm = confirm
        self.inform = inform
        self.export_folder = export_folder
        self.setObjectName("main_splitter")
        self.sidebar = QListWidget()
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setAccessibleName("Sections")
        self.sidebar.setMinimumWidth(150)
        self.sidebar.setMaximumWidth(320)
        self.sidebar.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.sidebar.setStyleSheet(SIDEBAR_STYLE)
        self.stack = QStackedWidget()
        self.pages: dict[str, RecordPage] = {}
        names = list(PAGE_NAMES)
        for number, key in enumerate(LIST_PAGES, start=1):
            opener = self.open_delegation if key == "delegation" else None
            page = make_page(key, runner, open_dialog, confirm, inform, opener)
            self.pages[key] = page
            self.stack.addWidget(page)
            item = QListWidgetItem(page.title)
            item.setToolTip(f"{page.title} ({actions.keys(f'go:{names[number - 1]}')})")
            self.sidebar.addItem(item)
        people = self.pages["person"].add_button(
            "Import people…", "Import people from a spreadsheet"
        )
        people.clicked.connect(lambda: self.import_requested.emit(None))
        self._workspace: DelegationWorkspace | None = None
        self._placeholder = QWidget()
        self.stack.addWidget(self._placeholder)
        self.workspace_item = QListWidgetItem("Study visit")
        self.sidebar.addItem(self.workspace_item)
        self.workspace_item.setHidden(True)
        self.sidebar.currentRowChanged.connect(self._page_shown)
        self.addWidget(self.sidebar)
        self.addWidget(self.stack)
        self.setStretchFactor(1, 1)
        self.setCollapsible(1, False)
        self.setSizes([170, 1110])
        runner.changed.connect(self.apply)
        self.sidebar.setCurrentRow(0)

    # pages ----------------------------------------------------------------------
    def all_pages(self) -> list[Page]:
        found: list[Page] = list(self.pages.values())
        return [*found, self._workspace] if self._workspace is not None else found

    def current_page(self) -> Page | None:
        widget = self.stack.currentWidget()
        return widget if isinstance(widget, Page) else None

    def current_list_page(self) -> RecordPage | None:
        widget = self.stack.currentWidget()
        return widget if isinstance(widget, RecordPage) else None

    def _page_shown(self, row: int) -> None:
        self.stack.setCurrentIndex(row)
        page = self.current_page()
        if page is not None:
            page.activate()

    def apply(self, event: ChangeEvent) -> None:
        """Tell every page what changed; each redraws what it shows of it."""
        for page in self.all_pages():
            page.apply(event)

    def show_page(self, name: str) -> None:
        """Show a page by name; ``exports:badges`` shows the exports with badges chosen."""
        name, _sep, detail = name.partition(":")
        key = PAGE_NAMES.get(name, name)
        if key in LIST_PAGES:
            self.sidebar.setCurrentRow(LIST_PAGES.index(key))
            return
        if name not in WORKSPACE_PAGES:
            raise ValueError(f"no page '{name}'")
        if self.open_workspace() is None:
            self.pages["delegation"].activate()
            ids = self.pages["delegation"].model.ids()
            if not ids:
                self.message.emit("Open or create a delegation first.")
                return
            self.open_delegation(ids[0])
        self.sidebar.setCurrentRow(WORKSPACE_ROW)
        self.workspace.show_page(name)
        if name == "exports" and detail:
            self.workspace.exports.select_kind(detail)

    # the workspace ----------------------------------------------------------------
    @property
    def workspace(self) -> DelegationWorkspace:
        """The delegation workspace, built when first needed (keeps start-up fast)."""
        if self._workspace is None:
            workspace = DelegationWorkspace(
                self.runner, self.export_folder, self.confirm, self.inform
            )
            workspace.title_changed.connect(self._workspace_title)
            workspace.closed.connect(self._workspace_closed)
            workspace.exports.folder_used.connect(self.export_folder_used)
            workspace.attendees.import_requested.connect(self.import_requested)
            workspace.attendees.export_requested.connect(self.export_requested)
            current = self.stack.currentIndex()
            self.stack.removeWidget(self._placeholder)
            self.stack.insertWidget(WORKSPACE_ROW, workspace)
            self.stack.setCurrentIndex(current)
            self._workspace = workspace
        return self._workspace

    def open_workspace(self) -> DelegationWorkspace | None:
        """The workspace if a delegation is open in it."""
        w = self._workspace
        return w if w is not None and w.delegation is not None else None

    def open_delegation(self, delegation_id: int) -> None:
        """Open a delegation's workspace on its overview."""
        try:
            self.workspace.open(delegation_id)
        except ServiceError as exc:
            self.inform("Cannot open the delegation", str(exc))
            return
        self.workspace_item.setHidden(False)
        self.sidebar.setCurrentRow(WORKSPACE_ROW)

    def _workspace_title(self, title: str) -> None:
        self.workspace_item.setText(f"▸ {title}")
        self.workspace_item.setToolTip(title)

    def _workspace_closed(self) -> None:
        self.workspace_item.setHidden(True)
        if self.sidebar.currentRow() == WORKSPACE_ROW:
            self.sidebar.setCurrentRow(0)

    def chosen_delegation(self) -> int | None:
        """The delegation selected in the list, else the one open in the workspace."""
        page = self.current_list_page()
        if page is self.pages["delegation"] and page.selected_ids():
            return page.selected_ids()[0]
        workspace = self.open_workspace()
        return workspace.delegation_id if workspace is not None else None

    def open_dialogs(self) -> list[RecordDialog]:
        opened = self._workspace.open_dialogs() if self._workspace is not None else []
        return [d for d in opened if isinstance(d, RecordDialog)]

    def export_tasks_wait(self) -> None:
        if self._workspace is not None:
            self._workspace.exports.wait()
            self._workspace.packs.wait()
