"""Exports made from inside the app go to the exports folder beside the records."""

from __future__ import annotations

import datetime as dt
import json
import os
import stat

import pytest

from smallhousing.services import app_exports
from smallhousing.services import complaints as C


def test_the_log_and_every_record_are_written_beside_the_records(db, setup):
    C.log_complaint(db, setup.resident, dt.date(2026, 2, 27), "Fence blown down")
    log = app_exports.export_to_folder(db, "csv")
    assert log.path == db.path.parent / "exports" / "complaints-log-2026-03-02.csv"
    assert log.complaints == 1 and "Fence blown down" in log.path.read_text(encoding="utf-8-sig")
    assert log.summary() == f"Exported 1 complaint to {log.path}."
    everything = app_exports.export_to_folder(db, "json")
    assert everything.path.name == "all-records-2026-03-02.json"
    data = json.loads(everything.path.read_text(encoding="utf-8"))
    assert len(data["tables"]["complaint"]) == 1
    assert everything.records == sum(len(rows) for rows in data["tables"].values())
    if os.name == "posix":  # residents' personal data: the owner's only
        assert stat.S_IMODE(everything.path.stat().st_mode) == 0o600
    # a second export the same day replaces the first
    C.log_complaint(db, setup.resident, dt.date(2026, 2, 28), "Damp in the bedroom")
    again = app_exports.export_to_folder(db, "csv")
    assert again.path == log.path and again.complaints == 2
    with pytest.raises(ValueError):
        app_exports.export_to_folder(db, "pdf")
