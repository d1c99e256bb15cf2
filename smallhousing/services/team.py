"""A team on one PostgreSQL database: setting it up, and adding people, each with a login of their own.

Who may do what is enforced by PostgreSQL, not only by the app. ``setup`` makes three group roles
(NOLOGIN), each a member of the one below (a director has all an officer has, an officer all a
viewer has), and grants:

- viewer: SELECT on every table;
- officer: the complaint work: INSERT and UPDATE on every table not named below (residents,
  complaints, stages, extensions, remedies, outstanding actions, letters, service requests,
  learning ...), DELETE where the app deletes (learning points), INSERT on the audit log, and the
  id sequences of what it may insert into;
- director: also INSERT and UPDATE on ``DIRECTOR_TABLES`` (settings, staff, closure days, homes,
  published years, service request targets, compensation sums), DELETE on closure days, targets
  and compensation sums, INSERT on audit redactions (erasure), and adding people (``add_member``
  gives a director CREATEROLE and the group roles WITH ADMIN OPTION).

Nobody is granted DELETE on the audit log, and triggers refuse it (and TRUNCATE) to everyone, the
table's owner and the server's admin included. The one change an entry may have is erasure's: a
director may UPDATE an entry's ``before`` and ``after`` (those columns only), and a trigger lets it
through only when they become the erased marker and the entry's redaction (the old texts' sha256
digests) is already in audit_redaction, which no one may change; another trigger refuses an audit entry
written in any name but the login's own (``current_user``), except by the table's owner (a copy of
a laptop's records keeps the names it was written with). Passwords are never stored by smallhousing.

Every statement here runs on PostgreSQL only (SQLite has no roles); a SQLite file is refused plainly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlmodel import col, select

from ..domain.errors import DomainError
from ..domain.team import MAY, ROLES, check_login, check_role, group_role, login_from_name
from ..store.db import StoreError
from ..store.dialects import for_postgres
from ..store.models import Staff
from .base import audit, clean, ident, reading, transaction, update_fields

# settings, the team and what a published year rests on: directors only
DIRECTOR_TABLES = (
    "landlord_settings",
    "staff",
    "closure_day",
    "homes_year",
    "year_publication",
    "service_request_target",
    "compensation_rate",  # the compensation guidance's sums as this landlord uses them
    "perception_result",  # a year's TP09 counts, published with the year's figures
)
# a target or a sum put back to its default is a row deleted
DIRECTOR_DELETES = ("closure_day", "service_request_target", "compensation_rate")
OFFICER_DELETES = ("learning_point",)  # the tables the app deletes rows from (services/learning.py)
AUDIT_TABLES = ("audit_entry", "audit_redaction")
NOT_GRANTED = ("alembic_version",)  # read by everyone (to know the schema), written by the owner
_LOCK = 0x5348_5445  # "SHTE": two setups at once take turns


@dataclass
class Setup:
    where: str
    database: str
    created: list[str] = field(default_factory=list)  # group roles made now (none when run again)
    groups: dict[str, str] = field(default_factory=dict)  # role -> group role
    officer_tables: list[str] = field(default_factory=list)
    director_tables: list[str] = field(default_factory=list)
    database_made: bool = False  # the server had no database of that name: setup made it
    landlord: str | None = None  # the landlord's name, recorded now (first-run screen done)


@dataclass
class Member:
    staff_id: int
    name: str
    email: str
    role: str
    login: str
    url: str  # how they connect (no password)
    new_login: bool  # False: a login already on the server was given the role
    linked: bool  # True: an existing staff record (same name) now names the login
    manages_team: bool


def _need_postgres(db) -> None:
    if getattr(db, "dialect", "sqlite") != "postgresql":
        raise DomainError(
            "A team works on a PostgreSQL database: give --db postgresql://user@host/dbname. A SQLite "
            "file is for one person on one computer."
        )


def _q(name: str) -> str:
    """A role or table name, quoted (every name quoted here was checked or is our own)."""
    return '"' + name.replace('"', '""') + '"'


def login_url(db, login: str) -> str:
    """The address ``login`` connects with: the team database's, with their name, no password."""
    from urllib.parse import urlsplit, urlunsplit

    u = urlsplit(str(db.where))
    host = u.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{login}@{host}" + (f":{u.port}" if u.port else "")
    return urlunsplit((u.scheme, netloc, u.path, u.query, ""))


def _refused_setup(db, what: str) -> DomainError:
    return DomainError(
        f"{what} needs the database's owner signed in with permission to create roles (such as the "
        f"server's admin account, postgres): the login used for {db.where} has not got it. Nothing "
        "was changed."
    )


def setup(db, *, landlord: str | None = None) -> Setup:
    """Prepare a PostgreSQL database for a team: its tables (migrated to the newest schema), the
    three group roles, their grants and the audit log's triggers. Safe to run again: it makes
    what is missing and sets every grant afresh (after an upgrade adds tables, run it again).

    ``landlord``: the landlord's name, recorded with the first-run screen marked done, so that
    officers can start work before a director has opened the app (only a director or the owner
    may change the settings)."""
    _need_postgres(db)
    import psycopg

    if landlord is not None:
        landlord = " ".join(clean(landlord).split())
        if not landlord:
            raise DomainError("The landlord's name (--landlord) cannot be empty.", field="landlord")

    made = _create_database_if_missing(db)
    db.open()  # creates or upgrades the tables

    with db.raw() as con:
        try:
            res = _setup(db, con)
            con.commit()
        except psycopg.errors.InsufficientPrivilege:
            raise _refused_setup(db, "Setting up a team") from None
    res.database_made = made
    if landlord is not None:
        from .settings import update_settings

        update_settings(db, name=landlord, setup_done=True)
        res.landlord = landlord
    return res


def _create_database_if_missing(db) -> bool:
    """Make the database the address names when the server has none of that name (asked of the
    server's own ``postgres`` database, as createdb does). True when it was made."""
    import psycopg
    from psycopg import sql
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    try:
        db.connect(autocommit=True).close()
        return False
    except StoreError as exc:
        name = conninfo_to_dict(db.conninfo).get("dbname")
        if not name or f'database "{name}" does not exist' not in str(exc):
            raise
    try:
        with psycopg.connect(make_conninfo(db.conninfo, dbname="postgres"), autocommit=True) as con:
            con.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(str(name))))
    except psycopg.errors.InsufficientPrivilege:
        raise _refused_setup(db, "Making the database") from None
    except psycopg.OperationalError as exc:
        raise db.unreachable(exc) from None
    return True


def _setup(db, con) -> Setup:
    import psycopg
    from psycopg import sql

    con.execute(for_postgres("SELECT pg_advisory_xact_lock(?)"), (_LOCK,))
    may = con.execute(
        "SELECT rolcreaterole OR rolsuper FROM pg_roles WHERE rolname = current_user"
    ).fetchone()
    owns = con.execute(
        "SELECT pg_has_role(current_user, relowner, 'USAGE') FROM pg_class "
        "WHERE oid = to_regclass('audit_entry')"
    ).fetchone()
    if not (may and may[0] and owns and owns[0]):
        raise _refused_setup(db, "Setting up a team")
    database = con.execute("SELECT current_database()").fetchone()[0]
    schema = con.execute("SELECT current_schema()").fetchone()[0]
    res = Setup(where=str(db.where), database=database)
    groups = {role: group_role(role) for role in ROLES}
    res.groups = groups
    for role in reversed(ROLES):  # viewer first
        g = groups[role]
        if con.execute(for_postgres("SELECT 1 FROM pg_roles WHERE rolname = ?"), (g,)).fetchone() is None:
            try:
                with con.transaction():  # a savepoint: roles are the server's, and another
                    con.execute(f"CREATE ROLE {_q(g)} NOLOGIN")  # database's setup may make it first
                res.created.append(g)
            except (psycopg.errors.UniqueViolation, psycopg.errors.DuplicateObject):
                pass
        note = sql.SQL("COMMENT ON ROLE {} IS {}").format(
            sql.Identifier(g), sql.Literal(f"smallhousing {role}: {MAY[role]}")
        )
        con.execute(note)
    viewer, officer, director = groups["viewer"], groups["officer"], groups["director"]
    for member, of in ((officer, viewer), (director, officer)):
        con.execute(f"GRANT {_q(of)} TO {_q(member)}")
    tables = [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
            "AND table_type = 'BASE TABLE' ORDER BY table_name"
        )
    ]
    director_tables = [t for t in tables if t in DIRECTOR_TABLES]
    officer_tables = [t for t in tables if t not in DIRECTOR_TABLES + AUDIT_TABLES + NOT_GRANTED]
    res.officer_tables, res.director_tables = officer_tables, director_tables
    # every grant afresh: what was granted before (by an older version) goes
    for g in groups.values():
        con.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA {_q(schema)} FROM {_q(g)}")
        con.execute(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {_q(schema)} FROM {_q(g)}")
    con.execute(f"GRANT CONNECT ON DATABASE {_q(database)} TO {_q(viewer)}")
    con.execute(f"GRANT USAGE ON SCHEMA {_q(schema)} TO {_q(viewer)}")
    con.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA {_q(schema)} TO {_q(viewer)}")

    def grant(privileges: str, names: list[str] | tuple[str, ...], to: str) -> None:
        present = [t for t in names if t in tables]
        if present:
            con.execute(f"GRANT {privileges} ON {', '.join(_q(t) for t in present)} TO {_q(to)}")

    def sequences(names: list[str] | tuple[str, ...], to: str) -> None:
        for t in names:
            if t not in tables:
                continue
            seq = con.execute(for_postgres("SELECT pg_get_serial_sequence(?, 'id')"), (_q(t),)).fetchone()
            if seq and seq[0]:
                con.execute(f"GRANT USAGE ON SEQUENCE {seq[0]} TO {_q(to)}")

    grant("INSERT, UPDATE", officer_tables, officer)
    grant("DELETE", OFFICER_DELETES, officer)
    grant("INSERT", ("audit_entry",), officer)
    sequences([*officer_tables, "audit_entry"], officer)
    grant("INSERT, UPDATE", director_tables, director)
    grant("DELETE", DIRECTOR_DELETES, director)
    grant("INSERT", ("audit_redaction",), director)
    if "audit_entry" in tables:  # erasure: the triggers let only a redaction through
        con.execute('GRANT UPDATE ("before", "after") ON "audit_entry" TO ' + _q(director))
    sequences([*director_tables, "audit_redaction"], director)
    # tables a later version adds can be read at once; writing them waits for setup to run again
    con.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA {_q(schema)} GRANT SELECT ON TABLES TO {_q(viewer)}")
    _audit_triggers(con)
    return res


_KEPT = """
CREATE OR REPLACE FUNCTION smallhousing_audit_kept() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    RAISE EXCEPTION 'the audit log is kept as it was written: its entries cannot be changed or removed'
        USING ERRCODE = 'insufficient_privilege', TABLE = TG_TABLE_NAME;
END
$fn$
"""
_OWN_NAME = """
CREATE OR REPLACE FUNCTION smallhousing_audit_own_name() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    IF NEW.actor IS DISTINCT FROM current_user::text AND NOT pg_has_role(
        current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'USAGE'
    ) THEN
        RAISE EXCEPTION 'an audit entry is written in the name of the login that makes it'
            USING ERRCODE = 'insufficient_privilege', TABLE = TG_TABLE_NAME;
    END IF;
    RETURN NEW;
END
$fn$
"""
# The one change an audit entry may have: erasure (services/privacy.py) puts ERASED_MARKER in place
# of its before and after, once their sha256 digests are kept in audit_redaction (so that the hash
# chain still verifies: services/verify.py), by a director or the table's owner. Nothing else
# about the entry may change.
ERASED_MARKER = '{"erased": true}'  # what privacy.ERASED_ENTRY is
_REDACTED_ONLY = """
CREATE OR REPLACE FUNCTION smallhousing_audit_redacted_only() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $fn$
BEGIN
    IF (to_jsonb(NEW) - 'before' - 'after') = (to_jsonb(OLD) - 'before' - 'after')
        AND NEW.before = '{marker}' AND NEW.after = '{marker}'
        AND (
            pg_has_role(current_user, '{director}', 'USAGE')
            OR pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'USAGE')
        )
        AND EXISTS (
            SELECT 1 FROM audit_redaction r
            WHERE r.entry_id = OLD.id
                AND r.before_digest = encode(sha256(convert_to(OLD.before, 'UTF8')), 'hex')
                AND r.after_digest = encode(sha256(convert_to(OLD.after, 'UTF8')), 'hex')
        )
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the audit log is kept as it was written: an entry may only be erased, by a '
        'director, once its digests are kept'
        USING ERRCODE = 'insufficient_privilege', TABLE = TG_TABLE_NAME;
END
$fn$
"""


def _audit_triggers(con) -> None:
    """The audit log's triggers, made afresh (running setup again upgrades an older database's)."""
    con.execute(_KEPT)
    con.execute(_OWN_NAME)
    con.execute(_REDACTED_ONLY.format(marker=ERASED_MARKER, director=group_role("director")))
    # for each statement, so that one changing no row is refused too (a row trigger would not
    # fire at all): no DELETE or TRUNCATE of either, no UPDATE of a redaction
    for table, what in (
        ("audit_entry", "DELETE OR TRUNCATE"),
        ("audit_redaction", "UPDATE OR DELETE OR TRUNCATE"),
    ):
        con.execute(f"DROP TRIGGER IF EXISTS smallhousing_kept ON {_q(table)}")
        con.execute(
            f"CREATE TRIGGER smallhousing_kept BEFORE {what} ON {_q(table)} "
            "FOR EACH STATEMENT EXECUTE FUNCTION smallhousing_audit_kept()"
        )
    # an entry's UPDATE, row by row: only an erasure passes
    con.execute('DROP TRIGGER IF EXISTS smallhousing_redacted_only ON "audit_entry"')
    con.execute(
        'CREATE TRIGGER smallhousing_redacted_only BEFORE UPDATE ON "audit_entry" FOR EACH ROW '
        "EXECUTE FUNCTION smallhousing_audit_redacted_only()"
    )
    con.execute('DROP TRIGGER IF EXISTS smallhousing_own_name ON "audit_entry"')
    con.execute(
        'CREATE TRIGGER smallhousing_own_name BEFORE INSERT ON "audit_entry" FOR EACH ROW '
        "EXECUTE FUNCTION smallhousing_audit_own_name()"
    )


def _check_ready(db, conn, doing: str) -> None:
    """Refuse plainly when the database is not set up for a team, or the login may not manage it."""

    def one(sql: str):
        return conn.execute(text(sql), {"names": [group_role(r) for r in ROLES]}).first()

    found = one("SELECT count(*) FROM pg_roles WHERE rolname = ANY(:names)")
    ready = one(
        "SELECT count(*) FROM pg_trigger WHERE tgname = 'smallhousing_own_name' "
        "AND tgrelid = to_regclass('audit_entry')"
    )
    if not found or found[0] < len(ROLES) or not ready or not ready[0]:
        raise DomainError(
            f"{db.where} has not been set up for a team yet: run smallhousing team setup first."
        )
    may = one("SELECT rolcreaterole OR rolsuper FROM pg_roles WHERE rolname = current_user")
    if not may or not may[0]:
        raise DomainError(
            f"{doing} needs a login that may create roles and manage the team: the server's admin account, or a "
            "director added with smallhousing team add. Nothing was changed."
        )


def _grant_role(conn, login: str, role: str) -> bool:
    """Give ``login`` the group role for ``role`` (a director: all three WITH ADMIN OPTION, and
    CREATEROLE, to add people in turn). True when they now manage the team."""
    if role == "director":
        conn.exec_driver_sql(
            f"GRANT {', '.join(_q(group_role(r)) for r in ROLES)} TO {_q(login)} WITH ADMIN OPTION"
        )
        conn.exec_driver_sql(f"ALTER ROLE {_q(login)} CREATEROLE")
        return True
    conn.exec_driver_sql(f"GRANT {_q(group_role(role))} TO {_q(login)}")
    return False


def _take_roles(conn, login: str) -> None:
    """Take every team role (and managing the team) away from ``login``."""
    for r in ROLES:
        conn.exec_driver_sql(f"REVOKE {_q(group_role(r))} FROM {_q(login)}")
    conn.exec_driver_sql(f"ALTER ROLE {_q(login)} NOCREATEROLE")


def _role_of(conn, login: str) -> str | None:
    """The team role the server gives ``login`` (the most allowed), or None."""
    for r in ROLES:
        row = conn.execute(
            text("SELECT pg_has_role(:login, :group, 'USAGE') FROM pg_roles WHERE rolname = :login"),
            {"login": login, "group": group_role(r)},
        ).first()
        if row is not None and row[0]:
            return r
    return None


def add_member(db, name: str, *, email: str, role: str, login: str | None = None) -> Member:
    """Add a person to the team: a PostgreSQL login (made from their name, or ``login``) in the
    group role for ``role``, and a staff record naming it, in one transaction. No password is set
    or kept: the person (or the server's admin) sets one in psql, or the server's own sign-in is used.

    A login already on the server is given the role (any other team role it had is taken away);
    an active staff record of the same name without a login is linked rather than made twice. A
    director may add people in turn (CREATEROLE, and the group roles WITH ADMIN OPTION)."""
    from ..domain.emails import check_email
    from ..domain.steps import staff_name_key

    _need_postgres(db)
    role = check_role(role)
    name = " ".join(clean(name).split())
    if not name:
        raise DomainError("A person needs a name.", field="name")
    email = check_email(email)
    if not email:
        raise DomainError("A person on the team needs an email address (--email).", field="email")
    login = check_login(login if login is not None and login.strip() else login_from_name(name))
    with transaction(db) as u:
        conn = u.session.connection()

        def one(sql: str, params: dict | None = None):
            return conn.execute(text(sql), params or {}).first()

        _check_ready(db, conn, "Adding people")
        taken = u.session.exec(select(Staff).where(Staff.login == login)).first()
        if taken is not None:
            raise DomainError(
                f"The login {login} is already {taken.name}'s: give another with --login.", field="login"
            )
        existing = one("SELECT rolsuper FROM pg_roles WHERE rolname = :login", {"login": login})
        if existing is not None and existing[0]:
            raise DomainError(
                f"{login} is the server's admin account: give a login of the person's own.", field="login"
            )
        new_login = existing is None
        if new_login:
            conn.exec_driver_sql(f"CREATE ROLE {_q(login)} LOGIN")
        else:
            conn.exec_driver_sql(f"ALTER ROLE {_q(login)} LOGIN")
            for other in ROLES:
                conn.exec_driver_sql(f"REVOKE {_q(group_role(other))} FROM {_q(login)}")
        manages = _grant_role(conn, login, role)
        linked = False
        same = [
            s
            for s in u.session.exec(select(Staff).where(Staff.active == True)).all()  # noqa: E712
            if s.login is None and staff_name_key(s.name) == staff_name_key(name)
        ]
        if same:
            row = same[0]
            changes: dict[str, Any] = {"login": login}
            if email:
                changes["email"] = email
            update_fields(u, row, "staff given a login", **changes)
            linked = True
        else:
            from .settings import add_staff

            row = add_staff(u, name, role=role.capitalize(), email=email, login=login)
        audit(
            u,
            "team role given",
            entity="login",
            after={"login": login, "role": role, "staff_id": ident(row), "manages_team": manages},
        )
        return Member(
            staff_id=ident(row),
            name=row.name,
            email=row.email,
            role=role,
            login=login,
            url=login_url(db, login),
            new_login=new_login,
            linked=linked,
            manages_team=manages,
        )


@dataclass
class TeamLine:
    name: str
    login: str
    role: str | None  # None: the login has no team role (or is no longer on the server)
    active: bool


def members(db) -> list[TeamLine]:
    """Everyone on the staff list with a login, and the team role the server gives each."""
    _need_postgres(db)
    out = []
    with reading(db) as u:
        conn = u.session.connection()
        q = select(Staff).where(col(Staff.login).is_not(None)).order_by(col(Staff.name))
        for s in u.session.exec(q).all():
            out.append(TeamLine(s.name, s.login or "", _role_of(conn, s.login or ""), s.active))
    return out


def _find(u, who: str) -> Staff:
    """The staff record of a person on the team, by their login or their name."""
    from ..domain.steps import staff_name_key

    who = " ".join(clean(who).split())
    if not who:
        raise DomainError("Say who: their name (quoted) or their login.", field="who")
    rows = u.session.exec(select(Staff).where(col(Staff.login).is_not(None)).order_by(col(Staff.id))).all()
    found = [s for s in rows if s.login == who] or [
        s for s in rows if staff_name_key(s.name) == staff_name_key(who)
    ]
    if len(found) > 1:
        found = [s for s in found if s.active] or found
    if not found:
        raise DomainError(
            f"No one on the team is called {who} or has that login: see smallhousing team list.", field="who"
        )
    if len(found) > 1:
        logins = ", ".join(str(s.login) for s in found)
        raise DomainError(f"More than one person is called {who} ({logins}): give their login.", field="who")
    return found[0]


def _other_directors(u, conn, login: str) -> int:
    """How many people on the team, other than ``login``, are directors."""
    rows = u.session.exec(
        select(Staff).where(col(Staff.login).is_not(None), Staff.active == True)  # noqa: E712
    ).all()
    return sum(1 for s in rows if s.login != login and _role_of(conn, s.login or "") == "director")


def _me(conn) -> str:
    row = conn.execute(text("SELECT current_user")).first()
    return str(row[0]) if row else ""


@dataclass
class Change:
    name: str
    login: str
    before: str | None  # the team role they had
    after: str | None  # the one they have now (None: taken out of the team)
    back: bool = False  # they had been taken out of the team and are back


def remove_member(db, who: str) -> Change:
    """Take a person out of the team: their login loses its team role and may no longer sign in
    (NOLOGIN); their staff record stays, marked as left, and so does everything they did. A
    director may not take themself out, and the last director may not be taken out."""
    _need_postgres(db)
    with transaction(db) as u:
        conn = u.session.connection()
        _check_ready(db, conn, "Taking people out of the team")
        person = _find(u, who)
        login = str(person.login)
        if login == _me(conn):
            raise DomainError(
                "You cannot take yourself out of the team: another director (or the server's admin) "
                "must do it. Nothing was changed."
            )
        role = _role_of(conn, login)
        if role is None and not person.active:
            raise DomainError(f"{person.name} ({login}) is not on the team any more: nothing was changed.")
        if role == "director" and not _other_directors(u, conn, login):
            raise DomainError(
                f"{person.name} is the team's last director: make someone else a director first "
                "(smallhousing team role NAME director). Nothing was changed."
            )
        _take_roles(conn, login)
        conn.exec_driver_sql(f"ALTER ROLE {_q(login)} NOLOGIN")
        update_fields(u, person, "staff left the team", active=False)
        audit(
            u,
            "team role taken away",
            entity="login",
            before={"login": login, "role": role},
            after={"login": login, "role": None, "staff_id": ident(person), "can_sign_in": False},
        )
        return Change(person.name, login, role, None)


def change_role(db, who: str, role: str) -> Change:
    """Give a person on the team another role (director, officer or viewer); the last director
    may not be made anything else. Someone taken out of the team is brought back by it (their
    login may sign in again)."""
    _need_postgres(db)
    role = check_role(role)
    with transaction(db) as u:
        conn = u.session.connection()
        _check_ready(db, conn, "Changing someone's role")
        person = _find(u, who)
        login = str(person.login)
        before = _role_of(conn, login)
        back = not person.active or before is None
        if before == role and not back:
            raise DomainError(f"{person.name} ({login}) is already a {role}: nothing was changed.")
        if before == "director" and role != "director" and not _other_directors(u, conn, login):
            raise DomainError(
                f"{person.name} is the team's last director: make someone else a director first. "
                "Nothing was changed."
            )
        _take_roles(conn, login)
        manages = _grant_role(conn, login, role)
        if back:
            conn.exec_driver_sql(f"ALTER ROLE {_q(login)} LOGIN")
            update_fields(u, person, "staff back on the team", active=True)
        audit(
            u,
            "team role changed",
            entity="login",
            before={"login": login, "role": before},
            after={"login": login, "role": role, "staff_id": ident(person), "manages_team": manages},
        )
        return Change(person.name, login, before, role, back)
