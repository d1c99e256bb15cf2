"""Reports of faults inside smallhousing, for a bug report, that hold no record text.

A report names the kinds of error and where each happened (file, line, function) and nothing else:
no exception messages (they may echo what was typed), no SQL or its parameters, no local values.
It is written in the errors folder beside the database (paths.errors_dir), 0600, never in the
system's temporary folder.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import traceback
from pathlib import Path

from . import paths


def _chain(exc: BaseException | None):
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)


def describe(exc: BaseException) -> str:
    """The kinds of error and where they happened; nothing a user typed."""
    from . import __version__

    lines = [
        f"smallhousing {__version__} fault report, {dt.datetime.now():%Y-%m-%d %H:%M:%S}",
        f"Python {sys.version.split()[0]} on {sys.platform}",
        "Only the kinds of error and where they happened are kept here: no record text.",
        "",
    ]
    for i, e in enumerate(_chain(exc)):
        kind = type(e)
        lines.append(("" if i == 0 else "which came from ") + f"{kind.__module__}.{kind.__qualname__}")
        for f in traceback.extract_tb(e.__traceback__):
            lines.append(f'  File "{f.filename}", line {f.lineno}, in {f.name}')
        lines.append("")
    return "\n".join(lines)


def write_report(db_path, exc: BaseException) -> Path | None:
    """Write a report for ``exc`` in the errors folder beside ``db_path``; None if it cannot be
    written there (it is then written nowhere)."""
    try:
        folder = paths.make_private_dir(paths.errors_dir(Path(db_path)))
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        target = folder / f"error-{stamp}-{os.getpid()}.txt"
        n = 1
        while target.exists():
            n += 1
            target = folder / f"error-{stamp}-{os.getpid()}-{n}.txt"
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(describe(exc))
        paths.make_private_file(target)
        return target
    except Exception:
        return None


def unexpected_message(exc: BaseException, report: Path | None) -> str:
    where = (
        f"Details (with no record text) are in {report}."
        if report is not None
        else "No details could be saved beside the database."
    )
    return (
        f"smallhousing: something went wrong inside smallhousing ({type(exc).__name__}); "
        f"nothing was half-saved. {where}"
    )
