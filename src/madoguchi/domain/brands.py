"""The 32 cashless brands of the case, with what each does on cancel and on doubt.

Facts from ``shared/domain.md`` (as of February 2023). Cancellation windows and
unknown-outcome behaviour decide what the service may do after a payment: cancel at
the terminal, or record a refund to be paid by bank transfer; and what an in-doubt
payment will probably turn into. Fee rates are the example PayCAS rates in parts
per million (2.48 % = 24_800): an example only, ``None`` where none is published (LINE Pay,
ゆうちょPay, BankPay); a city's rules file gives its contract's rates.

Brands come and go: each has an effective period (LINE Pay's payment service in Japan
ended in April 2025). A brand no longer offered leaves the station screen and cannot be
paid with, but stays readable: old sheets, exports and the journal keep its name.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from madoguchi.errors import BadInput


class Category(StrEnum):
    EMONEY = "emoney"
    CREDIT = "credit"
    QR = "qr"


class CancelPolicy(StrEnum):
    NONE = "none"                      # Edy, nanaco: no cancel at the terminal
    LAST_TRANSACTION = "last_transaction"  # transit IC: only the terminal's last, card unused since
    WITHIN_DAYS = "within_days"        # iD/QUICPay 60, WAON 14, cards and QR: our default


class DoubtBehaviour(StrEnum):
    SETTLES_ON_NEXT_TOUCH = "settles_on_next_touch"   # Edy, WAON
    MONTHS_AFTER_NEXT_TOUCH = "months_after_next_touch"  # transit IC
    BOOKED_THEN_REVERSED = "booked_then_reversed"     # nanaco
    DOES_NOT_COMPLETE = "does_not_complete"           # iD, QUICPay
    ASK_PROVIDER = "ask_provider"                     # cards and QR: the acquirer knows


@dataclass(frozen=True, slots=True)
class Brand:
    code: str
    name: str
    category: Category
    cancel_policy: CancelPolicy
    cancel_days: int  # meaningful for WITHIN_DAYS only
    doubt: DoubtBehaviour
    fee_ppm: int | None  # example settlement fee, parts per million, tax included; None: none published
    offered_from: dt.date | None = None   # first day it may be paid with (None: since always)
    offered_until: dt.date | None = None  # last day it may be paid with (None: still offered)

    def offered_on(self, day: dt.date) -> bool:
        return ((self.offered_from is None or self.offered_from <= day)
                and (self.offered_until is None or day <= self.offered_until))

    @property
    def transit_ic(self) -> bool:
        return self.cancel_policy is CancelPolicy.LAST_TRANSACTION


_E, _C, _Q = Category.EMONEY, Category.CREDIT, Category.QR
_TRANSIT = (CancelPolicy.LAST_TRANSACTION, 0, DoubtBehaviour.MONTHS_AFTER_NEXT_TOUCH, 32_450)
# Cards and QR: a cancel is possible at the terminal for a while; 30 days is our default.
_CARD_DAYS = 30
_QR_DAYS = 30


def _b(code: str, name: str, cat: Category, policy: CancelPolicy, days: int,
       doubt: DoubtBehaviour, ppm: int | None, until: dt.date | None = None) -> Brand:
    return Brand(code, name, cat, policy, days, doubt, ppm, None, until)


BRANDS: tuple[Brand, ...] = (
    # Electronic money (14): transit IC x9, nanaco, WAON, Rakuten Edy, iD, QUICPay
    _b("kitaca", "Kitaca", _E, *_TRANSIT),
    _b("suica", "Suica", _E, *_TRANSIT),
    _b("pasmo", "PASMO", _E, *_TRANSIT),
    _b("toica", "TOICA", _E, *_TRANSIT),
    _b("manaca", "manaca", _E, *_TRANSIT),
    _b("icoca", "ICOCA", _E, *_TRANSIT),
    _b("sugoca", "SUGOCA", _E, *_TRANSIT),
    _b("nimoca", "nimoca", _E, *_TRANSIT),
    _b("hayakaken", "はやかけん", _E, *_TRANSIT),
    _b("nanaco", "nanaco", _E, CancelPolicy.NONE, 0, DoubtBehaviour.BOOKED_THEN_REVERSED, 32_450),
    _b("waon", "WAON", _E, CancelPolicy.WITHIN_DAYS, 14, DoubtBehaviour.SETTLES_ON_NEXT_TOUCH, 32_450),
    _b("edy", "楽天Edy", _E, CancelPolicy.NONE, 0, DoubtBehaviour.SETTLES_ON_NEXT_TOUCH, 32_450),
    _b("id", "iD", _E, CancelPolicy.WITHIN_DAYS, 60, DoubtBehaviour.DOES_NOT_COMPLETE, 32_450),
    _b("quicpay", "QUICPay", _E, CancelPolicy.WITHIN_DAYS, 60, DoubtBehaviour.DOES_NOT_COMPLETE, 35_640),
    # Credit cards (6)
    _b("visa", "VISA", _C, CancelPolicy.WITHIN_DAYS, _CARD_DAYS, DoubtBehaviour.ASK_PROVIDER, 24_800),
    _b("mastercard", "Mastercard", _C, CancelPolicy.WITHIN_DAYS, _CARD_DAYS, DoubtBehaviour.ASK_PROVIDER, 24_800),
    _b("jcb", "JCB", _C, CancelPolicy.WITHIN_DAYS, _CARD_DAYS, DoubtBehaviour.ASK_PROVIDER, 27_280),
    _b("amex", "American Express", _C, CancelPolicy.WITHIN_DAYS, _CARD_DAYS, DoubtBehaviour.ASK_PROVIDER, 27_280),
    _b("diners", "Diners Club", _C, CancelPolicy.WITHIN_DAYS, _CARD_DAYS, DoubtBehaviour.ASK_PROVIDER, 27_280),
    _b("unionpay", "銀聯", _C, CancelPolicy.WITHIN_DAYS, _CARD_DAYS, DoubtBehaviour.ASK_PROVIDER, 32_400),
    # QR code (12)
    _b("paypay", "PayPay", _Q, CancelPolicy.WITHIN_DAYS, _QR_DAYS, DoubtBehaviour.ASK_PROVIDER, 30_800),
    _b("linepay", "LINE Pay", _Q, CancelPolicy.WITHIN_DAYS, _QR_DAYS, DoubtBehaviour.ASK_PROVIDER, None,
       until=dt.date(2025, 4, 30)),  # the payment service in Japan ended in April 2025
    _b("merpay", "メルペイ", _Q, CancelPolicy.WITHIN_DAYS, _QR_DAYS, DoubtBehaviour.ASK_PROVIDER, 32_450),
    _b("aupay", "au PAY", _Q, CancelPolicy.WITHIN_DAYS, _QR_DAYS, DoubtBehaviour.ASK_PROVIDER, 32_450),
    _b("dbarai", "d払い", _Q, CancelPolicy.WITHIN_DAYS, _QR_DAYS, DoubtBehaviour.ASK_PROVIDER, 32_450),
    _b("wechatpay", "WeChat Pay", _Q, CancelPolicy.WITHIN_DAYS, _QR_DAYS, DoubtBehaviour.ASK_PROVIDER, 32_400),
    _b("alipayplus", "Alipay+", _Q, CancelPolicy.WITHIN_DAYS, _QR_DAYS, DoubtBehaviour.ASK_PROVIDER, 32_400),
    _b("yuchopay", "ゆうちょPay", _Q, CancelPolicy.WITHIN_DAYS, _QR_DAYS, DoubtBehaviour.ASK_PROVIDER, None),
    _b("bankpay", "BankPay", _Q, CancelPolicy.WITHIN_DAYS, _QR_DAYS, DoubtBehaviour.ASK_PROVIDER, None),
    _b("rakutenpay", "楽天ペイ", _Q, CancelPolicy.WITHIN_DAYS, _QR_DAYS, DoubtBehaviour.ASK_PROVIDER, 32_450),
    _b("jcoinpay", "J-Coin Pay", _Q, CancelPolicy.WITHIN_DAYS, _QR_DAYS, DoubtBehaviour.ASK_PROVIDER, 32_450),
    _b("unionpayqr", "銀聯QR", _Q, CancelPolicy.WITHIN_DAYS, _QR_DAYS, DoubtBehaviour.ASK_PROVIDER, 32_400),
)

_BY_CODE = {b.code: b for b in BRANDS}


def brand(code: str) -> Brand:
    try:
        return _BY_CODE[code]
    except KeyError:
        raise BadInput(f"unknown brand {code!r}; known brands: {', '.join(sorted(_BY_CODE))}") from None


def offered(day: dt.date) -> tuple[Brand, ...]:
    """The brands a resident may pay with on ``day`` (the station screen's list)."""
    return tuple(b for b in BRANDS if b.offered_on(day))


def offered_brand(code: str, day: dt.date) -> Brand:
    """The brand ``code`` if it may be paid with on ``day``; a retired one is refused by name."""
    b = brand(code)
    if not b.offered_on(day):
        until = f"ended on {b.offered_until.isoformat()}" if b.offered_until else "has not begun"
        raise BadInput(f"brand {b.name} is not offered on {day.isoformat()} (its service {until}); "
                       "choose another brand")
    return b


def cancel_allowed(b: Brand, *, age_days: int, is_terminal_last: bool) -> bool:
    """Can a payment of brand ``b``, ``age_days`` old, still be cancelled at the terminal?"""
    if b.cancel_policy is CancelPolicy.NONE:
        return False
    if b.cancel_policy is CancelPolicy.LAST_TRANSACTION:
        return is_terminal_last and age_days == 0
    return age_days <= b.cancel_days
