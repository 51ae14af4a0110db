"""Reading and showing data a learner controls (lab files, ids, names) without trusting it.

A learner in a lab can put anything in their own folder: a symlink to ``/dev/zero`` or to the
teacher's files, a FIFO that never answers, a gigabyte of JSON, escape sequences in a string.
The teacher's tools read such files with ``read_regular_file`` (no symlink followed, never
blocks, size-capped) and pass every learner string through ``escape_controls`` before it
reaches a terminal, and ``csv_cell`` before it reaches a spreadsheet.

Standard library only: every layer may use it.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Sequence
from pathlib import Path


class UnsafeFileError(OSError):
    """The file is not something to read: a symlink, a FIFO or device, or far too large."""


_OPEN_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY
_DIR_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_DIRECTORY | os.O_CLOEXEC


def read_regular_file(path: Path, *, max_bytes: int, root: Path | None = None) -> bytes:
    """The bytes of ``path`` if it is a regular file of at most ``max_bytes``.

    No symlink is followed for the file itself, nor for any folder between ``root`` and it when
    ``root`` is given (``root`` itself is trusted). FIFOs, sockets and devices are refused
    without blocking (``O_NONBLOCK`` plus an ``fstat`` check on the open descriptor, so a file
    swapped in between a check and the open is caught too). Raises ``FileNotFoundError`` when
    it is absent, ``UnsafeFileError`` (an ``OSError``) saying why it was refused, or another
    ``OSError`` from the system.
    """
    path = Path(path)
    parts: Sequence[str]
    if root is None:
        parent_fd = os.open(path.parent, _DIR_FLAGS & ~os.O_NOFOLLOW)
        parts = (path.name,)
    else:
        try:
            parts = path.relative_to(root).parts
        except ValueError:
            raise UnsafeFileError(errno.EXDEV, f"{path} is not inside {root}") from None
        if not parts or ".." in parts:
            raise UnsafeFileError(errno.EINVAL, f"{path} is not a file inside {root}")
        parent_fd = os.open(root, _DIR_FLAGS & ~os.O_NOFOLLOW)
    try:
        for folder in parts[:-1]:
            folder_fd = _open_at(parent_fd, folder, _DIR_FLAGS, path)
            os.close(parent_fd)
            parent_fd = folder_fd
        fd = _open_at(parent_fd, parts[-1], _OPEN_FLAGS, path)
    finally:
        os.close(parent_fd)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UnsafeFileError(errno.EINVAL, f"{path} is not a regular file "
                                                f"({_file_kind(info.st_mode)})")
        if info.st_size > max_bytes:
            raise UnsafeFileError(errno.EFBIG, f"{path} is {info.st_size:,} bytes "
                                               f"(at most {max_bytes:,} are read)")
        chunks: list[bytes] = []
        remaining = max_bytes + 1  # one more byte tells a file that grew after the fstat
        while remaining > 0:
            chunk = os.read(fd, min(remaining, 1 << 16))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        data = b"".join(chunks)
        if len(data) > max_bytes:
            raise UnsafeFileError(errno.EFBIG, f"{path} grew past {max_bytes:,} bytes")
        return data
    finally:
        os.close(fd)


def _open_at(parent_fd: int, name: str, flags: int, path: Path) -> int:
    try:
        return os.open(name, flags, dir_fd=parent_fd)
    except OSError as exc:
        raise _explain(exc, path) from None


def _explain(exc: OSError, path: Path) -> OSError:
    if exc.errno in (errno.ELOOP, errno.ENOTDIR) and not isinstance(exc, FileNotFoundError):
        # O_NOFOLLOW on a symlink gives ELOOP; O_DIRECTORY on a symlink or file gives ENOTDIR.
        return UnsafeFileError(exc.errno, f"{path}: a symlink or non-folder on the way "
                                          "(links are not followed)")
    return exc


def _file_kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISDIR, "a folder"), (stat.S_ISLNK, "a symlink")):
        if test(mode):
            return name
    return "not a plain file"


def escape_controls(text: str) -> str:
    """``text`` with every non-printable character written as a Python escape (``\\x1b``).

    Escape sequences, carriage returns, bidirectional overrides and the like in a learner's
    string then show as text instead of moving the teacher's cursor or rewriting their screen.
    A space stays a space; every other unprintable code point is escaped.
    """
    if text.isprintable():
        return text
    out = []
    for char in text:
        if char.isprintable():
            out.append(char)
        else:
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else
                       f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
    return "".join(out)


# A spreadsheet treats a cell starting with one of these as a formula (OWASP's list).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """A value safe for a CSV cell: text a spreadsheet would run as a formula is quoted with
    a leading ``'``, and control characters are escaped. Numbers and booleans pass as they are.
    """
    if not isinstance(value, str):
        return value
    if value.startswith(_FORMULA_START):
        value = "'" + value
    return escape_controls(value)
