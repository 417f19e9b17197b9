"""Verify the journal: recompute the chain and name the first entry that does not hold."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from madoguchi.adapters.db.journal import iter_entries
from madoguchi.adapters.db.uow import current_head
from madoguchi.domain.journal import ChainBreak, verify_chain
from madoguchi.services.runtime import Runtime


@dataclass(frozen=True)
class Verification:
    entries: int
    broken: ChainBreak | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def verify_journal(uow_factory) -> Verification:  # type: ignore[no-untyped-def]
    with uow_factory() as uow:
        return verify_session(uow.session)


def verify_session(session: Session) -> Verification:
    """Verify the journal as ``session`` reads it (entries in order, then the head)."""
    count = 0
    last_hash = None

    def counted():  # type: ignore[no-untyped-def]
        nonlocal count, last_hash
        for e in iter_entries(session):
            count += 1
            last_hash = e.hash
            yield e

    broken = verify_chain(counted())
    if broken is None:
        head_seq, head_hash = current_head(session)
        if head_seq != count or (count and head_hash != last_hash):
            broken = ChainBreak(count + 1 if head_seq > count else head_seq,
                                f"the journal head says {head_seq} entries but {count} were found "
                                "(entries removed at the end)")
    return Verification(count, broken)


def verify(rt: Runtime) -> Verification:
    return verify_journal(rt.uow)
