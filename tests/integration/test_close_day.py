"""Close of day through the services, on SQLite and PostgreSQL: count, check, close, lock, correct.

The conftest clock starts on 2026-11-02 09:30 JST with every changer's float loaded.
"""
from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from madoguchi.adapters.db.close_tables import WHOLE_SITE, DayClose
from madoguchi.bootstrap import ensure_float
from madoguchi.domain.auth import ALL_SITES, Actor, Role
from madoguchi.domain.receipt import JST
from madoguchi.errors import BadInput, Conflict, PermissionDenied
from madoguchi.services.close import adjustments, close_day
from madoguchi.services.close.close_day import CloseRefused
from madoguchi.services.counter import payments, refunds, sales
from madoguchi.services.journal.verify import verify
from tests.helpers import changer, handed_off, journal, new_id, open_sale, pay_cash, printer, terminal

DAY, NEXT = dt.date(2026, 11, 2), dt.date(2026, 11, 3)
STATIONS = ("honcho-p1", "honcho-p2")
ACCOUNTANT = Actor("accountant", Role.ACCOUNTANT, frozenset({ALL_SITES}))
FIGURES = ("sales_count", "gross", "by_category", "by_brand", "by_fee_item", "by_revenue_line", "refunds",
           "net", "voids", "adjustments", "cash_expected", "cash_counted", "over_short")


def evening(clock, hour: int = 17, minute: int = 30) -> None:  # type: ignore[no-untyped-def]
    clock.now = dt.datetime(2026, 11, 2, hour, minute, tzinfo=JST).astimezone(dt.UTC)


def counted(rt, station: str, **delta: int) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """What staff count: the changer's contents, give or take (``y1000=-1`` is one note short)."""
    counts = {str(d): n for d, n in changer(rt, station).counts().items()}
    for key, n in delta.items():
        counts[key[1:]] += n
    return counts


def close_all(rt, actor, day=DAY, **kw):  # type: ignore[no-untyped-def]
    return close_day.close_day(rt, site="honcho", day=day, counted={s: counted(rt, s) for s in STATIONS},
                               actor=actor, confirm_warnings=True, **kw)


def frozen(rt, day=DAY) -> dict:  # type: ignore[no-untyped-def]
    """The figures stored when the day was closed."""
    with rt.uow() as uow:
        row = uow.session.execute(select(DayClose).where(
            DayClose.site == "honcho", DayClose.station == WHOLE_SITE, DayClose.business_date == day)).scalar_one()
        return {k: v for k, v in json.loads(row.figures).items() if k in FIGURES}


def now_figures(rt, supervisor, day=DAY) -> dict:  # type: ignore[no-untyped-def]
    summary = close_day.day_summary(rt, site="honcho", day=day, actor=supervisor)
    return {k: v for k, v in summary.items() if k in FIGURES}


def test_a_balanced_station_closes_its_day_and_its_changer_is_emptied(rt, cashier, supervisor):
    pay_cash(rt, cashier, handed_off(rt, cashier, [("juminhyo", 2)]), [1000])
    evening(rt.clock)
    view = close_day.close_station(rt, station="honcho-p1", day=DAY, counted=counted(rt, "honcho-p1"),
                                   actor=supervisor)
    assert view["closed"] and view["over_short"] == 0 and view["expected"] == view["counted"]
    assert view["received"] == 1000 and view["change"] == 400 and view["closed_by"] == "supervisor"
    assert sum(changer(rt, "honcho-p1").counts().values()) == 0
    closed = [e for e in journal(rt) if e.kind == "day_closed"]
    assert closed[-1].station == "honcho-p1" and closed[-1].business_date == DAY.isoformat()
    assert verify(rt).ok


def test_a_difference_without_a_reason_refuses_the_close_and_closes_nothing(rt, supervisor):
    with pytest.raises(CloseRefused, match="-1,000 yen; give the reason") as err:
        close_day.close_station(rt, station="honcho-p1", day=DAY, counted=counted(rt, "honcho-p1", y1000=-1),
                                actor=supervisor)
    assert [f["code"] for f in err.value.details["findings"]] == ["unbalanced"]
    assert not any(e.kind == "day_closed" for e in journal(rt))
    assert sum(changer(rt, "honcho-p1").counts().values()) > 0


def test_a_difference_with_a_reason_closes_once_the_warning_is_confirmed_and_is_journalled(rt, supervisor):
    short = counted(rt, "honcho-p1", y100=-2)
    with pytest.raises(CloseRefused, match="confirm_warnings"):
        close_day.close_station(rt, station="honcho-p1", day=DAY, counted=short, reason="釣銭の渡し過ぎ",
                                actor=supervisor)
    view = close_day.close_station(rt, station="honcho-p1", day=DAY, counted=short, reason="釣銭の渡し過ぎ",
                                   confirm_warnings=True, actor=supervisor)
    assert (view["over_short"], view["reason"]) == (-200, "釣銭の渡し過ぎ")
    entry = [e for e in journal(rt) if e.kind == "day_closed"][-1]
    assert entry.amount == -200 and entry.details()["reason"] == "釣銭の渡し過ぎ"


def test_every_finding_comes_back_at_once_before_anything_is_closed(rt, cashier, supervisor):
    open_sale(rt, cashier, staff_station="honcho-s3")                       # an open sale
    printer(rt).set_paper_out(True)
    pay_cash(rt, cashier, handed_off(rt, cashier), [100, 100, 100])                   # a receipt not printed
    terminal(rt).script("timeout_unknown")
    payments.pay_cashless(rt, payment_id=new_id(), sale_id=handed_off(rt, cashier), brand="edy",
                          actor=cashier)                                    # an unknown outcome
    handed_off(rt, cashier, station="honcho-p2", staff_station="honcho-s2")  # a sale waiting at p2
    with pytest.raises(CloseRefused) as err:
        close_day.close_day(rt, site="honcho", day=DAY, actor=supervisor,
                            counted={"honcho-p1": counted(rt, "honcho-p1", y10=1),
                                     "honcho-p2": counted(rt, "honcho-p2")})
    codes = {f["code"] for f in err.value.details["findings"]}
    assert {"sale_open", "receipts_pending", "unknown_outcome_open", "sale_at_station", "unbalanced"} <= codes
    for word in ("still open", "waiting to be printed", "unknown", "serving sale", "+10 yen"):
        assert word in err.value.message
    assert not any(e.kind == "day_closed" for e in journal(rt))


def test_the_site_closes_after_each_station_and_only_with_a_supervisors_approval(rt, cashier, supervisor):
    pay_cash(rt, cashier, handed_off(rt, cashier), [500])
    evening(rt.clock)
    with pytest.raises(CloseRefused, match="honcho-p1 is not closed yet"):
        close_day.close_site(rt, site="honcho", day=DAY, actor=supervisor)
    for station in STATIONS:
        close_day.close_station(rt, station=station, day=DAY, counted=counted(rt, station), actor=ACCOUNTANT)
    with pytest.raises(PermissionDenied):
        close_day.close_site(rt, site="honcho", day=DAY, actor=ACCOUNTANT)
    summary = close_day.close_site(rt, site="honcho", day=DAY, actor=supervisor, note="異常なし")
    assert summary["state"] == "closed" and summary["approved_by"] == "supervisor"
    assert [s["closed_by"] for s in summary["stations"]] == ["accountant", "accountant"]
    assert (summary["sales_count"], summary["gross"], summary["over_short"]) == (1, 300, 0)
    assert frozen(rt) == now_figures(rt, supervisor)


def test_a_cashier_may_look_but_not_close(rt, cashier):
    with pytest.raises(PermissionDenied):
        close_day.close_station(rt, station="honcho-p1", day=DAY, counted=counted(rt, "honcho-p1"), actor=cashier)
    assert close_day.interim_check(rt, site="honcho", actor=cashier)["state"] == "open"


def test_a_day_not_yet_begun_or_already_closed_cannot_be_closed(rt, supervisor):
    with pytest.raises(BadInput, match="has not begun"):
        close_all(rt, supervisor, day=NEXT)
    close_all(rt, supervisor)
    with pytest.raises(CloseRefused, match="already closed"):
        close_all(rt, supervisor)


def test_a_sale_made_after_the_close_goes_to_the_next_day_and_says_so(rt, cashier, supervisor):
    pay_cash(rt, cashier, handed_off(rt, cashier), [100, 100, 100])
    evening(rt.clock)
    close_all(rt, supervisor)
    rt.clock.advance(minutes=10)
    sale_id = new_id()
    view = sales.create_sale(rt, sale_id=sale_id, staff_station="honcho-s1", actor=cashier)
    assert view["business_date"] == NEXT.isoformat() and "2026-11-02 is closed" in view["day_notice"]
    ensure_float(rt)  # tomorrow's float, loaded tonight: it belongs to tomorrow too
    sales.add_line(rt, sale_id=sale_id, line_id=new_id(), fee_code="juminhyo", actor=cashier)
    sales.hand_off(rt, sale_id=sale_id, handoff_id=new_id(), payment_station="honcho-p1", actor=cashier)
    pay_cash(rt, cashier, sale_id, [100, 100, 100])
    late = [e for e in journal(rt) if e.kind in ("sale_paid", "float_loaded")][-3:]
    assert {e.business_date for e in late} == {NEXT.isoformat()}
    assert late[-1].details()["moved_from"] == DAY.isoformat()
    assert frozen(rt) == now_figures(rt, supervisor)
    assert close_day.day_summary(rt, site="honcho", day=NEXT, actor=supervisor)["moved_in"] == [
        {"sale_id": sale_id, "from": DAY.isoformat()}]


def test_a_sale_paid_at_a_station_closed_before_it_lands_in_the_next_day(rt, cashier, supervisor):
    sale_id = handed_off(rt, cashier, [("koseki-zenbu", 1)], station="honcho-p1")
    close_day.close_station(rt, station="honcho-p2", day=DAY, counted=counted(rt, "honcho-p2"), actor=supervisor)
    sales.move_sale(rt, sale_id=sale_id, move_id=new_id(), payment_station="honcho-p2", actor=cashier)
    view = payments.pay_cashless(rt, payment_id=new_id(), sale_id=sale_id, brand="visa", actor=cashier)
    assert view["state"] == "approved"
    paid = [e for e in journal(rt) if e.kind == "sale_paid"][-1]
    assert (paid.business_date, paid.details()["moved_from"]) == (NEXT.isoformat(), DAY.isoformat())
    today = close_day.day_summary(rt, site="honcho", day=DAY, actor=supervisor)
    assert today["sales_count"] == 0 and today["stations"][1]["closed"]


def test_a_refund_of_a_closed_days_sale_lands_in_the_open_day_naming_the_day_it_was_paid(rt, cashier, supervisor):
    sale_id = handed_off(rt, cashier, [("koseki-zenbu", 1)])
    pay_cash(rt, cashier, sale_id, [1000])
    evening(rt.clock)
    close_all(rt, supervisor)
    rt.clock.advance(days=1)
    ensure_float(rt)
    refunds.refund_sale(rt, refund_id=new_id(), sale_id=sale_id, reason="申請の取下げ", actor=supervisor)
    refund = [e for e in journal(rt) if e.kind == "refund"][-1]
    assert (refund.business_date, refund.details()["paid_on"]) == (NEXT.isoformat(), DAY.isoformat())
    assert frozen(rt) == now_figures(rt, supervisor)
    nxt = close_day.day_summary(rt, site="honcho", day=NEXT, actor=supervisor)
    assert nxt["refunds"] == {"count": 1, "amount": 450} and nxt["net"] == -450
    assert nxt["stations"][0]["refunds"] == 450


def test_an_adjusting_entry_needs_a_second_person_and_shows_on_the_next_sheet(rt, supervisor):
    with pytest.raises(Conflict, match="not closed"):
        adjustments.request_adjustment(rt, adjustment_id=new_id(), site="honcho", corrects=DAY, category="cash",
                                       station="honcho-p1", amount=1000, reason="x", actor=ACCOUNTANT)
    evening(rt.clock)
    close_day.close_day(rt, site="honcho", day=DAY, actor=supervisor, confirm_warnings=True,
                        counted={"honcho-p1": counted(rt, "honcho-p1", y1000=-1),
                                 "honcho-p2": counted(rt, "honcho-p2")},
                        reasons={"honcho-p1": "原因不明の不足"})
    rt.clock.advance(days=1)
    ensure_float(rt)
    asked = adjustments.request_adjustment(
        rt, adjustment_id=new_id(), site="honcho", corrects=DAY, category="cash", station="honcho-p1",
        amount=1000, reason="前日の不足分: 釣銭機の収納庫で発見", actor=ACCOUNTANT)
    assert asked["state"] == "requested"
    assert not any(e.kind == "adjustment" for e in journal(rt))  # nothing booked before approval
    approved = adjustments.approve_adjustment(rt, adjustment_id=asked["id"], actor=supervisor)
    assert (approved["state"], approved["business_date"]) == ("approved", NEXT.isoformat())
    entry = [e for e in journal(rt) if e.kind == "adjustment"][-1]
    assert (entry.business_date, entry.details()["corrects"], entry.amount) == (NEXT.isoformat(), DAY.isoformat(),
                                                                                 1000)
    nxt = close_day.day_summary(rt, site="honcho", day=NEXT, actor=supervisor)
    assert nxt["adjustments"][0]["corrects"] == DAY.isoformat() and nxt["adjustments_total"] == 1000
    assert nxt["stations"][0]["adjustments"] == 1000
    assert frozen(rt) == now_figures(rt, supervisor)


def test_an_adjustment_is_approved_by_a_supervisor_other_than_the_one_who_asked(rt, supervisor):
    evening(rt.clock)
    close_all(rt, supervisor)
    asked = adjustments.request_adjustment(rt, adjustment_id=new_id(), site="honcho", corrects=DAY,
                                           category="qr", revenue_line="1401-01", amount=300, reason="科目誤り",
                                           actor=supervisor)
    with pytest.raises(PermissionDenied, match="someone other"):
        adjustments.approve_adjustment(rt, adjustment_id=asked["id"], actor=supervisor)
    with pytest.raises(PermissionDenied):
        adjustments.approve_adjustment(rt, adjustment_id=asked["id"], actor=ACCOUNTANT)
    other = Actor("kakaricho", Role.SUPERVISOR, frozenset({"honcho"}))
    assert adjustments.approve_adjustment(rt, adjustment_id=asked["id"], actor=other)["state"] == "approved"


def test_an_interim_check_prints_a_slip_and_locks_nothing(rt, cashier, supervisor):
    pay_cash(rt, cashier, handed_off(rt, cashier, [("inkan-shomei", 1)]), [1000])
    check = close_day.interim_check(rt, site="honcho", actor=supervisor, print_at="honcho-p2",
                                    counted={"honcho-p1": counted(rt, "honcho-p1", y1=-3)})
    assert check["interim"] and check["state"] == "open" and check["sales_count"] == 1
    assert check["stations"][0]["over_short"] == -3 and check["stations"][1]["counted"] is None
    assert [f["code"] for f in check["findings"]] == ["unbalanced"]
    assert check["printed"]["ok"] and "中間締め" in printer(rt, "honcho-p2").texts[-1]
    assert "中間締め" in check["slip"] and "￥300" in check["slip"]
    pay_cash(rt, cashier, handed_off(rt, cashier), [100, 100, 100])  # the day is still open
    assert close_day.day_summary(rt, site="honcho", day=DAY, actor=supervisor)["sales_count"] == 2
