"""The fee catalog (手数料) and the places (sites, staff and payment stations).

Both come from data files a city replaces; this module validates their content and
answers questions about it. A sale copies the price and revenue line it was made
with, so a later catalog change never alters a past sale.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, TypeVar

from madoguchi.domain.money import MAX_SALE_YEN
from madoguchi.errors import BadInput, NotFound


@dataclass(frozen=True, slots=True)
class RevenueLine:
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class FeeItem:
    code: str
    name_ja: str
    name_en: str
    amount: int
    revenue_line: RevenueLine
    department: str
    exemptible: bool
    effective_from: dt.date
    rank: int  # most used first on the register
    # For the resident's screen only (a sale records the Japanese and English names).
    name_zh: str | None = None
    name_ko: str | None = None
    # How the name sounds, in hiragana: the register's key field finds a fee by it.
    reading: str | None = None


@dataclass(frozen=True, slots=True)
class Catalog:
    items: tuple[FeeItem, ...]

    def item(self, code: str, on: dt.date) -> FeeItem:
        """The entry for ``code`` in force on day ``on``."""
        found = [i for i in self.items if i.code == code and i.effective_from <= on]
        if not found:
            if any(i.code == code for i in self.items):
                raise NotFound(f"fee {code!r} is not yet in force on {on.isoformat()}")
            raise NotFound(f"no fee with code {code!r} in the catalog")
        return max(found, key=lambda i: i.effective_from)

    def in_force(self, on: dt.date) -> list[FeeItem]:
        codes = dict.fromkeys(i.code for i in self.items)
        current = []
        for code in codes:
            try:
                current.append(self.item(code, on))
            except NotFound:
                continue
        return sorted(current, key=lambda i: (i.rank, i.code))


_T = TypeVar("_T")


def _need(entry: dict[str, Any], key: str, kind: type[_T], where: str) -> _T:
    if key not in entry:
        raise BadInput(f"{where}: missing {key!r}")
    value = entry[key]
    if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise BadInput(f"{where}: {key!r} must be a whole number, got {value!r}")
    if not isinstance(value, kind):
        raise BadInput(f"{where}: {key!r} must be {kind.__name__}, got {value!r}")
    return value


def _optional(entry: dict[str, Any], key: str, where: str) -> str | None:
    value = entry.get(key)
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise BadInput(f"{where}: {key!r} must be a non-empty text, got {value!r}")
    return value


def _reading(entry: dict[str, Any], where: str) -> str | None:
    value = _optional(entry, "reading", where)
    if value is not None and not all("\u3041" <= c <= "\u3096" or c == "\u30fc" for c in value):
        raise BadInput(f"{where}: 'reading' must be hiragana (long vowel mark ー allowed), got {value!r}")
    return value


def parse_catalog(data: dict[str, Any], *, source: str = "catalog") -> Catalog:
    lines = {}
    for n, entry in enumerate(data.get("revenue_lines", []), start=1):
        where = f"{source}: revenue_lines #{n}"
        line = RevenueLine(_need(entry, "code", str, where), _need(entry, "name", str, where))
        lines[line.code] = line
    items = []
    seen = set()
    for n, entry in enumerate(data.get("fees", []), start=1):
        where = f"{source}: fees #{n} ({entry.get('code', '?')})"
        amount = _need(entry, "amount", int, where)
        if not 0 <= amount <= MAX_SALE_YEN:
            raise BadInput(f"{where}: amount {amount} is out of range")
        line_code = _need(entry, "revenue_line", str, where)
        if line_code not in lines:
            raise BadInput(f"{where}: revenue_line {line_code!r} is not defined in revenue_lines")
        effective = _need(entry, "effective_from", dt.date, where)
        item = FeeItem(
            code=_need(entry, "code", str, where),
            name_ja=_need(entry, "name_ja", str, where),
            name_en=_need(entry, "name_en", str, where),
            amount=amount,
            revenue_line=lines[line_code],
            department=_need(entry, "department", str, where),
            exemptible=_need(entry, "exemptible", bool, where),
            effective_from=effective,
            rank=int(entry.get("rank", 100)),
            name_zh=_optional(entry, "name_zh", where),
            name_ko=_optional(entry, "name_ko", where),
            reading=_reading(entry, where),
        )
        key = (item.code, item.effective_from)
        if key in seen:
            raise BadInput(f"{where}: {item.code} has two entries effective from {effective}")
        seen.add(key)
        items.append(item)
    if not items:
        raise BadInput(f"{source}: the catalog has no fees")
    return Catalog(tuple(items))


@dataclass(frozen=True, slots=True)
class Site:
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class StaffStation:
    id: str
    site: str
    name: str


@dataclass(frozen=True, slots=True)
class PaymentStationConfig:
    id: str
    site: str
    name: str
    number: int
    colour: str
    printer: str | None  # "tcp://host:port" for a network printer; None: simulator


@dataclass(frozen=True, slots=True)
class Places:
    municipality: str
    sites: tuple[Site, ...]
    staff_stations: tuple[StaffStation, ...]
    payment_stations: tuple[PaymentStationConfig, ...]

    def site(self, code: str) -> Site:
        for s in self.sites:
            if s.code == code:
                return s
        raise NotFound(f"no site {code!r}")

    def staff_station(self, station_id: str) -> StaffStation:
        for s in self.staff_stations:
            if s.id == station_id:
                return s
        raise NotFound(f"no staff station {station_id!r}")

    def payment_station(self, station_id: str) -> PaymentStationConfig:
        for s in self.payment_stations:
            if s.id == station_id:
                return s
        raise NotFound(f"no payment station {station_id!r}")


def parse_places(data: dict[str, Any], *, source: str = "places") -> Places:
    municipality = _need(data, "municipality", str, source)
    sites = tuple(Site(_need(e, "code", str, f"{source}: sites #{n}"), _need(e, "name", str, f"{source}: sites #{n}"))
                  for n, e in enumerate(data.get("sites", []), start=1))
    codes = {s.code for s in sites}
    if len(codes) != len(sites):
        raise BadInput(f"{source}: two sites share a code")

    def site_of(entry: dict[str, Any], where: str) -> str:
        code = _need(entry, "site", str, where)
        if code not in codes:
            raise BadInput(f"{where}: site {code!r} is not defined in sites")
        return code

    staff = tuple(
        StaffStation(_need(e, "id", str, w), site_of(e, w), _need(e, "name", str, w))
        for n, e in enumerate(data.get("staff_stations", []), start=1)
        for w in [f"{source}: staff_stations #{n}"]
    )
    pay = tuple(
        PaymentStationConfig(_need(e, "id", str, w), site_of(e, w), _need(e, "name", str, w),
                             _need(e, "number", int, w), str(e.get("colour", "#1565c0")), e.get("printer"))
        for n, e in enumerate(data.get("payment_stations", []), start=1)
        for w in [f"{source}: payment_stations #{n}"]
    )
    ids = [s.id for s in staff] + [p.id for p in pay]
    if len(set(ids)) != len(ids):
        raise BadInput(f"{source}: station ids must be unique across staff and payment stations")
    return Places(municipality, sites, staff, pay)
