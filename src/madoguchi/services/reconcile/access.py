"""Who may run and read the close of month, and which run numbers can exist.

The close of month is the city's: reading it is for the accounting section and supervisors,
running it for the accounting section, and both only for staff of every site.
"""
from __future__ import annotations

from madoguchi.domain.auth import Action, Actor
from madoguchi.errors import NotFound

#: The largest run number the column holds (a 32-bit integer on PostgreSQL).
MAX_RUN_ID = 2**31 - 1


def may_reconcile(actor: Actor) -> None:
    """Reading the close of month: the accounting section's, and supervisors' (who follow up
    the open incidents). Running it is the accounting section's alone (``reconcile_month``)."""
    if not (actor.may(Action.ACCOUNT) or actor.may(Action.APPROVE)):
        actor.require(Action.ACCOUNT)


#: What a site-limited role is refused: the runs, their summaries and reports are the city's.
CITY_WIDE = "the close of month"


def may_read_runs(actor: Actor) -> None:
    """The runs, their summaries and reports: as :func:`may_reconcile`, and every site."""
    may_reconcile(actor)
    actor.require_all_sites(CITY_WIDE)


def check_run_id(run_id: int) -> None:
    """A number no run can have is no run: a 404, never the database's overflow (a 500)."""
    if not 0 < run_id <= MAX_RUN_ID:
        raise NotFound(f"no reconciliation run {run_id}")
