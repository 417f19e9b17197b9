"""What the commands share: the ``--db`` option, settings from it, dates, and the engine.

The database adapters are imported when a command runs, not when the CLI starts.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from madoguchi.config import Settings
from madoguchi.errors import BadInput

if TYPE_CHECKING:
    from madoguchi.adapters.db.connect import Engine

Db = Annotated[str | None, typer.Option(
    "--db", envvar="MADOGUCHI_DATABASE_URL", show_envvar=True, metavar="URL",
    help="Database URL: sqlite:///path/to/file.db or postgresql://user@host/db "
         "(default: sqlite:///var/madoguchi.db).")]

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def settings_of(db: str | None) -> Settings:
    return Settings(database_url=db) if db else Settings()


def parse_date(value: str, option: str) -> dt.date:
    """A JST business date written YYYY-MM-DD."""
    try:
        if _DATE.fullmatch(value.strip()):
            return dt.date.fromisoformat(value.strip())
    except ValueError:
        pass
    raise BadInput(f"{option}: {value!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-11-02")


def shown(url: str) -> str:
    """The database URL as it may be printed (no password)."""
    from madoguchi.adapters.db.connect import shown_url
    return shown_url(url)


@contextmanager
def open_engine(settings: Settings) -> Iterator[Engine]:
    from madoguchi.adapters.db.engine import make_engine
    engine = make_engine(settings.database_url)
    try:
        yield engine
    finally:
        engine.dispose()


def existing_db(settings: Settings) -> Engine:
    """An engine on a database that already has madoguchi's tables (commands that only read)."""
    from madoguchi.adapters.db.connect import has_tables
    from madoguchi.adapters.db.engine import make_engine
    path = settings.sqlite_path()
    if path is not None and not path.exists():
        raise BadInput(f"no database at {path}; create it with `madoguchi init-db`")
    engine = make_engine(settings.database_url)
    if not has_tables(engine):
        engine.dispose()
        raise BadInput(f"{shown(settings.database_url)} has no madoguchi tables; run `madoguchi init-db` first")
    return engine


def read_file(path: Path, option: str) -> str:
    """The text of a file given to ``option`` (a byte-order mark dropped), or an error naming it."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise BadInput(f"{option}: cannot read {path}: {exc.strerror}") from None


def parse_json(text: str, source: str) -> Any:
    """``text`` as JSON, or an error naming ``source`` and the line and column where it is wrong."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInput(f"{source}: not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
