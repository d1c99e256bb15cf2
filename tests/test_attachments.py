"""Files received and kept on a record (Code 5.12): adding them, where and how they are kept,
refusals, the audit, backups and restores, subject access, erasure and the command line."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3

import pytest
from sqlmodel import select

from smallhousing import paths
from smallhousing.cli import main
from smallhousing.domain.errors import DomainError
from smallhousing.services import attachment_files as F
from smallhousing.services import attachments as A
from smallhousing.services import backup, privacy
from smallhousing.services import complaints as C
from smallhousing.services.base import reading
from smallhousing.services.verify import verify
from smallhousing.store.db import Database
from smallhousing.store.models import Attachment, AuditEntry

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a") + b"made-up image bytes for a test"


@pytest.fixture
def complaint(db, setup):
    # TODAY is Mon 2 Mar 2026; the complaint was received on Mon 23 Feb 2026
    return C.log_complaint(
        db, setup.resident, dt.date(2026, 2, 23), "Damp in the back bedroom", channel="email"
    )


def _file(tmp_path, name: str, data: bytes):
    p = tmp_path / "incoming" / name
    p.parent.mkdir(exist_ok=True)
    p.write_bytes(data)
    return p


def test_a_file_is_kept_by_its_sha256_private_and_audited(db, complaint, tmp_path):
    src = _file(tmp_path, "Survey Report.PDF", PDF)
    a = A.add_attachment(
        db,
        complaint=complaint.reference,
        path=src,
        received_on=dt.date(2026, 2, 25),
        description="Damp survey",
    )
    sha = hashlib.sha256(PDF).hexdigest()
    assert (a.sha256, a.size_bytes, a.file_name) == (sha, len(PDF), "Survey Report.PDF")
    assert a.media_type == "application/pdf" and a.complaint_id == complaint.id
    assert a.stored_path == f"attachments/{sha[:2]}/{sha}.pdf"  # the suffix lower case
    kept = db.path.parent / a.stored_path
    assert kept.read_bytes() == PDF
    assert kept.stat().st_mode & 0o777 == 0o600
    assert paths.attachments_dir(db.path).stat().st_mode & 0o777 == 0o700
    assert (a.added_on, a.received_on) == (db.today, dt.date(2026, 2, 25))
    # no temporary file is left beside it
    assert [p.name for p in paths.attachments_dir(db.path).rglob("*") if p.is_file()] == [kept.name]
    with reading(db) as u:
        e = u.session.exec(select(AuditEntry).where(AuditEntry.entity == "attachment")).one()
    assert e.action == "file received" and e.complaint_id == complaint.id
    after = json.loads(e.after)
    assert after["file_name"] == "Survey Report.PDF" and after["sha256"] == sha
    assert A.attachment_path(db, a) == kept
    assert verify(db).ok


def test_listed_oldest_first_and_on_the_complaint_view(db, complaint, tmp_path):
    later = A.add_attachment(
        db, complaint=complaint.id, path=_file(tmp_path, "b.png", PNG), received_on=dt.date(2026, 2, 27)
    )
    earlier = A.add_attachment(
        db, complaint=complaint.id, path=_file(tmp_path, "a.pdf", PDF), received_on=dt.date(2026, 2, 24)
    )
    assert [x.id for x in A.list_attachments(db, complaint_id=complaint.id)] == [earlier.id, later.id]
    v = C.complaint_view(db, complaint.reference)
    assert [x.file_name for x in v.attachments] == ["b.png", "a.pdf"]
    assert A.describe(later) == f"received file b.png ({len(PNG)} bytes)"


def test_sizes_said_plainly():
    assert A.size_text(1) == "1 byte"
    assert A.size_text(830) == "830 bytes"
    assert A.size_text(12 * 1024) == "12 KB"
    assert A.size_text(int(2.4 * 1024 * 1024)) == "2.4 MB"
    assert A.size_text(25 * 1024 * 1024) == "25 MB"


def test_refusals_say_why_and_keep_nothing(db, complaint, tmp_path, monkeypatch):
    def refused(match, **kw):
        args = {
            "complaint": complaint.id,
            "received_on": dt.date(2026, 2, 25),
            "path": _file(tmp_path, "x.pdf", PDF),
        }
        args.update(kw)
        with pytest.raises(DomainError, match=match):
            A.add_attachment(db, **args)

    refused("There is no file at", path=tmp_path / "nothing.pdf")
    refused("is not a file", path=tmp_path)
    refused(r"empty \(0 bytes\)", path=_file(tmp_path, "empty.txt", b""))
    monkeypatch.setattr(A, "MAX_BYTES", 40)
    refused(
        r"big.bin is 60 bytes; a file kept on a record can be at most 40 bytes",
        path=_file(tmp_path, "big.bin", b"x" * 60),
    )
    monkeypatch.setattr(A, "MAX_BYTES", 25 * 1024 * 1024)
    refused("in the future", received_on=dt.date(2026, 3, 3))  # today is 2 Mar 2026
    # the complaint was received on 23 Feb 2026: the 22nd is before it
    refused(r"before the complaint was received \(Mon 23 Feb 2026\)", received_on=dt.date(2026, 2, 22))
    refused("Describe the file in words", description=".")
    refused("no complaint with reference 2026-9999", complaint="2026-9999")
    refused("one record", complaint=None)
    with reading(db) as u:
        assert u.session.exec(select(Attachment)).all() == []
    folder = paths.attachments_dir(db.path)
    assert not folder.exists() or not [p for p in folder.rglob("*") if p.is_file()]


def test_the_same_content_twice_on_one_record_is_refused_naming_the_first(db, setup, complaint, tmp_path):
    A.add_attachment(
        db, complaint=complaint.id, path=_file(tmp_path, "photo.png", PNG), received_on=dt.date(2026, 2, 24)
    )
    with pytest.raises(DomainError, match=r"already on .*: photo.png, received Tue 24 Feb 2026"):
        A.add_attachment(
            db,
            complaint=complaint.id,
            path=_file(tmp_path, "copy of photo.png", PNG),
            received_on=dt.date(2026, 2, 26),
        )
    # on another record the same content is kept once, and both rows point at it
    sr = C.log_service_request(db, setup.resident, dt.date(2026, 2, 20), "Damp patch")
    b = A.add_attachment(
        db, service_request_id=sr.id, path=_file(tmp_path, "p.png", PNG), received_on=dt.date(2026, 2, 20)
    )
    assert len([p for p in paths.attachments_dir(db.path).rglob("*") if p.is_file()]) == 1
    assert A.find_record(db, sr.reference) == ("service_request_id", sr.id)
    assert A.find_record(db, complaint.reference) == ("complaint", complaint.id)
    assert [x.id for x in A.list_attachments(db, service_request_id=sr.id)] == [b.id]


def test_a_file_placed_is_removed_when_the_transaction_fails(db, complaint, tmp_path, monkeypatch):
    from smallhousing.services import attachments as mod

    def boom(*a, **kw):
        raise RuntimeError("the disk went away")

    real_audit = mod.audit
    placed = []
    real_place = mod._place

    def place(tmp, final, sha):
        placed.append(final)
        created = real_place(tmp, final, sha)
        assert final.exists()
        return created

    monkeypatch.setattr(mod, "_place", place)
    monkeypatch.setattr("smallhousing.services.base.write_audit", boom)
    with pytest.raises(RuntimeError):
        A.add_attachment(
            db, complaint=complaint.id, path=_file(tmp_path, "a.pdf", PDF), received_on=dt.date(2026, 2, 24)
        )
    assert placed and not placed[0].exists()
    assert not [p for p in paths.attachments_dir(db.path).rglob("*") if p.is_file()]
    monkeypatch.setattr(mod, "audit", real_audit)


def test_a_missing_or_changed_file_is_not_opened(db, complaint, tmp_path):
    a = A.add_attachment(
        db, complaint=complaint.id, path=_file(tmp_path, "a.pdf", PDF), received_on=dt.date(2026, 2, 24)
    )
    kept = db.path.parent / a.stored_path
    os.chmod(kept, 0o600)
    kept.write_bytes(PDF + b"changed")
    with pytest.raises(DomainError, match="has changed since it was added"):
        A.attachment_path(db, a.id)
    # adding the same file again puts the kept copy back (and adds no second record)
    with pytest.raises(DomainError, match="put back from this file"):
        A.add_attachment(
            db, complaint=complaint.id, path=_file(tmp_path, "a.pdf", PDF), received_on=dt.date(2026, 2, 24)
        )
    assert A.attachment_path(db, a.id).read_bytes() == PDF
    kept.unlink()
    with pytest.raises(DomainError, match="is missing from"):
        A.attachment_path(db, a)
    with pytest.raises(DomainError, match="put back from this file"):
        A.add_attachment(
            db, complaint=complaint.id, path=_file(tmp_path, "a.pdf", PDF), received_on=dt.date(2026, 2, 24)
        )
    assert A.attachment_path(db, a.id) == kept and len(A.list_attachments(db, complaint_id=complaint.id)) == 1


def test_on_postgresql_another_computer_fetches_the_file_from_the_database(
    pg_db, pg_url, tmp_path, monkeypatch
):
    from conftest import TODAY, make_setup

    from smallhousing.store.models import AttachmentContent
    from smallhousing.store.postgres import PostgresDatabase

    ids = make_setup(pg_db)
    c = C.log_complaint(pg_db, ids.resident, TODAY, "Damp", channel="email")
    a = A.add_attachment(
        pg_db, complaint=c.reference, path=_file(tmp_path, "survey.pdf", PDF), received_on=TODAY
    )
    here = A.attachment_path(pg_db, a.id)
    assert here.read_bytes() == PDF and here.is_relative_to(paths.folder_for(pg_db.path))
    with reading(pg_db) as u:
        [kept] = u.session.exec(select(AttachmentContent)).all()
    assert (kept.sha256, kept.content) == (a.sha256, PDF)
    # the same content on another record is kept once in the database
    sr = C.log_service_request(pg_db, ids.resident, TODAY, "Damp patch")
    A.add_attachment(
        pg_db, service_request_id=sr.id, path=_file(tmp_path, "copy.pdf", PDF), received_on=TODAY
    )
    with reading(pg_db) as u:
        assert len(u.session.exec(select(AttachmentContent)).all()) == 1
    # a colleague's computer: a data folder of its own, without the file
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "other-laptop"))
    other = PostgresDatabase(pg_url, actor="tester", today=TODAY).open()
    try:
        there = A.attachment_path(other, a.id)
        assert there != here and there.read_bytes() == PDF
        assert there.stat().st_mode & 0o777 == 0o600
        assert verify(other).ok
    finally:
        other.close()


def test_backups_carry_the_files_and_a_restore_brings_them_back(db, complaint, tmp_path):
    a = A.add_attachment(
        db, complaint=complaint.id, path=_file(tmp_path, "a.pdf", PDF), received_on=dt.date(2026, 2, 24)
    )
    kept = db.path.parent / a.stored_path
    first = backup.backup(db)
    second = backup.backup(db)
    beside = F.files_beside(first)
    assert beside.name == first.stem + ".attachments"
    copy = beside / a.stored_path.removeprefix("attachments/")
    assert copy.read_bytes() == PDF
    # content-addressed and hard linked: an unchanged file costs no more space
    copy2 = F.files_beside(second) / a.stored_path.removeprefix("attachments/")
    assert os.stat(copy2).st_ino == os.stat(kept).st_ino
    assert {b.path for b in backup.list_backups(db)} == {second, first}  # listings unchanged
    backup.check_backup_file(first)
    # a backup made elsewhere carries them too
    elsewhere = tmp_path / "usb"
    elsewhere.mkdir()
    out = backup.backup(db, elsewhere / "copy.db")
    assert (F.files_beside(out) / a.stored_path.removeprefix("attachments/")).read_bytes() == PDF
    os.chmod(kept, 0o600)
    kept.unlink()
    backup.restore(db, out)
    assert kept.read_bytes() == PDF and kept.stat().st_mode & 0o777 == 0o600
    assert A.attachment_path(db, a.id) == kept


def test_old_automatic_backups_take_their_files_with_them(db, complaint, tmp_path):
    A.add_attachment(
        db, complaint=complaint.id, path=_file(tmp_path, "a.pdf", PDF), received_on=dt.date(2026, 2, 24)
    )
    made = [backup.daily_backup(db, now=dt.datetime(2026, 3, d, 9), keep=2) for d in (1, 2, 3)]
    assert all(made)
    assert not made[0].exists() and not F.files_beside(made[0]).exists()
    assert F.files_beside(made[2]).is_dir()


def _closed(db, setup, received):
    c = C.log_complaint(db, setup.resident, received, "Gutter leaks on Siân's door", channel="letter")
    C.acknowledge(db, c.id, "Gutter leaking", handler_id=setup.alice, on=received + dt.timedelta(days=2))
    C.respond(
        db, c.id, "upheld", "Not cleared.", remedy_statement="The repair.", on=received + dt.timedelta(days=7)
    )
    C.close(db, c.id, on=received + dt.timedelta(days=9))
    return c


def test_subject_access_lists_and_copies_the_files(db, setup, complaint, tmp_path):
    a = A.add_attachment(
        db,
        complaint=complaint.id,
        path=_file(tmp_path, "Photo 1.PNG", PNG),
        received_on=dt.date(2026, 2, 24),
        description="Mould",
    )
    out = tmp_path / "sar" / "resident.json"
    out.parent.mkdir()
    privacy.write_subject_access(db, setup.resident, out)
    data = json.loads(out.read_text(encoding="utf-8"))
    [row] = data["attachments"]
    assert row["file_name"] == "Photo 1.PNG" and row["description"] == "Mould"
    assert row["file_in_export"] == f"resident-files/{a.id}-Photo 1.PNG"
    copied = out.parent / row["file_in_export"]
    assert copied.read_bytes() == PNG and copied.stat().st_mode & 0o777 == 0o600


def test_erasure_deletes_the_files_and_blanks_the_rows(db, setup, tmp_path):
    c = _closed(db, setup, dt.date(2026, 1, 5))
    sr = C.log_service_request(db, setup.resident, dt.date(2026, 1, 2), "Gutter")
    a = A.add_attachment(
        db,
        complaint=c.id,
        path=_file(tmp_path, "Siân letter.pdf", PDF),
        received_on=dt.date(2026, 1, 6),
        description="From Siân",
    )
    s = A.add_attachment(
        db,
        service_request_id=sr.id,
        path=_file(tmp_path, "gutter.png", PNG),
        received_on=dt.date(2026, 1, 2),
        description="Siân's photo",
    )
    C.complete_service_request(db, sr.id, "Cleared", dt.date(2026, 1, 3))
    kept = [db.path.parent / a.stored_path, db.path.parent / s.stored_path]
    made = backup.backup(db)
    in_backup = [F.files_beside(made) / x.stored_path.removeprefix("attachments/") for x in (a, s)]
    assert all(p.exists() for p in in_backup)
    later = Database(db.path, actor="tester", today=dt.date(2032, 2, 1)).open()
    try:
        result = privacy.anonymise_resident(later, setup.resident, backups=True)
        assert result["backups_erased"] == {str(made): "erased"}
        assert not any(p.exists() for p in kept + in_backup)
        con = sqlite3.connect(str(made))
        assert con.execute("SELECT file_name, stored_path FROM attachment").fetchall() == [("erased", "")] * 2
        con.close()
        [row] = A.list_attachments(later, complaint_id=c.id)
        [srow] = A.list_attachments(later, service_request_id=sr.id)
        for r, orig in ((row, a), (srow, s)):
            assert (r.file_name, r.description, r.stored_path) == ("erased", "", "")
            assert r.sha256 == orig.sha256 and r.erased_on == dt.date(2032, 2, 1)
        with pytest.raises(DomainError, match="erased on"):
            A.attachment_path(later, row)
        raw = sqlite3.connect(str(db.path))
        dump = "\n".join(raw.iterdump())
        raw.close()
        assert "Siân letter" not in dump and "From Siân" not in dump and "gutter.png" not in dump
        assert verify(later).ok
    finally:
        later.close()


def test_cli_attach_and_list(db, setup, complaint, tmp_path, capsys):
    src = _file(tmp_path, "letter.pdf", PDF)
    assert (
        main(
            [
                "--db",
                str(db.path),
                "attach",
                complaint.reference,
                str(src),
                "--received",
                "25/02/2026",
                "--description",
                "Her letter",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert f"Added letter.pdf ({len(PDF)} bytes) to {complaint.reference}" in out
    assert main(["--db", str(db.path), "attachments", complaint.reference]) == 0
    out = capsys.readouterr().out
    assert "letter.pdf" in out and "Her letter" in out and "25/02/2026" in out
    # the same again is refused with the plain message, and a bad reference too
    assert (
        main(["--db", str(db.path), "attach", complaint.reference, str(src), "--received", "25/02/2026"]) != 0
    )
    assert "already on" in capsys.readouterr().err
    assert main(["--db", str(db.path), "attach", "HZ-1999-0001", str(src)]) != 0
    assert "no complaint, service request or hazard" in capsys.readouterr().err


def test_on_postgresql_the_case_file_made_on_another_computer_appends_the_file(
    pg_db, pg_url, tmp_path, monkeypatch
):
    import io

    from conftest import TODAY, make_setup
    from reportlab.pdfgen import canvas

    from smallhousing.services import casefile as CF
    from smallhousing.store.postgres import PostgresDatabase

    buf = io.BytesIO()
    page = canvas.Canvas(buf)
    page.drawString(72, 720, "Damp survey")
    page.save()
    ids = make_setup(pg_db)
    c = C.log_complaint(pg_db, ids.resident, TODAY, "Damp", channel="email")
    A.add_attachment(
        pg_db, complaint=c.reference, path=_file(tmp_path, "survey.pdf", buf.getvalue()), received_on=TODAY
    )
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "other-laptop"))  # without the file
    other = PostgresDatabase(pg_url, actor="tester", today=TODAY).open()
    try:
        [line] = CF.case_file(other, c.reference).attachments
        assert line.file.state == CF.OK and line.file.reproduced
    finally:
        other.close()
