"""Property: whatever sales and faults come, the cash adds up, the journal holds, nothing is left hanging.

For any sequence of sales, each with a fault or none: each changer holds exactly
float + cash received - change - cash refunds (+/- cash in/out) per the journal;
the journal verifies; and every sale ends paid, refunded, cancelled, or in doubt
with an open incident.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from madoguchi.adapters.db.engine import make_engine
from madoguchi.bootstrap import build_runtime, ensure_float, simulated_devices
from madoguchi.config import Settings
from madoguchi.domain.auth import ALL_SITES, Actor, Role
from madoguchi.errors import MadoguchiError
from madoguchi.services.counter import cash, incidents, payments, refunds, sales
from madoguchi.services.counter.receipts import print_pending
from madoguchi.services.journal.verify import verify
from tests.helpers import arm_fault, journal, new_id

CASHIER = Actor("cashier", Role.CASHIER, frozenset({"honcho"}))
SUPERVISOR = Actor("supervisor", Role.SUPERVISOR, frozenset({ALL_SITES}))
FEES = ["juminhyo", "koseki-zenbu", "joseki", "inkan-shomei", "juri-shomei-joshitsu"]
FAULTS = ["none", "jam_begin_deposit", "jam_fix_deposit", "jam_end_deposit", "declined", "timeout_approved",
          "timeout_declined", "timeout_not_found", "timeout_unknown", "paper_out", "cancel", "refund"]

sale_plan = st.fixed_dictionaries({
    "items": st.lists(st.tuples(st.sampled_from(FEES), st.integers(1, 3)), min_size=1, max_size=3),
    "cash": st.booleans(),
    "note": st.sampled_from([1000, 5000, 10000, None]),  # None: the exact amount in coins
    "brand": st.sampled_from(["suica", "edy", "waon", "visa", "paypay", "quicpay"]),
    "fault": st.sampled_from(FAULTS),
    "station": st.sampled_from(["honcho-p1", "honcho-p2"]),
})


def _runtime(tmp: Path):  # type: ignore[no-untyped-def]
    cfg = Settings(database_url=f"sqlite:///{tmp / 'p.db'}", device_state_dir=tmp / "dev",
                   status_backoff=(0.0, 0.0))
    from madoguchi.adapters.files.toml_files import load_places
    rt = build_runtime(cfg, engine=make_engine(cfg.database_url), sleep=lambda s: None,
                       devices=simulated_devices(cfg, load_places(cfg.places_path), persist=False))
    ensure_float(rt)
    return rt


def _insert_for(changer, amount: int, note: int | None) -> None:  # type: ignore[no-untyped-def]
    if note is not None and note >= amount:
        changer.insert(note)
        return
    for d in (10000, 5000, 1000, 500, 100, 50, 10):
        while amount >= d:
            changer.insert(d)
            amount -= d


def _run_sale(rt, plan) -> str:  # type: ignore[no-untyped-def]
    sale_id = new_id()
    sales.create_sale(rt, sale_id=sale_id, staff_station="honcho-s1", actor=CASHIER)
    for code, qty in plan["items"]:
        sales.add_line(rt, sale_id=sale_id, line_id=new_id(), fee_code=code, quantity=qty, actor=CASHIER)
    if plan["fault"] == "cancel":
        sales.cancel_sale(rt, sale_id=sale_id, reason="resident changed their mind", actor=CASHIER)
        return sale_id
    sales.hand_off(rt, sale_id=sale_id, handoff_id=new_id(), payment_station=plan["station"], actor=CASHIER)
    devices = rt.devices.of(plan["station"])
    fault = plan["fault"]
    arm_fault(devices, fault)
    for _attempt in range(3):
        view = sales.get_sale(rt, sale_id=sale_id, actor=CASHIER)
        if view["state"] in ("paid", "in_doubt"):
            break
        station = view["payment_station"]
        try:
            if plan["cash"] or view["cash_only"]:
                pid = new_id()
                started = cash.start_cash(rt, payment_id=pid, sale_id=sale_id, actor=CASHIER)
                _insert_for(rt.devices.of(station).changer, started["amount"], plan["note"])
                cash.complete_cash(rt, payment_id=pid, actor=CASHIER)
            else:
                payments.pay_cashless(rt, payment_id=new_id(), sale_id=sale_id, brand=plan["brand"],
                                      actor=CASHIER)
        except MadoguchiError:
            pass
        if rt.devices.of(station).changer.jammed():
            incidents.clear_jam(rt, payment_station=station, actor=SUPERVISOR)
        view = sales.get_sale(rt, sale_id=sale_id, actor=CASHIER)
        if view["state"] == "awaiting_payment" and view["payment_station"] is None:
            sales.move_sale(rt, sale_id=sale_id, move_id=new_id(), actor=CASHIER)
    view = sales.get_sale(rt, sale_id=sale_id, actor=CASHIER)
    if view["state"] == "awaiting_payment":
        sales.cancel_sale(rt, sale_id=sale_id, reason="gave up after faults", actor=CASHIER)
    if fault == "paper_out":
        devices.printer.set_paper_out(False)
        print_pending(rt, payment_station=plan["station"])
    if fault == "refund" and view["state"] == "paid":
        refunds.refund_sale(rt, refund_id=new_id(), sale_id=sale_id, reason="refund test", actor=SUPERVISOR)
    return sale_id


def _expected_cash(rt) -> dict[str, int]:  # type: ignore[no-untyped-def]
    expected: dict[str, int] = {}
    for e in journal(rt):
        d = e.details()
        delta = 0
        if e.kind in ("float_loaded", "cash_in", "cash_out"):
            delta = e.amount
        elif e.kind == "sale_paid" and d.get("method") == "cash":
            delta = d["tendered"] - d["change"]
        elif e.kind == "refund" and d.get("method") == "cash":
            delta = e.amount  # negative
        expected[e.station] = expected.get(e.station, 0) + delta
    return expected


@pytest.mark.slow
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans=st.lists(sale_plan, min_size=1, max_size=8))
def test_any_day_of_sales_and_faults_keeps_cash_journal_and_sales_consistent(plans):
    with tempfile.TemporaryDirectory() as tmp:
        rt = _runtime(Path(tmp))
        sale_ids = [_run_sale(rt, plan) for plan in plans]
        expected = _expected_cash(rt)
        for station in ("honcho-p1", "honcho-p2"):
            changer = rt.devices.of(station).changer
            assert changer.deposit_amount() == 0
            assert sum(d * n for d, n in changer.counts().items()) == expected[station], station
        assert verify(rt).ok
        open_incident_sales = {i["sale_id"] for i in incidents.list_incidents(rt, actor=SUPERVISOR)}
        for sale_id in sale_ids:
            state = sales.get_sale(rt, sale_id=sale_id, actor=CASHIER)["state"]
            assert state in ("paid", "refunded", "cancelled", "in_doubt"), state
            if state == "in_doubt":
                assert sale_id in open_incident_sales
