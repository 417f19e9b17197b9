"""Shared fixtures: a runtime on SQLite always, and on PostgreSQL when MADOGUCHI_TEST_PG_URL is set.

Every test that takes ``rt`` (or ``db_url``) runs once per database. On PostgreSQL each
test gets a schema of its own, created by the real Alembic migrations and dropped after.
"""
from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from madoguchi.adapters.db.engine import make_engine
from madoguchi.adapters.db.scratch import scratch_database
from madoguchi.bootstrap import build_runtime, ensure_float, simulated_devices
from madoguchi.config import Settings
from madoguchi.domain.auth import ALL_SITES, Actor, Role
from madoguchi.domain.receipt import JST
from madoguchi.services.runtime import Runtime
from tests.known_rows_check import check_known_rows

PG_URL = os.environ.get("MADOGUCHI_TEST_PG_URL")
DATABASES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)]


def pytest_collection_modifyitems(config, items):  # type: ignore[no-untyped-def]
    if PG_URL:
        return
    skip = pytest.mark.skip(reason="MADOGUCHI_TEST_PG_URL is not set")
    for item in items:
        if "pg" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(params=DATABASES)
def db_url(request, tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    url, drop = scratch_database(request.param, tmp_path, PG_URL)
    yield url
    drop()


class Clock:
    """A clock the test moves by hand; starts on a JST business morning."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        self.now = start or dt.datetime(2026, 11, 2, 9, 30, tzinfo=JST).astimezone(dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += dt.timedelta(**kw)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def settings(db_url, tmp_path) -> Settings:  # type: ignore[no-untyped-def]
    return Settings(database_url=db_url, device_state_dir=tmp_path / "devices", demo=True,
                    status_backoff=(0.0, 0.0, 0.0), password_hash_memory_kib=64,
                    reconcile_dir=tmp_path / "reconcile", anchor_path=tmp_path / "anchors.jsonl")


@pytest.fixture(scope="session", autouse=True)
def signing_key(tmp_path_factory) -> Iterator[Path]:  # type: ignore[no-untyped-def]
    """The journal's signing key for the whole test session, as the app finds it: through
    MADOGUCHI_SIGNING_KEY_PATH, so runtimes, CLI commands and demo servers started by the
    tests all sign with it and verify against its public key (never a key under ./var/)."""
    from madoguchi.adapters.signing import write_key_pair
    keys = tmp_path_factory.mktemp("keys")
    path = keys / "journal.key"
    write_key_pair(path)
    # The login key (the keyed hash of unknown logins) the same way: demo servers make it
    # where this says, not under the working directory's ./var/.
    paths = {"MADOGUCHI_SIGNING_KEY_PATH": str(path), "MADOGUCHI_LOGIN_KEY_FILE": str(keys / "login.key")}
    before = {name: os.environ.get(name) for name in paths}
    os.environ.update(paths)
    yield path
    for name, value in before.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(scope="session", autouse=True)
def anchor_file(tmp_path_factory) -> Iterator[Path]:  # type: ignore[no-untyped-def]
    """Closes made with settings of their own (CLI commands, demo servers) append their
    checkpoints here, never to ./var/anchors.jsonl."""
    path = tmp_path_factory.mktemp("anchors") / "anchors.jsonl"
    before = os.environ.get("MADOGUCHI_ANCHOR_PATH")
    os.environ["MADOGUCHI_ANCHOR_PATH"] = str(path)
    yield path
    if before is None:
        os.environ.pop("MADOGUCHI_ANCHOR_PATH", None)
    else:
        os.environ["MADOGUCHI_ANCHOR_PATH"] = before


@pytest.fixture
def rt(settings, clock) -> Iterator[Runtime]:  # type: ignore[no-untyped-def]
    engine = make_engine(settings.database_url)
    runtime = build_runtime(settings, engine=engine, clock=clock, sleep=lambda s: None,
                            devices=simulated_devices(settings, _places(settings), persist=False))
    ensure_float(runtime)
    yield runtime
    engine.dispose()


def _places(settings: Settings):  # type: ignore[no-untyped-def]
    from madoguchi.adapters.files.toml_files import load_places
    return load_places(settings.places_path)


@pytest.fixture
def cashier() -> Actor:
    return Actor("cashier", Role.CASHIER, frozenset({"honcho"}))


@pytest.fixture
def supervisor() -> Actor:
    return Actor("supervisor", Role.SUPERVISOR, frozenset({ALL_SITES}))




@pytest.fixture(autouse=True)
def _known_rows_checked(monkeypatch):  # type: ignore[no-untyped-def]
    """Every read SQLite's writer skips is made anyway and compared (tests/known_rows_check.py)."""
    check_known_rows(monkeypatch)
