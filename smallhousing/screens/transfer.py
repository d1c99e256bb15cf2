"""Bringing records in and keeping them safe: importing a complaints log, and backups.

ImportScreen(db) lists the columns a log may have (the importer's own definitions, with a few words
on each from services/import_guide.py), reads a CSV log (or a full JSON export) in a thread worker
with a progress bar shown only while it runs, and shows either what was imported or every problem,
line by line. BackupScreen(db) lists the backups and makes or restores one. Both call services only
(smallhousing.services.transfer, .import_guide and .backup).
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, DirectoryTree, Input, Label, ProgressBar, Static

from .. import paths
from ..domain.errors import DomainError
from .common import AppScreen, KeyFooter, PlainTable


class _LogFiles(DirectoryTree):
    """Folders and the files an import can read (CSV and JSON), hidden files left out."""

    def filter_paths(self, found: Iterable[Path]) -> Iterable[Path]:
        return [
            p
            for p in found
            if not p.name.startswith(".") and (p.is_dir() or p.suffix.lower() in (".csv", ".json", ".txt"))
        ]


class ImportScreen(AppScreen):
    """Import a complaints log kept in a spreadsheet: all of it, or nothing and a list of problems."""

    SECTION = "settings"
    CSS_PATH = "transfer.tcss"
    BINDINGS = [
        Binding(
            "ctrl+o",
            "run_import",
            "Import",
            id="import-run",
            tooltip="Import the file named above (Enter in the box does the same)",
        ),
        Binding(
            "ctrl+b", "browse", "Browse", id="import-browse", tooltip="Choose the file from the folders below"
        ),
        Binding(
            "ctrl+l",
            "focus_path",
            "File name",
            id="import-path-focus",
            show=False,
            tooltip="Type or paste the file's name",
        ),
        Binding(
            "ctrl+t",
            "show_columns",
            "Columns",
            id="import-columns",
            tooltip="List every column a log may have: what it holds and how to write it",
        ),
        Binding("escape", "back", "Back", id="import-back", tooltip="Go back"),
    ]
    PALETTE_NAMES = {"show_columns": "The columns a log may have"}

    def __init__(self, db, *, start_dir: "str | Path | None" = None, **kw) -> None:
        super().__init__(db, **kw)
        self.start_dir = Path(start_dir) if start_dir else Path.home()
        self.running = False
        self.outcome = ""  # "imported" or "problems" once an import has finished
        self.problem_lines: list[str] = []

    def compose_body(self) -> ComposeResult:
        with Vertical(id="import-box"):
            yield Label("Import a complaints log", classes="transfer-title")
            yield Static(
                "A CSV file from a spreadsheet, its first row naming the columns listed below "
                "(Ctrl+T lists them again). Nothing is imported unless every row is right.",
                classes="transfer-help",
                markup=False,
            )
            yield Input(
                placeholder="the file, for example /home/sam/complaints.csv", id="import-path", compact=True
            )
            yield _LogFiles(self.start_dir, id="import-tree")
            yield ProgressBar(show_eta=False, id="import-progress")
            yield PlainTable(id="import-columns-table", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="import-result-box", can_focus=True):
                yield Static("", id="import-result", markup=False)

    def on_mount(self) -> None:
        self.query_one("#import-progress", ProgressBar).display = False  # shown only while importing
        self.query_one("#import-result-box", VerticalScroll).display = False
        table = self.query_one("#import-columns-table", PlainTable)
        table.add_column("Column", width=22, key="name")
        table.add_column("What it holds", width=28, key="holds")
        table.add_column("Format", width=16, key="format")
        self.load_columns()
        self.query_one("#import-path", Input).focus()

    @work(thread=True, group="import-columns", exit_on_error=False)
    def load_columns(self) -> None:
        from ..services.import_guide import log_columns

        columns = log_columns()
        self.app.call_from_thread(self._show_columns, columns)

    def _show_columns(self, columns) -> None:
        table = self.query_one("#import-columns-table", PlainTable)
        table.clear()
        for c in columns:
            table.add_row(
                Text.assemble(
                    (c.name, "bold"), "\n", "required" if c.required else "optional", overflow="fold"
                ),
                Text(c.holds),
                Text(c.format),
                height=None,
                key=c.name,
            )

    def action_show_columns(self) -> None:
        """The list of columns again, in place of the last result (the next import shows its own)."""
        self._showing("columns")
        self.query_one("#import-columns-table", PlainTable).focus()

    def _showing(self, what: str) -> None:
        self.query_one("#import-columns-table", PlainTable).display = what == "columns"
        self.query_one("#import-result-box", VerticalScroll).display = what == "result"

    # keys ----------------------------------------------------------------------------------------
    def action_back(self) -> None:
        if not self.running:
            self.dismiss(self.outcome or None)

    def action_browse(self) -> None:
        self.query_one("#import-tree", DirectoryTree).focus()

    def action_focus_path(self) -> None:
        self.query_one("#import-path", Input).focus()

    def check_action(self, action: str, parameters) -> bool | None:
        if action == "run_import" and self.running:
            return False
        return True

    @on(DirectoryTree.FileSelected, "#import-tree")
    def _file_chosen(self, event: DirectoryTree.FileSelected) -> None:
        self.query_one("#import-path", Input).value = str(event.path)
        self.action_run_import()

    @on(Input.Submitted, "#import-path")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_run_import()

    def action_run_import(self) -> None:
        if self.running:
            return
        text = self.query_one("#import-path", Input).value.strip().strip('"').strip("'")
        if not text:
            self._show("Type the name of the file to import, or press Ctrl+B to choose it.")
            self.query_one("#import-path", Input).focus()
            return
        path = Path(text).expanduser()
        self.running = True
        self.refresh_bindings()
        bar = self.query_one("#import-progress", ProgressBar)
        bar.update(total=None, progress=0)
        bar.display = True
        self._show(f"Reading {path.name} ...")
        self.import_file(path)

    # the work ------------------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="import", exit_on_error=False)
    def import_file(self, path: Path) -> None:
        from ..services import transfer

        def progress(done: int, total: int) -> None:
            self.app.call_from_thread(self._progress, done, total)

        try:
            if path.suffix.lower() == ".json":
                counts = transfer.import_json(self.db, path, progress=progress)
                message = (
                    f"Imported the full export {path.name}: {counts.get('complaint', 0)} "
                    f"complaints, {counts.get('resident', 0)} residents, "
                    f"{sum(counts.values())} records in all."
                )
                self.app.call_from_thread(self._done, message, [], [])
                return
            result = transfer.import_csv(self.db, path, progress=progress)
        except transfer.ImportProblems as exc:
            n = len(exc.problems)
            head = (
                f"Nothing was imported: {n} problem{'s' if n != 1 else ''} in {path.name}. "
                "Correct the file and import it again."
            )
            self.app.call_from_thread(self._done, head, exc.lines(), [str(w) for w in exc.warnings], True)
            return
        except DomainError as exc:
            self.app.call_from_thread(self._done, f"Nothing was imported: {exc.message}", [], [], True)
            return
        except OSError as exc:
            self.app.call_from_thread(
                self._done, f"The file cannot be read: {exc.strerror or exc}.", [], [], True
            )
            return
        except Exception as exc:  # never leave the screen waiting: say what happened
            self.app.call_from_thread(self._done, f"Nothing was imported: {exc}", [], [], True)
            return
        self.app.call_from_thread(self._done, result.summary(), [], [str(w) for w in result.warnings])

    def _progress(self, done: int, total: int) -> None:
        self.query_one("#import-progress", ProgressBar).update(total=max(total, 1), progress=done)

    def _done(self, head: str, problems: list[str], warnings: list[str], failed: bool = False) -> None:
        self.running = False
        self.refresh_bindings()
        self.outcome = "problems" if failed else "imported"
        self.problem_lines = problems
        bar = self.query_one("#import-progress", ProgressBar)
        if failed:
            bar.update(total=1, progress=0)
        else:
            bar.update(total=1, progress=1)
        bar.display = False  # nothing is running now: no bar that looks busy
        lines = [head]
        if problems:
            lines += [""] + problems
        if warnings:
            lines += [""] + [f"Warning: {w}" for w in warnings]
        self._show("\n".join(lines), failed)
        box = self.query_one("#import-result-box", VerticalScroll)
        box.scroll_home(animate=False)
        if problems:
            box.focus()  # so the arrow keys scroll through the list at once
        self.notify(head, severity="error" if failed else "information", timeout=8)

    def _show(self, text: str, failed: bool = False) -> None:
        self._showing("result")
        result = self.query_one("#import-result", Static)
        result.update(text)
        result.set_class(failed, "-failed")


# backups -----------------------------------------------------------------------------------------


class RestoreConfirm(ModalScreen[bool]):
    """Are you sure? Restoring replaces every record with those in the backup."""

    CSS_PATH = "transfer.tcss"
    BINDINGS = [
        Binding("y", "answer(True)", "Yes, restore", id="restore-yes"),
        Binding("n", "answer(False)", "No", id="restore-no"),
        Binding("escape", "answer(False)", "Cancel", id="restore-cancel"),
    ]

    def __init__(self, backup_name: str, made: str) -> None:
        super().__init__()
        self.backup_name, self.made = backup_name, made

    def compose(self) -> ComposeResult:
        with Vertical(id="restore-box"):
            yield Label("Restore this backup?", classes="transfer-title")
            yield Static(
                f"{self.backup_name}{f' (made {self.made})' if self.made else ''}\n\n"
                "Every record will be replaced by the records in this backup. The database "
                "as it is now is kept in the backups folder first, so this can be undone "
                "by restoring that copy.",
                markup=False,
                id="restore-text",
            )
            with Horizontal(id="restore-buttons"):
                yield Button("Restore (y)", variant="warning", id="restore-yes-button", compact=True)
                yield Button("Cancel (n)", id="restore-no-button", compact=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#restore-no-button", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "restore-yes-button")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class BackupScreen(AppScreen):
    """Where the backups are, each one listed, and keys to make one now or restore one."""

    SECTION = "settings"
    CSS_PATH = "transfer.tcss"
    BINDINGS = [
        Binding("b", "backup_now", "Back up now", id="backup-now", tooltip="Make a backup now"),
        Binding(
            "r",
            "restore",
            "Restore",
            id="backup-restore",
            tooltip="Replace the records with the chosen backup (asks first)",
        ),
        Binding(
            "ctrl+r", "reload", "Refresh", id="backup-refresh", show=False, tooltip="List the backups again"
        ),
        Binding("escape", "back", "Back", id="backup-back", tooltip="Go back"),
    ]
    PALETTE_NAMES = {"backup_now": "Back up now", "restore": "Restore a backup"}

    def __init__(self, db, **kw) -> None:
        super().__init__(db, **kw)
        self.backups: list = []
        self.busy = False

    def compose_body(self) -> ComposeResult:
        with Vertical(id="backup-box"):
            yield Label("Backups", classes="transfer-title")
            yield Static("", id="backup-where", markup=False)
            yield PlainTable(id="backup-list", cursor_type="row", zebra_stripes=True)
            yield Static("", id="backup-status", markup=False)

    def on_mount(self) -> None:
        folder = paths.backups_dir(self.db.path)
        self.query_one("#backup-where", Static).update(
            f"Kept in {folder}. The app makes one each day it is opened and keeps the last 14 of "
            "those; backups made here are never deleted by the app."
        )
        table = self.query_one("#backup-list", DataTable)
        table.add_column("Made", width=17)
        table.add_column("Kind", width=14)
        table.add_column("Size", width=8)
        table.add_column("File", width=12, grow=1)
        table.focus()
        self.reload()

    def action_back(self) -> None:
        if not self.busy:
            self.dismiss(None)

    def action_reload(self) -> None:
        self.reload()

    def check_action(self, action: str, parameters) -> bool | None:
        if action in ("backup_now", "restore") and self.busy:
            return False
        if action == "restore" and not self.backups:
            return None  # shown dimmed: there is nothing to restore yet
        return True

    def reload(self, select: Path | None = None) -> None:
        from ..services import backup

        self.backups = backup.list_backups(self.db)
        table = self.query_one("#backup-list", DataTable)
        table.clear()
        for b in self.backups:
            table.add_row(
                b.made.strftime("%d %b %Y %H:%M") if b.made else "",
                b.kind,
                _size(b.size),
                b.name,
                key=str(b.path),
            )
        if select is not None:
            for i, b in enumerate(self.backups):
                if b.path == select:
                    table.move_cursor(row=i)
        if not self.backups:
            self._status("There are no backups yet. Press b to make one now.")
        self.refresh_bindings()

    def chosen(self):
        table = self.query_one("#backup-list", DataTable)
        if not self.backups or table.cursor_row is None or table.cursor_row >= len(self.backups):
            return None
        return self.backups[table.cursor_row]

    def _status(self, text: str) -> None:
        self.query_one("#backup-status", Static).update(text)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.refresh_bindings()

    # backing up ----------------------------------------------------------------------------------
    def action_backup_now(self) -> None:
        if self.busy:
            return
        self._set_busy(True)
        self._status("Backing up ...")
        self.make_backup()

    @work(thread=True, exclusive=True, group="backup-screen", exit_on_error=False)
    def make_backup(self) -> None:
        from ..services import backup

        try:
            made = backup.backup(self.db)
        except Exception as exc:  # shown, never a crash: the user can try again
            self.app.call_from_thread(self._finished, f"The backup failed: {exc}", None, True)
            return
        self.app.call_from_thread(self._finished, f"Backed up to {made.name}.", made)

    # restoring -----------------------------------------------------------------------------------
    def action_restore(self) -> None:
        if self.busy:
            return
        chosen = self.chosen()
        if chosen is None:
            self._status("There is no backup to restore yet.")
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._set_busy(True)
                self._status(f"Restoring {chosen.name} ...")
                self.restore_backup(chosen.path)

        made = chosen.made.strftime("%d %b %Y at %H:%M") if chosen.made else ""
        self.app.push_screen(RestoreConfirm(chosen.name, made), answered)

    @work(thread=True, exclusive=True, group="backup-screen", exit_on_error=False)
    def restore_backup(self, path: Path) -> None:
        from ..services import backup

        try:
            result = backup.restore(self.db, path)
        except Exception as exc:  # shown, never a crash; restore changes nothing when it fails
            message = exc.message if isinstance(exc, DomainError) else str(exc)
            self.app.call_from_thread(self._finished, f"Nothing was restored: {message}", None, True)
            return
        self.app.call_from_thread(self._finished, result.summary(), result.kept_aside)

    def _finished(self, message: str, select: Path | None, failed: bool = False) -> None:
        self._set_busy(False)
        self.reload(select)
        self._status(message)
        self.query_one("#backup-status", Static).set_class(failed, "-failed")
        self.notify(message, severity="error" if failed else "information", timeout=8)


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB"
    return f"{max(1, n // 1024)} KB"
