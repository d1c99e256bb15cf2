"""A team on one PostgreSQL database: the three kinds of user, and the login each person signs in as.

Who may do what is enforced by PostgreSQL itself (services/team.py grants it to three group roles);
here are the names and the rules for a login name, which are pure.
"""

from __future__ import annotations

import re
import unicodedata

from .errors import DomainError

ROLES = ("director", "officer", "viewer")  # most allowed first
GROUP_PREFIX = "smallhousing_"

# what each may do, in the words the CLI prints
MAY = {
    "director": "everything an officer does, and change the settings, the staff list, closure days "
    "and the number of homes, publish a reporting year, erase residents and add people to the team",
    "officer": "the complaint work: residents, complaints and their stages, extensions, remedies, "
    "outstanding actions, letters, service requests and learning (not the settings, publishing a "
    "year, erasure or the team)",
    "viewer": "read everything; change nothing",
}

# names PostgreSQL (or the server's own accounts) keep for themselves
_RESERVED = {
    "all",
    "current_role",
    "current_user",
    "none",
    "postgres",
    "public",
    "session_user",
    "user",
}
_LOGIN = re.compile(r"[a-z][a-z0-9_]*")
MAX_LOGIN = 63  # PostgreSQL's longest name


def group_role(role: str) -> str:
    """The PostgreSQL group role for a kind of user: ``smallhousing_officer``."""
    return GROUP_PREFIX + check_role(role)


def check_role(text: str) -> str:
    role = (text or "").strip().lower()
    if role not in ROLES:
        raise DomainError(
            f"{text!r} is not a role: a person is a director, an officer or a viewer.", field="role"
        )
    return role


def login_from_name(name: str) -> str:
    """A login made from a person's name: 'Siân O'Brien' -> 'sian_obrien'."""
    folded = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode("ascii").lower()
    folded = re.sub(r"['’`]", "", folded)
    login = re.sub(r"[^a-z0-9]+", "_", folded).strip("_")
    if login[:1].isdigit():
        login = "u_" + login
    return login[:MAX_LOGIN].rstrip("_")


def check_login(text: str) -> str:
    """A login name as PostgreSQL will know it, or a DomainError saying what is wrong with it.

    Small letters, digits and _ only, starting with a letter, at most 63: such a name means the
    same quoted or not, in psql, ~/.pgpass and a connection address alike."""
    login = (text or "").strip()
    if not login:
        raise DomainError("A login name is needed: give one with --login.", field="login")
    if not _LOGIN.fullmatch(login) or len(login) > MAX_LOGIN:
        raise DomainError(
            f"{login!r} cannot be a login: use small letters, digits and _ only, starting with a "
            f"letter, at most {MAX_LOGIN} characters (such as ann_rees).",
            field="login",
        )
    if login in _RESERVED or login.startswith(("pg_", GROUP_PREFIX)):
        raise DomainError(
            f"{login!r} is a name PostgreSQL or smallhousing keeps for itself: choose another login.",
            field="login",
        )
    return login
