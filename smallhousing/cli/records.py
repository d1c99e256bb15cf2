"""Personal data commands: subject access export and erasure after the retention period."""

from __future__ import annotations

import json
import sys

from ._outputs import add_force, force_hint


def register(sub, common) -> None:
    p = sub.add_parser(
        "sar", parents=[common], help="export everything held about one resident (subject access request)"
    )
    p.add_argument("resident_id", help="the resident's number (shown on their record)")
    p.add_argument("--out", required=True, metavar="FILE.json", help="where to write it")
    add_force(p)
    p.set_defaults(func=cmd_sar)

    p = sub.add_parser(
        "erase",
        parents=[common],
        help="anonymise residents whose complaints ended before the retention period",
    )
    p.add_argument("resident_id", nargs="?", help="the resident to anonymise; omit to list who can be")
    p.add_argument("--yes", action="store_true", help="confirm: this cannot be undone")
    p.add_argument(
        "--backups",
        action="store_true",
        help="erase the resident from the backups that still hold them too (each is "
        "changed in place and checked); works again later for a resident already erased",
    )
    p.set_defaults(func=cmd_erase)


def _resident_id(text: str) -> int:
    from . import UserError

    try:
        return int(text)
    except (TypeError, ValueError):
        raise UserError(f"A resident number is a whole number, not {text!r}.") from None


def cmd_sar(args) -> int:
    from pathlib import Path

    from ..services import privacy
    from . import open_db

    out = Path(args.out)
    rid = _resident_id(args.resident_id)
    with force_hint():
        privacy.write_subject_access(open_db(args, must_exist=True), rid, out, overwrite=args.force)
    print(f"Everything held about resident {rid} was written to {out}.")
    return 0


def cmd_erase(args) -> int:
    from ..services import privacy
    from . import UserError, open_db

    db = open_db(args, must_exist=True)
    if args.resident_id is None:
        rows = privacy.erasure_candidates(db)
        if not rows:
            print("No resident is due for erasure.")
        for r, last in rows:
            print(f"{r.id:>6}  {r.name}  (last complaint ended {last})")
        return 0
    if not args.yes:
        raise UserError("Erasure cannot be undone: add --yes to confirm.")
    rid = _resident_id(args.resident_id)
    from ..services.base import reading
    from ..store.models import Resident

    with reading(db) as u:
        already = u.get(Resident, rid, "resident").anonymised_on
    if already and args.backups:
        done = privacy.erase_from_backups(db, rid)
        for path, outcome in done.items():
            print(f"{path}: {outcome}.")
        print(
            f"Resident {rid} was erased on {already}; {len(done)} backups still held them"
            + (" and were erased." if done else ".")
        )
        return 0
    counts = privacy.anonymise_resident(db, rid, backups=args.backups)
    if not sys.stdout.isatty():
        print(json.dumps(counts))
    else:
        print(
            f"Resident anonymised: {counts['complaints']} complaints kept for the figures, "
            f"{counts['audit_entries']} audit entries erased, {counts['letters_deleted']} letters "
            "deleted."
        )
    for path in counts["letters_outside"]:
        print(
            f"A letter to them was saved outside the data folder; delete it yourself: {path}", file=sys.stderr
        )
    for path, outcome in counts["backups_erased"].items():
        print(f"Backup {path}: {outcome}.", file=sys.stderr)
    if counts["backups_holding"]:
        print(f"{len(counts['backups_holding'])} backups still hold this resident:", file=sys.stderr)
        for path in counts["backups_holding"]:
            print(f"  {path}", file=sys.stderr)
        print(
            f"Erase them from those too with: smallhousing erase {rid} --yes --backups "
            "(or delete those backup files).",
            file=sys.stderr,
        )
    for note in counts.get("server", {}).get("notes", []):
        print(note, file=sys.stderr)
    if counts["wal_emptied"] is False:
        print(
            "Another program had the file open, so the erased text may stay in its journal "
            "(-wal) until that program closes.",
            file=sys.stderr,
        )
    return 0
