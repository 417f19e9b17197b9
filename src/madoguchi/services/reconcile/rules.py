"""The rules of a close of month: fee rates, deposit schedule, match tolerance, and where fees are paid from.

Read from the month-close rules file (``MADOGUCHI_RECONCILE_RULES_PATH``); without one, the
example rates of ``domain.md``. :func:`load_rules` is the one reader of that file: the close of
month and the start-up check (:mod:`madoguchi.services.reconcile.rules_check`) both use it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from madoguchi.adapters.files.toml_files import read_toml
from madoguchi.domain.reconcile import DepositSchedule, RateTable
from madoguchi.errors import BadInput


@dataclass(frozen=True)
class Rules:
    rates: RateTable = field(default_factory=RateTable.default)
    schedule: DepositSchedule = field(default_factory=DepositSchedule)
    tolerance: dt.timedelta = dt.timedelta(minutes=5)


def load_rules(path: Path | None) -> tuple[Rules, dict[str, str]]:
    """The rules of reconciliation and the expenditure line (役務費・手数料) the fees come from."""
    expenditure = {"code": "13-01", "name": "役務費 手数料"}
    if path is None:
        return Rules(), expenditure
    data = read_toml(path)
    rates = RateTable.parse(data, source=str(path))
    schedule = (DepositSchedule.parse(data["deposit_schedule"], source=f"{path}: deposit_schedule")
                if "deposit_schedule" in data else DepositSchedule())
    seconds = data.get("match_tolerance_seconds", 300)
    if isinstance(seconds, bool) or not isinstance(seconds, int) or seconds < 0:
        raise BadInput(f"{path}: match_tolerance_seconds must be a whole number of seconds")
    expenditure |= {k: str(v) for k, v in data.get("expenditure", {}).items() if k in ("code", "name")}
    return Rules(rates, schedule, dt.timedelta(seconds=seconds)), expenditure
