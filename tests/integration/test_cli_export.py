"""``madoguchi export payments`` (and the dates the commands take), and ``simulate-day`` whose
database the other commands then read (on SQLite and PostgreSQL: the ``db_url`` fixture).
"""
from __future__ import annotations

import json

import pytest

from madoguchi.services.close.export import COLUMNS
from tests.integration.cli_helpers import DAY, a_day_of_payments, cli, read_csv


# --- export ------------------------------------------------------------------------------
def test_export_lists_every_payment_with_the_settlement_columns_and_statuses(rt, db_url, cashier, supervisor):
    ids = a_day_of_payments(rt, cashier, supervisor)
    result = cli("export", "payments", "--from", DAY, "--to", DAY, db=db_url)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == ",".join(COLUMNS)
    rows = read_csv(result.stdout)
    by_ref = {r["merchant_reference"]: r for r in rows}
    assert len(rows) == 5
    assert {status: by_ref[ref]["status"] for status, ref in ids.items()} == {s: s for s in ids}
    unknown = by_ref[ids["unknown"]]
    assert (unknown["brand"], unknown["category"], unknown["amount"], unknown["processor_reference"]) == (
        "edy", "emoney", "450", "")
    assert (unknown["site"], unknown["station"], unknown["terminal_id"]) == ("honcho", "honcho-p1", "honcho-p1")
    approved = by_ref[ids["approved"]]
    assert (approved["category"], approved["brand"], approved["amount"]) == ("cash", "", "600")
    assert all(r["paid_at"].startswith(DAY + "T") and r["paid_at"].endswith("+09:00") for r in rows)


def test_export_as_json_to_a_file(rt, db_url, cashier, supervisor, tmp_path):
    ids = a_day_of_payments(rt, cashier, supervisor)
    out = tmp_path / "payments.json"
    result = cli("export", "payments", "--from", DAY, "--to", DAY, "--format", "json", "--out", str(out),
                 db=db_url)
    assert result.exit_code == 0, result.output
    assert result.stderr == f"5 payments written to {out}\n"
    rows = json.loads(out.read_text(encoding="utf-8"))
    assert [list(r) for r in rows] == [list(COLUMNS)] * 5
    assert {r["merchant_reference"]: r["status"] for r in rows}[ids["unknown"]] == "unknown"
    assert all(isinstance(r["amount"], int) for r in rows)


def test_export_of_another_day_is_empty_but_has_its_header(rt, db_url, cashier, supervisor):
    a_day_of_payments(rt, cashier, supervisor)
    result = cli("export", "payments", "--from", "2026-11-03", "--to", "2026-11-30", db=db_url)
    assert result.exit_code == 0 and result.stdout.splitlines() == [",".join(COLUMNS)]


@pytest.mark.parametrize("args, message", [
    (["export", "payments", "--from", "2026/11/02", "--to", DAY],
     "error: --from: '2026/11/02' is not a date; write it as YYYY-MM-DD, e.g. 2026-11-02"),
    (["export", "payments", "--from", DAY, "--to", "2026-02-30"],
     "error: --to: '2026-02-30' is not a date; write it as YYYY-MM-DD, e.g. 2026-11-02"),
    (["export", "payments", "--from", DAY, "--to", "2026-11-01"], "error: --to 2026-11-01 is before --from 2026-11-02"),
    (["simulate-day", "--date", "tomorrow", "--sales", "3", "--seed", "1"],
     "error: --date: 'tomorrow' is not a date; write it as YYYY-MM-DD, e.g. 2026-11-02"),
])
def test_a_bad_date_exits_2_with_a_message(db_url, args, message):
    assert cli("init-db", db=db_url).exit_code == 0
    result = cli(*args, db=db_url)
    assert result.exit_code == 2
    assert result.stderr == message + "\n"
    assert "Traceback" not in result.output


# --- simulate-day, then the other commands on its database --------------------------
def test_simulate_day_then_verify_journal_and_export_agree(db_url):
    result = cli("simulate-day", "--date", DAY, "--sales", "40", "--seed", "24", "--fault-rate", "0.5",
                 db=db_url)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "sales: 40  paid" in out and "faults injected:" in out and "journal entries:" in out
    entries = int(out.split("journal entries: ")[1].split()[0])
    assert cli("verify-journal", db=db_url).stdout == f"journal OK: {entries} entries\n"
    rows = read_csv(cli("export", "payments", "--from", DAY, "--to", DAY, db=db_url).stdout)
    in_doubt = int(out.split("in doubt ")[1].split()[0])
    open_incidents = int(out.split("open incidents: ")[1].split()[0])
    # In doubt or paid in cash meanwhile, an unknown card payment stays unknown until resolved.
    assert sum(r["status"] == "unknown" for r in rows) == open_incidents >= in_doubt >= 1
    assert {r["status"] for r in rows} <= {"approved", "declined", "unknown", "cancelled", "not_sent"}
