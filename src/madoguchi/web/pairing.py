"""The payment-station screen's own credential: a pairing made on the spot by a supervisor.

A station screen is a kiosk in the public area; it must never hold a staff session.
Instead a supervisor (or admin) of the station's site pairs the screen once: on
``/station/{id}`` they type their login and password; the server checks them (the
staff login, with its rate limit), and gives the screen a random token in a cookie
scoped to that one station (``Path=/station/{id}``, HttpOnly, SameSite=Strict). The
token stands for the station, not for the supervisor: with it the screen can read
its own state and pay the sale the station is serving, and nothing else (see
:mod:`madoguchi.web.station`). Writes also echo a per-pairing CSRF token.

One station has one pairing: pairing again (a replaced screen) ends the old one, and
a supervisor can unpair from the back office. Pairings are stored as SHA-256 hashes
in a small JSON file next to the device state (``var/station-pairings.json``), so a
restart keeps screens paired, and re-read when another process changed it.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import secrets
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

COOKIE = "madoguchi_station"
#: How long a pairing lasts unless replaced or ended (browsers cap cookies at 400 days).
LIFETIME = dt.timedelta(days=180)


@dataclass(frozen=True)
class Pairing:
    station: str
    token_sha256: str
    csrf_token: str
    paired_by: str
    paired_at: str
    expires_at: str

    def public(self) -> dict[str, str]:
        return {"station": self.station, "paired_by": self.paired_by, "paired_at": self.paired_at,
                "expires_at": self.expires_at}


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class PairingStore:
    """Pairings by payment station, kept in memory and (when ``path`` is set) on disk."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._pairings: dict[str, Pairing] = {}
        self._mtime: float | None = None
        self._reload()

    def _reload(self) -> None:
        if self.path is None or not self.path.exists():
            return
        mtime = self.path.stat().st_mtime
        if mtime == self._mtime:
            return
        data = json.loads(self.path.read_text(encoding="utf-8"))
        self._pairings = {k: Pairing(**v) for k, v in data.items()}
        self._mtime = mtime

    def _save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps({k: asdict(v) for k, v in self._pairings.items()}, indent=1),
                       encoding="utf-8")
        os.chmod(tmp, 0o600)
        os.replace(tmp, self.path)
        self._mtime = self.path.stat().st_mtime

    def pair(self, station: str, *, paired_by: str, now: dt.datetime) -> tuple[str, Pairing]:
        """A new pairing for ``station`` (ending any earlier one); returns the cookie token."""
        token = secrets.token_urlsafe(32)
        pairing = Pairing(station=station, token_sha256=_hash(token), csrf_token=secrets.token_urlsafe(24),
                          paired_by=paired_by, paired_at=now.isoformat(),
                          expires_at=(now + LIFETIME).isoformat())
        with self._lock:
            self._reload()
            self._pairings[station] = pairing
            self._save()
        return token, pairing

    def check(self, station: str, token: str | None, *, now: dt.datetime) -> Pairing | None:
        """The pairing this cookie token proves for ``station``, or None."""
        if not token:
            return None
        with self._lock:
            self._reload()
            pairing = self._pairings.get(station)
        if pairing is None or dt.datetime.fromisoformat(pairing.expires_at) <= now:
            return None
        if not secrets.compare_digest(pairing.token_sha256, _hash(token)):
            return None
        return pairing

    def unpair(self, station: str) -> bool:
        with self._lock:
            self._reload()
            gone = self._pairings.pop(station, None)
            self._save()
        return gone is not None

    def paired(self, station: str, *, now: dt.datetime) -> Pairing | None:
        with self._lock:
            self._reload()
            pairing = self._pairings.get(station)
        if pairing is None or dt.datetime.fromisoformat(pairing.expires_at) <= now:
            return None
        return pairing
