"""Copying the changer's count instead of counting the cash (issue 15, part 4): only a supervisor
may, it must still be the changer's count when the day is locked, and the close's journal
entry says it was copied. The findings read a difference as 不足 / 過剰, not as a sign."""
from __future__ import annotations

import json

import pytest

from madoguchi.domain.auth import Actor, Role
from madoguchi.domain.close import over_short_ja
from madoguchi.domain.receipt import business_date
from madoguchi.errors import Conflict, PermissionDenied
from madoguchi.services.close import close_day
from tests.helpers import changer, journal

ACCOUNTANT = Actor("accountant", Role.ACCOUNTANT, frozenset({"honcho"}))


def _machine(rt) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {str(d): n for d, n in changer(rt).counts().items()}


def test_only_a_supervisor_may_close_with_the_machines_count_and_the_journal_says_so(rt, supervisor):
    day = business_date(rt.clock())
    with pytest.raises(PermissionDenied):
        close_day.close_station(rt, station="honcho-p1", day=day, counted=_machine(rt), actor=ACCOUNTANT,
                                from_machine=True, confirm_warnings=True)
    close_day.close_station(rt, station="honcho-p1", day=day, counted=_machine(rt), actor=supervisor,
                            from_machine=True, confirm_warnings=True)
    (entry,) = [e for e in journal(rt) if e.kind == "day_closed"]
    assert json.loads(entry.data)["counted_from_machine"] is True and entry.actor == supervisor.login


def test_a_copy_that_is_no_longer_the_machines_count_closes_nothing(rt, supervisor):
    day = business_date(rt.clock())
    copied = _machine(rt) | {"100": changer(rt).counts()[100] + 1}
    with pytest.raises(Conflict, match="not what was copied"):
        close_day.close_station(rt, station="honcho-p1", day=day, counted=copied, actor=supervisor,
                                from_machine=True, confirm_warnings=True)
    assert not [e for e in journal(rt) if e.kind == "day_closed"]


def test_a_count_by_hand_is_journalled_without_the_copy_mark(rt):
    day = business_date(rt.clock())
    close_day.close_station(rt, station="honcho-p1", day=day, counted=_machine(rt), actor=ACCOUNTANT,
                            confirm_warnings=True)
    (entry,) = [e for e in journal(rt) if e.kind == "day_closed"]
    assert "counted_from_machine" not in json.loads(entry.data)


def test_an_over_short_reads_as_words():
    assert over_short_ja(-100) == "不足 100円"
    assert over_short_ja(1000) == "過剰 1,000円"
    assert over_short_ja(0) == "過不足なし"
    assert over_short_ja(-100, yen="￥{:,}") == "不足 ￥100"
