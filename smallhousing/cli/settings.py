"""The landlord's settings: ``settings show`` prints them all, ``settings set KEY VALUE`` changes one
through the same service (and so the same checks and audit entry) as the Settings screen."""

from __future__ import annotations

import argparse

# The keys are the service's own field names (services/settings.py SETTINGS_FIELDS; a test keeps
# the two in step), with what the Settings screen calls each. Kept here rather than imported so
# that building the parser never imports the ORM.
KEYS = {
    "name": "the landlord's name (cannot be empty)",
    "address": "address (commas or line breaks between lines)",
    "phone": "phone",
    "email": "email for complaints",
    "website": "website",
    "complaints_officer": "complaints officer: the person who runs complaints day to day",
    "member_responsible": "Member Responsible for Complaints (Code 9.5)",
    "ombudsman_form_url": "the Housing Ombudsman's online complaint form (web address)",
    "ombudsman_phone": "the Housing Ombudsman's telephone",
    "ombudsman_post": "the Housing Ombudsman's postal address",
    "retention_years": "years to keep closed complaints (a whole number, at least 1)",
    "escalation_window_days": "working days a resident has to ask for stage 2 (0 = no limit)",
}
NOT_SET = "(not set)"


def register(sub, common) -> None:
    p = sub.add_parser("settings", parents=[common], help="show or change the landlord's settings")
    ssub = p.add_subparsers(dest="settings_command", metavar="show|set", required=True)
    s = ssub.add_parser("show", parents=[common], help="print every setting, one 'key: value' a line")
    s.set_defaults(func=cmd_show)
    keys = "\n".join(f"  {k:<24}{what}" for k, what in KEYS.items())
    s = ssub.add_parser(
        "set",
        parents=[common],
        help="change one setting",
        description="Change one of the landlord's settings, with the same checks as the Settings "
        "screen; the change is noted in the audit log.",
        epilog=f"keys:\n{keys}\n\nA key may be written with - for _ (complaints-officer).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    s.add_argument("key", metavar="KEY", help="which setting (see the keys below)")
    s.add_argument("value", metavar="VALUE", help="its new value (quote it if it has spaces)")
    s.set_defaults(func=cmd_set)


def _shown(value) -> str:
    text = ", ".join(line.strip() for line in str(value).splitlines() if line.strip())
    return text or NOT_SET


def _print(row, keys) -> None:
    for k in keys:
        print(f"{k}: {_shown(getattr(row, k))}")


def cmd_show(args) -> int:
    from ..services import settings
    from . import open_db

    _print(settings.get_settings(open_db(args, must_exist=True)), settings.SETTINGS_FIELDS)
    return 0


def cmd_set(args) -> int:
    from ..services import settings
    from . import UserError, open_db

    key = args.key.strip().lower().replace("-", "_")
    if key not in settings.SETTINGS_FIELDS:  # checked before opening: a bad key writes nothing
        raise UserError(
            f"There is no setting called {args.key!r}. The settings are: "
            + ", ".join(settings.SETTINGS_FIELDS)
            + "."
        )
    row = settings.update_settings(open_db(args, must_exist=True), **{key: args.value})
    _print(row, [key])
    return 0
