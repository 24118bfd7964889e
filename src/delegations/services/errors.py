"""Errors that services raise; each message is written for a project officer."""

from __future__ import annotations

from collections.abc import Mapping


class ServiceError(Exception):
    """An expected failure of a use case (the message is shown as is)."""


class ValidationError(ServiceError):
    """One or more fields are wrong. Nothing was written.

    Attributes:
        errors: field name (or location such as ``agenda[3].ends_at``) → message.
    """

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{field}: {message}" for field, message in self.errors.items()))


class NotFound(ServiceError):
    """No record matches."""


class Ambiguous(ServiceError):
    """Several records match a name; ``candidates`` lists them."""

    def __init__(self, what: str, ref: str, candidates: list[str]) -> None:
        self.candidates = candidates
        listing = "; ".join(candidates[:10]) + ("; …" if len(candidates) > 10 else "")
        super().__init__(f"'{ref}' matches {len(candidates)} {what}: {listing}")


class InUse(ServiceError):
    """A record cannot be deleted because others refer to it."""
