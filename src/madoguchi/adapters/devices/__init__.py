"""Devices of a payment station: the ports, their simulators and real drivers.

``ports.py`` holds the three interfaces (cash changer, cashless terminal, receipt
printer). The simulators (``changer_sim.py``, ``terminal_sim.py`` and the
``SimulatedPrinter`` in ``printer.py``) are real implementations used by the demo,
the tests and the day simulator alike; ``printer.py`` also renders receipts as
ESC/POS bytes and sends them to a network printer. :func:`make_station_devices`
builds the devices of one station.

Simulated devices keep their state in a JSON file, replaced atomically after every
change, because a real machine keeps its notes and coins when our server crashes.
"""
from __future__ import annotations

import json
import os
import zlib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from madoguchi.adapters.devices.ports import StationDevices
from madoguchi.errors import BadInput


def write_state(path: Path, state: dict[str, Any]) -> None:
    """Replace ``path`` with ``state`` as JSON so that a crash leaves the old or the new file.

    Write a temporary file, then rename it over the old one (an atomic step on POSIX
    and Windows): a server killed at any moment never leaves half a file, and what was
    written is in the operating system's hands, so it survives the process. No fsync:
    the simulator stands for a machine that keeps its counts in its own memory, at no
    cost to the server; making every coin wait for the disk would charge the server
    for the simulator.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    # One fixed temporary name: each file has one writer (the device, under its lock),
    # and a temporary file left by a kill is simply overwritten by the next save.
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(json.dumps(state, ensure_ascii=False, sort_keys=True).encode("utf-8"))
    os.replace(tmp, path)


def read_state(path: Path | None) -> dict[str, Any] | None:
    """The state saved at ``path``, or ``None`` when there is none yet."""
    if path is None or not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


# The simulators import write_state/read_state from this package, so they are
# imported only once those two exist.
from madoguchi.adapters.devices.changer_sim import SimulatedCashChanger  # noqa: E402
from madoguchi.adapters.devices.printer import NetworkPrinter, SimulatedPrinter  # noqa: E402
from madoguchi.adapters.devices.terminal_sim import SimulatedTerminal  # noqa: E402


def _device_seed(seed: int, station_id: str, kind: str) -> int:
    # Each device of each station gets its own stream; crc32 (not hash()) so the same
    # seed gives the same day in every process.
    return zlib.crc32(f"{seed}:{station_id}:{kind}".encode("utf-8"))


def _network_printer(station_id: str, url: str) -> NetworkPrinter:
    parts = urlsplit(url)
    if parts.scheme != "tcp" or not parts.hostname:
        raise BadInput(f"printer address {url!r} must look like tcp://192.0.2.10:9100")
    try:
        port = parts.port or 9100
    except ValueError:
        raise BadInput(f"printer address {url!r} has a bad port") from None
    return NetworkPrinter(f"{station_id}-printer", parts.hostname, port)


def make_station_devices(
    station_id: str,
    *,
    printer_url: str | None = None,
    state_dir: Path | None = None,
    seed: int = 0,
    jam_rate: float = 0.0,
    decline_rate: float = 0.0,
    timeout_rate: float = 0.0,
    unknown_rate: float = 0.0,
    initial_counts: dict[int, int] | None = None,
) -> StationDevices:
    """The devices of payment station ``station_id``.

    Changer and terminal are simulators (state in ``{state_dir}/{station_id}-changer.json``
    and ``-terminal.json`` when ``state_dir`` is given). The printer is a network
    printer when ``printer_url`` (``tcp://host:port``) is given, else a simulator.
    """
    def state(kind: str) -> Path | None:
        return Path(state_dir) / f"{station_id}-{kind}.json" if state_dir is not None else None

    changer = SimulatedCashChanger(
        f"{station_id}-changer", initial_counts=initial_counts, state_path=state("changer"),
        seed=_device_seed(seed, station_id, "changer"), jam_rate=jam_rate)
    terminal = SimulatedTerminal(
        station_id, state_path=state("terminal"), seed=_device_seed(seed, station_id, "terminal"),
        decline_rate=decline_rate, timeout_rate=timeout_rate, unknown_rate=unknown_rate)
    if printer_url:
        printer: SimulatedPrinter | NetworkPrinter = _network_printer(station_id, printer_url)
    else:
        printer = SimulatedPrinter(f"{station_id}-printer", state_path=state("printer"))
    return StationDevices(changer=changer, terminal=terminal, printer=printer)


__all__ = [
    "NetworkPrinter", "SimulatedCashChanger", "SimulatedPrinter", "SimulatedTerminal",
    "make_station_devices", "read_state", "write_state",
]
