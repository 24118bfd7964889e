"""The names of the window's pages (side bar and delegation tabs), shared by modules."""

from __future__ import annotations

LIST_PAGES = {
    "delegations": "delegation",
    "people": "person",
    "organisations": "organisation",
    "venues": "venue",
}
"""Page name → record kind of the side bar's tables, in side bar order."""

WORKSPACE_PAGES = ("overview", "attendees", "agenda", "checks", "exports", "packs")
"""The tabs of a delegation's workspace, in order."""
