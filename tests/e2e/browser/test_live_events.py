"""Server-Sent Events on a real server: the keys of committed work reach the screens of that
site only, a station screen's presence is tracked, and shutting down ends every stream."""
from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from tests.e2e.browser.conftest import PASSWORDS, LiveServer, wait_until
from tests.helpers import new_id

from madoguchi.web import events
from madoguchi.web.events import close_streams

pytestmark = pytest.mark.browser


def _client(server: LiveServer, login: str) -> httpx.Client:
    c = httpx.Client(base_url=server.url, timeout=10)
    r = c.post("/api/auth/login", json={"login": login, "password": PASSWORDS[login]})
    assert r.status_code == 200, r.text
    c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return c


class Listener:
    """Reads one event stream in a thread and keeps what arrives."""

    def __init__(self, client: httpx.Client, path: str) -> None:
        self.events: list[tuple[str, Any]] = []
        self.ended = threading.Event()
        self.connected = False
        self._client, self._path = client, path
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        wait_until(lambda: any(kind == "hello" for kind, _ in self.events))

    def _run(self) -> None:
        kind = None
        try:
            with self._client.stream("GET", self._path, timeout=None) as r:
                self.connected = r.status_code == 200
                for line in r.iter_lines():
                    if line.startswith("event: "):
                        kind = line[7:]
                    elif line.startswith("data: ") and kind:
                        self.events.append((kind, json.loads(line[6:])))
        except httpx.HTTPError:
            pass
        finally:
            self.ended.set()

    def changed_keys(self) -> set[str]:
        return {k for kind, data in self.events if kind == "change" for k in data["keys"]}


@pytest.fixture
def honcho(server: LiveServer) -> Iterator[httpx.Client]:
    c = _client(server, "cashier")
    yield c
    c.close()


def test_a_register_hears_its_own_sites_changes_and_not_another_sites(server: LiveServer,
                                                                       honcho: httpx.Client) -> None:
    listener = Listener(_client(server, "cashier"), "/events/register/honcho-s1")
    west = _client(server, "cashier2")
    west_sale = new_id()
    assert west.post("/api/sales", json={"id": west_sale, "staff_station": "nishi-s1"}).status_code == 201
    west.close()
    sale_id = new_id()
    assert honcho.post("/api/sales", json={"id": sale_id, "staff_station": "honcho-s1"}).status_code == 201
    wait_until(lambda: f"sale:{sale_id}" in listener.changed_keys())
    assert "site:honcho" in listener.changed_keys()
    assert f"sale:{west_sale}" not in listener.changed_keys() and "site:nishi" not in listener.changed_keys()
    close_streams(server.app)
    assert listener.ended.wait(5)


def test_a_station_screen_is_told_only_that_something_changed_and_is_seen_online(
        server: LiveServer, honcho: httpx.Client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(events, "GRACE", 0.3)
    screen = httpx.Client(base_url=server.url, timeout=10)
    r = screen.post("/station/honcho-p1/pair", json={"login": "supervisor", "password": PASSWORDS["supervisor"]})
    assert r.status_code == 200

    def online() -> bool:
        stations = honcho.get("/api/screens/stations", params={"site": "honcho"}).json()
        return next(s for s in stations if s["id"] == "honcho-p1")["screen"]["online"]

    assert not online()
    listener = Listener(screen, "/station/honcho-p1/events")
    assert online()
    sale_id = new_id()
    honcho.post("/api/sales", json={"id": sale_id, "staff_station": "honcho-s1"})
    honcho.post(f"/api/sales/{sale_id}/lines", json={"id": new_id(), "fee_code": "juminhyo"})
    honcho.post(f"/api/sales/{sale_id}/handoff", json={"id": new_id(), "payment_station": "honcho-p1"})
    wait_until(lambda: listener.changed_keys() == {"station"})
    assert listener.connected

    # The screen's connection drops (a raw socket closed under it): after the grace it is offline.
    with socket.create_connection(("127.0.0.1", int(server.url.rsplit(":", 1)[1]))) as raw:
        cookie = "; ".join(f"{k}={v}" for k, v in screen.cookies.items())
        raw.sendall(f"GET /station/honcho-p1/events HTTP/1.1\r\nHost: x\r\nCookie: {cookie}\r\n\r\n".encode())
        seen = b""
        while b"event: hello" not in seen:
            chunk = raw.recv(4096)
            assert chunk, "the stream closed before it said hello"
            seen += chunk
    close_streams(server.app)  # ends the listener's stream too
    assert listener.ended.wait(5)
    wait_until(lambda: not online(), timeout=5)
    screen.close()


def test_closing_the_streams_lets_the_server_stop_at_once(server: LiveServer, honcho: httpx.Client) -> None:
    listeners = [Listener(_client(server, "supervisor"), "/events/office") for _ in range(3)]
    started = time.monotonic()
    server.stop()
    assert all(listener.ended.wait(5) for listener in listeners)
    assert time.monotonic() - started < 5
