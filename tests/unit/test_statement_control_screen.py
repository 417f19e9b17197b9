"""The screen for control characters lets no bad reference through, and the count stays exact."""
from __future__ import annotations

from pathlib import Path

import pytest

from madoguchi.adapters.files.statement import StatementError, load_statement
from madoguchi.services.reconcile.bulk import connect

HEAD = "transaction_at,terminal_id,merchant_reference,processor_reference,brand,kind,gross,fee,net,deposit_date"
ROW = '2026-11-02T10:00:00+09:00,{t},"{m}",{p},suica,sale,300,9,291,2026-11-30'


def _refused(tmp_path: Path, rows: list[str]) -> StatementError:
    path = tmp_path / "statement.csv"
    path.write_bytes(("\n".join([HEAD, *rows]) + "\n").encode())
    con = connect(tmp_path)
    try:
        with pytest.raises(StatementError) as caught:
            load_statement(con, path, workdir=tmp_path)
    finally:
        con.close()
    return caught.value


@pytest.mark.parametrize("code", [*range(0x20), 0x7F])
def test_every_control_character_in_a_reference_is_refused(tmp_path: Path, code: int) -> None:
    if code in (0x0A, 0x0D):
        pytest.skip("a line break in a field is another refusal (the line numbers would move)")
    bad = f"r{chr(code)}1"
    error = _refused(tmp_path, [ROW.format(t="T1", m="ok-1", p="p1"), ROW.format(t="T1", m=bad, p="p2")])
    assert [(e.line, e.column, e.value) for e in error.errors] == [(3, "merchant_reference", bad)]


def test_a_row_bad_in_two_references_counts_twice_as_before(tmp_path: Path) -> None:
    error = _refused(tmp_path, [ROW.format(t="T\x01", m="r\x7f", p="p\\1"), ROW.format(t="T1", m='q""1', p="p3")])
    assert [(e.line, e.column) for e in error.errors] == [(2, "terminal_id"), (2, "merchant_reference")]
    assert error.params["count"] == 2
