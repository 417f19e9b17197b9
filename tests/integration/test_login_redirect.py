"""After logging in, the login page sends the browser only to a path of this site: every
spelling of another host in ``next`` (backslashes, tabs, doubled slashes, encoded or mixed)
falls back to ``/``."""
from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from madoguchi.app import create_app
from madoguchi.services.runtime import Runtime
from madoguchi.web import install
from madoguchi.web.next_path import same_origin_path

#: ``next`` as it arrives once the query string is decoded.
HOSTILE = [
    "/\\evil.example/", "\\/evil.example/", "/\\/evil.example/", "\\\\evil.example", "/\t/evil.example/",
    "/\t\\evil.example", "/\n/evil.example", "/\r/evil.example", "/ /evil.example", "/\x00/evil.example",
    "/\x0b/evil.example", "/\u3000/evil.example", "/\x85/evil.example", "//evil.example", "///evil.example",
    "//evil.example/%2F..", "https://evil.example/", "https:evil.example", "javascript:alert(1)",
    " /evil.example", "\t//evil.example", "evil.example", "", "/" + "a" * 300,
]
#: The same, as a link in a mail would spell them (percent-encoded, or half of it).
ENCODED = [
    "/%5Cevil.example/", "/%5cevil.example/", "%5C%5Cevil.example", "/%09/evil.example/", "/%09%5Cevil.example",
    "/%0A/evil.example", "/%0d/evil.example", "%2F%2Fevil.example", "/%2Fevil.example", "%2F/evil.example",
    "/%2F%5Cevil.example", "https%3A%2F%2Fevil.example", "/%E3%80%80/evil.example", "/%00/evil.example",
    "%09//evil.example", "/%20/evil.example",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_next_that_names_another_host_falls_back_to_the_home_page(value: str) -> None:
    assert same_origin_path(value) == "/"


@pytest.mark.parametrize("value", ["/", "/office", "/office/reconcile?month=2026-11", "/register#top"])
def test_a_next_that_is_a_path_of_this_site_is_kept(value: str) -> None:
    assert same_origin_path(value) == value


@pytest.fixture
def client(rt: Runtime) -> Any:
    app = create_app(runtime=rt)
    install(app)
    with TestClient(app) as c:
        yield c


def _boot_next(client: TestClient, raw_query: str) -> str:
    page = client.get(f"/login?next={raw_query}")
    assert page.status_code == 200, page.text
    boot = page.text.split('<script type="application/json" id="boot">')[1].split("</script>")[0]
    return str(json.loads(boot)["next"])


def test_the_login_page_keeps_no_encoded_or_mixed_spelling_of_another_host(client: TestClient) -> None:
    kept = {raw: _boot_next(client, raw) for raw in ENCODED}
    assert kept == {raw: "/" for raw in ENCODED}


def test_the_login_page_keeps_a_path_of_this_site(client: TestClient) -> None:
    assert _boot_next(client, "/office/reconcile%3Fmonth%3D2026-11") == "/office/reconcile?month=2026-11"
    assert _boot_next(client, "/office") == "/office"


def test_a_page_that_needs_a_login_sends_its_own_path_encoded(client: TestClient) -> None:
    r = client.get("/office/close", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/office/close"
