"""The anchor file: signed checkpoints of closed days, one JSON line each, outside the database.

Lines are only ever appended, each write flushed to the disk (``fsync``) before the
close reports it written. A line cut short by a crash is left as it is and the next
line starts on a line of its own, so one bad line never swallows the next checkpoint.
The file is worth what its copies elsewhere are worth (docs/journal.md): whoever can
write the database may be able to write this file too.
"""
from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from madoguchi.errors import BadInput


def append_lines(path: Path, lines: Sequence[str]) -> None:
    """Append ``lines`` and fsync; ``OSError`` when the file cannot be written."""
    if not lines:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    created = not path.exists()
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        size = os.fstat(fd).st_size
        lead = b""
        if size:
            os.lseek(fd, size - 1, os.SEEK_SET)
            lead = b"" if os.read(fd, 1) == b"\n" else b"\n"
        data = lead + "".join(line + "\n" for line in lines).encode("utf-8")
        while data:
            data = data[os.write(fd, data):]
        os.fsync(fd)
    finally:
        os.close(fd)
    if created:  # the new name itself must survive a power cut
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def read_anchor_text(path: Path, *, option: str = "--anchors") -> str:
    """The file's text for a verification; :class:`BadInput` when it cannot be read."""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"{option}: cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None
