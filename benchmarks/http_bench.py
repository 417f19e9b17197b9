"""Complete sales over HTTP: 16 staff stations at once against one server on SQLite.

Each client is a staff station with its own payment station, in a process of its
own as on a machine of its own (sixteen threads of one Python process would time
their own wait for that process's interpreter lock as the server's); a sale is create,
line, hand-off, then a cashless payment or cash (start + the resident's three
100-yen coins through the demo simulator, which completes the payment). Two modes: flat out (every client sends its
next call as soon as the last answer arrives: the server's capacity), and paced
(each client starts a sale every ``pace`` seconds, as a busy counter would; the
sixteen counters start at staggered moments within the first interval).

Flat out, ``stagger`` seconds separate the stations' first calls. Started in the same
instant, sixteen stations doing the same sale in the same order stay in step: the
writer queue serves them round by round, so all sixteen pay in the same round and
their payments' transactions arrive together. Independent counters are at different
steps of their sales; a stagger of a fraction of a sale puts them there.
"""
from __future__ import annotations

import http.client
import json
import multiprocessing
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

CLIENTS = 16


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _places(path: Path, clients: int) -> None:
    lines = ['municipality = "ベンチ市"', "[[sites]]", 'code = "honcho"', 'name = "本庁"']
    for n in range(1, clients + 1):
        lines += ["[[staff_stations]]", f'id = "honcho-s{n}"', 'site = "honcho"', f'name = "受付{n}"']
        lines += ["[[payment_stations]]", f'id = "honcho-p{n}"', 'site = "honcho"', f'name = "精算機{n}"',
                  f"number = {n}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] if values else 0.0


def run(db_url: str | None = None, *, sales_per_client: int = 15, pace: float | None = None,
        clients: int = CLIENTS, stagger: float = 0.0) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        _places(tmp / "places.toml", clients)
        port = _free_port()
        env = {**os.environ, "MADOGUCHI_DATABASE_URL": db_url or f"sqlite:///{tmp / 'http.db'}",
               "MADOGUCHI_PLACES_PATH": str(tmp / "places.toml"), "MADOGUCHI_DEMO": "true",
               "MADOGUCHI_DEVICE_STATE_DIR": str(tmp / "devices"), "MADOGUCHI_LOGIN_MAX_ATTEMPTS": "1000",
               # Demo mode makes the journal's signing key and the login key: here, not in ./var.
               "MADOGUCHI_SIGNING_KEY_PATH": str(tmp / "keys" / "journal.key"),
               "MADOGUCHI_LOGIN_KEY_FILE": str(tmp / "login.key"), "MADOGUCHI_ANCHOR_PATH": str(tmp / "anchors.jsonl"),
               "MADOGUCHI_RECONCILE_DIR": str(tmp / "reconcile")}
        with open(tmp / "server.log", "wb") as log:
            proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", "madoguchi.app:app_from_env",
                                     "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
                                    env=env, stdout=log, stderr=log)
            base = f"http://127.0.0.1:{port}"
            try:
                for _ in range(600):
                    try:
                        if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                            break
                    except httpx.TransportError:
                        if proc.poll() is not None:
                            tail = (tmp / "server.log").read_text()[-2000:]
                            raise RuntimeError("the server stopped: " + tail) from None
                        time.sleep(0.1)
                login = {"username": "admin", "password": "demo-admin-2026"}
                token = httpx.post(base + "/api/auth/token", data=login).json()["access_token"]
                ctx = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods()
                                                  else "spawn")
                start = ctx.Barrier(clients + 1)
                answers = ctx.Queue()
                stations = [ctx.Process(target=_station, args=(n, port, token, sales_per_client, pace, clients,
                                                                stagger, start, answers))
                            for n in range(1, clients + 1)]
                for station in stations:
                    station.start()
                server_cpu0, client_cpu0 = _cpu_seconds(proc.pid), _children_cpu_seconds()
                start.wait()
                t0 = time.perf_counter()
                results = [answers.get(timeout=600) for _ in stations]
                elapsed = time.perf_counter() - t0
                server_cpu1 = _cpu_seconds(proc.pid)
                for station in stations:
                    station.join()
                client_cpu1 = _children_cpu_seconds()  # the stations, ended and waited for
                latencies = [x for mine, _ in results for x in mine]
                errors = [e for _, theirs in results for e in theirs]
            finally:
                proc.terminate()
                proc.wait(timeout=30)
    return {"clients": clients, "sales": clients * sales_per_client, "pace_s": pace, "stagger_s": stagger,
            "sales_per_s": clients * sales_per_client / elapsed, "calls": len(latencies),
            "p50_ms": _pct(latencies, 50) * 1000, "p99_ms": _pct(latencies, 99) * 1000,
            "errors": len(errors), "first_error": errors[0] if errors else None,
            # CPU per call: the server process, and the sixteen station processes.
            "server_cpu_ms": (None if server_cpu0 is None or server_cpu1 is None
                              else (server_cpu1 - server_cpu0) / max(1, len(latencies)) * 1000),
            "client_cpu_ms": (client_cpu1 - client_cpu0) / max(1, len(latencies)) * 1000}


def _station(n: int, port: int, token: str, sales: int, pace: float | None, clients: int,
             stagger: float, start: Any, answers: Any) -> None:
    """One staff station in a process of its own (as on its own machine): its sales, each
    call timed; puts (latencies, errors) on ``answers``. Python's own HTTP client on one
    kept-alive connection, so the stations take little of the CPU the server runs on."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    mine: list[float] = []
    errors: list[str] = []

    def call(path: str, body: dict[str, Any]) -> None:
        payload = json.dumps(body)
        t0 = time.perf_counter()
        conn.request("POST", path, payload, headers)
        answer = conn.getresponse()
        text = answer.read()
        mine.append(time.perf_counter() - t0)
        if answer.status >= 400:
            errors.append(f"{path}: {answer.status} {text[:200]!r}")

    start.wait()
    if pace:
        # Counters work independently: each starts its first sale at its own moment
        # within the first interval, not all in the same instant.
        time.sleep(pace * (n - 1) / clients)
    elif stagger:
        time.sleep(stagger * (n - 1))  # not in step with the others (see the module's docstring)
    for k in range(sales):
        started = time.perf_counter()
        sale_id = str(uuid.uuid4())
        call("/api/sales", {"id": sale_id, "staff_station": f"honcho-s{n}"})
        call(f"/api/sales/{sale_id}/lines", {"id": str(uuid.uuid4()), "fee_code": "juminhyo", "quantity": 1})
        call(f"/api/sales/{sale_id}/handoff", {"id": str(uuid.uuid4()), "payment_station": f"honcho-p{n}"})
        if k % 5 == 0:
            call("/api/payments/cashless", {"id": str(uuid.uuid4()), "sale_id": sale_id, "brand": "paypay"})
        else:
            call("/api/payments/cash", {"id": str(uuid.uuid4()), "sale_id": sale_id})
            call(f"/api/sim/stations/honcho-p{n}/insert", {"denomination": 100, "count": 3})
        if pace:
            time.sleep(max(0.0, pace - (time.perf_counter() - started)))
    conn.close()
    answers.put((mine, errors))


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of process ``pid`` so far (Linux's /proc; else ``None``)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children_cpu_seconds() -> float:
    """User + system CPU seconds of this process's children that have ended and been waited for."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime
