"""A receipt's code says whether the journal still holds it as printed (``madoguchi verify-receipt``).

The insider of these tests has the database password and our own hashing code, but not
the signing key.
"""
from __future__ import annotations

import json

from sqlalchemy import text
from typer.testing import CliRunner

from madoguchi.adapters.db.engine import make_engine
from madoguchi.adapters.files.toml_files import load_places
from madoguchi.adapters.signing import public_path
from madoguchi.bootstrap import build_runtime, ensure_float, simulated_devices
from madoguchi.cli import app
from madoguchi.domain.journal import EntryKind
from madoguchi.domain.receipt_code import code_of, qr_payload
from madoguchi.services.counter.receipts import reprint_receipt
from tests.helpers import handed_off, journal, pay_cash, printer
from tests.integration.test_signed_journal import _as_insider, _rehash_from

runner = CliRunner()


def _paid(rt, cashier):  # type: ignore[no-untyped-def]
    sale_id = handed_off(rt, cashier, [("juminhyo", 2)])  # 600 yen
    pay_cash(rt, cashier, sale_id, [1000])
    pay_cash(rt, cashier, handed_off(rt, cashier), [500])  # a later entry, so the chain runs on
    entry = next(e for e in journal(rt) if e.kind == EntryKind.SALE_PAID.value and e.sale_id == sale_id)
    return sale_id, entry


def _verify(rt, code: str):  # type: ignore[no-untyped-def]
    key = public_path(rt.settings.signing_key_path)
    return runner.invoke(app, ["verify-receipt", code, "--public-key", str(key), "--db", rt.settings.database_url])


def _stored_document(rt, sale_id: str) -> dict:  # type: ignore[type-arg]
    with rt.uow() as uow:
        return json.loads(uow.session.execute(text("SELECT document FROM receipts WHERE sale_id = :s"),
                                              {"s": sale_id}).scalar_one())


def test_a_printed_receipt_carries_its_entrys_code_and_the_journal_holds_it(rt, cashier):
    sale_id, entry = _paid(rt, cashier)
    code = code_of(entry.signature)
    printed = printer(rt).texts[0]
    assert code in printed and "検証コード" in printed
    assert qr_payload(site="honcho", seq=entry.seq, code=code).encode() in printer(rt).jobs[0]
    assert _stored_document(rt, sale_id)["verification_code"] == code

    result = _verify(rt, code)
    assert result.exit_code == 0, result.output
    assert "記録どおり" in result.output and "holds this receipt as printed" in result.output
    assert "honcho-p1" in result.output and f"No. {entry.details()['receipt_number']:06d}" in result.output
    assert "￥600" in result.output and "令和8年11月2日 09:30" in result.output


def test_the_qr_payload_verifies_too_and_a_reprint_carries_the_same_code(rt, cashier):
    sale_id, entry = _paid(rt, cashier)
    reprint_receipt(rt, sale_id=sale_id, actor=cashier)
    code = code_of(entry.signature)
    payload = qr_payload(site="honcho", seq=entry.seq, code=code).encode()
    assert len([job for job in printer(rt).jobs if payload in job]) == 2  # the original and the reprint
    assert "再発行" in printer(rt).texts[-1] and code in printer(rt).texts[-1]
    result = _verify(rt, qr_payload(site="honcho", seq=entry.seq, code=code))
    assert result.exit_code == 0 and "￥600" in result.output


def test_a_code_the_journal_does_not_hold_is_refused(rt, cashier):
    _, entry = _paid(rt, cashier)
    result = _verify(rt, "AAA-AAA-AAA-AAA")
    assert result.exit_code == 1 and "記録にありません" in result.output and "no such receipt" in result.output
    wrong_entry = qr_payload(site="honcho", seq=entry.seq + 1, code=code_of(entry.signature))
    assert _verify(rt, wrong_entry).exit_code == 1


def test_a_receipt_whose_amount_was_rewritten_and_rehashed_is_refused_as_altered(rt, cashier):
    _, entry = _paid(rt, cashier)
    data = entry.data.replace('"sale_total":600', '"sale_total":300')
    _as_insider(rt, ("UPDATE journal SET amount = 300, data = :d WHERE seq = :s", {"d": data, "s": entry.seq}))
    _as_insider(rt, *_rehash_from(rt, entry.seq))
    result = _verify(rt, code_of(entry.signature))
    assert result.exit_code == 1
    assert "改ざん" in result.output and "altered" in result.output
    assert f"entry #{entry.seq}: its signature does not verify" in result.output


def test_a_receipt_written_while_the_key_is_lost_says_the_signing_device_is_down(settings, clock, tmp_path, cashier):
    lost = settings.model_copy(update={"demo": False, "signing_key_path": tmp_path / "lost" / "journal.key"})
    engine = make_engine(lost.database_url)
    keyless = build_runtime(lost, engine=engine, clock=clock, sleep=lambda s: None,
                            devices=simulated_devices(lost, load_places(lost.places_path), persist=False))
    try:
        ensure_float(keyless)
        sale_id = handed_off(keyless, cashier)
        pay_cash(keyless, cashier, sale_id, [500])
        printed = printer(keyless).texts[-1]
        assert "署名装置停止中" in printed and b"MDG1" not in printer(keyless).jobs[-1]
        assert _stored_document(keyless, sale_id)["signing_down"] is True
    finally:
        engine.dispose()
