"""Money, the transition tables, pricing, the catalog, 和暦 dates and the journal chain."""
from __future__ import annotations

import datetime as dt

import pytest

from madoguchi.domain.catalog import parse_catalog
from madoguchi.domain.journal import GENESIS_HASH, JournalEntry, entry_hash, verify_chain
from madoguchi.domain.money import format_yen, make_change, yen
from madoguchi.domain.receipt import wareki
from madoguchi.domain.sale import (
    PAYMENT_TRANSITIONS,
    SALE_TRANSITIONS,
    Exemption,
    PaymentState,
    SaleState,
    payment_transition,
    price_line,
    sale_transition,
)
from madoguchi.errors import BadInput, InvalidTransition


@pytest.mark.parametrize("bad", [1.0, 300.5, True, "12.5", "abc", None, [300]])
def test_an_amount_is_never_a_float_or_a_fraction(bad):
    with pytest.raises(BadInput):
        yen(bad)


def test_an_amount_may_be_written_with_thousands_separators():
    assert yen("1,300") == 1300 and yen(450) == 450 and format_yen(-1300) == "-¥1,300"


def test_change_is_made_from_what_the_machine_holds_even_when_greedy_would_fail():
    assert make_change(60, {50: 0, 10: 10}) == {10: 6}
    assert make_change(6000, {5000: 1, 2000: 3}) == {2000: 3}
    assert make_change(7, {5: 1, 1: 1}) is None
    assert make_change(0, {}) == {}


def test_every_sale_transition_not_in_the_table_is_refused():
    for current in SaleState:
        for target in SaleState:
            if target in SALE_TRANSITIONS[current]:
                assert sale_transition(current.value, target) is target
            else:
                with pytest.raises(InvalidTransition):
                    sale_transition(current.value, target)


def test_every_payment_transition_not_in_the_table_is_refused():
    for current in PaymentState:
        for target in PaymentState:
            if target in PAYMENT_TRANSITIONS[current]:
                payment_transition(current.value, target)
            else:
                with pytest.raises(InvalidTransition):
                    payment_transition(current.value, target)


def test_a_paid_sale_can_only_be_refunded():
    assert SALE_TRANSITIONS[SaleState.PAID] == {SaleState.REFUNDED}


SAMPLE = {
    "revenue_lines": [{"code": "R1", "name": "戸籍手数料"}],
    "fees": [
        {"code": "koseki", "name_ja": "戸籍謄本", "name_en": "Family register", "amount": 450,
         "revenue_line": "R1", "department": "市民課", "exemptible": True,
         "effective_from": dt.date(2020, 4, 1)},
        {"code": "koseki", "name_ja": "戸籍謄本", "name_en": "Family register", "amount": 500,
         "revenue_line": "R1", "department": "市民課", "exemptible": True,
         "effective_from": dt.date(2027, 4, 1)},
    ],
}


def test_the_catalog_gives_the_price_in_force_on_the_day():
    catalog = parse_catalog(SAMPLE)
    assert catalog.item("koseki", dt.date(2026, 11, 2)).amount == 450
    assert catalog.item("koseki", dt.date(2027, 4, 1)).amount == 500


@pytest.mark.parametrize("field,value,message", [
    ("amount", 450.0, "whole number"),
    ("amount", -1, "out of range"),
    ("revenue_line", "R9", "not defined"),
    ("exemptible", "yes", "must be bool"),
    ("name_zh", "", "non-empty text"),
    ("name_ko", 3, "non-empty text"),
])
def test_a_bad_catalog_entry_is_named(field, value, message):
    data = {**SAMPLE, "fees": [{**SAMPLE["fees"][0], field: value}]}
    with pytest.raises(BadInput, match=message) as err:
        parse_catalog(data, source="city.toml")
    assert "city.toml: fees #1 (koseki)" in err.value.message


def test_chinese_and_korean_fee_names_are_optional():
    plain = parse_catalog(SAMPLE).item("koseki", dt.date(2026, 1, 1))
    assert (plain.name_zh, plain.name_ko) == (None, None)
    named = parse_catalog({**SAMPLE, "fees": [{**SAMPLE["fees"][0], "name_zh": "户籍誊本", "name_ko": "호적등본"}]})
    assert named.item("koseki", dt.date(2026, 1, 1)).name_ko == "호적등본"


def test_the_sample_catalog_names_every_fee_in_the_four_station_languages():
    from madoguchi.adapters.files.toml_files import load_catalog
    from madoguchi.config import DATA_DIR
    for item in load_catalog(DATA_DIR / "catalog.toml").items:
        assert item.name_ja and item.name_en and item.name_zh and item.name_ko, item.code


def test_an_exemption_zeroes_the_price_and_other_needs_a_text():
    item = parse_catalog(SAMPLE).item("koseki", dt.date(2026, 1, 1))
    line = price_line(item, quantity=2, exemption=Exemption.PUBLIC_ASSISTANCE)
    assert (line.amount, line.list_price) == (0, 450)
    with pytest.raises(BadInput, match="needs a text"):
        price_line(item, quantity=1, exemption=Exemption.OTHER)
    with pytest.raises(BadInput, match="quantity"):
        price_line(item, quantity=0)


@pytest.mark.parametrize("day,text", [
    (dt.date(2026, 11, 24), "令和8年11月24日"),
    (dt.date(2019, 5, 1), "令和元年5月1日"),
    (dt.date(2019, 4, 30), "平成31年4月30日"),
])
def test_wareki_dates(day, text):
    assert wareki(day) == text


def _chain(n: int) -> list[JournalEntry]:
    entries, prev = [], GENESIS_HASH
    for seq in range(1, n + 1):
        fields = dict(seq=seq, kind="sale_paid", occurred_at="2026-11-02T00:30:00+00:00",
                      business_date="2026-11-02", site="honcho", station="honcho-p1", actor="cashier",
                      sale_id=None, amount=300 * seq, data='{"method":"cash"}', prev_hash=prev)
        prev = entry_hash(**fields)
        entries.append(JournalEntry(**fields, hash=prev))
    return entries


def test_a_whole_chain_verifies():
    assert verify_chain(_chain(5)) is None


def test_one_changed_field_breaks_the_chain_at_that_entry():
    entries = _chain(5)
    entries[2] = JournalEntry(**{**{f: getattr(entries[2], f) for f in entries[2].__slots__}, "amount": 901})
    broken = verify_chain(entries)
    assert broken is not None and broken.seq == 3 and "altered" in broken.reason


def test_a_removed_entry_is_found():
    entries = _chain(5)
    del entries[1]
    broken = verify_chain(entries)
    assert broken is not None and broken.seq == 3
