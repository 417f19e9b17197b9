"""The one way out for reports (adapters/files/writing.py): formulas become text, numbers stay
numbers, and a file appears whole or not at all."""
from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from madoguchi.adapters.files.writing import (
    FORMULA_PREFIXES,
    PartFile,
    atomic_path,
    csv_writer,
    neutral,
    new_workbook,
    save_workbook,
    write_bytes,
)


@pytest.mark.parametrize("prefix", FORMULA_PREFIXES)
def test_text_that_starts_like_a_formula_gets_a_quote_and_numbers_do_not(prefix):  # type: ignore[no-untyped-def]
    assert neutral(prefix + "SUM(A1)") == "'" + prefix + "SUM(A1)"
    assert neutral("SUM" + prefix) == "SUM" + prefix
    assert neutral(-300) == -300 and neutral("-300") == "-300" and neutral("+1.5") == "+1.5"
    assert neutral(None) is None


def test_a_workbook_keeps_numbers_and_turns_formulas_into_text_in_both_modes(tmp_path):  # type: ignore[no-untyped-def]
    wb = Workbook()
    ws = wb.active
    ws.append(["=1+1", -300, "@cmd", "ok"])
    save_workbook(wb, tmp_path / "a.xlsx")
    streaming = new_workbook(write_only=True)
    sheet = streaming.create_sheet("s")
    sheet.append(["=1+1", -300, "@cmd", "ok"])
    save_workbook(streaming, tmp_path / "b.xlsx")
    for name in ("a.xlsx", "b.xlsx"):
        cells = list(load_workbook(tmp_path / name).worksheets[0].iter_rows())[0]
        assert [(c.value, c.data_type) for c in cells] == [("'=1+1", "s"), (-300, "n"), ("'@cmd", "s"), ("ok", "s")]


def test_a_write_only_workbook_made_elsewhere_is_refused_before_it_writes_a_formula(tmp_path):  # type: ignore[no-untyped-def]
    with pytest.raises(TypeError, match="new_workbook"):
        save_workbook(Workbook(write_only=True), tmp_path / "c.xlsx")
    assert not list(tmp_path.iterdir())


def test_a_write_that_fails_leaves_the_old_file_whole_and_no_temporary(tmp_path):  # type: ignore[no-untyped-def]
    target = tmp_path / "report.xlsx"
    write_bytes(target, b"old report")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_bytes(b"half a rep")
        raise RuntimeError("killed")
    assert target.read_bytes() == b"old report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.xlsx"]


def test_a_part_file_is_kept_whole_discarded_or_removed_when_it_cannot_be_put_in_place(tmp_path):  # type: ignore[no-untyped-def]
    kept, dropped = PartFile(tmp_path / "kept.csv"), PartFile(tmp_path / "dropped.csv")
    kept.path.write_bytes(b"a,b\n")
    dropped.path.write_bytes(b"half")
    kept.keep()
    dropped.discard()
    assert (tmp_path / "kept.csv").read_bytes() == b"a,b\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.csv"]
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "something").write_text("x")
    blocked = PartFile(tmp_path / "taken")  # a directory that is not empty: the rename fails
    with pytest.raises(OSError):
        blocked.keep()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.csv", "taken"]


def test_the_csv_writer_neutralises_every_text_field(tmp_path):  # type: ignore[no-untyped-def]
    out = io.StringIO()
    csv_writer(out, lineterminator="\n").writerow(["=HYPERLINK(1)", -5, "\tx", "plain"])
    assert out.getvalue() == "'=HYPERLINK(1),-5,'\tx,plain\n"
