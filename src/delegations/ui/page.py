"""What the main window knows of a page: one small protocol, no if-chains.

Adding a page means writing a widget with these methods and listing it; the
window's menus (New, Edit, Delete, Find) and the runner's change broadcast
reach it through this protocol only.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from delegations.ui.runner import ChangeEvent


@runtime_checkable
class Page(Protocol):
    """A page of the main window."""

    def activate(self) -> None:
        """The page is shown: read what it shows if it never did."""

    def apply(self, event: ChangeEvent) -> None:
        """Data changed: redraw what the change touches (and nothing else)."""

    def new(self) -> None:
        """Edit ▸ New (Ctrl+N) on this page."""

    def edit(self) -> None:
        """Edit ▸ Edit (F2): the selected record."""

    def delete(self) -> None:
        """Edit ▸ Delete (Delete): the selected records, after asking."""

    def focus_filter(self) -> None:
        """Edit ▸ Find (Ctrl+F): the page's filter box, if it has one."""
