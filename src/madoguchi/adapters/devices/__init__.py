"""Devices of a payment station: the ports, their simulators and real drivers.

``ports.py`` holds the three interfaces (cash changer, cashless terminal, receipt
printer). The simulators (``changer_sim.py``, ``terminal_sim.py``, ``printer_sim.py``)
are real implementations used by the demo, the tests and the day simulator alike;
``printer_net.py`` sends receipts to a network printer. A receipt is laid out by
``receipt_layout.py`` and rendered as ESC/POS bytes by ``escpos_render.py``.
:func:`make_station_devices` builds the devices of one station.

Simulated devices keep their state in a file outside the process (``state.py``),
because a real machine keeps its notes and coins when our server crashes.
"""
from __future__ import annotations

import zlib
from pathlib import Path
from urllib.parse import urlsplit

from madoguchi.adapters.devices.changer_sim import SimulatedCashChanger
from madoguchi.adapters.devices.ports import StationDevices
from madoguchi.adapters.devices.printer_net import NetworkPrinter
from madoguchi.adapters.devices.printer_sim import SimulatedPrinter
from madoguchi.adapters.devices.state import read_state
from madoguchi.adapters.devices.terminal_sim import SimulatedTerminal
from madoguchi.errors import BadInput


def _device_seed(seed: int, station_id: str, kind: str) -> int:
    # Each device of each station gets its own stream; crc32 (not hash()) so the same
    # seed gives the same day in every process.
    return zlib.crc32(f"{seed}:{station_id}:{kind}".encode())


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

    Changer and terminal are simulators (state in ``{state_dir}/{station_id}-changer.state``
    and ``-terminal.state`` when ``state_dir`` is given). The printer is a network
    printer when ``printer_url`` (``tcp://host:port``) is given, else a simulator.
    """
    def state(kind: str) -> Path | None:
        return Path(state_dir) / f"{station_id}-{kind}.state" if state_dir is not None else None

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
    "make_station_devices", "read_state",
]
