"""Contractors (Code 5.4, 5.5): ``contractor add NAME``, ``contractor list``, ``contractor ask``,
``contractor answer ID``, ``contractor inactive NAME``.

Thin: services/contractors.py does the work; here are the words printed after it."""

from __future__ import annotations


def register(sub, common) -> None:
    p = sub.add_parser(
        "contractor",
        parents=[common],
        help="contractors: add and list them, ask one for a response about a complaint, record it",
        description="We stay responsible for complaints about the work of contractors acting for us "
        "(Code 5.4, 5.5). Record the contractors, ask one for its response about a complaint or "
        "service request by a date (5 working days unless --by is given), and record the answer. "
        "Responses not yet given are on the worklist (smallhousing due).",
    )
    csub = p.add_subparsers(dest="contractor_command", metavar="add|list|ask|answer|inactive", required=True)
    a = csub.add_parser("add", parents=[common], help="add a contractor")
    a.add_argument("name", metavar="NAME", help="the contractor's name (quote it)")
    a.add_argument("--trade", default="", help="what they do: roofing, gas, repairs ...")
    a.add_argument("--contact", default="", help="the person to ask")
    a.add_argument("--phone", default="")
    a.add_argument("--email", default="")
    a.set_defaults(func=cmd_add)

    s = csub.add_parser("list", parents=[common], help="the contractors, and the responses awaited from each")
    s.set_defaults(func=cmd_list)

    k = csub.add_parser(
        "ask",
        parents=[common],
        help="ask a contractor for its response about a complaint or service request, by a date",
    )
    about = k.add_mutually_exclusive_group(required=True)
    about.add_argument("--complaint", metavar="REF", help="the complaint's reference, e.g. 2026-0001")
    about.add_argument("--service-request", metavar="REF", help="the service request's reference")
    k.add_argument("--contractor", required=True, metavar="NAME", help="the contractor's name")
    k.add_argument("--what", required=True, metavar="TEXT", help="what the contractor is asked")
    k.add_argument("--by", metavar="DATE", help="the date the response is due (default: 5 working days)")
    k.add_argument("--on", metavar="DATE", help="the day it was asked (default: today)")
    k.set_defaults(func=cmd_ask)

    n = csub.add_parser("answer", parents=[common], help="record a contractor's response")
    n.add_argument("request_id", metavar="ID", help="the request's number (shown by contractor list)")
    n.add_argument("--on", required=True, metavar="DATE", help="the day the response came")
    n.add_argument("--answer", required=True, metavar="TEXT", help="what the contractor said")
    n.set_defaults(func=cmd_answer)

    i = csub.add_parser(
        "inactive", parents=[common], help="stop offering a contractor (it stays on every record it is on)"
    )
    i.add_argument("name", metavar="NAME")
    i.set_defaults(func=cmd_inactive)


def _date(text: str | None, what: str):
    if text is None:
        return None
    from ..domain.dates import parse_date

    return parse_date(text, what)


def cmd_add(args) -> int:
    from ..services import contractors as K
    from . import open_db

    c = K.add_contractor(
        open_db(args, must_exist=True),
        args.name,
        trade=args.trade,
        contact=args.contact,
        phone=args.phone,
        email=args.email,
    )
    print(f"Contractor added: {c.name}" + (f" ({c.trade})" if c.trade else "") + ".")
    return 0


def cmd_list(args) -> int:
    from ..services import contractors as K
    from . import open_db

    db = open_db(args, must_exist=True)
    rows = K.list_contractors(db)
    if not rows:
        print("No contractors yet: add one with smallhousing contractor add NAME.")
        return 0
    waiting: dict[int, list] = {}
    for r in K.requests(db, open_only=True):
        waiting.setdefault(r.contractor_id, []).append(r)
    for c in rows:
        bits = [b for b in (c.trade, c.contact, c.phone, c.email) if b]
        state = "" if c.active else "  [inactive]"
        print(f"{c.name}{state}" + (f"  ({', '.join(bits)})" if bits else ""))
        print(f"    complaints put down to it: {c.complaints}; responses awaited: {c.open_requests}")
        for r in waiting.get(c.id, []):
            what = r.entity.replace("-", " ")
            print(f"    request {r.id}: {what} {r.reference}, asked {r.asked_on}, due {r.due_on}: {r.what}")
    return 0


def cmd_ask(args) -> int:
    from ..domain.calendar import short_date
    from ..services import contractors as K
    from . import open_db

    by, on = _date(args.by, "date the response is due"), _date(args.on, "date asked")
    db = open_db(args, must_exist=True)
    con = K.contractor_named(db, args.contractor)
    r = K.ask(
        db,
        con.id,
        args.what,
        complaint=args.complaint,
        service_request=args.service_request,
        due_on=by,
        asked_on=on,
    )
    about = f"complaint {args.complaint}" if args.complaint else f"service request {args.service_request}"
    print(f"Asked {con.name} for a response about {about} by {short_date(r.due_on)} (request {r.id}).")
    if by is None:
        print(f"Due date: {K.default_due(db, r.asked_on).explain()}.")
    return 0


def cmd_answer(args) -> int:
    from ..services import contractors as K
    from . import UserError, open_db

    try:
        rid = int(args.request_id)
    except ValueError:
        raise UserError(f"A request number is a whole number, not {args.request_id!r}.") from None
    on = _date(args.on, "date of the response")
    r = K.answer(open_db(args, must_exist=True), rid, args.answer, on=on)
    print(f"Response recorded for request {r.id} (received {r.answered_on}).")
    return 0


def cmd_inactive(args) -> int:
    from ..services import contractors as K
    from . import open_db

    db = open_db(args, must_exist=True)
    c = K.make_inactive(db, K.contractor_named(db, args.name).id)
    print(f"{c.name} is now inactive: no longer offered, and kept on every record it is named on.")
    return 0
