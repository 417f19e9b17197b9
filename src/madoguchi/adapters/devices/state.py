"""Where a simulated device keeps its state: a log that survives our process.

A real changer keeps its notes and coins when our server crashes, so the simulator
keeps its state outside the process. Each change appends one line to the device's
file, ``<crc32 hex> <json>`` (the whole state, or what changed since the line before),
in a single ``write`` on a descriptor kept open: what was
written is in the operating system's hands once the call returns, so it survives a
SIGKILL of the server (not a power cut: the simulator stands for a machine with its own
memory, and making every coin wait for the disk would charge the server for the
simulator). Reading stops at the first line whose checksum fails, so a line cut short
by a kill leaves the state before it.

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
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

#: A log longer than this is rewritten as one snapshot.
COMPACT_BYTES = 256 * 1024


class StateLog:
    """The state file of one device, kept open for appending while the device lives.

    :meth:`write` records the whole state; :meth:`change` records only what changed
    (top-level fields, and entries of collections that grew), for a device whose state
    keeps growing (the terminal remembers every payment it saw): a change costs the
    same whether the device has seen ten payments or ten thousand. ``full`` gives the
    whole state when the log starts afresh (first write, or past :data:`COMPACT_BYTES`).
    """

    def __init__(self, path: Path, full: Callable[[], dict[str, Any]] | None = None) -> None:
        self.path = path
        self._full = full
        self._fd = -1
        self._size = 0

    def read(self) -> dict[str, Any] | None:
        state = read_state(self.path)
        legacy = self._legacy
        if state is None and legacy is not None and legacy.exists():
            state = orjson.loads(legacy.read_bytes())
        return state

    @property
    def _legacy(self) -> Path | None:
        """Before the log, ``<station>-<device>.state`` was one JSON document, ``<...>.json``."""
        return self.path.with_suffix(".json") if self.path.suffix == ".state" else None

    def write(self, state: dict[str, Any]) -> None:
        """Record ``state`` as the device's whole current state."""
        line = _line(["state", state])
        if self._fd < 0 or self._size + len(line) > COMPACT_BYTES:
            self._rewrite(line)
        else:
            self._append(line)

    def change(self, fields: dict[str, Any], entries: dict[str, dict[str, Any]] | None = None) -> None:
        """Record new values of top-level ``fields``, and new or changed ``entries``
        (collection name -> key -> value) of collections in the state."""
        if self._full is None:
            raise RuntimeError("this state log was given no way to read the whole state")
        line = _line(["change", fields, entries or {}])
        if self._fd < 0 or self._size + len(line) > COMPACT_BYTES:
            self._rewrite(_line(["state", self._full()]))
        else:
            self._append(line)

    def _append(self, line: bytes) -> None:
        os.write(self._fd, line)
        self._size += len(line)

    def _rewrite(self, line: bytes) -> None:
        """Start the file afresh with ``line`` alone; a crash leaves the old file or the new one.

        Both descriptors are closed before the rename and the file reopened after it:
        Windows refuses to rename a file that is open."""
        self.close()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.tmp")
        tmp.write_bytes(line)
        os.replace(tmp, self.path)
        if self._legacy is not None:
            self._legacy.unlink(missing_ok=True)  # the log holds the state now
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | getattr(os, "O_BINARY", 0))
        self._size = len(line)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def __del__(self) -> None:
        self.close()


def _line(record: list[Any]) -> bytes:
    payload = orjson.dumps(record, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)
    return b"%08x %s\n" % (zlib.crc32(payload), payload)


def read_state(path: Path | None) -> dict[str, Any] | None:
    """The state recorded at ``path`` (the last whole state with the changes after it),
    or ``None`` when there is none yet. Lines are read in order up to the first whose
    checksum fails: the only line a kill can cut short is the last one written."""
    if path is None:
        return None
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    state: dict[str, Any] | None = None
    for line in data.split(b"\n"):
        crc, _, payload = line.partition(b" ")
        if len(crc) != 8 or not payload or crc != b"%08x" % zlib.crc32(payload):
            break
        record = orjson.loads(payload)
        if record[0] == "state":
            state = record[1]
        elif state is not None:
            state.update(record[1])
            for name, entries in record[2].items():
                state[name].update(entries)
    if state is None and data.strip():
        raise ValueError(f"{path}: the file does not begin with a whole device state (is it a device state log?)")
    return state
