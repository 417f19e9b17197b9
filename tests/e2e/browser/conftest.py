"""Real-browser tests: a uvicorn server on a free port, Debian's chromium driven by Playwright.

Each test gets its own server (a fresh SQLite database in demo mode, simulated devices
with the opening float, the demo staff) running in a background thread, and opens its
pages in separate browser contexts, as separate devices would be: the staff register,
the payment station screen(s), the back office. At the end each page is saved as a
screenshot under ``test-artifacts/screenshots/`` (printed at the end of the run).
Every page also fails the test on a script error or a Content-Security-Policy
violation, so a stray inline script or style cannot slip in.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from madoguchi.app import create_app
from madoguchi.bootstrap import DEMO_STAFF, build_runtime, ensure_demo_staff, ensure_float
from madoguchi.config import Settings
from madoguchi.services.runtime import Runtime
from madoguchi.web import install
from madoguchi.web.events import Server

playwright_api = pytest.importorskip("playwright.sync_api")

ROOT = Path(__file__).resolve().parents[3]
SHOTS = ROOT / "test-artifacts" / "screenshots"
DOC_IMAGES = ROOT / "docs" / "images"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
PASSWORDS = {login: password for login, _, _, _, password in DEMO_STAFF}
STAFF_VIEWPORT = {"width": 1280, "height": 800}
STATION_VIEWPORT = {"width": 1024, "height": 768}
#: Counts every tap/click the page receives (the two-tap rule is measured, not assumed).
TAP_COUNTER = "window.__taps = 0; window.addEventListener('pointerdown', () => { window.__taps += 1; }, true);"


_TAKEN: list[Path] = []


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # type: ignore[no-untyped-def]
    if _TAKEN:
        terminalreporter.write_line(f"browser screenshots ({len(_TAKEN)}): {SHOTS}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LiveServer:
    """The real application on a real socket, in a background thread."""

    rt: Runtime
    app: Any
    url: str
    server: Server
    thread: threading.Thread

    def stop(self) -> None:
        self.server.handle_exit(signal.SIGTERM, None)  # what Ctrl-C or a service manager does
        self.thread.join(timeout=10)
        assert not self.thread.is_alive(), "the server did not stop"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'screens.db'}", device_state_dir=tmp_path / "devices",
                        demo=True, status_backoff=(0.0, 0.0, 0.0), password_hash_memory_kib=64,
                        reconcile_dir=tmp_path / "reconcile", login_key_file=tmp_path / "login.key",
                        signing_key_path=tmp_path / "keys" / "journal.key")  # never the working tree's var/
    rt = build_runtime(settings, sleep=lambda _s: None)
    ensure_float(rt)
    ensure_demo_staff(rt)
    app = create_app(runtime=rt)
    install(app)
    port = _free_port()
    # No graceful-shutdown timeout: if open event streams kept the server alive, stop() would fail.
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    srv = Server(config)
    thread = threading.Thread(target=srv.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
        time.sleep(0.01)
    live = LiveServer(rt, app, f"http://127.0.0.1:{port}", srv, thread)
    yield live
    live.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@dataclass
class Screens:
    """Opens the pages of one test and photographs them at its end."""

    browser: Any
    server: LiveServer
    name: str
    pages: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    contexts: list[Any] = field(default_factory=list)
    shot: dict[str, Path] = field(default_factory=dict)

    def _context(self, viewport: dict[str, int]) -> Any:
        ctx = self.browser.new_context(viewport=viewport, locale="ja-JP", timezone_id="Asia/Tokyo",
                                       base_url=self.server.url)
        ctx.set_default_timeout(10_000)
        self.contexts.append(ctx)
        return ctx

    def _watch(self, label: str, page: Any) -> Any:
        page.on("pageerror", lambda exc: self.problems.append(f"{label}: script error: {exc}"))

        def console(msg: Any) -> None:
            text = msg.text
            if msg.type == "error" and ("Content Security Policy" in text or "missing text" in text
                                        or "Refused" in text):
                self.problems.append(f"{label}: {text}")

        page.on("console", console)
        page.add_init_script(TAP_COUNTER)
        self.pages[label] = page
        return page

    def blank(self, label: str, viewport: dict[str, int] = STAFF_VIEWPORT) -> Any:
        """A page on a new device where nobody is logged in."""
        return self._watch(label, self._context(viewport).new_page())

    def snap(self, label: str, moment: str) -> Path:
        """A screenshot of one page at one moment of the test (besides the one at its end)."""
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / f"{self.name}-{label}-{moment}.png"
        self.pages[label].screenshot(path=str(path))
        _TAKEN.append(path)
        return path

    def login(self, ctx: Any, login: str) -> None:
        r = ctx.request.post("/api/auth/login", data={"login": login, "password": PASSWORDS[login]})
        assert r.ok, r.text()

    def staff(self, label: str = "staff", login: str = "cashier", desk: str | None = "honcho-s1",
              path: str = "/register") -> Any:
        """A staff device, logged in; its register remembers ``desk`` (None: choose on screen)."""
        ctx = self._context(STAFF_VIEWPORT)
        self.login(ctx, login)
        if desk is not None:
            site = self.server.rt.places.staff_station(desk).site
            place = json.dumps({"site": site, "desk": desk})
            ctx.add_init_script(f"localStorage.setItem('madoguchi.register.place', {json.dumps(place)});")
        page = self._watch(label, ctx.new_page())
        page.goto(path)
        return page

    def station(self, station: str = "honcho-p1", label: str = "station", pair: bool = True) -> Any:
        """A payment-station screen, paired by a supervisor (through the API, unless ``pair`` is False)."""
        ctx = self._context(STATION_VIEWPORT)
        if pair:
            r = ctx.request.post(f"/station/{station}/pair",
                                 data={"login": "supervisor", "password": PASSWORDS["supervisor"]})
            assert r.ok, r.text()
        page = self._watch(label, ctx.new_page())
        page.goto(f"/station/{station}")
        return page

    def shoot(self) -> dict[str, Path]:
        SHOTS.mkdir(parents=True, exist_ok=True)
        saved = {}
        for label, page in self.pages.items():
            path = SHOTS / f"{self.name}-{label}.png"
            page.screenshot(path=str(path), full_page=label.startswith("office"))
            saved[label] = path
        _TAKEN.extend(saved.values())
        self.shot = saved
        return saved

    def close(self) -> None:
        for ctx in self.contexts:
            ctx.close()


@pytest.fixture
def screens(browser: Any, server: LiveServer, request: pytest.FixtureRequest) -> Iterator[Screens]:
    name = re.sub(r"^test_", "", request.node.name)[:60]
    s = Screens(browser, server, name)
    yield s
    try:
        if not s.shot:
            s.shoot()
    finally:
        s.close()
    assert not s.problems, "\n".join(s.problems)


def publish_doc_image(path: Path, name: str) -> None:
    """Copy a screenshot into docs/images/ (the README shows them; they are made by the tests),
    when ``MADOGUCHI_DOC_IMAGES=1``: a plain test run leaves the committed images alone."""
    if os.environ.get("MADOGUCHI_DOC_IMAGES") != "1":
        return
    DOC_IMAGES.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, DOC_IMAGES / name)


def taps(page: Any) -> int:
    return int(page.evaluate("window.__taps"))


def wait_until(check: Callable[[], bool], timeout: float = 5.0) -> None:
    """Wait for a condition on the server side (no fixed sleeps)."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)
