"""Exports made from inside the app, into the exports folder beside the records.

The command line names its own file (``smallhousing export FILE``); the app writes to
``exports/`` beside the database (paths.exports_dir), one file per kind and day:
``complaints-log-YYYY-MM-DD.csv`` (for a spreadsheet; the import reads it back) or
``all-records-YYYY-MM-DD.json`` (every record; a full import into an empty database reads it back).
A second export of the same kind on the same day replaces the first: it holds nothing that is not
in the records. The files are written through services/transfer.py and services/outputs.py (private,
whole or not at all, never over the database or a backup).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .. import paths

KINDS = ("csv", "json")


@dataclass(frozen=True)
class Exported:
    path: Path
    complaints: int
    records: int  # every row of every table for the JSON export; the complaints for the CSV log

    def summary(self) -> str:
        n = self.complaints
        what = f"{n} complaint{'s' if n != 1 else ''}"
        if self.path.suffix == ".json":
            what += f", {self.records} records in all"
        return f"Exported {what} to {self.path}."


def export_to_folder(db, kind: str) -> Exported:
    """Write the complaints log (``kind`` "csv") or every record ("json") into the exports folder."""
    from . import transfer

    if kind not in KINDS:
        raise ValueError(f"unknown export kind {kind!r}")
    folder = paths.make_private_dir(paths.exports_dir(Path(db.path)))
    stamp = db.today.isoformat()
    if kind == "csv":
        path = folder / f"complaints-log-{stamp}.csv"
        n = transfer.export_csv(db, path, overwrite=True)
        return Exported(path, n, n)
    path = folder / f"all-records-{stamp}.json"
    counts = transfer.export_json(db, path, overwrite=True)
    return Exported(path, counts.get("complaint", 0), sum(counts.values()))
