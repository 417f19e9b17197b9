"""The agent's statement for the ledger property test, with planted differences; and the
公金振替 it must give, worked out from the statement's own rows.

Each cashless payment of the month that moved money (or whose outcome is unknown) gets
its sale row, and a cancel row when it was cancelled at the terminal. Plants, each on one
payment: ``missing`` (no row), ``duplicate`` (its sale row twice), ``amount`` (the gross
10 yen more), ``fee`` (the fee 1 yen more), ``foreign`` (a row that is none of ours),
``cut_off`` (left for the other month's statement, which carries it if it comes later).

The transfer must be the fees of the rows that name a payment of ours, less the second
sale row of a duplicate; by site (the payment's) and by deposit date (the row's).
"""
from __future__ import annotations

import csv
import datetime as dt
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

from madoguchi.domain.reconcile import DepositSchedule, Month, RateTable

RATES = RateTable.default()
HEADER = ["merchant_reference", "processor_reference", "transaction_at", "terminal_id", "brand", "kind",
          "gross", "fee", "net", "deposit_date"]
ON_STATEMENT = ("approved", "refunded", "cancelled", "unknown")


def _rows_of(p: dict[str, Any], gross: int | None = None, fee_extra: int = 0) -> list[list[Any]]:
    day = dt.date.fromisoformat(p["paid_at"][:10])
    deposit = DepositSchedule().deposit_date(day).isoformat()
    gross = p["amount"] if gross is None else gross
    fee = RATES.fee(p["brand"], gross, day) + fee_extra
    out = [[p["merchant_reference"], p["processor_reference"] or "", p["paid_at"], p["terminal_id"] or "",
            p["brand"], "sale", gross, fee, gross - fee, deposit]]
    if p["status"] == "cancelled":
        out.append([p["merchant_reference"], p["processor_reference"] or "", p["paid_at"], p["terminal_id"] or "",
                    p["brand"], "cancel", -gross, -fee, -(gross - fee), deposit])
    return out


def write_statement(path: Path, rows: list[dict[str, Any]], month: Month, plants: list[tuple[str, int]],
                    deferred: set[str]) -> tuple[Path, dict[str, Any]]:
    """Write the month's statement; returns it and the transfer it must give."""
    ours = {r["merchant_reference"]: r for r in rows}
    candidates = sorted((r for r in rows if r["category"] != "cash" and r["status"] in ON_STATEMENT
                         and month.contains(dt.date.fromisoformat(r["business_date"]))),
                        key=lambda r: r["merchant_reference"])
    plant_of: dict[str, str] = {}
    foreign = 0
    for plant, pick in plants:
        if plant == "foreign":
            foreign += 1
        elif candidates:
            plant_of.setdefault(candidates[pick % len(candidates)]["merchant_reference"], plant)
    out: list[list[Any]] = []
    for p in candidates:
        plant = plant_of.get(p["merchant_reference"])
        if plant in ("missing", "cut_off"):
            if plant == "cut_off":
                deferred.add(p["merchant_reference"])
            continue
        lines = _rows_of(p, gross=p["amount"] + 10 if plant == "amount" else None,
                         fee_extra=1 if plant == "fee" else 0)
        if plant == "duplicate":
            lines.insert(1, list(lines[0]))
        out.extend(lines)
    for ref in sorted(deferred):  # the other month's payments left for this statement
        p = ours.get(ref)
        if p is not None and not month.contains(dt.date.fromisoformat(p["business_date"])):
            out.extend(_rows_of(p))
            deferred.discard(ref)
    for n in range(foreign):
        moment = dt.datetime.combine(month.first + dt.timedelta(days=n), dt.time(12, 0), dt.timezone(
            dt.timedelta(hours=9)))
        out.append([f"not-ours-{uuid.uuid4().hex[:8]}", f"PX-F{n}", moment.isoformat(), "T-FOREIGN", "visa",
                    "sale", 777, 19, 758, DepositSchedule().deposit_date(moment.date()).isoformat()])
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        w.writerows(out)
    by_site: Counter[str] = Counter()
    by_deposit: Counter[str] = Counter()
    sale_rows: Counter[str] = Counter()
    for ref, _proc, _at, _term, _brand, kind, _gross, fee, _net, deposit in out:
        if ref not in ours:
            continue
        if kind == "sale":
            sale_rows[ref] += 1
            if sale_rows[ref] > 1:
                continue  # the second sale row of a duplicate is disputed (照会中)
        by_site[ours[ref]["site"]] += fee
        by_deposit[deposit] += fee
    return path, {"amount": sum(by_site.values()), "by_site": dict(by_site), "by_deposit": dict(by_deposit)}


def check_transfer(summary: dict[str, Any], expected: dict[str, Any]) -> None:
    t = summary["transfer"]
    assert t["amount"] == summary["transfer_amount"] == expected["amount"], (t, expected)
    assert {s["site"]: s["fee"] for s in t["by_site"] if s["fee"]} == {k: v for k, v in expected["by_site"].items()
                                                                         if v}, (t["by_site"], expected)
    assert {d["date"]: d["fee"] for d in t["by_deposit"] if d["fee"]} == \
        {k: v for k, v in expected["by_deposit"].items() if v}, (t["by_deposit"], expected)
    for breakdown, key in (("by_site", "fee"), ("by_deposit", "fee"), ("to", "fee_share")):
        assert sum(x[key] for x in t[breakdown]) == t["amount"], breakdown
    assert "科目不明" not in {x["name"] for x in t["to"] if x["fee_share"]}, t["to"]
