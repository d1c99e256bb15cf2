"""What residents think, from the command line: a year's TP09 counts (typed, or from a CSV file) and
compliments."""

from __future__ import annotations


def register(sub, common) -> None:
    p = sub.add_parser(
        "tp09",
        parents=[common],
        help="enter a reporting year's TP09 counts (satisfaction with complaint handling) from the "
        "perception survey, or import them from a CSV file",
        description="TP09 is the share of survey respondents who answered the question and were very "
        "or fairly satisfied with the landlord's approach to handling complaints; those who did not "
        "know, or said it did not apply, are left out. Counts entered again for a year replace the "
        "old ones (kept in the audit log); a published year must be reopened first.",
    )
    p.add_argument("year", nargs="?", help="2025 or 2025/26 (the year from 1 April 2025)")
    p.add_argument("--satisfied", metavar="N", help="very or fairly satisfied")
    p.add_argument("--neither", metavar="N", help="neither satisfied nor dissatisfied")
    p.add_argument("--dissatisfied", metavar="N", help="fairly or very dissatisfied")
    p.add_argument("--dont-know", metavar="N", default="0", help="don't know or not applicable (left out)")
    p.add_argument("--method", default="", help="how the survey was run (postal, phone, online ...)")
    p.add_argument(
        "--import",
        dest="import_file",
        metavar="FILE.csv",
        help="a CSV file with the columns year,satisfied,neither,dissatisfied,dont_know",
    )
    p.set_defaults(func=cmd_tp09)

    p = sub.add_parser("compliment", parents=[common], help="log a compliment; prints its reference")
    p.add_argument("--received", required=True, metavar="DATE", help="the day it was received, 2026-01-05")
    p.add_argument("--words", required=True, metavar="TEXT", help="the compliment, in the resident's words")
    p.add_argument("--channel", default="", help="how it came: email, phone, letter, in person ...")
    p.add_argument("--team", default="", help="the team or service it is about")
    p.add_argument("--resident", metavar="ID", help="the resident's number, if known")
    p.set_defaults(func=cmd_compliment)


def _result(row) -> str:
    from ..domain.satisfaction import tp09
    from ..domain.years import year_label

    v = tp09(row.satisfied, row.neither, row.dissatisfied)
    answered = row.satisfied + row.neither + row.dissatisfied
    return (
        f"TP09 {year_label(row.year)}: {'n/a' if v is None else f'{v:.1f}%'} "
        f"({row.satisfied:,} of {answered:,} satisfied; {row.dont_know:,} don't know left out)"
    )


def cmd_tp09(args) -> int:
    from pathlib import Path

    from ..services import satisfaction as SV
    from . import UserError, open_db

    if args.import_file:
        if args.year or args.satisfied or args.neither or args.dissatisfied:
            raise UserError("Give either --import FILE.csv or a year with its counts, not both.")
        path = Path(args.import_file)
        if not path.is_file():
            raise UserError(f"There is no file {path}.")
        rows = SV.import_tp09(open_db(args, must_exist=True), path, method=args.method)
        for row in rows:
            print(_result(row))
        return 0
    if not args.year:
        raise UserError("Give the reporting year (2025 or 2025/26), or --import FILE.csv.")
    missing = [n for n in ("satisfied", "neither", "dissatisfied") if getattr(args, n) is None]
    if missing:
        raise UserError("Give " + ", ".join(f"--{n} N" for n in missing) + ".")
    row = SV.enter_tp09(
        open_db(args, must_exist=True),
        args.year,
        args.satisfied,
        args.neither,
        args.dissatisfied,
        args.dont_know,
        method=args.method,
    )
    print(_result(row))
    return 0


def cmd_compliment(args) -> int:
    from ..services import satisfaction as SV
    from . import UserError, open_db, parse_date_arg

    resident = None
    if args.resident:
        try:
            resident = int(args.resident)
        except ValueError:
            raise UserError(f"A resident number is a whole number, not {args.resident!r}.") from None
    row = SV.log_compliment(
        open_db(args, must_exist=True),
        parse_date_arg(args.received),
        args.words,
        channel=args.channel,
        team=args.team,
        resident_id=resident,
    )
    print(row.reference)
    return 0
