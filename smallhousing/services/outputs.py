"""Every file the app writes for the user (letters, reports, exports, subject access) goes through here.

One place decides where a file may be written, so that no command can write over the records:

- never the database file, nor its working files (``-wal``, ``-shm``, ``-journal``), whatever name
  reaches them (another path, a symbolic link, a hard link: real paths and st_dev/st_ino are compared);
- never anything inside the backups folder, nor a hard link to a backup;
- never a folder, a device, a pipe or a socket, nor through a symbolic link that points nowhere;
- an existing file is replaced only when the caller says so (``overwrite=True``; on the command line,
  ``--force``), otherwise OutputExists is raised and nothing is written.

A file is written whole or not at all: the bytes go to a temporary name in the same folder, created
private (0600) from the start with O_CREAT|O_EXCL, are flushed to disk, and the file is then renamed
into place (a new file is linked in, so a file that appeared meanwhile is never replaced).
"""

from __future__ import annotations

import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

from .. import paths
from ..domain.errors import DomainError

SIDE_FILES = ("-wal", "-shm", "-journal")
TEMP_SUFFIX = ".part"


class OutputRefused(DomainError):
    """The file named cannot be written there: the message says why. Nothing was written."""


class OutputExists(OutputRefused):
    """The file exists and the caller did not say to replace it. Nothing was written."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"{path} already exists; nothing was written. Choose another name, or "
            "confirm that it may be replaced.",
            field="out",
        )
        self.path = path


@dataclass(frozen=True)
class Target:
    """Where a renderer should save its file, and under what rules (see write_bytes)."""

    path: Path
    db_path: Path | None = None
    overwrite: bool = False
    in_backups: bool = False


def _same_file(a: os.stat_result, b: os.stat_result) -> bool:
    return a.st_dev == b.st_dev and a.st_ino == b.st_ino


def _stat(path) -> os.stat_result | None:
    try:
        return os.stat(path)
    except OSError:
        return None


def _protected_files(db_path: Path) -> list[Path]:
    real = Path(os.path.realpath(db_path))
    names = [real] + [Path(str(real) + s) for s in SIDE_FILES]
    given = Path(os.path.abspath(db_path))
    if given != real:
        names += [given] + [Path(str(given) + s) for s in SIDE_FILES]
    return names


def check_target(
    path: "str | os.PathLike",
    db_path: "str | os.PathLike | None" = None,
    *,
    overwrite: bool = False,
    in_backups: bool = False,
) -> Path:
    """The real path a file named ``path`` would be written to; OutputRefused when it may not be.

    ``db_path`` is the open database: it, its working files and its backups folder are refused
    (``in_backups=True`` lets a backup be written into the backups folder, never over a file).
    """
    given = Path(path).expanduser()
    if os.path.islink(given) and not os.path.exists(given):
        raise OutputRefused(
            f"{given} is a link to a file that does not exist ("
            f"{os.readlink(given)}); nothing was written. Give the real file name.",
            field="out",
        )
    real = Path(os.path.realpath(given))
    st = _stat(real)
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise OutputRefused(f"{given} is a folder; give a file name. Nothing was written.", field="out")
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise OutputRefused(
            f"{given} is not an ordinary file (it is a device, pipe or socket); nothing was written.",
            field="out",
        )
    parent = real.parent
    if not parent.is_dir():
        raise OutputRefused(f"The folder {given.parent} does not exist; nothing was written.", field="out")
    if db_path is not None:
        for p in _protected_files(Path(db_path)):
            pst = _stat(p)
            if real == p or (st is not None and pst is not None and _same_file(st, pst)):
                raise OutputRefused(
                    f"{given} is the database file itself (or one of its working "
                    "files); "
                    "writing there would destroy the records. Nothing was written: "
                    "choose another file name.",
                    field="out",
                )
        backups = paths.backups_dir(Path(db_path))
        bst = _stat(backups)
        if bst is not None:
            if not in_backups:
                for folder in (parent, *parent.parents):
                    fst = _stat(folder)
                    if fst is not None and _same_file(fst, bst):
                        raise OutputRefused(
                            f"{given} is inside the backups folder ({backups}), which "
                            "holds only backups. Nothing was written: choose another "
                            "folder.",
                            field="out",
                        )
            if st is not None:
                for root, _dirs, files in os.walk(backups):
                    for name in files:
                        fst = _stat(os.path.join(root, name))
                        if fst is not None and _same_file(st, fst):
                            raise OutputRefused(
                                f"{given} is a backup (the same file as "
                                f"{os.path.join(root, name)}). Nothing was written: "
                                "choose another file name.",
                                field="out",
                            )
    if st is not None and (not overwrite or in_backups):
        raise OutputExists(given)
    return real


def temporary(folder: Path, name: str) -> tuple[int, Path]:
    """A new private file (0600 from the start) named ``.NAME.PID-RANDOM.part`` in ``folder``."""
    for _ in range(100):
        tmp = Path(folder) / f".{name}.{os.getpid()}-{secrets.token_hex(4)}{TEMP_SUFFIX}"
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), tmp
        except FileExistsError:
            continue
    raise OutputRefused(f"Cannot make a temporary file in {folder}.")  # pragma: no cover


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - not possible on every system
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def place(tmp: Path, real: Path, *, overwrite: bool) -> None:
    """Put the finished temporary file ``tmp`` at ``real`` (same folder) in one step.

    Without ``overwrite`` the file is linked in, which fails if a file appeared at ``real``
    meanwhile (OutputExists); the temporary name is removed either way.
    """
    if overwrite:
        os.replace(tmp, real)
    else:
        try:
            os.link(tmp, real)
        except FileExistsError:
            tmp.unlink(missing_ok=True)
            raise OutputExists(real) from None
        except OSError:  # a file system without hard links: check, then rename
            if os.path.lexists(real):
                tmp.unlink(missing_ok=True)
                raise OutputExists(real) from None
            os.replace(tmp, real)
        else:
            tmp.unlink(missing_ok=True)
    paths.make_private_file(real)
    fsync_dir(real.parent)


class Staged:
    """A file written under a temporary name, waiting to be put in place (``commit``) or dropped."""

    def __init__(self, tmp: Path, real: Path, given: Path, overwrite: bool, db_path, in_backups):
        self.tmp, self.real, self.path, self.overwrite = tmp, real, given, overwrite
        self._db_path, self._in_backups = db_path, in_backups
        self.existed = os.path.lexists(real)

    def commit(self) -> Path:
        # the same checks again, just before the rename: nothing may have moved in meanwhile
        check_target(self.path, self._db_path, overwrite=self.overwrite, in_backups=self._in_backups)
        place(self.tmp, self.real, overwrite=self.overwrite)
        return self.path

    def discard(self) -> None:
        self.tmp.unlink(missing_ok=True)


def stage_bytes(
    path: "str | os.PathLike | Target",
    data: bytes,
    db_path=None,
    *,
    overwrite: bool = False,
    in_backups: bool = False,
) -> Staged:
    """Check where ``path`` may be written, and write ``data`` under a temporary name beside it."""
    if isinstance(path, Target):
        target = path
        path, db_path = target.path, target.db_path
        overwrite, in_backups = target.overwrite, target.in_backups
    given = Path(path).expanduser()
    real = check_target(given, db_path, overwrite=overwrite, in_backups=in_backups)
    fd, tmp = temporary(real.parent, real.name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return Staged(tmp, real, given, overwrite, db_path, in_backups)


def write_bytes(
    path: "str | os.PathLike | Target", data: bytes, db_path=None, *, overwrite: bool = False
) -> Path:
    """Write ``data`` to ``path`` whole, private, and only where allowed (see the module's notes).

    ``path`` may be a Target, which carries db_path and overwrite with it. Returns the path written.
    """
    staged = stage_bytes(path, data, db_path, overwrite=overwrite)
    try:
        return staged.commit()
    except BaseException:
        staged.discard()
        raise


def write_text(path, text: str, db_path=None, *, overwrite: bool = False) -> Path:
    return write_bytes(path, text.encode("utf-8"), db_path, overwrite=overwrite)
