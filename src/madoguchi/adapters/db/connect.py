"""What the edges (the command line, start-up) need to open and check a database without
speaking SQL themselves: the engine's type, whether a database has madoguchi's tables,
its URL fit to show, and the errors that mean a bad URL or an unreachable database."""
from __future__ import annotations

from sqlalchemy import Engine, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from madoguchi.adapters.db.engine import normalise_url

__all__ = ["BadUrl", "DatabaseError", "Engine", "has_tables", "refusal", "shown_url"]

#: A database URL that cannot be read.
BadUrl = ArgumentError
#: The database refused, or could not be reached.
DatabaseError = DBAPIError


def shown_url(url: str) -> str:
    """``url`` as it may be printed: the password hidden."""
    return make_url(normalise_url(url)).render_as_string(hide_password=True)


def has_tables(engine: Engine) -> bool:
    """Whether the database has madoguchi's tables (its journal)."""
    return inspect(engine).has_table("journal")


def refusal(exc: DBAPIError) -> str:
    """The first line of the database's own reason."""
    return str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
