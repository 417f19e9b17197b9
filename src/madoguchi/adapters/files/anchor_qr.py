"""The closed day's checkpoint on the daily sheet: its code as a QR code, a PNG in the .xlsx.

The QR code says what ``madoguchi verify-journal --anchor-code`` needs (site, day and
code; :func:`madoguchi.domain.anchor.qr_payload`), so the paper can be checked without
typing. Made with segno (pure Python); openpyxl embeds the PNG (it reads it with Pillow).
"""
from __future__ import annotations

import io

import segno
from openpyxl.drawing.image import Image
from openpyxl.worksheet.worksheet import Worksheet

from madoguchi.domain.anchor import SignedCheckpoint, qr_payload

#: Pixels per module and the side of the image on the sheet: about 3 cm printed, read by a phone.
SCALE = 4
SIDE_PX = 118


def qr_png(payload: str) -> bytes:
    out = io.BytesIO()
    segno.make_qr(payload, error="m").save(out, kind="png", scale=SCALE, border=4)
    return out.getvalue()


def place_qr(ws: Worksheet, checkpoint: SignedCheckpoint, cell: str) -> Image:
    """Put the checkpoint's QR code on ``ws`` with its top left corner at ``cell``."""
    image = Image(io.BytesIO(qr_png(qr_payload(checkpoint))))
    image.width = image.height = SIDE_PX
    ws.add_image(image, cell)
    return image
