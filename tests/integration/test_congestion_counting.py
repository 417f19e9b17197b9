"""What the congestion board counts, through the service: the site's own payment times once
there are enough of them, and only the stations that can serve (SQLite and PostgreSQL)."""
from __future__ import annotations

from madoguchi.adapters.db.tables import PaymentStation
from madoguchi.services.counter import cash
from madoguchi.services.outcomes.congestion import board_json, congestion_board
from tests.helpers import handed_off, new_id


def honcho(rt):  # type: ignore[no-untyped-def]
    return next(s for s in congestion_board(rt).sites if s.code == "honcho")


def pay_in(rt, clock, cashier, seconds: int) -> None:  # type: ignore[no-untyped-def]
    sale_id = handed_off(rt, cashier, station="honcho-p1")
    payment_id = new_id()
    cash.start_cash(rt, payment_id=payment_id, sale_id=sale_id, actor=cashier)
    clock.advance(seconds=seconds)  # the resident counts out the notes
    rt.devices.of("honcho-p1").changer.insert(1000)
    cash.complete_cash(rt, payment_id=payment_id, actor=cashier)


def test_five_recent_payments_make_a_measurement_their_median(rt, clock, cashier):
    for seconds in (20, 30, 45, 50, 90):
        pay_in(rt, clock, cashier, seconds)
        clock.advance(seconds=5)
    site = honcho(rt)
    assert (site.measured, site.seconds_per_payment) == (True, 45)


def test_payments_older_than_the_window_no_longer_count(rt, clock, cashier):
    for _ in range(5):
        pay_in(rt, clock, cashier, 45)
    clock.advance(minutes=rt.settings.congestion_window_minutes + 1)
    site = honcho(rt)
    assert (site.measured, site.seconds_per_payment) == (False, rt.settings.congestion_fallback_seconds)


def test_a_stopped_station_is_not_in_service_and_with_none_the_queue_is_red(rt, cashier):
    stations = [p.id for p in rt.places.payment_stations if p.site == "honcho"]
    before = honcho(rt).stations_in_service
    handed_off(rt, cashier, station=stations[0])
    with rt.uow() as uow:  # as a jam would leave them
        for station in stations:
            uow.session.get(PaymentStation, station).fault = "cash_jam"
        uow.commit()
    site = honcho(rt)
    assert before == len(stations) and site.stations_in_service == 0
    assert (site.waiting, site.wait_minutes, site.lamp.value) == (1, None, "red")
    assert next(s for s in board_json(congestion_board(rt))["sites"]  # type: ignore[attr-defined]
                if s["code"] == "honcho")["wait_minutes"] is None
