"""Use cases that join the database (services) and the files (exports), so that the
command line and the window do them the same way. No Qt here."""
