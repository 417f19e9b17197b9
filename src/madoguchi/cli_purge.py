"""``madoguchi purge``: delete login attempts and ended sessions older than the retention
(``MADOGUCHI_LOGIN_RETENTION_DAYS``, 30 by default). The server does the same at start-up and
now and then at a login; this is for a server that runs for months, from cron.

:func:`purge_command` is a plain function with Typer annotations, registered on the main
``madoguchi`` app (whose group turns an expected failure into ``error: ...`` and exit 2).
"""
from __future__ import annotations

from typing import Annotated

import typer

from madoguchi.config import Settings


def purge_command(
    db: Annotated[str | None, typer.Option(
        "--db", envvar="MADOGUCHI_DATABASE_URL", metavar="URL",
        help="Database URL (default: sqlite:///var/madoguchi.db).")] = None,
) -> None:
    """Delete login attempts and ended sessions older than the retention."""
    from madoguchi.adapters.db.engine import make_engine
    from madoguchi.bootstrap import build_runtime
    from madoguchi.services.runtime import DeviceRegistry
    from madoguchi.services.staff.login_guard import purge
    settings = Settings(database_url=db) if db else Settings()
    engine = make_engine(settings.database_url)
    try:
        done = purge(build_runtime(settings, engine=engine, devices=DeviceRegistry({})))
    finally:
        engine.dispose()
    typer.echo(f"deleted {done.login_attempts} login attempts and {done.sessions} ended sessions "
               f"older than {settings.login_retention_days} days (before {done.before:%Y-%m-%d %H:%M} UTC)")
