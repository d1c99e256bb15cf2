"""Hazards under Awaab's Law: log one, list them, show one with its clocks, record its steps."""

from __future__ import annotations

STEPS = ("investigated", "summary", "safety-work", "further-work", "made-safe")


def register(sub, common) -> None:
    p = sub.add_parser("hazard", parents=[common], help="damp and mould and emergency hazards (Awaab's Law)")
    hs = p.add_subparsers(dest="hazard_command", metavar="ACTION", required=True)

    q = hs.add_parser("log", parents=[common], help="log a hazard; prints its reference, then its clocks")
    q.add_argument("--resident", required=True, metavar="NAME", help="the resident (added if not found)")
    q.add_argument("--address", required=True, metavar="ADDR", help="the address of the home")
    q.add_argument("--aware", required=True, metavar="DATE", help="the day the landlord became aware")
    q.add_argument("--time", metavar="HH:MM", help="the time it became aware (needed for an emergency)")
    q.add_argument("--kind", required=True, choices=("damp-mould", "emergency"))
    q.add_argument("--description", default="", metavar="TEXT", help="what was reported")
    q.add_argument("--priority", default="", metavar="REASON", help="why the household comes first")
    q.set_defaults(func=cmd_log)

    q = hs.add_parser("list", parents=[common], help="every hazard, the next step due first")
    q.add_argument("--open", action="store_true", help="only hazards not closed")
    q.set_defaults(func=cmd_list)

    q = hs.add_parser("show", parents=[common], help="one hazard with its clocks explained")
    q.add_argument("reference")
    q.set_defaults(func=cmd_show)

    q = hs.add_parser("step", parents=[common], help="record a step of a hazard with its date")
    q.add_argument("reference")
    q.add_argument("step", choices=STEPS)
    q.add_argument("--on", required=True, metavar="DATE", help="the day it happened")
    q.add_argument("--time", metavar="HH:MM", help="the time (needed where the clock runs in hours)")
    q.add_argument("--findings", metavar="TEXT", help="investigated: what the investigation found")
    q.add_argument(
        "--significant", choices=("yes", "no"), help="investigated: was a significant hazard found?"
    )
    q.add_argument("--works", metavar="TEXT", default="", help="investigated: the works planned")
    q.add_argument("--works-by", metavar="DATE", help="investigated: when the works will be done by")
    q.add_argument(
        "--further", action="store_true", help="investigated: further work that cannot begin sooner"
    )
    q.add_argument(
        "--how",
        metavar="TEXT",
        help="summary: how it went, when not as the app's letter (without it the letter is made)",
    )
    q.set_defaults(func=cmd_step)

    q = hs.add_parser("close", parents=[common], help="close a hazard, saying why")
    q.add_argument("reference")
    q.add_argument("--on", required=True, metavar="DATE")
    q.add_argument("--reason", required=True, metavar="TEXT")
    q.set_defaults(func=cmd_close)


def _clock_lines(view, today) -> list[str]:
    out = []
    for c in view.clocks:
        out.append(f"  {c.rule.words[0].upper()}{c.rule.words[1:]}: due {c.due_words()} ({c.status(today)})")
        out.append(f"    {c.explanation}")
    return out


def _print_view(view, today) -> None:
    print(f"{view.reference}  {view.kind_words}  {view.resident}")
    print(f"  Address: {view.address}")
    if view.priority:
        print(f"  PRIORITY: {view.priority_reason}")
    if view.description:
        print(f"  Reported: {view.description}")
    print(f"  Now: {view.state}")
    for what, when in view.steps:
        print(f"  {what}: {when}")
    if view.findings:
        print(f"  Found: {view.findings}")
    if view.works_planned:
        by = f" (by {view.works_due_on.isoformat()})" if view.works_due_on else ""
        print(f"  Works planned: {view.works_planned}{by}")
    if view.summary_file:
        print(f"  Summary letter: {view.summary_file}")
    print("Clocks:")
    for line in _clock_lines(view, today):
        print(line)


def cmd_log(args) -> int:
    from ..domain import hazard_rules as H
    from ..services import hazards as HZ
    from ..services import residents as R
    from . import UserError, open_db, parse_date_arg

    aware = parse_date_arg(args.aware)
    time = H.parse_time(args.time)
    kind = H.check_kind(args.kind)
    name = (args.resident or "").strip()
    if not name:
        raise UserError("--resident needs the resident's name.")
    db = open_db(args)
    found = HZ.residents_named(db, name)
    note = ""
    if len(found) > 1:
        lines = [f"  {r.id}: {r.name}, {r.address}" for r in found]
        raise UserError(
            f"{len(found)} residents are called {name}; log the hazard in the app to choose one:\n"
            + "\n".join(lines)
        )
    if found:
        resident = found[0]
    else:
        resident = R.add_resident(db, name, address=args.address)
        note = f"No resident called {name} was on record: added, at {args.address}."
    h = HZ.log_hazard(
        db,
        kind=kind,
        aware_on=aware,
        aware_time=time,
        resident_id=resident.id,
        address=args.address,
        description=args.description,
        priority_reason=args.priority,
    )
    print(h.reference)
    if note:
        print(note)
    _print_view(HZ.hazard_view(db, h.reference), db.today)
    return 0


def cmd_list(args) -> int:
    from ..services import hazards as HZ
    from . import open_db

    db = open_db(args, must_exist=True)
    views = HZ.list_hazards(db, open_only=args.open)
    if not views:
        print("No hazards recorded.")
        return 0
    print(f"{'reference':<13} {'kind':<14} {'next step':<24} {'due':<17} {'status':<8} resident")
    for v in views:
        n = v.next
        due = n.due_words() if n else ""
        status = n.status(db.today) if n else ("closed" if v.closed_on else "done")
        mark = "! " if v.priority else ""
        step = v.state
        print(f"{v.reference:<13} {v.kind_words:<14} {step:<24} {due:<17} {status:<8} {mark}{v.resident}")
    return 0


def cmd_show(args) -> int:
    from ..services import hazards as HZ
    from . import open_db

    db = open_db(args, must_exist=True)
    _print_view(HZ.hazard_view(db, args.reference), db.today)
    return 0


def cmd_step(args) -> int:
    from ..domain import hazard_rules as H
    from ..services import hazards as HZ
    from . import UserError, open_db, parse_date_arg

    on = parse_date_arg(args.on)
    time = H.parse_time(args.time)
    db = open_db(args, must_exist=True)
    ref = args.reference
    if args.step == "investigated":
        if args.findings is None:
            raise UserError("Give --findings: what the investigation found.")
        significant = {"yes": True, "no": False, None: None}[args.significant]
        works_by = parse_date_arg(args.works_by) if args.works_by else None
        HZ.record_investigation(
            db,
            ref,
            on,
            args.findings,
            significant=significant,
            time=time,
            works_planned=args.works,
            works_due_on=works_by,
            further_work_needed=args.further,
        )
    elif args.step == "summary":
        if args.how is not None:
            HZ.record_summary_sent(db, ref, on, args.how)
        else:
            issued = HZ.issue_summary(db, ref, on)
            print(f"Summary letter saved as {issued.path}")
    elif args.step == "safety-work":
        HZ.record_safety_work(db, ref, on)
    elif args.step == "further-work":
        HZ.record_further_work(db, ref, on)
    else:
        HZ.record_made_safe(db, ref, on, time)
    _print_view(HZ.hazard_view(db, ref), db.today)
    return 0


def cmd_close(args) -> int:
    from ..services import hazards as HZ
    from . import open_db, parse_date_arg

    on = parse_date_arg(args.on)
    db = open_db(args, must_exist=True)
    h = HZ.close_hazard(db, args.reference, on, args.reason)
    print(f"Hazard {h.reference} closed.")
    return 0
