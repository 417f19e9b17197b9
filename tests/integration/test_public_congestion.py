"""窓口混雑状況 over HTTP: open to anyone, nothing about a person, follows the live queue,
cacheable, counted once per few seconds whatever the crowd, and limited per address."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from madoguchi.app import create_app
from madoguchi.services.runtime import Runtime
from madoguchi.web import install
from tests.helpers import handed_off, pay_cash

CACHE_SECONDS = 10  # the default congestion_cache_seconds
SITE_KEYS = {"code", "name", "waiting", "wait_minutes", "lamp", "stations_in_service",
             "seconds_per_payment", "measured"}


@pytest.fixture
def app(rt: Runtime):  # type: ignore[no-untyped-def]
    application = create_app(runtime=rt)
    install(application)
    return application


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app) as c:  # no login: the public is nobody in particular
        yield c


def honcho(board: dict[str, Any]) -> dict[str, Any]:
    return next(s for s in board["sites"] if s["code"] == "honcho")


def fresh(client: TestClient, clock: Any) -> dict[str, Any]:
    """The board as counted now (past the cache's few seconds)."""
    clock.advance(seconds=CACHE_SECONDS)
    r = client.get("/public/congestion.json")
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def test_the_board_follows_the_queue_hand_off_makes_one_waiting_and_paying_makes_none(rt, client, clock, cashier):
    assert honcho(fresh(client, clock))["waiting"] == 0
    sale_id = handed_off(rt, cashier)
    assert honcho(fresh(client, clock))["waiting"] == 1
    pay_cash(rt, cashier, sale_id, [1000])
    site = honcho(fresh(client, clock))
    assert site["waiting"] == 0 and site["wait_minutes"] == 0 and site["lamp"] == "green"


def test_the_json_names_no_sale_amount_or_person(rt, client, clock, cashier):
    sale_id = handed_off(rt, cashier, [("juminhyo", 7)])  # 2,100 yen, by "cashier" at honcho-s1
    board = fresh(client, clock)
    assert set(board) == {"updated_at", "sites"}
    assert {s["code"] for s in board["sites"]} == {s.code for s in rt.places.sites}
    for site in board["sites"]:
        assert set(site) == SITE_KEYS
    values = [v for s in board["sites"] for v in s.values()]
    assert 2100 not in values and "2,100" not in str(values)
    text = client.get("/public/congestion.json").text + client.get("/public/congestion?lang=en").text
    for secret in (sale_id, "2100", "2,100", "cashier", "honcho-s1", "honcho-p1", "juminhyo"):
        assert secret not in text, secret


def test_the_wait_is_the_queue_times_the_fallback_seconds_over_the_stations(rt, client, clock, cashier):
    stations = sum(1 for p in rt.places.payment_stations if p.site == "honcho")
    for _ in range(stations):  # a hand-off claims a free station: one resident each
        handed_off(rt, cashier, station=None)
    site = honcho(fresh(client, clock))
    assert site["stations_in_service"] == stations and site["measured"] is False
    assert site["seconds_per_payment"] == rt.settings.congestion_fallback_seconds == 28
    assert site["waiting"] == stations
    assert site["wait_minutes"] == 1  # stations x 28 s / stations, in minutes rounded up


def test_the_lamp_turns_yellow_and_red_at_the_minutes_the_settings_say(rt, client, clock, cashier):
    assert honcho(fresh(client, clock))["lamp"] == "green"
    handed_off(rt, cashier)  # a one-minute wait
    rt.settings.congestion_yellow_minutes, rt.settings.congestion_red_minutes = 2, 3
    assert honcho(fresh(client, clock))["lamp"] == "green"
    rt.settings.congestion_yellow_minutes = 1
    assert honcho(fresh(client, clock))["lamp"] == "yellow"
    rt.settings.congestion_red_minutes = 1
    assert honcho(fresh(client, clock))["lamp"] == "red"


def test_answers_are_cacheable_and_a_repeat_with_the_etag_is_not_modified(client, clock):
    clock.advance(seconds=CACHE_SECONDS)
    r = client.get("/public/congestion.json")
    assert r.headers["cache-control"] == f"public, max-age={CACHE_SECONDS}"
    assert r.headers["etag"] and r.headers["last-modified"].endswith(" GMT")
    again = client.get("/public/congestion.json", headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304 and again.headers["etag"] == r.headers["etag"]
    page = client.get("/public/congestion")
    assert page.status_code == 200 and page.headers["cache-control"] == f"public, max-age={CACHE_SECONDS}"
    assert client.get("/api/catalog").headers["cache-control"] == "no-store"  # the rest stays uncached


def test_a_crowd_within_a_few_seconds_costs_one_count(app, client, clock, rt, cashier):
    first = client.get("/public/congestion.json").json()
    handed_off(rt, cashier)
    for _ in range(10):
        assert client.get("/public/congestion.json").json() == first  # the same snapshot
    assert app.state.public_board.counts == 1
    clock.advance(seconds=CACHE_SECONDS)
    assert honcho(client.get("/public/congestion.json").json())["waiting"] == 1
    assert app.state.public_board.counts == 2


def test_an_address_past_its_burst_is_told_to_retry_later(rt, client, clock):
    burst = rt.settings.public_rate_burst
    codes = [client.get("/public/congestion.json").status_code for _ in range(burst)]
    assert set(codes) == {200}
    refused = client.get("/public/congestion")
    assert refused.status_code == 429 and refused.json()["error"] == "rate_limited"
    assert int(refused.headers["retry-after"]) >= 1
    clock.advance(seconds=int(refused.headers["retry-after"]))
    assert client.get("/public/congestion.json").status_code == 200


def test_the_page_needs_no_login_and_speaks_japanese_and_english(client):
    ja = client.get("/public/congestion")
    assert ja.status_code == 200 and '<html lang="ja">' in ja.text and "窓口混雑状況" in ja.text
    en = client.get("/public/congestion", params={"lang": "en"})
    assert '<html lang="en">' in en.text and "Counter waiting times" in en.text
    assert client.get("/public/congestion", params={"lang": "xx"}).status_code == 200  # Japanese
