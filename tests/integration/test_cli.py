"""The ``madoguchi`` command line, on SQLite and PostgreSQL (the ``db_url`` fixture).

Sales for the export are made through the services (the ``rt`` fixture, on the same
database), then the CLI reads that database as an operator would.
"""
from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from madoguchi.adapters.db.engine import make_engine
from madoguchi.cli import app
from madoguchi.services.close.export import COLUMNS
from madoguchi.services.counter import cash, payments, refunds, sales
from tests.helpers import handed_off, new_id, pay_cash, terminal

runner = CliRunner()
DAY = "2026-11-02"  # the business day of the conftest clock


def cli(*args: str, db: str | None = None, **kw):  # type: ignore[no-untyped-def]
    return runner.invoke(app, [*args, *(["--db", db] if db else [])], **kw)


def a_day_of_payments(rt, cashier, supervisor) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """One payment in each export status; returns status -> our request id."""
    ids: dict[str, str] = {}
    # approved: cash with change
    sale = handed_off(rt, cashier, [("juminhyo", 2)])
    ids["approved"] = pay_cash(rt, cashier, sale, [1000])["request_id"]
    # declined: a card the issuer refused; the resident then leaves
    sale = handed_off(rt, cashier)
    terminal(rt).script("declined", reason="insufficient balance")
    ids["declined"] = payments.pay_cashless(rt, payment_id=new_id(), sale_id=sale, brand="suica",
                                            actor=cashier)["request_id"]
    sales.cancel_sale(rt, sale_id=sale, reason="resident left", actor=cashier)
    # unknown: the terminal timed out and never learnt the outcome; the sale is in doubt
    sale = handed_off(rt, cashier, [("koseki-zenbu", 1)])
    terminal(rt).script("timeout_unknown")
    ids["unknown"] = payments.pay_cashless(rt, payment_id=new_id(), sale_id=sale, brand="edy",
                                           actor=cashier)["request_id"]
    # cancelled: cash put in, then given back at the station
    sale = handed_off(rt, cashier)
    payment_id = new_id()
    cash.start_cash(rt, payment_id=payment_id, sale_id=sale, actor=cashier)
    rt.devices.of("honcho-p1").changer.insert(1000)
    ids["cancelled"] = cash.cancel_cash(rt, payment_id=payment_id, actor=cashier)["request_id"]
    sales.cancel_sale(rt, sale_id=sale, reason="resident changed their mind", actor=cashier)
    # refunded: paid in cash, then refunded with a supervisor
    sale = handed_off(rt, cashier)
    ids["refunded"] = pay_cash(rt, cashier, sale, [500])["request_id"]
    refunds.refund_sale(rt, refund_id=new_id(), sale_id=sale, reason="wrong certificate", actor=supervisor)
    return ids


def read_csv(output: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(output)))


def tamper(db_url: str, seq: int, field: str) -> None:
    """Change one byte of a stored journal entry, as an attacker with database access would."""
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            if engine.dialect.name == "sqlite":
                conn.execute(text("DROP TRIGGER journal_no_update"))
            else:
                conn.execute(text("ALTER TABLE journal DISABLE TRIGGER USER"))
            if field == "amount":
                conn.execute(text("UPDATE journal SET amount = amount + 1 WHERE seq = :s"), {"s": seq})
            else:
                data = conn.execute(text("SELECT data FROM journal WHERE seq = :s"), {"s": seq}).scalar_one()
                at = next(i for i, ch in enumerate(data) if ch.isdigit())
                changed = data[:at] + str((int(data[at]) + 1) % 10) + data[at + 1:]
                conn.execute(text("UPDATE journal SET data = :d WHERE seq = :s"), {"d": changed, "s": seq})
    finally:
        engine.dispose()


# --- init-db and staff ---------------------------------------------------------------
def test_init_db_creates_the_schema_and_says_so_and_can_run_again(db_url):
    first = cli("init-db", db=db_url)
    assert first.exit_code == 0, first.output
    assert "database ready" in first.stdout and "6 payment stations at 5 sites" in first.stdout
    assert cli("init-db", db=db_url).exit_code == 0
    assert cli("verify-journal", db=db_url).stdout == "journal OK: 0 entries\n"


def test_init_db_with_demo_prints_the_demo_credentials(db_url):
    result = cli("init-db", "--demo", db=db_url)
    assert result.exit_code == 0, result.output
    assert "supervisor" in result.stdout and "demo-supervisor-2026" in result.stdout


def test_create_staff_reads_the_password_from_stdin_and_refuses_a_second_account_with_that_login(db_url):
    args = ["create-staff", "--login", "tanaka", "--name", "田中 花子", "--role", "cashier",
            "--site", "honcho", "--site", "nishi", "--password-stdin"]
    ok = cli(*args, db=db_url, input="a-long-password\n")
    assert ok.exit_code == 0, ok.output
    assert "created tanaka (cashier) for honcho, nishi" in ok.stdout
    again = cli(*args, db=db_url, input="a-long-password\n")
    assert again.exit_code == 2
    assert again.stderr == "error: a staff account 'tanaka' already exists\n"


def test_create_staff_asks_for_the_password_twice_without_showing_it(db_url):
    result = cli("create-staff", "--login", "sato", "--name", "佐藤", "--role", "supervisor", "--site", "*",
                 db=db_url, input="secret-secret\nsecret-secret\n")
    assert result.exit_code == 0, result.output
    assert "secret-secret" not in result.output
    assert "created sato (supervisor)" in result.stdout


@pytest.mark.parametrize("args, message", [
    (["--role", "boss", "--site", "honcho"], "error: role must be one of cashier, supervisor, accountant, admin"),
    (["--role", "cashier", "--site", "atlantis"], "error: no site 'atlantis'"),
])
def test_create_staff_with_bad_input_exits_2_with_a_message(db_url, args, message):
    result = cli("create-staff", "--login", "x", "--name", "X", *args, "--password-stdin", db=db_url,
                 input="a-long-password\n")
    assert result.exit_code == 2
    assert result.stderr.startswith(message) and "Traceback" not in result.output


# --- verify-journal ----------------------------------------------------------------------
def test_verify_journal_passes_on_an_untouched_journal(rt, db_url, cashier, supervisor):
    a_day_of_payments(rt, cashier, supervisor)
    result = cli("verify-journal", db=db_url)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("journal OK: ") and result.stdout.endswith(" entries\n")
    assert int(result.stdout.split()[2]) >= 5


@pytest.mark.parametrize("field", ["data", "amount"])
def test_one_changed_byte_in_a_journal_entry_makes_verify_fail_naming_that_entry(rt, db_url, cashier,
                                                                                 supervisor, field):
    a_day_of_payments(rt, cashier, supervisor)
    tamper(db_url, 3, field)
    result = cli("verify-journal", db=db_url)
    assert result.exit_code == 1
    assert result.stdout == "journal BROKEN at entry #3: its content does not match its hash (altered)\n"


def test_verify_journal_on_a_missing_database_says_to_create_it(tmp_path):
    result = cli("verify-journal", db=f"sqlite:///{tmp_path / 'nothing.db'}")
    assert result.exit_code == 2
    assert "no database at" in result.stderr and "madoguchi init-db" in result.stderr
    assert not (tmp_path / "nothing.db").exists()


# --- backup ------------------------------------------------------------------------------
def _sqlite_only(db_url: str) -> None:
    if not db_url.startswith("sqlite"):
        pytest.skip("backup copies the embedded SQLite database")


def test_a_backup_taken_while_the_server_runs_is_one_file_whose_journal_verifies(rt, db_url, cashier,
                                                                                  supervisor, tmp_path):
    _sqlite_only(db_url)
    a_day_of_payments(rt, cashier, supervisor)  # rt keeps its connections open, as a server does
    entries = int(cli("verify-journal", db=db_url).stdout.split()[2])
    copy = tmp_path / "backup" / "madoguchi-2026-11-02.db"
    copy.parent.mkdir()
    result = cli("backup", "--to", str(copy), db=db_url)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"backup written: {copy} (journal OK: {entries} entries)\n"
    assert sorted(p.name for p in copy.parent.iterdir()) == [copy.name]  # no WAL, nothing half-written
    again = cli("verify-journal", db=f"sqlite:///{copy}")
    assert again.stdout == f"journal OK: {entries} entries\n"
    exported = cli("export", "payments", "--from", DAY, "--to", DAY, db=f"sqlite:///{copy}")
    assert exported.stdout == cli("export", "payments", "--from", DAY, "--to", DAY, db=db_url).stdout


def test_a_backup_never_overwrites_and_names_what_is_wrong(rt, db_url, tmp_path):
    _sqlite_only(db_url)
    existing = tmp_path / "old.db"
    existing.write_bytes(b"yesterday's backup")
    result = cli("backup", "--to", str(existing), db=db_url)
    assert result.exit_code == 2 and "already exists" in result.stderr and str(existing) in result.stderr
    assert existing.read_bytes() == b"yesterday's backup"
    result = cli("backup", "--to", str(tmp_path / "no-such-folder" / "b.db"), db=db_url)
    assert result.exit_code == 2 and "does not exist" in result.stderr


def test_a_backup_of_a_database_whose_journal_is_broken_is_kept_and_says_so(rt, db_url, cashier, supervisor,
                                                                           tmp_path):
    _sqlite_only(db_url)
    a_day_of_payments(rt, cashier, supervisor)
    tamper(db_url, 3, "amount")
    copy = tmp_path / "evidence.db"
    result = cli("backup", "--to", str(copy), db=db_url)
    assert result.exit_code == 1
    assert "BROKEN at entry #3" in result.stdout and copy.exists()


def test_backup_of_postgresql_points_to_its_own_tools(db_url, tmp_path):
    if db_url.startswith("sqlite"):
        pytest.skip("PostgreSQL only")
    result = cli("backup", "--to", str(tmp_path / "b.db"), db=db_url)
    assert result.exit_code == 2 and "pg_dump" in result.stderr
    assert not (tmp_path / "b.db").exists()


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


def test_commands_take_the_database_from_the_environment(db_url):
    env = {"MADOGUCHI_DATABASE_URL": db_url}
    assert runner.invoke(app, ["init-db"], env=env).exit_code == 0
    result = runner.invoke(app, ["verify-journal"], env=env)
    assert result.stdout == "journal OK: 0 entries\n"


def test_serve_hands_the_database_and_demo_mode_to_the_app_factory(monkeypatch, tmp_path):
    import os

    from madoguchi.web.events import Server
    seen: dict[str, object] = {}

    def run(self, *args, **kw):  # type: ignore[no-untyped-def]
        c = self.config
        seen.update(target=c.app, factory=c.factory, host=c.host, port=c.port,
                    db=os.environ.get("MADOGUCHI_DATABASE_URL"), demo=os.environ.get("MADOGUCHI_DEMO"))

    monkeypatch.setattr(Server, "run", run)
    # Set first, so that the values the command writes are undone after the test.
    monkeypatch.setenv("MADOGUCHI_DATABASE_URL", "sqlite:///elsewhere.db")
    monkeypatch.setenv("MADOGUCHI_DEMO", "false")
    url = f"sqlite:///{tmp_path / 'served.db'}"
    result = runner.invoke(app, ["serve", "--port", "8123", "--demo", "--db", url])
    assert result.exit_code == 0, result.output
    assert seen == {"target": "madoguchi.api.app:app_from_env", "factory": True, "host": "127.0.0.1",
                    "port": 8123, "db": url, "demo": "true"}
