"""Where a simulated device keeps its state: a log of snapshots that survives our process.

A real changer keeps its notes and coins when our server crashes, so the simulator
keeps its state outside the process. Each change appends one line to the device's
file, ``<crc32 hex> <json>``, in a single ``write`` on a descriptor kept open: what was
written is in the operating system's hands once the call returns, so it survives a
SIGKILL of the server (not a power cut: the simulator stands for a machine with its own
memory, and making every coin wait for the disk would charge the server for the
simulator). Reading takes the last line whose checksum holds, so a line cut short by a
kill leaves the state before it.

Why not rewrite the file and rename it over the old one each time: on ext4 a rename
that replaces a file makes the kernel write the new file's blocks out first, which cost
the server more than anything else in a sale over HTTP. Appending costs one system call.
When the log has grown past :data:`COMPACT_BYTES`, the current state is written to a
new file that replaces the log (the old atomic rename, once in a long while).

Each file has one writer: the device, under its own lock, through its :class:`StateLog`.
"""
from __future__ import annotations

import os
import zlib
from pathlib import Path
from typing import Any

import orjson

#: A log longer than this is rewritten as one snapshot.
COMPACT_BYTES = 256 * 1024


class StateLog:
    """The state file of one device, kept open for appending while the device lives."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd = -1
        self._size = 0

    def read(self) -> dict[str, Any] | None:
        return read_state(self.path)

    def write(self, state: dict[str, Any]) -> None:
        """Record ``state`` as the device's current state."""
        line = _line(state)
        if self._fd < 0 or self._size + len(line) > COMPACT_BYTES:
            self._rewrite(line)
            return
        os.write(self._fd, line)
        self._size += len(line)

    def _rewrite(self, line: bytes) -> None:
        """Start the file afresh with ``line`` alone; a crash leaves the old file or the new one."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND | getattr(os, "O_BINARY", 0), 0o644)
        try:
            os.write(fd, line)
            os.replace(tmp, self.path)
        except BaseException:
            os.close(fd)
            raise
        self.close()
        self._fd, self._size = fd, len(line)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def __del__(self) -> None:
        self.close()


def _line(state: dict[str, Any]) -> bytes:
    payload = orjson.dumps(state, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)
    return b"%08x %s\n" % (zlib.crc32(payload), payload)


def read_state(path: Path | None) -> dict[str, Any] | None:
    """The last state recorded at ``path``, or ``None`` when there is none yet."""
    if path is None:
        return None
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    for line in reversed(data.split(b"\n")):
        crc, _, payload = line.partition(b" ")
        if len(crc) == 8 and payload and crc == b"%08x" % zlib.crc32(payload):
            return orjson.loads(payload)  # type: ignore[no-any-return]
    if data.strip():
        raise ValueError(f"{path}: no line of the file holds a complete state (is it a device state log?)")
    return None
