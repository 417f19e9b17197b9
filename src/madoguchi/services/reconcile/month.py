"""Close of month (月次処理): import the agent's statements, match, settle in-doubt payments, report.

``reconcile_month`` is the whole of it, in this order: the statement files are
imported together (all or nothing, once per content hash); the month's payments are read in
bulk and matched by :mod:`madoguchi.services.reconcile.bulk`; every in-doubt payment
the statements settle is resolved through
:func:`madoguchi.services.counter.incidents.resolve_unknown`, naming the statement as its
evidence (and a not-paid one opens the resident's case for staff); then the run is
recorded and the workbook, the matched-rows CSV and ``summary.json`` are written.
Findings are results, not errors: only bad input raises.
"""
from __future__ import annotations

import datetime as dt
import json
import tempfile
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

from madoguchi.adapters.files.statement import V1, Layout, load_layout
from madoguchi.adapters.files.writing import write_text
from madoguchi.domain.auth import Action, Actor
from madoguchi.domain.journal import EntryKind
from madoguchi.domain.receipt import JST
from madoguchi.domain.reconcile import MatchClass, Month
from madoguchi.domain.reconcile_match import Finding
from madoguchi.domain.reconcile_records import FeeDueCase
from madoguchi.domain.reconcile_three_way import with_corrections
from madoguchi.domain.reconcile_transfer import FeeItem, Transfer, build_transfer, fee_items
from madoguchi.domain.sale import SaleState
from madoguchi.errors import BadInput
from madoguchi.services.close.export import export_status
from madoguchi.services.counter.incidents import resolve_unknown
from madoguchi.services.reconcile import records
from madoguchi.services.reconcile.bulk import Outcome, reconcile_files, revenue_lines_json, write_payments_csv
from madoguchi.services.reconcile.corrections import month_corrections
from madoguchi.services.reconcile.disputes import carried_fees, resolutions_of
from madoguchi.services.reconcile.exceptions import exception_items
from madoguchi.services.reconcile.rules import load_rules
from madoguchi.services.reconcile.rules_check import rate_findings
from madoguchi.services.runtime import Runtime

#: Payments this many days either side of the month are read too, to tell cut-off cases.
WINDOW_DAYS = 35


def payment_rows(rt: Runtime, month: Month) -> list[dict[str, Any]]:
    """Every payment near the month, in bulk (one SELECT of plain columns, no ORM objects), with
    its revenue lines (one more) for the transfer's breakdown."""
    lo = month.first - dt.timedelta(days=WINDOW_DAYS)
    hi = month.last + dt.timedelta(days=WINDOW_DAYS)
    with rt.uow(read_only=True) as uow:
        result = uow.reconcile_books.payments_between(lo, hi)
        lines = uow.reconcile_books.revenue_lines_between(lo, hi)
    return [{"merchant_reference": ref, "processor_reference": proc, "terminal_id": term, "site": site,
             "station": station, "brand": brand, "category": cat, "amount": amount,
             "status": export_status(state),
             "paid_at": (done or started).astimezone(JST).isoformat(timespec="seconds"),
             "business_date": day.isoformat(), "booked_on": booked.isoformat() if booked else None,
             "revenue_lines": revenue_lines_json(lines.get(ref))}
            for ref, proc, term, site, station, brand, cat, amount, state, done, started, day, booked in result]


def reconcile_month(rt: Runtime, *, month: str, statements: list[Path], actor: Actor, out: Path,
                    json_out: Path | None = None, mapping: Path | None = None, complete: bool | None = None,
                    rules_path: Path | None = None) -> dict[str, Any]:
    """Run the close of month; returns the summary (as ``summary.json``)."""
    actor.require(Action.ACCOUNT)
    actor.require_all_sites("the close of month")
    the_month = Month.parse(month)
    if not statements:
        raise BadInput("give at least one --statement FILE")
    out = Path(out)
    if out.suffix.lower() != ".xlsx":
        raise BadInput(f"--out: {out} should end in .xlsx")
    if not out.parent.is_dir():
        raise BadInput(f"--out: folder {out.parent} does not exist")
    rules, expenditure = load_rules(rules_path or rt.settings.reconcile_rules_path)
    layout: Layout = load_layout(mapping) if mapping else V1
    imports = records.import_statements(rt, [Path(p) for p in statements], layout=layout, actor=actor)
    matched_csv = out.with_name(out.stem + "-matched.csv")
    done: dict[str, Any] = {}

    def settle_and_report(outcome: Outcome) -> None:
        """While the matched rows are written: settle what the statements settle, then the workbook."""
        resolutions = _resolve_in_doubt(rt, outcome, imports, actor)
        # Read after the resolutions: those booked in the open day are corrections of their own day.
        outcome.summary = replace(outcome.summary, days=with_corrections(
            outcome.summary.days, month_corrections(rt, the_month)))
        carried, carried_views = carried_fees(rt, the_month)
        transfer = month_transfer(rt, outcome, carried)
        summary = summary_json(outcome, open_incidents=records.open_incidents(rt), transfer=transfer,
                               revenue_names=_revenue_names(rt), imports=imports, resolutions=resolutions,
                               expenditure=expenditure)
        _with_disputes(summary["transfer"], carried_views,
                       resolutions_of(rt, sorted({i.import_id for i in imports})), imports)
        summary["exceptions"] = exception_items(rt, outcome.findings)
        summary["rule_findings"] = rate_findings(rules_path or rt.settings.reconcile_rules_path,
                                                 the_month.first, the_month.last)
        from madoguchi.adapters.files.reconcile_workbook import write_workbook
        write_workbook(out, outcome=outcome, summary=summary, municipality=rt.places.municipality,
                       site_names={s.code: s.name for s in rt.places.sites}, produced_at=rt.clock(),
                       produced_by=_display_name(rt, actor.login))
        done["summary"] = summary

    with tempfile.TemporaryDirectory() as tmp:
        payments_csv = Path(tmp) / "payments.csv"
        write_payments_csv(payment_rows(rt, the_month), payments_csv)
        outcome = reconcile_files(month=the_month, statements=[Path(p) for p in statements],
                                  payments_csv=payments_csv, layout=layout, rules=rules, complete=complete,
                                  matched_csv=matched_csv, daily_sheets=records.daily_sheets(rt, the_month),
                                  workdir=Path(tmp), meanwhile=settle_and_report)
    summary: dict[str, Any] = done["summary"]
    summary["report"] = str(out)
    summary["matched_csv"] = str(matched_csv)
    with rt.uow() as uow:
        run_id = uow.reconcile.add_run(month=str(the_month), ran_at=rt.clock(), ran_by=actor.login,
                                       statements=json.dumps(summary["statements"], ensure_ascii=False),
                                       complete=outcome.complete, transfer_amount=summary["transfer_amount"],
                                       summary=json.dumps(summary, ensure_ascii=False), report_path=str(out))
        uow.commit()
    summary["run_id"] = run_id
    if json_out is not None:
        write_text(Path(json_out), json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
    return summary


_ROW_KIND_JA = {"sale": "売上", "refund": "返金", "cancel": "取消", "chargeback": "チャージバック",
                "adjustment": "調整"}


def _evidence(f: Finding, imports: list[records.Imported]) -> str:
    """The statement as evidence, in Japanese (it is shown to staff with the incident)."""
    digests = {i.filename: i.sha256[:12] for i in imports}
    if f.rows:
        r = next((r for r in f.rows if r.kind.value == "sale"), f.rows[0])
        return (f"収納明細 {r.source}（sha256 {digests.get(r.source, '?')}）{r.line}行目："
                f"{_ROW_KIND_JA.get(r.kind.value, r.kind.value)} {r.gross:,}円（{r.day.isoformat()}）、"
                f"承認番号 {r.processor_reference or '-'}")
    files = "、".join(f"{name}（sha256 {d}）" for name, d in digests.items())
    return f"{f.payment.business_date:%Y-%m}の収納明細（全件受領）に無し：{files}"  # type: ignore[union-attr]


def _resolve_in_doubt(rt: Runtime, outcome: Outcome, imports: list[records.Imported],
                      actor: Actor) -> list[dict[str, Any]]:
    done = []
    wanted = (MatchClass.IN_DOUBT_RESOLVED_PAID, MatchClass.IN_DOUBT_RESOLVED_NOT_PAID)
    for f in outcome.findings:
        if f.cls not in wanted or f.payment is None:
            continue
        with rt.uow(read_only=True) as uow:
            incident_id = uow.reconcile.open_unknown_incident(f.payment.ref)
        if incident_id is None:
            continue  # already resolved by an earlier run or by staff
        paid = f.cls is MatchClass.IN_DOUBT_RESOLVED_PAID
        evidence = _evidence(f, imports)
        reference = next((r.processor_reference for r in f.rows if r.processor_reference), None)
        # The sale row's time is the terminal's: the payment keeps it (and its own day and month).
        paid_at = next((r.transaction_at for r in f.rows if r.kind.value == "sale"), None) if paid else None
        view = resolve_unknown(rt, incident_id=incident_id, paid=paid, actor=actor, evidence=evidence,
                               reference=reference, paid_at=paid_at, _system=True)
        case = None if paid else _open_fee_due(rt, f, evidence, actor)
        done.append({"incident": incident_id, "merchant_reference": f.payment.ref, "paid": paid,
                     "evidence": evidence, "sale_state": view["sale"]["state"], "case": case})
    return done


def _open_fee_due(rt: Runtime, f: Finding, evidence: str, actor: Actor) -> str | None:
    """Not paid after all: if the sale is still unpaid, the resident owes the fee; staff follow up."""
    p = f.payment
    assert p is not None
    with rt.uow() as uow:
        sale_id, state = uow.reconcile_books.sale_of_payment(p.ref)
        if state is None or state == SaleState.PAID:
            return None
        now = rt.clock()
        summary = (f"処理未了の決済 {p.ref}（{p.brand} {p.amount:,}円、{p.business_date}）は未決済でした。"
                   "手数料はお客様から未収です。ご連絡ください")[:300]
        case = FeeDueCase(id=str(uuid.uuid4()), site=p.site, station=p.station, sale_id=sale_id, request_id=p.ref,
                          brand=p.brand, amount=p.amount, opened_at=now, summary=summary)
        uow.reconcile.add_fee_due_case(case)
        uow.journal.append(EntryKind.INCIDENT_OPENED, at=now, actor=actor.login, amount=p.amount, site=p.site,
                           station=p.station, sale_id=sale_id, incident_id=case.id, incident_kind="fee_due",
                           request_id=p.ref, evidence=evidence)
        uow.commit()
        return case.id


def _display_name(rt: Runtime, login: str) -> str:
    """The person's name for the report (a login id is not how people sign)."""
    with rt.uow(read_only=True) as uow:
        name = uow.reconcile_books.display_names([login]).get(login)
    return name or login


def month_transfer(rt: Runtime, outcome: Outcome, carried: list[FeeItem] | None = None) -> Transfer:
    """The 公金振替 from each of our payments' own fees (see :mod:`madoguchi.domain.reconcile_transfer`),
    with the fees of earlier disputed rows resolved as ours this month (``carried``). The plainly
    matched rows come counted, with their revenue lines from the payments export."""
    found, disputed = fee_items(outcome.findings)
    items: list[FeeItem] = [*found, *(carried or [])]
    return build_transfer(items, disputed, complete=outcome.complete, groups=outcome.plain_fees,
                          revenue_lines=_revenue_lines(rt, {ref for ref, _site, _day, _fee in items}))


def _with_disputes(transfer: dict[str, Any], carried: list[dict[str, Any]],
                   resolved: dict[tuple[int, int], dict[str, Any]], imports: list[records.Imported]) -> None:
    """The summary's transfer with the earlier rows it carries, and each disputed row's resolution."""
    transfer["carried_in"] = carried
    transfer["carried_in_fee"] = sum(c["fee"] for c in carried)
    import_of = {i.filename: i.import_id for i in imports}
    for d in transfer["disputed"]:
        d["resolution"] = resolved.get((import_of.get(d["source"], -1), d["line"]))


def _revenue_lines(rt: Runtime, refs: set[str]) -> dict[str, dict[str, int]]:
    """Each payment's revenue lines (歳入科目) with the amount of its sale on each."""
    with rt.uow(read_only=True) as uow:
        return uow.reconcile_books.revenue_lines(refs)


def _revenue_names(rt: Runtime) -> dict[str, str]:
    with rt.uow(read_only=True) as uow:
        return uow.reconcile_books.revenue_names()


def summary_json(outcome: Outcome, *, open_incidents: list[dict[str, Any]], transfer: Transfer,
                 revenue_names: dict[str, str], imports: list[records.Imported], resolutions: list[dict[str, Any]],
                 expenditure: dict[str, str]) -> dict[str, Any]:
    s = outcome.summary
    return {
        "month": str(s.month), "complete": outcome.complete, "counts": s.counts,
        "statements_through": outcome.statements_through.isoformat() if outcome.statements_through else None,
        "register_gross": s.register_gross, "statement_gross": s.statement_gross, "fees": s.fees,
        "expected_fees": s.expected_fees, "net": s.net, "transfer_amount": transfer.amount,
        "deposits": [{"date": d.date.isoformat(), "expected_net": d.expected_net, "statement_net": d.statement_net}
                     for d in s.deposits],
        "open_incidents": open_incidents,
        "statements": [i.as_dict() for i in imports],
        "by_brand": s.by_brand, "by_site": s.by_site,
        "transfer": {"amount": transfer.amount, "provisional": transfer.provisional, "from": expenditure,
                     "to": [{"code": code, "name": revenue_names.get(code, "科目不明") if code else "科目不明",
                             "fee_share": fee} for code, fee in transfer.by_revenue.items()],
                     "by_deposit": [{"date": d.isoformat(), "fee": fee} for d, fee in transfer.by_deposit.items()],
                     "by_site": [{"site": site, "fee": fee} for site, fee in transfer.by_site.items()],
                     "disputed": [d.as_dict() for d in transfer.disputed],
                     "disputed_fee": transfer.disputed_fee},
        "three_way": [{"date": d.day.isoformat(), "register": d.register, "daily_sheet": d.daily_sheet,
                       "register_closed": d.register_closed, "unclosed": list(d.unclosed),
                       "statement": d.statement, "refs": list(d.refs), "differs": d.differs,
                       "corrections_in": d.corrections_in, "corrections_out": d.corrections_out,
                       "corrections": [c.as_dict() for c in d.corrections]}
                      for d in s.days if d.differs or d.unclosed or d.corrections],
        "resolutions": resolutions,
    }
