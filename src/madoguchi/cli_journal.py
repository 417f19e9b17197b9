"""``madoguchi verify-journal`` and ``madoguchi keys init|rotate``: the signed journal's commands.

``verify-journal`` checks hashes, links, each site's counters and every signature with
public keys alone (``--public-key FILE``, repeatable; by default the ``.pub`` next to
the configured key), then the payments, sales and receipts against their entries.
It prints ``journal OK: N entries`` or exits 1 naming every entry that does not verify
(stdout); unsigned entries and the keys used are reported on stderr. ``--anchors FILE`` and
``--anchor-code CODE --site S --date D`` also check the closed days anchored outside the
database (``services/journal/anchors.py``) and name every checkpoint that no longer matches. Registered on the main app
(``cli.py``), whose group turns expected failures into ``error: ...`` and exit 2.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from madoguchi.config import Settings

#: Findings printed in full; the rest are counted.
SHOWN = 20

Db = Annotated[str | None, typer.Option(
    "--db", envvar="MADOGUCHI_DATABASE_URL", show_envvar=True, metavar="URL",
    help="Database URL (default: sqlite:///var/madoguchi.db).")]
PublicKeys = Annotated[list[Path] | None, typer.Option(
    "--public-key", metavar="FILE", help="A trusted public key (PEM); repeat for several. Keys announced "
    "in the journal by a trusted key are trusted too. Default: the configured key's .pub file.")]

keys_app = typer.Typer(no_args_is_help=True, help="The journal's signing key (outside the database).")


def _settings(db: str | None) -> Settings:
    return Settings(database_url=db) if db else Settings()


Anchors = Annotated[Path | None, typer.Option(
    "--anchors", metavar="FILE", help="An anchor file (one signed checkpoint per closed day): check that "
    "the database still holds every day it anchored.")]
AnchorCode = Annotated[str | None, typer.Option(
    "--anchor-code", metavar="CODE", help="The code printed on a daily sheet (with --site and --date): "
    "check that the database still holds that day as it was closed.")]
Site = Annotated[str | None, typer.Option("--site", metavar="SITE", help="The site of --anchor-code.")]
Day = Annotated[dt.date | None, typer.Option("--date", formats=["%Y-%m-%d"], metavar="YYYY-MM-DD",
                                                help="The business day of --anchor-code.")]


def verify_journal_command(public_key: PublicKeys = None, db: Db = None, anchors: Anchors = None,
                           anchor_code: AnchorCode = None, site: Site = None, date: Day = None) -> None:
    """Check the journal's hashes, links, counters and signatures, and the tables against it;
    with --anchors or --anchor-code, also the closed days anchored outside the database."""
    from madoguchi.adapters.db.uow import make_uow_factory
    from madoguchi.adapters.files.anchor_file import read_anchor_text
    from madoguchi.adapters.signing import Keyring, load_public_key_file
    from madoguchi.cli import _existing_db
    from madoguchi.domain.anchor import normalize_code
    from madoguchi.errors import BadInput
    from madoguchi.services.journal.anchors import check_anchors, check_code
    from madoguchi.services.journal.verify import default_keyring, verify_rows
    if anchor_code is not None and (site is None or date is None):
        raise BadInput("--anchor-code needs --site and --date (the sheet's site and business day)")
    code = normalize_code(anchor_code) if anchor_code is not None else None  # a typo is refused before any work
    text = read_anchor_text(anchors) if anchors is not None else None
    settings = _settings(db)
    keyring = Keyring([load_public_key_file(p) for p in public_key]) if public_key else default_keyring(settings)
    engine = _existing_db(settings)
    try:
        with make_uow_factory(engine)(read_only=True) as uow:
            result = verify_rows(uow.journal_rows, keyring)  # first: keys announced in the journal are learnt
            checks = check_anchors(uow, text, source=str(anchors), keyring=keyring) if text is not None else []
            if code is not None:
                assert site is not None and date is not None
                checks.append(check_code(uow, code, site=site, day=date, keyring=keyring))
    finally:
        engine.dispose()
    # The verdict on stdout; what qualifies it (unsigned runs, which keys) on stderr.
    for run in result.unsigned:
        span = f"#{run.first_seq}" if run.count == 1 else f"#{run.first_seq}-#{run.last_seq}"
        typer.echo(f"warning: entry {span} ({run.count}) unsigned: {run.reason}", err=True)
    if result.signatures_checked:
        typer.echo(f"signatures checked with {len(result.keys)} key(s): "
                   + ", ".join(k[:16] for k in result.keys), err=True)
    else:
        typer.echo("note: signatures not checked (no public key; pass --public-key FILE)", err=True)
    if result.broken is None:
        typer.echo(f"journal OK: {result.entries} entries")
    else:
        typer.echo(f"journal BROKEN at entry #{result.broken.seq}: {result.broken.reason}")
        for f in result.findings[1:SHOWN]:
            typer.echo(f"  entry #{f.seq}: {f.reason}")
        if len(result.findings) > SHOWN:
            typer.echo(f"  ... and {len(result.findings) - SHOWN} more findings")
    failed = [c for c in checks if not c.ok]
    for c in failed:
        typer.echo(f"anchor NOT MATCHED: {c.title()}")
        for problem in c.problems:
            typer.echo(f"  {problem}")
    if checks and not failed:
        typer.echo(f"anchors OK: {len(checks)} checkpoint(s) match the database")
    if failed or result.broken is not None:
        raise typer.Exit(1)


@keys_app.command("init")
def keys_init(replace: Annotated[bool, typer.Option(
                  "--replace", help="Replace an existing key file (after a loss: the old key is unusable).")] = False,
              db: Db = None) -> None:
    """Make the signing key (mode 0600) and its public key (.pub); journal it if the database exists."""
    from madoguchi.adapters.db.uow import make_uow_factory
    from madoguchi.adapters.signing import public_path
    from madoguchi.cli import _existing_db
    from madoguchi.errors import BadInput
    from madoguchi.services.journal.signing_keys import install_key
    settings = _settings(db)
    path = settings.signing_key_path
    try:
        engine = _existing_db(settings)
    except BadInput:
        engine = None
    try:
        journal = (lambda signer: make_uow_factory(engine, signer=signer)()) if engine is not None else None
        key_id = install_key(path, replace=replace, journal=journal, now=dt.datetime.now(dt.UTC),
                             actor="system")
    finally:
        if engine is not None:
            engine.dispose()
    typer.echo(f"signing key {key_id[:16]} written to {path} (public key: {public_path(path)})")
    if engine is None:
        typer.echo("note: no database yet; the key is used from the first entry on")


@keys_app.command("rotate")
def keys_rotate(db: Db = None) -> None:
    """Make a new key, announced in the journal by an entry signed with the current one."""
    from madoguchi.adapters.db.uow import make_uow_factory
    from madoguchi.cli import _existing_db
    from madoguchi.services.journal.signing_keys import rotate_key
    settings = _settings(db)
    engine = _existing_db(settings)
    try:
        old, new = rotate_key(settings.signing_key_path, now=dt.datetime.now(dt.UTC), actor="system",
                              journal=lambda signer: make_uow_factory(engine, signer=signer)())
    finally:
        engine.dispose()
    typer.echo(f"signing key rotated: {old[:16]} -> {new[:16]}, announced in the journal; "
               "running servers take the new key within a minute")
