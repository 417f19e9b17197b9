"""Checkpoints and their Merkle root, against RFC 9162's definitions computed by hand."""
from __future__ import annotations

import hashlib

import pytest

from madoguchi.domain.anchor import (
    Checkpoint,
    SignedCheckpoint,
    checkpoint_of,
    differences,
    from_dict,
    grouped,
    merkle_root,
    normalize_code,
    parse_anchor_lines,
)
from madoguchi.errors import BadInput

HASHES = [hashlib.sha256(f"entry {n}".encode()).hexdigest() for n in range(7)]


def sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def leaf(n: int) -> bytes:
    return sha(b"\x00" + bytes.fromhex(HASHES[n]))


def node(left: bytes, right: bytes) -> bytes:
    return sha(b"\x01" + left + right)


def test_the_root_of_no_entries_is_the_hash_of_nothing():
    assert merkle_root([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_the_root_of_one_entry_is_its_leaf_hash_with_the_zero_prefix():
    assert merkle_root(HASHES[:1]) == leaf(0).hex()
    assert merkle_root(HASHES[:1]) != HASHES[0]  # a leaf is never its own data (second pre-image)


def test_two_entries_are_joined_under_the_one_prefix():
    assert merkle_root(HASHES[:2]) == node(leaf(0), leaf(1)).hex()


def test_three_entries_split_at_two():
    assert merkle_root(HASHES[:3]) == node(node(leaf(0), leaf(1)), leaf(2)).hex()


def test_seven_entries_split_at_four_then_two():
    left = node(node(leaf(0), leaf(1)), node(leaf(2), leaf(3)))
    right = node(node(leaf(4), leaf(5)), leaf(6))
    assert merkle_root(HASHES) == node(left, right).hex()


def test_the_order_of_the_entries_matters():
    assert merkle_root(HASHES[:3]) != merkle_root([HASHES[1], HASHES[0], HASHES[2]])


def _signed(**change) -> SignedCheckpoint:  # type: ignore[no-untyped-def]
    cp = checkpoint_of(site="honcho", day="2026-11-02", seq=40, head=HASHES[6], entry_hashes=HASHES[:5])
    return SignedCheckpoint(cp, "ab" * 32, "c2lnbmF0dXJl", None) if not change else SignedCheckpoint(
        Checkpoint(**{**{f: getattr(cp, f) for f in cp.__slots__}, **change}), "ab" * 32, "c2lnbmF0dXJl", None)


def test_a_code_is_sixteen_base32_letters_and_changes_with_any_field():
    code = _signed().code
    assert len(code) == 16 and set(code) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    assert _signed(root="00" * 32).code != code and _signed(seq=41).code != code
    assert grouped(code) == f"{code[:4]}-{code[4:8]}-{code[8:12]}-{code[12:]}"


def test_a_code_typed_from_paper_is_read_in_any_case_with_hyphens_and_look_alike_digits():
    assert normalize_code(" abcd-efgh ijkl-mnop ") == "ABCDEFGHIJKLMNOP"
    assert normalize_code("0I8B-EFGH-IJKL-MNOP") == "OIBBEFGHIJKLMNOP"
    with pytest.raises(BadInput, match="16"):
        normalize_code("ABCD-EFGH")
    with pytest.raises(BadInput, match="'9'"):
        normalize_code("ABCD-EFGH-IJKL-MNO9")


def test_a_checkpoint_reads_back_from_its_line():
    signed = _signed()
    [(n, back)] = parse_anchor_lines("\n" + signed.line() + "\n", source="anchors.jsonl")
    assert n == 2 and back == signed and back.code == signed.code


def test_a_broken_anchor_line_is_named_by_line_and_column():
    with pytest.raises(BadInput, match=r"anchors.jsonl: line 2, column 1"):
        parse_anchor_lines(_signed().line() + "\nnot json\n", source="anchors.jsonl")
    with pytest.raises(BadInput, match="line 1: field 'seq'"):
        parse_anchor_lines('{"format":"madoguchi-checkpoint/1","site":"x","day":"2026-11-02"}', source="a")
    with pytest.raises(BadInput, match="format"):
        from_dict({"format": "other"}, where="here")


def test_a_changed_day_is_named_by_its_root_and_a_removed_entry_by_the_count():
    anchored = _signed().checkpoint
    assert differences(anchored, anchored, anchored.head) == []
    changed = checkpoint_of(site="honcho", day="2026-11-02", seq=40, head=HASHES[6],
                            entry_hashes=[HASHES[0], "00" * 32, *HASHES[2:5]])
    assert "Merkle root" in differences(anchored, changed, anchored.head)[0]
    fewer = checkpoint_of(site="honcho", day="2026-11-02", seq=40, head=HASHES[6], entry_hashes=HASHES[:4])
    assert "4 entries" in differences(anchored, fewer, anchored.head)[0]
    assert "head" in differences(anchored, anchored, "11" * 32)[0]
    assert "no longer there" in differences(anchored, None, None)[0]
