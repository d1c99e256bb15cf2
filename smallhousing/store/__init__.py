"""The store: SQLModel tables, opening the database file, and Alembic migrations."""
