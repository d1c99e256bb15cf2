"""The demo copy: made-up records to try the app with, in a file of their own.

The landlord's own database is never given demo records by the app: "Try it with demo data" makes
(or opens again) a separate file, ``paths.demo_db_path``, in a folder of its own inside the data
folder, so that its letters, reports and backups stay apart too. That file says it is a demo in its
own records (``LandlordSettings.demo``, audited like any change), and every screen, letter and
report made from it carries a DEMO marker. Which of the two files was last in use is kept in a small
file beside the landlord's database (``paths.last_used_path``), so that starting again reopens the
demo until the user leaves it.

Nothing here imports the ORM at module level: ``file_to_open`` runs at every start, before the
first screen is drawn.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Callable

from .. import paths

REAL, DEMO = "real", "demo"


# which file the app opens ------------------------------------------------------------------------


def last_used(real_path: "str | os.PathLike") -> str:
    """DEMO while the demo copy is in use, REAL otherwise (also when nothing was recorded yet or
    the record cannot be read)."""
    try:
        text = paths.last_used_path(paths.local_path(real_path)).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return REAL
    return DEMO if text == DEMO else REAL


def remember(real_path: "str | os.PathLike", which: str) -> None:
    """Record which file is in use (DEMO or REAL): written whole (a temporary file, then a rename)
    and private (0600). A record that cannot be written is not a reason to stop: the app then
    opens the landlord's own file next time."""
    if which not in (REAL, DEMO):
        raise ValueError(f"which must be {REAL!r} or {DEMO!r}, not {which!r}")
    target = paths.last_used_path(paths.local_path(real_path))
    try:
        paths.make_private_dir(target.parent)
        temp = target.with_name(target.name + ".tmp")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(which + "\n")
        os.replace(temp, target)
    except OSError:
        pass


def file_to_open(real_path: "str | os.PathLike") -> tuple[Path | str, bool]:
    """The file to start the app on for the landlord's database at ``real_path``, and whether it is
    the demo copy: the demo copy while it is the one in use and is there, otherwise the real file.
    A PostgreSQL URL is handed back as it is (its demo copy is a local file all the same)."""
    if paths.is_postgres_url(real_path):
        real_url = str(real_path)
        local = paths.local_path(real_url)
        demo = paths.demo_db_path(local)
        if last_used(local) == DEMO and demo.is_file():
            return demo, True
        return real_url, False
    real = Path(real_path)
    demo = paths.demo_db_path(real)
    if last_used(real) == DEMO and demo.is_file():
        return demo, True
    return real, False


# the mark ----------------------------------------------------------------------------------------


def is_demo(db) -> bool:
    """Whether the records in ``db`` (a Database or a Unit) are marked as made-up demo records.
    Plain SQL: asked as the app starts, before the ORM is imported."""
    from .reads import plain_reading

    with plain_reading(db) as r:
        return bool(r.value("SELECT demo FROM landlord_settings ORDER BY id LIMIT 1"))


def looks_demo(path) -> bool:
    """Whether the SQLite file at ``path`` says it holds demo records, read at once with plain
    sqlite3 before anything is drawn; False when it cannot tell (a server database, an older
    schema): the app then learns it once the file is open."""
    import sqlite3

    if isinstance(path, str) and "://" in path:
        return False
    try:
        con = sqlite3.connect(f"file:{Path(path)}?mode=ro", uri=True, timeout=1)
    except sqlite3.Error:
        return False
    try:
        row = con.execute("SELECT demo FROM landlord_settings ORDER BY id LIMIT 1").fetchone()
        return bool(row and row[0])
    except sqlite3.Error:
        return False
    finally:
        con.close()


def holds_own_records(db) -> bool:
    """Whether ``db`` holds a landlord's own records (set up, or with any resident or complaint)
    and is not marked as a demo: demo records are never added to such a file."""
    from .reads import plain_reading

    with plain_reading(db) as r:
        row = r.rows("SELECT demo, setup_done FROM landlord_settings ORDER BY id LIMIT 1")
        demo, set_up = row[0] if row else (False, False)
        if demo:
            return False
        return bool(
            set_up
            or r.value("SELECT EXISTS (SELECT 1 FROM complaint)")
            or r.value("SELECT EXISTS (SELECT 1 FROM resident)")
        )


def mark_demo(db) -> None:
    """Mark the records in ``db`` as made-up demo records (audited; a Unit joins its transaction)."""
    from .base import transaction, update_fields
    from .settings import _settings_row

    with transaction(db) as u:
        update_fields(u, _settings_row(u), "marked as demo records", demo=True)


def _refuse_own_records(db) -> None:
    from ..domain.errors import DomainError

    if holds_own_records(db):
        raise DomainError(
            f"{db.path} holds records that are not demo records (a landlord's own, or records "
            "typed or imported into it), so no demo records were added to it. Demo records go in "
            "a file of their own: run 'smallhousing demo' without --db, or give --db the name of "
            "a new file."
        )


def fill(
    db, complaints: int = 300, seed: int = 1, progress: Callable[[int, int], None] | None = None
) -> dict:
    """Mark ``db`` as a demo and fill it with made-up records, in one transaction (so a file is
    never left half-filled or filled but unmarked). Refused for a file holding a landlord's own
    records. Returns the counts made (see demo.generate)."""
    from . import demo
    from .base import transaction

    _refuse_own_records(db)
    with transaction(db) as u:
        mark_demo(u)
        return demo.generate(u, complaints=complaints, seed=seed, progress=progress)


def open_demo(
    real_path: "str | os.PathLike",
    complaints: int = 300,
    seed: int = 1,
    progress: Callable[[int, int], None] | None = None,
    *,
    today: dt.date | None = None,
    actor: str | None = None,
) -> dict | None:
    """Make the demo copy that goes with the landlord's database at ``real_path``, unless it is
    there already. Returns the counts made, or None when the copy was already made (it is then
    opened as it was left). The landlord's own file is not opened, read or changed. Given the demo
    copy itself (an empty one: its welcome screen), that file is filled, never a copy of the copy."""
    from ..store.db import Database
    from .queries import is_set_up

    real = Path(real_path)
    where = real if paths.is_demo_copy_path(real) else paths.demo_db_path(real)
    target = Database(where, actor=actor, today=today)
    try:
        target.open()
        if is_demo(target) and is_set_up(target):
            return None
        return fill(target, complaints=complaints, seed=seed, progress=progress)
    finally:
        target.close()
