"""``madoguchi verify-receipt``, ``export journal`` and ``verify-export``: checks for people outside the server.

``verify-receipt CODE`` (the code printed on a receipt, or its QR's text) says whether the
journal still holds that receipt as printed, and what it says: station, number, amount,
time. ``export journal --from D --to D --out audit.tar`` writes the auditor's export;
``verify-export audit.tar`` checks such a file alone, with no database and no settings.
Each exits 1 when what it checks does not hold. Registered on the main app (``cli.py``),
whose group turns expected failures into ``error: ...`` and exit 2.
"""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Annotated

import typer

from madoguchi.cli_journal import SHOWN, Db, PublicKeys
from madoguchi.config import Settings

Code = Annotated[str, typer.Argument(metavar="CODE", help="The receipt's verification code (e.g. KQ7-M2D-XAB-3TF) "
                                                          "or the text of its QR code (MDG1:...).")]


def _settings(db: str | None) -> Settings:
    return Settings(database_url=db) if db else Settings()


def verify_receipt_command(code: Code, public_key: PublicKeys = None, db: Db = None) -> None:
    """Say whether the journal still holds a receipt as printed, and what it says."""
    from madoguchi.adapters.db.uow import make_uow_factory
    from madoguchi.adapters.devices.receipt_layout import yen_text
    from madoguchi.adapters.signing import Keyring, load_public_key_file
    from madoguchi.cli import _existing_db
    from madoguchi.domain.receipt import wareki
    from madoguchi.domain.receipt_code import parse_query
    from madoguchi.services.journal.receipt_check import Verdict, check_receipt
    from madoguchi.services.journal.verify import default_keyring
    query = parse_query(code)
    settings = _settings(db)
    keyring = Keyring([load_public_key_file(p) for p in public_key]) if public_key else default_keyring(settings)
    engine = _existing_db(settings)
    try:
        with make_uow_factory(engine)(read_only=True) as uow:
            result = check_receipt(uow.journal_rows, query, keyring)
    finally:
        engine.dispose()
    if result.verdict is Verdict.NOT_HELD:
        typer.echo(f"この領収書は記録にありません (no such receipt is held): {result.code}")
        for reason in result.reasons:
            typer.echo(f"  {reason}")
        raise typer.Exit(1)
    entry, at = result.entry, result.issued_at
    assert entry is not None and at is not None
    if result.verdict is Verdict.HELD:
        typer.echo(f"領収書は記録どおりです (the journal holds this receipt as printed): {result.code}")
    else:
        typer.echo(f"この領収書の記録は改ざんされています (the receipt's journal entry was altered): {result.code}")
    typer.echo(f"  窓口 (station):      {entry.station} ({entry.site})")
    typer.echo(f"  領収書番号 (number): No. {result.receipt_number:06d}" if isinstance(result.receipt_number, int)
               else f"  領収書番号 (number): {result.receipt_number}")
    amount = result.amount
    typer.echo(f"  金額 (amount):       {yen_text(amount) if isinstance(amount, int) else amount}")
    typer.echo(f"  日時 (time):         {wareki(at.date())} {at:%H:%M} ({at.isoformat()})")
    typer.echo(f"  記録 (entry):        #{entry.seq}, key {(entry.key_id or '?')[:16]}")
    if result.verdict is Verdict.ALTERED:
        for reason in result.reasons:
            typer.echo(f"  entry #{entry.seq}: {reason}")
        raise typer.Exit(1)


def export_journal_command(
        date_from: Annotated[str, typer.Option("--from", metavar="YYYY-MM-DD", help="First business day (JST).")],
        date_to: Annotated[str, typer.Option("--to", metavar="YYYY-MM-DD", help="Last business day (JST), included.")],
        out: Annotated[Path, typer.Option("--out", metavar="FILE", help="The tar to write (e.g. audit.tar).")],
        db: Db = None) -> None:
    """Write the auditor's export: entries, signatures, public keys, anchors, README (a tar)."""
    from madoguchi.adapters.db.uow import make_uow_factory
    from madoguchi.cli import _date, _existing_db
    from madoguchi.errors import BadInput
    from madoguchi.services.journal.export import export_journal
    from madoguchi.services.journal.verify import public_key_files
    first, last = _date(date_from, "--from"), _date(date_to, "--to")
    settings = _settings(db)
    engine = _existing_db(settings)
    try:
        summary = export_journal(make_uow_factory(engine), date_from=first, date_to=last, out=out,
                                 public_keys=public_key_files(settings), anchors=_anchor_path(settings),
                                 now=dt.datetime.now(dt.UTC))
    except OSError as exc:
        raise BadInput(f"--out: cannot write {out}: {exc.strerror or exc}") from None
    finally:
        engine.dispose()
    typer.echo(f"journal entries #{summary.first_seq}-#{summary.last_seq} ({summary.entries}) written to {out}, "
               f"with {len(summary.keys)} public key(s)" + (f" and {summary.anchors}" if summary.anchors else ""))
    if not summary.keys:
        typer.echo("warning: no public key found next to the signing key; give the auditor the public keys "
                   "yourself", err=True)


def _anchor_path(settings: Settings) -> Path | None:
    """The close-of-day anchors file (MADOGUCHI_ANCHOR_PATH), when one is configured."""
    configured = getattr(settings, "anchor_path", None) or os.environ.get("MADOGUCHI_ANCHOR_PATH")
    return Path(configured) if configured else None


def verify_export_command(
        tar: Annotated[Path, typer.Argument(metavar="FILE", help="The export (madoguchi export journal).")],
        public_key: PublicKeys = None) -> None:
    """Check an auditor's export with that file alone: hashes, links, counters, signatures."""
    from madoguchi.adapters.signing import load_public_key_file
    from madoguchi.services.close.export_check import verify_export
    trusted = [load_public_key_file(p) for p in public_key] if public_key else None
    result = verify_export(tar, trusted)
    for run in result.unsigned:
        span = f"#{run.first_seq}" if run.count == 1 else f"#{run.first_seq}-#{run.last_seq}"
        typer.echo(f"warning: entry {span} ({run.count}) unsigned: {run.reason}", err=True)
    source = "the export's own keys: compare these fingerprints with the ones you were given" \
        if result.keys_from_export else "the keys given"
    typer.echo(f"signatures checked with {len(result.keys)} key(s), {source}: "
               + ", ".join(k[:16] for k in result.keys), err=True)
    if result.anchors:
        typer.echo(f"note: {result.anchors} is included; compare it with your copies of the anchors", err=True)
    span = f"entries #{result.first_seq}-#{result.last_seq}, {result.date_from} to {result.date_to}"
    if result.ok:
        typer.echo(f"export OK: {result.entries} entries ({span})")
        return
    lines = [f"entry #{f.seq}: {f.reason}" for f in result.findings] + list(result.problems)
    typer.echo(f"export BROKEN ({span}): {lines[0]}")
    for line in lines[1:SHOWN]:
        typer.echo(f"  {line}")
    if len(lines) > SHOWN:
        typer.echo(f"  ... and {len(lines) - SHOWN} more findings")
    raise typer.Exit(1)
