"""Files received and kept on a record (Code 5.12): the form that adds one, and opening one in the
system's viewer (in a worker: the file is checked against its SHA-256 first, and the viewer is
never waited for)."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.validation import ValidationResult, Validator
from textual.widgets import Input

from ..services import attachments as A
from .form_kit import Field
from .forms import ComplaintForm, _area


class FileValidator(Validator):
    """A path typed: there must be a file there (checked again, with its size, when saved)."""

    def validate(self, value: str) -> ValidationResult:
        text = value.strip().strip("'\"")
        if not text:
            return self.failure("Type where the file is, for example ~/Downloads/letter.pdf.")
        p = Path(text).expanduser()
        if not p.exists():
            return self.failure(f"There is no file at {p}: check the folder and the name.")
        if not p.is_file():
            return self.failure(f"{p} is a folder, not a file.")
        return self.success()


class AttachFileForm(ComplaintForm):
    FORM_TITLE = "Add a file received"
    SAVE_LABEL = "Add file"
    INTRO = (
        "An email saved as .eml or .msg, a photo, a PDF: a copy is kept on the complaint's record "
        f"(5.12), at most {A.size_text(A.MAX_BYTES)}. The file you name is left where it is."
    )
    FIELD_ALIASES = {**ComplaintForm.FIELD_ALIASES, "path": "path"}

    def compose_fields(self) -> ComposeResult:
        yield Field(
            "Where the file is",
            Input(
                placeholder="~/Downloads/letter.pdf", id="path", compact=True, validators=[FileValidator()]
            ),
            "The full path of the file, as the file manager shows it.",
        )
        yield Field("Date received", self.date_input("date", self.today))
        yield Field("What it is (optional)", _area("description"))

    def save(self):
        path = self.text("path").strip().strip("'\"")
        return A.add_attachment(
            self.db,
            complaint=self.seen.id,
            path=Path(path).expanduser(),
            received_on=self.date("date", "date received"),
            description=self.text("description"),
        )


def open_attachment(screen, attachment_id: int, file_name: str = "") -> None:
    """Check the kept file and open it with the system's viewer, in a worker; say where it is when
    there is no viewer (a terminal without a desktop), and plainly why not when it cannot be."""
    from ..domain.errors import DomainError
    from .complaint import open_with_system_viewer

    def run() -> None:
        call = screen.app.call_from_thread
        try:
            path = A.attachment_path(screen.db, attachment_id)
        except DomainError as exc:
            call(screen.notify, exc.message, title="File", severity="error", timeout=15, markup=False)
            return
        except OSError as exc:
            call(screen.notify, f"The file could not be read: {exc}", severity="error", markup=False)
            return
        if not open_with_system_viewer(path):
            call(
                screen.notify,
                f"There is no viewer to open it with here (no desktop). The copy kept is {path}",
                title=file_name or "File",
                timeout=20,
                markup=False,
            )

    screen.run_worker(run, thread=True, group="open-file", name="open file")
