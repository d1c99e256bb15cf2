"""tsm_for_year works the TSM out with its own lean queries: it must give exactly the numbers of
the full year's figures (tsm_from(year_figures)), including the awkward cases changed in below."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update

from smallhousing.services import reports as R
from smallhousing.services.base import transaction
from smallhousing.store.models import ClosureDay, Complaint, Extension, Stage


def _same_everywhere(db):
    for y in R.report_years(db):
        lean, full = R.tsm_for_year(db, y), R.tsm_from(y, R.year_figures(db, y, detail=False))
        assert lean == full, y


def test_lean_tsm_matches_full_figures(demo_db):
    _same_everywhere(demo_db)
    with transaction(demo_db) as u:
        ids = (
            u.session.exec(
                Complaint.__table__.select().with_only_columns(Complaint.id).order_by(Complaint.id)
            )
            .scalars()
            .all()
        )
        stages = u.session.exec(
            Stage.__table__.select()
            .with_only_columns(Stage.id, Stage.number)
            .where(Stage.responded_on != None)  # noqa: E711
            .order_by(Stage.id)
        ).all()
        # older Code: stage 2 clock runs from the request
        u.session.execute(update(Complaint).where(Complaint.id.in_(ids[::3])).values(rule_set="2022"))
        # a response with no acknowledgement recorded is never on time
        u.session.execute(
            update(Stage).where(Stage.id.in_([s for s, _ in stages[::7]])).values(acknowledged_on=None)
        )
        # extensions: within the cap, past it with a reason, past it with only blank "reasons"
        for i, (sid, _) in enumerate(stages[1::5]):
            u.session.add(
                Extension(
                    stage_id=sid,
                    extended_on=dt.date(2025, 5, 1),
                    new_due_on=dt.date(2025, 5, 1) + dt.timedelta(days=17 * i % 200),
                    reason="r",
                    good_reason=["", " ", "\u00a0", "survey"][i % 4],
                    beyond_cap=bool(i % 3),
                )
            )
        u.session.add(ClosureDay(day=dt.date(2025, 6, 2), reason="office move"))
    _same_everywhere(demo_db)
