"""`python -m benchmarks.against REV` times another revision's code with this checkout's harness.

No timing is checked: that each side imports the code it names, that a revision from
before the services' layout of issue 16 still runs under the harness, and that the
temporary worktree is gone afterwards.
"""
from __future__ import annotations

import shutil
import subprocess

import pytest
from benchmarks import against

#: The last revision before the redesign of issue 16 (the services in one flat package).
BEFORE_THE_REDESIGN = "23870e9"


def _git(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "-C", str(against.ROOT), *args], capture_output=True, text=True, check=False)


def test_this_checkouts_code_is_measured_in_a_process_of_its_own() -> None:
    result = against.measure_code(against.ROOT / "src", "sqlite", 5, 1, None)
    assert result["sales"] == 5 and result["runs"] == 1
    assert result["service_sales_per_s"] > 0 and result["baseline_sales_per_s"] > 0


def test_a_revision_from_before_the_redesign_is_timed_beside_this_one_and_its_tree_removed(capsys) -> None:  # type: ignore[no-untyped-def]
    if shutil.which("git") is None or _git("cat-file", "-e", f"{BEFORE_THE_REDESIGN}^{{commit}}").returncode:
        pytest.skip("this clone has no history back to the redesign")
    trees_before = _git("worktree", "list", "--porcelain").stdout
    assert against.main([BEFORE_THE_REDESIGN, "--rounds", "1", "--runs", "1", "--sales", "5"]) == 0
    out = capsys.readouterr().out
    assert f"round 1         {BEFORE_THE_REDESIGN}: " in out
    assert "round 1   this checkout: " in out
    assert f"median        {BEFORE_THE_REDESIGN}: " in out
    assert _git("worktree", "list", "--porcelain").stdout == trees_before


def test_a_revision_that_is_not_there_is_refused_by_name_and_leaves_no_tree(capsys) -> None:  # type: ignore[no-untyped-def]
    if shutil.which("git") is None:
        pytest.skip("no git")
    trees_before = _git("worktree", "list", "--porcelain").stdout
    assert against.main(["no-such-revision-anywhere", "--rounds", "1", "--runs", "1", "--sales", "5"]) == 2
    assert "cannot check out 'no-such-revision-anywhere' here" in capsys.readouterr().err
    assert _git("worktree", "list", "--porcelain").stdout == trees_before
