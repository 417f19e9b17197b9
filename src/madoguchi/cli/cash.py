"""``madoguchi cash float|in|out``: record an opening float (釣銭準備金), a replenishment
(釣銭補充) or a collection (回収) at one payment station, by denomination.

    madoguchi cash in --station honcho-p1 --counts '{"100": 50, "10": 50}' --reason "100円硬貨不足" --by sato

The notes and coins go into (or come out of) the station's changer and the movement is
journalled with its counts and ``--by``, the supervisor who did it. ``--counts`` is a
JSON object of denomination -> count, or ``@FILE.json``. Bad input is a message on
stderr and exit code 2; nothing is moved then. ``cash_app`` is registered on the main
``madoguchi`` app by ``cli/__init__.py``.
"""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from madoguchi.cli.common import parse_json, read_file
from madoguchi.config import Settings
from madoguchi.domain.auth import ALL_SITES, Actor, Role
from madoguchi.errors import BadInput, MadoguchiError

cash_app = typer.Typer(no_args_is_help=True, add_completion=False,
                       help="Cash without a sale: opening float, replenishment, collection (by denomination).")

Station = Annotated[str, typer.Option(metavar="ID", help="Payment station, e.g. honcho-p1.")]
Counts = Annotated[str, typer.Option(metavar='JSON|@FILE', help='Denomination -> count, e.g. \'{"1000": 5}\'.')]
By = Annotated[str, typer.Option(metavar="LOGIN", help="The supervisor who moves the cash (journalled).")]
Db = Annotated[str | None, typer.Option("--db", envvar="MADOGUCHI_DATABASE_URL", metavar="URL",
                                           help="Database URL (default: sqlite:///var/madoguchi.db).")]

_LABELS = {"float": "釣銭準備金(開始)", "in": "釣銭補充", "out": "回収"}


def read_counts(value: str) -> Any:
    """The ``--counts`` text (or the file it names with ``@``) as JSON, with where it is wrong."""
    source = "--counts"
    if value.startswith("@"):
        path = Path(value[1:])
        source = f"--counts {path}"
        value = read_file(path, "--counts")
    data = parse_json(value, source)
    if not isinstance(data, dict):
        raise BadInput(f'{source}: must be an object of denomination -> count, e.g. {{"1000": 5, "100": 20}}')
    return data


def _move(direction: str, *, station: str, counts: str, reason: str, by: str, db: str | None) -> None:
    from madoguchi.adapters.db.engine import make_engine
    from madoguchi.bootstrap import build_runtime
    from madoguchi.services.counter.cashbox import check_counts, move_cash
    data = read_counts(counts)
    if not by.strip() or len(by.strip()) > 64:
        raise BadInput("--by: a login of 1 to 64 characters")
    actor = Actor(by.strip(), Role.SUPERVISOR, frozenset({ALL_SITES}))
    settings = Settings(database_url=db) if db else Settings()
    engine = make_engine(settings.database_url)
    try:
        rt = build_runtime(settings, engine=engine)
        done = move_cash(rt, payment_station=station, counts=data, direction=direction, reason=reason,
                         actor=actor)
    finally:
        engine.dispose()
    pieces = ", ".join(f"{d:,}円×{n}" for d, n in sorted(check_counts(data).items(), reverse=True))
    typer.echo(f"{_LABELS[direction]} {station}: ¥{done['amount']:,} ({pieces}) on {done['business_date']}, "
               f"journal #{done['journal_seq']}, by {done['actor']}")
    for x in done["differences"]:
        typer.echo(f"warning: {x['denomination']:,} yen: the changer held {x['machine']} before the float, "
                   f"the journal {x['journal']}")


def _run(direction: str, **kw: Any) -> None:
    try:
        _move(direction, **kw)
    except MadoguchiError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(2) from None


@cash_app.command("float")
def cash_float(station: Station, counts: Counts, by: By, reason: Annotated[str, typer.Option(
        help="Optional note.")] = "", db: Db = None) -> None:
    """釣銭準備金(開始): load the opening float."""
    _run("float", station=station, counts=counts, reason=reason, by=by, db=db)


@cash_app.command("in")
def cash_in(station: Station, counts: Counts, by: By, reason: Annotated[str, typer.Option(
        help="Why (required), e.g. 100円硬貨不足.")], db: Db = None) -> None:
    """釣銭補充: put notes or coins in."""
    _run("in", station=station, counts=counts, reason=reason, by=by, db=db)


@cash_app.command("out")
def cash_out(station: Station, counts: Counts, by: By, reason: Annotated[str, typer.Option(
        help="Why (required), e.g. 紙幣満杯のため回収.")], db: Db = None) -> None:
    """回収: take notes or coins out."""
    _run("out", station=station, counts=counts, reason=reason, by=by, db=db)
