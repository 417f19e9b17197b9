"""The exact bytes of journal entries as the writer makes them, pinned.

The journal is hash-chained and signed: an entry's ``data``, hash and signature, once
written, must be what every later version of the code writes for the same event, or
the chain of a database written before would no longer verify against new entries made
the same way. Ed25519 signatures are deterministic, so a fixed key gives fixed bytes.
The writer runs on a minimal stand-in of the unit of work: only the rows it is given.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from madoguchi.adapters.db.journal import JournalWriter
from madoguchi.adapters.signing import Stamp, key_id_of
from madoguchi.domain.journal import EntryKind, JournalEntry, canonical_json, recompute_hash
from madoguchi.domain.receipt_code import code_of

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))


class Rows:
    """The head is (7, 'ab' * 32); site ``honcho`` has had 3 entries, 2 of them signed."""

    def __init__(self) -> None:
        self.written: list[dict[str, Any]] = []

    def journal_head(self) -> tuple[int, str]:
        return 7, "ab" * 32

    def journal_site_counters(self, site: str | None) -> tuple[int, int]:
        return (3, 2) if site == "honcho" else (0, 0)

    def journal_append_after(self, fields: dict[str, Any]) -> bool:
        head = self.written[-1] if self.written else {"seq": 7, "hash": "ab" * 32}
        if (fields["seq"] - 1, fields["prev_hash"]) != (head["seq"], head["hash"]):
            return False
        self.written.append(dict(fields))
        return True


class Uow:
    def __init__(self) -> None:
        self.rows, self.head, self.touched = Rows(), None, set()

    def journal_head_hint(self):  # type: ignore[no-untyped-def]
        return self.head

    def journal_moved(self, state) -> None:  # type: ignore[no-untyped-def]
        self.head = state

    def touch(self, *keys: str) -> None:
        self.touched.update(keys)


class Signer:
    def stamp(self) -> Stamp:
        return Stamp(KEY, key_id_of(KEY.public_key()), None)


AT = dt.datetime(2026, 11, 24, 14, 3, 5, 123456, tzinfo=dt.timezone(dt.timedelta(hours=9)))
DETAILS: dict[str, Any] = dict(
    payment_id="p-1", request_id="r-1", method="cash", category="cash", brand=None, tendered=2000,
    change=950, processor_reference=None, sale_total=1050, fully_paid=True, receipt_number=123,
    evidence=None, lines=[["juminhyo", 2, 300, "R01", None], ["inkan", 1, 300, "R02", "official"]],
    note="住民票の写し “引用” \\ / \u2028 😀\x07\t", cash_counts={"inserted": {"1000": 2}, "change": {"500": 1}},
)


def test_canonical_json_is_this_exact_text():
    assert canonical_json({"b": 1, "a": [None, True, "é"], "c": {"z": -2, "y": 1.5}}) == (
        '{"a":[null,true,"é"],"b":1,"c":{"y":1.5,"z":-2}}')


def append_two() -> tuple[Uow, JournalEntry, JournalEntry]:
    uow = Uow()
    writer = JournalWriter(uow, Signer())  # type: ignore[arg-type]
    first = writer.append(EntryKind.SALE_PAID, at=AT, actor="cashier", amount=1050, site="honcho",
                          station="honcho-p1", sale_id="s-1", **DETAILS)
    second = writer.append(EntryKind.CASH_IN, at=AT, actor="cashier", amount=500, site="honcho",
                           business_date=dt.date(2026, 11, 23))
    return uow, first, second


def test_two_appended_entries_are_these_exact_bytes():
    uow, first, second = append_two()
    assert first.data == PINNED_DATA and second.data == "{}"
    assert (first.seq, first.tx_number, first.sig_counter, first.prev_hash) == (8, 4, 3, "ab" * 32)
    assert (second.seq, second.tx_number, second.sig_counter, second.prev_hash) == (9, 5, 4, first.hash)
    assert first.occurred_at == "2026-11-24T05:03:05.123456+00:00" and first.business_date == "2026-11-24"
    assert second.business_date == "2026-11-23"
    assert (first.hash, second.hash) == PINNED_HASHES
    assert (first.signature, second.signature) == PINNED_SIGNATURES
    assert code_of(first.signature or "") == PINNED_CODE


def test_the_rows_written_are_the_entries_returned_and_their_hashes_recompute():
    uow, first, second = append_two()
    for entry, written in zip((first, second), uow.rows.written, strict=True):
        assert JournalEntry(**written) == entry
        assert entry.hash == recompute_hash(entry)


PINNED_DATA = (
    '{"brand":null,"cash_counts":{"change":{"500":1},"inserted":{"1000":2}},"category":"cash","change'
    '":950,"evidence":null,"fully_paid":true,"lines":[["juminhyo",2,300,"R01",null],["inkan",1,300,'
    '"R02","official"]],"method":"cash","note":"住民票の写し “引用” \\\\ / \u2028 😀\\u0007\\t","payment_id":"p-1",'
    '"processor_reference":null,"receipt_number":123,"request_id":"r-1","sale_total":1050,"tendered":2000}')
PINNED_HASHES = ('15d3c70571547c037608b85cea4f23a846fe7a34d9c0dc236e23f51d95d0eb6c',
                 '35e4dee49f77e43e0f3d6a952e24bf6396536914c0711e5bfdaad4c363816584')
PINNED_SIGNATURES = ('ElQnLlxksO2TM+06xejMI2FbH/PcM/H6xh5K48zgGhBPkX/seGPGEf8D1yQnL/1a5YY2z2asnPidgDcFwEA5Aw==',
                     'YQ5Hv0nNDa93i+8j/ln14dD1bXhv4+gnnlCbuzyRMppr6nGTPoTbEeMKWf8/6uQE8kZyxKEUC3e5Oo0YR4TtBQ==')
PINNED_CODE = 'N2L-44H-CRE-UAO'
