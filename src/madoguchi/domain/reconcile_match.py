"""Matching the register's payments with the agent's statement rows, pure.

Every payment of the month that moved money (or may have: in doubt) and every
statement row ends in exactly one :class:`~madoguchi.domain.reconcile.MatchClass`,
as one :class:`Finding`: a payment with the statement rows that belong to it, or a
statement row alone. The rules, in order:

1. A row belongs to the payment its ``merchant_reference`` names; failing that, to
   the one payment whose ``processor_reference`` it carries (refunds often carry
   only that); failing that, a *sale* row goes to the one payment of the same
   terminal, brand and amount within the time tolerance that has no sale row yet.
   Two or more such candidates: nothing is guessed; the row is reported with them.
2. Rows of a payment of another month, and unattached rows dated in another month,
   are ``other_period`` (cut-off). Other unattached rows are ``missing_in_register``.
3. A second sale row for one payment is ``duplicate_in_statement``.
4. In doubt (``unknown``): a sale row means paid; none, once the month's statements
   are complete, means not paid; before that it stays open.
5. Otherwise the rows' gross must equal what the register expects (the amount; 0 for
   a payment cancelled at the terminal, whose sale and cancel rows net out) or it is
   ``amount_mismatch``; each row's fee must equal the rate table's or it is
   ``fee_mismatch``; else ``matched``. A payment with no row is
   ``missing_in_statement`` (a cancelled one, which owes nothing, is ``matched``); while
   the statements are incomplete, one dated after the last day they carry is
   ``not_yet_due`` (未到来) instead.

Declined payments and cash take no part unless a statement row names them
(then ``amount_mismatch``: the register expected nothing).
"""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from madoguchi.domain.reconcile import Kind, MatchClass, Month, RateTable, RegisterPayment, StatementRow

#: The notes (``Finding.note``) are the evidence staff read, so they are Japanese; the class is the code.
_CATEGORY_JA = {"cash": "現金", "emoney": "電子マネー", "credit": "クレジット", "qr": "QRコード"}
_STATUS_JA = {"approved": "承認", "declined": "拒否", "unknown": "処理未了", "refunded": "返金済",
              "cancelled": "取消済", "not_sent": "端末未受信"}

#: Statuses whose payment the agent's statement is expected to account for.
SETTLEABLE = frozenset({"approved", "refunded", "cancelled", "unknown"})


@dataclass(frozen=True, slots=True)
class Finding:
    cls: MatchClass
    payment: RegisterPayment | None
    rows: tuple[StatementRow, ...]
    expected_gross: int      # what the register expects the statement to carry for this item
    expected_fee: int        # the rate table applied to these rows
    note: str = ""
    candidates: tuple[str, ...] = ()  # merchant references a row could belong to (ambiguous)

    @property
    def statement_gross(self) -> int:
        return sum(r.gross for r in self.rows)

    @property
    def fee(self) -> int:
        return sum(r.fee for r in self.rows)

    @property
    def net(self) -> int:
        return sum(r.net for r in self.rows)

    @property
    def day(self) -> dt.date:
        """The day the item belongs to: the payment's business date, else the row's day."""
        return self.payment.business_date if self.payment else self.rows[0].day

    @property
    def ref(self) -> str:
        if self.payment:
            return self.payment.ref
        r = self.rows[0]
        return r.merchant_reference or r.processor_reference or f"{r.source}:{r.line}"


def classify(payments: Iterable[RegisterPayment], rows: Iterable[StatementRow], *, month: Month,
             rates: RateTable, tolerance: dt.timedelta, complete: bool,
             statements_through: dt.date | None = None) -> list[Finding]:
    """One finding per payment (with its rows) and per row that belongs to no payment.

    ``statements_through``: the last day the (incomplete) statements carry; a payment after
    it with no row is ``not_yet_due``, not missing."""
    pays = sorted(payments, key=lambda p: (p.paid_at, p.ref))
    by_ref = {p.ref: p for p in pays}
    proc_counts = Counter(p.processor_ref for p in pays if p.processor_ref)
    by_proc = {p.processor_ref: p for p in pays if p.processor_ref and proc_counts[p.processor_ref] == 1}
    attached: dict[str, list[StatementRow]] = defaultdict(list)
    loose: list[StatementRow] = []
    for r in sorted(rows, key=lambda r: (r.source, r.line)):
        p = by_ref.get(r.merchant_reference) if r.merchant_reference else None
        if p is None and r.processor_reference:
            p = by_proc.get(r.processor_reference)
        (attached[p.ref] if p else loose).append(r)

    notes: dict[str, str] = {}
    ambiguous: dict[int, tuple[str, ...]] = {}
    candidates_of: dict[str, str] = {}
    with_sale = {ref for ref, rs in attached.items() if any(r.kind is Kind.SALE for r in rs)}
    index: dict[tuple[str | None, str | None, int], list[RegisterPayment]] = defaultdict(list)
    for p in pays:
        if p.category != "cash" and p.status in SETTLEABLE and p.ref not in with_sale:
            index[(p.terminal_id, p.brand, p.amount)].append(p)
    still_loose = []
    for r in loose:
        if r.kind is Kind.SALE and not r.merchant_reference and r.terminal_id:
            found = [p for p in index.get((r.terminal_id, r.brand, r.gross), ())
                     if p.ref not in with_sale and abs(p.paid_at - r.transaction_at) <= tolerance]
            if len(found) == 1:
                attached[found[0].ref].append(r)
                with_sale.add(found[0].ref)
                notes[found[0].ref] = "端末・ブランド・金額・時刻で照合"
                continue
            if found:
                ambiguous[id(r)] = tuple(p.ref for p in found)
                for p in found:
                    candidates_of[p.ref] = f"{r.source} {r.line}行目がこの決済の可能性あり（候補が複数）"
        still_loose.append(r)

    findings: list[Finding] = []
    for p in pays:
        findings.extend(_judge(p, attached.get(p.ref, []), month=month, rates=rates, complete=complete,
                               note=notes.get(p.ref) or candidates_of.get(p.ref, ""),
                               through=statements_through))
    for r in still_loose:
        fee = rates.fee(r.brand, r.gross, r.day)
        cands = ambiguous.get(id(r), ())
        if not month.contains(r.day):
            findings.append(Finding(MatchClass.OTHER_PERIOD, None, (r,), 0, fee,
                                    f"{r.day.isoformat()}付の行で、{month}の対象外", cands))
        else:
            note = (f"端末・ブランド・金額・時刻が合う決済が{len(cands)}件あり、推定しない"
                    if cands else "この取引番号の決済は当市の収納に無い")
            findings.append(Finding(MatchClass.MISSING_IN_REGISTER, None, (r,), 0, fee, note, cands))
    return findings


def _judge(p: RegisterPayment, rows: list[StatementRow], *, month: Month, rates: RateTable,
           complete: bool, note: str, through: dt.date | None = None) -> list[Finding]:
    def fee_of(rs: Iterable[StatementRow]) -> int:
        return sum(rates.fee(r.brand, r.gross, r.day) for r in rs)

    if not month.contains(p.business_date):
        if not rows:
            return []
        return [Finding(MatchClass.OTHER_PERIOD, p, tuple(rows), 0, fee_of(rows),
                        f"{p.business_date.isoformat()}の決済で、{month}の対象外")]
    if p.category == "cash" or p.status not in SETTLEABLE:
        if not rows:
            return []
        return [Finding(MatchClass.AMOUNT_MISMATCH, p, tuple(rows), 0, fee_of(rows),
                        f"レジでは{_CATEGORY_JA.get(p.category, p.category)}・"
                        f"{_STATUS_JA.get(p.status, p.status)}の決済で、"
                        "明細に載らないはず")]
    out: list[Finding] = []
    sales = [r for r in rows if r.kind is Kind.SALE]
    if len(sales) > 1:
        keep = next((r for r in sales if r.gross == p.amount), sales[0])
        for extra in sales:
            if extra is not keep:
                out.append(Finding(MatchClass.DUPLICATE_IN_STATEMENT, p, (extra,), 0, fee_of([extra]),
                                   f"{p.ref}の2行目の売上（1行目は{keep.source} {keep.line}行目）"))
        rows = [r for r in rows if r.kind is not Kind.SALE or r is keep]
    rs = tuple(rows)
    if p.status == "unknown":
        if any(r.kind is Kind.SALE for r in rs):
            out.append(Finding(MatchClass.IN_DOUBT_RESOLVED_PAID, p, rs, p.amount, fee_of(rs),
                               "明細に売上あり：決済済"))
        elif complete:
            out.append(Finding(MatchClass.IN_DOUBT_RESOLVED_NOT_PAID, p, rs, 0, fee_of(rs),
                               "当月の明細（全件受領）に無し：未決済"))
        else:
            out.append(Finding(MatchClass.IN_DOUBT_OPEN, p, rs, 0, fee_of(rs),
                               "これまでの明細に無し（当月の明細は未着分あり）"))
        return out
    expected = 0 if p.status == "cancelled" else p.amount
    if not rs:
        cls = MatchClass.MATCHED if expected == 0 else MatchClass.MISSING_IN_STATEMENT
        if cls is MatchClass.MISSING_IN_STATEMENT and not complete and (through is None or p.business_date > through):
            cls = MatchClass.NOT_YET_DUE
            note = note or (f"明細の最終日{through.isoformat()}より後"
                            if through else "明細の行はまだ無い")
        out.append(Finding(cls, p, rs, expected, 0, note))
        return out
    gross = sum(r.gross for r in rs)
    expected_fee = fee_of(rs)
    if gross != expected:
        cls = MatchClass.AMOUNT_MISMATCH
        note = note or f"レジ{expected:,}円、明細{gross:,}円"
    elif any(r.fee != rates.fee(r.brand, r.gross, r.day) for r in rs):
        cls = MatchClass.FEE_MISMATCH
        note = note or f"手数料{sum(r.fee for r in rs):,}円、料率表では{expected_fee:,}円"
    else:
        cls = MatchClass.MATCHED
    out.append(Finding(cls, p, rs, expected, expected_fee, note))
    return out
