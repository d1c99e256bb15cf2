"""The command line: workdays, due, demo, homes; --db and SMALLHOUSING_DB; bad input is one line, exit 2."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from smallhousing import paths
from smallhousing.cli import main
from smallhousing.domain.calendar import WorkingCalendar
from smallhousing.services import complaints as C
from smallhousing.services import queries as Q
from smallhousing.services import residents as R
from smallhousing.services import settings as S
from smallhousing.services import step_letters as STL
from smallhousing.store.db import Database

D = dt.date
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _no_default_db(monkeypatch, tmp_path):
    """Never touch the user's real data folder: SMALLHOUSING_DB points at a file not yet made."""
    monkeypatch.setenv(paths.ENV_DB, str(tmp_path / "default" / "env.db"))


def _run(*args, env_db: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop(paths.ENV_DB, None)
    if env_db is not None:
        env[paths.ENV_DB] = str(env_db)
    return subprocess.run(
        [sys.executable, "-m", "smallhousing", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=str(REPO),
        timeout=120,
    )


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _one_plain_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err and lines[0].startswith("smallhousing")
    return lines[0]


@pytest.fixture
def filled(tmp_path) -> Path:
    """A database with one overdue complaint, one due soon and one on time (today is real)."""
    path = tmp_path / "filled.db"
    today = dt.date.today()
    db = Database(path, actor="tester").open()
    alice = S.add_staff(db, "Alice Adams").id
    r = R.add_resident(db, "Mr Ieuan Lloyd").id
    wc = WorkingCalendar()
    # received 30 working days ago and never acknowledged: overdue
    old = today - dt.timedelta(days=1)
    while wc.count(old, today) < 30:
        old -= dt.timedelta(days=1)
    C.log_complaint(db, r, old, "Nobody has called me back", channel="phone")
    # received today: acknowledge in 5 WD, on time
    C.log_complaint(db, r, today, "Bins not collected")
    # acknowledged 9 WD ago: 1 WD left to respond, due soon
    acked = today - dt.timedelta(days=1)
    while wc.count(acked, today) < 9:
        acked -= dt.timedelta(days=1)
    c = C.log_complaint(db, r, acked, "Lift broken")
    C.acknowledge(db, c.id, "Lift out of order", handler_id=alice, on=acked)
    # its acknowledgement went out (by email): no letter is owed
    (owed,) = STL.owed_letters(db, c.id)
    STL.record_sent_another_way(db, owed.id, "email", on=acked)
    db.close()
    return path


# working days ------------------------------------------------------------------------------------


def test_workdays_add_subprocess(tmp_path):
    env_db = tmp_path / "none.db"
    p = _run("workdays", "add", "2025-12-24", "10", env_db=env_db)
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert lines[0] == "2026-01-12"
    assert "Christmas Day" in lines[1] and "Boxing Day" in lines[1] and "New Year's Day" in lines[1]
    assert p.stderr == ""
    assert not env_db.exists()  # arithmetic alone makes no database


def test_workdays_add_bad_date_subprocess(tmp_path):
    env_db = tmp_path / "none.db"
    p = _run("workdays", "add", "2025-13-01", "10", env_db=env_db)
    assert p.returncode == 2
    assert "2025-13-01" in _one_plain_line(p.stderr)
    assert p.stdout == "" and not env_db.exists()


def test_workdays_add_uk_date(capsys):
    assert main(["workdays", "add", "24/12/2025", "10"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "2026-01-12" and out[1].startswith("10 working days after Wed 24 Dec 2025")


def test_workdays_add_uses_the_landlords_closure_days(tmp_path, capsys):
    path = tmp_path / "closures.db"
    db = Database(path, today=D(2025, 12, 1)).open()  # closure days are set ahead of time
    S.add_closure_day(db, D(2025, 12, 29), "Christmas shutdown")
    db.close()
    assert main(["workdays", "add", "--db", str(path), "2025-12-24", "10"]) == 0
    out = capsys.readouterr().out.splitlines()
    # one more day skipped: Tue 13 Jan
    assert out[0] == "2026-01-13" and "Christmas shutdown (29 Dec)" in out[1]


@pytest.mark.parametrize(
    "date, n, needle",
    [
        ("2025-13-01", "10", "2025-13-01"),
        ("31/02/2025", "10", "31/02/2025"),
        ("24/13/25", "10", "24/13/25"),  # no month 13 (24/12/25 is a date: UK order, 2025)
        ("tomorrow", "10", "tomorrow"),
        ("2025-12-24", "ten", "ten"),
        ("2025-12-24", "-1", "0 or more"),
        ("2025-12-24", "2.5", "2.5"),
        ("2025-12-24", "999999", "999999"),
        ("9999-12-31", "5", "too far"),  # counting would run past the last date Python knows
        ("", "5", "start date"),
    ],
)
def test_workdays_bad_input(tmp_path, capsys, date, n, needle):
    target = tmp_path / "never.db"
    assert main(["workdays", "add", "--db", str(target), date, n]) == 2
    out, err = capsys.readouterr()
    assert needle in _one_plain_line(err)
    assert out == "" and not target.exists()


# due ---------------------------------------------------------------------------------------------


def test_due_text_marks_overdue(filled, capsys):
    assert main(["due", "--db", str(filled)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:2] == ["reference", "due"]
    assert len(lines) == 4
    assert "OVERDUE" in lines[1] and "acknowledge stage 1" in lines[1]  # overdue first
    assert "Mr Ieuan Lloyd" in lines[1]
    assert "due soon" in lines[2] and "Alice Adams" in lines[2]
    assert "on time" in lines[3] and "OVERDUE" not in lines[3]


def test_due_json(filled, capsys):
    assert main(["--db", str(filled), "due", "--json"]) == 0
    items = json.loads(capsys.readouterr().out)
    assert isinstance(items, list) and len(items) == 3
    assert all(isinstance(i, dict) for i in items)
    assert [i["status"] for i in items] == ["overdue", "due soon", "on time"]
    assert items[0]["working_days_left"] < 0 and items[1]["working_days_left"] == 1
    assert {"reference", "resident", "stage", "step", "due", "handler"} <= set(items[0])
    dt.date.fromisoformat(items[0]["due"])


def test_due_within(filled, capsys):
    assert main(["due", "--db", str(filled), "--json", "--within", "1"]) == 0
    assert [i["status"] for i in json.loads(capsys.readouterr().out)] == ["overdue", "due soon"]


def test_due_honours_smallhousing_db_subprocess(filled):
    p = _run("due", "--json", env_db=filled)
    assert p.returncode == 0, p.stderr
    assert len(json.loads(p.stdout)) == 3


def test_due_honours_smallhousing_db(filled, monkeypatch, capsys):
    monkeypatch.setenv(paths.ENV_DB, str(filled))
    assert main(["due", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 3


def test_due_on_a_missing_file_says_so_and_creates_nothing(tmp_path, capsys):
    target = tmp_path / "mistyped.db"
    assert main(["due", "--db", str(target)]) == 2
    assert "There is no database at" in _one_plain_line(capsys.readouterr().err)
    assert not target.exists()


def test_due_with_nothing_open(tmp_path, capsys):
    Database(tmp_path / "fresh.db").open().close()
    assert main(["due", "--db", str(tmp_path / "fresh.db")]) == 0
    assert "Nothing is due" in capsys.readouterr().out
    assert main(["due", "--db", str(tmp_path / "fresh.db"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_due_bad_within_writes_nothing(tmp_path, capsys):
    target = tmp_path / "never.db"
    assert main(["due", "--db", str(target), "--within", "-3"]) == 2
    _one_plain_line(capsys.readouterr().err)
    assert not target.exists()
    assert main(["due", "--db", str(target), "--within", "5000"]) == 2
    _one_plain_line(capsys.readouterr().err)
    assert not target.exists()
    with pytest.raises(SystemExit) as e:
        main(["due", "--db", str(target), "--within", "ten"])
    assert e.value.code == 2
    _one_plain_line(capsys.readouterr().err)
    assert not target.exists()


# homes -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("year", ["2025", "2025/26", "2025-26"])
def test_homes(tmp_path, capsys, year):
    path = tmp_path / "homes.db"
    assert main(["homes", "--db", str(path), year, "640"]) == 0
    assert capsys.readouterr().out.strip() == "2025/26: 640 homes."
    assert main(["--db", str(path), "homes", year, "1,020"]) == 0
    db = Database(path).open()
    try:
        assert S.homes_for(db, 2025) == 1020
    finally:
        db.close()


@pytest.mark.parametrize(
    "year, homes",
    [
        ("2025", "ten"),
        ("2025", "-5"),
        ("2025", "6.5"),
        ("twenty25", "640"),
        ("2025/27", "640"),
        ("1800", "640"),
        ("", "640"),
        ("2025", "99999999999999999999"),
    ],
)
def test_homes_bad_input_writes_nothing(tmp_path, capsys, year, homes):
    new = tmp_path / "never.db"
    assert main(["homes", "--db", str(new), year, homes]) == 2
    _one_plain_line(capsys.readouterr().err)
    assert not new.exists()
    existing = tmp_path / "existing.db"
    assert main(["homes", "--db", str(existing), "2024", "600"]) == 0
    capsys.readouterr()
    before = _digest(existing)
    assert main(["homes", "--db", str(existing), year, homes]) == 2
    _one_plain_line(capsys.readouterr().err)
    assert _digest(existing) == before


# demo --------------------------------------------------------------------------------------------


def test_demo(tmp_path, capsys):
    from smallhousing.services import demo_copy

    path = tmp_path / "demo.db"
    assert main(["demo", "--db", str(path), "--complaints", "6", "--seed", "3"]) == 0
    assert "6 complaints" in capsys.readouterr().out
    db = Database(path).open()
    try:
        assert Q.count_complaints(db) == 6
        assert demo_copy.is_demo(db)  # made-up records say so on every screen and letter
    finally:
        db.close()


def test_demo_goes_to_the_demo_copy_by_default(tmp_path, capsys):
    from smallhousing.services import demo_copy

    real = paths.resolve_db_path(None)  # SMALLHOUSING_DB (see _no_default_db)
    assert main(["demo", "--complaints", "4", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    demo = paths.demo_db_path(real)
    assert str(demo) in out and "4 complaints" in out
    assert not real.exists()  # the landlord's own file is never made or filled
    db = Database(demo).open()
    try:
        assert Q.count_complaints(db) == 4 and demo_copy.is_demo(db)
    finally:
        db.close()
    assert demo_copy.file_to_open(real) == (demo, True)  # the app opens the demo next


def test_demo_never_fills_a_landlords_own_file(tmp_path, capsys):
    path = tmp_path / "own.db"
    db = Database(path).open()
    S.first_run_setup(db, "Ashbury Homes", 400)
    db.close()
    before = _digest(path)
    assert main(["demo", "--db", str(path), "--complaints", "3"]) == 2
    assert "not demo records" in _one_plain_line(capsys.readouterr().err)
    assert _digest(path) == before


@pytest.mark.parametrize(
    "args", [["--complaints", "ten"], ["--complaints", "-1"], ["--seed", "x"], ["--complaints", "2000000"]]
)
def test_demo_bad_input_writes_nothing(tmp_path, capsys, args):
    target = tmp_path / "never.db"
    assert main(["demo", "--db", str(target), *args]) == 2
    _one_plain_line(capsys.readouterr().err)
    assert not target.exists()


# any command -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["due"],
        ["due", "--json"],
        ["homes", "2025", "600"],
        ["demo", "--complaints", "2"],
        ["workdays", "add", "2025-12-24", "3"],
        ["verify"],
    ],
)
def test_text_file_as_db_is_refused_and_unchanged(tmp_path, capsys, argv):
    path = tmp_path / "letter.txt"
    path.write_text("Dear Sir, this is not a database.\n")
    before = _digest(path)
    assert main([*argv[:1], "--db", str(path), *argv[1:]]) == 2
    line = _one_plain_line(capsys.readouterr().err)
    assert str(paths.backups_dir(path)) in line and "not" in line
    assert _digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["letter.txt"]


def test_text_file_as_db_subprocess(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("shopping: eggs, milk\n")
    p = _run("due", "--db", str(path))
    assert p.returncode == 2 and p.stdout == ""
    assert "backups" in _one_plain_line(p.stderr)
    assert path.read_text() == "shopping: eggs, milk\n"


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root can read anything")
def test_unreadable_db_file(tmp_path, capsys):
    path = tmp_path / "locked.db"
    Database(path).open().close()
    os.chmod(path, 0)
    try:
        assert main(["due", "--db", str(path)]) == 2
        _one_plain_line(capsys.readouterr().err)
    finally:
        os.chmod(path, 0o600)


def test_unknown_command_is_one_line(capsys):
    with pytest.raises(SystemExit) as e:
        main(["frobnicate"])
    assert e.value.code == 2
    _one_plain_line(capsys.readouterr().err)


def _subparsers(parser):
    import argparse

    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield name, sub
                yield from _subparsers(sub)


def test_every_subcommand_takes_db():
    from smallhousing.cli import build_parser

    parser = build_parser()
    names = []
    for name, sub in _subparsers(parser):
        names.append(name)
        assert "--db" in sub._option_string_actions, f"{name} has no --db"
    assert {"workdays", "add", "due", "demo", "homes", "app"} <= set(names)
    for argv in (["due"], ["homes", "2025", "1"], ["demo"], ["workdays", "add", "2025-01-01", "1"], ["app"]):
        args = parser.parse_args([argv[0], "--db", "x.db", *argv[1:]])
        assert args.db == "x.db"
        args = parser.parse_args(["--db", "y.db", *argv])
        assert args.db == "y.db"


def test_no_terminal_for_the_app(tmp_path, capsys):
    target = tmp_path / "app.db"
    assert main(["--db", str(target)]) == 2
    assert "terminal" in _one_plain_line(capsys.readouterr().err)
    assert not target.exists()


@pytest.mark.parametrize(
    "argv, expected",
    [
        ([], {}),
        (["--db", "office.db"], {"db": "office.db"}),
        (["--db=office.db"], {"db": "office.db"}),
        (["--db", "office.db", "due"], None),  # a command: the full parser
        (["--db"], None),  # a mistake: the full parser says what is wrong
        (["--db", "--version"], None),
        (["--help"], None),
    ],
)
def test_the_app_is_started_without_building_every_command(argv, expected):
    from smallhousing.cli import app_args

    got = app_args(argv)
    assert (None if got is None else vars(got)) == expected


def test_starting_the_app_without_a_terminal_is_refused_in_one_line(tmp_path, capsys):
    for argv in ([], ["--db", str(tmp_path / "x.db")]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.strip().count("\n") == 0 and "needs a terminal" in err
    assert not (tmp_path / "x.db").exists()
    with pytest.raises(SystemExit) as stop:
        main(["--db"])
    assert stop.value.code == 2


# settings ----------------------------------------------------------------------------------------


@pytest.fixture
def landlord(tmp_path):
    path = tmp_path / "own.db"
    db = Database(path).open()
    S.first_run_setup(db, "Ashbury Homes", 400)
    S.update_settings(db, phone="01632 960 000", email="")
    db.close()
    return path


def _last_action(path: Path) -> tuple[str, str]:
    import sqlite3

    con = sqlite3.connect(str(path))
    try:
        return con.execute("SELECT action, after FROM audit_entry ORDER BY id DESC LIMIT 1").fetchone()
    finally:
        con.close()


def test_settings_show_prints_every_setting(landlord, capsys):
    assert main(["settings", "show", "--db", str(landlord)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":", 1)[0] for line in lines] == list(S.SETTINGS_FIELDS)
    shown = dict(line.split(": ", 1) for line in lines)
    assert shown["name"] == "Ashbury Homes" and shown["phone"] == "01632 960 000"
    assert shown["email"] == "(not set)" and shown["website"] == "(not set)"
    assert shown["retention_years"] == "6" and shown["ombudsman_phone"].startswith("0300")


def test_settings_set_changes_one_and_audits_it(landlord, capsys):
    assert main(["settings", "set", "--db", str(landlord), "member_responsible", "  Cllr Ann Rees "]) == 0
    assert "member_responsible: Cllr Ann Rees" in capsys.readouterr().out
    action, after = _last_action(landlord)
    assert action == "settings changed" and "Cllr Ann Rees" in after
    # the names the Settings screen shows work with hyphens too
    assert main(["--db", str(landlord), "settings", "set", "complaints-officer", "Sam Okoye"]) == 0
    assert main(["--db", str(landlord), "settings", "set", "retention_years", "7"]) == 0
    db = Database(landlord).open()
    try:
        st = S.get_settings(db)
        assert (st.member_responsible, st.complaints_officer, st.retention_years) == (
            "Cllr Ann Rees",
            "Sam Okoye",
            7,
        )
        assert st.name == "Ashbury Homes" and st.phone == "01632 960 000"  # nothing else changed
    finally:
        db.close()


@pytest.mark.parametrize(
    "key,value,said",
    [
        ("colour", "blue", "no setting called 'colour'"),
        ("setup_done", "0", "no setting called 'setup_done'"),
        ("demo", "1", "no setting called 'demo'"),
        ("name", "   ", "name cannot be empty"),
        ("retention_years", "0", "too small"),
        ("escalation_window_days", "ten", "whole number"),
        ("ombudsman_phone", "", "cannot be left empty"),
        ("ombudsman_post", "email help@example.org", "email address"),
        ("ombudsman_post", "PO Box 152, Liverpool", "old address"),
    ],
)
def test_settings_set_refuses_a_bad_key_or_value(landlord, capsys, key, value, said):
    before = _digest(landlord)
    assert main(["settings", "set", "--db", str(landlord), key, value]) == 2
    line = _one_plain_line(capsys.readouterr().err)
    assert said in line, line
    assert _digest(landlord) == before


def test_settings_need_a_database(tmp_path, capsys):
    target = tmp_path / "none.db"
    for argv in (["settings", "show"], ["settings", "set", "name", "Ashbury Homes"]):
        assert main([*argv, "--db", str(target)]) == 2
        assert "no database" in _one_plain_line(capsys.readouterr().err)
    assert not target.exists()


def test_settings_help_lists_every_key(capsys):
    from smallhousing.cli.settings import KEYS

    assert tuple(KEYS) == S.SETTINGS_FIELDS  # the service's own names, no more, no fewer
    with pytest.raises(SystemExit) as e:
        main(["settings", "set", "--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    for key in S.SETTINGS_FIELDS:
        assert key in out
    assert "Member Responsible for Complaints" in out
