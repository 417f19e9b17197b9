"""A unit of work in memory: the counter's repositories as dicts, for fast service tests.

It keeps what a commit would make permanent: changes made in a unit of work are
staged on a copy and replace the store only on ``commit`` (closing without one
drops them), as the database's transaction would. Sales check their version as the
driver's ``sale_update`` does. (cosmicpython's ``FakeUnitOfWork``.)
"""
from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Container
from dataclasses import dataclass, field, replace
from typing import Any

from madoguchi.domain.counter import Incident, Line, Payment, Receipt, Sale
from madoguchi.domain.journal import EntryKind, JournalEntry
from madoguchi.errors import Conflict, NotFound


class DuplicateKey(Exception):
    """A write refused for a key already taken, as the database's primary key refuses it."""


def _new_key(table: Container[Any], key: Any) -> None:
    if key in table:
        raise DuplicateKey(f"duplicate key {key!r}")


@dataclass
class Store:
    """What the fake database holds."""

    sales: dict[str, Sale] = field(default_factory=dict)
    payments: dict[str, Payment] = field(default_factory=dict)
    receipts: dict[int, Receipt] = field(default_factory=dict)
    incidents: dict[str, Incident] = field(default_factory=dict)
    holders: dict[str, str | None] = field(default_factory=dict)   # station -> sale id
    faults: dict[str, str | None] = field(default_factory=dict)
    numbers: dict[str, int] = field(default_factory=dict)          # station -> next receipt number
    closed_days: set[tuple[str, dt.date]] = field(default_factory=set)
    answers: dict[str, tuple[str, dict[str, Any], dict[str, Any]]] = field(default_factory=dict)
    journal: list[JournalEntry] = field(default_factory=list)


class FakeSales:
    def __init__(self, store: Store) -> None:
        self.s = store

    def find(self, sale_id: str, *, lock: bool = True) -> Sale | None:
        return self.s.sales.get(sale_id)

    def get(self, sale_id: str, *, lock: bool = True) -> Sale:
        sale = self.find(sale_id)
        if sale is None:
            raise NotFound(f"no sale {sale_id}")
        return sale

    def add(self, sale: Sale) -> Sale:
        _new_key(self.s.sales, sale.id)
        stored = replace(sale, version=1)
        self.s.sales[sale.id] = stored
        return stored

    def save(self, sale: Sale) -> Sale:
        if self.s.sales[sale.id].version != sale.version:
            raise Conflict(f"sale {sale.id} was changed by someone else meanwhile; load it again")
        stored = replace(sale, version=sale.version + 1)
        self.s.sales[sale.id] = stored
        return stored

    def add_line(self, sale: Sale, line: Line) -> Sale:
        _new_key({x.id for s in self.s.sales.values() for x in s.lines}, line.id)
        return self.save(sale.with_line(line))

    def remove_line(self, sale: Sale, line_id: str) -> Sale:
        return self.save(sale.without_line(line_id))

    def of_days(self, site: str, day: dt.date, *, onward: bool = False,
                staff_station: str | None = None) -> list[Sale]:
        return sorted((x for x in self.s.sales.values() if x.site == site
                       and (x.business_date >= day if onward else x.business_date == day)
                       and (staff_station is None or x.staff_station == staff_station)),
                      key=lambda x: x.created_at)


class FakePayments:
    def __init__(self, store: Store) -> None:
        self.s = store

    def find(self, payment_id: str) -> Payment | None:
        return self.s.payments.get(payment_id)

    def get(self, payment_id: str) -> Payment:
        return self.s.payments[payment_id]

    def of_sale(self, sale_id: str) -> list[Payment]:
        return sorted((p for p in self.s.payments.values() if p.sale_id == sale_id), key=lambda p: p.started_at)

    def add(self, payment: Payment) -> None:
        _new_key(self.s.payments, payment.id)
        self.s.payments[payment.id] = payment

    def save(self, payment: Payment) -> None:
        self.s.payments[payment.id] = payment

    def mark_settling(self, payment_id: str, *, tendered: int, change: int) -> bool:
        payment = self.s.payments[payment_id]
        if payment.state != "pending":
            return False
        self.s.payments[payment_id] = replace(payment, state="settling", tendered=tendered, change=change)
        return True

    def pending_cash_at(self, station: str) -> tuple[str, int] | None:
        found = [p for p in self.s.payments.values()
                 if p.payment_station == station and p.method == "cash" and p.state == "pending"]
        return (found[-1].id, found[-1].amount) if found else None

    def in_flight(self) -> list[Payment]:
        return [p for p in self.s.payments.values() if p.state in ("pending", "settling")]


class FakeReceipts:
    def __init__(self, store: Store) -> None:
        self.s = store

    def take_number(self, station: str) -> int:
        number = self.s.numbers.get(station, 1)
        self.s.numbers[station] = number + 1
        return number

    def add(self, *, sale_id: str, payment_station: str, number: int, document: str,
            created_at: dt.datetime) -> Receipt:
        receipt = Receipt(id=len(self.s.receipts) + 1, sale_id=sale_id, payment_station=payment_station,
                          number=number, document=document, state="pending", prints=0, last_error=None,
                          created_at=created_at)
        self.s.receipts[receipt.id] = receipt
        return receipt

    def find(self, receipt_id: int) -> Receipt | None:
        return self.s.receipts.get(receipt_id)

    def latest(self, sale_id: str) -> Receipt | None:
        mine = [r for r in self.s.receipts.values() if r.sale_id == sale_id]
        return max(mine, key=lambda r: r.id) if mine else None

    def outcome(self, receipt_id: int, error: str | None, at: dt.datetime) -> Receipt | None:
        receipt = self.s.receipts.get(receipt_id)
        if receipt is None:
            return None
        receipt = (replace(receipt, state="printed", prints=receipt.prints + 1, last_error=None,
                           printed_at=receipt.printed_at or at) if error is None
                   else replace(receipt, last_error=error))
        self.s.receipts[receipt_id] = receipt
        return receipt

    def pending_ids(self, payment_station: str | None = None) -> list[int]:
        return [r.id for r in sorted(self.s.receipts.values(), key=lambda r: r.number)
                if r.state == "pending" and payment_station in (None, r.payment_station)]


@dataclass(frozen=True)
class FakeHold:
    station: str
    current_sale_id: str | None
    fault: str | None


class FakeStations:
    def __init__(self, store: Store, sites: dict[str, str]) -> None:
        self.s = store
        self.sites = sites  # station -> site

    def claim(self, station: str, sale_id: str) -> bool:
        if self.s.faults.get(station) or self.s.holders.get(station) not in (None, sale_id):
            return False
        self.s.holders[station] = sale_id
        return True

    def release(self, station: str, sale_id: str) -> None:
        if self.s.holders.get(station) == sale_id:
            self.s.holders[station] = None

    def free(self, site: str) -> list[str]:
        return sorted(x for x, s in self.sites.items()
                      if s == site and not self.s.holders.get(x) and not self.s.faults.get(x))

    def hold(self, station: str) -> FakeHold | None:
        if station not in self.sites:
            return None
        return FakeHold(station, self.s.holders.get(station), self.s.faults.get(station))

    def set_fault(self, station: str, fault: str | None) -> None:
        self.s.faults[station] = fault


class FakeIncidents:
    def __init__(self, store: Store) -> None:
        self.s = store

    def open_ids_of_sale(self, sale_id: str) -> list[str]:
        return [i.id for i in self.s.incidents.values() if i.sale_id == sale_id and i.state == "open"]

    def add(self, incident: Incident) -> None:
        self.s.incidents[incident.id] = incident

    def find(self, incident_id: str, *, lock: bool = False) -> Incident | None:
        return self.s.incidents.get(incident_id)

    def open_jams_at(self, station: str) -> list[Incident]:
        return [i for i in self.s.incidents.values()
                if i.payment_station == station and i.kind == "cash_jam" and i.state == "open"]

    def listing(self, *, site: str | None, state: str | None) -> list[Incident]:
        return [i for i in self.s.incidents.values() if site in (None, i.site) and state in (None, i.state)]

    def resolve(self, incident: Incident, *, at: dt.datetime, by: str, resolution: str,
                note: str | None) -> Incident:
        done = replace(incident, state="resolved", resolved_at=at, resolved_by=by, resolution=resolution, note=note)
        self.s.incidents[incident.id] = done
        return done


class FakeDayLocks:
    """The day lock: a site-day is closed when the store says so."""

    def __init__(self, store: Store) -> None:
        self.s = store

    def closed(self, site: str, day: dt.date, station: str | None = None) -> bool:
        return (site, day) in self.s.closed_days


class FakeJournal:
    def __init__(self, store: Store) -> None:
        self.s = store

    def append(self, kind: EntryKind, *, at: dt.datetime, actor: str | None, amount: int = 0,
               site: str | None = None, station: str | None = None, sale_id: str | None = None,
               business_date: dt.date | None = None, **details: Any) -> JournalEntry:
        import json
        seq = len(self.s.journal) + 1
        entry = JournalEntry(seq=seq, kind=kind.value, occurred_at=at.isoformat(),
                             business_date=(business_date or at.date()).isoformat(), site=site, station=station,
                             actor=actor, sale_id=sale_id, amount=amount,
                             data=json.dumps(details, sort_keys=True, default=str), prev_hash="", hash=str(seq))
        self.s.journal.append(entry)
        return entry


class FakeUnitOfWork:
    """One transaction on a :class:`Store`: staged on a copy, kept on ``commit``."""

    def __init__(self, store: Store, sites: dict[str, str], *, read_only: bool = False) -> None:
        self._store = store
        self._sites = sites
        self.read_only = read_only
        self.committed = False
        self._stage()

    def _stage(self) -> None:
        work = copy.deepcopy(self._store)
        self._work = work
        self.sales, self.payments, self.receipts = FakeSales(work), FakePayments(work), FakeReceipts(work)
        self.stations, self.incidents = FakeStations(work, self._sites), FakeIncidents(work)
        self.day_locks, self.journal = FakeDayLocks(work), FakeJournal(work)

    def __enter__(self) -> FakeUnitOfWork:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stage()  # what was not committed is dropped

    def commit(self) -> None:
        if self.read_only:
            raise RuntimeError("a read-only unit of work cannot commit")
        self._store.__dict__.update(self._work.__dict__)
        self.committed = True
        self._stage()

    def rollback(self) -> None:
        self._stage()

    def touch(self, *keys: str) -> None:
        pass

    def replay(self, key: str, operation: str, request: dict[str, Any]) -> dict[str, Any] | None:
        found = self._work.answers.get(key)
        if found is None:
            return None
        if found[0] != operation or found[1] != request:
            from madoguchi.errors import IdempotencyMismatch
            raise IdempotencyMismatch(f"id {key} was already used for a different request ({found[0]})")
        return copy.deepcopy(found[2])

    def remember(self, key: str, operation: str, request: dict[str, Any], result: dict[str, Any],
                 now: dt.datetime) -> None:
        _new_key(self._work.answers, key)
        self._work.answers[key] = (operation, copy.deepcopy(request), copy.deepcopy(result))


class FakeUowFactory:
    """``rt.uow``: every call a new unit of work on the same store."""

    def __init__(self, sites: dict[str, str]) -> None:
        self.store = Store()
        self.sites = sites

    def __call__(self, read_only: bool = False, *, urgent: bool = False) -> FakeUnitOfWork:
        return FakeUnitOfWork(self.store, self.sites, read_only=read_only)
