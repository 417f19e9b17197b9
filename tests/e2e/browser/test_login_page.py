"""The login page in a real browser: logging in from a link whose ``next`` names another host
stays on this site (the browser's own URL parser decides where ``location.href`` goes), and a
locked account is told until when, in Japanese."""
from __future__ import annotations

import re
from pathlib import Path
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


def test_a_locked_account_is_told_until_when_in_japanese(screens: Screens, server: LiveServer,
                                                          tmp_path: Path) -> None:
    server.rt.settings.login_key_file = tmp_path / "login.key"
    page = screens.blank("login")
    page.goto("/login")
    for _ in range(6):
        page.fill("#login", "cashier")
        page.fill("#password", "not-the-password")
        page.click("#login-submit")
        page.wait_for_selector("#login-submit:not([disabled])")
    text = page.inner_text("#login-error")
    assert re.fullmatch(r"ログインの失敗が続いたため、このアカウントは "
                        r"((?:\d+月\d+日 )?\d{2}:\d{2}) までロックされています。"
                        r"\1 を過ぎてからもう一度ログインしてください。", text), text
