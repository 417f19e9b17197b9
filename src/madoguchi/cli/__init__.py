"""The ``madoguchi`` command: serve, init-db, create-staff, simulate-day, verify-journal, keys, backup, export.

Every command takes ``--db URL`` (else ``MADOGUCHI_DATABASE_URL``, else the settings'
default SQLite file under ./var/). Commands are thin: they parse, call a service and
print. Expected failures (:class:`~madoguchi.errors.MadoguchiError`) become
``error: <message>`` on stderr with exit code 2 in exactly one place,
:meth:`_Commands.invoke`; a database that cannot be reached exits with 1.
"""
from __future__ import annotations

import os
import sys
import time
from contextlib import suppress
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from madoguchi.cli.audit import export_journal_command, verify_export_command, verify_receipt_command
from madoguchi.cli.cash import cash_app
from madoguchi.cli.close import close_day_command
from madoguchi.cli.common import Db, existing_db, open_engine, parse_date, settings_of, shown
from madoguchi.cli.journal import keys_app, verify_journal_command
from madoguchi.cli.outcomes import outcomes_command
from madoguchi.cli.plan import plan_command
from madoguchi.cli.purge import purge_command
from madoguchi.cli.reconcile import reconcile_command
from madoguchi.errors import BadInput, MadoguchiError

if TYPE_CHECKING:
    # typer runs on its own copy of click: its Context is the one TyperGroup.invoke takes.
    from typer._click.core import Context


class _Commands(TyperGroup):
    """The one place where expected failures become a message and an exit code."""

    def invoke(self, ctx: Context) -> Any:
        from madoguchi.adapters.db.connect import BadUrl, DatabaseError, refusal
        try:
            return super().invoke(ctx)
        except MadoguchiError as exc:
            typer.echo(f"error: {exc.message}", err=True)
            raise typer.Exit(2) from None
        except BadUrl as exc:  # a --db URL that cannot be read
            typer.echo(f"error: --db: {exc}", err=True)
            raise typer.Exit(2) from None
        except DatabaseError as exc:
            typer.echo(f"error: the database refused or could not be reached: {refusal(exc)}", err=True)
            raise typer.Exit(1) from None


app = typer.Typer(cls=_Commands, name="madoguchi", no_args_is_help=True, add_completion=False,
                  pretty_exceptions_show_locals=False,
                  help="madoguchi: the cash desk of a city hall counter (fees, payment stations, journal).")
export_app = typer.Typer(cls=_Commands, no_args_is_help=True, help="Export records for accounting.")
app.add_typer(export_app, name="export")

# --- commands ----------------------------------------------------------------------
@app.command()
def serve(host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
          port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
          demo: Annotated[bool | None, typer.Option(
              "--demo/--no-demo", help="Demo mode: demo staff, simulator panel. Default: MADOGUCHI_DEMO.")] = None,
          db: Db = None) -> None:
    """Run the HTTP API (and the screens) with uvicorn."""
    import uvicorn
    # The app factory reads its settings from the environment, in this process and in reloads.
    if db:
        os.environ["MADOGUCHI_DATABASE_URL"] = db
    if demo is not None:
        os.environ["MADOGUCHI_DEMO"] = "true" if demo else "false"
    from madoguchi.web.events import Server  # ends the screens' event streams on Ctrl-C / SIGTERM

    config = uvicorn.Config("madoguchi.app:app_from_env", factory=True, host=host, port=port,
                            timeout_graceful_shutdown=5)
    with suppress(KeyboardInterrupt):
        Server(config).run()


@app.command("init-db")
def init_db(demo: Annotated[bool, typer.Option(
                "--demo", help="Also create the demo staff accounts and print their credentials.")] = False,
            db: Db = None) -> None:
    """Create or upgrade the database schema (Alembic migrations) and the payment stations."""
    from madoguchi.bootstrap import build_runtime, ensure_demo_staff
    from madoguchi.services.runtime import DeviceRegistry
    settings = settings_of(db)
    with open_engine(settings) as engine:
        rt = build_runtime(settings, engine=engine, devices=DeviceRegistry({}))
        typer.echo(f"database ready: {shown(settings.database_url)} (schema up to date, "
                   f"{len(rt.places.payment_stations)} payment stations at {len(rt.places.sites)} sites)")
        if demo:
            typer.echo("demo staff accounts (demo use only; change them for real use):")
            for login, role, password in ensure_demo_staff(rt):
                typer.echo(f"  {login:<12} {role:<11} {password}")


@app.command("create-staff")
def create_staff(login: Annotated[str, typer.Option(help="Login name (ASCII).")],
                 name: Annotated[str, typer.Option(help="Display name, e.g. 窓口 花子.")],
                 role: Annotated[str, typer.Option(help="cashier, supervisor, accountant or admin.")],
                 site: Annotated[list[str], typer.Option(help="Site code the person serves (repeat; * for all).")],
                 password_stdin: Annotated[bool, typer.Option(
                     "--password-stdin", help="Read the password from the first line of stdin.")] = False,
                 db: Db = None) -> None:
    """Create a staff account; the password is asked for (hidden) or read from stdin."""
    from madoguchi.bootstrap import build_runtime
    from madoguchi.services.runtime import DeviceRegistry
    from madoguchi.services.staff.accounts import create_staff as create
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    settings = settings_of(db)
    with open_engine(settings) as engine:
        rt = build_runtime(settings, engine=engine, devices=DeviceRegistry({}))
        actor = create(rt, login=login, display_name=name, role=role, sites=site, password=password)
    typer.echo(f"created {actor.login} ({actor.role.value}) for {', '.join(sorted(actor.sites))}")


@app.command("simulate-day")
def simulate_day(date: Annotated[str, typer.Option(metavar="YYYY-MM-DD", help="Business day (JST).")],
                 sales: Annotated[int, typer.Option(metavar="N", help="Residents served over the day.")],
                 seed: Annotated[int, typer.Option(metavar="S", help="Same seed on a fresh database, same day.")],
                 site: Annotated[str | None, typer.Option(
                     metavar="CODE", help="Only this site (default: all).")] = None,
                 cashless_share: Annotated[float, typer.Option(help="Share paying cashless.")] = 0.2,
                 fault_rate: Annotated[float, typer.Option(help="Share of sales that meet a fault.")] = 0.02,
                 db: Db = None) -> None:
    """Run one business day through the real services with simulated devices, then summarise it."""
    from madoguchi.bootstrap import sim_runtime
    from madoguchi.services.sim.simulate import simulate_day as simulate
    day = parse_date(date, "--date")
    started = time.perf_counter()
    settings = settings_of(db)
    with open_engine(settings) as engine:
        rt, clock = sim_runtime(settings, day=day, engine=engine)
        summary = simulate(rt, clock, day=day, sales=sales, seed=seed, site=site,
                           cashless_share=cashless_share, fault_rate=fault_rate)
    for line in summary.lines():
        typer.echo(line)
    typer.echo(f"simulated in {time.perf_counter() - started:.1f} s")


@app.command("backup")
def backup(to: Annotated[Path, typer.Option("--to", metavar="FILE", help="The copy to write (must not exist yet).")],
           db: Db = None) -> None:
    """Copy the embedded SQLite database while it is in use, and verify the copy's journal.

    PostgreSQL is backed up with its own tools (pg_dump; see docs/deployment.md).
    """
    from madoguchi.services.journal.backup import backup_sqlite
    settings = settings_of(db)
    source = settings.sqlite_path()
    if source is None:
        raise BadInput("backup copies the embedded SQLite database; back up PostgreSQL with pg_dump "
                       "(docs/deployment.md), then run verify-journal on the restored copy")
    existing_db(settings).dispose()  # there, and a madoguchi database
    result = backup_sqlite(source, to)
    if result.broken is None:
        typer.echo(f"backup written: {to} (journal OK: {result.entries} entries)")
        return
    typer.echo(f"backup written: {to}, but its journal is BROKEN at entry #{result.broken.seq}: "
               f"{result.broken.reason} (as in the database itself)")
    raise typer.Exit(1)


class ExportFormat(StrEnum):
    csv = "csv"
    json = "json"


@export_app.command("payments")
def export_payments(date_from: Annotated[str, typer.Option(
                        "--from", metavar="YYYY-MM-DD", help="First business day (JST).")],
                    date_to: Annotated[str, typer.Option(
                        "--to", metavar="YYYY-MM-DD", help="Last business day (JST), included.")],
                    fmt: Annotated[ExportFormat, typer.Option("--format", help="csv or json.")] = ExportFormat.csv,
                    out: Annotated[Path | None, typer.Option(
                        help="Write to this file (UTF-8) instead of stdout.")] = None,
                    db: Db = None) -> None:
    """One row per payment: our and the processor's reference, where, brand, amount, status, time."""
    from madoguchi.adapters.db.uow import make_uow_factory
    from madoguchi.adapters.files.writing import write_text
    from madoguchi.services.close.export import payment_rows, to_csv, to_json
    first, last = parse_date(date_from, "--from"), parse_date(date_to, "--to")
    engine = existing_db(settings_of(db))
    try:
        rows = payment_rows(make_uow_factory(engine), date_from=first, date_to=last)
    finally:
        engine.dispose()
    text = to_csv(rows) if fmt is ExportFormat.csv else to_json(rows)
    if out is None:
        sys.stdout.write(text)
        return
    try:
        write_text(out, text)
    except OSError as exc:
        raise BadInput(f"--out: cannot write {out}: {exc.strerror}") from None
    typer.echo(f"{len(rows)} payments written to {out}", err=True)


# The closes live in their own modules.
app.command("close-day")(close_day_command)
app.command("reconcile")(reconcile_command)
app.add_typer(cash_app, name="cash")
# The signed journal's commands (verify-journal, keys init|rotate) live in cli/journal.py.
app.command("verify-journal")(verify_journal_command)
app.add_typer(keys_app, name="keys")
app.command("purge")(purge_command)
# Receipt codes and the auditor's export (cli/audit.py).
app.command("verify-receipt")(verify_receipt_command)
export_app.command("journal")(export_journal_command)
app.command("verify-export")(verify_export_command)
app.command("plan")(plan_command)  # the capacity planner (cli/plan.py)
app.command("outcomes")(outcomes_command)  # the city's outcomes (cli/outcomes.py)
