"""Close of day (日次処理), the pure part: counted cash, expected cash, over/short, checks.

No I/O. The service hands in what the journal says about one payment station's cash
and what it saw at the station (a sale waiting, receipts not printed, incidents
open); this module adds it up and returns every finding at once.

Cash at a payment station over one business day::

    expected = float + cash received - change - cash refunds + cash in - cash out (+ cash adjustments)
    over/short (過不足) = counted - expected

A difference that is not zero needs a reason; nothing is adjusted silently.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from madoguchi.domain.money import DENOMINATIONS
from madoguchi.errors import BadInput

#: Most notes or coins of one kind a count may claim: a sanity bound against typos.
MAX_COUNT = 100_000


class Severity(StrEnum):
    ERROR = "error"      # the close is refused until it is dealt with
    WARNING = "warning"  # the close may go ahead once a supervisor has seen it
    INFO = "info"        # shown on the sheet, nothing to decide


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    severity: Severity
    message: str        # English, like every other error message
    message_ja: str     # for the sheet and the screens
    station: str | None = None
    ref: str | None = None  # a sale, incident or refund id

    def as_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "severity": self.severity.value, "message": self.message,
                "message_ja": self.message_ja, "station": self.station, "ref": self.ref}


def errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity is Severity.ERROR]


def warnings(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity is Severity.WARNING]


# --- counted cash ----------------------------------------------------------------------
def over_short_ja(amount: int, yen: str = "{:,}円") -> str:
    """A difference as staff say it: ``-100`` -> ``'不足 100円'``, ``100`` -> ``'過剰 100円'``,
    ``0`` -> ``'過不足なし'`` (a sign is easy to misread; a word is not)."""
    if amount == 0:
        return "過不足なし"
    return f"{'過剰' if amount > 0 else '不足'} {yen.format(abs(amount))}"


def parse_counts(raw: object, *, station: str) -> dict[int, int]:
    """``{"10000": 3, "1000": 12, ...}`` as entered -> ``{10000: 3, 1000: 12}``.

    Every denomination is listed in the result (0 when not given). Errors name the
    station and the denomination, so a person can find the wrong figure.
    """
    if not isinstance(raw, Mapping):
        raise BadInput(f"station {station}: counted cash must be an object of denomination -> count, "
                       f"got {type(raw).__name__}")
    counts = {d: 0 for d in DENOMINATIONS}
    for key, value in raw.items():
        text = str(key).strip()
        if not (text.isascii() and text.isdigit()) or int(text) not in DENOMINATIONS:
            raise BadInput(f"station {station}: {key!r} is not a yen denomination "
                           f"(use {', '.join(map(str, DENOMINATIONS))})")
        denomination = int(text)
        if isinstance(value, bool) or not isinstance(value, int):
            raise BadInput(f"station {station}, denomination {denomination}: the count must be a whole "
                           f"number, got {value!r}")
        if not 0 <= value <= MAX_COUNT:
            raise BadInput(f"station {station}, denomination {denomination}: the count must be from 0 to "
                           f"{MAX_COUNT}, got {value}")
        counts[denomination] = value
    return counts


def value_of(counts: Mapping[int, int]) -> int:
    return sum(d * n for d, n in counts.items())


# --- expected cash ---------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class CashPosition:
    """What the journal says moved through one changer on one business day (all yen, >= 0
    except ``adjustments``)."""

    float_loaded: int = 0
    received: int = 0      # cash tendered for sales
    change: int = 0        # change paid out
    refunds: int = 0       # cash refunded from the changer
    cash_in: int = 0
    cash_out: int = 0
    adjustments: int = 0   # approved cash corrections booked at this station, signed

    @property
    def expected(self) -> int:
        return (self.float_loaded + self.received - self.change - self.refunds
                + self.cash_in - self.cash_out + self.adjustments)


def cash_position(entries: list[tuple[str, int, Mapping[str, object]]]) -> CashPosition:
    """Add up one station's ``(kind, amount, details)`` journal entries of one day."""
    f = dict(float_loaded=0, received=0, change=0, refunds=0, cash_in=0, cash_out=0, adjustments=0)
    for kind, amount, d in entries:
        if kind == "float_loaded":
            f["float_loaded"] += amount
        elif kind == "cash_in":
            f["cash_in"] += amount
        elif kind == "cash_out":
            f["cash_out"] += -amount
        elif kind == "sale_paid" and d.get("method") == "cash":
            f["received"] += int(d.get("tendered") or amount)  # type: ignore[call-overload]
            f["change"] += int(d.get("change") or 0)  # type: ignore[call-overload]
        elif kind == "refund" and d.get("method") == "cash":
            f["refunds"] += -amount
        elif kind == "adjustment" and d.get("category") == "cash":
            f["adjustments"] += amount
    return CashPosition(**f)


# --- one payment station at close -------------------------------------------------------
@dataclass(frozen=True, slots=True)
class StationState:
    """What the service saw at a payment station when it checked it."""

    station: str
    position: CashPosition
    counted: Mapping[int, int] | None = None   # None: not counted (an interim check may skip it)
    machine: Mapping[int, int] | None = None   # the changer's own counts
    reason: str | None = None                  # why counted differs from expected
    closed: bool = False
    sale_waiting: str | None = None            # a sale occupying the station
    payments_in_flight: tuple[str, ...] = ()
    receipts_pending: int = 0
    jams_open: tuple[str, ...] = ()
    unknown_open: tuple[str, ...] = ()
    fault: str | None = None
    name: str | None = None                    # as staff call it (精算機1), for the Japanese texts
    count_findings: tuple[Finding, ...] = ()   # the changer's counts against the journal's (changer_book)

    @property
    def counted_total(self) -> int | None:
        return None if self.counted is None else value_of(self.counted)

    @property
    def machine_total(self) -> int | None:
        return None if self.machine is None else value_of(self.machine)

    @property
    def over_short(self) -> int | None:
        counted = self.counted_total
        return None if counted is None else counted - self.position.expected


#: The states of an unfinished sale, as the sheet and the screens say them.
SALE_STATES_JA = {"open": "入力中", "awaiting_payment": "お支払い待ち", "paying": "お支払い中", "in_doubt": "処理未了"}


def check_station(s: StationState, *, closing: bool) -> list[Finding]:
    """Every finding about one station; ``closing`` asks for what a close needs (a count)."""
    out: list[Finding] = []
    st = s.station

    def add(code: str, sev: Severity, en: str, ja: str, ref: str | None = None) -> None:
        if s.name:  # the Japanese text names the station as staff call it
            ja = ja.replace(st, s.name, 1)
        out.append(Finding(code, sev, en, ja, st, ref))

    if closing and s.closed:
        add("already_closed", Severity.ERROR, f"{st} is already closed for this day",
            f"{st} はこの日すでに締め済みです")
    if s.sale_waiting:
        add("sale_at_station", Severity.ERROR,
            f"{st} is serving sale {s.sale_waiting[:8]}: finish it, move it or cancel it first",
            f"{st} で取引 {s.sale_waiting[:8]} が精算待ちです（完了・移動・取消のいずれかを）", s.sale_waiting)
    for pid in s.payments_in_flight:
        add("payment_in_flight", Severity.ERROR, f"a payment at {st} is still in progress ({pid[:8]})",
            f"{st} で支払処理中の取引があります（{pid[:8]}）", pid)
    for iid in s.jams_open:
        add("cash_jam_open", Severity.ERROR, f"{st} has a cash jam not cleared: cash is held inside",
            f"{st} の釣銭機詰まりが未処理です（機内に現金あり）", iid)
    over_short = s.over_short
    if closing and over_short is None:
        add("not_counted", Severity.ERROR, f"{st}: the counted cash is missing",
            f"{st} の実査現金が入力されていません")
    if over_short:
        if s.reason:
            add("over_short", Severity.WARNING, f"{st}: counted differs from expected by {over_short:+,} yen "
                f"({s.reason})", f"{st} 現金{over_short_ja(over_short)}（理由: {s.reason}）")
        else:
            add("unbalanced", Severity.ERROR if closing else Severity.WARNING,
                f"{st}: counted differs from expected by {over_short:+,} yen; give the reason",
                f"{st} 現金{over_short_ja(over_short)}: 理由の入力が必要です")
    machine = s.machine_total
    if machine is not None and machine != s.position.expected:
        add("machine_differs", Severity.WARNING,
            f"{st}: the changer's own count ({machine:,} yen) differs from the books "
            f"({s.position.expected:,} yen)",
            f"{st} 釣銭機の在高 {machine:,}円 が帳簿 {s.position.expected:,}円 と一致しません")
    out.extend(s.count_findings)
    if s.receipts_pending:
        add("receipts_pending", Severity.WARNING,
            f"{st}: {s.receipts_pending} receipt(s) still waiting to be printed",
            f"{st} 未印刷の領収書が {s.receipts_pending} 件あります")
    for iid in s.unknown_open:
        add("unknown_outcome_open", Severity.WARNING,
            f"{st}: a cashless payment's outcome is still unknown (incident {iid[:8]})",
            f"{st} キャッシュレス決済の処理未了があります（事故 {iid[:8]}）", iid)
    if s.fault and not s.jams_open:
        add("station_fault", Severity.WARNING, f"{st} is out of service: {s.fault}",
            f"{st} は停止中です: {s.fault}")
    return out


# --- the site ---------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class SiteState:
    site: str
    stations: tuple[StationState, ...]
    open_sales: tuple[tuple[str, str], ...] = ()   # (sale id, state) of sales not finished
    refunds_pending: tuple[tuple[str, int], ...] = ()  # (refund id, amount) owed by bank transfer
    closed: bool = False
    extra: tuple[Finding, ...] = field(default=())


def check_site(s: SiteState, *, closing: bool, stations_must_be_closed: bool) -> list[Finding]:
    """Every finding of the site-day: each station's, then the site's own."""
    out: list[Finding] = []
    if closing and s.closed:
        out.append(Finding("already_closed", Severity.ERROR, f"site {s.site} is already closed for this day",
                           f"{s.site} はこの日すでに締め済みです"))
    for st in s.stations:
        if st.closed:  # what its close recorded, for the whole picture; nothing to refuse any more
            out.extend(f for f in check_station(st, closing=False) if f.severity is not Severity.ERROR)
        elif stations_must_be_closed:
            out.append(Finding("station_not_closed", Severity.ERROR,
                               f"{st.station} is not closed yet: close each payment station first",
                               f"{st.name or st.station} が未締めです（精算機ごとに先に締めてください）", st.station))
        else:
            out.extend(check_station(st, closing=closing))
    for sale_id, state in s.open_sales:
        out.append(Finding("sale_open", Severity.ERROR if closing else Severity.WARNING,
                           f"sale {sale_id[:8]} is still {state}: finish or cancel it before the close",
                           f"取引 {sale_id[:8]} が未完了です（{SALE_STATES_JA.get(state, state)}）: "
                           "完了または取消してください", None, sale_id))
    for refund_id, amount in s.refunds_pending:
        out.append(Finding("refund_pending", Severity.INFO,
                           f"a refund of {amount:,} yen by bank transfer is still to be paid ({refund_id[:8]})",
                           f"口座振込による返金 {amount:,}円 が未了です（{refund_id[:8]}）", None, refund_id))
    out.extend(s.extra)
    return out
