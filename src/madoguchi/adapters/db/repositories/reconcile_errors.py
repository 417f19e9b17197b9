"""A database that refused or could not be reached, as the close of month's command reports it.

The command line runs the close of month outside any web request: a database error there is
a message and exit code 1, not a traceback. Only this adapter knows what such an error is.
"""
from __future__ import annotations

from sqlalchemy.exc import DBAPIError


def database_failure(exc: BaseException) -> str | None:
    """The first line of the database's own reason, if ``exc`` is a database error; else ``None``."""
    if not isinstance(exc, DBAPIError):
        return None
    return str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
