"""In a real browser (whose URL parser decides where ``location.href`` goes), logging in from
a link whose ``next`` names another host stays on this site."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.e2e.browser.conftest import PASSWORDS, LiveServer, Screens

pytestmark = pytest.mark.browser

#: As a link in a mail would carry them.
LINKS = ["/%5Cevil.example/", "/%09/evil.example/", "//evil.example/", "/%5C%5Cevil.example",
         "/%09%5Cevil.example", "%2F%2Fevil.example", "/%0A/evil.example", "https://evil.example/"]


def test_logging_in_from_a_hostile_link_stays_on_this_site(screens: Screens, server: LiveServer) -> None:
    page = screens.blank("login")
    elsewhere: list[str] = []

    def guard(route: Any) -> None:
        if urlsplit(route.request.url).netloc != urlsplit(server.url).netloc:
            elsewhere.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    page.route("**/*", guard)
    for link in LINKS:
        page.context.clear_cookies()
        page.goto(f"/login?next={link}")
        page.fill("#login", "cashier")
        page.fill("#password", PASSWORDS["cashier"])
        page.click("#login-submit")
        page.wait_for_url(f"{server.url}/register", timeout=5_000)
    assert elsewhere == []
