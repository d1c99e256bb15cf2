"""The letter command: make a Code-compliant letter for a complaint as a PDF.

    smallhousing letter REFERENCE KIND [--stage 1|2] [--out FILE.pdf [--force]] [--preview]

The letter is checked first. If anything the Code requires is missing, each missing item is
printed on stderr, the exit status is 2 and no file is written. Otherwise the PDF is saved (in
the letters folder beside the database, or in --out) and recorded as correspondence on the
complaint.
"""

from __future__ import annotations

import sys

from ._outputs import add_force, force_hint

KIND_HELP = "acknowledgement, extension, response, refusal (to accept), escalation-refusal, action-update"


def register(sub, common) -> None:
    p = sub.add_parser(
        "letter",
        parents=[common],
        help="make a letter for a complaint as a PDF, checked against the Code",
        description="Make a letter for a complaint as a PDF. It is checked against the "
        "Complaint Handling Code first; if anything required is missing, "
        "nothing is written and each missing item is listed.",
    )
    p.add_argument("reference", help="the complaint reference, e.g. 2026-0012")
    p.add_argument("kind", metavar="KIND", help=f"one of: {KIND_HELP}")
    p.add_argument("--stage", choices=["1", "2"], help="the stage (default: the complaint's current stage)")
    p.add_argument(
        "--out",
        metavar="FILE.pdf",
        help="where to save the PDF (default: the letters folder beside the database)",
    )
    add_force(p)
    p.add_argument(
        "--preview", action="store_true", help="print the letter as text and what it lacks; write nothing"
    )
    p.set_defaults(func=cmd_letter)


def cmd_letter(args) -> int:
    from ..services import letters as SL
    from . import EXIT_BAD_INPUT, UserError, open_db

    kind = args.kind.strip().lower()
    if kind not in SL.KINDS:
        raise UserError(f"unknown letter kind {args.kind!r}: choose one of {', '.join(SL.KINDS)}.")
    db = open_db(args, must_exist=True)
    stage = int(args.stage) if args.stage else None
    if args.preview:
        shown = SL.preview(db, args.reference, kind, stage)
        text, problems = shown.text, shown.problems
        sys.stdout.write(text)
        for w in shown.warnings:
            print(f"smallhousing: warning: {w}", file=sys.stderr)
        if problems:
            _print_problems("this letter cannot be issued yet. It is missing", problems)
            return EXIT_BAD_INPUT
        return 0
    try:
        shown = SL.preview(db, args.reference, kind, stage)
    except SL.DomainError:
        shown = None  # issue_letter below says why this letter does not fit
    for w in shown.warnings if shown is not None else []:
        print(f"smallhousing: warning: {w}", file=sys.stderr)
    try:
        with force_hint():
            issued = SL.issue_letter(db, args.reference, kind, stage, out=args.out, overwrite=args.force)
    except SL.LetterRefused as exc:
        content = SL.letter_content(db, args.reference, kind, stage)
        _print_problems(
            f"the {content.description} for {content.reference} was not made. It is missing", exc.problems
        )
        return EXIT_BAD_INPUT
    print(f"Letter saved: {issued.path}")
    print(f"Recorded on complaint {args.reference.strip()} (SHA-256 {issued.sha256[:16]}…).")
    return 0


def _print_problems(lead: str, problems: list[str]) -> None:
    print(f"smallhousing: {lead.rstrip(':')}:", file=sys.stderr)
    for p in problems:
        print(f"  - {p}", file=sys.stderr)
