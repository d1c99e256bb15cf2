"""A team on one PostgreSQL database: ``team setup URL``, ``team add NAME``, ``team list``,
``team role WHO ROLE``, ``team remove WHO``.

Thin: services/team.py does the work; here are the words printed after it."""

from __future__ import annotations

import argparse


def register(sub, common) -> None:
    p = sub.add_parser(
        "team",
        parents=[common],
        help="several people on one PostgreSQL database, each signed in as themselves",
        description="Set up a PostgreSQL database for a team and add people to it: each person has "
        "a login of their own and a role (director, officer or viewer) that PostgreSQL itself "
        "enforces. Run these as the server's admin (or, to add people, as a director). "
        "smallhousing never stores a password.",
    )
    tsub = p.add_subparsers(dest="team_command", metavar="setup|add|list|role|remove", required=True)
    s = tsub.add_parser(
        "setup",
        parents=[common],
        help="prepare a PostgreSQL database for a team (safe to run again)",
        description="Create the tables, the three roles (smallhousing_director, smallhousing_officer, "
        "smallhousing_viewer) and what each may do, and keep the audit log from being changed. "
        "Running it again is safe: it makes what is missing and sets every permission again.",
    )
    s.add_argument("url", nargs="?", metavar="URL", help="postgresql://admin@host/dbname (default: --db)")
    s.add_argument(
        "--landlord",
        metavar="NAME",
        help="the landlord's name: recorded, and the first-run screen marked done, so that officers "
        "can start before a director has opened the app",
    )
    s.set_defaults(func=cmd_setup)
    a = tsub.add_parser(
        "add",
        parents=[common],
        help="add a person: a login of their own, a role and a staff record",
        description="Add a person to the team: a PostgreSQL login (made from their name unless "
        "--login is given), the role, and a staff record naming the login. No password is set or "
        "kept: see the lines printed after it.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="roles:\n  director  settings, the team, publishing a year, erasure, and all an officer does\n"
        "  officer   the complaint work\n  viewer    reads everything, changes nothing",
    )
    a.add_argument("name", metavar="NAME", help="their name as it appears on letters (quote it)")
    a.add_argument("--email", required=True, metavar="E", help="their email address")
    a.add_argument("--role", required=True, metavar="ROLE", help="director, officer or viewer")
    a.add_argument(
        "--login", metavar="LOGIN", help="their login (default: made from the name, e.g. ann_rees)"
    )
    a.set_defaults(func=cmd_add)
    s = tsub.add_parser("list", parents=[common], help="everyone with a login, and their role")
    s.set_defaults(func=cmd_list)
    r = tsub.add_parser(
        "role",
        parents=[common],
        help="give a person another role (or bring back someone taken out)",
        description="Change a person's role: director, officer or viewer. The team's last director "
        "cannot be made anything else. Someone taken out of the team (team remove) is brought back.",
    )
    r.add_argument("who", metavar="NAME|LOGIN", help="their name (quoted) or their login")
    r.add_argument("role", metavar="ROLE", help="director, officer or viewer")
    r.set_defaults(func=cmd_role)
    r = tsub.add_parser(
        "remove",
        parents=[common],
        help="take a person out of the team (their records and history stay)",
        description="Take a person's login out of the team: it loses its role and may no longer "
        "sign in. Their staff record stays, marked as left, and so does everything they did. You "
        "cannot take yourself out, nor the last director.",
    )
    r.add_argument("who", metavar="NAME|LOGIN", help="their name (quoted) or their login")
    r.set_defaults(func=cmd_remove)


def _team_db(args, url=None, *, opened: bool = True):
    """The team's database (--db, SMALLHOUSING_DB or ``url``); ``opened=False``: not even asked
    for yet (setup makes it when the server has none of that name)."""
    from .. import paths
    from . import UserError, _opened, open_db

    target = url or paths.resolve_db(getattr(args, "db", None))
    if not paths.is_postgres_url(target):
        raise UserError(
            "A team works on a PostgreSQL database: give its address, such as "
            "postgresql://postgres@db.example.org/complaints (a SQLite file is for one person)."
        )
    if not opened:
        from ..store.db import database_for

        db = database_for(str(target))
        _opened.append(db)
        return db
    return open_db(args, path=str(target))


def _wrapped(text: str, indent: str = "") -> None:
    import textwrap

    print(textwrap.fill(text, width=78, initial_indent=indent, subsequent_indent=indent + "  "))


def _pgpass_line(url: str) -> str:
    from urllib.parse import urlsplit

    u = urlsplit(url)
    return f"{u.hostname or 'localhost'}:{u.port or 5432}:{u.path.lstrip('/') or '*'}:{u.username}:PASSWORD"


def cmd_setup(args) -> int:
    from ..domain.team import MAY, ROLES
    from ..services import team

    db = _team_db(args, args.url, opened=False)
    res = team.setup(db, landlord=args.landlord)
    example = team.login_url(db, "ann_rees")
    made = (
        "made now"
        if len(res.created) == len(ROLES)
        else ("already there; their permissions were set again" if not res.created else "completed")
    )
    made_db = " (the server had no database of that name: it was made)" if res.database_made else ""
    print(f"The team database {res.where} is ready{made_db}.")
    print(f"Roles ({made}):")
    for role in ROLES:
        _wrapped(f"{res.groups[role]}: {MAY[role]}.", indent="  ")
    print("No one, directors included, can change or remove an entry in the audit log (erasure by a")
    print("director only blanks an entry, keeping its digests), and each entry is written in the name")
    print("of the login that made it.")
    if res.landlord:
        print(f"The landlord is {res.landlord}: the first-run screen is done, so the team can start.")
    else:
        print("A director opens smallhousing first to fill in the first-run screen (or run this again")
        print('with --landlord "NAME").')
    print()
    print("Next steps:")
    print("1. Add each person with the role they need (as now, signed in as the server's admin):")
    print('     smallhousing team add "Ann Rees" --email ann@example.org --role director \\')
    print(f"       --db {res.where}")
    print(
        "   Each gets a login of their own (here ann_rees). smallhousing never asks for or keeps a password."
    )
    print("2. Give each login a password: in psql, signed in as the server's admin, type")
    print("     \\password ann_rees")
    print("   (or let the server sign people in its own way, as your hosting provider sets up).")
    print("3. Each person, on their own computer, puts their password in ~/.pgpass, one line:")
    print(f"     {_pgpass_line(example)}")
    print("   then runs chmod 600 ~/.pgpass, and opens smallhousing with their own address:")
    print(f"     smallhousing --db {example}")
    print("   (or sets SMALLHOUSING_DB to that address once).")
    print("After installing a newer smallhousing, the admin opens the database once first (for example")
    print(f"smallhousing verify --db {res.where}) and runs team setup again.")
    return 0


def cmd_add(args) -> int:
    from ..domain.team import MAY, check_login, check_role
    from ..services import team

    # checked before the database is opened: bad input changes nothing
    check_role(args.role)
    if args.login is not None:
        check_login(args.login)
    m = team.add_member(_team_db(args), args.name, email=args.email, role=args.role, login=args.login)
    article = "an" if m.role[0] in "aeiou" else "a"
    how = "made" if m.new_login else "already on the server, now given the role"
    staff = "their staff record now names it" if m.linked else "a staff record was added"
    _wrapped(f"{m.name} ({m.email}) is {article} {m.role}, with the login {m.login} ({how}; {staff}).")
    _wrapped(f"What {article} {m.role} may do: {MAY[m.role]}.")
    print("smallhousing keeps no password. To give the login one, in psql as the server's admin type:")
    print(f"  \\password {m.login}")
    print("(or use the server's own sign-in). Then, on their own computer, they put in ~/.pgpass:")
    print(f"  {_pgpass_line(m.url)}")
    print("run chmod 600 ~/.pgpass, and open smallhousing with:")
    print(f"  smallhousing --db {m.url}")
    return 0


def cmd_list(args) -> int:
    from ..services import team

    lines = team.members(_team_db(args))
    if not lines:
        print("No one has a login yet: add people with smallhousing team add.")
        return 0
    for line in lines:
        role = line.role or "no team role"
        left = "" if line.active else " (left)"
        print(f"{line.name}{left}: {line.login}, {role}, {'active' if line.active else 'not active'}")
    return 0


def cmd_role(args) -> int:
    from ..domain.team import MAY, check_role
    from ..services import team

    role = check_role(args.role)  # before the database is opened: bad input changes nothing
    c = team.change_role(_team_db(args), args.who, role)
    article = "an" if role[0] in "aeiou" else "a"
    was = (
        f"was {c.before}"
        if c.before and not c.back
        else "had been taken out of the team; they may sign in again"
    )
    _wrapped(f"{c.name} ({c.login}) is now {article} {role} ({was}).")
    _wrapped(f"What {article} {role} may do: {MAY[role]}.")
    return 0


def cmd_remove(args) -> int:
    from ..services import team

    c = team.remove_member(_team_db(args), args.who)
    _wrapped(
        f"{c.name} ({c.login}) is no longer on the team: the login has no role and may not sign in. "
        "Their staff record stays, marked as left, with everything they did."
    )
    _wrapped(f"To bring them back: smallhousing team role {c.login} {c.before or 'officer'}")
    return 0
