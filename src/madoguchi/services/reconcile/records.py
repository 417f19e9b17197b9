"""What the close of month keeps: imported statements, the incident inquiry log, open cases.

Statements are imported all or nothing (one malformed file among several stores none of
them) and once per content: the same bytes again find the first import, change nothing,
and say so. Every incident can carry an inquiry log (whom we asked, when, what they
answered); the monthly report lists the incidents still open with their age in days and
their last inquiry.
"""
from __future__ import annotations

import datetime as dt
import json
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from madoguchi.adapters.db.repositories.reconcile import StatementImportedMeanwhile
from madoguchi.adapters.files.statement import V1, Layout, LoadedStatement, file_digest_and_encoding, load_statement
from madoguchi.domain.auth import Action, Actor
from madoguchi.domain.receipt import JST, business_date
from madoguchi.domain.reconcile import Month
from madoguchi.domain.reconcile_records import InquiryRecord, NewStatementImport, StatementImportRecord
from madoguchi.errors import BadInput, NotFound
from madoguchi.services.runtime import Runtime

_BATCH = 10_000
UTC = dt.UTC


@dataclass(frozen=True)
class Imported:
    import_id: int
    filename: str
    sha256: str
    rows: int
    new: bool
    message: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def import_statement(rt: Runtime, path: Path, *, layout: Layout = V1, actor: Actor) -> Imported:
    """Import one statement file; the same content twice is imported once."""
    return import_statements(rt, [path], layout=layout, actor=actor)[0]


def import_statements(rt: Runtime, paths: list[Path], *, layout: Layout = V1, actor: Actor) -> list[Imported]:
    """Import statement files all or nothing: every file is read and checked before any is
    stored, so one malformed file among several leaves nothing behind. Content already
    imported (earlier, or twice in this call) is found again and changes nothing."""
    actor.require(Action.ACCOUNT)
    actor.require_all_sites("the close of month")
    from madoguchi.adapters.files.reconcile_engine import connect
    with tempfile.TemporaryDirectory() as tmp:
        connections: list[Any] = []
        try:
            digests = [file_digest_and_encoding(Path(p), layout.encoding)[0] for p in paths]
            loaded: dict[str, tuple[Any, LoadedStatement]] = {}
            for n, (path, digest) in enumerate(zip(paths, digests, strict=True)):
                if digest in loaded or _known(rt, digest) is not None:
                    continue
                work = Path(tmp) / str(n)
                work.mkdir()
                con = connect(work)  # one DuckDB per file: each holds only its own rows
                connections.append(con)
                loaded[digest] = (con, load_statement(con, Path(path), layout=layout, workdir=work))
            for attempt in range(2):
                try:
                    return _store_imports(rt, [Path(p) for p in paths], digests, loaded, layout, actor)
                except StatementImportedMeanwhile:  # the same file imported at the same moment elsewhere
                    if attempt:
                        raise
            raise AssertionError("unreachable")  # pragma: no cover
        finally:
            for con in connections:
                con.close()


def _known(rt: Runtime, digest: str) -> StatementImportRecord | None:
    with rt.uow(read_only=True) as uow:
        return uow.reconcile.statement_import(digest)


def _store_imports(rt: Runtime, paths: list[Path], digests: list[str],
                   loaded: dict[str, tuple[Any, LoadedStatement]], layout: Layout, actor: Actor) -> list[Imported]:
    """One unit of work for all the new files: they are stored together or not at all."""
    done: list[Imported] = []
    with rt.uow() as uow:
        stored: dict[str, StatementImportRecord] = {}
        for path, digest in zip(paths, digests, strict=True):
            known = stored.get(digest) or uow.reconcile.statement_import(digest)
            if known is not None:
                when = known.imported_at.astimezone(JST).strftime("%Y-%m-%d %H:%M")
                done.append(Imported(known.id, path.name, digest, known.rows, False,
                                     f"{path.name}: already imported on {when} as import #{known.id} "
                                     f"({known.filename}); nothing changed"))
                continue
            con, statement = loaded[digest]
            gross, fee, net, first, last = con.execute(
                "SELECT coalesce(sum(gross), 0), coalesce(sum(fee), 0), coalesce(sum(net), 0), min(tx_date), "
                "max(tx_date) FROM statement").fetchone()
            now = rt.clock()
            import_id = uow.reconcile.add_statement_import(NewStatementImport(
                sha256=digest, filename=path.name, layout=layout.name, encoding=statement.encoding,
                rows=statement.rows, gross=int(gross), fee=int(fee), net=int(net), first_day=first, last_day=last,
                imported_at=now, imported_by=actor.login))
            stored[digest] = StatementImportRecord(import_id, digest, path.name, statement.rows, now)
            cursor = con.execute("SELECT line, transaction_at, terminal_id, merchant_reference, "
                                 "processor_reference, brand, kind, gross, fee, net, deposit_date "
                                 "FROM statement ORDER BY line")
            while batch := cursor.fetchmany(_BATCH):
                uow.reconcile.add_statement_lines(
                    import_id, [(row[0], row[1].replace(tzinfo=UTC), *row[2:]) for row in batch])
            done.append(Imported(import_id, path.name, digest, statement.rows, True,
                                 f"{path.name}: imported {statement.rows} rows ({statement.encoding}, "
                                 f"layout {layout.name})"))
        uow.commit()
    return done


def record_inquiry(rt: Runtime, *, incident_id: str, asked_whom: str, asked_at: dt.datetime, actor: Actor,
                   answer: str | None = None, answered_at: dt.datetime | None = None,
                   inquiry_id: str | None = None) -> dict[str, Any]:
    """Log an inquiry about an incident (e.g. to the e-money provider) and, later, its answer.

    ``inquiry_id`` (a client-generated UUID, as the back office sends) makes it idempotent:
    the same id again returns the first record instead of logging a second one.
    """
    asked_whom = (asked_whom or "").strip()
    if not asked_whom:
        raise BadInput("asked_whom: say whom you asked (the provider, the acquirer, the resident)")
    if asked_at.tzinfo is None or (answered_at is not None and answered_at.tzinfo is None):
        raise BadInput("asked_at: inquiry times need a time zone")
    answer = (answer or "").strip() or None

    def work(uow: Any, now: dt.datetime) -> dict[str, Any]:
        site = uow.reconcile.incident_site(incident_id)
        if site is None:
            raise NotFound(f"no incident {incident_id}")
        _may_inquire(actor, site)
        return _inquiry_view(uow.reconcile.add_inquiry(
            incident_id=incident_id, asked_whom=asked_whom[:200], asked_at=asked_at, answer=answer,
            answered_at=answered_at or (now if answer else None), recorded_by=actor.login, recorded_at=now))

    if inquiry_id is not None:
        from madoguchi.services.counter.common import check_client_id, idempotent
        request = {"incident_id": incident_id, "asked_whom": asked_whom, "asked_at": asked_at.isoformat(),
                   "answer": answer, "answered_at": answered_at.isoformat() if answered_at else None}
        return idempotent(rt, check_client_id(inquiry_id, what="inquiry id"), "record_inquiry", request, work)
    with rt.uow() as uow:
        view = work(uow, rt.clock())
        uow.commit()
        return view


def _may_inquire(actor: Actor, site: str) -> None:
    if not (actor.may(Action.ACCOUNT, site) or actor.may(Action.APPROVE, site)):
        actor.require(Action.APPROVE, site)


def inquiries(rt: Runtime, incident_id: str, *, actor: Actor | None = None) -> list[dict[str, Any]]:
    """The inquiry log of one incident, oldest first (``actor``: checked against its site)."""
    with rt.uow(read_only=True) as uow:
        if actor is not None:
            site = uow.reconcile.incident_site(incident_id)
            if site is None:
                raise NotFound(f"no incident {incident_id}")
            _may_inquire(actor, site)
        return [_inquiry_view(r) for r in uow.reconcile.inquiries([incident_id])]


def _inquiry_view(r: InquiryRecord) -> dict[str, Any]:
    def iso(t: dt.datetime | None) -> str | None:
        return t.astimezone(JST).isoformat(timespec="minutes") if t else None
    return {"incident_id": r.incident_id, "asked_whom": r.asked_whom, "asked_at": iso(r.asked_at),
            "answer": r.answer, "answered_at": iso(r.answered_at), "recorded_by": r.recorded_by}


def open_incidents(rt: Runtime, *, actor: Actor | None = None) -> list[dict[str, Any]]:
    """Every incident still open, oldest first, with its age in days and its last inquiry
    (``actor``: only those of the sites they may see)."""
    today = business_date(rt.clock())
    with rt.uow(read_only=True) as uow:
        rows = uow.reconcile.open_incidents()
        last = {q.incident_id: _inquiry_view(q) for q in uow.reconcile.inquiries([i.id for i in rows])}
        return [{"id": i.id, "kind": i.kind, "site": i.site, "station": i.station, "brand": i.brand,
                 "amount": i.amount, "request_id": i.request_id, "summary": i.summary,
                 "opened_at": i.opened_at.astimezone(JST).isoformat(timespec="minutes"),
                 "age_days": (today - business_date(i.opened_at)).days, "last_inquiry": last.get(i.id)}
                for i in rows if actor is None or actor.may(Action.VIEW, i.site)]


def daily_sheets(rt: Runtime, month: Month) -> dict[tuple[dt.date, str], int] | None:
    """Cashless totals of the closed daily sheets (close of day), per (day, site); ``None`` if not available.

    Reads the figures frozen at each site's close (``day_closes``, station ``*``); a site-day
    not closed is absent, so the three-way check shows it as 未締め, not as zero. The sheet's
    cashless is its cashless payments less the terminal cancels booked that day: money the
    agent never keeps (a refund by bank transfer is the city's own payment, and the agent's
    statement still carries the sale).
    """
    with rt.uow(read_only=True) as uow:
        closes = uow.reconcile_books.closed_days(month.first, month.last)
    if closes is None:  # the close of day is not installed
        return None
    totals: dict[tuple[dt.date, str], int] = {}
    for day, site, figures in closes:
        by_category = json.loads(figures or "{}").get("by_category", {})
        cashless = sum(int(by_category.get(c, {}).get("amount", 0)) for c in ("emoney", "credit", "qr"))
        cancelled = json.loads(figures or "{}").get("refunds_by_method", {}).get("terminal_cancel", {})
        cashless -= int(cancelled.get("amount", 0))
        totals[(day, site)] = totals.get((day, site), 0) + cashless
    return totals
