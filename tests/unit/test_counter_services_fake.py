"""The counter's services on the in-memory unit of work (tests/unit/fake_uow.py): no database."""
from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest

from madoguchi.adapters.files.toml_files import load_catalog, load_places
from madoguchi.bootstrap import simulated_devices
from madoguchi.config import Settings
from madoguchi.domain.auth import Actor, Role
from madoguchi.domain.counter import Sale
from madoguchi.domain.journal import EntryKind
from madoguchi.domain.receipt import JST
from madoguchi.domain.sale import SaleState
from madoguchi.errors import Conflict, InvalidTransition
from madoguchi.services.counter import payments, sales
from madoguchi.services.runtime import Runtime
from tests.unit.fake_uow import FakeUowFactory

NOW = dt.datetime(2026, 11, 2, 9, 30, tzinfo=JST).astimezone(dt.UTC)
CASHIER = Actor("cashier", Role.CASHIER, frozenset({"honcho"}))


def _id() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def rt(tmp_path: Path) -> Runtime:
    settings = Settings(database_url="sqlite://", device_state_dir=tmp_path / "devices", demo=True,
                        status_backoff=(0.0, 0.0, 0.0))
    places = load_places(settings.places_path)
    factory = FakeUowFactory({p.id: p.site for p in places.payment_stations})
    return Runtime(settings=settings, catalog=load_catalog(settings.catalog_path), places=places,
                   uow=factory, devices=simulated_devices(settings, places, persist=False),  # type: ignore[arg-type]
                   clock=lambda: NOW, sleep=lambda s: None)


def _open(rt: Runtime, *codes: str) -> str:
    sale_id = _id()
    sales.create_sale(rt, sale_id=sale_id, staff_station="honcho-s1", actor=CASHIER)
    for code in codes:
        sales.add_line(rt, sale_id=sale_id, line_id=_id(), fee_code=code, actor=CASHIER)
    return sale_id


def test_a_sale_is_made_with_lines_and_its_total(rt: Runtime) -> None:
    sale_id = _open(rt, "juminhyo", "juminhyo")
    view = sales.get_sale(rt, sale_id=sale_id, actor=CASHIER)
    assert view["state"] == "open" and len(view["lines"]) == 2
    assert view["total"] == sum(x["amount"] for x in view["lines"]) > 0
    assert [x["fee_code"] for x in view["lines"]] == ["juminhyo", "juminhyo"]


def test_a_repeated_line_request_adds_the_line_once(rt: Runtime) -> None:
    sale_id = _open(rt)
    line_id = _id()
    first = sales.add_line(rt, sale_id=sale_id, line_id=line_id, fee_code="juminhyo", actor=CASHIER)
    again = sales.add_line(rt, sale_id=sale_id, line_id=line_id, fee_code="juminhyo", actor=CASHIER)
    assert first == again and len(sales.get_sale(rt, sale_id=sale_id, actor=CASHIER)["lines"]) == 1


def test_a_hand_off_takes_a_free_payment_station(rt: Runtime) -> None:
    sale_id = _open(rt, "juminhyo")
    view = sales.hand_off(rt, sale_id=sale_id, handoff_id=_id(), actor=CASHIER)
    assert view["state"] == "awaiting_payment" and view["payment_station"] is not None
    uow = rt.uow()
    assert uow.stations.hold(view["payment_station"]).current_sale_id == sale_id


def test_a_cashless_payment_on_the_simulated_terminal_pays_the_sale_and_prints(rt: Runtime) -> None:
    sale_id = _open(rt, "juminhyo")
    sales.hand_off(rt, sale_id=sale_id, handoff_id=_id(), payment_station="honcho-p1", actor=CASHIER)
    view = payments.pay_cashless(rt, payment_id=_id(), sale_id=sale_id, brand="visa", actor=CASHIER)
    assert view["state"] == "approved" and view["processor_reference"]
    sale = view["sale"]
    assert sale["state"] == "paid" and sale["due"] == 0
    assert sale["receipt"]["state"] == "printed" and sale["receipt"]["number"] == 1
    uow = rt.uow()
    assert uow.stations.hold("honcho-p1").current_sale_id is None  # the station is free again
    kinds = [e.kind for e in uow.journal.s.journal]
    assert kinds == [EntryKind.SALE_PAID.value]


def test_a_sale_written_by_someone_else_since_it_was_read_is_refused(rt: Runtime) -> None:
    sale_id = _open(rt, "juminhyo")
    with rt.uow() as mine:
        stale = mine.sales.get(sale_id)
        with rt.uow() as theirs:
            theirs.sales.save(theirs.sales.get(sale_id).moved_to(SaleState.CANCELLED))
            theirs.commit()
        mine._stage()  # see what they committed (a new transaction), still holding the stale value
        with pytest.raises(Conflict):
            mine.sales.save(stale.moved_to(SaleState.AWAITING_PAYMENT))


def test_a_sale_moves_only_as_the_transition_table_allows() -> None:
    sale = Sale.new(sale_id=_id(), site="honcho", staff_station="honcho-s1", created_by="c", created_at=NOW,
                    business_date=NOW.date())
    assert sale.moved_to(SaleState.AWAITING_PAYMENT, payment_station="honcho-p1").state == "awaiting_payment"
    assert sale.state == "open"  # the value itself never changes
    with pytest.raises(InvalidTransition):
        sale.moved_to(SaleState.REFUNDED)


def test_a_sale_made_after_its_day_was_closed_belongs_to_the_next_open_day(rt: Runtime) -> None:
    rt.uow.store.closed_days.add(("honcho", NOW.astimezone(JST).date()))  # type: ignore[attr-defined]
    sale_id = _id()
    view = sales.create_sale(rt, sale_id=sale_id, staff_station="honcho-s1", actor=CASHIER)
    assert view["business_date"] == (NOW.astimezone(JST).date() + dt.timedelta(days=1)).isoformat()
    assert "day_notice" in view
