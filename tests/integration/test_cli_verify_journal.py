"""``madoguchi verify-journal``: an untouched journal passes, one changed byte fails naming the
entry, a missing database is not created (on SQLite and PostgreSQL: the ``db_url`` fixture).
"""
from __future__ import annotations

import pytest

from tests.integration.cli_helpers import a_day_of_payments, cli, tamper


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
