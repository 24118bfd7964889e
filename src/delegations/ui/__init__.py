"""The desktop application (PySide6). The only package that imports Qt.

``delegations.ui.app.run`` is the composition root: paths → Database → main window.
"""
