"""Why a payment station is out of service, in words for the log and a code for the screens.

The station's ``fault`` column keeps an English sentence (the log and the daily sheet's
incidents read it); the screens speak Japanese from :func:`fault_code`, never that sentence.
"""
from __future__ import annotations

import re

#: A payment station in training (練習モード) is out of service for real sales (services/counter/training.py).
TRAINING = "training mode"
_JAM = re.compile(r"cash changer jammed \((?P<step>[a-z_]+)\)")


def jam_fault(step: str) -> str:
    """The fault of a station whose cash changer jammed at ``step`` (insert, end_deposit, ...)."""
    return f"cash changer jammed ({step})"


def fault_code(fault: str | None) -> dict[str, str] | None:
    """``{"code": "changer_jammed", "step": "insert"}`` for a jam, ``{"code": "out_of_service"}``
    for any other fault, ``None`` for a station in service."""
    if not fault:
        return None
    m = _JAM.fullmatch(fault)
    if m:
        return {"code": "changer_jammed", "step": m["step"]}
    if fault == TRAINING:
        return {"code": "training"}
    return {"code": "out_of_service"}
