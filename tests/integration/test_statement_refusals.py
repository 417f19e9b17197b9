"""Statements that used to crash the close of month are read, or refused at their line and column,
and nothing of a refused file is kept: not in the database, not on disk (issues 13 and 14).

The reader is tried on its own first, then through the service, the CLI and HTTP.
"""
from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import typer
from sqlalchemy import func, select
from typer.testing import CliRunner

from madoguchi.adapters.db.reconcile_tables import ReconcileRun, StatementImport, StatementLine
from madoguchi.adapters.files.statement import load_statement
from madoguchi.cli_reconcile import reconcile_command
from madoguchi.errors import BadInput
from madoguchi.services.reconcile.bulk import connect
from tests.integration.test_reconcile import HEADER
from tests.integration.test_reconcile_api import Office, app  # noqa: F401  (the app fixture)

HEAD = ",".join(HEADER)
ROW = "2026-11-02T10:00:00+09:00,T1,{ref},p1,suica,sale,300,9,291,2026-11-30"


def _rows(*refs: str) -> list[str]:
    return [ROW.format(ref=r) for r in refs]


def _load(tmp_path: Path, data: bytes) -> list[tuple]:  # type: ignore[type-arg]
    path = tmp_path / "statement.csv"
    path.write_bytes(data)
    con = connect(tmp_path)
    try:
        load_statement(con, path, workdir=tmp_path)
        return con.execute("SELECT line, merchant_reference FROM statement ORDER BY line").fetchall()
    finally:
        con.close()


def _refused(tmp_path: Path, data: bytes) -> str:
    with pytest.raises(BadInput) as caught:
        _load(tmp_path, data)
    return caught.value.message


# --- the reader -------------------------------------------------------------------------------------

def test_trailing_empty_columns_as_excel_writes_them_are_ignored(tmp_path):  # type: ignore[no-untyped-def]
    excel = "\r\n".join([HEAD + ",,"] + [r + ",," for r in _rows("r1", "r2")]) + "\r\n"
    assert _load(tmp_path, excel.encode()) == [(2, "r1"), (3, "r2")]
    uneven = "\n".join([HEAD + ",,", _rows("r1")[0] + ",", _rows("r2")[0] + ",,,"]) + "\n"
    assert _load(tmp_path, uneven.encode()) == [(2, "r1"), (3, "r2")]
    only_rows = "\n".join([HEAD] + [r + ",," for r in _rows("r1")]) + "\n"
    assert _load(tmp_path, only_rows.encode()) == [(2, "r1")]


def test_mixed_line_endings_are_read_line_by_line(tmp_path):  # type: ignore[no-untyped-def]
    a, b, c, d = _rows("r1", "r2", "r3", "r4")
    data = f"{HEAD}\r\n{a}\n{b}\r\n{c}\r{d}\n".encode()
    assert _load(tmp_path, data) == [(2, "r1"), (3, "r2"), (4, "r3"), (5, "r4")]
    bad = f"{HEAD}\r\n{a}\n{b.replace('suica', 'octopus')}\r\n".encode()
    assert "line 3, column brand: 'octopus' is not a brand code" in _refused(tmp_path, bad)


def test_a_row_of_another_width_is_refused_at_its_line_in_our_words_not_the_engines(
        tmp_path):  # type: ignore[no-untyped-def]
    a, b = _rows("r1", "r2")
    short = f"{HEAD}\n{a}\n{b.rsplit(',', 3)[0]}\n".encode()
    message = _refused(tmp_path, short)
    assert "line 3, column fee: '' is missing: the row has 7 fields, the header 10" in message
    long = f"{HEAD}\r\n{a},surplus\n".encode()
    message = _refused(tmp_path, long)
    assert "line 2, column 11: 'surplus' is a field beyond the header's 10 columns" in message
    for text in (short, long):
        message = _refused(tmp_path, text)
        assert "sniff" not in message.lower() and "Error" not in message and "read_csv" not in message


@pytest.mark.parametrize(("row", "expected"), [
    (ROW.format(ref="r\x001"), "line 2, column merchant_reference: 'r\\x001' holds a control character"),
    (ROW.format(ref="r1").replace(",T1,", ",T\x00,"), "line 2, column terminal_id: 'T\\x00' holds a control"),
    (ROW.format(ref="r1").replace("2026-11-02T10", "0001-01-01T00"),
     "line 2, column transaction_at: '0001-01-01T00:00:00+09:00' is outside the years 2000–2999"),
    (ROW.format(ref="r1").replace("2026-11-30", "0001-01-01"),
     "line 2, column deposit_date: '0001-01-01' is outside the years 2000–2999"),
    (ROW.format(ref="r1").replace("+09:00", "+25:00"),
     "line 2, column transaction_at: '2026-11-02T10:00:00+25:00' is not a date and time"),
    (ROW.format(ref="r1").replace("+09:00", "+09:60"),
     "line 2, column transaction_at: '2026-11-02T10:00:00+09:60' is not a date and time"),
    (ROW.format(ref="r1").replace("300,9,291", "-300,-9,-291"),
     "line 2, column gross: '-300' is negative on a sale"),
])
def test_a_row_that_used_to_crash_the_run_is_refused_at_its_line_and_column(
        tmp_path, row, expected):  # type: ignore[no-untyped-def]
    assert expected in _refused(tmp_path, f"{HEAD}\n{row}\n".encode())


def test_an_offset_through_a_mapping_format_is_checked_too(tmp_path):  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from madoguchi.adapters.files.statement import V1
    layout = replace(V1, transaction_format="%Y-%m-%dT%H:%M:%S%z")
    path = tmp_path / "s.csv"
    path.write_text(f"{HEAD}\n{ROW.format(ref='r1').replace('+09:00', '+25:00')}\n", encoding="utf-8")
    con = connect(tmp_path)
    with pytest.raises(BadInput) as caught:
        load_statement(con, path, layout=layout, workdir=tmp_path)
    assert "line 2, column transaction_at: '2026-11-02T10:00:00+25:00'" in caught.value.message


def test_a_refund_is_still_negative_and_read(tmp_path):  # type: ignore[no-untyped-def]
    refund = ROW.format(ref="r2").replace("sale,300,9,291", "refund,-300,-9,-291")
    assert _load(tmp_path, f"{HEAD}\n{ROW.format(ref='r1')}\n{refund}\n".encode()) == [(2, "r1"), (3, "r2")]


# --- nothing of a refused file is kept --------------------------------------------------------------

CRASHERS = {
    "nul.csv": HEAD + "\n" + ROW.format(ref="r\x001") + "\n",
    "year-1.csv": f"{HEAD}\n{ROW.format(ref='r1').replace('2026-11-02T10', '0001-01-01T00')}\n",
    "offset.csv": f"{HEAD}\n{ROW.format(ref='r1').replace('+09:00', '+25:00')}\n",
    "negative-sale.csv": f"{HEAD}\n{ROW.format(ref='r1').replace('300,9,291', '-300,-9,-291')}\n",
}


def _stored(rt) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    with rt.uow() as uow:
        return tuple(uow.session.execute(select(func.count()).select_from(t)).scalar_one()  # type: ignore[return-value]
                     for t in (StatementImport, StatementLine, ReconcileRun))


def test_the_cli_refuses_each_crasher_with_exit_2_and_stores_and_writes_nothing(
        rt, tmp_path, db_url):  # type: ignore[no-untyped-def]
    cli = typer.Typer()
    cli.command("reconcile")(reconcile_command)
    out = tmp_path / "out"
    out.mkdir()
    for name, text in CRASHERS.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        result = CliRunner().invoke(cli, ["--month", "2026-11", "--statement", str(path), "--out",
                                          str(out / "r.xlsx"), "--json", str(out / "s.json"), "--db", db_url])
        assert result.exit_code == 2, (name, result.output)
        assert f"{name}: 1 row error(s), nothing imported" in result.output and "line 2, column" in result.output
    assert _stored(rt) == (0, 0, 0)
    assert list(out.iterdir()) == []


def test_an_upload_of_each_crasher_is_a_422_and_leaves_no_file_and_no_row(
        app, rt, settings):  # type: ignore[no-untyped-def]  # noqa: F811
    office = Office(app, "accountant")
    for name, text in CRASHERS.items():
        r = office.upload(str(uuid.uuid4()), [(name, text.encode())])
        assert r.status_code == 422, (name, r.text)
        assert "line 2, column" in r.json()["message"]
    assert _stored(rt) == (0, 0, 0)
    month_dir = settings.reconcile_dir / "2026-11"
    assert not month_dir.exists() or not any(month_dir.iterdir())


def test_a_run_number_past_any_database_is_not_found(app):  # type: ignore[no-untyped-def]  # noqa: F811
    office = Office(app, "accountant")
    for path in ("/api/reconcile/runs/99999999999999999999", "/api/reconcile/runs/99999999999999999999/report",
                 "/api/reconcile/runs/9223372036854775808", "/api/reconcile/runs/0",
                 "/office/reconcile/runs/99999999999999999999"):
        r = office.client.get(path, headers=office.headers)
        assert r.status_code == 404, (path, r.status_code, r.text)
