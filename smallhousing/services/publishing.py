"""Published figures: a finished reporting year's figures, kept as they were on the day they were
published, and the guard that keeps them true.

Once a year is published (``publish_year``), its Tenant Satisfaction Measures (CH01, CH02) and the
counts of the annual report are stored in ``year_publication.figures``. Reports of that year print
from the stored figures and say when they were published. Every transaction that writes anything
ends with ``check_published`` (called by ``base.transaction``): when a year is published it works
the year's figures out again inside the same transaction and refuses the whole transaction if they
are no longer the published ones. The year must first be reopened (``reopen_year``) with a written
reason, which the next report of the year prints.

Reads here are plain SQL (services/reads.py), so ``smallhousing tsm`` stays quick; the figures are
worked out by services/figures.py, the one source of every figure the reports print, never copied.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass

from ..domain.calendar import short_date
from ..domain.errors import DomainError
from ..domain.words import has_words
from ..domain.years import parse_year, year_bounds, year_label
from .reads import day, plain_reading

FORMAT = 1  # the shape of the stored figures


def long_date(d: dt.date) -> str:
    return f"{d.day} {d:%B %Y}"


@dataclass
class Publication:
    """The newest publication of a reporting year (published now, or reopened since)."""

    year: int
    published_on: dt.date
    published_by: str
    figures: dict
    reopened_on: dt.date | None = None
    reopened_by: str = ""
    reopen_reason: str = ""

    @property
    def label(self) -> str:
        return year_label(self.year)

    @property
    def is_published(self) -> bool:
        return self.reopened_on is None

    @property
    def tsm(self) -> dict:
        """The stored ``smallhousing tsm --json`` keys."""
        return self.figures.get("tsm", {})

    def note(self) -> str:
        """One sentence for a report: when the figures were published, and any reopening."""
        reopened_on = self.reopened_on
        if reopened_on is None:  # published (is_published)
            who = f" by {self.published_by}" if self.published_by else ""
            return (
                f"These figures for {self.label} were published on {long_date(self.published_on)}"
                f"{who} and are printed as published."
            )
        who = f" by {self.reopened_by}" if self.reopened_by else ""
        return (
            f"The figures for {self.label} were published on {long_date(self.published_on)} and "
            f"the year was reopened on {long_date(reopened_on)}{who} for this reason: "
            f"{self.reopen_reason} The figures here are worked out from the records as they are now."
        )


_NEWEST = (
    "SELECT year, published_on, published_by, figures, reopened_on, reopened_by, reopen_reason "
    "FROM year_publication p WHERE id = (SELECT max(id) FROM year_publication q "
    "WHERE q.year = p.year)"
)


def _publication(row) -> Publication:
    y, on, by, figures, r_on, r_by, reason = row
    try:
        data = json.loads(figures or "{}")
    except ValueError:
        data = {}
    published_on = day(on)
    assert published_on is not None  # year_publication.published_on is NOT NULL
    return Publication(y, published_on, by or "", data, day(r_on), r_by or "", reason or "")


def publication(db, year: "int | str") -> Publication | None:
    """The newest publication of a year (None if it was never published); ``db`` may be a Unit."""
    y = parse_year(year)
    with plain_reading(db) as r:
        row = r.rows(_NEWEST + " AND year = ?", (y,))
    return _publication(row[0]) if row else None


def publications(db) -> dict[int, Publication]:
    """The newest publication of every year ever published, by year."""
    with plain_reading(db) as r:
        return {p.year: p for p in map(_publication, r.rows(_NEWEST + " ORDER BY year"))}


def published_years(db) -> list[int]:
    """Years whose figures are published now (not reopened)."""
    return [y for y, p in publications(db).items() if p.is_published]


# the figures ------------------------------------------------------------------------------------

_NOT_STORED = {"start", "end", "label", "cases", "learning"}  # lists and labels, not figures


def figures_as_plain(f) -> dict:
    """A year's PeriodFigures as plain JSON values: every count, none of the lists of records."""
    out = {k: v for k, v in dataclasses.asdict(f).items() if k not in _NOT_STORED}
    # tuples (and query rows) become lists, as they come back from the store
    return json.loads(json.dumps(out, default=list))


def figures_from_plain(live, stored: dict):
    """``live`` (PeriodFigures) with its counts replaced by the stored ones."""
    from . import figures as F

    f = dataclasses.replace(live)
    names = {fl.name for fl in dataclasses.fields(f)}
    for k, v in stored.items():
        if k not in names:
            continue
        if k in ("stage1", "stage2"):
            v = F.StageFigures(**v)
        elif k == "remedies":
            v = [F.RemedyLine(**r) for r in v]
        elif k == "tp09":
            v = F.SAT.PerceptionCounts(**v) if v else None
        elif isinstance(v, list):
            v = [tuple(x) for x in v]
        setattr(f, k, v)
    return f


def current_figures(u, year: int) -> dict:
    """What would be published for ``year`` now, worked out inside the Unit ``u``: the year's
    figures (figures.year_figures) and the TSM drawn from those same figures."""
    from .figures import tsm_from, year_figures

    f = year_figures(u, year, detail=False)
    return {"format": FORMAT, "tsm": tsm_from(year, f).as_dict(), "figures": figures_as_plain(f)}


def _differences(stored: dict, now: dict) -> list[str]:
    """Names of the figures that differ, the TSMs first."""
    out = [k for k, v in now.get("tsm", {}).items() if stored.get("tsm", {}).get(k) != v]
    old = stored.get("figures", {})
    out += [k for k, v in now.get("figures", {}).items() if old.get(k) != v and k not in out]
    return out


# use cases --------------------------------------------------------------------------------------


def publish_year(db, year: "int | str"):
    """Publish a finished reporting year's figures as they are today (audited)."""
    from ..store.models import YearPublication
    from .base import audit, transaction

    y = parse_year(year)
    start, end = year_bounds(y)
    with transaction(db) as u:
        if u.today <= end:
            raise DomainError(
                f"{year_label(y)} runs to {short_date(end)}: its figures can be published "
                f"once the year has ended, from {short_date(end + dt.timedelta(days=1))}.",
                field="year",
            )
        found = publication(u, y)
        if found is not None and found.is_published:
            raise DomainError(
                f"The figures for {year_label(y)} were already published on "
                f"{short_date(found.published_on)}.",
                field="year",
            )
        u.forget_calendar()
        figures = current_figures(u, y)
        row = YearPublication(
            year=y,
            published_on=u.today,
            published_by=u.actor or "",
            figures=json.dumps(figures, sort_keys=True),
        )
        u.session.add(row)
        u.session.flush()  # its id, from the database, for the caller
        audit(u, f"figures published for {year_label(y)}", row)
        return row


def reopen_year(db, year: "int | str", reason: str):
    """Reopen a published year so that its records can change; the reason is printed on the next
    report of the year (audited)."""
    from sqlmodel import col, select

    from ..store.models import YearPublication
    from .base import clean, transaction, update_fields

    y = parse_year(year)
    reason = clean(reason)
    if not has_words(reason):
        raise DomainError(
            f"Say in words why {year_label(y)} is being reopened: the reason is printed "
            f"on the year's reports.",
            field="reason",
        )
    with transaction(db) as u:
        row = u.session.exec(
            select(YearPublication)
            .where(YearPublication.year == y)
            .order_by(col(YearPublication.id).desc())
            .limit(1)
        ).first()
        if row is None or row.reopened_on is not None:
            raise DomainError(
                f"The figures for {year_label(y)} are not published, so there is nothing to reopen.",
                field="year",
            )
        return update_fields(
            u,
            row,
            f"year {year_label(y)} reopened",
            reopened_on=u.today,
            reopened_by=u.actor or "",
            reopen_reason=reason,
        )


# the guard --------------------------------------------------------------------------------------


def check_published(u) -> None:
    """Refuse (DomainError) a transaction that would change the figures of a published year.

    Called by ``base.transaction`` before it commits a Unit that wrote something. One indexed query
    when nothing is published; otherwise each published year's figures are worked out again
    through the Unit's own connection, so its unsaved changes count.
    """
    with plain_reading(u) as r:
        rows = r.rows(_NEWEST + " AND reopened_on IS NULL ORDER BY year")
    if not rows:
        return
    u.forget_calendar()  # closure days may have changed in this Unit
    for row in rows:
        p = _publication(row)
        now = current_figures(u, p.year)
        changed = _differences(p.figures, now)
        if changed:
            # A figure can also differ because this version of smallhousing works it out
            # differently (a rule put right, a figure added): then it differed before this
            # transaction too, and this change is not the cause. The figures as they were before
            # it are read from the last committed state, which this transaction cannot see past.
            from .base import reading

            with reading(u.db) as before_unit:
                before = current_figures(before_unit, p.year)
            changed = _differences(before, now)
        if changed:
            raise DomainError(
                f"This would change the figures published for {p.label} on "
                f"{short_date(p.published_on)} ({', '.join(changed[:4])}"
                f"{', ...' if len(changed) > 4 else ''}). Published figures stay as published: "
                f"reopen {p.label} with a written reason first (Reports, or "
                f"smallhousing tsm --year {p.year} --reopen REASON), then make the change."
            )
