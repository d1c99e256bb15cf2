"""Report PDFs: the annual complaints report (Code 8.1), the self-assessment and board updates.

The figures come from smallhousing.services.reports; the modules here only lay them out.
reportlab is imported inside the rendering functions, never when this package is imported.
Each ``write_*`` function gathers the figures, renders them and returns the file written.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Callable

Progress = Callable[[int, int], None]


def default_path(db, kind: str, label: str) -> Path:
    """reports/<kind>-<label>.pdf beside the database file."""
    from .. import paths

    folder = paths.make_private_dir(paths.reports_dir(db.path))
    safe = label.replace("/", "-").replace(" ", "-")
    return folder / f"{kind}-{safe}.pdf"


def _target(db, out, kind: str, label: str, overwrite: bool = False):
    """Where the report goes, as an outputs.Target: never over the database or a backup, and over
    an existing file named by ``out`` only with ``overwrite``. The report's own default file in the
    reports folder is made again each time it is asked for (it holds nothing that is not in the
    database), so that one is replaced."""
    from ..services import outputs

    if out:
        from ..domain.errors import DomainError

        path = Path(out).expanduser()
        if path.suffix.lower() != ".pdf":
            raise DomainError(
                f"The report file must end in .pdf, not {path.name!r}; nothing was written.", field="out"
            )
        target = outputs.Target(path, Path(db.path), overwrite)
    else:
        target = outputs.Target(default_path(db, kind, label), Path(db.path), True)
    outputs.check_target(target.path, target.db_path, overwrite=target.overwrite)  # before the work
    return target


def write_annual(
    db, year, out: "str | Path | None" = None, progress: Progress | None = None, *, overwrite: bool = False
) -> Path:
    """The annual complaints performance and service improvement report for a reporting year."""
    from ..domain.years import parse_year, year_label
    from ..services import reports as R
    from . import annual

    y = parse_year(year)
    path = _target(db, out, "annual-complaints-report", year_label(y), overwrite)
    data = R.annual_report(db, y)
    if progress:
        progress(0, 5)
    return annual.render(data, path, (lambda n, t: progress(n + 1, t + 1)) if progress else None)


def write_self_assessment(
    db, year, out: "str | Path | None" = None, progress: Progress | None = None, *, overwrite: bool = False
) -> Path:
    from ..domain.years import parse_year, year_label
    from ..services import reports as R
    from . import assessment

    y = parse_year(year)
    path = _target(db, out, "self-assessment", year_label(y), overwrite)
    data = R.assessment_report(db, y)
    return assessment.render(data, path, progress)


def write_board(
    db,
    start: "dt.date | str",
    end: "dt.date | str",
    out: "str | Path | None" = None,
    progress: Progress | None = None,
    *,
    overwrite: bool = False,
) -> Path:
    from ..services import reports as R
    from . import board

    data = R.board_update(db, start, end)
    f = data.figures
    path = _target(db, out, "board-update", f"{f.start.isoformat()}-to-{f.end.isoformat()}", overwrite)
    return board.render(data, path, progress)


def casefile_path(db, reference: str, made_on: dt.date) -> Path:
    """reports/casefile-<reference>-<day>.pdf beside the database; -2, -3 ... when that name is
    taken (a case file sent is never replaced by a later one)."""
    from .. import paths

    folder = paths.make_private_dir(paths.reports_dir(db.path))
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in reference)
    stem = f"casefile-{safe}-{made_on.isoformat()}"
    path, k = folder / f"{stem}.pdf", 2
    while path.exists():
        path, k = folder / f"{stem}-{k}.pdf", k + 1
    return path


def write_casefile(
    db,
    reference,
    out: "str | Path | None" = None,
    progress: Progress | None = None,
    *,
    overwrite: bool = False,
) -> Path:
    """The complaint's case file for the Housing Ombudsman (services/casefile.py gathers it)."""
    from ..services import casefile as CF
    from ..services import outputs
    from . import casefile

    if out:
        target = _target(db, out, "casefile", str(reference), overwrite)
        data = CF.case_file(db, reference)
    else:
        data = CF.case_file(db, reference)
        target = outputs.Target(casefile_path(db, data.reference, data.made_on), Path(db.path), False)
    if progress:
        progress(1, 6)
    return casefile.render(data, target, (lambda n, t: progress(n + 1, t + 1)) if progress else None)
