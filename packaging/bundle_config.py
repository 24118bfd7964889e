"""What every platform's bundle holds: one list, read by the three PyInstaller specs.

``packaging/linux/delegations.spec``, ``packaging/windows/delegations.spec`` and
``packaging/macos/delegations.spec`` all build from this module: the same entry point
(``packaging/launcher.py``, the ``delegations`` console script), the same data files
laid out as in the wheel (``delegations/resources``, ``delegations/db``, the README),
the same hidden imports and the same exclusions. ``tests/test_packaging.py`` checks
that the specs use it and that it carries every resource.

This module imports nothing from PyInstaller, so the tests can read it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
ENTRY = ROOT / "packaging" / "launcher.py"
NAME = "delegations"
DISPLAY_NAME = "Delegations"
APP_ID = "delegations"  # the desktop entry's and the icon's name

# Folders copied whole (less caches), where ``delegations.resources`` finds them when
# frozen: beside the package's modules, as in an installed wheel.
DATA_DIRS = (("resources", "delegations/resources"), ("db", "delegations/db"))
# Help ▸ About links to it (``ui.prompts.readme_path``).
DATA_FILES = (("README.md", "delegations"),)

# Modules found only at run time: the commands' lazy imports (``cli._RUNTIME``) and
# what Alembic's environment and migrations (data files, not analysed) import.
HIDDEN_PACKAGES = ("delegations", "holidays")
# Packages whose data files are read at run time: holidays' translations (the
# holiday names in English, ``services.availability``).
DATA_PACKAGES = ("holidays",)
HIDDEN_IMPORTS = (
    "alembic.context",
    "alembic.op",
    "alembic.runtime.migration",
    "sqlite3",
    # zone.tab and iso3166.tab (services.places), and zoneinfo where the system has none.
    "tzdata",
)

# Never used: the Qt modules other than QtCore, QtGui and QtWidgets (and their
# plugins' libraries), Tk, and the test and development tools.
EXCLUDES = (
    "tkinter",
    "_tkinter",
    "PySide6.Qt3DAnimation",
    "PySide6.Qt3DCore",
    "PySide6.QtBluetooth",
    "PySide6.QtCharts",
    "PySide6.QtConcurrent",
    "PySide6.QtDataVisualization",
    "PySide6.QtDesigner",
    "PySide6.QtHelp",
    "PySide6.QtMultimedia",
    "PySide6.QtNetwork",
    "PySide6.QtOpenGL",
    "PySide6.QtOpenGLWidgets",
    "PySide6.QtPdf",
    "PySide6.QtPrintSupport",
    "PySide6.QtQml",
    "PySide6.QtQuick",
    "PySide6.QtQuickWidgets",
    "PySide6.QtSql",
    "PySide6.QtSvg",
    "PySide6.QtSvgWidgets",
    "PySide6.QtTest",
    "PySide6.QtUiTools",
    "PySide6.QtWebEngineCore",
    "PySide6.QtXml",
    "pytest",
    "pytestqt",
    "hypothesis",
    "mypy",
    "ruff",
    "IPython",
    "numpy",
)

# Files of the PySide6 wheel the application never loads: Qt plugins and libraries
# that only the excluded modules need (matched against the bundled path).
DROP_BINARIES = (
    "libQt6Network",
    "libQt6Qml",
    "libQt6Quick",
    "libQt6Pdf",
    "libQt6OpenGL.",
    "libQt6VirtualKeyboard",
    "/qml/",
    "/networkinformation/",
    "/tls/",
    "/position/",
    "/sqldrivers/",
    "/multimedia/",
    "/designer/",
    "/platforminputcontexts/libqtvirtualkeyboardplugin",
    # Qt's own translations (7 MB): the application installs no QTranslator.
    "/translations/",
)


def data_files() -> list[tuple[str, str]]:
    """(source file, destination folder in the bundle) for every data file."""
    found: list[tuple[str, str]] = []
    for folder, target in DATA_DIRS:
        base = ROOT / folder
        for path in sorted(base.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                relative = path.parent.relative_to(base)
                found.append((str(path), str(Path(target) / relative)))
    found.extend((str(ROOT / name), target) for name, target in DATA_FILES)
    return found


def analysis_options(
    collect_submodules: Callable[[str], list[str]],
    collect_data_files: Callable[[str], list[tuple[str, str]]],
    copy_metadata: Callable[[str], list[tuple[str, str]]],
) -> dict[str, Any]:
    """The arguments of every spec's ``Analysis`` (given PyInstaller's hook helpers)."""
    hidden = list(HIDDEN_IMPORTS)
    for package in HIDDEN_PACKAGES:
        hidden += collect_submodules(package)
    datas = data_files() + copy_metadata(NAME)
    for package in DATA_PACKAGES:
        datas += collect_data_files(package)
    return {
        "scripts": [str(ENTRY)],
        "pathex": [str(SRC)],
        "datas": datas,
        "hiddenimports": hidden,
        "excludes": list(EXCLUDES),
        "noarchive": False,
    }


def keep_binary(destination: str) -> bool:
    """False for a file of ``DROP_BINARIES``."""
    path = "/" + destination.replace("\\", "/")
    return not any(part in path for part in DROP_BINARIES)


# Linux: the GTK 3 platform theme would bring GTK, Cairo, Pango… of the build machine
# (30 MB) into the bundle, where they can disagree with the user's own; Qt then uses
# its own dialogs and style, or the XDG desktop portal's.
LINUX_DROP_PLUGINS = (
    "/platformthemes/libqgtk3",
    # Platforms for embedded devices and remote screens (no desktop session): a desktop
    # runs xcb or wayland; offscreen and minimal stay for scripts and checks.
    "/platforms/libqeglfs",
    "/platforms/libqlinuxfb",
    "/platforms/libqminimalegl",
    "/platforms/libqvkkhrdisplay",
    "/platforms/libqvnc",
    "/egldeviceintegrations/",
    "/generic/",
)


def without_plugins(
    binaries: list[tuple[str, str, str]],
    dropped: Sequence[str],
    imports: Callable[[str], Iterable[tuple[str, str | None]]],
) -> list[tuple[str, str, str]]:
    """``binaries`` (PyInstaller's TOC: destination, source, kind) less the plugins
    matching ``dropped`` and the libraries that only they need.

    ``imports(source)`` lists a binary's shared libraries, all of them, as ``ldd``
    does (``PyInstaller.depend.bindepend.get_imports``).
    """
    plugins = [b for b in binaries if any(d in "/" + b[0] for d in dropped)]
    theirs = {Path(name).name for b in plugins for name, _ in imports(b[1])}
    others = [b for b in binaries if b not in plugins and Path(b[0]).name not in theirs]
    needed = {Path(name).name for b in others for name, _ in imports(b[1])}
    gone = theirs - needed
    return [
        b
        for b in others + [b for b in binaries if Path(b[0]).name in theirs]
        if b not in plugins and Path(b[0]).name not in gone
    ]


def version() -> str:
    """The version of the installed ``delegations`` package (pyproject.toml's)."""
    from importlib.metadata import version as installed

    return installed(NAME)
