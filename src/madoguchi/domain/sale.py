"""The sale and its payments: states, transition tables, pricing of lines.

Every state change of a sale or a payment goes through :func:`sale_transition` or
:func:`payment_transition`; anything the tables do not list is refused.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from madoguchi.domain.catalog import FeeItem
from madoguchi.domain.money import MAX_SALE_YEN
from madoguchi.errors import BadInput, InvalidTransition


class SaleState(StrEnum):
    OPEN = "open"                          # staff are adding lines
    AWAITING_PAYMENT = "awaiting_payment"  # handed to a payment station
    PAYING = "paying"                      # a payment is under way at the station
    PAID = "paid"
    IN_DOUBT = "in_doubt"                  # a cashless outcome is unknown: an incident is open
    CANCELLED = "cancelled"                # voided before payment
    REFUNDED = "refunded"                  # paid, then refunded with a supervisor's approval


SALE_TRANSITIONS: dict[SaleState, frozenset[SaleState]] = {
    # Nothing due (every line exempt): the sale is complete without a payment station.
    SaleState.OPEN: frozenset({SaleState.AWAITING_PAYMENT, SaleState.PAID, SaleState.CANCELLED}),
    SaleState.AWAITING_PAYMENT: frozenset({SaleState.OPEN, SaleState.PAYING, SaleState.CANCELLED}),
    # A failed payment returns the sale to awaiting payment; an unknown one holds it in doubt.
    SaleState.PAYING: frozenset({SaleState.PAID, SaleState.AWAITING_PAYMENT, SaleState.IN_DOUBT}),
    # In doubt ends when the outcome is learnt (paid / not paid) or a supervisor lets
    # the resident pay in cash meanwhile (back to awaiting payment, cash only).
    SaleState.IN_DOUBT: frozenset({SaleState.PAID, SaleState.AWAITING_PAYMENT}),
    SaleState.PAID: frozenset({SaleState.REFUNDED}),
    SaleState.CANCELLED: frozenset(),
    SaleState.REFUNDED: frozenset(),
}

#: States in which a sale may be moved to another payment station.
MOVABLE = frozenset({SaleState.AWAITING_PAYMENT})
#: States in which lines may change.
EDITABLE = frozenset({SaleState.OPEN})
FINAL = frozenset({SaleState.PAID, SaleState.CANCELLED, SaleState.REFUNDED})


def sale_transition(current: str, target: SaleState) -> SaleState:
    # The table's keys are str enums: the stored state finds its row as it is (an unknown
    # one is refused by the enum).
    allowed = SALE_TRANSITIONS.get(current)  # type: ignore[call-overload]
    if allowed is not None and target in allowed:
        return target
    cur = SaleState(current)
    if target not in SALE_TRANSITIONS[cur]:
        raise InvalidTransition(f"a sale that is {cur.value} cannot become {target.value}",
                                current=cur.value, target=target.value)
    return target


class PaymentMethod(StrEnum):
    CASH = "cash"
    CASHLESS = "cashless"


class PaymentState(StrEnum):
    PENDING = "pending"      # asked for; the device has not answered yet
    SETTLING = "settling"    # cash: deposit fixed, change about to be paid out
    APPROVED = "approved"
    DECLINED = "declined"
    FAILED = "failed"        # cash: cancelled, repaid, jammed or no change
    NOT_SENT = "not_sent"    # cashless: the terminal never received the request; nothing charged
    UNKNOWN = "unknown"      # cashless: outcome unknown, an incident is open
    REFUNDED = "refunded"    # approved, then refunded (cash, or bank transfer)
    CANCELLED = "cancelled"  # approved, then cancelled at the terminal


PAYMENT_TRANSITIONS: dict[PaymentState, frozenset[PaymentState]] = {
    PaymentState.PENDING: frozenset({PaymentState.SETTLING, PaymentState.APPROVED, PaymentState.DECLINED,
                                     PaymentState.FAILED, PaymentState.NOT_SENT, PaymentState.UNKNOWN}),
    PaymentState.SETTLING: frozenset({PaymentState.APPROVED, PaymentState.FAILED}),
    PaymentState.UNKNOWN: frozenset({PaymentState.APPROVED, PaymentState.DECLINED}),
    PaymentState.APPROVED: frozenset({PaymentState.REFUNDED, PaymentState.CANCELLED}),
    PaymentState.DECLINED: frozenset(),
    PaymentState.FAILED: frozenset(),
    PaymentState.NOT_SENT: frozenset(),
    PaymentState.REFUNDED: frozenset(),
    PaymentState.CANCELLED: frozenset(),
}


def payment_transition(current: str, target: PaymentState) -> PaymentState:
    allowed = PAYMENT_TRANSITIONS.get(current)  # type: ignore[call-overload]  # as sale_transition
    if allowed is not None and target in allowed:
        return target
    cur = PaymentState(current)
    if target not in PAYMENT_TRANSITIONS[cur]:
        raise InvalidTransition(f"a payment that is {cur.value} cannot become {target.value}",
                                current=cur.value, target=target.value)
    return target


class Exemption(StrEnum):
    OFFICIAL_REQUEST = "official_request"    # 公用請求
    PUBLIC_ASSISTANCE = "public_assistance"  # 生活保護受給者
    OTHER = "other"                          # with a text


EXEMPTION_LABELS_JA = {
    Exemption.OFFICIAL_REQUEST: "公用請求",
    Exemption.PUBLIC_ASSISTANCE: "生活保護",
    Exemption.OTHER: "その他免除",
}

MAX_QUANTITY = 99


@dataclass(frozen=True, slots=True)
class PricedLine:
    """A line as it is stored: the price and revenue line copied from the catalog."""

    fee_code: str
    name_ja: str
    name_en: str
    quantity: int
    list_price: int
    unit_price: int
    revenue_line_code: str
    revenue_line_name: str
    exemption: Exemption | None
    exemption_note: str | None

    @property
    def amount(self) -> int:
        return self.quantity * self.unit_price


def price_line(item: FeeItem, *, quantity: int, exemption: Exemption | None = None,
               exemption_note: str | None = None) -> PricedLine:
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= MAX_QUANTITY:
        raise BadInput(f"quantity must be a whole number from 1 to {MAX_QUANTITY}, got {quantity!r}")
    note = (exemption_note or "").strip() or None
    if exemption is not None:
        if not item.exemptible:
            raise BadInput(f"{item.name_ja} ({item.code}) cannot be exempted")
        if exemption is Exemption.OTHER and not note:
            raise BadInput("an exemption of kind 'other' needs a text saying why")
        if note and len(note) > 200:
            raise BadInput("exemption note: at most 200 characters")
    elif note:
        raise BadInput("an exemption note was given without an exemption")
    return PricedLine(
        fee_code=item.code, name_ja=item.name_ja, name_en=item.name_en, quantity=quantity,
        list_price=item.amount, unit_price=0 if exemption else item.amount,
        revenue_line_code=item.revenue_line.code, revenue_line_name=item.revenue_line.name,
        exemption=exemption, exemption_note=note,
    )


def check_total(total: int) -> int:
    if not 0 <= total <= MAX_SALE_YEN:
        raise BadInput(f"a sale's total must be between 0 and {MAX_SALE_YEN} yen, got {total}")
    return total


def age_in_days(paid_at: dt.datetime, now: dt.datetime) -> int:
    from madoguchi.domain.receipt import business_date
    return (business_date(now) - business_date(paid_at)).days
