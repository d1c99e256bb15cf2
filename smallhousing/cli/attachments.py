"""Files received and kept on a record (Code 5.12): ``attach`` adds one, ``attachments`` lists them."""

from __future__ import annotations


def register(sub, common) -> None:
    p = sub.add_parser(
        "attach",
        parents=[common],
        help="keep a file received (an email saved as .eml or .msg, a photo, a PDF) on a complaint, "
        "service request or hazard",
    )
    p.add_argument("reference", help="the record's reference: a complaint (2026-0001), SR-... or HZ-...")
    p.add_argument("file", help="the file to keep (it is copied; the original is left as it is)")
    p.add_argument(
        "--received", metavar="DATE", help="the day the file was received, e.g. 17/12/2026 (default: today)"
    )
    p.add_argument("--description", default="", metavar="TEXT", help="what the file is, who sent it")
    p.set_defaults(func=cmd_attach)

    p = sub.add_parser("attachments", parents=[common], help="list the files kept on a record")
    p.add_argument("reference", help="the record's reference: a complaint (2026-0001), SR-... or HZ-...")
    p.set_defaults(func=cmd_attachments)


def cmd_attach(args) -> int:
    from ..services import attachments as A
    from . import open_db, parse_date_arg

    db = open_db(args, must_exist=True)
    received = parse_date_arg(args.received) if args.received else db.today
    key, rid = A.find_record(db, args.reference)
    a = A.add_attachment(db, path=args.file, received_on=received, description=args.description, **{key: rid})
    print(
        f"Added {a.file_name} ({A.size_text(a.size_bytes)}) to {args.reference.strip()}, received "
        f"{received:%d/%m/%Y}. SHA-256 {a.sha256}."
    )
    return 0


def cmd_attachments(args) -> int:
    from ..services import attachments as A
    from . import open_db

    db = open_db(args, must_exist=True)
    key, rid = A.find_record(db, args.reference)
    rows = A.list_attachments(db, **{("complaint_id" if key == "complaint" else key): rid})
    if not rows:
        print(f"No files are kept on {args.reference.strip()}.")
        return 0
    for a in rows:
        if a.erased_on is not None:
            print(f"{a.id:>5}  {a.received_on:%d/%m/%Y}  (erased {a.erased_on:%d/%m/%Y})")
            continue
        line = (
            f"{a.id:>5}  {a.received_on:%d/%m/%Y}  {a.file_name}  {A.size_text(a.size_bytes)}  {a.media_type}"
        )
        print(line + (f"  {a.description}" if a.description else ""))
    return 0
