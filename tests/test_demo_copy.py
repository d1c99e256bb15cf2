"""The demo copy: made-up records in a file of their own, marked as a demo in its own records, shown
with DEMO on every screen, letter and report, and left for the landlord's own file at any time."""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import io
from pathlib import Path

import pytest
from conftest import TODAY
from helpers import settle, text_of, until
from pypdf import PdfReader

from smallhousing import paths
from smallhousing.app import OPEN_DEMO, OPEN_REAL, DemoBadge, build_app
from smallhousing.cli import main
from smallhousing.cli.core import start_app
from smallhousing.domain import lifecycle as L
from smallhousing.services import complaints as C
from smallhousing.services import demo_copy
from smallhousing.services import letters as SL
from smallhousing.services import queries as Q
from smallhousing.services import residents as R
from smallhousing.services import settings as S
from smallhousing.services.verify import verify
from smallhousing.store.db import Database

SIZE = (80, 24)
D = dt.date

pytestmark = pytest.mark.usefixtures("no_backup")


def digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def pdf_text(path: Path) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(Path(path).read_bytes())).pages)


@pytest.fixture
def small_demo(monkeypatch):
    """The welcome screen makes 12 demo complaints, not 300."""
    from smallhousing.screens import welcome

    monkeypatch.setattr(welcome, "DEMO_COMPLAINTS", 12)


def marked_demo(tmp_path, n: int = 8) -> Database:
    """A demo copy beside a (not yet made) real file, made as the welcome screen makes it."""
    real = tmp_path / "real.db"
    demo_copy.open_demo(real, complaints=n, seed=3, today=TODAY, actor="tester")
    return Database(paths.demo_db_path(real), actor="tester", today=TODAY).open()


# where the demo copy lives -----------------------------------------------------------------------


def test_the_demo_copy_has_a_folder_of_its_own_inside_the_data_folder(tmp_path):
    real = tmp_path / "smallhousing.db"
    demo = paths.demo_db_path(real)
    assert demo.parent.parent == tmp_path.resolve() and demo != real.resolve()
    # its letters, reports and backups are never mixed with the landlord's own
    for where in (paths.letters_dir, paths.reports_dir, paths.backups_dir):
        assert where(demo) != where(real)
    # a real file that is itself called demo.db has its demo copy elsewhere
    assert paths.demo_db_path(tmp_path / "demo.db") != (tmp_path / "demo.db").resolve()
    assert paths.is_demo_copy_path(demo) and not paths.is_demo_copy_path(real)
    assert not paths.is_demo_copy_path(tmp_path / "demo.db")


def test_an_empty_demo_copy_is_filled_itself_never_copied_again(tmp_path):
    """The demo copy's own welcome screen (only if it were ever left empty) fills that file."""
    demo = paths.demo_db_path(tmp_path / "real.db")
    Database(demo, today=TODAY).open().close()  # made, but nothing in it
    assert demo_copy.open_demo(demo, complaints=2, today=TODAY)["complaints"] == 2
    assert not paths.demo_db_path(demo).exists()
    again = Database(demo, today=TODAY).open()
    try:
        assert demo_copy.is_demo(again) and Q.count_complaints(again) == 2
    finally:
        again.close()


def test_open_demo_marks_the_copy_and_leaves_the_real_file_alone(db, setup):
    c = C.log_complaint(db, setup.resident, D(2026, 2, 27), "Fence blown down")
    before = S.get_settings(db).model_dump()
    file_before = digest(db.path)
    made = demo_copy.open_demo(db.path, complaints=6, seed=3, today=TODAY, actor="tester")
    assert made is not None and made["complaints"] == 6
    demo = Database(paths.demo_db_path(db.path), today=TODAY).open()
    try:
        assert demo_copy.is_demo(demo) and S.is_set_up(demo)
        assert Q.count_complaints(demo) == 6
        assert verify(demo).ok  # the mark is audited like any other change
        # a second time opens the same copy: nothing is added
        assert demo_copy.open_demo(db.path, complaints=6, seed=3, today=TODAY) is None
        assert Q.count_complaints(demo) == 6
    finally:
        demo.close()
    assert not demo_copy.is_demo(db)
    assert S.get_settings(db).model_dump() == before
    assert [r.reference for r in Q.list_complaints(db)] == [c.reference]
    assert digest(db.path) == file_before


def test_a_demo_copy_that_holds_real_records_is_refused(tmp_path):
    from smallhousing.domain.errors import DomainError

    real = tmp_path / "real.db"
    own = Database(paths.demo_db_path(real), today=TODAY).open()
    S.first_run_setup(own, "Ashbury Homes", 400)
    own.close()
    before = digest(paths.demo_db_path(real))
    with pytest.raises(DomainError, match="not demo records"):
        demo_copy.open_demo(real, complaints=3, today=TODAY)
    assert digest(paths.demo_db_path(real)) == before


def test_which_file_was_last_in_use_is_remembered(tmp_path):
    real = tmp_path / "real.db"
    assert demo_copy.file_to_open(real) == (real, False)
    demo_copy.remember(real, OPEN_DEMO)
    assert demo_copy.file_to_open(real) == (real, False)  # no demo copy yet: the real file
    demo_copy.open_demo(real, complaints=2, today=TODAY)
    assert demo_copy.file_to_open(real) == (paths.demo_db_path(real), True)
    assert paths.last_used_path(real).parent == tmp_path.resolve()
    demo_copy.remember(real, OPEN_REAL)
    assert demo_copy.file_to_open(real) == (real, False)


# the app -----------------------------------------------------------------------------------------


async def test_welcome_demo_data_goes_to_a_separate_file(db, small_demo):
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert type(app.screen).__name__ == "WelcomeScreen"
        welcome = text_of(app.screen.query_one("#demo"))
        assert "Try it with demo data" in welcome
        await pilot.press("f2")
        await until(pilot, lambda: app.return_value is not None)
    assert app.return_value == OPEN_DEMO
    # the landlord's own file is as it was: not set up, no records
    assert not S.is_set_up(db) and Q.count_complaints(db) == 0
    assert not demo_copy.is_demo(db)
    demo = Database(paths.demo_db_path(db.path), today=TODAY).open()
    try:
        assert demo_copy.is_demo(demo) and Q.count_complaints(demo) == 12
    finally:
        demo.close()


async def test_demo_is_on_every_screen_and_the_palette_leaves_it(tmp_path):
    demo = marked_demo(tmp_path)
    app = build_app(demo, leave_to=tmp_path / "real.db")
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await until(pilot, lambda: app.demo)
            assert app.has_class("-demo") and "DEMO" in app.title
            for key, name in (
                (None, "DashboardScreen"),
                ("f3", "ComplaintsScreen"),
                ("escape", "ComplaintsScreen"),
                ("f7", "SettingsScreen"),
                ("f1", "HelpScreen"),
                ("escape", "SettingsScreen"),
                ("ctrl+n", "ResidentPickerScreen"),
                ("escape", "NewComplaintForm"),
            ):
                if key:
                    await pilot.press(key)
                    await settle(pilot)
                assert type(app.screen).__name__ == name
                await until(pilot, lambda: bool(app.screen.query(DemoBadge)))
                badge = app.screen.query_one(DemoBadge)
                assert "DEMO" in text_of(badge) and badge.region.height == 1
            titles = {cmd.title: cmd for cmd in app.get_system_commands(app.screen)}
            assert "Start using smallhousing for real" in titles
            await titles["Start using smallhousing for real"].callback()
            await until(pilot, lambda: app.return_value is not None)
        assert app.return_value == OPEN_REAL
    finally:
        demo.close()


async def test_the_key_leaves_the_demo(tmp_path):
    demo = marked_demo(tmp_path)
    app = build_app(demo, leave_to=tmp_path / "real.db")
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await until(pilot, lambda: app.demo)
            await pilot.press("ctrl+o")
            await until(pilot, lambda: app.return_value is not None)
        assert app.return_value == OPEN_REAL
    finally:
        demo.close()


async def test_no_demo_marker_and_no_way_out_on_the_real_file(db, setup):
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not app.demo and not app.has_class("-demo") and "DEMO" not in app.title
        assert not app.screen.query(DemoBadge)
        titles = {cmd.title for cmd in app.get_system_commands(app.screen)}
        assert "Start using smallhousing for real" not in titles
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert app.return_value is None and type(app.screen).__name__ == "DashboardScreen"


async def test_a_demo_file_given_by_hand_says_how_to_use_it_for_real(tmp_path):
    """A file filled by ``smallhousing demo --db FILE`` and opened with --db has no landlord's file
    to go to: leaving says what to do instead of closing the app."""
    demo = marked_demo(tmp_path)
    app = build_app(demo)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await until(pilot, lambda: app.demo)
            await pilot.press("ctrl+o")
            await settle(pilot)
            assert app.return_value is None and type(app.screen).__name__ == "DashboardScreen"
            assert any("new file" in str(n.message) for n in app._notifications)
    finally:
        demo.close()


# starting and switching (the command line's loop) -----------------------------------------------


def run_steps(real: Path, steps) -> list[tuple[Path, bool]]:
    """start_app on ``real``, headless; each run of the app does the next step. Returns the file each
    run was on and whether it showed the demo marker."""
    seen: list[tuple[Path, bool]] = []
    todo = list(steps)

    async def pilot_step(pilot):
        app = pilot.app
        await until(
            pilot,
            lambda: (
                type(app.screen).__name__ == "WelcomeScreen" or getattr(app.screen, "figures_shown", False)
            ),
        )
        await settle(pilot, group="start")
        seen.append((Path(app.db.path), app.demo))
        await todo.pop(0)(pilot)

    try:
        assert start_app(real, headless=True, size=SIZE, auto_pilot=pilot_step) == 0
    finally:
        gc.unfreeze()
    assert not todo
    return seen


async def leave(pilot):
    await pilot.press("ctrl+o")


async def try_demo(pilot):
    assert type(pilot.app.screen).__name__ == "WelcomeScreen"
    await pilot.press("f2")


async def quit_app(pilot):
    pilot.app.exit()


def test_the_demo_and_back_keep_the_landlords_own_file_byte_for_byte(tmp_path, monkeypatch):
    real = tmp_path / "data" / "smallhousing.db"
    own = Database(real, actor="tester").open()
    S.first_run_setup(own, "Ashbury Homes", 640)
    S.update_settings(own, phone="01632 960 000", member_responsible="Ann Rees")
    S.add_staff(own, "Alice Adams")
    resident = R.add_resident(own, "Mrs Siân O'Brien", address="12 Heol y Parc")
    C.log_complaint(own, resident.id, own.today, "Fence blown down")
    settings_before = S.get_settings(own).model_dump()
    own.close()
    before = {p.name: digest(p) for p in real.parent.iterdir() if p.is_file()}

    monkeypatch.setenv(paths.ENV_DB, str(real))
    assert main(["demo", "--complaints", "5", "--seed", "2"]) == 0  # to the demo copy, by default
    assert paths.demo_db_path(real).exists()

    seen = run_steps(real, [leave, quit_app])
    demo_file = paths.demo_db_path(real)
    assert seen == [(demo_file, True), (real, False)]
    # the next start opens the landlord's file again, as it was left
    assert run_steps(real, [quit_app]) == [(real, False)]

    after = {p.name: digest(p) for p in real.parent.iterdir() if p.is_file() and p.name in before}
    assert after == before
    own = Database(real).open()
    try:
        assert S.get_settings(own).model_dump() == settings_before
        assert Q.count_complaints(own) == 1 and not demo_copy.is_demo(own)
    finally:
        own.close()


def test_try_the_demo_from_the_welcome_then_start_again_on_it(tmp_path, small_demo):
    real = tmp_path / "smallhousing.db"
    demo_file = paths.demo_db_path(real)
    # welcome on the new file -> demo made -> the app comes back on the demo copy
    assert run_steps(real, [try_demo, quit_app]) == [(real, False), (demo_file, True)]
    # starting again reopens the demo until the user leaves it
    assert run_steps(real, [leave, quit_app]) == [(demo_file, True), (real, False)]
    assert run_steps(real, [quit_app]) == [(real, False)]
    own = Database(real).open()
    try:
        assert not S.is_set_up(own) and Q.count_complaints(own) == 0
    finally:
        own.close()


# letters and reports ------------------------------------------------------------------------------


def test_letters_and_reports_made_from_the_demo_say_demo(tmp_path, db, setup):
    from test_letters import acknowledged

    from smallhousing import reports

    demo = marked_demo(tmp_path, n=20)
    try:
        ref = next(
            r.reference
            for r in Q.list_complaints(demo, Q.ComplaintFilter(state=L.S1_ACKNOWLEDGED), limit=100)
            if not SL.preview_text(demo, r.reference, "acknowledgement", 1)[1]
        )
        assert "DEMO" in SL.preview_text(demo, ref, "acknowledgement", 1)[0]
        letter = SL.issue_letter(demo, ref, "acknowledgement", 1, out=tmp_path / "ack.pdf")
        board = reports.write_board(demo, D(2025, 4, 1), D(2026, 2, 28), tmp_path / "board.pdf")
        annual = reports.write_annual(demo, 2025, tmp_path / "annual.pdf")
        assessment = reports.write_self_assessment(demo, 2025, tmp_path / "sa.pdf")
        for made in (letter.path, board, annual, assessment):
            for page in PdfReader(str(made)).pages:  # on every page
                assert "DEMO" in page.extract_text(), made
    finally:
        demo.close()
    # the landlord's own letters and reports say nothing of the kind
    c = acknowledged(db, setup)
    assert "DEMO" not in SL.preview_text(db, c.reference, "acknowledgement", 1)[0]
    own = SL.issue_letter(db, c.reference, "acknowledgement", 1, out=tmp_path / "own.pdf")
    own_board = reports.write_board(db, D(2025, 4, 1), D(2026, 2, 28), tmp_path / "own-board.pdf")
    for made in (own.path, own_board):
        assert "DEMO" not in pdf_text(made)


def test_a_demo_file_is_known_before_the_first_screen_is_drawn(tmp_path, db, setup):
    """The CLI reads the mark with plain sqlite3 before building the app, so the DEMO class is set
    when it costs nothing (set later, every widget on the screen is styled again)."""
    demo = marked_demo(tmp_path)
    demo.close()
    assert demo_copy.looks_demo(demo.path)
    assert not demo_copy.looks_demo(db.path)  # a landlord's own file
    assert not demo_copy.looks_demo(tmp_path / "missing.db")
    assert not demo_copy.looks_demo("postgresql://nobody@127.0.0.1/none")
    app = build_app(Database(demo.path), demo=demo_copy.looks_demo(demo.path))
    assert app.has_class("-demo")  # before it runs
    assert not build_app(db).has_class("-demo")
