"""The schema Alembic's migrations build is the one the models describe, on both databases.

An index added to a model but not to a migration (or the other way round) would exist
in tests built from the models and be missing on every real installation.
"""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from madoguchi.adapters.db import close_tables, reconcile_tables, refund_tables, tables, training_tables  # noqa: F401 - all models
from madoguchi.adapters.db.engine import make_engine
from madoguchi.adapters.db.migrate import upgrade


def test_the_migrated_schema_matches_the_models(db_url):
    engine = make_engine(db_url)
    upgrade(engine)
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), tables.Base.metadata)
    engine.dispose()
    assert differences == []


def test_reading_a_sale_uses_the_lines_index_not_a_scan(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'plan.db'}")
    upgrade(engine)
    from madoguchi.adapters.db.counter_rows import statement
    sql = str(statement("sale", "sqlite").compile(dialect=engine.dialect))
    with engine.connect() as conn:
        cursor = conn.connection.driver_connection.execute("EXPLAIN QUERY PLAN " + sql, ("x",))
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    engine.dispose()
    assert "USING INDEX ix_sale_lines_sale_position" in plan and "SCAN sale_lines" not in plan
