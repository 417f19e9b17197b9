"""Losing the signing key does not stop the counter; rotating it keeps the chain of trust."""
from __future__ import annotations

import datetime as dt

import pytest
from typer.testing import CliRunner

from madoguchi.adapters.db.engine import make_engine
from madoguchi.adapters.db.uow import make_uow_factory
from madoguchi.adapters.signing import JournalSigner, Keyring, load_public_key_file, public_path, write_key_pair
from madoguchi.bootstrap import build_runtime, ensure_float, simulated_devices
from madoguchi.cli import app
from madoguchi.domain.journal import EntryKind
from madoguchi.services.close.day_sheet import day_reports, day_summary
from madoguchi.services.journal.signing_keys import install_key, rotate_key
from madoguchi.services.journal.verify import verify, verify_journal
from tests.helpers import handed_off, journal, pay_cash


@pytest.fixture
def settings(settings, tmp_path):  # type: ignore[no-untyped-def]
    """A key of this test's own: these tests lose, replace and rotate it."""
    return settings.model_copy(update={"signing_key_path": tmp_path / "own-key" / "journal.key"})


@pytest.fixture
def keyless(settings, clock, tmp_path):  # type: ignore[no-untyped-def]
    """A runtime whose key file is gone (not demo mode, which would make a new one)."""
    lost = settings.model_copy(update={"demo": False, "signing_key_path": tmp_path / "lost" / "journal.key"})
    engine = make_engine(lost.database_url)
    from madoguchi.adapters.files.toml_files import load_places
    rt = build_runtime(lost, engine=engine, clock=clock, sleep=lambda s: None,
                       devices=simulated_devices(lost, load_places(lost.places_path), persist=False))
    ensure_float(rt)
    yield rt
    engine.dispose()


def test_without_the_key_sales_go_on_and_entries_say_why_they_are_unsigned(keyless, cashier, supervisor):
    sale = handed_off(keyless, cashier)
    pay_cash(keyless, cashier, sale, [500])
    paid = [e for e in journal(keyless) if e.sale_id == sale][-1]
    assert paid.signature is None and paid.sig_counter is None and paid.tx_number is not None
    assert paid.unsigned_reason.startswith("署名装置停止") and "署名鍵がありません" in paid.unsigned_reason
    result = verify(keyless)
    assert result.ok and sum(run.count for run in result.unsigned) == len(journal(keyless))
    day = dt.date(2026, 11, 2)
    (report,) = day_reports(keyless, sites=["honcho"], day=day, actor=supervisor)
    assert report.journal_unsigned and report.journal_unsigned[0][1] == paid.unsigned_reason
    assert day_summary(keyless, site="honcho", day=day, actor=supervisor)["journal_unsigned"][0]["count"] >= 1
    # The daily sheet itself says so, as RKSV's receipts say 「Sicherheitseinrichtung ausgefallen」.
    import io

    from openpyxl import load_workbook

    from madoguchi.services.close.day_sheet import daily_sheet
    sheet = load_workbook(io.BytesIO(daily_sheet(keyless, day=day, actor=supervisor, sites=["honcho"])))
    texts = [c.value for ws in sheet.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert any("署名装置停止" in t and "署名なしで記録" in t for t in texts)


def test_the_back_office_warns_while_entries_are_unsigned(keyless, rt):
    from fastapi.testclient import TestClient

    from madoguchi.api import create_app
    from madoguchi.bootstrap import ensure_demo_staff
    from tests.e2e.test_http_api import Desk
    for runtime, warned in ((keyless, True), (rt, False)):
        ensure_demo_staff(runtime)
        page = Desk(TestClient(create_app(runtime=runtime))).login("supervisor").client.get("/office").text
        assert ('id="signing-down"' in page) is warned
        assert ("署名鍵がありません" in page) is warned


def test_a_new_key_set_after_the_loss_signs_again_and_counters_run_on(keyless, cashier, clock):
    pay_cash(keyless, cashier, handed_off(keyless, cashier), [500])
    install_key(keyless.settings.signing_key_path, now=clock(), actor="system")
    keyless.signer.refresh()  # a server looks again within RECHECK_SECONDS
    pay_cash(keyless, cashier, handed_off(keyless, cashier), [500])
    honcho = [e for e in journal(keyless) if e.site == "honcho"]
    assert [e.tx_number for e in honcho] == list(range(1, len(honcho) + 1))
    signed = [e for e in honcho if e.signature]
    assert signed and [e.sig_counter for e in signed] == list(range(1, len(signed) + 1))
    assert signed[0].seq > [e for e in honcho if not e.signature][-1].seq
    assert verify(keyless).ok and keyless.signer.unsigned_reason is None


def test_a_key_file_others_can_read_is_not_used(tmp_path):
    path = tmp_path / "journal.key"
    write_key_pair(path)
    path.chmod(0o644)
    assert "他のユーザーにも読めます" in JournalSigner(path).unsigned_reason


def test_a_rotated_key_is_trusted_through_the_entry_the_old_key_signed(rt, cashier, clock, tmp_path):
    pay_cash(rt, cashier, handed_off(rt, cashier), [500])
    key_path = rt.settings.signing_key_path
    first_pub = tmp_path / "first.pub"
    first_pub.write_text(public_path(key_path).read_text())
    old, new = rotate_key(key_path, now=clock(), actor="system",
                          journal=lambda signer: make_uow_factory(_engine_of(rt), signer=signer)())
    announcement = journal(rt)[-1]
    assert announcement.kind == EntryKind.KEY_ROTATED.value and announcement.key_id == old
    assert announcement.details()["new_key_id"] == new
    rt.signer.refresh()
    pay_cash(rt, cashier, handed_off(rt, cashier), [500])
    assert journal(rt)[-1].key_id == new
    result = verify_journal(rt.uow, Keyring([load_public_key_file(first_pub)]))
    assert result.ok and set(result.keys) == {old, new}


def test_verify_journal_on_the_command_line_takes_public_keys(rt, cashier, db_url, tmp_path):
    pay_cash(rt, cashier, handed_off(rt, cashier), [500])
    pub = public_path(rt.settings.signing_key_path)
    ok = CliRunner().invoke(app, ["verify-journal", "--db", db_url, "--public-key", str(pub)])
    assert ok.exit_code == 0 and "journal OK" in ok.output and "signatures checked with 1 key" in ok.output
    write_key_pair(tmp_path / "other.key")
    bad = CliRunner().invoke(app, ["verify-journal", "--db", db_url, "--public-key",
                                   str(public_path(tmp_path / "other.key"))])
    assert bad.exit_code == 1 and "not a trusted key" in bad.output


def _engine_of(rt):  # type: ignore[no-untyped-def]
    with rt.uow() as uow:
        return uow.connection.engine


def test_a_key_replaced_after_a_loss_keeps_the_old_public_key_for_the_entries_it_signed(rt, cashier, clock):
    pay_cash(rt, cashier, handed_off(rt, cashier), [500])
    key_path = rt.settings.signing_key_path
    key_path.unlink()  # lost; the running server still signs with it from memory
    install_key(key_path, replace=True, now=clock(), actor="system")
    rt.signer.refresh()
    pay_cash(rt, cashier, handed_off(rt, cashier), [500])
    assert len({e.key_id for e in journal(rt)}) == 2
    assert verify(rt).ok  # the public keys kept beside the key file cover both
