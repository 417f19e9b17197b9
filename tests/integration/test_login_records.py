"""What a login leaves behind: a login naming no account is kept only as a keyed hash (a password
typed into the login box is never stored in clear), a lock says until when, and old attempts
and ended sessions are purged at a login, at start-up and by ``madoguchi purge``."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import stat
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from typer.testing import CliRunner

from madoguchi.adapters.db.engine import make_engine
from madoguchi.adapters.db.migrate import upgrade
from madoguchi.adapters.db.tables import AuthSession, LoginAttempt
from madoguchi.api import create_app
from madoguchi.api.app import start_runtime
from madoguchi.bootstrap import DEMO_STAFF, ensure_demo_staff
from madoguchi.cli import app as cli
from madoguchi.config import Settings
from madoguchi.errors import Misconfigured
from madoguchi.services.runtime import Runtime

PASSWORDS = {login: password for login, _, _, _, password in DEMO_STAFF}
TYPED_IN_THE_WRONG_BOX = "Tokyo-Mitaka-2026!"


@pytest.fixture
def client(rt: Runtime, tmp_path) -> Any:  # type: ignore[no-untyped-def]
    rt.settings.login_key_file = tmp_path / "keys" / "login.key"
    ensure_demo_staff(rt)
    with TestClient(create_app(runtime=rt)) as c:
        yield c


def _attempts(rt: Runtime) -> list[LoginAttempt]:
    with rt.uow(read_only=True) as uow:
        rows = uow.session.execute(select(LoginAttempt).order_by(LoginAttempt.id)).scalars().all()
        uow.session.expunge_all()
        return list(rows)


def _login(client: TestClient, login: str, password: str) -> Any:
    return client.post("/api/auth/login", json={"login": login, "password": password})


def test_a_login_naming_no_account_is_kept_only_as_its_keyed_hash(client, rt, tmp_path):  # type: ignore[no-untyped-def]
    assert _login(client, TYPED_IN_THE_WRONG_BOX, "x").status_code == 401
    [attempt] = _attempts(rt)
    key = (tmp_path / "keys" / "login.key").read_bytes().strip()
    assert attempt.login_hashed and attempt.login == hmac.new(key, TYPED_IN_THE_WRONG_BOX.encode(),
                                                              hashlib.sha256).hexdigest()
    with rt.uow(read_only=True) as uow:
        dump = " ".join(str(v) for row in uow.session.execute(text("SELECT * FROM login_attempts")) for v in row)
    assert TYPED_IN_THE_WRONG_BOX not in dump
    assert stat.S_IMODE((tmp_path / "keys" / "login.key").stat().st_mode) == 0o600
    assert len(key) >= 32


def test_a_login_naming_an_account_is_kept_as_it_is(client, rt):  # type: ignore[no-untyped-def]
    assert _login(client, "cashier", "wrong-password").status_code == 401
    assert _login(client, "cashier", PASSWORDS["cashier"]).status_code == 200
    assert [(a.login, a.login_hashed, a.success) for a in _attempts(rt)] == [("cashier", False, False),
                                                                            ("cashier", False, True)]


def test_an_unknown_login_is_locked_like_an_account_and_the_answer_says_until_when(client, rt,
                                                                                   clock):  # type: ignore[no-untyped-def]
    for _ in range(5):
        assert _login(client, "nobody", "guess").status_code == 401
    locked = _login(client, "nobody", "guess")
    assert locked.status_code == 429
    # The clock stands at 09:30 JST: five failures lock for the five-minute window.
    assert locked.json()["locked_until"] == "2026-11-02T09:35+09:00" and locked.json()["locked"] == "account"
    assert "locked until 2026-11-02 09:35 JST" in locked.json()["message"]
    assert _login(client, "cashier", PASSWORDS["cashier"]).status_code == 200  # another login is not held
    clock.advance(minutes=5)
    assert _login(client, "nobody", "guess").status_code == 401


def test_a_lock_counts_from_the_failures_still_in_the_window(client, rt, clock):  # type: ignore[no-untyped-def]
    for _ in range(5):
        assert _login(client, "cashier", "wrong-password").status_code == 401
        clock.advance(seconds=50)
    # Failures at 09:30:00, 09:30:50, ... 09:33:20: the first leaves the window at 09:35:00.
    assert _login(client, "cashier", PASSWORDS["cashier"]).json()["locked_until"] == "2026-11-02T09:35+09:00"
    clock.advance(seconds=50)  # 09:35:00
    assert _login(client, "cashier", PASSWORDS["cashier"]).status_code == 200


def test_old_attempts_and_sessions_ended_long_ago_are_purged_at_a_login(client, rt, clock):  # type: ignore[no-untyped-def]
    assert _login(client, "nobody", "guess").status_code == 401
    assert _login(client, "cashier", PASSWORDS["cashier"]).status_code == 200  # a 12-hour session
    clock.advance(days=30, hours=13)
    assert _login(client, "supervisor", PASSWORDS["supervisor"]).status_code == 200
    assert [a.login for a in _attempts(rt)] == ["supervisor"]
    with rt.uow(read_only=True) as uow:
        assert len(uow.session.execute(select(AuthSession)).scalars().all()) == 1


def test_madoguchi_purge_deletes_what_is_older_than_the_retention(rt, db_url, monkeypatch):  # type: ignore[no-untyped-def]
    now = dt.datetime.now(dt.UTC)  # the command reads the real clock
    with rt.uow() as uow:  # as a server running for months would have them
        for days in (40, 29):
            uow.session.add(LoginAttempt(login="cashier", client="testclient", success=False, login_hashed=False,
                                         at=now - dt.timedelta(days=days)))
        uow.commit()
    monkeypatch.setenv("MADOGUCHI_DEVICE_STATE_DIR", str(rt.settings.device_state_dir))
    result = CliRunner().invoke(cli, ["purge", "--db", db_url])
    assert result.exit_code == 0, result.output
    assert "deleted 1 login attempts and 0 ended sessions older than 30 days" in result.output
    assert len(_attempts(rt)) == 1


def test_a_server_without_its_login_key_refuses_to_start_and_demo_mode_makes_one(db_url, tmp_path):
    common = {"database_url": db_url, "device_state_dir": tmp_path / "devices", "password_hash_memory_kib": 64}
    with pytest.raises(Misconfigured, match="login key file .* cannot be read"):
        start_runtime(Settings(**common, login_key_file=tmp_path / "none" / "login.key"))
    rt = start_runtime(Settings(**common, demo=True, login_key_file=tmp_path / "var" / "login.key"))
    assert (tmp_path / "var" / "login.key").stat().st_size > 32
    (tmp_path / "short.key").write_text("too short")
    with pytest.raises(Misconfigured, match="needs at least 32"):
        start_runtime(Settings(**common, login_key_file=tmp_path / "short.key"))
    assert rt.settings.demo


def test_the_migration_forgets_failed_logins_that_named_no_account(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    upgrade(engine, "0004")
    at = dt.datetime(2026, 11, 2, tzinfo=dt.UTC)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO staff (login, display_name, role, sites, password_hash, active, created_at) "
                          "VALUES ('cashier', 'c', 'cashier', 'honcho', 'x', true, :at)"), {"at": at})
        for login in ("cashier", TYPED_IN_THE_WRONG_BOX):
            conn.execute(text("INSERT INTO login_attempts (login, client, at, success) VALUES (:l, 'c', :at, false)"),
                         {"l": login, "at": at})
    upgrade(engine)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT login, login_hashed FROM login_attempts")).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [("cashier", False)]
