"""The service benchmark's baseline does the writes the service did.

The baseline replays, through the bare driver, every write the service committed for
its sales. It once replayed them on a bare schema: the payment stations and the journal
head that the service's start-up had written were not there, so every UPDATE of them
(five of a sale's twenty writes) changed nothing and the baseline did less than the
service. No timing here: a few recorded sales are replayed and every write must change a row.
"""
from __future__ import annotations

from pathlib import Path

from benchmarks.service_bench import run_service, writes_that_change_nothing

from madoguchi.adapters.db.scratch import scratch_database
from tests.conftest import PG_URL


def test_every_write_the_baseline_replays_changes_a_row(db_url: str, tmp_path: Path) -> None:
    kind = "sqlite" if db_url.startswith("sqlite") else "postgresql"
    recorded = run_service(db_url, 10, tmp_path, record=True)
    url, drop = scratch_database(kind, tmp_path, PG_URL, prefix="replay")
    try:
        idle = writes_that_change_nothing(url, recorded)
    finally:
        drop()
    assert idle == []


def test_a_timed_run_times_the_service_commits_and_then_leaves_the_driver_as_it_was(
        db_url: str, tmp_path: Path) -> None:
    from madoguchi.adapters.db.driver import Driver

    commit = Driver.commit
    timed = run_service(db_url, 3, tmp_path)
    assert Driver.commit is commit
    assert timed["commit_us"] > 0  # the benchmark table's "commit µs, service" column
