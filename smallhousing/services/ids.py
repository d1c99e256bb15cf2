"""The id of a saved row, as an ``int``.

Every table's primary key is declared ``id: Optional[int]``: a row has no id until SQLite gives it
one, when it is flushed. A row read from the database, or flushed, always has its id; ``saved_id``
says so to the type checker, and refuses (as a fault, not a message for the user) a row that was
never saved.
"""

from __future__ import annotations

from typing import Protocol


class _Saved(Protocol):
    @property
    def id(self) -> int | None: ...


def saved_id(row: _Saved) -> int:
    """``row.id``, for a row read from the database or flushed (never None then)."""
    ident = row.id
    if ident is None:
        raise RuntimeError(f"This {type(row).__name__} row has no id: it has not been saved.")
    return ident
