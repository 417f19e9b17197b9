"""The changer's contents by denomination as the journal tells them (domain/changer_book.py)."""
from __future__ import annotations

from madoguchi.domain.changer_book import changer_book, count_findings


def _sale(inserted: dict[str, int], change: dict[str, int]) -> tuple[str, dict]:  # type: ignore[type-arg]
    return ("sale_paid", {"method": "cash", "cash_counts": {"inserted": inserted, "change": change}})


def test_the_book_adds_the_float_the_sales_and_the_movements_note_by_note() -> None:
    book = changer_book([
        ("float_loaded", {"counts": {"100": 50, "10": 50}, "machine_before": {}}),
        _sale({"1000": 1}, {"500": 1, "100": 2}),
        ("sale_paid", {"method": "credit"}),  # cashless: no cash moved
        ("cash_in", {"counts": {"500": 4}}),
        ("cash_out", {"counts": {"1000": 1}}),
        ("refund", {"method": "cash", "counts": {"100": 3}}),
    ])
    assert book.opening == ()
    assert {d: n for d, n in book.counts.items() if n} == {500: 3, 100: 45, 10: 50}


def test_a_cash_sale_without_its_counts_makes_the_book_unknown_rather_than_guessed() -> None:
    book = changer_book([("float_loaded", '{"counts": {"100": 50}}'), ("sale_paid", '{"method": "cash"}')])
    assert book.counts is None
    assert count_findings("p1", None, book, {100: 1}) == ()  # the close checks the total only


def test_a_float_into_a_machine_that_was_not_empty_is_an_opening_finding() -> None:
    book = changer_book([("float_loaded", {"counts": {"100": 50}, "machine_before": {"10": 3}})])
    (finding,) = count_findings("p1", "精算機1", book, None)
    assert finding.code == "opening_count_differs" and finding.severity == "warning"
    assert finding.message == "p1, 10 yen: at the opening float the changer held 3, the journal 0"
    assert finding.message_ja == "精算機1 10円: 開始時の釣銭機 3枚、記録上 0枚"


def test_each_denomination_that_differs_at_close_is_its_own_finding() -> None:
    book = changer_book([("float_loaded", {"counts": {"1000": 5, "500": 2}})])
    found = count_findings("p1", None, book, {1000: 4, 500: 4})
    assert [f.message for f in found] == ["p1, 1,000 yen: the changer holds 4, the journal 5",
                                          "p1, 500 yen: the changer holds 4, the journal 2"]
