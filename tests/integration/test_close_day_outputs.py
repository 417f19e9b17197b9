"""``madoguchi close-day`` checks that every output can be written before it closes anything:
an unwritable ``--out``, ``--json`` or ``--csv`` leaves the day open, and says which and why."""
from __future__ import annotations

import stat
from pathlib import Path

import pytest

from madoguchi.cli.close import _write
from madoguchi.errors import BadInput
from tests.helpers import journal
from tests.integration.test_close_interfaces import DAY, cli, day_of_sales, runner  # noqa: F401 (fixture)


def _close(db_url: str, counted: Path, out: Path, *extra: str):  # type: ignore[no-untyped-def]
    return runner.invoke(cli, ["close-day", "--date", DAY, "--site", "honcho", "--counted", str(counted),
                               "--out", str(out), "--db", db_url, "--by", "kakaricho", *extra])


def _closed(rt) -> bool:  # type: ignore[no-untyped-def]
    return any(e.kind == "day_closed" for e in journal(rt))


@pytest.mark.parametrize("option", ["--out", "--json", "--csv"])
def test_an_output_in_a_missing_folder_leaves_the_day_open(rt, db_url, day_of_sales, tmp_path,  # noqa: F811
                                                            option):  # type: ignore[no-untyped-def]
    counted, _ = day_of_sales
    missing = tmp_path / "no-such-folder" / "file"
    out = missing if option == "--out" else tmp_path / "daily.xlsx"
    extra = [] if option == "--out" else [option, str(missing)]
    result = _close(db_url, counted, out, *extra)
    assert result.exit_code == 2
    assert f"error: {option}: cannot write {missing}" in result.output
    assert "does not exist" in result.output
    assert not _closed(rt)
    assert not out.exists() or option == "--out"


def test_an_output_that_is_a_folder_leaves_the_day_open(rt, db_url, day_of_sales, tmp_path):  # noqa: F811
    counted, _ = day_of_sales
    result = _close(db_url, counted, tmp_path / "daily.xlsx", "--json", str(tmp_path))
    assert result.exit_code == 2 and f"--json: {tmp_path} is a folder" in result.output
    assert not _closed(rt) and not (tmp_path / "daily.xlsx").exists()


def test_once_every_output_can_be_written_the_same_command_closes_the_day(rt, db_url, day_of_sales,  # noqa: F811
                                                                          tmp_path):  # type: ignore[no-untyped-def]
    counted, _ = day_of_sales
    assert _close(db_url, counted, tmp_path / "daily.xlsx", "--json", str(tmp_path / "x" / "s.json")).exit_code == 2
    result = _close(db_url, counted, tmp_path / "daily.xlsx", "--json", str(tmp_path / "s.json"))
    assert result.exit_code == 0, result.output
    assert _closed(rt) and (tmp_path / "daily.xlsx").stat().st_size > 0 and (tmp_path / "s.json").exists()
    assert stat.S_IMODE((tmp_path / "s.json").stat().st_mode) & stat.S_IRUSR
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary file left


def test_a_write_that_fails_after_the_close_says_the_day_is_closed_and_leaves_no_half_file(tmp_path):
    target = tmp_path / "gone" / "daily.xlsx"
    with pytest.raises(BadInput, match=r"the day IS closed: write the sheet again with --export-only"):
        _write(target, b"sheet", "--out", closed=True)
    assert not target.parent.exists()
