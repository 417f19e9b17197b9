"""Tar files of one folder: written whole (atomically) and read back without extracting.

Reading trusts nothing in the file: only regular members under the one folder are
taken, by name, into memory (no path is ever written to disk), and a member larger
than :data:`MAX_MEMBER` or a file that is not a tar is refused with a message naming it.
"""
from __future__ import annotations

import io
import tarfile
from collections.abc import Iterable
from pathlib import Path

from madoguchi.adapters.files.writing import atomic_path
from madoguchi.errors import BadInput

MAX_MEMBER = 2 * 1024**3  # 2 GiB: a decade of a city's journal is far less


def write_tar(target: Path, folder: str, files: Iterable[tuple[str, bytes]], *, mtime: int) -> None:
    """``target``: a tar of ``folder/<name>`` for each (name, bytes), in the order given."""
    with atomic_path(target) as tmp, tarfile.open(tmp, "w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in files:
            info = tarfile.TarInfo(f"{folder}/{name}")
            info.size, info.mtime, info.mode = len(data), mtime, 0o644
            tar.addfile(info, io.BytesIO(data))


def read_tar(source: Path, folder: str) -> dict[str, bytes]:
    """The regular files under ``folder/`` in the tar at ``source``, by name inside the folder."""
    try:
        tar = tarfile.open(source, "r:*")  # noqa: SIM115 (closed by the `with tar:` below)
    except FileNotFoundError:
        raise BadInput(f"{source}: no such file") from None
    except (tarfile.TarError, OSError) as exc:
        raise BadInput(f"{source}: not a readable tar file ({exc})") from None
    files: dict[str, bytes] = {}
    with tar:
        try:
            for member in tar:
                if not member.isfile() or not member.name.startswith(folder + "/"):
                    continue
                if member.size > MAX_MEMBER:
                    raise BadInput(f"{source}: {member.name} is larger than an export holds")
                name = member.name[len(folder) + 1:]
                if name in files:
                    raise BadInput(f"{source}: {member.name} is in the tar twice")
                handle = tar.extractfile(member)
                files[name] = handle.read() if handle is not None else b""
        except (tarfile.TarError, EOFError, OSError) as exc:
            raise BadInput(f"{source}: the tar file is damaged ({exc})") from None
    return files
