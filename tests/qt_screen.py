"""The screen GUI tests run on."""

from __future__ import annotations

from pathlib import Path


def offscreen_platform() -> str:
    """Offscreen, on a 1920×1080 screen (the plugin's default is 800×800, smaller than
    the window; tests that need a small screen say so themselves)."""
    import json
    import tempfile

    config = Path(tempfile.gettempdir()) / "delegations-test-screen.json"
    screen = {"name": "test", "x": 0, "y": 0, "width": 1920, "height": 1080}
    config.write_text(json.dumps({"screens": [{**screen, "logicalDpi": 96, "dpr": 1}]}))
    return f"offscreen:configfile={config}"
