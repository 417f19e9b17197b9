"""Anchors outside the database: each closed day's signed checkpoint, in a file and on paper,
still names a day that an insider rewrote, even one who rehashed every entry and re-signed
them all with a stolen key (so the journal alone verifies again).
"""
from __future__ import annotations

import datetime as dt
import json

import pytest
import typer
from typer.testing import CliRunner

from madoguchi.adapters.signing import Keyring, load_public_key_file, public_path, read_private_key, signature_holds
from madoguchi.cli_journal import verify_journal_command
from madoguchi.domain.anchor import SignedCheckpoint, checkpoint_of, from_dict, grouped, merkle_root, parse_anchor_lines
from madoguchi.domain.journal import EntryKind, JournalEntry, canonical_json, recompute_hash
from madoguchi.errors import BadInput
from madoguchi.services.close import close_day
from madoguchi.services.journal.anchors import check_anchors, check_code
from madoguchi.services.journal.verify import verify
from tests.helpers import handed_off, journal, pay_cash
from tests.integration.test_close_day import DAY, NEXT, close_all, evening
from tests.integration.test_signed_journal import _as_insider

cli = typer.Typer()
cli.callback()(lambda: None)
cli.command("verify-journal")(verify_journal_command)
runner = CliRunner()


def _closed_day(rt, cashier, supervisor, clock):  # type: ignore[no-untyped-def]
    pay_cash(rt, cashier, handed_off(rt, cashier, [("juminhyo", 2)]), [1000])
    pay_cash(rt, cashier, handed_off(rt, cashier), [500])
    evening(clock)
    return close_all(rt, supervisor)


def _site_close(rt, day=DAY) -> JournalEntry:  # type: ignore[no-untyped-def]
    return next(e for e in journal(rt) if e.kind == EntryKind.DAY_CLOSED.value and e.business_date == day.isoformat()
                and e.details()["scope"] == "site")


def _keyring(rt) -> Keyring:  # type: ignore[no-untyped-def]
    return Keyring([load_public_key_file(public_path(rt.settings.signing_key_path))])


def _check_file(rt):  # type: ignore[no-untyped-def]
    path = rt.settings.anchor_path
    with rt.uow(read_only=True) as uow:
        return check_anchors(uow, path.read_text(encoding="utf-8"), source=str(path), keyring=_keyring(rt))


def _check_code(rt, code: str, day=DAY):  # type: ignore[no-untyped-def]
    with rt.uow(read_only=True) as uow:
        return check_code(uow, code, site="honcho", day=day, keyring=_keyring(rt))


def _rewrite_with_stolen_key(rt, seq: int, **change) -> None:  # type: ignore[no-untyped-def]
    """The insider's best: change entry ``seq``, recompute every later hash, rebuild the close
    entry's checkpoint to match, and re-sign every entry with the (stolen) journal key."""
    key = read_private_key(rt.settings.signing_key_path)
    entries = journal(rt)
    new: dict[int, JournalEntry] = {e.seq: e for e in entries}
    statements, prev = [], entries[seq - 2].hash if seq > 1 else "0" * 64
    for e in entries[seq - 1:]:
        fields = {f: getattr(e, f) for f in e.__dataclass_fields__}
        fields.update(prev_hash=prev, **(change if e.seq == seq else {}))
        details = e.details()
        if e.kind == EntryKind.DAY_CLOSED.value and "checkpoint" in details:
            old = from_dict(details["checkpoint"], where="close")
            cp = old.checkpoint
            hashes = [x.hash for s, x in sorted(new.items())
                      if x.site == cp.site and x.business_date == cp.day and s <= cp.seq]
            rebuilt = checkpoint_of(site=cp.site, day=cp.day, seq=cp.seq, head=new[cp.seq].hash, entry_hashes=hashes)
            signed = SignedCheckpoint(rebuilt, old.key_id, _sign(key, rebuilt.digest()), None)
            fields["data"] = canonical_json({**details, "checkpoint": signed.as_dict()})
        fields["hash"] = recompute_hash(JournalEntry(**fields))
        fields["signature"] = _sign(key, fields["hash"]) if e.signature else None
        new[e.seq] = JournalEntry(**fields)
        statements.append(("UPDATE journal SET prev_hash = :p, hash = :h, signature = :g, data = :d, amount = :a "
                           "WHERE seq = :s", {"p": prev, "h": fields["hash"], "g": fields["signature"],
                                              "d": fields["data"], "a": fields["amount"], "s": e.seq}))
        prev = fields["hash"]
    statements.append(("UPDATE journal_head SET hash = :h WHERE id = 1", {"h": prev}))
    _as_insider(rt, *statements)


def _sign(key, digest: str) -> str:  # type: ignore[no-untyped-def]
    import base64
    return base64.b64encode(key.sign(digest.encode("ascii"))).decode("ascii")


def test_the_close_appends_the_days_signed_checkpoint_to_the_anchor_file(rt, cashier, supervisor, clock):
    result = _closed_day(rt, cashier, supervisor, clock)
    close = _site_close(rt)
    [(line, anchored)] = parse_anchor_lines(rt.settings.anchor_path.read_text(encoding="utf-8"), source="a")
    cp = anchored.checkpoint
    day_entries = [e for e in journal(rt) if e.site == "honcho" and e.business_date == DAY.isoformat()]
    before_close = [e.hash for e in day_entries if e.seq < close.seq]
    assert (cp.site, cp.day, cp.seq, cp.head) == ("honcho", "2026-11-02", close.seq - 1, close.prev_hash)
    assert cp.entries == len(before_close) and cp.root == merkle_root(before_close)
    public = load_public_key_file(public_path(rt.settings.signing_key_path))
    assert anchored.signature and signature_holds(public, cp.digest(), anchored.signature)
    assert close.details()["checkpoint"] == anchored.as_dict()  # the close entry carries it too
    assert result["anchor"] == {"code": grouped(anchored.code), "file": str(rt.settings.anchor_path),
                                "written": True, "error": None}
    assert all(c.ok for c in _check_file(rt)) and verify(rt).ok


def test_an_anchor_file_that_cannot_be_written_does_not_stop_the_close_and_is_retried_at_the_next_close(
        rt, cashier, supervisor, clock, tmp_path):  # type: ignore[no-untyped-def]
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the anchor folder should be")
    good = rt.settings.anchor_path
    rt.settings = rt.settings.model_copy(update={"anchor_path": blocked / "anchors.jsonl"})
    result = _closed_day(rt, cashier, supervisor, clock)
    assert result["state"] == "closed" and not result["anchor"]["written"]
    assert any("anchor file could not be written" in n for n in result["notices"])
    page = close_day.day_summary(rt, site="honcho", day=DAY, actor=supervisor)
    assert page["anchor"]["written"] is False
    assert [f["severity"] for f in page["findings"] if f["code"] == "anchor_not_written"] == ["warning"]

    rt.settings = rt.settings.model_copy(update={"anchor_path": good})
    clock.now = dt.datetime(2026, 11, 3, 8, 30, tzinfo=dt.UTC)  # 17:30 JST the next day
    close_all(rt, supervisor, day=NEXT)
    days = [cp.checkpoint.day for _n, cp in parse_anchor_lines(good.read_text(encoding="utf-8"), source="a")]
    assert days == ["2026-11-02", "2026-11-03"]
    assert close_day.day_summary(rt, site="honcho", day=DAY, actor=supervisor)["anchor"]["written"] is True


def test_a_day_rewritten_rehashed_and_resigned_with_a_stolen_key_is_named_by_its_anchor(rt, cashier, supervisor,
                                                                                       clock):
    _closed_day(rt, cashier, supervisor, clock)
    fl = next(e for e in journal(rt) if e.kind == EntryKind.FLOAT_LOADED.value and e.site == "honcho")
    _rewrite_with_stolen_key(rt, fl.seq, amount=fl.amount - 10_000)
    assert verify(rt).ok  # the journal alone now tells the insider's story, signatures and all

    [check] = _check_file(rt)
    assert not check.ok and check.title().startswith("honcho 2026-11-02 (code ")
    assert any("Merkle root of honcho 2026-11-02 differs" in p for p in check.problems)
    assert any("differs from the anchored head" in p for p in check.problems)


def test_a_code_typed_from_paper_verifies_and_a_wrong_or_outdated_one_is_refused(rt, cashier, supervisor, clock):
    printed = _closed_day(rt, cashier, supervisor, clock)["anchor"]["code"]
    assert _check_code(rt, printed.lower().replace("-", " ")).ok
    wrong = ("A" if printed[0] != "A" else "B") + printed[1:]
    refused = _check_code(rt, wrong.replace("-", ""))
    assert not refused.ok and "mistyped, or the day was rewritten" in refused.problems[0]

    fl = next(e for e in journal(rt) if e.kind == EntryKind.FLOAT_LOADED.value and e.site == "honcho")
    _rewrite_with_stolen_key(rt, fl.seq, amount=fl.amount - 10_000)
    after = _check_code(rt, printed.replace("-", ""))
    assert not after.ok and printed in after.problems[0]


def test_verify_journal_names_the_checkpoint_that_no_longer_matches(rt, cashier, supervisor, clock, db_url):
    printed = _closed_day(rt, cashier, supervisor, clock)["anchor"]["code"]
    anchors = str(rt.settings.anchor_path)
    ok = runner.invoke(cli, ["verify-journal", "--db", db_url, "--anchors", anchors])
    assert ok.exit_code == 0, ok.output
    assert "journal OK" in ok.stdout and "anchors OK: 1 checkpoint(s)" in ok.stdout
    typed = runner.invoke(cli, ["verify-journal", "--db", db_url, "--anchor-code", printed, "--site", "honcho",
                                "--date", DAY.isoformat()])
    assert typed.exit_code == 0 and "anchors OK" in typed.stdout

    fl = next(e for e in journal(rt) if e.kind == EntryKind.FLOAT_LOADED.value and e.site == "honcho")
    _rewrite_with_stolen_key(rt, fl.seq, amount=fl.amount - 10_000)
    bad = runner.invoke(cli, ["verify-journal", "--db", db_url, "--anchors", anchors, "--anchor-code", printed,
                              "--site", "honcho", "--date", DAY.isoformat()])
    assert bad.exit_code == 1 and "journal OK" in bad.stdout
    assert bad.stdout.count(f"anchor NOT MATCHED: honcho 2026-11-02 (code {printed}") == 2
    assert "Merkle root" in bad.stdout


def test_an_anchor_line_altered_in_the_file_is_named_by_its_signature(rt, cashier, supervisor, clock):
    _closed_day(rt, cashier, supervisor, clock)
    path = rt.settings.anchor_path
    line = json.loads(path.read_text(encoding="utf-8"))
    line["entries"] += 1
    path.write_text(canonical_json(line) + "\n", encoding="utf-8")
    [check] = _check_file(rt)
    assert any("signature does not verify" in p for p in check.problems)


def test_a_code_without_site_and_date_or_misspelt_is_refused_with_a_clear_error(rt, db_url):
    missing = runner.invoke(cli, ["verify-journal", "--db", db_url, "--anchor-code", "ABCD-EFGH-IJKL-MNOP"])
    assert isinstance(missing.exception, BadInput) and "--anchor-code needs --site and --date" in str(missing.exception)
    misspelt = runner.invoke(cli, ["verify-journal", "--db", db_url, "--anchor-code", "ABCD-EFGH-IJKL-MNO9",
                                   "--site", "honcho", "--date", DAY.isoformat()])
    assert isinstance(misspelt.exception, BadInput) and "'9' is not a letter of the code" in str(misspelt.exception)
    with pytest.raises(BadInput, match="no close of site honcho on 2026-11-02"):
        _check_code(rt, "ABCD-EFGH-IJKL-MNOP")
