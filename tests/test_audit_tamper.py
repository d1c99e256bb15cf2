"""The audit log notices records changed, deleted or rewritten behind the app's back.

Each test tampers with a copy of the demo database with plain sqlite3, as someone with the file
and a SQLite tool could, and ``verify`` must fail and say in plain English what is wrong."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

from smallhousing.services import base
from smallhousing.services.verify import verify


def _sql(db, *statements, params=()):
    con = sqlite3.connect(str(db.path))
    con.execute("PRAGMA foreign_keys = OFF")
    for s in statements:
        con.execute(s, params) if params else con.execute(s)
    con.commit()
    con.close()


def _one(db, sql, params=()):
    con = sqlite3.connect(str(db.path))
    try:
        return con.execute(sql, params).fetchone()
    finally:
        con.close()


def _problems(db) -> str:
    res = verify(db)
    assert not res.ok, "verify passed after the records were tampered with"
    return "\n".join(res.problems)


def test_the_untouched_demo_passes(demo_db):
    res = verify(demo_db)
    assert res.ok, res.problems


def test_a_changed_complaint_is_noticed(demo_db):
    cid, ref = _one(demo_db, "SELECT id, reference FROM complaint WHERE state = 'closed' LIMIT 1")
    _sql(demo_db, f"UPDATE complaint SET received_on = '2020-01-01' WHERE id = {cid}")
    text = _problems(demo_db)
    assert f"complaint {ref}" in text and "received on" in text and "2020-01-01" in text


def test_a_changed_decision_is_noticed(demo_db):
    sid, ref, decision = _one(
        demo_db,
        "SELECT stage.id, reference, decision FROM stage JOIN complaint "
        "ON complaint.id = stage.complaint_id WHERE decision = 'upheld' LIMIT 1",
    )
    _sql(demo_db, f"UPDATE stage SET decision = 'not upheld' WHERE id = {sid}")
    text = _problems(demo_db)
    assert f"complaint {ref}" in text and "decision" in text and "not upheld" in text


def test_a_changed_remedy_amount_is_noticed(demo_db):
    rid, ref, pence = _one(
        demo_db,
        "SELECT remedy.id, reference, amount_pence FROM remedy JOIN complaint "
        "ON complaint.id = remedy.complaint_id WHERE amount_pence > 0 LIMIT 1",
    )
    _sql(demo_db, f"UPDATE remedy SET amount_pence = {pence * 10} WHERE id = {rid}")
    text = _problems(demo_db)
    assert (
        f"complaint {ref}: remedy amount is £{pence * 10 / 100:,.2f} in the records but "
        f"£{pence / 100:,.2f} in the audit log" in text
    )


def test_a_deleted_complaint_is_noticed(demo_db):
    cid, ref = _one(demo_db, "SELECT id, reference FROM complaint WHERE state = 'closed' LIMIT 1")
    children = [
        "DELETE FROM step_letter WHERE complaint_id = {0}",
        "DELETE FROM extension WHERE stage_id IN (SELECT id FROM stage WHERE complaint_id = {0})",
    ]
    children += [
        f"DELETE FROM {t} WHERE complaint_id = {{0}}"
        for t in (
            "stage",
            "remedy",
            "outstanding_action",
            "correspondence",
            "handler_assignment",
            "learning_point",
        )
    ]
    children.append("UPDATE ombudsman_case SET complaint_id = NULL WHERE complaint_id = {0}")
    children.append("UPDATE complaint SET related_to_id = NULL WHERE related_to_id = {0}")
    _sql(demo_db, *[s.format(cid) for s in children], f"DELETE FROM complaint WHERE id = {cid}")
    assert _one(demo_db, "PRAGMA foreign_key_check") is None
    text = _problems(demo_db)
    assert f"complaint {ref}" in text and "deleted" in text


def test_a_row_added_behind_the_apps_back_is_noticed(demo_db):
    cid, ref = _one(demo_db, "SELECT id, reference FROM complaint WHERE state = 'closed' LIMIT 1")
    _sql(
        demo_db,
        "INSERT INTO remedy (complaint_id, stage, kind, description, amount_pence, agreed) "
        f"VALUES ({cid}, 1, 'financial', 'Extra payment', 50000, 1)",
    )
    text = _problems(demo_db)
    assert f"complaint {ref}" in text and "no audit entry" in text


def test_deleting_the_newest_audit_entries_is_noticed(demo_db):
    (top,) = _one(demo_db, "SELECT max(id) FROM audit_entry")
    _sql(demo_db, f"DELETE FROM audit_entry WHERE id > {top - 40}")
    text = _problems(demo_db)
    assert "audit log" in text and ("cut short" in text or "deleted" in text)


def test_deleting_every_audit_entry_is_noticed(demo_db):
    _sql(demo_db, "DELETE FROM audit_redaction", "DELETE FROM audit_entry")
    text = _problems(demo_db)
    assert "audit log" in text


def _rechain(db, *, entry_hash=base.entry_hash):
    """Recompute every entry's hash with the package's own (unkeyed) function, as someone covering
    their tracks would."""
    con = sqlite3.connect(str(db.path))
    prev = ""
    redacted = {
        e: (b, a)
        for e, b, a in con.execute("SELECT entry_id, before_digest, after_digest FROM audit_redaction")
    }
    rows = con.execute(
        "SELECT id, at, actor, action, entity, entity_id, complaint_id, before, after "
        "FROM audit_entry ORDER BY id"
    ).fetchall()
    for id_, at, actor, action, entity, eid, cid, before, after in rows:
        at_text = dt.datetime.fromisoformat(at).replace(tzinfo=dt.timezone.utc).isoformat()
        h = entry_hash(
            prev, at_text, actor, action, entity, eid, cid, before, after, digests=redacted.get(id_)
        )
        con.execute("UPDATE audit_entry SET prev_hash = ?, hash = ? WHERE id = ?", (prev, h, id_))
        prev = h
    con.commit()
    con.close()


def test_rewriting_the_log_and_rechaining_it_is_noticed(demo_db):
    # change a remedy amount, change the audit entries that recorded it to match, re-chain
    rid, pence = _one(demo_db, "SELECT id, amount_pence FROM remedy WHERE amount_pence > 0 LIMIT 1")
    con = sqlite3.connect(str(demo_db.path))
    con.execute("UPDATE remedy SET amount_pence = ? WHERE id = ?", (pence * 10, rid))
    for eid, after in con.execute(
        "SELECT id, after FROM audit_entry WHERE entity = 'remedy' AND entity_id = ?", (rid,)
    ).fetchall():
        a = json.loads(after)
        if "amount_pence" in a:
            a["amount_pence"] = pence * 10
            con.execute(
                "UPDATE audit_entry SET after = ? WHERE id = ?",
                (json.dumps(a, ensure_ascii=False, sort_keys=True), eid),
            )
    con.commit()
    con.close()
    _rechain(demo_db)
    text = _problems(demo_db)
    assert "audit" in text


def test_after_erasure_the_records_still_verify_and_changes_still_show(db, setup):
    from smallhousing.services import complaints as C
    from smallhousing.services import privacy
    from smallhousing.store.db import Database

    c = C.log_complaint(db, setup.resident, dt.date(2026, 1, 5), "Gutter leaks", channel="letter")
    C.acknowledge(db, c.id, "Gutter leaking", handler_id=setup.alice, on=dt.date(2026, 1, 7))
    C.respond(
        db,
        c.id,
        "upheld",
        "Not cleared.",
        on=dt.date(2026, 1, 12),
        remedies=[C.RemedyInput("financial remedy", "Payment for the wait", 4000, dt.date(2026, 1, 20))],
    )
    C.close(db, c.id, on=dt.date(2026, 1, 14))
    later = Database(db.path, actor="tester", today=dt.date(2032, 2, 1)).open()
    privacy.anonymise_resident(later, setup.resident)
    res = verify(later)
    assert res.ok, res.problems
    _sql(later, f"UPDATE remedy SET amount_pence = 40000 WHERE complaint_id = {c.id}")
    text = _problems(later)
    assert (
        f"complaint {c.reference}: remedy amount is £400.00 in the records but £40.00 in the audit log"
        in text
    )
    later.close()


def test_every_way_in_is_audited_so_that_verify_passes(db, setup):
    """CSV import, letters, learning (removed too), Ombudsman cases, published figures and
    self-assessment all write what they change to the audit log: the replay matches the records."""
    from pathlib import Path

    from smallhousing.services import complaints as C
    from smallhousing.services import learning as LN
    from smallhousing.services import letters as LT
    from smallhousing.services import publishing as P
    from smallhousing.services import reports as RP
    from smallhousing.services import transfer as T

    fixtures = Path(__file__).parent / "fixtures"
    T.import_csv(db, fixtures / "excel_cp1252.csv")
    c = C.log_complaint(
        db, setup.resident, dt.date(2026, 2, 2), "Mould in the bedroom", outcome_sought="Treat the mould"
    )
    C.acknowledge(
        db,
        c.id,
        "Mould not treated",
        handler_id=setup.alice,
        on=dt.date(2026, 2, 3),
        responsible_for="Treating the mould.",
    )
    LT.issue_letter(db, c.reference, "acknowledgement")
    lp = LN.add_learning(db, "Check for mould on every visit", complaint=c.reference)
    LN.update_learning(db, lp.id, status="in progress")
    LN.delete_learning(db, LN.add_learning(db, "A mistake").id)
    LN.record_case(db, dt.date(2026, 2, 20), case_number="HOS-1", complaint=c.reference)
    RP.set_report_text(db, 2025, "governing_body_response", "The board noted the figures.")
    P.publish_year(db, 2024)
    res = verify(db)
    assert res.ok, res.problems
    assert res.rows_compared > 20


def test_a_file_from_an_earlier_version_verifies_and_is_keyed_from_its_next_change(tmp_path):
    # rows made before every row was audited as it was made are compared where the log speaks
    # of them; the entries before the key keep their plain hashes
    import shutil
    from pathlib import Path

    from smallhousing.services import complaints as C
    from smallhousing.store.db import Database

    target = tmp_path / "old.db"
    shutil.copy(Path(__file__).parent / "fixtures" / "schema" / "0001_initial.db", target)
    db = Database(target, actor="tester", today=dt.date(2025, 6, 2)).open()
    assert verify(db).ok
    C.acknowledge(db, "2025-0001", "Still unhappy about the lock", on=dt.date(2025, 5, 21))
    res = verify(db)
    assert res.ok and res.keyed, res.problems
    _sql(db, "UPDATE remedy SET amount_pence = 99999")
    assert "remedy amount is £999.99 in the records but £50.00 in the audit log" in _problems(db)
    db.close()
