"""Every use case writes its audit entry, and the entries form an unbroken hash chain."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

import pytest

from smallhousing.domain.errors import DomainError
from smallhousing.services import complaints as C
from smallhousing.services import residents as R
from smallhousing.services import settings as S
from smallhousing.services.audit_anchor import KEY_ENTITY, copy_beside, read_key
from smallhousing.services.base import entry_hash
from smallhousing.services.verify import verify
from smallhousing.store.db import Database

D = dt.date
TODAY = D(2026, 3, 2)


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """Staff, a resident, and complaints at the points the use cases below start from."""
    path = tmp_path_factory.mktemp("audit") / "audit.db"
    db = Database(path, actor="tester", today=TODAY).open()
    ids = {"alice": S.add_staff(db, "Alice Adams").id, "bilal": S.add_staff(db, "Bilal Bashir").id}
    ids["resident"] = R.add_resident(db, "Ms Dee Evans").id
    ids["rep"] = R.add_representative(db, ids["resident"], "Ffion Evans", relationship="daughter").id
    ids["adjustment"] = R.add_adjustment(db, ids["resident"], "Large print letters", D(2026, 6, 1)).id
    ids["restriction"] = R.add_restriction(
        db, ids["resident"], "Email contact only", "Abusive calls", D(2026, 6, 1)
    ).id
    ids["sr"] = C.log_service_request(db, ids["resident"], D(2026, 2, 2), "Mend the fence").id
    ids["received"] = C.log_complaint(db, ids["resident"], D(2026, 2, 2), "Fence not mended").id
    acked = C.log_complaint(db, ids["resident"], D(2026, 2, 2), "Mould in the bedroom").id
    C.acknowledge(db, acked, "Mould not treated", handler_id=ids["alice"], on=D(2026, 2, 3))
    ids["acked"] = acked
    answered = C.log_complaint(db, ids["resident"], D(2026, 2, 2), "Rude operative").id
    C.acknowledge(db, answered, "Staff conduct", handler_id=ids["alice"], on=D(2026, 2, 3))
    C.respond(
        db,
        answered,
        "upheld",
        "The operative was rude.",
        remedies=[C.RemedyInput("apology", "Written apology", 0, D(2026, 2, 20))],
        actions=[C.ActionInput("Training for the operative", "Repairs manager", D(2026, 2, 27))],
        on=D(2026, 2, 10),
    )
    ids["answered"] = answered
    v = C.complaint_view(db, answered)
    ids["remedy"], ids["action"] = v.remedies[0].id, v.actions[0].id
    S.add_closure_day(db, D(2026, 3, 20), "training")
    S.set_homes(db, 2025, 640)
    db.close()
    return path, ids


@pytest.fixture
def adb(template, tmp_path):
    path, ids = template
    target = tmp_path / "audit.db"
    src, dst = sqlite3.connect(str(path)), sqlite3.connect(str(target))
    src.backup(dst)
    src.close()
    dst.close()
    copy_beside(path, target)
    db = Database(target, actor="tester", today=TODAY).open()
    yield db, ids
    db.close()


USE_CASES = {
    # complaints
    "log_complaint": lambda db, i: C.log_complaint(
        db, i["resident"], D(2026, 2, 20), "Heating off", representative_id=i["rep"]
    ),
    "log_service_request": lambda db, i: C.log_service_request(db, i["resident"], TODAY, "Bulb out"),
    "complete_service_request": lambda db, i: C.complete_service_request(db, i["sr"], "Fence mended"),
    "raise_from_service_request": lambda db, i: C.raise_from_service_request(
        db, i["sr"], TODAY, "Fence still down"
    ),
    "accept": lambda db, i: C.accept(db, i["received"]),
    "refuse": lambda db, i: C.refuse(
        db, i["received"], "legal proceedings", "Court claim filed.", decided_by=i["bilal"]
    ),
    "acknowledge": lambda db, i: C.acknowledge(db, i["received"], "Fence", handler_id=i["alice"]),
    "extend": lambda db, i: C.extend(db, i["acked"], D(2026, 2, 24), "Specialist survey"),
    "respond": lambda db, i: C.respond(db, i["acked"], "upheld", "Late", remedy_statement="Apology"),
    "request_stage2": lambda db, i: C.request_stage2(db, i["answered"]),
    "refuse_escalation": lambda db, i: C.refuse_escalation(
        db, i["answered"], "already considered", "x", decided_by=i["bilal"]
    ),
    "close": lambda db, i: C.close(db, i["answered"]),
    "withdraw": lambda db, i: C.withdraw(db, i["acked"], "Sorted out"),
    "fold_additional_complaint": lambda db, i: C.fold_additional_complaint(db, i["acked"], "Also damp"),
    "fold_as_new": lambda db, i: C.fold_additional_complaint(db, i["answered"], "Gate", log_as_new=True),
    "add_remedy": lambda db, i: C.add_remedy(db, i["answered"], C.RemedyInput("amending a record", "Fix")),
    "add_action": lambda db, i: C.add_action(db, i["answered"], C.ActionInput("Inspect")),
    "complete_remedy": lambda db, i: C.complete_remedy(db, i["remedy"]),
    "complete_action": lambda db, i: C.complete_action(db, i["action"]),
    "update_action": lambda db, i: C.update_action(db, i["action"], "Booked for next week"),
    "add_correspondence": lambda db, i: C.add_correspondence(db, i["acked"], TODAY, "in", "email", "Photo"),
    "add_note": lambda db, i: C.add_note(db, i["acked"], "Called the resident"),
    "set_categories": lambda db, i: C.set_categories(db, i["acked"], ["damp and mould"]),
    # residents
    "add_resident": lambda db, i: R.add_resident(db, "Mr Gareth Hughes"),
    "update_resident": lambda db, i: R.update_resident(db, i["resident"], phone="01632 960 111"),
    "find_or_add_resident": lambda db, i: R.find_or_add_resident(db, "New Person", "3 Low Road"),
    "add_representative": lambda db, i: R.add_representative(db, i["resident"], "Cllr Jones"),
    "end_representative": lambda db, i: R.end_representative(db, i["rep"]),
    "add_adjustment": lambda db, i: R.add_adjustment(db, i["resident"], "Phone calls", D(2026, 9, 1)),
    "review_adjustment": lambda db, i: R.review_adjustment(db, i["adjustment"], D(2026, 9, 1)),
    "end_adjustment": lambda db, i: R.end_adjustment(db, i["adjustment"]),
    "add_restriction": lambda db, i: R.add_restriction(db, i["resident"], "One contact", "x", D(2026, 9, 1)),
    "review_restriction": lambda db, i: R.review_restriction(db, i["restriction"], D(2026, 9, 1)),
    "end_restriction": lambda db, i: R.end_restriction(db, i["restriction"]),
    # settings
    "update_settings": lambda db, i: S.update_settings(db, name="Brynmawr Homes"),
    "first_run_setup": lambda db, i: S.first_run_setup(db, "Brynmawr Homes", 700),
    "set_homes_new": lambda db, i: S.set_homes(db, "2026/27", 650),
    "set_homes_change": lambda db, i: S.set_homes(db, 2025, 641),
    "add_closure_day": lambda db, i: S.add_closure_day(db, D(2026, 3, 23), "move"),
    "remove_closure_day": lambda db, i: S.remove_closure_day(db, D(2026, 3, 20)),
    "add_staff": lambda db, i: S.add_staff(db, "Dai Davies"),
    "update_staff": lambda db, i: S.update_staff(db, i["bilal"], role="Director"),
}


def _entries(db) -> list[dict]:
    with db.raw() as con:
        con.row_factory = sqlite3.Row
        return [dict(r) for r in con.execute("SELECT * FROM audit_entry ORDER BY id")]


def _check_chain(entries: list[dict], key: bytes | None = None) -> None:
    prev = ""
    keyed = False
    for e in entries:
        assert e["prev_hash"] == prev
        keyed = keyed or e["entity"] == KEY_ENTITY
        at = dt.datetime.fromisoformat(e["at"]).replace(tzinfo=dt.timezone.utc).isoformat()
        assert e["hash"] == entry_hash(
            prev,
            at,
            e["actor"],
            e["action"],
            e["entity"],
            e["entity_id"],
            e["complaint_id"],
            e["before"],
            e["after"],
            key=key if keyed else None,
        )
        json.loads(e["before"])
        json.loads(e["after"])
        prev = e["hash"]


@pytest.mark.parametrize("name", list(USE_CASES))
def test_use_case_writes_audit_entry(adb, name):
    db, ids = adb
    before = _entries(db)
    USE_CASES[name](db, ids)
    after = _entries(db)
    new = after[len(before) :]
    assert new, f"{name} wrote no audit entry"
    assert after[: len(before)] == before  # append-only
    for e in new:
        assert e["actor"] == "tester" and e["action"] and e["entity"]
        assert e["entity_id"] is not None or e["action"].startswith("closure day removed")
    _check_chain(after, read_key(db.path))
    res = verify(db)  # and the records are what the audit log says they are
    assert res.ok, res.problems


def test_complaint_entries_carry_the_complaint(adb):
    db, ids = adb
    C.extend(db, ids["acked"], D(2026, 2, 24), "Specialist survey")
    C.respond(db, ids["acked"], "not upheld", "No fault found", remedy_statement="None")
    events = C.complaint_view(db, ids["acked"]).events
    actions = [e.action for e in events]
    assert "complaint logged" in actions and "stage 1 acknowledged" in actions
    assert any(a.startswith("stage 1 extended to 2026-02-24") for a in actions)
    assert any(a.startswith("stage 1 responded") for a in actions)
    assert all(e.complaint_id == ids["acked"] for e in events)


def test_refused_use_case_writes_no_audit_entry(adb):
    db, ids = adb
    before = _entries(db)
    with pytest.raises(DomainError):
        C.respond(db, ids["received"], "upheld", "x", remedy_statement="y")
    with pytest.raises(DomainError):
        S.add_staff(db, "Alice Adams")
    assert _entries(db) == before


def test_a_changed_entry_breaks_the_chain(adb):
    db, _ = adb
    with db.raw() as con:
        con.execute("UPDATE audit_entry SET actor = 'mallory' WHERE id = 2")
        con.commit()
    with pytest.raises(AssertionError):
        _check_chain(_entries(db), read_key(db.path))


def _model_dump_plain(obj) -> dict:
    # what to_plain gave before it read rows directly: model_dump, dates as ISO text
    return {
        k: v.isoformat() if isinstance(v, (dt.date, dt.datetime, dt.time)) else v
        for k, v in obj.model_dump().items()
    }


def test_to_plain_is_model_dump_for_every_kind_of_row(demo_db):
    from sqlmodel import SQLModel, select

    from smallhousing.services.base import to_plain, transaction
    from smallhousing.store import models as M

    seen = 0
    with transaction(demo_db) as u:
        for table in SQLModel.metadata.sorted_tables:
            model = next((m for m in vars(M).values() if getattr(m, "__table__", None) is table), None)
            if model is None:
                continue
            for row in u.session.exec(select(model)).all():
                assert list(to_plain(row).items()) == list(_model_dump_plain(row).items())
                seen += 1
        # a row with an attribute expired (left out by both), and a new row (fields in the order given)
        c = u.session.exec(select(M.Complaint)).first()
        u.session.expire(c, ["state", "received_on"])
        assert list(to_plain(c).items()) == list(_model_dump_plain(c).items())
        assert "state" not in to_plain(c)
        new = M.Stage(number=2, complaint_id=c.id, requested_on=dt.date(2026, 1, 5))
        assert list(to_plain(new).items()) == list(_model_dump_plain(new).items())
        assert to_plain(new)["requested_on"] == "2026-01-05" and to_plain(None) == {}
    assert seen > 1000


def test_audit_times_are_stored_as_sqlalchemy_stores_them(adb):
    # write_audit inserts with a plain executemany: the time must be the text an ORM insert writes
    from sqlalchemy import insert
    from sqlalchemy import select as sa_select

    from smallhousing.services.base import transaction
    from smallhousing.store.models import AuditEntry

    db, ids = adb
    C.add_note(db, ids["acked"], "Phoned the resident")

    class Undo(Exception):
        pass

    with pytest.raises(Undo):
        with transaction(db) as u:
            last = u.session.execute(
                sa_select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)
            ).scalar_one()
            raw = (
                u.session.connection()
                .exec_driver_sql("SELECT at FROM audit_entry WHERE id = ?", (last.id,))
                .scalar_one()
            )
            u.session.execute(
                insert(AuditEntry),
                [{"at": last.at.replace(tzinfo=dt.timezone.utc), "action": "probe", "entity": "probe"}],
            )
            probe = (
                u.session.connection()
                .exec_driver_sql("SELECT at FROM audit_entry WHERE action = 'probe'")
                .scalar_one()
            )
            assert raw == probe and isinstance(last.at, dt.datetime)
            raise Undo


def test_changes_since_a_snapshot_are_what_to_plain_snapshots_show(demo_db):
    # the use cases note what changed with snapshot/changes_since instead of comparing two
    # to_plain snapshots: both must give the same fields, values and order
    from sqlmodel import select

    from smallhousing.services.base import changed, changes_since, snapshot, to_plain, transaction
    from smallhousing.store import models as M

    def both(row, change, skip=""):
        snap, plain = snapshot(row), to_plain(row)
        change(row)
        b, a = changed(plain, to_plain(row))
        b = {k: v for k, v in b.items() if k != skip}
        a = {k: v for k, v in a.items() if k != skip}
        got = changes_since(snap, row, skip=skip)
        assert [list(x.items()) for x in got] == [list(b.items()), list(a.items())]
        return got

    class Undo(Exception):
        pass

    with pytest.raises(Undo):
        with transaction(demo_db) as u:
            rows = u.session.exec(select(M.Complaint).order_by(M.Complaint.id).limit(40)).all()
            for i, c in enumerate(rows):

                def change(c, i=i):
                    c.state = "closed" if i % 2 else c.state  # sometimes the same value
                    c.closed_on = None if i % 3 else dt.date(2026, 1, 1 + i % 27)
                    c.next_due_on = c.next_due_on  # the same date object: no change
                    c.search_text = "changed"
                    c.handler_id = None

                both(c, change, skip="search_text")
            st = u.session.exec(select(M.Stage).where(M.Stage.acknowledged_on != None)).first()  # noqa: E711
            b, a = both(st, lambda s: setattr(s, "acknowledged_on", dt.date(2026, 1, 2)))
            assert a["acknowledged_on"] == "2026-01-02" and isinstance(b["acknowledged_on"], str)
            # a field not loaded when the snapshot was taken counts as None before
            c = rows[0]
            u.session.expire(c, ["outcome_sought"])
            snap = snapshot(c)
            c.outcome_sought = "A new outcome"
            assert changes_since(snap, c) == ({"outcome_sought": None}, {"outcome_sought": "A new outcome"})
            new = M.Stage(complaint_id=c.id, number=2, requested_on=dt.date(2026, 1, 5))
            both(new, lambda s: setattr(s, "decision", "upheld"))
            # a value that cannot be hashed (never stored, but changes_since must not stumble)
            both(rows[1], lambda c: setattr(c, "categories", ["repairs", "damp"]))
            raise Undo


# The hash of an entry is taken over one JSON text of its fields. That text must never change, or
# every log written before would fail verification: it is checked here against json.dumps itself.
_AWKWARD = [
    "",
    "director",
    "Siân O'Brien",
    'say "no"',
    "back\\slash",
    "tab\there",
    "line\nbreak",
    "".join(map(chr, range(0x20))),
    "\x7f\u2028\u2029/</script>",
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "ÄBC123",
    "２０２６",
    "2026-12-06T07:00:00+00:00",
    "stage 1 extended to 2026-12-14",
]


def _reference(*fields) -> str:
    return json.dumps(list(fields), ensure_ascii=False, separators=(",", ":"))


@pytest.mark.parametrize("text", _AWKWARD)
def test_the_chain_written_hashes_what_entry_hash_hashes(text):
    # write_audit puts the text together itself, a field at a time (base._Chainer)
    from smallhousing.services.base import _Chainer

    for key in (None, b"k" * 32):
        for at, actor, prev, action, entity, eid, cid in (
            (text, text, text, text, text, None, None),
            ("2026-12-06T07:00:00+00:00", text, "ab" * 32, "complaint logged", text, 7, 12),
            ("2026-12-06T07:00:00+00:00", "tester", "", text, "stage", 0, -3),
            (text, text, text, True, False, 1.5, 10**20),
            (text, text, text, 1.0, True, 1.0, True),
        ):
            for before, after in (("{}", text), (text, "{}"), ('{"a":1}', '{"b":"Siân"}')):
                want = entry_hash(prev, at, actor, action, entity, eid, cid, before, after, key=key)
                chain = _Chainer(prev, at, actor, key)
                assert chain(action, entity, eid, cid, before, after) == want
                # and the next entry is chained to that one
                again = entry_hash(want, at, actor, action, entity, eid, cid, after, before, key=key)
                assert chain(action, entity, eid, cid, after, before) == again


def test_entry_hash_is_the_sha256_or_hmac_of_that_text():
    import hashlib
    import hmac

    def digest(t: str) -> str:
        return hashlib.sha256(t.encode()).hexdigest()

    for before, after in (("{}", '{"a": 1}'), ('{"n": "Siân"}', "{}"), ("", "")):
        fields = ("ab" * 32, "2026-12-06T07:00:00+00:00", "Siân", "complaint logged", "complaint", 3, 3)
        text = _reference(*fields, digest(before), digest(after)).encode()
        assert entry_hash(*fields, before, after) == hashlib.sha256(text).hexdigest()
        key = b"k" * 32
        assert entry_hash(*fields, before, after, key=key) == hmac.new(key, text, hashlib.sha256).hexdigest()


def test_audit_texts_are_sorted_compact_json_whatever_the_values(adb):
    # orjson writes them; json writes what orjson refuses (an integer past 64 bits, keys that are
    # not text) in the same form; either way the text stored is what is chained
    from smallhousing.services.base import audit, audit_text, transaction

    db, _ = adb

    def reference(value: dict) -> str:
        return json.dumps(
            value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=lambda d: d.isoformat()
        )

    plain = {"b": 1, "a": D(2026, 3, 2), "c": None, "d": [1, "x"], "e": True, "f": 'Siân\n"q"'}
    big = {"b": 10**30, "a": D(2026, 3, 2), "c": 'Siân\n"q"'}
    numbered = {3: "three", 1: D(2026, 3, 2)}
    for value in (plain, big, numbered):
        assert audit_text(value) == reference(value)
    with pytest.raises(TypeError):
        audit_text({"x": object()})
    with transaction(db) as u:
        audit(u, "odd values noted", entity="note", before=numbered, after=big)
    entry = _entries(db)[-1]
    assert entry["action"] == "odd values noted"
    assert json.loads(entry["after"]) == {"a": "2026-03-02", "b": 10**30, "c": 'Siân\n"q"'}
    assert json.loads(entry["before"]) == {"1": "2026-03-02", "3": "three"}
    _check_chain(_entries(db), read_key(db.path))
