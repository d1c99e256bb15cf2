"""``smallhousing team move-from FILE.db --to URL``: a laptop's file into a team's empty PostgreSQL
database (services/move.py). Kept apart from ``team setup`` and ``team add``: ``add_move_from``
adds it to the ``team`` command's sub-commands, and ``register`` makes that command when no other
module has made it yet."""

from __future__ import annotations


def add_move_from(team_sub, common) -> None:
    p = team_sub.add_parser(
        "move-from",
        parents=[common],
        help="copy a smallhousing file (FILE.db) into an empty PostgreSQL database, audit log and all",
    )
    p.add_argument("file", metavar="FILE.db", help="the SQLite file kept so far (left as it is)")
    p.add_argument(
        "--to",
        metavar="URL",
        help="the empty PostgreSQL database, postgresql://user@host/dbname (default: --db or SMALLHOUSING_DB)",
    )
    p.set_defaults(func=cmd_move_from)


def register(sub, common) -> None:
    team = sub.choices.get("team")
    if team is None:
        team = sub.add_parser("team", parents=[common], help="work as a team on one PostgreSQL database")
        team.set_defaults(func=lambda args: team.print_help() or 0)
    actions = [a for a in team._actions if a.__class__.__name__ == "_SubParsersAction"]
    team_sub = actions[0] if actions else team.add_subparsers(dest="team_command", metavar="COMMAND")
    add_move_from(team_sub, common)


def cmd_move_from(args) -> int:
    from .. import paths
    from ..services import move
    from . import UserError

    target = args.to or getattr(args, "db", None) or paths.resolve_db(None)
    if not paths.is_postgres_url(str(target)):
        raise UserError("Say which PostgreSQL database to move into: --to postgresql://user@host/dbname.")
    result = move.move_from(args.file, str(target))
    from ..store.postgres import shown_url

    print(result.summary(shown_url(str(target))))
    if result.ok:
        print("verify passes on both: every record and the audit log arrived as they were.")
        print(f"From now on, everyone uses: smallhousing --db {shown_url(str(target))}")
        return 0
    for p in result.source_problems:
        print(f"verify on {args.file}: {p}")
    for p in result.target_problems:
        print(f"verify on the team database: {p}")
    return 1
