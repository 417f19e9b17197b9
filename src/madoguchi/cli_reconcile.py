"""``madoguchi reconcile``: the close of month from the command line.

A plain function with Typer-annotated parameters, registered by ``cli.py`` as
``app.command("reconcile")(reconcile_command)``. Findings are results (exit 0);
bad input (a malformed statement, an unknown month, a missing file) is a message on
stderr and exit code 2, a database that cannot be reached exit code 1.
"""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from madoguchi.domain.auth import ALL_SITES, Actor, Role
from madoguchi.domain.reconcile import CLASS_LABELS_JA, MatchClass
from madoguchi.errors import MadoguchiError, PrinterError

#: Who the CLI acts as: the accounting section, with the statement as its authority.
CLI_ACTOR = Actor("reconcile-cli", Role.ADMIN, frozenset({ALL_SITES}))


class _NoPrinter:
    """Receipts of payments the statement settles wait, pending, for a station to print them."""

    device_id = "none"

    def status(self):  # type: ignore[no-untyped-def]
        raise PrinterError("no printer in the reconcile command")

    def print_bytes(self, data: bytes) -> None:
        raise PrinterError("printed later at the counter (resolved at the close of month)")


def _runtime(db: str | None):  # type: ignore[no-untyped-def]
    from madoguchi.adapters.db.engine import make_engine
    from madoguchi.adapters.devices.ports import StationDevices
    from madoguchi.adapters.files.toml_files import load_places
    from madoguchi.bootstrap import build_runtime
    from madoguchi.config import Settings
    from madoguchi.services.runtime import DeviceRegistry
    settings = Settings(database_url=db) if db else Settings()
    path = settings.sqlite_path()
    if path is not None and not path.exists():
        raise MadoguchiError(f"no database at {path}; create it with `madoguchi init-db`")
    places = load_places(settings.places_path)
    devices = DeviceRegistry({p.id: StationDevices(None, None, _NoPrinter())  # type: ignore[arg-type]
                              for p in places.payment_stations})
    engine = make_engine(settings.database_url)
    return build_runtime(settings, engine=engine, devices=devices), engine


def reconcile_command(
    month: Annotated[str, typer.Option("--month", metavar="YYYY-MM", help="The month to close.")],
    statement: Annotated[list[Path], typer.Option(
        "--statement", metavar="FILE", help="The agent's collection statement (repeat for several).")],
    out: Annotated[Path, typer.Option("--out", metavar="report.xlsx", help="The workbook to write.")],
    json_out: Annotated[Path | None, typer.Option(
        "--json", metavar="summary.json", help="Also write the summary as JSON.")] = None,
    mapping: Annotated[Path | None, typer.Option(
        "--mapping", metavar="FILE.toml", help="Layout of another agent's statement.")] = None,
    complete: Annotated[bool | None, typer.Option(
        "--complete/--partial", help="Are these all of the month's statements? Default: judged from "
                                     "their dates. Only complete statements settle an in-doubt payment "
                                     "as not paid.")] = None,
    rules: Annotated[Path | None, typer.Option(
        "--rules", metavar="FILE.toml", envvar="MADOGUCHI_RECONCILE_RULES_PATH",
        help="Fee rates, rounding, deposit schedule, match tolerance.")] = None,
    db: Annotated[str | None, typer.Option(
        "--db", envvar="MADOGUCHI_DATABASE_URL", metavar="URL", help="Database URL.")] = None,
) -> None:
    """Match the month's payments with the agent's statements; write the report and the 公金振替."""
    from madoguchi.adapters.db.repositories.reconcile_errors import database_failure
    from madoguchi.services.reconcile.month import reconcile_month
    engine = None
    try:
        rt, engine = _runtime(db)
        summary = reconcile_month(rt, month=month, statements=statement, actor=CLI_ACTOR, out=out,
                                  json_out=json_out, mapping=mapping, complete=complete, rules_path=rules)
    except MadoguchiError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(2) from None
    except Exception as exc:
        reason = database_failure(exc)
        if reason is None:
            raise
        typer.echo(f"error: the database refused or could not be reached: {reason}", err=True)
        raise typer.Exit(1) from None
    finally:
        if engine is not None:
            engine.dispose()
    for st in summary["statements"]:
        typer.echo(st["message"])
    counts = summary["counts"]
    typer.echo(f"{summary['month']}: " + ", ".join(
        f"{CLASS_LABELS_JA[c]} {counts[c.value]}" for c in MatchClass if counts.get(c.value)))
    typer.echo(f"register {summary['register_gross']:,} yen, statement {summary['statement_gross']:,} yen, "
               f"fees {summary['fees']:,} yen (expected {summary['expected_fees']:,}), "
               f"公金振替 {summary['transfer_amount']:,} yen")
    for r in summary["resolutions"]:
        typer.echo(f"in doubt {r['merchant_reference']}: {'paid' if r['paid'] else 'not paid'}"
                   + (f"; resident's case {r['case']} opened" if r["case"] else ""))
    typer.echo(f"{len(summary['open_incidents'])} incidents still open; report {out}, "
               f"matched rows {summary['matched_csv']}" + (f", summary {json_out}" if json_out else ""))
