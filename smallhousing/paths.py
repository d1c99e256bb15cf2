"""Every file location the app uses, in one place.

The database is one SQLite file. By default it lives in the user's data folder; ``--db PATH`` or
the SMALLHOUSING_DB environment variable choose another. Letters and backups live beside it.
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


def resolve_db_path(given: str | os.PathLike | None = None) -> Path:
    """--db wins, then SMALLHOUSING_DB, then the data folder."""
    if given:
        return Path(given).expanduser()
    env = os.environ.get(ENV_DB)
    if env:
        return Path(env).expanduser()
    return default_db_path()


def folder_for(db_path: Path) -> Path:
    """The folder that keeps a database's letters, backups and exports: beside the file."""
    return Path(db_path).resolve().parent


def letters_dir(db_path: Path) -> Path:
    return folder_for(db_path) / "letters"


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
