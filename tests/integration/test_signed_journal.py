"""The signed journal: an insider who can write the database cannot rewrite the books unnoticed.

Each test plays the insider with the database password (and our own hashing code) but
without the signing key, which lives in a file outside the database.
"""
from __future__ import annotations

import shutil

import pytest
from sqlalchemy import text

from madoguchi.adapters.signing import Keyring, load_public_key_file, public_path
from madoguchi.domain.journal import EntryKind, JournalEntry, recompute_hash
from madoguchi.services.journal.verify import verify, verify_journal
from tests.helpers import handed_off, journal, pay_cash


@pytest.fixture
def settings(settings, tmp_path):  # type: ignore[no-untyped-def]
    """A key of this test's own: these tests lose, replace and rotate it."""
    return settings.model_copy(update={"signing_key_path": tmp_path / "own-key" / "journal.key"})


SQLITE_TRIGGERS = ("""CREATE TRIGGER journal_no_{v} BEFORE {V} ON journal
                      BEGIN SELECT RAISE(ABORT, 'journal is append-only: {V} refused'); END""")


def _as_insider(rt, *statements: tuple[str, dict]) -> None:  # type: ignore[no-untyped-def]
    """Drop the append-only guard, run ``statements``, put the guard back."""
    with rt.uow() as uow:
        sqlite = uow.dialect == "sqlite"
        if sqlite:
            for verb in ("update", "delete"):
                uow.session.execute(text(f"DROP TRIGGER journal_no_{verb}"))
        else:
            uow.session.execute(text("ALTER TABLE journal DISABLE TRIGGER USER"))
        for sql, params in statements:
            uow.session.execute(text(sql), params)
        if sqlite:
            for verb in ("update", "delete"):
                uow.session.execute(text(SQLITE_TRIGGERS.format(v=verb, V=verb.upper())))
        else:
            uow.session.execute(text("ALTER TABLE journal ENABLE TRIGGER USER"))
        uow.commit()


def _rehash_from(rt, seq: int) -> list[tuple[str, dict]]:  # type: ignore[no-untyped-def]
    """The statements that recompute every hash from ``seq`` on, with our own code, and the head."""
    entries = journal(rt)
    statements, prev = [], entries[seq - 2].hash if seq > 1 else "0" * 64
    for e in entries[seq - 1:]:
        fields = {f: getattr(e, f) for f in e.__dataclass_fields__}
        fields["prev_hash"] = prev
        new_hash = recompute_hash(JournalEntry(**fields))
        statements.append(("UPDATE journal SET prev_hash = :p, hash = :h WHERE seq = :s",
                           {"p": prev, "h": new_hash, "s": e.seq}))
        prev = new_hash
    statements.append(("UPDATE journal_head SET hash = :h WHERE id = 1", {"h": prev}))
    return statements


def _two_sales(rt, cashier):  # type: ignore[no-untyped-def]
    first = handed_off(rt, cashier, [("juminhyo", 2)])  # 600 yen
    pay_cash(rt, cashier, first, [1000])
    pay_cash(rt, cashier, handed_off(rt, cashier), [500])
    return next(e for e in journal(rt) if e.kind == EntryKind.SALE_PAID.value and e.sale_id == first)


def test_every_entry_is_signed_with_its_site_counters_and_the_key_fingerprint(rt, cashier):
    _two_sales(rt, cashier)
    entries = journal(rt)
    honcho = [e for e in entries if e.site == "honcho"]
    assert [e.tx_number for e in honcho] == list(range(1, len(honcho) + 1))
    assert [e.sig_counter for e in honcho] == list(range(1, len(honcho) + 1))
    assert {e.key_id for e in entries} == {rt.signer.stamp().key_id}
    assert all(e.signature and e.unsigned_reason is None for e in entries)
    assert verify(rt).ok and verify(rt).signatures_checked


def test_a_sale_rewritten_from_600_to_300_yen_and_rehashed_is_found_and_named(rt, cashier):
    paid = _two_sales(rt, cashier)
    assert paid.amount == 600
    data = paid.data.replace('"sale_total":600', '"sale_total":300')
    _as_insider(rt, ("UPDATE journal SET amount = 300, data = :d WHERE seq = :s", {"d": data, "s": paid.seq}))
    _as_insider(rt, *_rehash_from(rt, paid.seq))
    hashes_alone = journal(rt)
    assert all(recompute_hash(e) == e.hash for e in hashes_alone)  # the chain alone would say OK

    result = verify(rt)
    assert not result.ok and result.broken.seq == paid.seq
    assert "signature does not verify" in result.broken.reason
    named = " ".join(f.reason for f in result.findings if f.seq == paid.seq)
    assert "payment" in named and "600 yen" in named and "300 yen" in named


def test_a_payment_changed_only_in_its_own_table_is_named(rt, cashier):
    paid = _two_sales(rt, cashier)
    payment_id = paid.details()["payment_id"]
    with rt.uow() as uow:
        uow.session.execute(text("UPDATE payments SET amount = 300 WHERE id = :p"), {"p": payment_id})
        uow.commit()
    result = verify(rt)
    assert not result.ok and result.broken.seq == paid.seq
    assert f"payment {payment_id} says 300 yen, its journal entry 600 yen" in result.broken.reason


def test_a_deleted_entry_rehashed_over_leaves_a_gap_in_the_site_counters(rt, cashier):
    paid = _two_sales(rt, cashier)
    entries = journal(rt)
    later = [e for e in entries if e.seq > paid.seq]
    statements = [("DELETE FROM journal WHERE seq = :s", {"s": paid.seq})]
    statements += [("UPDATE journal SET seq = :n WHERE seq = :s", {"n": e.seq - 1, "s": e.seq}) for e in later]
    statements.append(("UPDATE journal_head SET seq = seq - 1 WHERE id = 1", {}))
    _as_insider(rt, *statements)
    _as_insider(rt, *_rehash_from(rt, paid.seq))
    result = verify(rt)
    assert not result.ok
    assert any("transaction number" in f.reason for f in result.findings)
    assert any("signature counter" in f.reason for f in result.findings)


def test_a_swapped_pair_of_entries_is_found(rt, cashier):
    _two_sales(rt, cashier)
    a, b = journal(rt)[-2:]
    _as_insider(rt, ("UPDATE journal SET seq = -1 WHERE seq = :a", {"a": a.seq}),
                ("UPDATE journal SET seq = :a WHERE seq = :b", {"a": a.seq, "b": b.seq}),
                ("UPDATE journal SET seq = :b WHERE seq = -1", {"b": b.seq}))
    result = verify(rt)
    assert not result.ok and result.broken.seq in (a.seq, b.seq)


def test_a_changed_signature_counter_is_found(rt, cashier):
    paid = _two_sales(rt, cashier)
    _as_insider(rt, ("UPDATE journal SET sig_counter = sig_counter + 5 WHERE seq = :s", {"s": paid.seq}))
    result = verify(rt)
    assert not result.ok and result.broken.seq == paid.seq
    assert any("signature counter" in f.reason for f in result.findings if f.seq == paid.seq)


def test_the_journal_verifies_with_the_public_key_alone(rt, cashier, tmp_path):
    _two_sales(rt, cashier)
    key_path = rt.settings.signing_key_path
    auditor_copy = tmp_path / "auditor.pub"
    shutil.copy(public_path(key_path), auditor_copy)
    key_path.unlink()  # no private key anywhere near the auditor
    result = verify_journal(rt.uow, Keyring([load_public_key_file(auditor_copy)]))
    assert result.ok and result.signatures_checked and result.entries == len(journal(rt))


def test_a_key_nobody_trusts_is_named(rt, cashier, tmp_path):
    from madoguchi.adapters.signing import write_key_pair
    _two_sales(rt, cashier)
    stranger = write_key_pair(tmp_path / "other.key")
    result = verify_journal(rt.uow, Keyring([stranger.public_key()]))
    assert not result.ok and result.broken.seq == 1 and "not a trusted key" in result.broken.reason
