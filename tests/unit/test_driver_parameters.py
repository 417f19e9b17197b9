"""The driver's fast way to a statement's parameters gives exactly what the plain way gives.

``Prepared.parameters`` takes the caller's values in one ``itemgetter`` call when it can
(every value given, no fixed value overridden) and falls back to the general loop
otherwise. Every counter statement, on both dialects, with values given, left to their
fixed defaults or overriding them, must come out the same both ways."""
from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from sqlalchemy.dialects import postgresql, sqlite

from madoguchi.adapters.db.counter_rows import _STATEMENTS, statement
from madoguchi.adapters.db.driver import Prepared

VALUES = (1, "x", None, True, dt.date(2026, 11, 2), dt.datetime(2026, 11, 2, 0, 30, tzinfo=dt.UTC))


def _general(p: Prepared, values: dict[str, Any]) -> Any:
    fixed = p.fixed
    if p.positional:
        return tuple((values[k] if q is None else q(values[k])) if k in values else fixed[k] for k, q in p.plan)
    return {k: (values[k] if q is None else q(values[k])) if k in values else fixed[k] for k, q in p.plan}


def _outcome(make: Any, p: Prepared, values: dict[str, Any]) -> Any:
    try:
        return make(p, values)
    except Exception as exc:  # a processor refusing a value: both ways must refuse it alike
        return type(exc)


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.psycopg.dialect()], ids=["sqlite", "postgresql"])
@pytest.mark.parametrize("name", [*_STATEMENTS, "day_insert"])
def test_the_fast_parameters_equal_the_general_ones(name: str, dialect: Any) -> None:
    p = Prepared(statement(name, dialect.name), dialect)
    rng = random.Random(name)
    for _ in range(30):
        values = {k: rng.choice(VALUES) for k, _ in p.plan if k not in p.fixed or rng.random() < 0.3}
        if rng.random() < 0.1 and values:
            values.pop(rng.choice(list(values)))  # a value missing: both ways refuse it
        assert _outcome(Prepared.parameters, p, values) == _outcome(_general, p, values)
