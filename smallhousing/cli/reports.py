"""Subcommands for reporting: the Tenant Satisfaction Measures and the report PDFs."""

from __future__ import annotations

import json
import sys

from ._outputs import add_force, force_hint


def register(sub, common) -> None:
    p = sub.add_parser(
        "tsm", parents=[common], help="Tenant Satisfaction Measures CH01 and CH02 for a reporting year"
    )
    p.add_argument("--year", required=True, help="2025 or 2025/26 (the year from 1 April 2025)")
    p.add_argument("--json", action="store_true", help="print a JSON object")
    act = p.add_mutually_exclusive_group()
    act.add_argument(
        "--publish",
        action="store_true",
        help="publish the year's figures as they are today (a finished year only); "
        "later changes that would alter them are refused",
    )
    act.add_argument(
        "--reopen",
        metavar="REASON",
        help="reopen a published year so that its records can change; the reason is "
        "printed on the year's next reports",
    )
    p.set_defaults(func=cmd_tsm)

    p = sub.add_parser("report", parents=[common], help="make a report PDF")
    rsub = p.add_subparsers(dest="report_command", metavar="annual|self-assessment|board", required=True)
    a = rsub.add_parser(
        "annual",
        parents=[common],
        help="the annual complaints performance and service improvement report (Code 8.1)",
    )
    a.add_argument("--year", required=True, help="2025 or 2025/26")
    a.add_argument("--out", metavar="FILE.pdf", help="where to save it (default: the reports folder)")
    add_force(a)
    a.set_defaults(func=cmd_annual)
    s = rsub.add_parser(
        "self-assessment", parents=[common], help="the self-assessment against the Complaint Handling Code"
    )
    s.add_argument("--year", required=True, help="2025 or 2025/26")
    s.add_argument("--out", metavar="FILE.pdf", help="where to save it (default: the reports folder)")
    add_force(s)
    s.set_defaults(func=cmd_self_assessment)
    b = rsub.add_parser(
        "board",
        parents=[common],
        help="a complaints update for the governing body for any period (Code 9.6, 9.7)",
    )
    b.add_argument("--from", dest="start", required=True, metavar="DATE", help="first day, 2025-10-01")
    b.add_argument("--to", dest="end", required=True, metavar="DATE", help="last day, 2025-12-31")
    b.add_argument("--out", metavar="FILE.pdf", help="where to save it (default: the reports folder)")
    add_force(b)
    b.set_defaults(func=cmd_board)


def _fmt(value, suffix: str = "") -> str:
    return "n/a" if value is None else f"{value:.1f}{suffix}"


def cmd_tsm(args) -> int:
    from ..services import publishing
    from ..services.measures import TSM, tsm_for_year
    from . import open_db

    db = open_db(args, must_exist=True)
    if args.publish:
        row = publishing.publish_year(db, args.year)
        print(
            f"The figures for {publishing.year_label(row.year)} are published as of today; "
            "later changes that would alter them are refused unless the year is reopened."
        )
    elif args.reopen is not None:
        publishing.reopen_year(db, args.year, args.reopen)
        print("The year is reopened; its next reports will say so, with the reason.")
    pub = publishing.publication(db, args.year)
    if pub is not None and pub.is_published and pub.tsm:
        d = pub.tsm
        t = TSM(
            int(str(d["year"])[:4]),
            d["homes"],
            d["stage1_received"],
            d["stage2_received"],
            d["stage1_responded"],
            d["stage1_within"],
            d["stage2_responded"],
            d["stage2_within"],
        )
    else:
        t = tsm_for_year(db, args.year)
    if args.json:
        out = t.as_dict()
        if pub is not None:
            out["published_on"] = pub.published_on.isoformat()
            if not pub.is_published:
                out.update(reopened_on=pub.reopened_on.isoformat(), reopen_reason=pub.reopen_reason)
        json.dump(out, sys.stdout, indent=1)
        print()
        return 0
    homes = "not recorded (set it with: smallhousing homes YEAR N)" if t.homes is None else f"{t.homes:,}"
    print(f"Tenant Satisfaction Measures, {t.label} (1 April {t.year} to 31 March {t.year + 1})")
    if pub is not None:
        print(pub.note())
    print(f"Homes: {homes}")
    print()
    print(f"{'measure':<44} {'count':>16} {'result':>10}")
    print(
        f"{'CH01(1) stage 1 complaints per 1,000 homes':<44} {t.stage1_received:>16,} "
        f"{_fmt(t.ch01_stage1):>10}"
    )
    print(
        f"{'CH01(2) stage 2 complaints per 1,000 homes':<44} {t.stage2_received:>16,} "
        f"{_fmt(t.ch01_stage2):>10}"
    )
    print(
        f"{'CH02(1) stage 1 answered within the Code':<44} "
        f"{f'{t.stage1_within:,} of {t.stage1_responded:,}':>16} {_fmt(t.ch02_stage1, '%'):>10}"
    )
    print(
        f"{'CH02(2) stage 2 answered within the Code':<44} "
        f"{f'{t.stage2_within:,} of {t.stage2_responded:,}':>16} {_fmt(t.ch02_stage2, '%'):>10}"
    )
    return 0


def cmd_annual(args) -> int:
    from .. import reports
    from . import open_db

    with force_hint():
        path = reports.write_annual(open_db(args, must_exist=True), args.year, args.out, overwrite=args.force)
    print(f"Annual complaints report saved to {path}")
    return 0


def cmd_self_assessment(args) -> int:
    from .. import reports
    from . import open_db

    with force_hint():
        path = reports.write_self_assessment(
            open_db(args, must_exist=True), args.year, args.out, overwrite=args.force
        )
    print(f"Self-assessment saved to {path}")
    return 0


def cmd_board(args) -> int:
    from .. import reports
    from . import open_db, parse_date_arg

    start, end = parse_date_arg(args.start), parse_date_arg(args.end)
    with force_hint():
        path = reports.write_board(open_db(args, must_exist=True), start, end, args.out, overwrite=args.force)
    print(f"Board update saved to {path}")
    return 0
