"""Whether typed text looks like an email address: enough to catch a slip of the keyboard (a
missing @, a space, a name with no domain), not a full reading of the standard."""

from __future__ import annotations

import re

from .errors import DomainError

_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")


def email_problem(text: str | None) -> str:
    """'' when ``text`` is empty or looks like an email address, otherwise what is wrong, in words."""
    s = (text or "").strip()
    if not s or _EMAIL.fullmatch(s):
        return ""
    if "@" not in s:
        why = "it has no @"
    elif " " in s:
        why = "it has a space in it"
    elif s.count("@") > 1:
        why = "it has more than one @"
    elif s.startswith("@"):
        why = "there is nothing before the @"
    else:
        why = "the part after the @ should be a domain such as example.org"
    return f"{s!r} is not an email address: {why}. Write it like name@example.org, or leave it empty."


def check_email(text: str | None, field: str = "email") -> str:
    """The address as typed (spaces at either end dropped), '' for none; a DomainError if it is
    not one."""
    problem = email_problem(text)
    if problem:
        raise DomainError(problem, field=field)
    return (text or "").strip()
