"""smallhousing casefile: the complaint's case file for the Housing Ombudsman, as one PDF."""

from __future__ import annotations

from ._outputs import add_force, force_hint


def register(sub, common) -> None:
    p = sub.add_parser(
        "casefile",
        parents=[common],
        help="the complete case file of a complaint for the Housing Ombudsman, as one PDF",
    )
    p.add_argument("reference", metavar="REFERENCE", help="the complaint's reference, 2026-0001")
    act = p.add_mutually_exclusive_group()
    act.add_argument("--out", metavar="FILE.pdf", help="where to save it (default: the reports folder)")
    act.add_argument(
        "--check",
        metavar="FILE.pdf",
        help="check a case file made earlier: is its audit digest still the records' own?",
    )
    add_force(p)
    p.set_defaults(func=cmd_casefile)


def cmd_casefile(args) -> int:
    from . import open_db

    db = open_db(args, must_exist=True)
    if args.check:
        from ..services.casefile import check_case_file

        res = check_case_file(db, args.reference, args.check)
        if res.ok:
            print(
                f"The case file's audit digest matches the {res.entries:,} audit entries on record for "
                f"{res.reference}. Run smallhousing verify to check the audit log's chain itself."
            )
            return 0
        print(
            f"The case file's audit digest ({res.in_file}) is not the one the records give now "
            f"({res.now}): the complaint's audit entries have changed or grown since it was made."
        )
        return 1
    from .. import reports

    with force_hint():
        path = reports.write_casefile(db, args.reference, args.out, overwrite=args.force)
    print(f"Case file saved to {path}")
    return 0
