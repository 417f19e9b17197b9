"""The ``madoguchi`` command line, on SQLite and PostgreSQL (the ``db_url`` fixture).

Sales for the export are made through the services (the ``rt`` fixture, on the same
database), then the CLI reads that database as an operator would.

init-db, create-staff, and how every command finds its database; verify-journal, backup and
export have their own files (``test_cli_verify_journal.py``, ``test_cli_backup.py``,
``test_cli_export.py``), sharing ``cli_helpers.py``.
"""
from __future__ import annotations

import pytest

from madoguchi.cli import app
from tests.integration.cli_helpers import cli, runner


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


# --- every command ---------------------------------------------------------------------
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
    assert seen == {"target": "madoguchi.app:app_from_env", "factory": True, "host": "127.0.0.1",
                    "port": 8123, "db": url, "demo": "true"}
