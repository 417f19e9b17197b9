"""A staff member's name as the staff pages greet them."""
from __future__ import annotations

from madoguchi.services.runtime import Runtime


def display_name(rt: Runtime, login: str) -> str:
    """The display name of ``login`` (the login itself if the account has none)."""
    with rt.uow(read_only=True) as uow:
        return uow.screens.staff_name(login) or login
