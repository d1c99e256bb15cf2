"""Erasure erases (issue 13, item 9): a resident's name is gone from every table, from free pages
and the WAL, and (when asked) from the backups; letters in the data folder are deleted, those saved
elsewhere are listed; the audit chain still verifies."""

from __future__ import annotations

import datetime as dt
import sqlite3

from smallhousing import paths
from smallhousing.cli import main
from smallhousing.services import complaints as C
from smallhousing.services import privacy, residents
from smallhousing.services.verify import verify
from smallhousing.store.db import Database

NAME = "Zebedee Quartermaine"


def _everywhere(db, setup, tmp_path):
    r = residents.add_resident(
        db,
        NAME,
        address="7 Quartermaine Court, Ashbury",
        postcode="AB9 9ZZ",
        phone="07700 900123",
        email="zebedee@example.org",
        notes="Zebedee Quartermaine prefers mornings",
    )
    received = dt.date(2026, 1, 5)
    c = C.log_complaint(
        db,
        r.id,
        received,
        f"{NAME}: the gutter leaks on my door",
        channel="letter",
        outcome_sought="Mr Quartermaine wants it fixed",
    )
    C.acknowledge(
        db, c.id, f"Gutter over {NAME}'s door", handler_id=setup.alice, on=received + dt.timedelta(days=2)
    )
    C.respond(
        db,
        c.id,
        "upheld",
        "We told Mr Quartermaine the gutter was not cleared.",
        remedy_statement="An apology to Mr Quartermaine.",
        on=received + dt.timedelta(days=7),
    )
    C.close(db, c.id, on=received + dt.timedelta(days=9))
    letters = paths.letters_dir(db.path)
    letters.mkdir(parents=True, exist_ok=True)
    inside = letters / "ack-quartermaine.pdf"
    inside.write_bytes(b"%PDF Zebedee Quartermaine")
    outside = tmp_path / "elsewhere" / "copy-quartermaine.pdf"
    outside.parent.mkdir()
    outside.write_bytes(b"%PDF Zebedee Quartermaine")
    other = residents.add_resident(db, "Ada Lovelace", notes=f"neighbour of {NAME}")
    con = sqlite3.connect(str(db.path))
    with con:
        con.execute("UPDATE stage SET staff_note = ? WHERE complaint_id = ?", (f"{NAME} rang", c.id))
        for kind, path in (("acknowledgement", inside), ("acknowledgement", outside)):
            con.execute(
                'INSERT INTO correspondence (complaint_id, "on", direction, channel, summary, '
                "letter_kind, file_path, sha256) VALUES (?, ?, 'out', 'letter', ?, ?, ?, 'abc')",
                (c.id, received.isoformat(), f"Letter to {NAME}", kind, str(path)),
            )
        con.execute(
            "INSERT INTO learning_point (complaint_id, recorded_on, theme, learning, improvement, "
            "owner, status) VALUES (?, ?, 'repairs', ?, 'Check gutters', 'Alice', 'done')",
            (c.id, received.isoformat(), "Mr Quartermaine's gutter was missed twice"),
        )
        cur = con.execute(
            "INSERT INTO ombudsman_case (complaint_id, referred_on, case_number, finding, "
            "summary) VALUES (?, ?, 'HOS-1', '', ?)",
            (c.id, received.isoformat(), f"{NAME} went to the Ombudsman"),
        )
        con.execute(
            "INSERT INTO ombudsman_order (case_id, description) VALUES (?, ?)",
            (cur.lastrowid, "Apologise to Mr Quartermaine"),
        )
        con.execute(
            "INSERT INTO service_request (reference, resident_id, received_on, channel, category, response, description, "
            "status, completed_on) VALUES ('SR-9', ?, ?, 'phone', '', '', ?, 'completed', ?)",
            (r.id, received.isoformat(), f"{NAME} reported a leak", received.isoformat()),
        )
        con.execute(
            "INSERT INTO representative (resident_id, name, relationship, phone, address, email, authority, active) "
            "VALUES (?, 'Ophelia Quartermaine', 'daughter', '07700 900999', '', '', '', 1)",
            (r.id,),
        )
    con.close()
    backups = paths.backups_dir(db.path)
    backups.mkdir(parents=True, exist_ok=True)
    src, dst = sqlite3.connect(str(db.path)), sqlite3.connect(str(backups / "daily-2026-01-20.db"))
    src.backup(dst)
    src.close()
    dst.close()
    from smallhousing.services.audit_anchor import copy_beside

    copy_beside(db.path, backups / "daily-2026-01-20.db")  # as a backup keeps them
    return r, c, inside, outside, other


def _bytes(path) -> bytes:
    out = b""
    for suffix in ("", "-wal"):
        p = type(path)(str(path) + suffix)
        if p.exists():
            out += p.read_bytes()
    return out


def test_erasure_leaves_the_name_nowhere(db, setup, tmp_path):
    r, c, inside, outside, other = _everywhere(db, setup, tmp_path)
    assert b"Quartermaine" in _bytes(db.path)
    # rows planted above with plain SQL carry no audit entries, which verify rightly reports;
    # erasure must add no problem of its own
    planted = set(verify(db).problems)
    later = Database(db.path, actor="tester", today=dt.date(2032, 2, 1)).open()
    result = privacy.anonymise_resident(later, r.id)
    [held] = result["backups_holding"]
    assert held.endswith("daily-2026-01-20.db")
    assert result["letters_outside"] == [str(outside)]
    assert not inside.exists() and outside.exists()
    later.close()
    db.close()
    raw = _bytes(db.path)
    assert b"Quartermaine" not in raw and b"quartermaine" not in raw and b"07700 900123" not in raw
    assert b"zebedee@example.org" not in raw
    con = sqlite3.connect(str(db.path))
    assert con.execute("SELECT count(*) FROM correspondence WHERE sha256 = 'abc'").fetchone()[0] == 2
    assert con.execute("SELECT name FROM resident WHERE id = ?", (other.id,)).fetchone()[0] == "Ada Lovelace"
    con.close()
    again = Database(db.path, actor="tester", today=dt.date(2032, 2, 1)).open()
    after = verify(again)
    assert set(after.problems) <= planted, set(after.problems) - planted
    # the backup: erased when asked, then checked
    done = privacy.erase_from_backups(again, r.id)
    assert list(done.values()) == ["erased"]
    assert b"Quartermaine" not in _bytes(paths.backups_dir(db.path) / "daily-2026-01-20.db")
    bk = Database(paths.backups_dir(db.path) / "daily-2026-01-20.db", today=dt.date(2032, 2, 1)).open()
    assert set(verify(bk).problems) <= planted, set(verify(bk).problems) - planted
    bk.close()
    again.close()


def test_erase_cli_with_backups_says_what_it_did(db, setup, tmp_path, capsys):
    r, *_ = _everywhere(db, setup, tmp_path)
    db.close()
    import smallhousing.store.db as store_db

    monkey_today = dt.date(2032, 2, 1)
    orig = store_db.Database.today
    store_db.Database.today = property(lambda self: monkey_today)
    try:
        assert main(["--db", str(db.path), "erase", str(r.id), "--yes", "--backups"]) == 0
    finally:
        store_db.Database.today = orig
    captured = capsys.readouterr()
    assert "daily-2026-01-20.db: erased" in captured.err
    assert b"Quartermaine" not in _bytes(paths.backups_dir(db.path) / "daily-2026-01-20.db")
    assert b"Quartermaine" not in _bytes(db.path)
