"""The close of month from the back office: uploaded statements, runs, their reports.

An upload is kept under ``settings.reconcile_dir / <month> / <request id>/`` (the
statements as sent, the workbook and the matched-rows CSV beside them) and run through
:func:`madoguchi.services.reconcile.month.reconcile_month`, exactly as ``madoguchi reconcile``
does. The request carries a client-generated id: sending it again (a lost answer, a
double click) returns the first run's summary instead of running again. A file that
does not parse is refused with its line, column and value, and its folder is removed
(as it is when the run fails for any other reason): nothing is left half-written.
"""
from __future__ import annotations

import copy
import json
import re
import shutil
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from madoguchi.domain.auth import Action, Actor
from madoguchi.domain.receipt import JST
from madoguchi.domain.reconcile import Month
from madoguchi.domain.reconcile_records import RunRecord
from madoguchi.errors import BadInput, MadoguchiError, NotFound
from madoguchi.services.counter.common import check_client_id
from madoguchi.services.reconcile import records as reconcile_records
from madoguchi.services.reconcile.access import CITY_WIDE, check_run_id, may_read_runs, may_reconcile
from madoguchi.services.reconcile.month import reconcile_month
from madoguchi.services.runtime import Runtime

OPERATION = "reconcile_upload"
_running: dict[str, threading.Lock] = {}
#: The largest id a run can have (a 64-bit signed integer column).
_guard = threading.Lock()


@dataclass(frozen=True)
class Upload:
    """One file as the browser sent it."""

    filename: str
    content: IO[bytes]


def open_incidents(rt: Runtime, *, actor: Actor) -> list[dict[str, Any]]:
    """Every incident still open (of the sites the actor serves), with its age and last inquiry."""
    may_reconcile(actor)
    return reconcile_records.open_incidents(rt, actor=actor)


def _safe_name(name: str, taken: set[str]) -> str:
    # Kept as sent (Japanese, spaces) but for what no file system takes, and no hidden files.
    base = re.sub(r'[\x00-\x1f\x7f/\\:*?"<>|]+', "_", Path(name or "statement.csv").name).strip(" ._")
    base = base.encode()[:200].decode(errors="ignore") or "statement.csv"  # file names: 255 bytes
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        stem, dot, ext = base.rpartition(".")
        candidate = f"{stem}-{n}.{ext}" if dot else f"{base}-{n}"
    taken.add(candidate)
    return candidate


def _store(folder: Path, uploads: Iterable[Upload], names: dict[str, str]) -> list[Path]:
    """Save the uploads; ``names`` learns each stored path's name as the user sent it."""
    folder.mkdir(parents=True, exist_ok=True)
    taken: set[str] = set()
    paths = []
    for upload in uploads:
        path = folder / _safe_name(upload.filename, taken)
        with path.open("wb") as out:
            shutil.copyfileobj(upload.content, out, length=1 << 20)
        sent = Path(upload.filename or path.name).name
        names[str(path)] = sent
        if path.name != sent:
            names[path.name] = sent  # an error naming only the file, after the paths
        if path.stat().st_size == 0:
            raise BadInput(f"{upload.filename}: the file is empty")
        paths.append(path)
    return paths


def _as_sent(exc: MadoguchiError, names: dict[str, str]) -> MadoguchiError:
    """The error naming the files as the user sent them, not where the server keeps them."""
    def as_sent(text: str) -> str:
        for stored, sent in names.items():
            text = text.replace(stored, sent)
        return text

    message = as_sent(exc.message)
    if message == exc.message:
        return exc
    # A copy keeps the error's class, code and details (a StatementError's rows), whatever its
    # constructor takes; only the texts naming files change.
    error = copy.copy(exc)
    error.message = message
    error.args = (message,)
    error.params = {k: as_sent(v) if isinstance(v, str) else v for k, v in exc.params.items()}
    return error


def run_upload(rt: Runtime, *, request_id: str, month: str, statements: list[Upload], actor: Actor,
               mapping: Upload | None = None, complete: bool | None = None) -> dict[str, Any]:
    """Run the close of month on uploaded statements, once per ``request_id``."""
    actor.require(Action.ACCOUNT)  # before anything is stored
    actor.require_all_sites(CITY_WIDE)
    request_id = check_client_id(request_id, what="Idempotency-Key")
    the_month = Month.parse(month)
    if not statements:
        raise BadInput("statements: give at least one statement file")
    request = {"month": str(the_month), "files": sorted(u.filename for u in statements),
               "mapping": mapping.filename if mapping else None, "complete": complete}
    with _guard:
        lock = _running.setdefault(request_id, threading.Lock())
    try:
        with lock:  # the same request twice at once: the second waits and gets the first's answer
            return _run_once(rt, request_id, request, the_month, statements, mapping, complete, actor)
    finally:
        with _guard:
            _running.pop(request_id, None)


def _run_once(rt: Runtime, request_id: str, request: dict[str, Any], the_month: Month, statements: list[Upload],
              mapping: Upload | None, complete: bool | None, actor: Actor) -> dict[str, Any]:
    with rt.uow(read_only=True) as uow:
        done = uow.replay(request_id, OPERATION, request)
    if done is not None:
        return done | {"replayed": True}
    folder = Path(rt.settings.reconcile_dir) / str(the_month) / request_id
    report = folder / f"report-{the_month}.xlsx"
    if folder.exists():
        earlier = _recorded_run(rt, report)
        if earlier is not None:  # the run was recorded but its answer lost (a crash in between)
            return _remember(rt, request_id, request, earlier)
        shutil.rmtree(folder)  # what an interrupted attempt left
    names: dict[str, str] = {}
    try:
        paths = _store(folder / "statements", statements, names)
        mapping_path = _store(folder / "mapping", [mapping], names)[0] if mapping else None
        summary = reconcile_month(rt, month=str(the_month), statements=paths, actor=actor, out=report,
                                  mapping=mapping_path, complete=complete)
    except MadoguchiError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise _as_sent(exc, names) from None
    except BaseException:  # not bad input, but nothing of the upload stays behind either
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return _remember(rt, request_id, request, summary)


def _recorded_run(rt: Runtime, report: Path) -> dict[str, Any] | None:
    with rt.uow(read_only=True) as uow:
        run = uow.reconcile.last_run_with_report(str(report))
    return None if run is None else json.loads(run.summary) | {"run_id": run.id}


def _remember(rt: Runtime, request_id: str, request: dict[str, Any], summary: dict[str, Any]) -> dict[str, Any]:
    with rt.uow() as uow:
        uow.remember(request_id, OPERATION, request, summary, rt.clock())
        uow.commit()
    return summary


def _run_view(r: RunRecord, names: dict[str, str]) -> dict[str, Any]:
    """A run as the page shows it: ``ran_by`` the login (the key), ``ran_by_name`` the person's name."""
    summary = json.loads(r.summary)
    return {"id": r.id, "month": r.month, "ran_at": r.ran_at.astimezone(JST).isoformat(timespec="minutes"),
            "ran_by": r.ran_by, "ran_by_name": names.get(r.ran_by, r.ran_by), "complete": r.complete,
            "transfer_amount": r.transfer_amount, "counts": summary.get("counts", {}),
            "statements": json.loads(r.statements)}




def list_runs(rt: Runtime, *, actor: Actor, month: str | None = None) -> list[dict[str, Any]]:
    may_read_runs(actor)
    with rt.uow(read_only=True) as uow:
        runs = uow.reconcile.runs(month=str(Month.parse(month)) if month else None, limit=200)
        names = uow.reconcile_books.display_names(r.ran_by for r in runs)
    return [_run_view(r, names) for r in runs]


def get_run(rt: Runtime, *, run_id: int, actor: Actor) -> dict[str, Any]:
    may_reconcile(actor)
    check_run_id(run_id)
    may_read_runs(actor)
    with rt.uow(read_only=True) as uow:
        run = uow.reconcile.run(run_id)
        if run is None:
            raise NotFound(f"no reconciliation run {run_id}")
        names = uow.reconcile_books.display_names([run.ran_by])
    return _run_view(run, names) | {"summary": json.loads(run.summary)}


def run_file(rt: Runtime, *, run_id: int, which: str, actor: Actor) -> Path:
    """The run's workbook (``report``) or matched-rows CSV (``matched``), as written."""
    run = get_run(rt, run_id=run_id, actor=actor)
    summary = run["summary"]
    path = Path(summary["report"] if which == "report" else summary["matched_csv"])
    if not path.is_file():
        raise NotFound(f"the {which} file of run {run_id} is no longer at {path}")
    return path
