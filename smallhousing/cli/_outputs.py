"""--out and --force, the same for every command that writes a file (see services/outputs.py)."""

from __future__ import annotations

from contextlib import contextmanager


def add_force(parser) -> None:
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace the file if it already exists (never the database or a backup)",
    )


@contextmanager
def force_hint():
    """An existing file is refused with a message that says how to replace it."""
    from ..services.outputs import OutputExists
    from . import UserError

    try:
        yield
    except OutputExists as exc:
        raise UserError(
            f"{exc.path} already exists; nothing was written. Add --force to replace "
            "it, or choose another name."
        ) from None
