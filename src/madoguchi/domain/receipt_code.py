"""A receipt's verification code and QR payload, derived from its journal entry's signature.

The code is the first 12 characters of the base32 (RFC 4648) SHA-256 of the entry's raw
Ed25519 signature, grouped in threes (``KQ7-M2D-XAB-3TF``): 60 bits, short enough to
read out over the phone, and fixed for ever by the entry it names (a reprint carries the
same code). The QR holds ``MDG1:<site>:<seq>:<code>`` (the code without dashes): where
to find the entry, and what its signature must hash to. No personal data is in either.

An unsigned entry (the signing key was lost) has no code; the receipt prints
:data:`SIGNING_DOWN_LABEL` in its place, as Austria's RKSV prints "Sicherheitseinrichtung
ausgefallen".
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass

from madoguchi.errors import BadInput

CODE_LENGTH = 12
QR_PREFIX = "MDG1"
SIGNING_DOWN_LABEL = "署名装置停止中"
_ALPHABET = re.compile(r"[A-Z2-7]{12}")
_PAYLOAD = re.compile(r"MDG1:([A-Za-z0-9_.-]{1,64}):([1-9][0-9]{0,17}):([A-Za-z2-7-]{12,20})")
# Typed by hand: a zero is taken for O, a one for I (base32 has neither digit).
_TYPED = str.maketrans({"0": "O", "1": "I"})


def code_of(signature: str) -> str:
    """``'KQ7-M2D-XAB-3TF'``: the code of the entry whose base64 signature is ``signature``."""
    try:
        raw = base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError):
        raw = signature.encode("ascii", "replace")  # not base64: still one fixed code, which verifies nothing
    # Base32 spells each 5 bytes as 8 characters, so the first 10 bytes of the hash give
    # the first 16 characters of the whole hash's base32: the 12 wanted, at a third of the cost.
    plain = base64.b32encode(hashlib.sha256(raw).digest()[:10]).decode("ascii")[:CODE_LENGTH]
    return "-".join(plain[i:i + 3] for i in range(0, CODE_LENGTH, 3))


def qr_payload(*, site: str, seq: int, code: str) -> str:
    """``'MDG1:honcho:42:KQ7M2DXAB3TF'``: what the receipt's QR code holds."""
    return f"{QR_PREFIX}:{site}:{seq}:{code.replace('-', '')}"


@dataclass(frozen=True, slots=True)
class ReceiptQuery:
    """What someone holding a receipt asks about: its code, and from the QR its entry too."""

    code: str                # grouped, as printed
    site: str | None = None
    seq: int | None = None


def parse_query(text: str) -> ReceiptQuery:
    """A typed code (dashes, spaces and case as they come) or the QR's payload."""
    given = text.strip()
    match = _PAYLOAD.fullmatch(given)
    if match:
        return ReceiptQuery(_code(match.group(3), given), match.group(1), int(match.group(2)))
    if given.upper().startswith(QR_PREFIX + ":"):
        raise BadInput(f"{given!r} is not a madoguchi receipt QR (MDG1:<site>:<number>:<code>)")
    return ReceiptQuery(_code(given, given))


def _code(text: str, given: str) -> str:
    plain = re.sub(r"[\s-]", "", text).upper().translate(_TYPED)
    if not _ALPHABET.fullmatch(plain):
        raise BadInput(f"{given!r} is not a receipt verification code: it has 12 letters A-Z and "
                       "digits 2-7, e.g. KQ7-M2D-XAB-3TF")
    return "-".join(plain[i:i + 3] for i in range(0, CODE_LENGTH, 3))
