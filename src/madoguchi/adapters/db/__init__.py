"""Persistence: SQLAlchemy tables, the unit of work, the journal writer, Alembic migrations."""
