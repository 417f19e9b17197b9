"""Roles and what each may do, per site."""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from madoguchi.errors import PermissionDenied


class Role(StrEnum):
    CASHIER = "cashier"
    SUPERVISOR = "supervisor"
    ACCOUNTANT = "accountant"
    ADMIN = "admin"


class Action(StrEnum):
    SELL = "sell"                    # create, edit, hand off, cancel before payment
    PAY = "pay"                      # drive a payment station
    APPROVE = "approve"              # refunds, cash for in-doubt sales, incidents, cash in/out
    VIEW = "view"
    ACCOUNT = "account"              # closes and reconciliation
    ADMINISTER = "administer"


_ALLOWED: dict[Role, frozenset[Action]] = {
    Role.CASHIER: frozenset({Action.SELL, Action.PAY, Action.VIEW}),
    Role.SUPERVISOR: frozenset({Action.SELL, Action.PAY, Action.VIEW, Action.APPROVE}),
    Role.ACCOUNTANT: frozenset({Action.VIEW, Action.ACCOUNT}),
    Role.ADMIN: frozenset(Action),
}

ALL_SITES = "*"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting: a staff member (or the system) with a role and the sites they serve."""

    login: str
    role: Role
    sites: frozenset[str]

    def may(self, action: Action, site: str | None = None) -> bool:
        if action not in _ALLOWED[self.role]:
            return False
        return site is None or ALL_SITES in self.sites or site in self.sites

    @property
    def serves_all_sites(self) -> bool:
        return ALL_SITES in self.sites

    def require_all_sites(self, what: str) -> None:
        """What belongs to the whole city (the close of month: every site's money against one
        statement) is for staff who serve every site; a site-limited role may not see it."""
        if not self.serves_all_sites:
            raise PermissionDenied(f"{what} covers every site; {self.login} serves only "
                                   f"{', '.join(sorted(self.sites)) or 'no site'}",
                                   code="all_sites_required")

    def require(self, action: Action, site: str | None = None) -> None:
        if action not in _ALLOWED[self.role]:
            raise PermissionDenied(f"{self.login} ({self.role.value}) may not {action.value}",
                                   code="not_allowed", params={"role": self.role.value, "action": action.value})
        if not self.may(action, site):
            raise PermissionDenied(f"{self.login} does not serve site {site!r}",
                                   code="site_not_served", params={"site": site or ""})


SYSTEM = Actor("system", Role.ADMIN, frozenset({ALL_SITES}))
