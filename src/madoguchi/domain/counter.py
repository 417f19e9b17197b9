"""The counter's values: a sale with its lines, a payment, a receipt.

Frozen: a change is a new value (:func:`evolve`), and a state moves only
through the transition tables of :mod:`madoguchi.domain.sale` (``moved_to`` refuses
what they do not list). A sale carries the ``version`` it was read at; the repository
writes it back only if nobody wrote it in between.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields, make_dataclass
from operator import attrgetter
from typing import Any, TypeVar

from madoguchi.domain.sale import PaymentState, PricedLine, SaleState, check_total, payment_transition, sale_transition

_T = TypeVar("_T")
#: Each value class's fields: how to read them in order, and where each is.
_FIELDS: dict[type, tuple[Callable[[Any], tuple[Any, ...]], dict[str, int]]] = {}
#: Each value class's mutable twin (see :func:`_twin_of`), or the class itself.
_TWINS: dict[type, type] = {}


def _fields_of(cls: type) -> tuple[Callable[[Any], tuple[Any, ...]], dict[str, int]]:
    names = tuple(f.name for f in fields(cls))
    shape = _FIELDS[cls] = (attrgetter(*names), {name: i for i, name in enumerate(names)})
    return shape


def _twin_of(cls: type) -> type:
    """A plain slotted dataclass with the same fields (and defaults) in the same order as the
    frozen ``cls``.

    Its ``__init__`` sets each slot with a plain attribute store, which CPython does several
    times faster than the frozen class's ``object.__setattr__``; a value built by it then
    takes its real class (allowed: the two have the same layout), and is from then on as
    frozen as any other. A class that is not slotted, or has a ``__post_init__`` (something
    to check), is its own twin: it is built by its own ``__init__``.
    """
    names = tuple(f.name for f in fields(cls))
    if cls.__dict__.get("__slots__") != names or hasattr(cls, "__post_init__"):
        twin = _TWINS[cls] = cls
        return twin
    twin = _TWINS[cls] = make_dataclass(
        f"_{cls.__name__}Twin", [(f.name, Any, field(default=f.default, default_factory=f.default_factory))
                                 for f in fields(cls)], slots=True)
    return twin


def made(cls: type[_T], values: Iterable[Any]) -> _T:
    """``cls(*values)`` for these frozen values, without the generated ``__init__`` (it sets
    each field through ``object.__setattr__``, as frozen classes must): built by the class's
    mutable twin, it costs half as much. Sales and payments are made from rows and changed
    several times in every call at the counter."""
    twin = _TWINS.get(cls) or _twin_of(cls)
    out = twin(*values)
    if twin is not cls:
        out.__class__ = cls
    return out  # type: ignore[no-any-return]


def built(cls: type[_T], /, **values: Any) -> _T:
    """``cls(**values)``, built as :func:`made` builds (for the values every sale makes anew:
    the sale, its lines, a payment attempt)."""
    twin = _TWINS.get(cls) or _twin_of(cls)
    out = twin(**values)
    if twin is not cls:
        out.__class__ = cls
    return out  # type: ignore[no-any-return]


def evolve(value: _T, **changes: Any) -> _T:
    """``value`` with ``changes``: what :func:`dataclasses.replace` does for these frozen
    values, at a fraction of its cost (see :func:`made`)."""
    cls = type(value)
    read, index = _FIELDS.get(cls) or _fields_of(cls)
    values = list(read(value))
    try:
        for name, new in changes.items():
            values[index[name]] = new
    except KeyError as unknown:
        raise TypeError(f"{cls.__name__} has no field {unknown.args[0]!r}") from None
    return made(cls, values)


@dataclass(frozen=True, slots=True)
class Line:
    id: str
    position: int
    fee_code: str
    name_ja: str
    name_en: str
    quantity: int
    list_price: int
    unit_price: int
    amount: int
    revenue_line_code: str
    revenue_line_name: str
    exemption: str | None
    exemption_note: str | None

    @classmethod
    def priced(cls, line_id: str, position: int, priced: PricedLine) -> Line:
        return built(cls, id=line_id, position=position, fee_code=priced.fee_code, name_ja=priced.name_ja,
                     name_en=priced.name_en, quantity=priced.quantity, list_price=priced.list_price,
                     unit_price=priced.unit_price, amount=priced.amount,
                     revenue_line_code=priced.revenue_line_code, revenue_line_name=priced.revenue_line_name,
                     exemption=priced.exemption.value if priced.exemption else None,
                     exemption_note=priced.exemption_note)


@dataclass(frozen=True, slots=True)
class Sale:
    id: str
    site: str
    staff_station: str
    payment_station: str | None
    state: str
    total: int
    paid_amount: int
    cash_only: bool
    attempts: int
    created_by: str
    created_at: dt.datetime
    business_date: dt.date
    paid_at: dt.datetime | None
    lines: tuple[Line, ...] = ()
    #: The version read (0: not stored yet); a write expects it unchanged.
    version: int = 0
    #: When its first line was added; when it was first handed to a payment station (a move
    #: to another station, or a recall and a new hand-off, keeps the first).
    registration_started_at: dt.datetime | None = None
    handed_off_at: dt.datetime | None = None

    @classmethod
    def new(cls, *, sale_id: str, site: str, staff_station: str, created_by: str, created_at: dt.datetime,
            business_date: dt.date) -> Sale:
        return built(cls, id=sale_id, site=site, staff_station=staff_station, payment_station=None,
                     state=SaleState.OPEN.value, total=0, paid_amount=0, cash_only=False, attempts=0,
                     created_by=created_by, created_at=created_at, business_date=business_date, paid_at=None)

    @property
    def due(self) -> int:
        return self.total - self.paid_amount

    def moved_to(self, target: SaleState, **changes: object) -> Sale:
        """This sale in state ``target`` (refused unless the table lists it), with ``changes``."""
        return evolve(self, state=sale_transition(self.state, target).value, **changes)

    def with_line(self, line: Line) -> Sale:
        lines = (*self.lines, line)
        return evolve(self, lines=lines, total=check_total(sum(x.amount for x in lines)))

    def registering(self, at: dt.datetime) -> Sale:
        """Its registration started ``at`` (its first line), unless it had started before."""
        return evolve(self, registration_started_at=self.registration_started_at or at)

    def handed_off(self, at: dt.datetime) -> Sale:
        """Marked handed off ``at``, unless it was handed off before (the first hand-off counts)."""
        return evolve(self, handed_off_at=self.handed_off_at or at)

    def handed_to(self, station: str, at: dt.datetime) -> Sale:
        """Awaiting payment at ``station``, marked handed off ``at`` unless it was handed off
        before (as :meth:`handed_off`; one new value)."""
        return self.moved_to(SaleState.AWAITING_PAYMENT, payment_station=station,
                             handed_off_at=self.handed_off_at or at)

    def without_line(self, line_id: str) -> Sale:
        lines = tuple(x for x in self.lines if x.id != line_id)
        return evolve(self, lines=lines, total=sum(x.amount for x in lines))

    def next_position(self) -> int:
        return max((x.position for x in self.lines), default=0) + 1


@dataclass(frozen=True, slots=True)
class Payment:
    id: str
    request_id: str
    sale_id: str
    site: str
    payment_station: str
    terminal_id: str | None
    method: str
    brand: str | None
    category: str
    amount: int
    state: str
    tendered: int | None
    change: int | None
    processor_reference: str | None
    failure: str | None
    started_at: dt.datetime
    completed_at: dt.datetime | None
    business_date: dt.date
    booked_on: dt.date | None

    def moved_to(self, target: PaymentState, **changes: object) -> Payment:
        return evolve(self, state=payment_transition(self.state, target).value, **changes)

    def failed(self, target: PaymentState, why: str, at: dt.datetime) -> Payment:
        """The attempt took no money: ``target`` (declined, failed, not sent), and why."""
        return self.moved_to(target, failure=why[:200], completed_at=at)


@dataclass(frozen=True, slots=True)
class Receipt:
    id: int
    sale_id: str
    payment_station: str
    number: int
    document: str
    state: str
    prints: int
    last_error: str | None
    created_at: dt.datetime
    printed_at: dt.datetime | None = None  # its first print


@dataclass(frozen=True, slots=True)
class Incident:
    """An open question staff must settle (a jam's cash, an unknown cashless outcome, a refund owed)."""

    id: str
    kind: str
    site: str
    payment_station: str | None
    sale_id: str | None
    payment_id: str | None
    amount: int
    summary: str
    opened_at: dt.datetime
    request_id: str | None = None
    brand: str | None = None
    state: str = "open"
    resolved_at: dt.datetime | None = None
    resolution: str | None = None
    resolved_by: str | None = None
    note: str | None = None
