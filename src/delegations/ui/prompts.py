"""The window's default questions, messages and file choosers (tests inject their own)."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget


def ask(parent: QWidget, title: str, text: str) -> bool:
    """A yes/no question; No is the default."""
    yes, no = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No
    return QMessageBox.question(parent, title, text, yes | no, no) == yes


def ask_save(parent: QWidget, title: str, text: str) -> str:
    """Save / Discard / Cancel: "save", "discard" or "cancel"."""
    buttons = QMessageBox.StandardButton
    answer = QMessageBox.question(
        parent, title, text, buttons.Save | buttons.Discard | buttons.Cancel, buttons.Save
    )
    return {buttons.Save: "save", buttons.Discard: "discard"}.get(answer, "cancel")


def tell(
    parent: QWidget | None,
    title: str,
    text: str,
    icon: QMessageBox.Icon = QMessageBox.Icon.Information,
) -> None:
    """A message; HTML (help, About) is shown formatted with working links, any
    other text as it is (a "<" in a message is not taken for a tag)."""
    box = QMessageBox(icon, title, "", QMessageBox.StandardButton.Ok, parent)
    rich = text.lstrip().startswith("<")
    box.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
    box.setText(text)
    box.exec()


def warn(parent: QWidget | None, title: str, text: str) -> None:
    """A message saying what went wrong or was refused: ``tell`` with the warning icon."""
    tell(parent, title, text, QMessageBox.Icon.Warning)


def choose_file(parent: QWidget, caption: str, start: str, filters: str, save: bool) -> str:
    """A file to save to (``save``) or to open; "" when cancelled."""
    pick = QFileDialog.getSaveFileName if save else QFileDialog.getOpenFileName
    path, _ = pick(parent, caption, start, filters)
    return str(path)


def readme_path() -> Path:
    """The documentation: the README installed with the package if there is one, else
    the project's README (a source checkout: ``src/delegations/../../README.md``)."""
    import delegations

    package = Path(delegations.__file__).resolve().parent
    installed, project = package / "README.md", package.parent.parent / "README.md"
    return installed if installed.is_file() else project


def about_text(db_path: Path) -> str:
    """Help ▸ About (HTML): the version, a link to the documentation, the database."""
    from delegations import __version__

    readme = readme_path()
    link = QUrl.fromLocalFile(str(readme)).toString()
    return (
        f"<p><b>Delegations {html.escape(__version__)}</b></p>"
        "<p>Plan study visits: delegations, hosts, venues, people and agendas.</p>"
        f'<p>Documentation: <a href="{html.escape(link)}">{html.escape(readme.name)}</a>'
        f" ({html.escape(str(readme))})</p>"
        f"<p>Database: {html.escape(str(db_path))}</p>"
    )
