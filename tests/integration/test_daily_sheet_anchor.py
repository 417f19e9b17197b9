"""The closed day's anchor on the daily sheet: the code to type, and a QR code that says it."""
from __future__ import annotations

import io
import shutil
import subprocess
import zipfile

import segno
from openpyxl import load_workbook

from madoguchi.adapters.files.anchor_qr import qr_png
from madoguchi.services.close import close_day
from tests.integration.test_close_day import DAY
from tests.integration.test_journal_anchors import _closed_day


def _sheet(rt, supervisor) -> bytes:  # type: ignore[no-untyped-def]
    return close_day.daily_sheet(rt, day=DAY, actor=supervisor, sites=["honcho"])


def test_the_daily_sheet_of_a_closed_day_carries_the_code_and_a_qr_code_that_says_it(rt, cashier, supervisor,
                                                                                     clock, tmp_path):
    code = _closed_day(rt, cashier, supervisor, clock)["anchor"]["code"]
    data = _sheet(rt, supervisor)
    ws = load_workbook(io.BytesIO(data)).worksheets[1]  # the site's sheet, after the summary
    cells = {c.value: ws.cell(row=c.row, column=c.column + 1).value for row in ws.iter_rows() for c in row if c.value}
    assert cells["検証コード"] == code
    payload = f"MADOGUCHI-ANCHOR:honcho:2026-11-02:{code}"
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        [png] = [z.read(n) for n in z.namelist() if n.startswith("xl/media/")]
    assert png.startswith(b"\x89PNG") and png == qr_png(payload)
    assert segno.make_qr(payload, error="m").designator  # segno encodes exactly that payload
    if shutil.which("zbarimg"):  # a real decoder, where the machine has one
        (tmp_path / "qr.png").write_bytes(png)
        out = subprocess.run(["zbarimg", "--raw", "-q", str(tmp_path / "qr.png")], capture_output=True, text=True)
        assert out.stdout.strip() == payload


def test_an_open_day_has_no_code_yet(rt, supervisor):
    data = _sheet(rt, supervisor)
    values = {c.value for ws in load_workbook(io.BytesIO(data)).worksheets for row in ws.iter_rows() for c in row}
    assert "検証コード" not in values
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert not [n for n in z.namelist() if n.startswith("xl/media/")]
