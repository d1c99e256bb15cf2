"""Every file location the app uses, in one place.

The database is one SQLite file. By default it lives in the user's data folder; ``--db PATH`` or
the SMALLHOUSING_DB environment variable choose another. Letters and backups live beside it.

A team's database on PostgreSQL is named by a URL instead (``--db postgresql://user@host/dbname``).
What is kept beside a SQLite file (letters, reports, backups, error reports, the audit key and
head) is then kept in a local folder of its own in the data folder, named from the server's host,
port and the database's name (``postgres_home``); never from a user name or password.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV_DB = "SMALLHOUSING_DB"


def data_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_path("smallhousing"))


def cache_dir() -> Path:
    """Files that can be made again at any time (the bank-holiday table)."""
    import platformdirs

    return Path(platformdirs.user_cache_path("smallhousing"))


def default_db_path() -> Path:
    return data_dir() / "smallhousing.db"


POSTGRES_SCHEMES = ("postgresql://", "postgres://", "postgresql+psycopg://")


def is_postgres_url(target: object) -> bool:
    """Whether ``target`` (what --db or SMALLHOUSING_DB gave) names a PostgreSQL database."""
    return isinstance(target, str) and target.strip().lower().startswith(POSTGRES_SCHEMES)


def resolve_db(given: str | os.PathLike | None = None) -> Path | str:
    """The database to use: a file's path, or a PostgreSQL URL as given (a str).

    --db wins, then SMALLHOUSING_DB, then the data folder."""
    for target in (given, os.environ.get(ENV_DB)):
        if target:
            if is_postgres_url(target):
                return str(target).strip()
            return Path(target).expanduser()
    return default_db_path()


def resolve_db_path(given: str | os.PathLike | None = None) -> Path:
    """--db wins, then SMALLHOUSING_DB, then the data folder. For a PostgreSQL URL: where the
    files that go with it are kept (``local_path``), so that every folder below works for both."""
    return local_path(resolve_db(given))


def local_path(target: str | os.PathLike) -> Path:
    """The path whose folder and side files (``<path>.audit-key`` ...) go with a database: the file
    itself for SQLite, a name inside ``postgres_home`` for a PostgreSQL URL (no file is there)."""
    if is_postgres_url(target):
        from urllib.parse import urlsplit

        u = urlsplit(str(target))
        name = u.path.lstrip("/") or "postgres"
        return postgres_home(u.hostname or "", u.port, name) / _safe(name)
    return Path(target)


def _safe(text: str) -> str:
    import re

    return re.sub(r"[^A-Za-z0-9._-]", "_", text).strip(".") or "_"


def postgres_home(host: str, port: int | None, dbname: str) -> Path:
    """The local folder for a PostgreSQL database: letters, reports, error reports, the audit key
    and head. Named from host, port and database name only (never a user name or password); a
    server reached through a local socket is ``local``."""
    where = host if host and not host.startswith("/") else "local"
    return data_dir() / "postgres" / _safe(f"{where}-{port or 5432}-{dbname}")


def demo_db_path(db_path: Path) -> Path:
    """The demo copy that goes with the database at ``db_path``: made-up records in a file of its
    own, in a folder of its own inside the data folder (``demo/demo.db``), so that its letters,
    reports, backups and error reports are never mixed with the landlord's own."""
    return folder_for(db_path) / "demo" / "demo.db"


def is_demo_copy_path(db_path: Path) -> bool:
    """Whether ``db_path`` is where some database's demo copy goes (demo/demo.db)."""
    p = Path(db_path).resolve()
    return p == demo_db_path(p.parent.parent / "smallhousing.db")


def last_used_path(db_path: Path) -> Path:
    """Which of the two files the app was last used on: the word ``demo`` while the demo copy is
    in use (the app reopens it until the user leaves it), ``real`` otherwise. Kept beside the
    database, as its audit files are."""
    return Path(str(Path(db_path).resolve()) + ".last-used")


def folder_for(db_path: Path) -> Path:
    """The folder that keeps a database's letters, backups and exports: beside the file."""
    return Path(db_path).resolve().parent


def letters_dir(db_path: Path) -> Path:
    return folder_for(db_path) / "letters"


def attachments_dir(db_path: Path) -> Path:
    """Files received and kept on records (services/attachments.py): one file per content, named
    by its SHA-256. Make it with make_private_dir (0700)."""
    return folder_for(db_path) / "attachments"


def reports_dir(db_path: Path) -> Path:
    return folder_for(db_path) / "reports"


def backups_dir(db_path: Path) -> Path:
    return folder_for(db_path) / "backups"


def exports_dir(db_path: Path) -> Path:
    """Exports made from inside the app (the command palette's Export commands)."""
    return folder_for(db_path) / "exports"


def errors_dir(db_path: Path) -> Path:
    """Reports of faults inside smallhousing (kinds of error and where, never record text): kept
    beside the database, never in the system's temporary folder."""
    return folder_for(db_path) / "errors"


def audit_head_path(db_path: Path) -> Path:
    """The audit log's head (last entry, its hash, how many entries), kept outside the database
    file so that deleting the newest entries shows (services/audit_anchor.py)."""
    return Path(str(Path(db_path).resolve()) + ".audit-head")


def audit_key_path(db_path: Path) -> Path:
    """The secret key the audit log's hashes are made with (HMAC-SHA256), kept outside the database
    file so that the chain cannot be made again without it (services/audit_anchor.py)."""
    return Path(str(Path(db_path).resolve()) + ".audit-key")


def make_private_dir(path: Path) -> Path:
    """Create a folder readable by its owner only (0700 on POSIX).

    A folder that already exists is left exactly as it is: it may be one the user chose, such as
    their documents folder or /tmp, whose permissions are theirs to set.
    """
    path = Path(path)
    if path.exists():
        return path
    path.mkdir(parents=True, exist_ok=True)
    try:
        os.chmod(path, 0o700)
    except OSError:
        pass
    return path


def make_private_file(path: Path) -> None:
    """Take away every permission of group and others (0600 for a file we made).

    Never adds one: a file the owner made read-only (0444) becomes 0400, not writable.
    """
    try:
        mode = os.stat(path).st_mode & 0o600
        os.chmod(path, mode)
    except OSError:
        pass
