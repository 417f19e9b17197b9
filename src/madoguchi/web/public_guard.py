"""What keeps a crowd of phones off the counter: one cached count, and a rate limit per address.

- :class:`BoardCache`: the congestion board is counted at most once per
  ``congestion_cache_seconds`` (whatever the number of readers; the others wait for that
  one count, then share it), and served with its ETag.
- :class:`TokenBuckets`: each client address may make ``public_rate_burst`` requests at
  once, then ``public_rate_per_second``; beyond that it is told to retry after a while.

Both keep time by the runtime's clock (the tests move it by hand), in this process: a
server with several worker processes counts once per worker, which is still a handful.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import format_datetime

import orjson

from madoguchi.services.outcomes.congestion import CongestionBoard, board_json, congestion_board
from madoguchi.services.runtime import Runtime

#: Addresses remembered at most; past it, those with a full bucket are forgotten.
MAX_ADDRESSES = 10_000


@dataclass(frozen=True, slots=True)
class Snapshot:
    board: CongestionBoard
    body: bytes  # the JSON answer
    etag: str
    last_modified: str  # HTTP date
    counted_at: dt.datetime


def snapshot_of(board: CongestionBoard, counted_at: dt.datetime) -> Snapshot:
    body = orjson.dumps(board_json(board))
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    return Snapshot(board=board, body=body, etag=etag,
                    last_modified=format_datetime(board.updated_at.astimezone(dt.UTC), usegmt=True),
                    counted_at=counted_at)


class BoardCache:
    def __init__(self, count: Callable[[Runtime], CongestionBoard] = congestion_board) -> None:
        self._count = count
        self._lock = threading.Lock()
        self._last: Snapshot | None = None
        self.counts = 0  # how many times the board was counted (the tests read it)

    def get(self, rt: Runtime) -> Snapshot:
        max_age = dt.timedelta(seconds=rt.settings.congestion_cache_seconds)
        with self._lock:
            now = rt.clock()
            last = self._last
            if last is not None and dt.timedelta(0) <= now - last.counted_at < max_age:
                return last
            self._last = snapshot_of(self._count(rt), now)
            self.counts += 1
            return self._last


class TokenBuckets:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, dt.datetime]] = {}  # address -> (tokens, when)

    def take(self, rt: Runtime, address: str) -> int:
        """0 if ``address`` may go on (a token is spent), else the seconds to wait."""
        burst = float(rt.settings.public_rate_burst)
        rate = rt.settings.public_rate_per_second
        now = rt.clock()
        with self._lock:
            tokens, when = self._buckets.get(address, (burst, now))
            tokens = min(burst, tokens + max(0.0, (now - when).total_seconds()) * rate)
            if tokens >= 1.0:
                self._buckets[address] = (tokens - 1.0, now)
                self._forget_some(burst, rate, now)
                return 0
            self._buckets[address] = (tokens, now)
            return max(1, math.ceil((1.0 - tokens) / rate))

    def _forget_some(self, burst: float, rate: float, now: dt.datetime) -> None:
        if len(self._buckets) <= MAX_ADDRESSES:
            return
        self._buckets = {a: (n, w) for a, (n, w) in self._buckets.items()
                         if n + (now - w).total_seconds() * rate < burst}
