"""What a receipt says, independent of how it is printed; and the 和暦 date."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

JST = ZoneInfo("Asia/Tokyo")

# (first day, era name); newest first.
_ERAS: tuple[tuple[dt.date, str], ...] = (
    (dt.date(2019, 5, 1), "令和"),
    (dt.date(1989, 1, 8), "平成"),
    (dt.date(1926, 12, 25), "昭和"),
)


def wareki(day: dt.date) -> str:
    """``2026-11-24`` -> ``'令和8年11月24日'`` (the first year is written 元年)."""
    for start, era in _ERAS:
        if day >= start:
            year = day.year - start.year + 1
            year_text = "元" if year == 1 else str(year)
            return f"{era}{year_text}年{day.month}月{day.day}日"
    return f"{day.year}年{day.month}月{day.day}日"


def business_date(moment: dt.datetime) -> dt.date:
    """The business day of an aware moment: the JST calendar day."""
    if moment.tzinfo is None:
        raise ValueError("business_date needs an aware datetime")
    return moment.astimezone(JST).date()


@dataclass(frozen=True, slots=True)
class ReceiptLine:
    name: str
    quantity: int
    unit_price: int
    amount: int
    exemption: str | None = None  # e.g. "公用請求" when the fee was waived


@dataclass(frozen=True, slots=True)
class ReceiptDocument:
    municipality: str
    site_name: str
    station_name: str
    receipt_number: int
    issued_at: dt.datetime  # aware; printed in JST
    lines: tuple[ReceiptLine, ...]
    total: int
    method_label: str       # 現金 / クレジット / 電子マネー / QRコード
    brand_name: str | None
    tendered: int | None    # cash only
    change: int | None      # cash only
    sale_reference: str     # short id printed for inquiries
    processor_reference: str | None = None
    reprint: bool = False
    # From the journal entry's signature (domain/receipt_code.py); both None on receipts
    # written before codes, and on unsigned ones, which say ``signing_down`` instead.
    verification_code: str | None = None
    verification_qr: str | None = None
    signing_down: bool = False
    #: A training sale's receipt (練習モード): marked at the top and the bottom, never valid.
    training: bool = False


#: What a training receipt says at its top and bottom (issue 15, 練習モード).
TRAINING_MARK = "練習 — 領収書としては無効"
