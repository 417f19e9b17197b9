"""``madoguchi plan``: the capacity planner, a simulated site (docs/planner.md).

Every input is checked before anything runs: a mistake is ``error: --option: ...`` with
exit code 2 (through the main app's group) and no file written. Times and the cashless
share come from, in order: the option, ``--from-outcomes FILE``, the Narashino defaults.
"""
from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from madoguchi.domain import plan
from madoguchi.domain.plan_files import Calibration, parse_outcomes, parse_profile
from madoguchi.errors import BadInput

_PROFILE_HELP = ("Hourly arrivals from a file instead of --arrivals-per-hour: one line per hour, "
                 "'hour,arrivals' (hour 0-23, consecutive; arrivals 0 or more), '#' comments; "
                 "repeated when --hours runs past it, which defaults to its length.")
_OUTCOMES_HELP = ("Calibrate the cashless share and the payment times from recorded outcomes: the JSON file "
                  "`madoguchi outcomes --json FILE` writes (or one of the same shape, "
                  '{"cashless_share": 0.23, "median_seconds_to_pay": {"cash": 31, "cashless": 14}}). '
                  "Options given explicitly win.")


class ServiceTimes(StrEnum):
    lognormal = "lognormal"
    exponential = "exponential"


def _read(path: Path, option: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise BadInput(f"{option}: cannot read {path}: {reason}") from None


def plan_command(
    stations: Annotated[int, typer.Option(help="Payment stations.")] = 2,
    staff: Annotated[int, typer.Option(help="Staff registering residents at the counter.")] = 3,
    staff_seconds: Annotated[float, typer.Option(
        help="Median seconds to register a resident (0: residents go straight to pay).")] = 90.0,
    arrivals_per_hour: Annotated[float, typer.Option(help="Residents arriving per hour (Poisson).")] = 60.0,
    profile: Annotated[Path | None, typer.Option(metavar="FILE", help=_PROFILE_HELP)] = None,
    cashless_share: Annotated[float | None, typer.Option(
        help=f"Share of residents paying cashless, 0..1 [default: {plan.CASHLESS_SHARE}].")] = None,
    cash_seconds: Annotated[float | None, typer.Option(
        help=f"Median seconds to pay cash [default: {plan.CASH_SECONDS:g}, Narashino 2019].")] = None,
    cashless_seconds: Annotated[float | None, typer.Option(
        help=f"Median seconds to pay cashless [default: {plan.CASHLESS_SECONDS:g}].")] = None,
    service: Annotated[ServiceTimes, typer.Option(
        help=f"Spread of the times: lognormal (sigma {plan.LOGNORMAL_SIGMA}, the seconds are medians) or "
             "exponential (the seconds are means; the M/M/c case).")] = ServiceTimes.lognormal,
    jam_rate: Annotated[float, typer.Option(help="Chance that a payment meets a jam, 0..1.")] = 0.01,
    jam_seconds: Annotated[float, typer.Option(help="Seconds a jam holds the station.")] = 120.0,
    hours: Annotated[float | None, typer.Option(help="Simulated hours [default: 8, or the profile's length].")] = None,
    seed: Annotated[int, typer.Option(help="Same seed, same run.")] = 1,
    json_out: Annotated[Path | None, typer.Option(
        "--json", metavar="FILE", help="Also write the figures as JSON.")] = None,
    from_outcomes: Annotated[Path | None, typer.Option(metavar="FILE", help=_OUTCOMES_HELP)] = None,
) -> None:
    """Simulate a site: residents registered by staff, queueing and paying at payment stations."""
    from madoguchi.services.plan.model import simulate
    rates = parse_profile(_read(profile, "--profile"), name=str(profile)) if profile else None
    recorded = parse_outcomes(_read(from_outcomes, "--from-outcomes"), name=str(from_outcomes)) \
        if from_outcomes else Calibration(plan.CASHLESS_SHARE, plan.CASH_SECONDS, plan.CASHLESS_SECONDS)
    inputs = plan.check(plan.PlanInputs(
        stations=stations, staff=staff, staff_seconds=staff_seconds, arrivals_per_hour=arrivals_per_hour,
        profile=rates, service=service.value, jam_rate=jam_rate, jam_seconds=jam_seconds, seed=seed,
        cashless_share=recorded.cashless_share if cashless_share is None else cashless_share,
        cash_seconds=recorded.cash_seconds if cash_seconds is None else cash_seconds,
        cashless_seconds=recorded.cashless_seconds if cashless_seconds is None else cashless_seconds,
        hours=hours if hours is not None else float(len(rates)) if rates else 8.0))
    result = simulate(inputs)
    typer.echo(f"{result.served} residents over {inputs.hours:g} h at {inputs.stations} payment "
               f"station{'' if inputs.stations == 1 else 's'} "
               f"({inputs.cashless_share:.0%} cashless, {inputs.service} times, seed {inputs.seed})")
    typer.echo(f"  wait for a payment station: mean {result.payment_wait_mean_s:.1f} s, "
               f"90th percentile {result.payment_wait_p90_s:.1f} s, longest {result.payment_wait_max_s:.0f} s")
    typer.echo(f"  wait for staff: mean {result.staff_wait_mean_s:.1f} s; "
               f"stay, arrival to paid: mean {result.stay_mean_s:.1f} s; jams: {result.jams}")
    typer.echo("  payment stations busy: " + ", ".join(f"{u:.0%}" for u in result.utilisation))
    if json_out is not None:
        from madoguchi.adapters.files.writing import write_text
        try:
            write_text(json_out, json.dumps(result.to_json(), ensure_ascii=False, indent=2) + "\n")
        except OSError as exc:
            raise BadInput(f"--json: cannot write {json_out}: {exc.strerror}") from None
        typer.echo(f"figures written to {json_out}", err=True)
