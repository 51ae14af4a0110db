"""``gradtui run FILE.py ARGS...``: run a learner's script as ``python FILE.py ARGS`` would,
with the engine standing in for torch."""

from __future__ import annotations

import builtins
import os
import stat
import sys
import traceback
import types
from pathlib import Path

from gradtui.engine.shim import shim_active
from gradtui.engine.traceback_format import format_exception_only

_GRADTUI_DIR = str(Path(__file__).resolve().parent.parent)


def _learner_frames(tb: types.TracebackType | None) -> list[traceback.FrameSummary]:
    """The traceback's frames minus gradtui's own (the engine's internals are not the
    learner's business, just as torch's C++ frames never show)."""
    frames = traceback.extract_tb(tb)
    package = _GRADTUI_DIR + os.sep  # a sibling such as ``gradtui_lessons/`` is the learner's
    return [f for f in frames if not str(Path(f.filename).resolve()).startswith(package)]


# A learner's script is a few kilobytes; a file this big is not one (and is not read whole).
MAX_SCRIPT_BYTES = 10 * 1024 * 1024
_KINDS = {
    stat.S_IFDIR: "a directory",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}


class ScriptFileError(Exception):
    """The path is not a script that can be read; the text says why."""


def read_script(path: str, limit: int | None = None) -> bytes:
    """The bytes of a script: a regular file, or a pipe (``gradtui run <(...)``), at most
    ``limit`` bytes. A device (``/dev/zero`` read 3.8 GB), a directory or a socket is refused
    before it is opened (opening some devices does something)."""
    limit = MAX_SCRIPT_BYTES if limit is None else limit
    kind = stat.S_IFMT(os.stat(path).st_mode)
    if kind not in (stat.S_IFREG, stat.S_IFIFO):
        raise ScriptFileError(f"not a script but {_KINDS.get(kind, 'not a regular file')}")
    fd = os.open(path, os.O_RDONLY | os.O_NOCTTY)
    try:
        info = os.fstat(fd)
        if stat.S_IFMT(info.st_mode) != kind:  # replaced between the two looks
            raise ScriptFileError("it changed while it was opened")
        if kind == stat.S_IFREG and info.st_size > limit:
            raise ScriptFileError(_too_big(info.st_size, limit))
        chunks, size = [], 0
        while size <= limit and (chunk := os.read(fd, min(65536, limit + 1 - size))):
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise ScriptFileError(_too_big(size, limit, more=True))
        return b"".join(chunks)
    finally:
        os.close(fd)


def _too_big(size: int, limit: int, more: bool = False) -> str:
    mib = 1024 * 1024
    amount = f"more than {limit / mib:g} MiB" if more else f"{size / mib:.1f} MiB"
    return f"{amount} is too big for a script (at most {limit / mib:g} MiB)"


_CAUSE = "\nThe above exception was the direct cause of the following exception:\n\n"
_CONTEXT = "\nDuring handling of the above exception, another exception occurred:\n\n"


def format_exception(exc: BaseException, _seen: set[int] | None = None) -> str:
    """A traceback like Python's, trimmed to the learner's frames, chained exceptions
    (``raise ... from``, an error inside ``except``) first, as Python prints them."""
    seen = _seen if _seen is not None else set()
    seen.add(id(exc))
    lines = []
    cause, context = exc.__cause__, exc.__context__
    # a chained exception caught inside gradtui (no learner frame) is the engine's business
    if cause is not None and id(cause) not in seen and _learner_frames(cause.__traceback__):
        lines += [format_exception(cause, seen), _CAUSE]
    elif (context is not None and not exc.__suppress_context__ and id(context) not in seen
          and _learner_frames(context.__traceback__)):
        lines += [format_exception(context, seen), _CONTEXT]
    frames = _learner_frames(exc.__traceback__)
    if frames:
        lines.append("Traceback (most recent call last):\n")
        lines.extend(traceback.format_list(frames))
    lines.append(format_exception_only(exc))
    return "".join(lines)


def run_script(path: str, argv: list[str]) -> int:
    """Execute ``path`` as ``__main__`` with ``sys.argv == [path, *argv]``; returns the exit
    status (1 after an uncaught exception, whose trimmed traceback goes to stderr)."""
    try:
        source = read_script(path)
    except OSError as exc:
        print(f"gradtui run: can't open file '{path}': [Errno {exc.errno}] {exc.strerror}",
              file=sys.stderr)
        return 2
    except ScriptFileError as exc:
        print(f"gradtui run: can't open file '{path}': {exc}", file=sys.stderr)
        return 2
    # like `python NAME` since 3.9: __file__ and the traceback show the absolute path, while
    # sys.argv[0] keeps the path as typed
    filename = os.path.abspath(path)
    try:
        code = compile(source, filename, "exec")
    except SyntaxError as exc:
        sys.stderr.write(format_exception_only(exc))
        return 1
    main = types.ModuleType("__main__")
    main.__file__ = filename
    main.__builtins__ = builtins  # type: ignore[attr-defined]  # the module, as in __main__
    saved_argv, saved_path = sys.argv, list(sys.path)
    saved_main = sys.modules.get("__main__")
    sys.argv = [path, *argv]
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    sys.modules["__main__"] = main
    try:
        with shim_active():
            try:
                exec(code, main.__dict__)
            except SystemExit as exc:
                return _exit_status(exc)
            except KeyboardInterrupt as exc:
                sys.stdout.flush()
                sys.stderr.write(format_exception(exc))
                return 130
            except BaseException as exc:  # noqa: BLE001 - report like the interpreter does
                sys.stdout.flush()
                sys.stderr.write(format_exception(exc))
                return 1
            finally:
                sys.stdout.flush()
        return 0
    finally:
        sys.argv = saved_argv
        sys.path[:] = saved_path
        if saved_main is not None:
            sys.modules["__main__"] = saved_main


def _exit_status(exc: SystemExit) -> int:
    code = exc.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1
