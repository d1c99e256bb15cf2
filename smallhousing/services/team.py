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
  published years), DELETE on closure days, INSERT on audit redactions (erasure), and adding people
  (``add_member`` gives a director CREATEROLE and the group roles WITH ADMIN OPTION).

Nobody is granted UPDATE or DELETE on the audit log, and triggers refuse them (and TRUNCATE) to
everyone, the table's owner and the server's admin included; another trigger refuses an audit entry
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
    "perception_result",  # a year's TP09 counts, published with the year's figures
)
DIRECTOR_DELETES = ("closure_day",)
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


def setup(db) -> Setup:
    """Prepare a PostgreSQL database for a team: its tables (migrated to the newest schema), the
    three group roles, their grants and the audit log's triggers. Safe to run again: it makes
    what is missing and sets every grant afresh (after an upgrade adds tables, run it again)."""
    _need_postgres(db)
    import psycopg

    made = _create_database_if_missing(db)
    db.open()  # creates or upgrades the tables

    with db.raw() as con:
        try:
            res = _setup(db, con)
            con.commit()
        except psycopg.errors.InsufficientPrivilege:
            raise _refused_setup(db, "Setting up a team") from None
    res.database_made = made
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
            con.execute(f"CREATE ROLE {_q(g)} NOLOGIN")
            res.created.append(g)
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


def _audit_triggers(con) -> None:
    con.execute(_KEPT)
    con.execute(_OWN_NAME)
    for table in AUDIT_TABLES:
        # for each statement, so that one changing no row is refused too (a row trigger would
        # not fire at all)
        con.execute(f"DROP TRIGGER IF EXISTS smallhousing_kept ON {_q(table)}")
        con.execute(
            f"CREATE TRIGGER smallhousing_kept BEFORE UPDATE OR DELETE OR TRUNCATE ON {_q(table)} "
            "FOR EACH STATEMENT EXECUTE FUNCTION smallhousing_audit_kept()"
        )
    con.execute('DROP TRIGGER IF EXISTS smallhousing_own_name ON "audit_entry"')
    con.execute(
        'CREATE TRIGGER smallhousing_own_name BEFORE INSERT ON "audit_entry" FOR EACH ROW '
        "EXECUTE FUNCTION smallhousing_audit_own_name()"
    )


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
    group = group_role(role)
    with transaction(db) as u:
        conn = u.session.connection()

        def one(sql: str, params: dict | None = None):
            return conn.execute(text(sql), params or {}).first()

        found = one(
            "SELECT count(*) FROM pg_roles WHERE rolname = ANY(:names)",
            {"names": [group_role(r) for r in ROLES]},
        )
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
                "Adding people needs a login that may create roles: the server's admin account, or a "
                "director added with smallhousing team add. Nothing was changed."
            )
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
        manages = role == "director"
        if manages:
            conn.exec_driver_sql(
                f"GRANT {', '.join(_q(group_role(r)) for r in ROLES)} TO {_q(login)} WITH ADMIN OPTION"
            )
            conn.exec_driver_sql(f"ALTER ROLE {_q(login)} CREATEROLE")
        else:
            conn.exec_driver_sql(f"GRANT {_q(group)} TO {_q(login)}")
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
            has = None
            for r in ROLES:
                row = conn.execute(
                    text("SELECT pg_has_role(:login, :group, 'USAGE') FROM pg_roles WHERE rolname = :login"),
                    {"login": s.login, "group": group_role(r)},
                ).first()
                if row is not None and row[0]:
                    has = r
                    break
            out.append(TeamLine(s.name, s.login or "", has, s.active))
    return out
