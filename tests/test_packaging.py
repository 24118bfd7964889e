"""What the installers are built from: desktop entry, metainfo, icons, bundle specs.

Fast checks that always run. ``make bundle-check`` (run by ``.ci/run``) builds the
Linux bundle and runs it from outside the checkout; see packaging/README.md.
"""

from __future__ import annotations

import ast
import configparser
import importlib.util
import shutil
import struct
import subprocess
import tomllib
import xml.etree.ElementTree as ET
from importlib.metadata import version
from pathlib import Path
from types import ModuleType

import pytest

import delegations
from delegations.cli import main

ROOT = Path(__file__).resolve().parents[1]
PACKAGING = ROOT / "packaging"
LINUX = PACKAGING / "linux"
DESKTOP = LINUX / "delegations.desktop"
METAINFO = LINUX / "org.delegations.Delegations.metainfo.xml"
ICONS = ROOT / "resources" / "icons"
SPECS = [PACKAGING / kind / "delegations.spec" for kind in ("linux", "windows", "macos")]


def bundle_config() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bundle_config", PACKAGING / "bundle_config.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def constant(path: Path, name: str) -> object:
    """A module-level constant of ``path``, read without importing it (no Qt)."""
    for node in ast.parse(path.read_text("utf-8")).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            return ast.literal_eval(node.value)
    raise AssertionError(f"no {name} in {path}")


def desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(DESKTOP, encoding="utf-8")
    return parser["Desktop Entry"]


def project_version() -> str:
    return str(tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["version"])


def test_the_version_is_written_once_and_read_from_the_package_metadata(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert delegations.__version__ == version("delegations") == project_version()
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"delegations {project_version()}"


def test_the_metainfo_names_the_desktop_entry_and_this_version_as_newest_release() -> None:
    component = ET.parse(METAINFO).getroot()
    assert component.get("type") == "desktop-application"
    assert METAINFO.name == f"{component.findtext('id')}.metainfo.xml"
    assert component.findtext("launchable[@type='desktop-id']") == DESKTOP.name
    assert component.findtext("provides/binary") == "delegations"
    releases = component.findall("releases/release")
    assert releases, "no <release>"
    assert releases[0].get("version") == delegations.__version__, (
        "the newest <release> of the metainfo is not pyproject.toml's version: add one"
    )
    categories = {c.text for c in component.findall("categories/category")}
    assert categories <= set(desktop_entry()["Categories"].strip(";").split(";"))


def test_the_desktop_entry_starts_the_program_with_its_icon() -> None:
    entry = desktop_entry()
    assert entry["Type"] == "Application"
    assert entry["Name"] == "Delegations"
    assert entry["Exec"] == "delegations"  # install.sh writes the installed path
    assert (
        entry["Icon"]
        == DESKTOP.stem
        == constant(ROOT / "src/delegations/ui/about.py", "DESKTOP_ID")
    )
    assert entry["Terminal"] == "false"


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", path
    return struct.unpack(">II", data[16:24])


def test_every_icon_size_is_rendered_from_the_svg() -> None:
    sizes = constant(PACKAGING / "render_icons.py", "SIZES")
    assert sizes == constant(ROOT / "src/delegations/ui/about.py", "ICON_SIZES")
    assert isinstance(sizes, tuple) and {16, 32, 48, 256, 512} <= set(sizes)
    root = ET.parse(ICONS / "delegations.svg").getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    for size in sizes:
        png = ICONS / f"delegations-{size}.png"
        assert png_size(png) == (size, size)
    ico = (PACKAGING / "windows" / "delegations.ico").read_bytes()
    assert struct.unpack("<HHH", ico[:6])[:2] == (0, 1) and struct.unpack("<H", ico[4:6])[0] >= 5
    icns = (PACKAGING / "macos" / "delegations.icns").read_bytes()
    assert icns[:4] == b"icns" and struct.unpack(">I", icns[4:8])[0] == len(icns)


def test_the_bundles_carry_what_the_wheel_carries() -> None:
    """Every spec builds from bundle_config: one entry point, the same data files,
    laid out as in the wheel (where delegations.resources finds them when frozen)."""
    config = bundle_config()
    wheel = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["hatch"]["build"][
        "targets"
    ]["wheel"]["force-include"]
    assert dict(config.DATA_DIRS) == wheel
    carried = {str(Path(target) / Path(source).name) for source, target in config.data_files()}
    for folder, target in config.DATA_DIRS:
        for path in (ROOT / folder).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                assert str(Path(target) / path.relative_to(ROOT / folder)) in carried, path
    assert "delegations/README.md" in carried  # Help ▸ About links to it
    assert "delegations/resources/icons/delegations-48.png" in carried
    entry = config.ENTRY.read_text("utf-8")
    assert "from delegations.cli import main" in entry and "freeze_support()" in entry
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["scripts"]
    assert scripts == {"delegations": "delegations.cli:main"}
    for spec in SPECS:
        text = spec.read_text("utf-8")
        assert "Analysis(**config.analysis_options(" in text, spec
        assert "a.datas = [entry for entry in a.datas if config.keep_binary(entry[0])]" in text
        ast.parse(text)
    assert config.keep_binary("PySide6/Qt/lib/libQt6Widgets.so.6")
    assert not config.keep_binary("PySide6/Qt/lib/libQt6Qml.so.6")


def test_the_installers_use_the_same_names() -> None:
    iss = (PACKAGING / "windows" / "delegations.iss").read_text("utf-8")
    windows = (PACKAGING / "windows" / "delegations.spec").read_text("utf-8")
    assert "name=config.DISPLAY_NAME" in windows and "Delegations.exe" in iss
    assert "dist\\Delegations\\*" in iss and "AppVersion={#AppVersion}" in iss
    assert "Delegations.app" in (PACKAGING / "macos" / "build.sh").read_text("utf-8")
    for script in (LINUX / "install.sh", ROOT / "scripts" / "build_bundle.sh"):
        subprocess.run(["sh", "-n", str(script)], check=True)
    install = (LINUX / "install.sh").read_text("utf-8")
    assert METAINFO.name in install and DESKTOP.name in install


def test_desktop_file_validate_accepts_the_desktop_entry() -> None:
    tool = shutil.which("desktop-file-validate")
    if tool is None:
        pytest.skip("desktop-file-validate is missing (Debian package desktop-file-utils)")
    result = subprocess.run([tool, str(DESKTOP)], capture_output=True, text=True)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout


def test_appstreamcli_validates_the_metainfo() -> None:
    tool = shutil.which("appstreamcli")
    if tool is None:
        pytest.skip("appstreamcli is missing (Debian package appstream)")
    result = subprocess.run(
        [tool, "validate", "--no-net", str(METAINFO)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
