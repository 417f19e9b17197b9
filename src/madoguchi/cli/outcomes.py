"""``madoguchi outcomes``: the city's outcomes for a period, as JSON (docs/outcomes.md).

The dates and the site are checked before anything is read; a mistake is ``error: ...`` with
exit code 2 (through the main app's group) and no file written.
"""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from madoguchi.cli.common import Db, existing_db, parse_date, settings_of
from madoguchi.errors import BadInput


def outcomes_command(
    date_from: Annotated[str, typer.Option("--from", metavar="YYYY-MM-DD", help="First business day (JST).")],
    date_to: Annotated[str, typer.Option("--to", metavar="YYYY-MM-DD", help="Last business day (JST), included.")],
    json_out: Annotated[Path, typer.Option("--json", metavar="FILE", help="Where to write the figures (JSON).")],
    site: Annotated[str | None, typer.Option(metavar="CODE", help="Only this site (default: all).")] = None,
    db: Db = None,
) -> None:
    """Payments, the cashless share against its target, times to pay, fees and costs, by month, site and brand."""
    from madoguchi.adapters.files.writing import write_text
    from madoguchi.bootstrap import build_runtime
    from madoguchi.services.outcomes.figures import check_period, outcome_figures, to_json
    from madoguchi.services.runtime import DeviceRegistry
    first, last = parse_date(date_from, "--from"), parse_date(date_to, "--to")
    check_period(first, last)
    if json_out.is_dir():
        raise BadInput(f"--json: {json_out} is a folder; name a file to write")
    settings = settings_of(db)
    engine = existing_db(settings)
    try:
        rt = build_runtime(settings, engine=engine, devices=DeviceRegistry({}))
        figures = outcome_figures(rt, date_from=first, date_to=last, site=site)
    finally:
        engine.dispose()
    try:
        write_text(json_out, to_json(figures))
    except OSError as exc:
        raise BadInput(f"--json: cannot write {json_out}: {exc.strerror}") from None
    share = figures["cashless_share"]
    typer.echo(f"{figures['payments']} payments, cashless share "
               f"{'-' if share is None else f'{share * 100:.1f} %'} (target {figures['target_share'] * 100:.0f} %); "
               f"written to {json_out}", err=True)
