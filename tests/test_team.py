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
from smallhousing.services import privacy, team
from smallhousing.services import publishing as P
from smallhousing.services import residents as R
from smallhousing.services import settings as S
from smallhousing.services.base import payload_digest
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
        for role in ROLES:
            for cols in (("before", "after"), ("actor",)):
                out[role, "audit_entry", f"UPDATE ({', '.join(cols)})"] = all(
                    con.execute(
                        "SELECT has_column_privilege(%s, 'audit_entry', %s, 'UPDATE')", (group_role(role), c)
                    ).fetchone()[0]
                    for c in cols
                )
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
    with pytest.raises(DomainError, match="PostgreSQL"):
        team.change_role(d, "Ann Rees", "director")
    with pytest.raises(DomainError, match="PostgreSQL"):
        team.remove_member(d, "ann_rees")
    assert S.first_run_waits_for(d) is None  # one person on a file sets it up themselves
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
    for role in ROLES:  # nobody may change or remove an audit entry (but see erasure below)
        for t in ("audit_entry", "audit_redaction"):
            assert not any(p[role, t, x] for x in ("UPDATE", "DELETE", "TRUNCATE")), (role, t)
    assert p["director", "audit_entry", "UPDATE (before, after)"]  # erasure's, through the trigger
    assert not p["director", "audit_entry", "UPDATE (actor)"]
    assert not p["officer", "audit_entry", "UPDATE (before, after)"]
    names = {(n, t) for n, t in p["triggers"]}
    assert ("smallhousing_kept", "audit_entry") in names and ("smallhousing_own_name", "audit_entry") in names
    assert ("smallhousing_redacted_only", "audit_entry") in names
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
        "UPDATE audit_redaction SET reason = 'changed'",
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


MARK = '{"erased": true}'
ERASE = "UPDATE audit_entry SET before = %s, after = %s WHERE id = %s"
KEEP_DIGESTS = (
    "INSERT INTO audit_redaction (entry_id, before_digest, after_digest, redacted_on, reason) "
    "VALUES (%s, %s, %s, current_date, 'test')"
)


@pytest.mark.parametrize("who", ["director", "officer", "viewer", "admin"])
def test_only_an_erasure_may_change_an_audit_entry(made, who):
    """The row trigger lets an entry change only to the erased marker, with its digests kept
    first, by a director or the owner; everything is tried in transactions rolled back."""
    import psycopg

    with psycopg.connect(made.url) as con:
        eid, before, after = con.execute(
            "SELECT id, before, after FROM audit_entry ORDER BY id DESC LIMIT 1"
        ).fetchone()
    url = made.url if who == "admin" else as_login(made.url, made.people[who].login)
    with psycopg.connect(url) as con:

        def refused(sql, params=()):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                with con.transaction():
                    con.execute(sql, params)

        refused(ERASE, (MARK, MARK, eid))  # no redaction kept: refused to everyone
        if who in ("officer", "viewer"):  # nor may they keep one
            refused(KEEP_DIGESTS, (eid, payload_digest(before), payload_digest(after)))
            return
        with con.transaction(force_rollback=True):  # digests that are not the entry's
            con.execute(KEEP_DIGESTS, (eid, payload_digest(before + " "), payload_digest(after)))
            refused(ERASE, (MARK, MARK, eid))
        with con.transaction(force_rollback=True):
            con.execute(KEEP_DIGESTS, (eid, payload_digest(before), payload_digest(after)))
            refused(
                "UPDATE audit_entry SET before = %s, after = %s, action = 'x' WHERE id = %s",
                (MARK, MARK, eid),
            )
            refused("UPDATE audit_entry SET hash = 'x' WHERE id = %s", (eid,))
            refused(ERASE, ('{"erased": false}', MARK, eid))  # only the marker
            refused("UPDATE audit_entry SET before = %s WHERE id = %s", (MARK, eid))  # both, or not at all
            refused("UPDATE audit_redaction SET before_digest = 'x' WHERE entry_id = %s", (eid,))
            con.execute(ERASE, (MARK, MARK, eid))  # the one change allowed
            assert con.execute("SELECT before FROM audit_entry WHERE id = %s", (eid,)).fetchone()[0] == MARK
    with psycopg.connect(made.url) as con:  # and nothing was kept
        assert con.execute("SELECT before FROM audit_entry WHERE id = %s", (eid,)).fetchone()[0] == before
    assert verify(made.admin).ok


NAME = "Zebedee Quartermaine"


def _closed_for_long(made) -> tuple[int, int]:
    """A resident (by the officer) whose one complaint closed in January 2026, and a neighbour whose
    notes name them."""
    officer, owen = made.dbs["officer"], made.people["officer"]
    r = R.add_resident(
        officer, NAME, address="7 Quartermaine Court", postcode="AB9 9ZZ", phone="07700 900123"
    )
    c = C.log_complaint(officer, r.id, D(2026, 1, 5), f"{NAME}: the gutter leaks", channel="letter")
    C.acknowledge(officer, c.id, f"Gutter over {NAME}'s door", handler_id=owen.staff_id, on=D(2026, 1, 7))
    C.respond(
        officer,
        c.id,
        "upheld",
        "We told Mr Quartermaine the gutter was missed.",
        remedy_statement="An apology.",
        on=D(2026, 1, 12),
    )
    C.close(officer, c.id, on=D(2026, 1, 14))
    other = R.add_resident(officer, "Ada Lovelace", notes=f"neighbour of {NAME}")
    return r.id, other.id


def _mentions(url: str, word: str) -> list[str]:
    """Where ``word`` is still in a text column of any table: ["table.column", ...]."""
    import psycopg

    with psycopg.connect(url) as con:
        cols = con.execute(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = "
            "current_schema() AND data_type IN ('text', 'character varying')"
        ).fetchall()
        return [
            f"{t}.{c}"
            for t, c in cols
            if con.execute(f'SELECT count(*) FROM "{t}" WHERE "{c}" ILIKE %s', (f"%{word}%",)).fetchone()[0]
        ]


def test_a_director_erases_a_resident_and_the_log_still_verifies(made):
    import psycopg

    rid, other = _closed_for_long(made)
    assert "audit_entry.after" in _mentions(made.url, "Quartermaine")
    later = D(2032, 2, 2)  # more than 6 years after the complaint closed on 14 January 2026

    def at(role: str) -> PostgresDatabase:
        d = PostgresDatabase(as_login(made.url, made.people[role].login), today=later)
        made.opened.append(d)
        return d

    # an officer is refused plainly, before anything is changed
    with pytest.raises(DomainError, match=r"a director's work: your role \(officer\) may not"):
        privacy.anonymise_resident(at("officer"), rid)
    assert "resident.name" in _mentions(made.url, "Quartermaine")
    result = privacy.anonymise_resident(at("director"), rid)
    assert result["complaints"] == 1 and result["audit_entries"] > 0 and result["texts_erased"] >= 1
    # a director does not own the tables: the owner must vacuum them; backups are the server's
    assert result["server"]["vacuumed"] is False
    notes = " ".join(result["server"]["notes"])
    assert "VACUUM FULL" in notes and "owner" in notes and "pg_dump" in notes
    assert result["backups_holding"] == [] and result["backups_erased"] == {}
    assert _mentions(made.url, "Quartermaine") == [] and _mentions(made.url, "07700 900123") == []
    with psycopg.connect(made.url) as con:
        assert con.execute("SELECT name FROM resident WHERE id = %s", (rid,)).fetchone()[0] == (
            f"Former resident {rid}"
        )
        assert con.execute("SELECT notes FROM resident WHERE id = %s", (other,)).fetchone()[0] == (
            "neighbour of [erased]"
        )
        erased = con.execute("SELECT count(*) FROM audit_entry WHERE before = %s", (MARK,)).fetchone()[0]
        assert erased == result["audit_entries"]
    res = verify(made.admin)
    assert res.ok, res.problems


def test_the_owner_erasing_vacuums_the_tables(made):
    rid, _ = _closed_for_long(made)
    owner = PostgresDatabase(made.url, today=D(2032, 2, 2))
    made.opened.append(owner)
    result = privacy.anonymise_resident(owner, rid)
    assert result["server"]["vacuumed"] is True
    assert "were vacuumed" in " ".join(result["server"]["notes"])
    assert _mentions(made.url, "Quartermaine") == []
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


# changing the team ---------------------------------------------------------------------------------------


def can_sign_in(url: str, login: str) -> bool:
    import psycopg

    try:
        psycopg.connect(as_login(url, login)).close()
    except psycopg.OperationalError as exc:
        assert "not permitted to log in" in str(exc)
        return False
    return True


def test_a_director_changes_roles_and_the_team_keeps_a_director(made):
    director, officer, viewer = made.dbs["director"], made.dbs["officer"], made.dbs["viewer"]
    dina, owen, vera = (made.people[r].login for r in ROLES)
    with pytest.raises(DomainError, match="manage the team"):  # an officer may not
        team.change_role(officer, vera, "officer")
    with pytest.raises(DomainError, match="last director"):
        team.change_role(made.admin, dina, "officer")
    with pytest.raises(DomainError, match="already a viewer"):
        team.change_role(director, vera, "viewer")
    with pytest.raises(DomainError, match="not a role"):
        team.change_role(director, vera, "boss")
    with pytest.raises(DomainError, match="No one on the team is called Nobody"):
        team.change_role(director, "Nobody", "viewer")
    # by name: the officer becomes a viewer, and the server holds them to it at once
    c = team.change_role(director, "Owen  Oduya", "viewer")
    assert (c.login, c.before, c.after, c.back) == (owen, "officer", "viewer", False)
    with pytest.raises(StoreReadOnly, match=r"Your role \(viewer\)"):
        R.add_resident(officer, "Mr Huw Morgan")
    # the viewer becomes a director (and may manage the team), so Dina may step down
    team.change_role(director, vera, "director")
    team.change_role(viewer, dina, "officer")
    roles = {line.login: line.role for line in team.members(made.admin)}
    assert roles == {dina: "officer", owen: "viewer", vera: "director"}
    with pytest.raises(DomainError, match="manage the team"):  # Dina no longer manages the team
        team.change_role(director, owen, "officer")
    assert S.update_settings(viewer, phone="01632 960 002").phone == "01632 960 002"
    import psycopg

    with psycopg.connect(made.url) as con:
        changed = con.execute(
            "SELECT actor, after FROM audit_entry WHERE action = 'team role changed' ORDER BY id"
        ).fetchall()
    assert [a for a, _ in changed] == [dina, dina, vera]
    assert verify(made.admin).ok


def test_taking_a_person_out_keeps_their_record_and_history(made, capsys):
    director, viewer = made.dbs["director"], made.dbs["viewer"]
    dina, owen = made.people["director"].login, made.people["officer"].login
    R.add_resident(made.dbs["officer"], "Mr Huw Morgan", address="4 Station Road")
    with pytest.raises(DomainError, match="manage the team"):
        team.remove_member(viewer, owen)
    with pytest.raises(DomainError, match="cannot take yourself out"):
        team.remove_member(director, dina)
    with pytest.raises(DomainError, match="last director"):
        team.remove_member(made.admin, "Dina Dale")
    c = team.remove_member(director, "Owen Oduya")
    assert (c.login, c.before, c.after) == (owen, "officer", None)
    assert not can_sign_in(made.url, owen)
    [line] = [x for x in team.members(made.admin) if x.login == owen]
    assert (line.name, line.role, line.active) == ("Owen Oduya", None, False)
    with pytest.raises(DomainError, match="not on the team any more"):
        team.remove_member(director, owen)
    import psycopg

    with psycopg.connect(made.url) as con:  # what they did is kept, in their name
        assert (
            con.execute(
                "SELECT count(*) FROM audit_entry WHERE actor = %s AND action = 'resident added'", (owen,)
            ).fetchone()[0]
            == 1
        )
    # brought back with a role
    back = team.change_role(director, owen, "officer")
    assert back.back and back.after == "officer" and can_sign_in(made.url, owen)
    assert next(x for x in team.members(made.admin) if x.login == owen).active
    assert verify(made.admin).ok
    # the commands say the same
    from smallhousing.cli import main

    assert main(["team", "remove", owen, "--db", made.url]) == 0
    out = capsys.readouterr().out
    assert f"Owen Oduya ({owen}) is no longer on the team" in out and f"team role {owen} officer" in out
    assert main(["team", "list", "--db", made.url]) == 0
    assert f"Owen Oduya (left): {owen}, no team role, not active" in capsys.readouterr().out
    assert main(["team", "role", owen, "viewer", "--db", made.url]) == 0
    assert f"({owen}) is now a viewer" in capsys.readouterr().out
    assert main(["team", "remove", dina, "--db", made.url]) == 2
    assert "last director" in capsys.readouterr().err
    assert main(["team", "role", owen, "boss", "--db", made.url]) == 2
    assert "not a role" in capsys.readouterr().err


# before the first-run screen -------------------------------------------------------------------------------


def test_setup_with_the_landlord_lets_the_team_start(pg_url, groups_dropped_after, capsys):
    from smallhousing.cli import main

    admin = PostgresDatabase(pg_url, today=TODAY)
    try:
        with pytest.raises(DomainError, match="cannot be empty"):
            team.setup(admin, landlord="  ")
        res = team.setup(admin, landlord=" Brook  Homes ")
        assert res.landlord == "Brook Homes"
        assert S.is_set_up(admin) and S.get_settings(admin).name == "Brook Homes"
    finally:
        admin.close()
    assert main(["team", "setup", pg_url, "--landlord", "Brook Homes Ltd"]) == 0
    assert "The landlord is Brook Homes Ltd" in capsys.readouterr().out
    assert main(["team", "setup", pg_url, "--landlord", ""]) == 2
    assert "cannot be empty" in capsys.readouterr().err


async def test_an_officer_before_the_first_run_screen_is_told_a_director_must_do_it(made):
    from helpers import settle, text_of
    from test_screens_settings import SIZE, ScreenApp
    from textual.widgets import Button, Static

    from smallhousing.screens.welcome import WelcomeScreen

    director, officer = made.dbs["director"], made.dbs["officer"]
    S.update_settings(director, setup_done=False)  # as a new database is before anyone set it up
    assert not S.is_set_up(officer)
    said = S.first_run_waits_for(officer)
    assert said and "your role (officer)" in said and "a director must first open smallhousing" in said
    assert "your role (viewer)" in (S.first_run_waits_for(made.dbs["viewer"]) or "")
    assert S.first_run_waits_for(director) is None and S.first_run_waits_for(made.admin) is None
    app = ScreenApp(lambda: WelcomeScreen(officer))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, WelcomeScreen)
        assert "a director must first open smallhousing" in text_of(
            screen.query_one("#welcome-waiting", Static)
        )
        assert not screen.query_one("#start", Button).display
        assert "say who you are" not in text_of(screen.query_one("#welcome-intro", Static))
        await pilot.press("ctrl+s")  # Start: the same words, no permission error
        await settle(pilot)
        assert "your role (officer)" in text_of(screen.query_one("#welcome-error", Static))
        assert app.screen is screen
    assert not S.is_set_up(made.admin)
