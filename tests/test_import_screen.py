"""The import screen, driven with the keyboard in a small app at 80x24."""

from __future__ import annotations

from pathlib import Path

from helpers import settle
from textual.app import App
from textual.widgets import DataTable, DirectoryTree, Input, ProgressBar, Static

import smallhousing
from smallhousing.screens.transfer import ImportScreen
from smallhousing.services import queries as Q

SIZE = (80, 24)
FIXTURES = Path(__file__).parent / "fixtures"


class ScreenApp(App):
    """Pushes one screen, styled as in the real app (app.tcss), and records what it dismisses with."""

    CSS_PATH = str(Path(smallhousing.__file__).parent / "app.tcss")

    def __init__(self, make_screen) -> None:
        super().__init__()
        self.make_screen = make_screen
        self.results: list = []

    def on_mount(self) -> None:
        self.push_screen(self.make_screen(), self.results.append)


def result_text(screen) -> str:
    return str(screen.query_one("#import-result", Static).render())


async def test_import_a_file_typed_in(db, tmp_path, monkeypatch):
    (tmp_path / "log.csv").write_bytes((FIXTURES / "excel_cp1252.csv").read_bytes())
    monkeypatch.chdir(tmp_path)
    app = ScreenApp(lambda: ImportScreen(db, start_dir=tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ImportScreen)
        assert screen.query_one("#import-path", Input).has_focus
        await pilot.press(*"log.csv")
        await pilot.press("enter")
        await settle(pilot, 4, group="import")
        assert "Imported 4 complaints" in result_text(screen)
        bar = screen.query_one("#import-progress", ProgressBar)
        assert bar.progress == bar.total
        assert Q.count_complaints(db, Q.ComplaintFilter()) == 4
        await pilot.press("escape")
        await pilot.pause()
        assert app.results == ["imported"]


async def test_problems_are_listed_and_scroll(db, tmp_path):
    rows = ["reference,received_on,resident_name"] + [f"X{i},31/02/2026,Ann Ash" for i in range(40)]
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(rows) + "\n", encoding="utf-8")
    app = ScreenApp(lambda: ImportScreen(db, start_dir=tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        screen.query_one("#import-path", Input).value = str(bad)
        await pilot.press("ctrl+o")
        await settle(pilot, 4, group="import")
        text = result_text(screen)
        assert text.startswith("Nothing was imported: 40 problems in bad.csv")
        assert "line 2, column received_on:" in text and "line 41, column received_on:" in text
        box = screen.query_one("#import-result-box")
        assert box.has_focus and box.max_scroll_y > 0  # more than fits: it scrolls
        await pilot.press("end")
        await pilot.pause()
        assert box.scroll_y > 0
        assert Q.count_complaints(db, Q.ComplaintFilter()) == 0


async def test_choose_the_file_from_the_folders(db, tmp_path):
    (tmp_path / "log.csv").write_bytes((FIXTURES / "utf8_bom.csv").read_bytes())
    (tmp_path / "notes.docx").write_bytes(b"not shown")
    app = ScreenApp(lambda: ImportScreen(db, start_dir=tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await pilot.press("ctrl+b")
        tree = screen.query_one("#import-tree", DirectoryTree)
        assert tree.has_focus
        await settle(pilot, 4, group="import")
        names = [str(n.label) for n in tree.root.children]
        assert names == ["log.csv"]
        await pilot.press("down", "enter")
        await settle(pilot, 4, group="import")
        assert screen.query_one("#import-path", Input).value == str(tmp_path / "log.csv")
        assert "Imported 2 complaints" in result_text(screen)


async def test_every_action_has_a_key_with_an_id_and_a_name(db, tmp_path):
    app = ScreenApp(lambda: ImportScreen(db, start_dir=tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        actions = {b.action: b for bs in screen._bindings.key_to_bindings.values() for b in bs}
        for action in ("run_import", "browse", "focus_path", "back"):
            assert actions[action].id and actions[action].description, action
        # the app's command palette lists the screen's active bindings by description
        described = {a.binding.description for a in screen.active_bindings.values()}
        assert {"Import", "Browse", "Back"} <= described
        # everything fits at 80x24, with room left to read the columns (and later the result,
        # which takes the same place; the progress bar shows only while an import runs)
        for ident in ("#import-path", "#import-tree", "#import-columns-table"):
            region = screen.query_one(ident).region
            assert region.height >= 1 and region.bottom <= 24 and region.right <= 80, ident
        assert screen.query_one("#import-columns-table").region.height >= 4


async def test_an_empty_name_asks_for_one(db, tmp_path):
    app = ScreenApp(lambda: ImportScreen(db, start_dir=tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await settle(pilot, 4, group="import")
        assert "Type the name of the file" in result_text(app.screen)
        app.screen.query_one("#import-path", Input).value = str(tmp_path / "missing.csv")
        await pilot.press("enter")
        await settle(pilot, 4, group="import")
        assert "There is no file at" in result_text(app.screen)


async def test_the_idle_screen_lists_every_column_and_shows_no_progress_bar(db, tmp_path):
    from smallhousing.services import transfer

    app = ScreenApp(lambda: ImportScreen(db, start_dir=tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, 4, group="import-columns")
        screen = app.screen
        assert not screen.query_one("#import-progress", ProgressBar).display  # nothing runs yet
        help_text = " ".join(str(s.render()) for s in screen.query(".transfer-help"))
        assert "docs/" not in help_text and ".md" not in help_text
        table = screen.query_one("#import-columns-table", DataTable)
        assert table.display and table.region.height >= 4 and table.region.bottom <= 24
        names = [str(table.get_cell_at((i, 0))) for i in range(table.row_count)]
        # every column the importer reads, in its own order, marked required or optional
        assert [n.split("\n")[0] for n in names] == list(transfer.COLUMNS)
        for n in names:
            column, needed = n.split("\n")
            assert needed == ("required" if column in transfer.REQUIRED else "optional")
        row = dict(zip(("name", "holds", "format"), (str(c) for c in table.get_row("received_on"))))
        assert "received" in row["holds"] and "17/12/2025" in row["format"]
        assert "upheld" in str(table.get_row("stage1_decision")[2])
        # more rows than fit: the list scrolls
        table.focus()
        await pilot.press("ctrl+end")
        await pilot.pause(0.3)
        assert table.max_scroll_y > 0 and table.scroll_y > 0
        assert table.cursor_row == table.row_count - 1


async def test_the_progress_bar_shows_only_while_an_import_runs(db, tmp_path, monkeypatch):
    import threading

    from smallhousing.services import transfer

    (tmp_path / "log.csv").write_bytes((FIXTURES / "utf8_bom.csv").read_bytes())
    release = threading.Event()
    real = transfer.import_csv

    def slow(db, path, progress=None):
        release.wait(10)
        return real(db, path, progress=progress)

    monkeypatch.setattr(transfer, "import_csv", slow)
    app = ScreenApp(lambda: ImportScreen(db, start_dir=tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, 4, group="import-columns")
        screen = app.screen
        bar = screen.query_one("#import-progress", ProgressBar)
        screen.query_one("#import-path", Input).value = str(tmp_path / "log.csv")
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert screen.running and bar.display  # running: the bar shows
        assert not screen.query_one("#import-columns-table").display  # the result box instead
        release.set()
        await settle(pilot, 4, group="import")
        assert "Imported 2 complaints" in result_text(screen)
        assert not bar.display  # finished: no bar that looks busy
        # Ctrl+T lists the columns again
        await pilot.press("ctrl+t")
        await pilot.pause()
        table = screen.query_one("#import-columns-table", DataTable)
        assert table.display and table.has_focus
        assert not screen.query_one("#import-result-box").display


def test_every_column_the_importer_reads_has_words():
    from smallhousing.services import import_guide, transfer

    assert set(import_guide.HOLDS) == set(transfer.COLUMNS)
    columns = import_guide.log_columns()
    assert [c.name for c in columns] == list(transfer.COLUMNS)
    assert all(c.holds and c.format for c in columns)
    assert {c.name for c in columns if c.required} == set(transfer.REQUIRED)
