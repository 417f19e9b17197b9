"""The books as the ledger property test reads them, and the relations they must keep.

Read straight from the tables and the journal (never through the code under test's
sums), so each check below holds the product's figures against plain loops:

1. every payment that moved money is booked by exactly one ``sale_paid`` entry, in its
   own day or (booked after that day closed) in the day of ``booked_on``, and is in
   exactly one month's register (the month of its ``business_date``);
2. per site and day: the sheet, plus the corrections booked later that name the day,
   minus the corrections booked on it that name other days, is the register; so per
   month too; every correction and every approved adjustment is listed on one sheet;
3. (in the test) the 公金振替 against the statement's own rows;
4. every sheet (frozen at the close, or as it stands) equals the figures rebuilt from
   the journal entries of its site-day alone.
"""
from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from madoguchi.adapters.db.close_tables import WHOLE_SITE, Adjustment, DayClose
from madoguchi.adapters.db.tables import Payment
from madoguchi.domain.auth import ALL_SITES, Actor, Role
from madoguchi.domain.reconcile import Month
from madoguchi.services.close.day_sheet import day_summary
from madoguchi.services.reconcile.month import payment_rows
from tests.helpers import journal

MOVED_MONEY = ("approved", "refunded", "cancelled")
CATEGORIES = ("cash", "emoney", "credit", "qr")
READER = Actor("kansa", Role.SUPERVISOR, frozenset({ALL_SITES}))


@dataclass
class Books:
    payments: list[dict[str, Any]]
    entries: list[Any]
    sheets: dict[tuple[str, dt.date], dict[str, Any]]   # (site, day) -> the sheet's figures
    closed: set[tuple[str, dt.date]]
    adjustments: list[dict[str, Any]]


def read_books(rt: Any, sites: tuple[str, ...], cache: dict[Any, Any] | None = None) -> Books:
    """The books now. An open day's sheet is built again only when its journal entries changed
    (``cache``): its money figures come from those entries alone."""
    with rt.uow(read_only=True) as uow:
        payments = [dict(id=p.id, ref=p.request_id, sale_id=p.sale_id, site=p.site, category=p.category,
                         amount=p.amount, state=p.state, business_date=p.business_date, booked_on=p.booked_on)
                    for p in uow.session.execute(select(Payment)).scalars()]
        frozen = {(site, day): json.loads(figures) for site, day, figures in uow.session.execute(
            select(DayClose.site, DayClose.business_date, DayClose.figures).where(
                DayClose.station == WHOLE_SITE, DayClose.state == "closed")).all()}
        adjustments = [dict(id=a.id, site=a.site, corrects=a.corrects_date, day=a.business_date, amount=a.amount)
                       for a in uow.session.execute(select(Adjustment).where(Adjustment.state == "approved"))
                       .scalars()]
    entries = journal(rt)
    days = {(e.site, dt.date.fromisoformat(e.business_date)) for e in entries if e.site in sites}
    sheets = dict(frozen)
    seqs: dict[tuple[str, dt.date], list[int]] = defaultdict(list)
    for e in entries:
        seqs[(e.site, dt.date.fromisoformat(e.business_date))].append(e.seq)
    cache = {} if cache is None else cache
    for site, day in sorted(days - set(frozen)):
        key = (site, day, tuple(seqs[(site, day)]))
        if key not in cache:
            cache[key] = day_summary(rt, site=site, day=day, actor=READER)
        sheets[(site, day)] = cache[key]
    return Books(payments, entries, sheets, set(frozen), adjustments)


def _sheet_paid(sheet: dict[str, Any]) -> tuple[int, int]:
    """(count, amount) of the payments a sheet books, double payments included."""
    count = sum(sheet["by_category"][c]["count"] for c in CATEGORIES) + sheet["double_payments"]["count"]
    amount = sum(sheet["by_category"][c]["amount"] for c in CATEGORIES) + sheet["double_payments"]["amount"]
    return count, amount


def check_each_payment_booked_once(b: Books, rt: Any, months: tuple[Month, ...]) -> None:
    paid_entries: dict[str, list[Any]] = defaultdict(list)
    for e in b.entries:
        if e.kind == "sale_paid":
            paid_entries[e.details()["payment_id"]].append(e)
    registers = {m: Counter(r["merchant_reference"] for r in payment_rows(rt, m)
                            if m.contains(dt.date.fromisoformat(r["business_date"]))
                            and r["status"] in ("approved", "refunded", "cancelled")) for m in months}
    booked_per_day: Counter[tuple[str, dt.date]] = Counter()
    amount_per_day: Counter[tuple[str, dt.date]] = Counter()
    for p in b.payments:
        found = paid_entries.get(p["id"], [])
        if p["state"] not in MOVED_MONEY:
            assert not found, f"payment {p['ref']} ({p['state']}) moved no money but is booked: {found}"
            continue
        assert len(found) == 1, f"payment {p['ref']} is booked {len(found)} times"
        entry = found[0]
        sheet_day = p["booked_on"] or p["business_date"]
        assert (entry.site, entry.business_date) == (p["site"], sheet_day.isoformat()), (p, entry)
        if p["booked_on"] is not None:
            assert p["booked_on"] > p["business_date"], p
            assert entry.details().get("moved_from") == p["business_date"].isoformat(), (p, entry.details())
        booked_per_day[(p["site"], sheet_day)] += 1
        amount_per_day[(p["site"], sheet_day)] += p["amount"]
        in_months = [m for m in months if registers[m][p["ref"]]]
        if any(m.contains(p["business_date"]) for m in months):
            assert [m for m in months if m.contains(p["business_date"])] == in_months, (p, in_months)
            assert registers[in_months[0]][p["ref"]] == 1, p
    for key, sheet in b.sheets.items():
        assert _sheet_paid(sheet) == (booked_per_day[key], amount_per_day[key]), (key, sheet["by_category"])
    for key in booked_per_day:
        assert key in b.sheets, f"payments booked in {key} but no sheet"


def check_months_add_up(b: Books, months: tuple[Month, ...]) -> None:
    """Sheet + later corrections naming the day − corrections booked on it == register, per site-day
    and per month; each correction is listed on the sheet that booked it."""
    double = {e.details()["payment_id"] for e in b.entries
              if e.kind == "sale_paid" and e.details().get("double_payment")}
    register: Counter[tuple[str, dt.date]] = Counter()
    later: Counter[tuple[str, dt.date]] = Counter()
    moved_in: Counter[tuple[str, dt.date]] = Counter()
    moved_sales: dict[tuple[str, dt.date], set[str]] = defaultdict(set)
    for p in b.payments:
        if p["state"] not in MOVED_MONEY:
            continue
        register[(p["site"], p["business_date"])] += p["amount"]
        if p["booked_on"] is not None:
            later[(p["site"], p["business_date"])] += p["amount"]
            moved_in[(p["site"], p["booked_on"])] += p["amount"]
            if p["id"] not in double:
                moved_sales[(p["site"], p["booked_on"])].add(p["sale_id"])
    keys = set(register) | set(b.sheets)
    for key in keys:
        sheet = _sheet_paid(b.sheets[key])[1] if key in b.sheets else 0
        assert sheet + later[key] - moved_in[key] == register[key], (key, sheet, later[key], moved_in[key])
        if key in b.sheets:
            listed = {m["sale_id"] for m in b.sheets[key]["moved_in"]}
            assert moved_sales[key] <= listed, (key, moved_sales[key], listed)
    for m in months:
        for site in {s for s, _ in keys}:
            days = [k for k in keys if k[0] == site and m.contains(k[1])]
            sheets = sum(_sheet_paid(b.sheets[k])[1] for k in days if k in b.sheets)
            corrections_in = sum(p["amount"] for p in b.payments if p["state"] in MOVED_MONEY
                                 and p["site"] == site and p["booked_on"] is not None
                                 and m.contains(p["business_date"]) and not m.contains(p["booked_on"]))
            corrections_out = sum(p["amount"] for p in b.payments if p["state"] in MOVED_MONEY
                                  and p["site"] == site and p["booked_on"] is not None
                                  and m.contains(p["booked_on"]) and not m.contains(p["business_date"]))
            assert sheets + corrections_in - corrections_out == sum(register[k] for k in days), (m, site)
    listed = Counter(a["id"] for s in b.sheets.values() for a in s["adjustments"])
    for a in b.adjustments:
        assert listed[a["id"]] == 1, a
        assert a["id"] in {x["id"] for x in b.sheets[(a["site"], a["day"])]["adjustments"]}, a
        assert (a["site"], a["corrects"]) in b.closed and a["day"] > a["corrects"], a


def check_sheets_are_the_journal(b: Books) -> None:
    """Each sheet's money figures, rebuilt with plain loops from its site-day's journal entries."""
    per: dict[tuple[str, dt.date], list[Any]] = defaultdict(list)
    for e in b.entries:
        if e.site:
            per[(e.site, dt.date.fromisoformat(e.business_date))].append(e)
    for key, sheet in b.sheets.items():
        cat: Counter[str] = Counter()
        count: Counter[str] = Counter()
        double = refunds = adjustments = over_short = 0
        for e in per.get(key, []):
            d = e.details()
            if e.kind == "sale_paid" and d.get("double_payment"):
                double += e.amount
            elif e.kind == "sale_paid":
                cat[d["category"]] += e.amount
                count[d["category"]] += 1
            elif e.kind == "refund":
                refunds -= e.amount
            elif e.kind == "adjustment":
                adjustments += e.amount
            elif e.kind == "day_closed" and d.get("scope") == "station":
                over_short += e.amount
        gross = sum(cat.values())
        assert {c: (sheet["by_category"][c]["count"], sheet["by_category"][c]["amount"]) for c in CATEGORIES} == \
            {c: (count[c], cat[c]) for c in CATEGORIES}, key
        assert sheet["double_payments"]["amount"] == double, key
        assert (sheet["gross"], sheet["refunds"]["amount"], sheet["adjustments_total"]) == \
            (gross, refunds, adjustments), key
        assert sheet["net"] == gross - refunds + adjustments + over_short, key


def check_refunds_are_booked(rt: Any, b: Books, recovered: Any = None) -> None:
    """A sale marked refunded has its refunds in the books: each refund is booked once (done, or
    pending by bank transfer), none is left half-way, and the payment it returns says so."""
    from madoguchi.adapters.db.tables import Refund, Sale
    with rt.uow(read_only=True) as uow:
        refunds = uow.session.execute(select(Refund.id, Refund.state, Refund.payment_id, Refund.sale_id)).all()
        refunded_sales = set(uow.session.execute(select(Sale.id).where(Sale.state == "refunded")).scalars())
    booked = Counter(e.details().get("refund_id") for e in b.entries if e.kind == "refund")
    state_of = {p["id"]: p["state"] for p in b.payments}
    for refund_id, state, payment_id, sale_id in refunds:
        assert state in ("pending", "done"), f"refund {refund_id} of sale {sale_id} is left {state} ({recovered})"
        assert booked[refund_id] == 1, f"refund {refund_id} is booked {booked[refund_id]} times"
        assert state_of[payment_id] in ("refunded", "cancelled"), (refund_id, state_of[payment_id])
    assert refunded_sales <= {sale_id for *_x, sale_id in refunds}, "a sale is refunded without a refund"
