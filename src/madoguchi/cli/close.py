"""``madoguchi close-day``: close one site's business day from a file of counted cash, and write
the daily sheet (日次処理表).

The counted file is ``{"stations": {"<station id>": {"10000": n, "5000": n, ..., "1": n}}}``,
optionally with ``"reasons": {"<station id>": "why counted differs"}`` and ``"note"``.
Every payment station of the site not yet closed must be in it. The whole file is checked
first and the stations and the site are closed in one transaction: a bad file closes
nothing. Warnings (an unknown outcome still open, receipts not printed) are printed
and accepted: the operator who runs the command signs for them with ``--by``.

:func:`close_day_command` is a plain function with Typer annotations, registered on the
main ``madoguchi`` app; it prints ``error: <message>`` and exits 2 on an expected failure.
"""
from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer

from madoguchi.cli.common import parse_date, parse_json, read_file
from madoguchi.config import Settings
from madoguchi.domain.auth import ALL_SITES, Actor, Role
from madoguchi.errors import BadInput, MadoguchiError


def read_counted(path: Path) -> tuple[dict[str, Any], dict[str, str], str | None]:
    """The counted cash per station, the reasons and the note of a counted file."""
    data = parse_json(read_file(path, "--counted"), f"--counted {path}")
    shape = '{"stations": {"<station id>": {"10000": n, "5000": n, ..., "1": n}}}'
    if not isinstance(data, dict) or not isinstance(data.get("stations"), dict):
        raise BadInput(f"--counted: {path} must look like {shape}")
    unknown = sorted(set(data) - {"stations", "reasons", "note"})
    if unknown:
        raise BadInput(f"--counted: unknown key {unknown[0]!r} in {path} (allowed: stations, reasons, note)")
    reasons = data.get("reasons", {})
    if not isinstance(reasons, dict) or not all(isinstance(v, str) for v in reasons.values()):
        raise BadInput('--counted: "reasons" must map a station id to a text')
    note = data.get("note")
    if note is not None and not isinstance(note, str):
        raise BadInput('--counted: "note" must be a text')
    return data["stations"], reasons, note


def check_writable(path: Path, option: str) -> None:
    """Refuse an output that could not be written, before anything is closed: a day closed
    whose sheet then fails to write would have to be exported again by hand."""
    if path.is_dir():
        raise BadInput(f"{option}: {path} is a folder; name a file to write")
    if not path.parent.is_dir():
        raise BadInput(f"{option}: cannot write {path}: the folder {path.parent} does not exist")
    try:
        if path.exists():
            with path.open("r+b"):  # opened for writing, not truncated
                pass
        else:
            with tempfile.TemporaryFile(dir=path.parent):
                pass
    except OSError as exc:
        raise BadInput(f"{option}: cannot write {path}: {exc.strerror}") from None


def _write(path: Path, data: bytes, option: str, closed: bool = False) -> None:
    """Write ``data`` whole or not at all (adapters/files/writing.py: a temporary file, renamed)."""
    from madoguchi.adapters.files.writing import write_bytes
    try:
        write_bytes(path, data)
    except OSError as exc:
        after = " (the day IS closed: write the sheet again with --export-only)" if closed else ""
        raise BadInput(f"{option}: cannot write {path}: {exc.strerror}{after}") from None


def close_day_command(
    date: Annotated[str, typer.Option(metavar="YYYY-MM-DD", help="Business day (JST) to close.")],
    site: Annotated[str, typer.Option(metavar="CODE", help="Site whose day is closed, e.g. honcho.")],
    out: Annotated[Path, typer.Option(metavar="daily.xlsx", help="Where to write the daily sheet.")],
    counted: Annotated[Path | None, typer.Option(
        metavar="FILE.json", help="Cash counted per payment station, by denomination.")] = None,
    json_out: Annotated[Path | None, typer.Option(
        "--json", metavar="summary.json", help="Also write the day's figures as JSON.")] = None,
    csv_out: Annotated[Path | None, typer.Option(
        "--csv", metavar="daily.csv", help="Also write the sheet's figures as CSV.")] = None,
    by: Annotated[str, typer.Option(metavar="LOGIN", help="Who counted and approves (journalled).")] = "cli",
    export_only: Annotated[bool, typer.Option(
        "--export-only", help="Close nothing: only write the sheet (and JSON) of the day as it stands.")] = False,
    db: Annotated[str | None, typer.Option(
        "--db", envvar="MADOGUCHI_DATABASE_URL", metavar="URL",
        help="Database URL (default: sqlite:///var/madoguchi.db).")] = None,
) -> None:
    """Close a site's business day with the counted cash, then write the daily sheet."""
    try:
        _run(date=date, site=site, counted=counted, out=out, json_out=json_out, csv_out=csv_out, by=by,
             export_only=export_only, db=db)
    except MadoguchiError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(2) from None


def _run(*, date: str, site: str, counted: Path | None, out: Path, json_out: Path | None, csv_out: Path | None,
         by: str, export_only: bool, db: str | None) -> None:
    from madoguchi.adapters.db.engine import make_engine
    from madoguchi.bootstrap import build_runtime
    from madoguchi.services.close import close_day
    day = parse_date(date, "--date")
    if not export_only and counted is None:
        raise BadInput("--counted FILE.json is required to close a day (or use --export-only)")
    stations, reasons, note = read_counted(counted) if counted is not None else ({}, {}, None)
    if not by.strip() or len(by) > 64:
        raise BadInput("--by: a login of 1 to 64 characters")
    outputs = [(out, "--out"), (json_out, "--json"), (csv_out, "--csv")]
    for path, option in outputs:
        if path is not None:
            check_writable(path, option)
    actor = Actor(by.strip(), Role.ADMIN, frozenset({ALL_SITES}))
    settings = Settings(database_url=db) if db else Settings()
    engine = make_engine(settings.database_url)
    try:
        rt = build_runtime(settings, engine=engine)
        rt.places.site(site)
        if export_only:
            summary = close_day.day_summary(rt, site=site, day=day, actor=actor)
        else:
            summary = close_day.close_day(rt, site=site, day=day, counted=stations, reasons=reasons, note=note,
                                          actor=actor, confirm_warnings=True)
        closed = not export_only
        _write(out, close_day.daily_sheet(rt, day=day, actor=actor, sites=[site]), "--out", closed)
        if csv_out is not None:
            _write(csv_out, close_day.daily_sheet(rt, day=day, actor=actor, sites=[site], fmt="csv"), "--csv",
                   closed)
    finally:
        engine.dispose()
    if json_out is not None:
        _write(json_out, json.dumps(summary, ensure_ascii=False, indent=2).encode("utf-8"), "--json", closed)
    for line in _lines(summary):
        typer.echo(line)


def _lines(s: dict[str, Any]) -> list[str]:
    cats = ", ".join(f"{k} {v['count']} (¥{v['amount']:,})" for k, v in s["by_category"].items())
    over = "not counted" if s["over_short"] is None else f"{s['over_short']:+,} yen"
    lines = [f"{s['site']} {s['date']} ({s['date_wareki']}): {s['state']}",
             f"sales {s['sales_count']}, gross ¥{s['gross']:,}, refunds ¥{s['refunds']['amount']:,}, "
             f"net ¥{s['net']:,}",
             f"by category: {cats}; cashless share {s['cashless_share']:.1%}",
             f"cash expected ¥{s['cash_expected']:,}, counted "
             f"{'-' if s['cash_counted'] is None else format(s['cash_counted'], ',')}, over/short {over}",
             f"open incidents: {s['open_incidents']}"]
    lines += [f"{f['severity']}: {f['message']}" for f in s["findings"] if f["severity"] != "info"]
    lines += [f"notice: {n}" for n in s.get("notices", [])]
    return lines
