"""Records in and out: import, export, backup, restore."""

from __future__ import annotations

import sys

from ._outputs import add_force, force_hint


def register(sub, common) -> None:
    p = sub.add_parser(
        "import", parents=[common], help="import a complaints log (CSV), or a full export with --json"
    )
    p.add_argument("file", metavar="FILE", help="the CSV file (or, with --json, the export)")
    p.add_argument(
        "--json",
        action="store_true",
        help="FILE is a full export made by 'export --json' (only into an empty database)",
    )
    p.set_defaults(func=cmd_import)

    p = sub.add_parser(
        "export", parents=[common], help="write the complaints log as CSV, or everything with --json"
    )
    p.add_argument("file", metavar="FILE", help="the file to write")
    p.add_argument(
        "--json",
        action="store_true",
        help="write every record (a complete, versioned copy that 'import --json' reads back)",
    )
    add_force(p)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("backup", parents=[common], help="back the database up now")
    p.add_argument(
        "--out", metavar="FILE", help="where to write it (default: the backups folder beside the database)"
    )
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser(
        "restore", parents=[common], help="replace the database with a backup (the current one is kept aside)"
    )
    p.add_argument("file", metavar="FILE", help="the backup to restore")
    p.set_defaults(func=cmd_restore)


def cmd_import(args) -> int:
    from ..services import transfer
    from . import EXIT_BAD_INPUT, open_db

    db = open_db(args)
    if args.json:
        counts = transfer.import_json(db, args.file)
        print(
            f"Imported the full export {args.file}: {counts.get('complaint', 0)} complaints, "
            f"{counts.get('resident', 0)} residents, {sum(counts.values())} records in all."
        )
        return 0
    try:
        result = transfer.import_csv(db, args.file)
    except transfer.ImportProblems as exc:
        for w in exc.warnings:
            print(f"warning: {w}", file=sys.stderr)
        for line in exc.lines():
            print(line, file=sys.stderr)
        n = len(exc.problems)
        print(
            f"smallhousing: nothing was imported: {n} problem{'s' if n != 1 else ''} in {args.file}. "
            "Correct the file and import it again.",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    for w in result.warnings:
        print(f"warning: {w}", file=sys.stderr)
    print(result.summary())
    return 0


def cmd_export(args) -> int:
    from ..services import transfer
    from . import open_db

    db = open_db(args, must_exist=True)
    if args.json:
        with force_hint():
            counts = transfer.export_json(db, args.file, overwrite=args.force)
        print(
            f"Exported everything to {args.file}: {counts.get('complaint', 0)} complaints, "
            f"{sum(counts.values())} records in all."
        )
    else:
        with force_hint():
            n = transfer.export_csv(db, args.file, overwrite=args.force)
        print(f"Exported {n} complaint{'s' if n != 1 else ''} to {args.file}.")
    return 0


def cmd_backup(args) -> int:
    from .. import paths
    from ..services import backup
    from . import UserError

    target = paths.resolve_db(getattr(args, "db", None))
    if paths.is_postgres_url(target):
        raise UserError(backup.POSTGRES_NO_BACKUP)
    path = paths.resolve_db_path(getattr(args, "db", None))
    if not path.exists():
        raise UserError(f"There is no database at {path} to back up.")
    made = backup.backup(path, args.out)
    print(f"Backed up to {made}")
    return 0


def cmd_restore(args) -> int:
    from .. import paths
    from ..services import backup
    from . import UserError

    if paths.is_postgres_url(paths.resolve_db(getattr(args, "db", None))):
        raise UserError(backup.POSTGRES_NO_BACKUP)
    path = paths.resolve_db_path(getattr(args, "db", None))
    result = backup.restore(path, args.file)
    print(result.summary())
    return 0
