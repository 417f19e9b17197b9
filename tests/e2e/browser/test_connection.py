"""The counter never hides a failure: losing the server, and stations whose screen is gone.

- With the server stopped, the register, the payment station and the back office say so
  within 5 seconds, and clear it when the server is back, showing what changed meanwhile
  (the server here is stopped and started again on the same port, same database).
- A hand-off never sends a resident to a station whose screen is not connected: 自動 skips
  it, the API refuses it by name, and choosing it by hand on the register asks first.
"""
from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from tests.e2e.browser.conftest import PASSWORDS, LiveServer, Screens, _free_port

from madoguchi.api import create_app
from madoguchi.bootstrap import build_runtime, ensure_demo_staff, ensure_float
from madoguchi.config import Settings
from madoguchi.domain.auth import Actor, Role
from madoguchi.services.counter import sales
from madoguchi.web.events import Server

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.browser

CASHIER = Actor("cashier", Role.CASHIER, frozenset({"honcho"}))


class Restartable(LiveServer):
    """A live server that can be stopped and started again on the same port (same runtime)."""

    port: int = 0

    def start(self) -> None:
        app = create_app(runtime=self.rt)
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on")
        self.app, self.server = app, Server(config)
        self.thread = threading.Thread(target=self.server.run, name="uvicorn", daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            assert time.monotonic() < deadline and self.thread.is_alive(), "the server did not start"
            time.sleep(0.01)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Restartable]:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'screens.db'}", device_state_dir=tmp_path / "devices",
                        demo=True, status_backoff=(0.0, 0.0, 0.0), password_hash_memory_kib=64,
                        reconcile_dir=tmp_path / "reconcile")
    rt = build_runtime(settings, sleep=lambda _s: None)
    ensure_float(rt)
    ensure_demo_staff(rt)
    port = _free_port()
    live = Restartable(rt, None, f"http://127.0.0.1:{port}", None, None)  # type: ignore[arg-type]
    live.port = port
    live.start()
    yield live
    if live.thread.is_alive():
        live.stop()


def _sale_at(rt: Any, fees: list[str], station: str | None = "honcho-p1", offline_ok: bool = False) -> str:
    sale_id = str(uuid.uuid4())
    sales.create_sale(rt, sale_id=sale_id, staff_station="honcho-s1", actor=CASHIER)
    for fee in fees:
        sales.add_line(rt, sale_id=sale_id, line_id=str(uuid.uuid4()), fee_code=fee, actor=CASHIER)
    sales.hand_off(rt, sale_id=sale_id, handoff_id=str(uuid.uuid4()), payment_station=station,
                   screen_offline_ok=offline_ok, actor=CASHIER)
    return sale_id


def _ready(staff: Any) -> None:
    expect(staff.locator("#station-status .station-pill")).not_to_have_count(0)


def test_a_stopped_server_is_announced_within_5_seconds_everywhere_and_cleared_when_it_is_back(
        server: Restartable, screens: Screens) -> None:
    station = screens.station()
    expect(station.locator("#screen")).to_have_attribute("data-phase", "idle")
    staff = screens.staff()
    _ready(staff)
    office = screens.staff("office", login="supervisor", desk=None, path="/office")
    expect(office.locator("#connection")).to_be_hidden()

    server.stop()
    stopped = time.monotonic()
    for page in (station, staff, office):
        expect(page.locator("#connection")).to_be_visible(timeout=max(100, 5000 - (time.monotonic() - stopped) * 1000))
    assert time.monotonic() - stopped < 5.0
    expect(station.locator("#connection")).to_contain_text("通信がつながりません")
    expect(staff.locator("#connection")).to_contain_text("接続が切れました")
    screens.snap("station", "server-stopped")
    screens.snap("staff", "server-stopped")

    # Meanwhile the clerk's colleague handed a sale to station 1 (straight into the database).
    _sale_at(server.rt, ["juminhyo"], offline_ok=True)

    server.start()
    for page in (station, staff, office):
        expect(page.locator("#connection")).to_be_hidden(timeout=10_000)
    # What changed while the server was away is on screen once it is back.
    expect(station.locator("#screen")).to_have_attribute("data-phase", "due-method")
    expect(station.locator(".due-amount")).to_have_text("300円")
    expect(staff.locator(".sale-state[data-state=awaiting_payment]")).to_contain_text("精算機1へご案内ください")


def test_a_failed_call_raises_the_notice_too(server: Restartable, screens: Screens) -> None:
    staff = screens.staff()
    _ready(staff)
    server.stop()
    staff.locator("button.fee[data-code=juminhyo]").click()  # the call fails: no answer at all
    expect(staff.locator("#connection")).to_be_visible(timeout=5000)


def test_a_hand_off_never_sends_a_resident_to_a_station_whose_screen_is_not_connected(
        server: Restartable, screens: Screens) -> None:
    # Station 1's screen was paired but is switched off; station 2's screen is on.
    ctx = screens._context({"width": 800, "height": 600})
    assert ctx.request.post("/station/honcho-p1/pair",
                            data={"login": "supervisor", "password": PASSWORDS["supervisor"]}).ok
    station2 = screens.station("honcho-p2", label="station2")
    expect(station2.locator("#screen")).to_have_attribute("data-phase", "idle")
    staff = screens.staff()
    _ready(staff)
    expect(staff.locator("#station-status")).to_contain_text("画面未接続")

    # 自動 skips station 1.
    staff.locator("button.fee[data-code=juminhyo]").click()
    staff.locator("#handoff").click()
    card = staff.locator(".sale-state[data-state=awaiting_payment]")
    expect(card).to_contain_text("精算機2へご案内ください")
    expect(station2.locator("#screen")).to_have_attribute("data-phase", "due-method")

    # Named through the API, it is refused with a reason.
    with pytest.raises(Exception) as refused:
        _sale_at(server.rt, ["juminhyo"], station="honcho-p1")
    assert "not connected" in str(refused.value)

    # Chosen by hand on the register, the clerk is asked first (and can step back).
    staff.locator(".target", has_text="精算機1").click()
    expect(staff.locator("#ask-dialog")).to_be_visible()
    expect(staff.locator("#ask-text")).to_contain_text("画面が接続されていません")
    screens.snap("staff", "asked")
    staff.locator("#ask-dialog [data-close]").click()
    expect(staff.locator(".target.is-selected")).to_have_text("自動")

    # With station 2 busy and station 1 dark, 自動 has nowhere to send the next resident.
    staff.locator("button.fee[data-code=juminhyo]").click()
    staff.locator("#handoff").click()
    expect(staff.locator("#toast")).to_contain_text("画面がつながっていて空いている精算機がありません")
