"""The exact ESC/POS bytes of a few fixed receipts, pinned byte for byte.

A receipt printer prints what it is sent, so any change to these bytes is a change a
person would see on paper (or a QR code that no longer scans). The expected bytes are
files in ``tests/fixtures/escpos/``, written once by :func:`render_receipt` as it was
when this test was added; a faster renderer must produce them unchanged. Never rewrite
a fixture to make this test pass: a new layout is a new fixture with its reason.
"""
from __future__ import annotations

import base64
import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from madoguchi.adapters.devices.escpos_render import render_receipt
from madoguchi.domain.receipt import ReceiptDocument, ReceiptLine
from madoguchi.domain.receipt_code import code_of, qr_payload

FIXTURES = Path(__file__).parent.parent / "fixtures" / "escpos"
CODE = code_of(base64.b64encode(bytes(range(64))).decode("ascii"))


def receipt(**changes) -> ReceiptDocument:
    doc = ReceiptDocument(
        municipality="三鷹市", site_name="市民課", station_name="1番窓口", receipt_number=123,
        issued_at=dt.datetime(2026, 11, 24, 5, 3, tzinfo=dt.UTC),
        lines=(ReceiptLine("住民票の写し", 2, 300, 600),
               ReceiptLine("印鑑登録証明書", 1, 300, 0, exemption="公用請求"),
               ReceiptLine("戸籍全部事項証明書", 1, 450, 450)),
        total=1050, method_label="現金", brand_name=None, tendered=2000, change=950,
        sale_reference="S-000123", verification_code=CODE,
        verification_qr=qr_payload(site="honcho", seq=42, code=CODE))
    return dataclasses.replace(doc, **changes)


LONG = ReceiptLine("戸籍全部事項証明書（謄本）・除籍・改製原戸籍のとても長い名前の証明書", 1, 750, 750)

CASES: dict[str, tuple[ReceiptDocument, dict[str, object]]] = {
    "signed_cash": (receipt(), {}),
    "signed_cash_no_qr": (receipt(), {"qr": False}),
    "signed_card_reprint": (receipt(method_label="電子マネー", brand_name="楽天Edy", tendered=None,
                                    change=None, processor_reference="T1-000042", reprint=True), {}),
    "unsigned_reference_qr": (receipt(verification_code=None, verification_qr=None, signing_down=True), {}),
    "before_codes": (receipt(verification_code=None, verification_qr=None), {}),
    "training": (receipt(training=True), {}),
    "long_name_narrow": (receipt(lines=receipt().lines + (LONG,), total=1800), {"width": 32}),
    "long_name_wide": (receipt(lines=receipt().lines + (LONG,), total=1800), {"width": 64}),
    "unprintable_and_big_amounts": (receipt(
        site_name="髙橋🙂出張所", lines=(ReceiptLine("写し\t¥🙂", 12, 1_234_567, 14_814_804),),
        total=14_814_804, tendered=20_000_000, change=5_185_196, sale_reference="ｱｲｳ-1"), {}),
    "non_ascii_reference_no_qr": (receipt(verification_code=None, verification_qr=None,
                                          sale_reference="受付-1"), {}),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_receipt_bytes_are_exactly_those_pinned(name):
    doc, options = CASES[name]
    assert render_receipt(doc, **options) == (FIXTURES / f"{name}.bin").read_bytes()  # type: ignore[arg-type]


def test_a_receipt_rendered_twice_in_a_row_is_the_same_bytes():
    doc, _ = CASES["signed_card_reprint"]
    assert render_receipt(doc) == render_receipt(doc) == (FIXTURES / "signed_card_reprint.bin").read_bytes()
