"""A team on one PostgreSQL database (services/team.py, `smallhousing team`): setup, people with logins
of their own, and who may do what, enforced by the server. Each test connects as a director, an
officer and a viewer (the test server trusts 127.0.0.1, so a login needs no password there).

Roles are the server's, not a database's: the logins made here have names of their own for each
test and are dropped after it; the three group roles are shared (setup is idempotent) and dropped
at the end of the run if nothing else uses them."""

from __future__ import annotations

import datetime as dt
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest
from conftest import TODAY

from smallhousing.domain import lifecycle as L
from smallhousing.domain.errors import DomainError
from smallhousing.domain.team import ROLES, check_login, group_role, login_from_name
from smallhousing.services import complaints as C
from smallhousing.services import publishing as P
from smallhousing.services import residents as R
from smallhousing.services import settings as S
from smallhousing.services import team
from smallhousing.services.verify import verify
from smallhousing.store.db import Database, StoreReadOnly, StoreRefused
from smallhousing.store.postgres import PostgresDatabase

D = dt.date
pytestmark = pytest.mark.usefixtures("no_backup")


def as_login(url: str, login: str) -> str:
    u = urlsplit(url)
    return urlunsplit(u._replace(netloc=f"{login}@{u.hostname}:{u.port or 5432}"))


@pytest.fixture(scope="module")
def groups_dropped_after(pg_server):
    yield
    import psycopg

    with psycopg.connect(pg_server, autocommit=True) as con:
        for role in ROLES:  # most allowed first: each is a member of the next
            try:
                con.execute(f'DROP ROLE IF EXISTS "{group_role(role)}"')
            except psycopg.Error:
                pass  # still granted something in another database (another run): left as it is


class Team:
    """The admin's database, and one for each of a director, an officer and a viewer."""

    def __init__(self, url: str, tag: str) -> None:
        self.url, self.tag = url, tag
        self.admin = PostgresDatabase(url, today=TODAY)
        self.opened: list[PostgresDatabase] = [self.admin]
        self.logins: list[str] = []
        self.people: dict[str, team.Member] = {}
        self.dbs: dict[str, PostgresDatabase] = {}

    def login(self, who: str) -> str:
        name = f"t{self.tag}_{who}"
        self.logins.append(name)
        return name

    def open_as(self, login: str) -> PostgresDatabase:
        d = PostgresDatabase(as_login(self.url, login), actor="someone typed", today=TODAY)
        self.opened.append(d)
        return d


@pytest.fixture
def made(pg_url, pg_server, groups_dropped_after):
    """A team database: set up, a landlord, a resident, and a director, an officer and a viewer."""
    import psycopg

    t = Team(pg_url, uuid.uuid4().hex[:8])
    try:
        team.setup(t.admin)
        for who, name, role in (
            ("dina", "Dina Dale", "director"),
            ("owen", "Owen Oduya", "officer"),
            ("vera", "Vera Vaughan", "viewer"),
        ):
            m = team.add_member(t.admin, name, email=f"{who}@ashbury.example", role=role, login=t.login(who))
            t.people[role] = m
            t.dbs[role] = t.open_as(m.login)
        S.update_settings(
            t.dbs["director"], name="Ashbury Homes", complaints_officer="Owen Oduya", setup_done=True
        )
        yield t
    finally:
        for d in t.opened:
            d.close()
        with psycopg.connect(pg_url, autocommit=True) as con:
            for login in reversed(t.logins):
                if con.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (login,)).fetchone():
                    con.execute(f'REASSIGN OWNED BY "{login}" TO CURRENT_USER')
                    con.execute(f'DROP OWNED BY "{login}"')
        with psycopg.connect(pg_server, autocommit=True) as con:
            for login in reversed(t.logins):
                con.execute(f'DROP ROLE IF EXISTS "{login}"')


def privileges(url: str) -> dict:
    import psycopg

    with psycopg.connect(url, autocommit=True) as con:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
            )
        ]
        out = {}
        for role in ROLES:
            for t in tables:
                for p in ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE"):
                    out[role, t, p] = con.execute(
                        "SELECT has_table_privilege(%s, %s, %s)", (group_role(role), t, p)
                    ).fetchone()[0]
        out["triggers"] = sorted(
            con.execute(
                "SELECT tgname, tgrelid::regclass::text FROM pg_trigger WHERE NOT tgisinternal"
            ).fetchall()
        )
    return out


# login names ---------------------------------------------------------------------------------------


def test_a_login_is_made_from_the_name_and_checked():
    assert login_from_name("Siân O'Brien") == "sian_obrien"
    assert login_from_name("  Ann  Rees-Jones ") == "ann_rees_jones"
    assert login_from_name("3rd Floor Team") == "u_3rd_floor_team"
    assert check_login("ann_rees") == "ann_rees"
    for bad in ("Ann", "ann rees", "ann;drop", "pg_ann", "postgres", "smallhousing_director", "", "a" * 64):
        with pytest.raises(DomainError):
            check_login(bad)


def test_a_team_needs_postgresql(tmp_path):
    d = Database(tmp_path / "one.db", actor="ann", today=TODAY)
    with pytest.raises(DomainError, match="PostgreSQL"):
        team.setup(d)
    with pytest.raises(DomainError, match="PostgreSQL"):
        team.add_member(d, "Ann Rees", email="ann@example.org", role="officer")
    # on SQLite the actor stays the name it was given
    assert d.actor == "ann"


# setup ------------------------------------------------------------------------------------------------


def test_setup_twice_is_safe_and_sets_the_same_permissions(pg_url, groups_dropped_after):
    admin = PostgresDatabase(pg_url, today=TODAY)
    try:
        first = team.setup(admin)
        after_first = privileges(pg_url)
        second = team.setup(admin)
        assert second.created == []  # the roles are there: nothing made twice
        assert privileges(pg_url) == after_first
        assert set(second.groups.values()) == {
            "smallhousing_director",
            "smallhousing_officer",
            "smallhousing_viewer",
        }
        assert first.director_tables == second.director_tables
    finally:
        admin.close()
    p = after_first
    assert p["viewer", "complaint", "SELECT"] and not p["viewer", "complaint", "INSERT"]
    assert p["officer", "complaint", "UPDATE"] and p["officer", "audit_entry", "INSERT"]
    assert not p["officer", "landlord_settings", "UPDATE"] and not p["officer", "year_publication", "INSERT"]
    assert not p["officer", "staff", "INSERT"] and not p["officer", "audit_redaction", "INSERT"]
    assert p["director", "landlord_settings", "UPDATE"] and p["director", "complaint", "INSERT"]
    for role in ROLES:  # nobody may change or remove an audit entry
        for t in ("audit_entry", "audit_redaction"):
            assert not any(p[role, t, x] for x in ("UPDATE", "DELETE", "TRUNCATE")), (role, t)
    names = {(n, t) for n, t in p["triggers"]}
    assert ("smallhousing_kept", "audit_entry") in names and ("smallhousing_own_name", "audit_entry") in names
    assert len(p["triggers"]) == len(set(p["triggers"]))


# who may do what ---------------------------------------------------------------------------------------


def test_each_role_may_do_its_own_work_and_is_refused_the_rest(made):
    director, officer, viewer = made.dbs["director"], made.dbs["officer"], made.dbs["viewer"]
    owen = made.people["officer"]
    # the officer does the complaint work
    r = R.add_resident(officer, "Mrs Siân O'Brien", address="12 Heol y Parc, Ashbury", postcode="AB1 3EF")
    c = C.log_complaint(officer, r.id, D(2026, 2, 16), "The kitchen tap has leaked.", channel="phone")
    C.acknowledge(officer, c.id, "Leaking tap not repaired.", handler_id=owen.staff_id, on=D(2026, 2, 17))
    assert C.complaint_view(viewer, c.id).complaint.state == L.S1_ACKNOWLEDGED
    # ...but not the settings, nor publishing a year
    with pytest.raises(StoreRefused, match=r"Your role \(officer\) may not change the landlord's settings"):
        S.update_settings(officer, name="Officer's Homes")
    with pytest.raises(
        StoreRefused, match=r"Your role \(officer\) may not change a reporting year's published"
    ):
        P.publish_year(officer, 2024)
    with pytest.raises(StoreRefused, match=r"Your role \(officer\)"):
        S.add_closure_day(officer, D(2026, 12, 24), "Christmas Eve")
    with pytest.raises(DomainError, match="may create roles"):  # nor manage the team
        team.add_member(
            officer, "Pat Price", email="pat@ashbury.example", role="officer", login=made.login("pat")
        )
    # the viewer changes nothing
    with pytest.raises(StoreReadOnly, match=r"Your role \(viewer\) may not change records"):
        C.log_complaint(viewer, r.id, D(2026, 2, 20), "The lift is broken.")
    with pytest.raises(StoreRefused, match=r"Your role \(viewer\) may not change records"):
        S.update_settings(viewer, name="Viewer's Homes")
    # the director changes settings, publishes a year and adds people
    assert S.update_settings(director, phone="01632 960 000").phone == "01632 960 000"
    assert P.publish_year(director, 2024).published_by == made.people["director"].login
    kim = team.add_member(
        director, "Kim Kaur", email="kim@ashbury.example", role="officer", login=made.login("kim")
    )
    kim_db = made.open_as(kim.login)
    C.log_complaint(kim_db, r.id, D(2026, 2, 25), "The lift is broken.")
    # nothing refused was written, and the records still agree with the audit log
    assert S.get_settings(viewer).name == "Ashbury Homes"
    assert S.list_closure_days(viewer) == []
    res = verify(made.admin)
    assert res.ok, res.problems


def test_service_request_targets_are_a_directors_setting(made):
    from smallhousing.services import service_requests as SRS

    director, officer = made.dbs["director"], made.dbs["officer"]
    r = R.add_resident(officer, "Mrs Siân O'Brien")
    # the officer logs a request (its target read from the settings) but may not change a target
    sr = C.log_service_request(officer, r.id, D(2026, 2, 16), "The gate is broken.", category="repairs")
    with pytest.raises(StoreRefused, match=r"Your role \(officer\) may not change the targets for service"):
        SRS.set_target(officer, "repairs", 5)
    # the director sets it, the open request moves, and the director resets it
    SRS.set_target(director, "repairs", 5)
    assert SRS.service_request_view(officer, sr.id).request.target_on == D(2026, 2, 23)
    with pytest.raises(StoreRefused, match=r"Your role \(officer\)"):
        SRS.reset_target(officer, "repairs")
    assert SRS.reset_target(director, "repairs") == 20


def test_the_audit_log_names_each_login_never_a_name_typed(made):
    officer, director = made.dbs["officer"], made.dbs["director"]
    assert officer.actor == made.people["officer"].login  # the name given ("someone typed") is not used
    r = R.add_resident(officer, "Mr Huw Morgan", address="4 Station Road")
    C.log_complaint(officer, r.id, D(2026, 2, 16), "The boiler has failed.")
    S.update_settings(director, phone="01632 960 001")
    import psycopg

    with psycopg.connect(made.url) as con:
        actors = dict(
            con.execute(
                "SELECT action, actor FROM audit_entry WHERE action IN "
                "('resident added', 'complaint logged', 'settings changed', 'team role given')"
            ).fetchall()
        )
    assert actors["resident added"] == actors["complaint logged"] == made.people["officer"].login
    assert actors["settings changed"] == made.people["director"].login
    assert actors["team role given"] == "postgres"  # the admin who added them
    # and the server refuses an entry written in another's name
    with psycopg.connect(as_login(made.url, made.people["officer"].login)) as con:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="name of the login"):
            con.execute(
                "INSERT INTO audit_entry (at, actor, action, entity, before, after, prev_hash, hash) "
                "VALUES (now(), 'dina', 'x', 'x', '{}', '{}', '', '')"
            )


@pytest.mark.parametrize("who", ["director", "officer", "viewer", "admin"])
def test_nobody_can_change_or_remove_an_audit_entry(made, who):
    import psycopg

    url = made.url if who == "admin" else as_login(made.url, made.people[who].login)
    for statement in (
        "UPDATE audit_entry SET actor = 'someone else'",
        "DELETE FROM audit_entry",
        "TRUNCATE audit_entry CASCADE",
        "DELETE FROM audit_redaction",
    ):
        with psycopg.connect(url) as con:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                con.execute(statement)
    # through the app's own error handling: said plainly
    d = made.admin if who == "admin" else made.dbs[who]
    from sqlalchemy import text

    with pytest.raises(StoreRefused, match="cannot be changed or removed"):
        with d.session() as s:
            s.execute(text("DELETE FROM audit_entry"))
    assert verify(made.admin).ok


def test_a_person_already_on_the_staff_list_is_linked_not_added_twice(made):
    director = made.dbs["director"]
    s = S.add_staff(director, "Bilal Bashir", role="Housing Manager")
    m = team.add_member(
        made.admin, "Bilal  Bashir", email="bilal@ashbury.example", role="officer", login=made.login("bilal")
    )
    assert m.linked and m.staff_id == s.id and m.new_login
    row = next(x for x in S.list_staff(director) if x.id == s.id)
    assert row.login == m.login and row.email == "bilal@ashbury.example" and row.role == "Housing Manager"
    with pytest.raises(DomainError, match="already"):
        team.add_member(made.admin, "Someone Else", email="se@ashbury.example", role="viewer", login=m.login)
    lines = {line.login: line.role for line in team.members(made.admin)}
    assert lines[m.login] == "officer" and lines[made.people["viewer"].login] == "viewer"
    assert verify(made.admin).ok


def test_add_before_setup_says_to_run_setup(pg_url):
    admin = PostgresDatabase(pg_url, today=TODAY)
    try:  # the group roles may be on the server (they are the server's), but this database is not set up
        with pytest.raises(DomainError, match="team setup"):
            team.add_member(admin, "Ann Rees", email="ann@example.org", role="officer", login="never_made")
    finally:
        admin.close()
    import psycopg

    with psycopg.connect(pg_url) as con:
        assert con.execute("SELECT 1 FROM pg_roles WHERE rolname = 'never_made'").fetchone() is None


# the commands --------------------------------------------------------------------------------------------


def test_the_commands_set_up_add_and_list(pg_url, groups_dropped_after, capsys):
    from smallhousing.cli import main

    assert main(["team", "setup", pg_url]) == 0
    out = capsys.readouterr().out
    assert "is ready" in out and "team add" in out and "~/.pgpass" in out and "\\password" in out
    assert max(len(line) for line in out.splitlines()) <= 120
    assert main(["team", "setup", pg_url]) == 0  # again: safe
    assert "already there" in capsys.readouterr().out
    login = f"t{uuid.uuid4().hex[:8]}_ann"
    try:
        assert (
            main(
                [
                    "team",
                    "add",
                    "Ann Rees",
                    "--email",
                    "ann@example.org",
                    "--role",
                    "officer",
                    "--login",
                    login,
                    "--db",
                    pg_url,
                ]
            )
            == 0
        )
        out = capsys.readouterr().out
        assert f"login {login}" in out and f"\\password {login}" in out and as_login(pg_url, login) in out
        assert "PASSWORD" in out  # the ~/.pgpass line to fill in: no password is asked for or kept
        assert main(["team", "list", "--db", pg_url]) == 0
        assert f"Ann Rees: {login}, officer" in capsys.readouterr().out
        # bad input: one line, nothing made
        assert main(["team", "add", "Bo", "--email", "bo@example.org", "--role", "boss", "--db", pg_url]) == 2
        assert "not a role" in capsys.readouterr().err
        assert (
            main(
                [
                    "team",
                    "add",
                    "Bo",
                    "--email",
                    "bo@example.org",
                    "--role",
                    "viewer",
                    "--login",
                    "Bo Bo",
                    "--db",
                    pg_url,
                ]
            )
            == 2
        )
        assert "cannot be a login" in capsys.readouterr().err
    finally:
        import psycopg

        with psycopg.connect(pg_url, autocommit=True) as con:
            con.execute(f'DROP ROLE IF EXISTS "{login}"')


def test_setup_makes_the_database_when_the_server_has_none(pg_server, tmp_path, monkeypatch, capsys):
    import psycopg

    from smallhousing.cli import main

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    name = f"smallhousing_test_{uuid.uuid4().hex[:12]}"
    url = urlunsplit(urlsplit(pg_server)._replace(path="/" + name))
    try:
        assert main(["team", "setup", url]) == 0
        assert "it was made" in capsys.readouterr().out
        d = PostgresDatabase(url, today=TODAY)
        assert d.check() == "ours"
        d.close()
        assert main(["team", "setup", url]) == 0
        assert "it was made" not in capsys.readouterr().out
    finally:
        with psycopg.connect(pg_server, autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_setup_of_a_sqlite_file_is_refused_in_one_line(tmp_path, capsys):
    from smallhousing.cli import main

    assert main(["team", "setup", str(tmp_path / "one.db")]) == 2
    assert "PostgreSQL" in capsys.readouterr().err
    assert not (tmp_path / "one.db").exists()


# the app -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role, said",
    [
        ("viewer", "Your role (viewer) may not change records"),
        ("officer", "Your role (officer) may not change the landlord's settings"),
    ],
)
async def test_the_settings_screen_says_plainly_what_a_role_may_not_change(made, role, said):
    from helpers import settle, text_of
    from test_screens_settings import SIZE, ScreenApp, open_settings
    from textual.widgets import Input, Static

    from smallhousing.screens.settings import SettingsScreen

    d = made.dbs[role]
    app = ScreenApp(lambda: SettingsScreen(d))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_settings(pilot)
        name = screen.query_one("#f-name", Input)
        name.focus()
        await pilot.press("ctrl+u", *"Brook HA", "ctrl+s")
        await settle(pilot)
        assert said in text_of(screen.query_one("#landlord-message", Static))
        assert app.screen is screen  # no crash, no traceback: the form stays with what was typed
        assert name.value == "Brook HA"
    assert S.get_settings(made.admin).name == "Ashbury Homes"
