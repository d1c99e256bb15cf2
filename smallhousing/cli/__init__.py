"""The command line: a thin shell over the services.

Every subcommand takes --db (or SMALLHOUSING_DB). Bad input prints one plain-English line on
stderr and exits with status 2, writing nothing. Subcommands live in modules of this package, each
with a ``register(subparsers, common)`` function; keep their imports light (import services inside
the handlers) so that start-up stays quick.
"""

from __future__ import annotations

import argparse
import sys

from ..domain.errors import DomainError

EXIT_BAD_INPUT = 2

# modules that add subcommands, in the order they appear in --help
COMMAND_MODULES = (
    "core",
    "settings",
    "letters",
    "casefile",
    "reports",
    "satisfaction",
    "transfer",
    "records",
    "attachments",
    "team",
    "team_move",
    "contractors",
    "hazards",
)


class UserError(Exception):
    """Bad input found by the CLI itself."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, no usage dump
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: {message} (try '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    import importlib

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="the database file, or a team's PostgreSQL database as postgresql://user@host/dbname "
        "(default: SMALLHOUSING_DB, then the data folder)",
    )
    parser = _Parser(
        prog="smallhousing",
        parents=[common],
        description="Resident complaints, handled as the Housing Ombudsman's Complaint "
        "Handling Code requires. With no command, opens the app.",
    )
    from .. import __version__

    parser.add_argument("--version", action="version", version=f"smallhousing {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMAND_MODULES:
        mod = importlib.import_module(f"{__name__}.{name}")
        mod.register(sub, common)
    return parser


def open_db(args, *, must_exist: bool = False, path=None):
    """The database named by --db / SMALLHOUSING_DB / the data folder (or ``path``), made ready
    (upgraded if it is older). SQLAlchemy is imported only when a command writes or reads through
    the ORM: `due` and `tsm` read with plain SQL."""
    from .. import paths
    from ..store.db import database_for

    if path is None:
        path = paths.resolve_db(getattr(args, "db", None))
    if must_exist and not paths.is_postgres_url(path) and not path.exists():
        raise UserError(f"There is no database at {path} yet: start the app once, or give --db.")
    db = database_for(path).prepare()
    _opened.append(db)
    return db


_opened: list = []  # databases opened by the running command, closed when it ends


def _close_opened() -> None:
    while _opened:
        _opened.pop().close()


def app_args(argv: list[str]) -> argparse.Namespace | None:
    """``smallhousing`` or ``smallhousing --db PATH``: the app, read without building every command's
    parser (a fiftieth of a second at each start). None for anything else."""
    if not argv:
        return argparse.Namespace()
    if len(argv) == 2 and argv[0] == "--db" and argv[1] and not argv[1].startswith("-"):
        return argparse.Namespace(db=argv[1])
    if len(argv) == 1 and argv[0].startswith("--db=") and len(argv[0]) > len("--db="):
        return argparse.Namespace(db=argv[0][len("--db=") :])
    return None


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = app_args(argv) or build_parser().parse_args(argv)
    try:
        return _run(args)
    finally:
        _close_opened()


def _is_refusal(exc: BaseException) -> bool:
    """Bad input or an unusable file: said in one line, exit status 2."""
    if isinstance(exc, (DomainError, UserError)):
        return True
    store = sys.modules.get("smallhousing.store.db")  # never imported just to test for it
    return store is not None and isinstance(exc, store.StoreError)


def _run(args) -> int:
    try:
        if not getattr(args, "command", None):
            from .core import run_app

            return run_app(args)
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("smallhousing: stopped.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:
        fault = _store_fault(exc, args)
        if fault is not None:  # a full disk, a read-only file system
            print(f"smallhousing: {fault}", file=sys.stderr)
            return EXIT_BAD_INPUT
        print(
            f"smallhousing: {exc.strerror or exc}: {getattr(exc, 'filename', '') or ''}".rstrip(": "),
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    except Exception as exc:  # a fault of ours: say so plainly, keep the details for a bug report
        if _is_refusal(exc):
            print(f"smallhousing: {exc}", file=sys.stderr)
            return EXIT_BAD_INPUT
        fault = _store_fault(exc, args)
        if fault is not None:  # busy, read-only or full: never "damaged", never a fault of ours
            print(f"smallhousing: {fault}", file=sys.stderr)
            return EXIT_BAD_INPUT
        log = _save_traceback(args, exc)
        from ..faults import unexpected_message

        print(unexpected_message(exc, log), file=sys.stderr)
        return 1


def _db_path(args):
    from .. import paths

    return paths.resolve_db_path(getattr(args, "db", None))


def _store_fault(exc: BaseException, args):
    """The plain StoreError (busy, read-only, full) behind ``exc``, or None."""
    from .. import paths
    from ..store.db import store_fault

    target = paths.resolve_db(getattr(args, "db", None))
    if paths.is_postgres_url(target):
        from ..store.postgres import shown_url

        return store_fault(exc, shown_url(str(target)))
    return store_fault(exc, target)


def _save_traceback(args, exc: BaseException):
    """A report of the fault in the errors folder beside the database (0600): the kinds of error
    and where they happened, never record text, SQL parameters or messages. None if it cannot be
    written there; nothing is ever written in the system's temporary folder."""
    from ..faults import write_report

    return write_report(_db_path(args), exc)


def parse_date_arg(text: str):
    from ..domain.dates import parse_date

    return parse_date(text, "date")
