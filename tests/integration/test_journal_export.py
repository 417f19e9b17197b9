"""The auditor's export: a tar that verifies offline, with the database gone, and names what was tampered with."""
from __future__ import annotations

import hashlib
import io
import json
import tarfile

from sqlalchemy import text
from typer.testing import CliRunner

from madoguchi.adapters.db.engine import make_engine
from madoguchi.adapters.signing import public_path
from madoguchi.cli import app
from madoguchi.domain.journal import JournalEntry, canonical_json, recompute_hash
from madoguchi.domain.journal_export import BASE_FIELDS, FOLDER, SIGNING_FIELDS
from tests.helpers import handed_off, journal, pay_cash

runner = CliRunner()
NO_SETTINGS = {"MADOGUCHI_DATABASE_URL": "sqlite:////nonexistent/madoguchi.db",
               "MADOGUCHI_SIGNING_KEY_PATH": "/nonexistent/journal.key"}


def _day_of_sales(rt, cashier, clock):  # type: ignore[no-untyped-def]
    for notes in ([1000], [500]):
        pay_cash(rt, cashier, handed_off(rt, cashier), notes)
    clock.advance(days=1)
    pay_cash(rt, cashier, handed_off(rt, cashier), [100, 100, 100])  # 2026-11-03


def _export(rt, out, *, date_from="2026-11-02", date_to="2026-11-03", env=None):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["export", "journal", "--from", date_from, "--to", date_to, "--out", str(out),
                               "--db", rt.settings.database_url], env=env)


def _drop_the_database(rt) -> None:  # type: ignore[no-untyped-def]
    path = rt.settings.sqlite_path()
    if path is not None:
        path.unlink()
        return
    engine = make_engine(rt.settings.database_url)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE journal, journal_head CASCADE"))
    engine.dispose()


def _members(tar_path) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    with tarfile.open(tar_path) as tar:
        return {m.name.removeprefix(FOLDER + "/"): tar.extractfile(m).read() for m in tar if m.isfile()}


def _rewrite(tar_path, members: dict[str, bytes]) -> None:  # type: ignore[no-untyped-def]
    with tarfile.open(tar_path, "w") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(f"{FOLDER}/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def test_the_export_holds_entries_signatures_keys_and_a_readme(rt, cashier, clock, tmp_path):
    _day_of_sales(rt, cashier, clock)
    out = tmp_path / "audit.tar"
    result = _export(rt, out)
    assert result.exit_code == 0, result.output
    members = _members(out)
    assert {"README.md", "manifest.json", "entries.jsonl", "signatures.jsonl",
            "keys/announcements.jsonl"} <= set(members)
    assert any(name.startswith("keys/") and name.endswith(".pub") for name in members)
    readme = members["README.md"].decode()
    assert "確認のしかた" in readme and "How to verify" in readme and "madoguchi verify-export" in readme
    entries = journal(rt)
    lines = members["entries.jsonl"].decode().splitlines()
    assert len(lines) == len(entries)
    record = json.loads(lines[-1])
    assert "signature" not in record and record["hash"] == entries[-1].hash
    assert set(record) == {*BASE_FIELDS, *SIGNING_FIELDS, "hash"}  # exactly the fields the hash covers
    assert recompute_hash(JournalEntry(**record)) == record["hash"]
    assert len(members["signatures.jsonl"].decode().splitlines()) == len(entries)


def test_the_export_verifies_offline_with_the_database_gone(rt, cashier, clock, tmp_path):
    _day_of_sales(rt, cashier, clock)
    out = tmp_path / "audit.tar"
    assert _export(rt, out).exit_code == 0
    auditor_key = tmp_path / "auditor.pub"
    auditor_key.write_bytes(public_path(rt.settings.signing_key_path).read_bytes())
    count = len(journal(rt))
    _drop_the_database(rt)

    result = runner.invoke(app, ["verify-export", str(out), "--public-key", str(auditor_key)], env=NO_SETTINGS)
    assert result.exit_code == 0, result.output
    assert f"export OK: {count} entries" in result.stdout
    assert "signatures checked with 1 key(s), the keys given" in result.stderr
    own = runner.invoke(app, ["verify-export", str(out)], env=NO_SETTINGS)  # the export's own keys
    assert own.exit_code == 0 and "compare these fingerprints" in own.stderr


def test_a_later_range_is_checked_against_its_stated_start(rt, cashier, clock, tmp_path):
    _day_of_sales(rt, cashier, clock)
    out = tmp_path / "day2.tar"
    assert _export(rt, out, date_from="2026-11-03").exit_code == 0
    manifest = json.loads(_members(out)["manifest.json"])
    assert manifest["first_seq"] > 1 and manifest["start"]["counters"]["honcho"][0] >= 1
    assert runner.invoke(app, ["verify-export", str(out)], env=NO_SETTINGS).exit_code == 0
    members = _members(out)
    manifest["start"]["prev_hash"] = "f" * 64
    members["manifest.json"] = json.dumps(manifest).encode()
    _rewrite(out, members)
    result = runner.invoke(app, ["verify-export", str(out)], env=NO_SETTINGS)
    assert result.exit_code == 1
    assert f"entry #{manifest['first_seq']}: its link to the previous entry does not match" in result.stdout


def test_a_tampered_export_is_refused_naming_the_entry(rt, cashier, clock, tmp_path):
    _day_of_sales(rt, cashier, clock)
    out = tmp_path / "audit.tar"
    assert _export(rt, out).exit_code == 0
    members = _members(out)
    records = [json.loads(line) for line in members["entries.jsonl"].decode().splitlines()]
    target = next(r for r in records if r["kind"] == "sale_paid")
    target["amount"] = 1  # and every hash from there on recomputed, the manifest too
    prev = target["prev_hash"]
    for r in records[records.index(target):]:
        r["prev_hash"] = prev
        r["hash"] = prev = recompute_hash(JournalEntry(**r))
    members["entries.jsonl"] = "".join(canonical_json(r) + "\n" for r in records).encode()
    manifest = json.loads(members["manifest.json"])
    manifest["end_hash"] = prev
    manifest["files"]["entries.jsonl"] = hashlib.sha256(members["entries.jsonl"]).hexdigest()
    members["manifest.json"] = json.dumps(manifest).encode()
    _rewrite(out, members)

    result = runner.invoke(app, ["verify-export", str(out)], env=NO_SETTINGS)
    assert result.exit_code == 1
    assert "export BROKEN" in result.stdout
    assert f"entry #{target['seq']}: its signature does not verify" in result.stdout


def test_a_file_changed_inside_the_tar_is_named(rt, cashier, clock, tmp_path):
    _day_of_sales(rt, cashier, clock)
    out = tmp_path / "audit.tar"
    assert _export(rt, out).exit_code == 0
    members = _members(out)
    members["signatures.jsonl"] = b""  # the signatures dropped: every entry now claims to be unsigned
    _rewrite(out, members)
    result = runner.invoke(app, ["verify-export", str(out)], env=NO_SETTINGS)
    assert result.exit_code == 1 and "signatures.jsonl is not the file the manifest lists" in result.stdout


def test_an_export_of_days_without_entries_or_a_file_that_is_no_export_is_refused(rt, tmp_path):
    result = _export(rt, tmp_path / "none.tar", date_from="2030-01-01", date_to="2030-01-31")
    assert result.exit_code == 2 and "no journal entries from 2030-01-01 to 2030-01-31" in result.output
    assert not (tmp_path / "none.tar").exists()
    junk = tmp_path / "junk.tar"
    junk.write_text("not a tar")
    refused = runner.invoke(app, ["verify-export", str(junk)], env=NO_SETTINGS)
    assert refused.exit_code == 2 and "not a readable tar file" in refused.output
