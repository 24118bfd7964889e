"""Delegations: plan study visits."""

from importlib.metadata import PackageNotFoundError, version


def _version() -> str:
    """The installed package's version (pyproject.toml's, the one place it is written).

    Without package metadata (a source tree on ``sys.path``, never installed) it is
    read from the checkout's pyproject.toml, else ``0+unknown``.
    """
    try:
        return version("delegations")
    except PackageNotFoundError:
        from pathlib import Path

        pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
        try:
            import tomllib

            return str(tomllib.loads(pyproject.read_text("utf-8"))["project"]["version"])
        except (OSError, ValueError, KeyError):
            return "0+unknown"


__version__ = _version()
