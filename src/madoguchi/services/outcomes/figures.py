"""The city's outcomes for a period: what ``madoguchi outcomes`` writes and ``/office/outcomes`` shows.

One read-only unit of work reads the paid payments (with their sales' moments) and the
settlement fees of the month closes that were run; :mod:`madoguchi.domain.outcomes`
computes the figures. The answer is JSON-ready: shares and seconds are
:class:`~decimal.Decimal` until :func:`to_json` writes them as numbers.
"""
from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from typing import Any

from madoguchi.domain import outcomes as o
from madoguchi.errors import BadInput
from madoguchi.services.runtime import Runtime

#: Longest period one call may cover (a fiscal year and a bit), as the payments export.
MAX_DAYS = 400


def check_period(date_from: dt.date, date_to: dt.date) -> None:
    """Refuse a period the figures cannot be made for (before any database is opened)."""
    if date_to < date_from:
        raise BadInput(f"--to {date_to.isoformat()} is before --from {date_from.isoformat()}")
    if (date_to - date_from).days >= MAX_DAYS:
        raise BadInput(f"outcomes cover at most {MAX_DAYS} days at a time")


def check_site(rt: Runtime, site: str | None) -> None:
    codes = [s.code for s in rt.places.sites]
    if site is not None and site not in codes:
        raise BadInput(f"--site: no site {site!r} (sites: {', '.join(codes)})")


def outcome_figures(rt: Runtime, *, date_from: dt.date, date_to: dt.date,
                    site: str | None = None) -> dict[str, Any]:
    """The outcomes of business days ``[date_from, date_to]`` (of one site, or all)."""
    check_period(date_from, date_to)
    check_site(rt, site)
    months = o.months_between(date_from, date_to)
    with rt.uow(read_only=True) as uow:
        paid = uow.outcomes.paid_between(date_from, date_to, site)
        fees = {f.month: f.of(site) for f in uow.outcomes.month_fees(months)}
    stations = {s.id for s in rt.places.payment_stations}
    totals = o.counts(paid)
    by_month = {m: o.counts([p for p in paid if o.month_of(p) == m]) | {"settlement_fees": fees.get(m)}
                for m in months}
    settings = rt.settings
    methods = o.times(paid, key=lambda p: p.method)
    at_counter = [ms for ms in (o.at_counter_ms(p) for p in paid) if ms is not None]
    return {
        "from": date_from.isoformat(), "to": date_to.isoformat(), "site": site,
        "payments": totals["payments"],
        "contact_free_payments": sum(1 for p in paid if p.payment_station in stations),
        "cashless_payments": totals["cashless_payments"],
        "amount": totals["amount"], "cashless_amount": totals["cashless_amount"],
        "cashless_share": totals["cashless_share"], "cashless_amount_share": totals["cashless_amount_share"],
        "target_share": settings.cashless_target_share.quantize(o.SHARE_PLACES),
        "median_seconds_to_pay": {m: t["median"] for m, t in methods.items()},
        "p90_seconds_to_pay": {m: t["p90"] for m, t in methods.items()},
        "timed_payments": {m: t["timed"] for m, t in methods.items()},
        "seconds_to_pay_by_category": o.times(paid, key=lambda p: p.category),
        "median_seconds_at_counter": o.seconds(o.median(at_counter)),
        "p90_seconds_at_counter": o.seconds(o.p90(at_counter)),
        "settlement_fees": sum(fees.values()) if fees else None,
        "settlement_fee_months": sorted(fees),
        "cost_per_payment": o.cost_per_payment(
            monthly_running_yen=settings.monthly_running_cost_yen, initial_yen=settings.initial_cost_yen,
            first=date_from, last=date_to, payments=totals["payments"]),
        "by_month": by_month,
        "by_site": o.grouped(paid, key=lambda p: p.site),
        "by_brand": o.grouped(paid, key=lambda p: p.brand_key),
    }


def _number(value: object) -> object:
    if isinstance(value, Decimal):  # written as its digits: 0.2345, never 0.23449999
        exponent = value.as_tuple().exponent
        return int(value) if isinstance(exponent, int) and exponent >= 0 else float(str(value))
    raise TypeError(f"not JSON: {value!r}")


def to_json(figures: dict[str, Any]) -> str:
    """The figures as JSON text (shares and seconds as plain numbers)."""
    return json.dumps(figures, ensure_ascii=False, indent=2, default=_number) + "\n"


def month_period(month: str) -> tuple[dt.date, dt.date]:
    """The first and last day of ``month`` (``YYYY-MM``), or :class:`BadInput`."""
    try:
        first = dt.date.fromisoformat(f"{month}-01")
    except ValueError:
        raise BadInput(f"month must be written YYYY-MM, e.g. 2026-11, not {month!r}") from None
    following = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, following - dt.timedelta(days=1)


def month_workbook(rt: Runtime, *, month: str, site: str | None = None) -> bytes:
    """The figures of ``month`` (of one site, or all) as an Excel workbook."""
    from madoguchi.adapters.files.outcomes_workbook import write_outcomes
    first, last = month_period(month)
    figures = outcome_figures(rt, date_from=first, date_to=last, site=site)
    out = io.BytesIO()
    write_outcomes(figures, out, municipality=rt.places.municipality)
    return out.getvalue()
