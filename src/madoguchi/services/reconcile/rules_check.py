"""Are the month-close rules complete? Every brand offered needs a fee rate in them.

Checked at start-up (``serve`` prints it, the app logs it, the back office shows it) and
in the close of month (its summary lists it). A missing rate is a finding, never a silent
default: without a rules file the example PayCAS rates of ``domain.md`` are used, and that
is a finding too, since they are not a city's contract.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from madoguchi.domain.reconcile import RateTable, missing_rates
from madoguchi.errors import MadoguchiError
from madoguchi.services.reconcile.rules import load_rules  # the one reader of the rules file


def rate_findings(path: Path | None, first: dt.date, last: dt.date | None = None) -> list[dict[str, Any]]:
    """Findings about the fee rates for the brands offered from ``first`` to ``last`` (inclusive)."""
    last = last or first
    out: list[dict[str, Any]] = []
    try:
        rates: RateTable = load_rules(path)[0].rates
    except MadoguchiError as exc:
        return [{"code": "rules_unreadable", "severity": "error", "message": exc.message,
                 "message_ja": f"月次処理の規則ファイルを読めません: {exc.message}"}]
    if path is None:
        out.append({"code": "rates_example", "severity": "warning",
                    "message": "no month-close rules file (MADOGUCHI_RECONCILE_RULES_PATH): the fee rates are "
                               "the example PayCAS rates, not the city's contract",
                    "message_ja": "月次処理の規則ファイル（MADOGUCHI_RECONCILE_RULES_PATH）が未設定です: "
                                  "決済手数料率は契約ではなく例示値（PayCAS）です"})
    for b, day in missing_rates(rates, first, last):
        out.append({"code": "rate_missing", "severity": "warning", "brand": b.code,
                    "message": f"no settlement fee rate for brand {b.name} ({b.code}) in force on "
                               f"{day.isoformat()}: add it to the month-close rules ([[rates]])",
                    "message_ja": f"{b.name} の決済手数料率が月次処理の規則にありません（{day.isoformat()}）: "
                                  "規則ファイルの [[rates]] に追加してください"})
    return out
