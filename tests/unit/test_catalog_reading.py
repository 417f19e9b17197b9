"""Each fee may carry its reading in hiragana, by which the register's key field finds it."""
from __future__ import annotations

import pytest

from madoguchi.adapters.files.toml_files import load_catalog
from madoguchi.config import DATA_DIR
from madoguchi.domain.catalog import parse_catalog
from madoguchi.errors import BadInput
from tests.unit.test_domain import SAMPLE


def test_a_fee_reading_is_kept_and_must_be_hiragana() -> None:
    fee = SAMPLE["fees"][0]
    ok = parse_catalog({**SAMPLE, "fees": [{**fee, "reading": "こせきとうほん"}]})
    assert ok.items[0].reading == "こせきとうほん"
    assert parse_catalog(SAMPLE).items[0].reading is None  # optional
    with pytest.raises(BadInput, match="'reading' must be hiragana") as err:
        parse_catalog({**SAMPLE, "fees": [{**fee, "reading": "コセキ"}]}, source="city.toml")
    assert "city.toml: fees #1 (koseki)" in err.value.message


def test_every_fee_of_the_sample_catalog_has_a_reading() -> None:
    assert all(item.reading for item in load_catalog(DATA_DIR / "catalog.toml").items)
