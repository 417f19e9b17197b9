"""The driver's parameters for a statement are what the statement, compiled, asks for.

``Prepared.parameters`` works out once per statement which values need their type's
processing and picks them in the statement's order with one ``itemgetter``. Every counter
statement, on both dialects, with values given, left to their fixed defaults or overriding
them, must come out as a plain reading of the compiled statement gives them."""
from __future__ import annotations

import datetime as dt
import random
from typing import Any, cast

import pytest
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.compiler import SQLCompiler

from madoguchi.adapters.db.counter_rows import _STATEMENTS, statement
from madoguchi.adapters.db.driver import Prepared

VALUES = (1, "x", None, True, dt.date(2026, 11, 2), dt.datetime(2026, 11, 2, 0, 30, tzinfo=dt.UTC))


def _plain(compiled: SQLCompiler, fixed: dict[str, Any], dialect: Any, values: dict[str, Any]) -> Any:
    """Each parameter in the compiled statement's order: the value given (through its type's
    bind processing), else the statement's fixed value (already processed)."""
    positional = dialect.positional and compiled.positiontup is not None
    names = compiled.positiontup if positional else list(compiled.binds)

    def value(key: str) -> Any:
        if key not in values:
            return fixed[key]
        process = compiled.binds[key].type.dialect_impl(dialect).bind_processor(dialect)
        return values[key] if process is None else process(values[key])

    return tuple(value(k) for k in names) if positional else {k: value(k) for k in names}


def _outcome(make: Any, *args: Any) -> Any:
    try:
        return make(*args)
    except Exception:  # a value missing, or refused by its type's processing: both ways refuse
        return "refused"


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.psycopg.dialect()], ids=["sqlite", "postgresql"])
@pytest.mark.parametrize("name", [*_STATEMENTS, "day_insert"])
def test_the_parameters_are_those_the_compiled_statement_asks_for(name: str, dialect: Any) -> None:
    stmt = statement(name, dialect.name)
    p = Prepared(stmt, dialect)
    compiled = cast(SQLCompiler, stmt.compile(dialect=dialect))
    rng = random.Random(name)
    for _ in range(30):
        values = {k: rng.choice(VALUES) for k in compiled.binds if k not in p.fixed or rng.random() < 0.3}
        if rng.random() < 0.1 and values:
            values.pop(rng.choice(list(values)))  # a value missing: both ways refuse it
        # (``parameters`` processes the caller's dict in place: each way gets its own copy.)
        assert _outcome(p.parameters, dict(values)) == _outcome(_plain, compiled, p.fixed, dialect, values)
