"""A receipt's verification code and QR: derived from its entry's signature, printed as ESC/POS bytes."""
from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib

import pytest

from madoguchi.adapters.devices.escpos_render import KANJI_OFF, KANJI_ON, escpos_text, render_receipt
from madoguchi.adapters.devices.receipt_layout import receipt_text
from madoguchi.domain.receipt import ReceiptDocument, ReceiptLine
from madoguchi.domain.receipt_code import ReceiptQuery, code_of, parse_query, qr_payload
from madoguchi.errors import BadInput

SIGNATURE = base64.b64encode(bytes(range(64))).decode("ascii")
CODE = code_of(SIGNATURE)
PAYLOAD = qr_payload(site="honcho", seq=42, code=CODE)


def signed_receipt(**changes) -> ReceiptDocument:
    doc = ReceiptDocument(
        municipality="三鷹市", site_name="市民課", station_name="1番窓口", receipt_number=123,
        issued_at=dt.datetime(2026, 11, 24, 5, 3, tzinfo=dt.UTC),
        lines=(ReceiptLine("住民票の写し", 2, 300, 600),), total=600, method_label="現金", brand_name=None,
        tendered=1000, change=400, sale_reference="S-000123", verification_code=CODE, verification_qr=PAYLOAD)
    return dataclasses.replace(doc, **changes)


def gs_k(fn: int, data: bytes, m: bytes = b"") -> bytes:
    """``GS ( k pL pH cn fn [m] data`` as the ESC/POS manual spells it, for QR (cn = 49)."""
    size = len(data) + len(m) + 2
    return b"\x1d(k" + bytes([size % 256, size // 256]) + b"1" + bytes([fn]) + m + data


def test_the_code_is_the_first_12_base32_characters_of_the_signatures_sha256_in_threes():
    plain = base64.b32encode(hashlib.sha256(bytes(range(64))).digest()).decode()[:12]
    assert f"{plain[:3]}-{plain[3:6]}-{plain[6:9]}-{plain[9:]}" == CODE
    assert code_of(SIGNATURE) == CODE  # the same signature, the same code: a reprint's too
    other = base64.b64encode(bytes(range(1, 65))).decode("ascii")
    assert code_of(other) != CODE


def test_the_qr_payload_says_where_the_entry_is_and_holds_nothing_personal():
    assert f"MDG1:honcho:42:{CODE.replace('-', '')}" == PAYLOAD
    assert PAYLOAD.isascii() and len(PAYLOAD) < 40


def test_a_code_is_read_as_people_type_it_and_a_payload_as_the_qr_holds_it():
    assert parse_query(f"  {CODE.lower()} ") == ReceiptQuery(CODE)
    assert parse_query(CODE.replace("-", " ")) == ReceiptQuery(CODE)
    assert parse_query(PAYLOAD) == ReceiptQuery(CODE, "honcho", 42)
    assert parse_query("ABC-DEF-GHO-OOI") == parse_query("abc-def-gh0-001")  # 0 and 1 are not base32


@pytest.mark.parametrize("text", ["ABC-DEF", "ABC-DEF-GHI-JK8", "MDG1:honcho:x:ABCDEFGHIJKL", ""])
def test_what_is_not_a_code_is_refused_saying_what_a_code_looks_like(text):
    with pytest.raises(BadInput) as refused:
        parse_query(text)
    assert "receipt" in refused.value.message


def test_the_qr_is_the_payload_drawn_by_the_printer_as_these_exact_bytes():
    data = render_receipt(signed_receipt())
    qr = (b"\x1ba\x01"                                   # ESC a 1: centre
          + gs_k(65, b"2\x00")                           # model 2
          + gs_k(67, b"\x04")                            # module size 4 dots
          + gs_k(69, b"1")                               # error correction M (15%): thermal paper fades
          + gs_k(80, PAYLOAD.encode("ascii"), b"0")      # store the payload
          + gs_k(81, b"", b"0")                          # print it
          + b"\n" + b"\x1ba\x00")                        # a line feed, back to the left
    assert data.endswith(qr + b"\x1bd\x06" + b"\x1dV\x00")  # ... then feed 6 lines and cut
    assert data.count(b"\x1d(k") == 5 and b"S-000123" not in data.split(b"\x1d(k", 1)[1]


def test_a_signed_receipt_prints_its_code_and_an_unsigned_one_says_the_signing_device_is_down():
    text = receipt_text(signed_receipt())
    assert any(x.startswith("検証コード") and x.endswith(CODE) for x in text.splitlines())
    down = signed_receipt(verification_code=None, verification_qr=None, signing_down=True)
    assert "署名装置停止中" in receipt_text(down) and CODE not in receipt_text(down)
    line = next(x for x in receipt_text(down).splitlines() if "署名装置停止中" in x)
    assert line.startswith("検証コード") and line.endswith("署名装置停止中")
    assert KANJI_ON + line.encode("cp932") + KANJI_OFF in render_receipt(down)
    assert b"1P0S-000123" in render_receipt(down)  # its QR is the sale reference, as before codes


def test_a_reprint_carries_the_same_code_and_qr():
    first, again = render_receipt(signed_receipt()), render_receipt(signed_receipt(reprint=True))
    tail = first[first.index(b"\x1d(k"):]
    assert again.endswith(tail) and CODE in escpos_text(again) and "再発行" in escpos_text(again)
