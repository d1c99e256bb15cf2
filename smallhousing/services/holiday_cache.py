"""Bank holidays from the `holidays` package, kept in a small cache file between runs.

Working out the holidays means importing the package and running its rules, which costs about a
fifth of a second at every start. The dates for 2000-2050 are worked out once per version of the
package and kept in the user's cache folder; the calendar is then handed them. A missing, damaged
or stale file is simply made again.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from pathlib import Path

from ..domain import calendar

FIRST_YEAR, LAST_YEAR = 2000, 2050
_loaded = False


def _package_version() -> str:
    """The installed version of `holidays`, read from the name of its dist-info folder beside it
    (asking importlib.metadata would import the email and zip modules at every start); through
    importlib.metadata when that folder is not where it usually is."""
    import importlib.util

    spec = importlib.util.find_spec("holidays")  # finds it without importing it
    if spec is not None and spec.origin:
        found = list(Path(spec.origin).parent.parent.glob("holidays-*.dist-info"))
        if len(found) == 1:
            return found[0].name[len("holidays-") : -len(".dist-info")]
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("holidays")
    except PackageNotFoundError:  # pragma: no cover - the package is a dependency
        return "unknown"


def cache_file() -> Path:
    from .. import paths

    return paths.cache_dir() / f"bank-holidays-{_package_version()}.json"


def _read(path: Path) -> dict[dt.date, str] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("years") != [FIRST_YEAR, LAST_YEAR]:
            return None
        return {dt.date.fromisoformat(d): n for d, n in data["days"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _write(path: Path, table: dict[dt.date, str]) -> None:
    from .. import paths

    try:
        paths.make_private_dir(path.parent)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".holidays-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(
                {
                    "years": [FIRST_YEAR, LAST_YEAR],
                    "days": {d.isoformat(): n for d, n in sorted(table.items())},
                },
                fh,
            )
        os.replace(tmp, path)
    except OSError:
        pass  # a cache that cannot be written only costs time


def ensure_loaded() -> None:
    """Hand the calendar the bank holidays of 2000-2050, from the cache or freshly worked out."""
    global _loaded
    if _loaded:
        return
    path = cache_file()
    table = _read(path)
    if table is None:
        table = {}
        for year in range(FIRST_YEAR, LAST_YEAR + 1):
            table.update(calendar.bank_holidays(year))
        _write(path, table)
    calendar.use_known_bank_holidays(table, FIRST_YEAR, LAST_YEAR)
    _loaded = True
