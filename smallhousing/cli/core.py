"""Core subcommands: the app, working days, what is due, demo data, homes."""

from __future__ import annotations

import json
import sys


def register(sub, common) -> None:
    p = sub.add_parser("app", parents=[common], help="open the app (the same as no command)")
    p.set_defaults(func=run_app)

    p = sub.add_parser("workdays", parents=[common], help="working-day arithmetic")
    wsub = p.add_subparsers(dest="workdays_command", metavar="add", required=True)
    a = wsub.add_parser("add", parents=[common], help="the date N working days after DATE")
    a.add_argument("date", help="the start date, 2025-12-24 or 24/12/2025 (day 0)")
    a.add_argument("n", help="how many working days")
    a.set_defaults(func=cmd_workdays_add)

    p = sub.add_parser("due", parents=[common], help="open deadlines, soonest first")
    p.add_argument("--json", action="store_true", help="print a JSON list")
    p.add_argument("--within", type=int, metavar="N", help="only those due within N working days")
    p.set_defaults(func=cmd_due)

    p = sub.add_parser(
        "demo",
        parents=[common],
        help="make the demo copy: made-up records, marked DEMO, apart from your own",
        description="Fill the demo copy (demo/demo.db in the data folder, beside your own database) "
        "with made-up records, marked as a demo: every screen, letter and report made from it says "
        "DEMO. The app opens it next time, until you leave it with Ctrl+O (Start using smallhousing "
        "for real). With --db, the file named is filled and marked instead; a file holding a "
        "landlord's own records is refused.",
    )
    p.add_argument("--complaints", default="300", metavar="N", help="how many complaints (default 300)")
    p.add_argument("--seed", default="1", metavar="S", help="random seed (default 1)")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("verify", parents=[common], help="check the database and the audit log's hash chain")
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("homes", parents=[common], help="set the number of homes for a reporting year")
    p.add_argument("year", help="2025 or 2025/26 (the year from 1 April 2025)")
    p.add_argument("homes", help="number of homes")
    p.set_defaults(func=cmd_homes)


def _int(text: str, what: str) -> int:
    from . import UserError

    try:
        return int(str(text).strip())
    except ValueError:
        raise UserError(f"{what} must be a whole number, not {text!r}.") from None


def run_app(args) -> int:
    """Start the app (``smallhousing`` with no command)."""
    from .. import paths

    path = paths.resolve_db(getattr(args, "db", None))
    if not sys.stdin.isatty() or not sys.stdout.isatty():
        from . import UserError

        raise UserError("the app needs a terminal; see 'smallhousing --help' for commands.")
    return start_app(path)


def start_app(path, **run_options) -> int:
    """Run the app for the landlord's database at ``path`` (``run_options`` go to App.run: the
    benchmark runs it headless).

    The app opens the demo copy instead while that is the one in use (services/demo_copy.py).
    When the user moves between the two ("Try it with demo data" on the welcome screen, "Start
    using smallhousing for real" on the demo), the app closes saying which file to open next: it
    is remembered, and the app starts again on that file."""
    from ..services import demo_copy

    while True:
        target, on_demo = demo_copy.file_to_open(path)
        code, switch = _run_once(target, leave_to=path if on_demo else None, **run_options)
        if switch not in (demo_copy.DEMO, demo_copy.REAL) or code:
            return code
        demo_copy.remember(path, switch)


def _run_once(path, *, leave_to=None, **run_options) -> tuple[int, object]:
    """Check the file, build the app and run it; its exit status and what it handed back. The file
    is checked here (cheaply) and opened by the app after its first screen is drawn, so the app is
    up at once."""
    import gc

    # Start-up makes many objects and almost no garbage: the collector would only walk them again
    # and again. It is switched back on once the first screen is up (SmallHousingApp.on_mount).
    gc.disable()
    try:
        from ..store.db import database_for

        db = database_for(path)
        db.check()  # a wrong or damaged file is refused here, in one line, before the screen changes
        from ..app import build_app
        from ..services.demo_copy import looks_demo

        app = build_app(db, leave_to=leave_to, demo=leave_to is not None or looks_demo(path))
    except BaseException:
        gc.enable()  # refused before the app started
        raise
    try:
        app.run(**run_options)
    finally:
        gc.enable()
        db.close()
    return app.return_code or 0, app.return_value


def cmd_workdays_add(args) -> int:
    from .. import paths
    from ..domain.calendar import WorkingCalendar
    from . import parse_date_arg

    start = parse_date_arg(args.date)
    n = _int(args.n, "N")
    cal = WorkingCalendar()
    path = paths.resolve_db(getattr(args, "db", None))
    if paths.is_postgres_url(path) or path.exists():
        from ..services.base import reading
        from . import open_db

        with reading(open_db(args)) as u:
            cal = u.cal
    d = cal.add(start, n)
    print(d.due.isoformat())
    print(d.explain())
    return 0


def cmd_due(args) -> int:
    from ..services.worklist import worklist
    from . import UserError, open_db

    if args.within is not None:  # checked before opening: bad input writes nothing
        if args.within < 0:
            raise UserError("--within cannot be negative.")
        import datetime as dt

        from ..domain.calendar import WorkingCalendar

        WorkingCalendar().add(dt.date.today(), args.within)  # refuses a number too big to count
    db = open_db(args, must_exist=True)
    # a step whose letter has not gone out first (due on the day of the step), then the deadlines
    items = worklist(db, within_working_days=args.within)
    if args.json:
        sys.stdout.write(json.dumps([i.as_dict() for i in items], ensure_ascii=False) + "\n")
        return 0
    if not items:
        print("Nothing is due: no open deadlines.")
        return 0
    print(f"{'reference':<12} {'due':<10} {'left':>5}  {'status':<9} {'step':<22} {'handler':<16} resident")
    for i in items:
        mark = "OVERDUE" if i.status == "overdue" else i.status
        print(
            f"{i.reference:<12} {i.due.isoformat():<10} {i.working_days_left:>5}  {mark:<9} "
            f"{i.step:<22} {i.handler[:16]:<16} {i.resident}"
        )
    return 0


def cmd_demo(args) -> int:
    from .. import paths
    from ..services import demo_copy
    from . import open_db

    n = _int(args.complaints, "--complaints")
    seed = _int(args.seed, "--seed")
    if n < 0 or n > 1_000_000:  # checked before opening: bad input writes nothing
        from . import UserError

        raise UserError("--complaints must be between 0 and 1,000,000.")
    given = getattr(args, "db", None)
    real = paths.resolve_db_path(None)
    # --db: that file; otherwise the demo copy that goes with the landlord's database
    db = open_db(args) if given else open_db(args, path=paths.demo_db_path(real))
    made = demo_copy.fill(db, complaints=n, seed=seed)
    print(
        f"Demo data added to {db.where}: {made['complaints']} complaints, {made['residents']} "
        f"residents, {made['service_requests']} service requests, all made up and marked DEMO."
    )
    if not given:
        demo_copy.remember(real, demo_copy.DEMO)
        print(
            "Start smallhousing to look around: it opens the demo until you press Ctrl+O (Start "
            "using smallhousing for real)."
        )
    return 0


def cmd_homes(args) -> int:
    from ..domain.years import parse_year, year_label
    from ..services import settings
    from . import open_db

    # checked before the database is opened, so that bad input creates and changes nothing
    parse_year(args.year)
    homes = settings.parse_homes(args.homes)
    row = settings.set_homes(open_db(args), args.year, homes)
    print(f"{year_label(row.year)}: {row.homes} homes.")
    return 0


def cmd_verify(args) -> int:
    from ..services.verify import verify
    from . import open_db

    db = open_db(args, must_exist=True)
    from ..domain.plural import count

    res = verify(db)
    # a file's audit key and newest entry are kept in files beside it; a server database's in the
    # database itself (and each computer notes the newest entry it saw)
    where = "in the database" if getattr(db, "where", None) else "beside the database"
    if res.ok:
        print(
            f"All checks passed: the database is intact and the audit log's "
            f"{count(res.audit_entries, 'entry is', 'entries are')} unbroken "
            f"({count(res.complaints, 'complaint')})."
        )
        print(
            f"Every one of the {res.rows_compared:,} records is as the audit log says"
            + (
                f", the chain is keyed with the audit key kept {where}, and its newest "
                f"entry (hash {res.head[:16]}) is the one recorded {where}."
                if res.keyed
                else "."
            )
        )
        return 0
    print("Problems found:", file=sys.stderr)
    for p in res.problems:
        print(f"- {p}", file=sys.stderr)
    return 1
