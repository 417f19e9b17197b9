"""``madoguchi backup``: one SQLite file, taken while the server runs, whose journal is checked;
never over another file; PostgreSQL points to its own tools.
"""
from __future__ import annotations

import pytest

from tests.integration.cli_helpers import DAY, a_day_of_payments, cli, tamper


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
