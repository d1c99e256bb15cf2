"""Every figure has one source: services/figures.py. The modules that print figures call it and
work nothing out again (no timing of stages, no counting SQL of their own)."""

from __future__ import annotations

import inspect
import re
import subprocess
import sys

from smallhousing.services import figures as F
from smallhousing.services import measures as M
from smallhousing.services import publishing as P
from smallhousing.services import reports as R


def test_the_public_names_are_the_figures_modules():
    assert M.tsm_for_year is F.tsm_for_year and R.tsm_for_year is F.tsm_for_year
    assert M.TSM is F.TSM and R.TSM is F.TSM
    for name in (
        "PeriodFigures",
        "StageFigures",
        "RemedyLine",
        "CaseLine",
        "OrderLine",
        "LearningLine",
        "tsm_from",
    ):
        assert getattr(R, name) is getattr(F, name), name


def test_no_other_module_works_figures_out():
    # the rules that turn dates into CH02 and the extension counts, and the counting queries,
    # appear only in figures.py
    for mod in (M, R, P):
        src = inspect.getsource(mod)
        for marker in (
            r"ResponseTimer",
            r"stage_deadlines",
            r"judge_extensions",
            r"\bresponded_on\b",
            r"\backnowledged_on\b",
            r"func\.count",
            r"per_thousand\(",
        ):
            assert not re.search(marker, src), f"{mod.__name__} works out figures itself ({marker})"


def test_published_figures_are_the_year_figures(db):
    # publishing stores the TSM drawn from the same figures it stores
    from smallhousing.services.base import reading

    with reading(db) as u:
        now = P.current_figures(u, 2025)
    f = F.year_figures(db, 2025, detail=False)
    assert now["tsm"] == F.tsm_from(2025, f).as_dict() == F.tsm_for_year(db, 2025).as_dict()
    assert now["figures"] == P.figures_as_plain(f)


def test_tsm_reads_without_the_orm(tmp_path):
    code = (
        "import sys\nfrom smallhousing.services import figures\n"
        "bad = [m for m in ('sqlalchemy', 'sqlmodel', 'smallhousing.store.models') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
