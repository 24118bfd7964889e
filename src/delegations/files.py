"""Writing files atomically: the new file appears whole or not at all.

Low in the package: it imports nothing from it, so services and exports both may use it.

Every writer puts its bytes in a temporary file with a unique name beside the
target, then renames it into place. On any error, an interruption included, the
temporary file is removed and an earlier file at the target is left as it was.
Failures are raised as ``OutputError`` (an ``OSError``) whose message names the
file and says what to do, without the data being written.

Permissions, on POSIX: exports are meant to be shared, so they follow the user's
umask (``0666 & ~umask``, as any program's new files). ``private=True`` writes the
file readable and writable by its owner only (``0600``) whatever the umask, for
files that carry personal data (delegation packages, backups).
"""

from __future__ import annotations

import errno
import os
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from pathlib import Path
from typing import IO, Any

PRIVATE_MODE = 0o600
"""A file only its owner may read and write."""

_UMASK_LOCK = threading.Lock()
_DISK_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}


class OutputError(OSError):
    """A file could not be written. The message names it and says what to do."""


def current_umask() -> int:
    """The process's umask, read without changing it where the system allows."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    # Elsewhere the only way is to set it and put it back. The value set meanwhile
    # is the strictest, so a file another thread creates in between is never
    # more open than it should be.
    with _UMASK_LOCK:
        old = os.umask(0o077)
        os.umask(old)
    return old


def file_mode(private: bool = False) -> int:
    """The permissions a new output gets: ``0600`` if private, else ``0666 & ~umask``."""
    return PRIVATE_MODE if private else 0o666 & ~current_umask()


def set_mode(path: Path | int, mode: int) -> None:
    """``chmod`` a path or an open descriptor, on POSIX (Windows has no such modes)."""
    if os.name != "posix":
        return
    if isinstance(path, int):
        os.fchmod(path, mode)
    else:
        os.chmod(path, mode)


def output_error(exc: OSError, target: Path) -> OutputError:
    """An ``OutputError`` saying, in one line, why ``target`` could not be written."""
    if isinstance(exc, OutputError):
        return exc
    code = exc.errno
    if code in _DISK_FULL:
        message = f"cannot write {target}: the disk is full; free some space or choose another disk"
    elif code == errno.EROFS:
        message = f"cannot write {target}: the disk is read-only; choose another folder"
    elif code in (errno.EACCES, errno.EPERM):
        message = (
            f"cannot write {target}: permission denied in {target.parent}; "
            "choose a folder you may write to"
        )
    elif code == errno.EISDIR:
        message = f"cannot write {target}: it is a folder; give the name of a file to write"
    elif code in (errno.ENOTDIR, errno.EEXIST):  # EEXIST: a file where a folder should be
        message = f"cannot write {target}: part of its path is a file, not a folder; choose another"
    elif code == errno.ENOENT:
        message = f"cannot write {target}: its folder does not exist; create it or choose another"
    elif code == errno.ENAMETOOLONG:
        message = f"cannot write {target}: the name is too long; choose a shorter one"
    else:
        reason = exc.strerror or str(exc) or type(exc).__name__
        message = f"cannot write {target}: {reason}; choose another file or try again"
    error = OutputError(message)
    error.errno = code
    return error


def _about_output(exc: OSError, tmp: Path, target: Path) -> bool:
    """Whether an error raised while writing concerns the file being written.

    An error about another file (say, a logo that cannot be read) is the caller's
    and passes unchanged.
    """
    if isinstance(exc, OutputError) or exc.errno in _DISK_FULL or exc.filename is None:
        return True
    return os.fspath(exc.filename) in (os.fspath(tmp), os.fspath(target))


def prepare_target(target: Path, *, private: bool = False) -> Path:
    """Refuse a folder as target and create the target's missing folders: for a
    ``private`` file (personal data), those it creates are ``0700`` (their owner only),
    whatever the umask; folders that exist are left as they are."""
    target = Path(target)
    if target.is_dir():
        raise OutputError(f"{target} is a folder; give the name of a file to write")
    try:
        if private:
            missing = []
            folder = target.parent
            while not folder.exists() and folder != folder.parent:
                missing.append(folder)
                folder = folder.parent
            for folder in reversed(missing):
                folder.mkdir(mode=0o700, exist_ok=True)
                if os.name == "posix":
                    os.chmod(folder, 0o700)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise output_error(exc, target) from exc
    return target


def temporary_beside(target: Path, mode: int) -> tuple[int, Path]:
    """A new, empty, uniquely named temporary file in ``target``'s folder, with ``mode``."""
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    except OSError as exc:
        raise output_error(exc, target) from exc
    try:
        set_mode(fd, mode)
    except BaseException:
        os.close(fd)
        Path(name).unlink(missing_ok=True)
        raise
    return fd, Path(name)


def fsync_path(path: Path) -> None:
    """Flush a closed file's content to the disk (now, or at the end of ``one_sync``)."""
    deferred = _DEFERRED.get()
    if deferred is not None:
        deferred.append(path)
        return
    _fsync_now(path)


def _fsync_now(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


_DEFERRED: ContextVar[list[Path] | None] = ContextVar("deferred_fsync", default=None)


@contextmanager
def one_sync() -> Iterator[None]:
    """Within it, atomic writes do not flush each file to the disk; leaving it flushes
    them all at once (one ``sync``), so a hundred small files cost one disk flush
    rather than a hundred (an attendee pack). Files are still renamed into place
    whole; only a power cut before the end may leave some of them empty, and the
    caller reports them written only after this returns."""
    if _DEFERRED.get() is not None:  # nested: the outer one flushes
        yield
        return
    paths: list[Path] = []
    token = _DEFERRED.set(paths)
    try:
        yield
    finally:
        _DEFERRED.reset(token)
        if paths:
            _flush(paths)


def _flush(paths: list[Path]) -> None:
    if hasattr(os, "sync"):
        os.sync()
        return
    for path in paths:  # pragma: no cover - Windows has no sync()
        with suppress(OSError):
            _fsync_now(path)


def remove_quietly(*paths: Path) -> None:
    for path in paths:
        with suppress(OSError):
            path.unlink(missing_ok=True)


@contextmanager
def atomic_write(target: Path, mode: str = "wb", *, private: bool = False) -> Iterator[IO[Any]]:
    """Write to a temporary file beside ``target``, then rename it into place.

    Args:
        target: the file to write; its missing folders are created.
        mode: ``"wb"`` for bytes, ``"w"`` for UTF-8 text.
        private: ``0600`` (for personal data) rather than the umask's permissions.

    Raises:
        OutputError: ``target`` is a folder, or cannot be written (full disk,
            permissions…). The temporary file is removed on any error, and an
            earlier ``target`` is left as it was.
    """
    target = prepare_target(target, private=private)
    fd, tmp = temporary_beside(target, file_mode(private))
    try:
        try:
            encoding = None if "b" in mode else "utf-8"
            newline = None if "b" in mode else ""
            with os.fdopen(fd, mode, encoding=encoding, newline=newline) as handle:
                yield handle
                handle.flush()
                deferred = _DEFERRED.get()
                if deferred is None:
                    os.fsync(handle.fileno())
            os.replace(tmp, target)
            if deferred is not None:
                deferred.append(target)
        except OSError as exc:
            if _about_output(exc, tmp, target):
                raise output_error(exc, target) from exc
            raise
    except BaseException:
        remove_quietly(tmp)
        raise


@contextmanager
def atomic_path(target: Path, *, private: bool = False) -> Iterator[Path]:
    """Like ``atomic_write`` for libraries that want a file name to write to."""
    target = prepare_target(target, private=private)
    mode = file_mode(private)
    fd, tmp = temporary_beside(target, mode)
    os.close(fd)
    try:
        try:
            yield tmp
            # The library may have replaced the file rather than written into it.
            set_mode(tmp, mode)
            deferred = _DEFERRED.get()
            if deferred is None:
                _fsync_now(tmp)
            os.replace(tmp, target)
            if deferred is not None:
                deferred.append(target)
        except OSError as exc:
            if _about_output(exc, tmp, target):
                raise output_error(exc, target) from exc
            raise
    except BaseException:
        remove_quietly(tmp)
        raise
