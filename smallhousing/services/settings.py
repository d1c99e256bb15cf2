"""The landlord's settings, staff, closure days and homes per reporting year."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import col, select

from ..domain.calendar import short_date
from ..domain.emails import check_email
from ..domain.errors import DomainError
from ..domain.steps import staff_name_key
from ..domain.years import parse_year, year_label
from ..store.models import ClosureDay, HomesYear, LandlordSettings, Staff
from .base import Unit, audit, clean, ident, reading, to_plain, transaction, update_fields

SETTINGS_FIELDS = (
    "name",
    "address",
    "phone",
    "email",
    "website",
    "complaints_officer",
    "member_responsible",
    "ombudsman_form_url",
    "ombudsman_phone",
    "ombudsman_post",
    "retention_years",
    "escalation_window_days",
)


def _settings_row(u: Unit) -> LandlordSettings:
    row = u.session.exec(select(LandlordSettings).order_by(col(LandlordSettings.id)).limit(1)).first()
    if row is None:
        row = LandlordSettings()
        u.session.add(row)
        u.session.flush()
        audit(u, "settings created", row)
    return row


def get_settings(db) -> LandlordSettings:
    with reading(db) as u:
        row = u.session.exec(select(LandlordSettings).order_by(col(LandlordSettings.id)).limit(1)).first()
        return row or LandlordSettings()


def is_set_up(db) -> bool:
    from .queries import is_set_up as asked

    return asked(db)


def first_run_waits_for(db) -> str | None:
    """None when this login may fill in the first-run screen; on a team's PostgreSQL database an
    officer or a viewer may not (the landlord's settings are a director's), and this says, in
    plain words, who must."""
    if getattr(db, "dialect", "sqlite") != "postgresql":
        return None
    role = db.team_role()
    if role not in ("officer", "viewer"):
        return None
    return (
        f"This team's database is not set up yet, and your role ({role}) may not do it: a director "
        "must first open smallhousing and fill in this screen (or the server's admin runs "
        "smallhousing team setup with --landlord NAME). Close smallhousing (Ctrl+Q) and open it "
        "again once that is done. Meanwhile you can try smallhousing with demo data (F2)."
    )


def _check_ombudsman_details(values: dict) -> None:
    """Refuse Ombudsman details that would send a resident the wrong way: an email address (the
    Ombudsman has taken new cases through its online form, not by email, since 13 January 2026) or
    the old PO Box 152 Liverpool address."""
    import re

    from ..store.models import OMBUDSMAN_POST

    email = re.compile(r"[^\s@<>()\[\],;:]+@[^\s@<>()\[\],;:]+\.[a-z]{2,}|mailto:", re.IGNORECASE)
    # PO Box 152 in any spacing or case: "PO Box 152", "p.o. box 152", "POBOX152", "P O Box 152"
    old_po_box = re.compile(r"\bp\W*o\W*box\W*152(?!\d)", re.IGNORECASE)
    for k in ("ombudsman_form_url", "ombudsman_phone", "ombudsman_post"):
        v = values.get(k)
        if not isinstance(v, str):
            continue
        if email.search(v):
            raise DomainError(
                "Leave out any email address: since 13 January 2026 the Housing "
                "Ombudsman takes new complaints through its online form, not by email, "
                "so letters must not point residents to an email address.",
                field=k,
            )
        if old_po_box.search(v):
            raise DomainError(
                "PO Box 152 in Liverpool is the Housing Ombudsman's old address and is out "
                f"of date. Its current postal address is: {OMBUDSMAN_POST}.",
                field=k,
            )


def update_settings(db, **values) -> LandlordSettings:
    """Change landlord details; only the fields given change."""
    for k in values:
        if k not in SETTINGS_FIELDS and k != "setup_done":
            raise DomainError(f"Unknown setting {k!r}.")
    for k in ("retention_years", "escalation_window_days"):
        if k in values:
            try:
                values[k] = int(values[k])
            except (TypeError, ValueError):
                raise DomainError(f"{k.replace('_', ' ').capitalize()} must be a whole number.") from None
            if values[k] < 0 or (k == "retention_years" and values[k] < 1):
                raise DomainError(f"{k.replace('_', ' ').capitalize()} is too small.")
    for k, v in list(values.items()):
        if isinstance(v, str):
            values[k] = clean(v)
    if "name" in values and not values["name"]:
        raise DomainError("The landlord's name cannot be empty.", field="name")
    for k in ("ombudsman_form_url", "ombudsman_phone", "ombudsman_post"):
        if k in values and not values[k]:
            raise DomainError(
                "The Housing Ombudsman's contact details cannot be left empty: every letter must give them.",
                field=k,
            )
    _check_ombudsman_details(values)
    with transaction(db) as u:
        row = _settings_row(u)
        update_fields(u, row, "settings changed", **values)
        return row


def first_run_setup(db, name: str, homes: int | None, year: int | None = None) -> LandlordSettings:
    """The welcome screen: the landlord's name and its number of homes this year."""
    with transaction(db) as u:
        s = update_settings(u, name=name, setup_done=True)
        if homes is not None:
            from ..domain.years import year_of

            set_homes(u, year if year is not None else year_of(u.today), homes)
        return s


MAX_HOMES = 10_000_000  # more than any landlord has: a bigger number is a typing mistake


def parse_homes(homes: "int | str") -> int:
    """'1,020' -> 1020; refuses what is not a sensible number of homes (needs no database)."""
    try:
        n = int(str(homes).replace(",", "").strip())
    except ValueError:
        raise DomainError(f"{homes!r} is not a number of homes.", field="homes") from None
    if n < 0:
        raise DomainError("The number of homes cannot be negative.", field="homes")
    if n > MAX_HOMES:
        raise DomainError(f"{n:,} homes is more than this app expects; check the number.", field="homes")
    return n


def set_homes(db, year: "int | str", homes: "int | str") -> HomesYear:
    y = parse_year(year)
    n = parse_homes(homes)
    with transaction(db) as u:
        row = u.session.exec(select(HomesYear).where(HomesYear.year == y)).first()
        if row is None:
            row = HomesYear(year=y, homes=n)
            u.session.add(row)
            u.session.flush()  # its id, from the database, for the caller
            audit(u, f"homes set for {year_label(y)}", row)
            return row
        update_fields(u, row, f"homes changed for {year_label(y)}", homes=n)
        return row


def homes_for(db, year: int) -> int | None:
    with reading(db) as u:
        row = u.session.exec(select(HomesYear).where(HomesYear.year == year)).first()
        return row.homes if row else None


def list_homes(db) -> list[HomesYear]:
    with reading(db) as u:
        return list(u.session.exec(select(HomesYear).order_by(col(HomesYear.year).desc())).all())


def list_closure_days(db) -> list[ClosureDay]:
    with reading(db) as u:
        return list(u.session.exec(select(ClosureDay).order_by(col(ClosureDay.day))).all())


def _not_past(u: Unit, day: dt.date, doing: str) -> None:
    """Closure days before today are settled: deadlines already worked out and figures already
    reported were counted with them, so they cannot be added or taken away afterwards."""
    if day < u.today:
        raise DomainError(
            f"{short_date(day)} is in the past: closure days can only be {doing} "
            f"for today or later, because deadlines and figures already worked out "
            f"used the days as they were.",
            field="day",
        )


def add_closure_day(db, day: dt.date, reason: str = "") -> ClosureDay:
    """A day the office is closed (today or later): deadlines of open complaints move to skip it."""
    if not isinstance(day, dt.date):
        raise DomainError("Give the closure day as a date.", field="day")
    with transaction(db) as u:
        _not_past(u, day, "added")
        if u.session.exec(select(ClosureDay).where(ClosureDay.day == day)).first():
            raise DomainError(f"{short_date(day)} is already a closure day.", field="day")
        if day.weekday() >= 5:
            raise DomainError(
                f"{short_date(day)} is a weekend day; it is never a working day anyway.", field="day"
            )
        row = ClosureDay(day=day, reason=clean(reason))
        u.session.add(row)
        u.session.flush()  # its id, from the database, for the caller
        audit(u, "closure day added", row)
        u.forget_calendar()
        _refresh_open(u)
        return row


def remove_closure_day(db, day: dt.date) -> None:
    """Take away a closure day (today or later); deadlines of open complaints move back."""
    if not isinstance(day, dt.date):
        raise DomainError("Give the closure day as a date.", field="day")
    with transaction(db) as u:
        _not_past(u, day, "removed")
        row = u.session.exec(select(ClosureDay).where(ClosureDay.day == day)).first()
        if row is None:
            raise DomainError(f"{short_date(day)} is not a closure day.", field="day")
        audit(u, "closure day removed", entity="closureday", entity_id=row.id, before=to_plain(row))
        u.session.delete(row)
        u.session.flush()
        u.forget_calendar()
        _refresh_open(u)


def _refresh_open(u: Unit) -> None:
    from .complaints import refresh_open_deadlines
    from .service_requests import refresh_open_targets

    refresh_open_deadlines(u)
    refresh_open_targets(u)  # open service requests' targets skip the day too


# staff -------------------------------------------------------------------------------------------


class StaffLeft(DomainError):
    """add_staff was given the name of someone who left: they are the same person (6.13 is judged
    by person), so they are reactivated, not added twice. ``staff_id`` is their record."""

    def __init__(self, message: str, staff_id: int, name: str = "") -> None:
        super().__init__(message, field="name")
        self.staff_id = staff_id
        self.name = name


def _name_key(name: str) -> str:
    """A name as compared: case and spacing do not make a different person."""
    return staff_name_key(name)


def add_staff(db, name: str, role: str = "", email: str = "", *, login: str | None = None) -> Staff:
    """Add a member of staff. The name of someone who left raises StaffLeft (a DomainError):
    reactivate them with reactivate_staff instead of making a second record. ``login``: the
    database login they sign in as on a team's database (services/team.py gives it)."""
    name = " ".join(clean(name).split())
    if not name:
        raise DomainError("A member of staff needs a name.", field="name")
    email = check_email(email)
    with transaction(db) as u:
        key = _name_key(name)
        for other in u.session.exec(select(Staff)).all():
            if _name_key(other.name) != key:
                continue
            if other.active:
                raise DomainError(f"{other.name} is already on the staff list.", field="name")
            raise StaffLeft(
                f"{other.name} was on the staff list before and left; reactivate them "
                "rather than adding them again.",
                ident(other),
                other.name,
            )
        row = Staff(name=name, role=clean(role), email=clean(email), login=login)
        u.session.add(row)
        u.session.flush()  # its id, from the database, for the caller
        audit(u, "staff added", row)
        return row


def update_staff(db, staff_id: int, **values) -> Staff:
    allowed = {"name", "role", "email", "active"}
    for k in values:
        if k not in allowed:
            raise DomainError(f"Unknown staff field {k!r}.")
    if "name" in values and not clean(values["name"]):
        raise DomainError("A member of staff needs a name.", field="name")
    if "email" in values:
        values["email"] = check_email(values["email"])
    with transaction(db) as u:
        row = u.get(Staff, staff_id, "member of staff")
        cleaned: dict[str, Any] = {k: clean(v) if isinstance(v, str) else v for k, v in values.items()}
        update_fields(u, row, "staff changed", **cleaned)
        return row


def reactivate_staff(db, staff_id: int) -> Staff:
    """Someone who left and came back: the same record, active again (audited)."""
    with transaction(db) as u:
        row = u.get(Staff, staff_id, "member of staff")
        if row.active:
            raise DomainError(f"{row.name} is already active on the staff list.")
        update_fields(u, row, "staff reactivated", active=True)
        return row


def list_handlers(db) -> list[Staff]:
    """The active staff who may handle a complaint: a team's viewers read only, so are left out."""
    from .complaints import is_team_viewer

    return [s for s in list_staff(db) if not is_team_viewer(s)]


def list_staff(db, *, active_only: bool = True) -> list[Staff]:
    with reading(db) as u:
        q = select(Staff).order_by(Staff.name)
        if active_only:
            q = q.where(Staff.active == True)  # noqa: E712
        return list(u.session.exec(q).all())
