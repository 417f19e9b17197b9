"""Kill the server with SIGKILL at random moments during a stream of sales; nothing is lost or doubled.

The server runs as a real process on SQLite with simulated devices that keep their
state on disk, as real machines would across a server crash. A client drives
complete sales over HTTP and, whenever the connection drops, waits for the
restarted server and carries on from what the server says (retrying writes with
the same ids). Afterwards: every sale is paid exactly once or still open,
the journal verifies, and each changer holds exactly what the journal says.
"""
from __future__ import annotations

import contextlib
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest

from madoguchi.adapters.db.engine import make_engine
from madoguchi.adapters.db.journal import iter_entries
from madoguchi.adapters.db.uow import make_uow_factory
from madoguchi.adapters.devices import read_state
from madoguchi.domain.journal import verify_chain

pytestmark = pytest.mark.slow
SALES = 30
KILLS = 6


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, tmp: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "MADOGUCHI_DATABASE_URL": f"sqlite:///{tmp / 'crash.db'}",
                    "MADOGUCHI_DEVICE_STATE_DIR": str(tmp / "devices"), "MADOGUCHI_DEMO": "true",
                    "MADOGUCHI_STATUS_BACKOFF": "[0.05, 0.1]"}
        self.log = open(tmp / "server.log", "ab")  # noqa: SIM115 (the server's, closed in stop())
        self.proc: subprocess.Popen[bytes] | None = None
        self.up = threading.Event()

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "madoguchi.api.app:app_from_env",
             "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "warning"],
            env=self.env, stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    self.up.set()
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError("the server did not start; see server.log")

    def kill(self) -> None:
        self.up.clear()
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=20)
        self.log.close()


class Client:
    """A staff station and a resident, retrying through crashes."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.token = ""

    def call(self, method: str, path: str, body: dict | None = None) -> httpx.Response:
        for _ in range(200):
            self.server.up.wait(timeout=90)
            try:
                return httpx.request(method, self.server.url + path, json=body, timeout=30,
                                     headers={"Authorization": f"Bearer {self.token}"})
            except httpx.TransportError:
                time.sleep(0.2)
        raise RuntimeError(f"{method} {path} never got an answer")

    def login(self) -> None:
        self.server.up.wait(timeout=90)
        answer = httpx.post(self.server.url + "/api/auth/token", timeout=30,
                            data={"username": "cashier", "password": "demo-cashier-2026"})
        self.token = answer.json()["access_token"]

    def sale(self, n: int, rng: random.Random) -> str:
        sale_id = str(uuid.uuid4())
        self.call("POST", "/api/sales", {"id": sale_id, "staff_station": "honcho-s1"})
        self.call("POST", f"/api/sales/{sale_id}/lines", {"id": str(uuid.uuid4()), "fee_code": "juminhyo",
                                                          "quantity": rng.randint(1, 3)})
        self.call("POST", f"/api/sales/{sale_id}/handoff", {"id": str(uuid.uuid4()),
                                                            "payment_station": "honcho-p1"})
        for _ in range(10):
            sale = self.call("GET", f"/api/sales/{sale_id}").json()
            if sale["state"] in ("paid", "in_doubt"):
                break
            if n % 3 == 0:
                self.call("POST", "/api/payments/cashless", {"id": str(uuid.uuid4()), "sale_id": sale_id,
                                                            "brand": "paypay"})
            else:
                payment_id = str(uuid.uuid4())
                started = self.call("POST", "/api/payments/cash", {"id": payment_id, "sale_id": sale_id})
                if started.status_code >= 400:
                    continue
                # Putting a note in is a physical act: never repeated on a lost answer.
                self.server.up.wait(timeout=90)
                with contextlib.suppress(httpx.TransportError):
                    httpx.post(self.server.url + "/api/sim/stations/honcho-p1/insert", timeout=30,
                               json={"denomination": 1000, "count": 1},
                               headers={"Authorization": f"Bearer {self.token}"})
        return sale_id


def test_sigkill_during_a_stream_of_sales_loses_and_doubles_nothing(tmp_path):
    server = Server(tmp_path)
    server.start()
    client = Client(server)
    client.login()
    rng = random.Random(20261102)
    done = threading.Event()

    def killer() -> None:
        for _ in range(KILLS):
            time.sleep(rng.uniform(0.3, 1.5))
            if done.is_set():
                return
            server.kill()
            server.start()

    k = threading.Thread(target=killer)
    k.start()
    try:
        sale_ids = [client.sale(n, rng) for n in range(SALES)]
    finally:
        done.set()
        k.join()
        server.stop()

    engine = make_engine(server.env["MADOGUCHI_DATABASE_URL"])
    uow = make_uow_factory(engine)
    with uow() as u:
        entries = list(iter_entries(u.session))
        from sqlalchemy import text
        states = dict(u.session.execute(text("SELECT id, state FROM sales")).all())
    assert verify_chain(entries) is None
    paid_entries: dict[str, int] = {}
    cash_expected = 0
    for e in entries:
        d = e.details()
        if e.kind == "sale_paid":
            paid_entries[e.sale_id] = paid_entries.get(e.sale_id, 0) + 1
            if d["method"] == "cash":
                cash_expected += d["tendered"] - d["change"]
        if e.kind in ("float_loaded", "cash_in", "cash_out") and e.station == "honcho-p1":
            cash_expected += e.amount
    for sale_id in sale_ids:
        assert states[sale_id] in ("paid", "in_doubt"), (sale_id, states[sale_id])
        assert paid_entries.get(sale_id, 0) == (1 if states[sale_id] == "paid" else 0), sale_id
    changer = read_state(tmp_path / "devices" / "honcho-p1-changer.state")
    held = sum(int(d) * n for d, n in changer["inventory"].items())
    assert changer["escrow"] == {} or not any(changer["escrow"].values())
    assert held == cash_expected
