"""Exceptions formatted exactly as *this* Python's interpreter prints them.

A learner compares what gradtui shows with what ``python script.py`` prints on their machine, so
tracebacks must follow the running interpreter, not one version's habits:

* Python 3.13 prints uncaught exceptions with the ``traceback`` module itself, so its
  ``TracebackException`` is the reference.
* Python 3.11 and 3.12 print them in C (``Python/pythonrun.c``), which differs from their own
  ``traceback`` module for syntax errors: the module strips no tabs, and when an error spans
  several lines and ends left of where it starts it prints a blank line where the caret belongs
  (``print(1, 2, 3, 4`` / `` 5)``); the interpreter prints ``^``. ``_format_syntax_error`` below
  is that C printer (``print_error_text`` and its caller) in Python.
* Python 3.11's traceback module offers no ``Did you mean: 'value'?`` for a misspelt name or
  attribute; its C printer does, and ``_c_suggestion`` asks it.

``tests/engine/test_traceback_format.py`` checks both against the running interpreter.
"""

from __future__ import annotations

import io
import sys
import traceback
from collections.abc import Iterator

# From 3.13 the interpreter's own printer is the traceback module.
INTERPRETER_USES_TRACEBACK_MODULE = sys.version_info >= (3, 13)
# From 3.12 the traceback module suggests names as the interpreter does.
MODULE_SUGGESTS_NAMES = sys.version_info >= (3, 12)


class _CPrinterTracebackException(traceback.TracebackException):
    """A ``TracebackException`` whose syntax-error lines are those of the C printer (3.11/3.12).

    Only ``_format_syntax_error`` (the same private hook in 3.11 and 3.12) is replaced; frames,
    chained exceptions, notes and groups stay the traceback module's, which print like C there.
    """

    def _format_syntax_error(self, stype: str) -> Iterator[str]:
        lineno = _as_int(self.lineno)
        offset = -1 if self.offset is None else _as_int(self.offset)
        if lineno is None or offset is None:
            # pythonrun.c's parse_syntax_error fails: the exception prints as a plain one
            yield _final_line(stype, str(self))
            return
        if self.exc_type is SyntaxError:  # noqa: E721 - pythonrun.c checks the exact type
            end_lineno = _as_int(self.end_lineno)
            end_lineno = lineno if end_lineno is None else end_lineno
            end_offset = -1 if self.end_offset is None else _as_int(self.end_offset)
            if end_offset is None:
                yield _final_line(stype, str(self))
                return
        else:  # IndentationError, TabError: one caret
            end_lineno, end_offset = lineno, -1
        yield f'  File "{self.filename if self.filename is not None else "<string>"}", ' \
              f"line {lineno}\n"
        if self.text is not None:
            line_size = len(self.text.encode("utf-8", "surrogatepass"))
            # a multi-line error is marked to the end of its first line
            if end_lineno > lineno:
                end_offset = line_size
            end_offset = min(end_offset, line_size + 1)
            yield from _error_text(offset, end_offset, self.text)
        yield _final_line(stype, self.msg)


def _as_int(value: object) -> int | None:
    """``PyLong_AsSsize_t`` on a SyntaxError field (the module keeps line numbers as text)."""
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return None


def _final_line(stype: str, message: object) -> str:
    """``Type: message`` (no colon for an empty message, none at all for a ``None`` one)."""
    if message is None:
        return f"{stype}\n"
    text = str(message)
    return f"{stype}: {text}\n" if text else f"{stype}\n"


def _error_text(offset: int, end_offset: int, text: str) -> Iterator[str]:
    """pythonrun.c's ``print_error_text``: the source line and its carets.

    C walks the UTF-8 bytes of the line while the offsets count characters; both are kept as C
    has them, so a line with non-ASCII text is marked where the interpreter marks it.
    """
    carets = end_offset - offset if (end_offset > 0 and end_offset > offset) else 1
    raw = text.encode("utf-8", "surrogatepass").split(b"\0", 1)[0]  # C strings end at NUL
    offset -= 1  # 1-based to 0-based
    start = 0
    while start < len(raw) and raw[start] in b" \t\f":
        start += 1
        offset -= 1
    raw = raw[start:]
    length = len(raw) - 1 if raw.endswith(b"\n") else len(raw)
    offset = min(offset, length)
    while (newline := raw.find(b"\n")) != -1 and newline < offset:  # skip embedded newlines
        raw = raw[newline + 1:]
        length -= newline + 1
        offset -= newline + 1
    shown = raw.decode("utf-8", "surrogatepass")
    yield "    " + shown + ("" if raw[length:length + 1] == b"\n" else "\n")
    if offset >= 0:  # no caret left of the text
        yield "    " + " " * offset + "^" * carets + "\n"


def interpreter_exception(exc: BaseException) -> traceback.TracebackException:
    """``TracebackException.from_exception(exc)``, formatting as this interpreter prints."""
    te = traceback.TracebackException.from_exception(exc)
    if INTERPRETER_USES_TRACEBACK_MODULE:
        return te
    for part, error in _chain(te, exc):
        if part.exc_type is not None and issubclass(part.exc_type, SyntaxError):
            part.__class__ = _CPrinterTracebackException
        elif not MODULE_SUGGESTS_NAMES:
            # where 3.12's module keeps its suggestion too (TracebackException._str)
            part._str += _c_suggestion(error)
    return te


def _chain(te: traceback.TracebackException,
           exc: BaseException) -> Iterator[tuple[traceback.TracebackException, BaseException]]:
    """``te`` and every exception chained to it or grouped in it, each once, with the exception
    it describes (``from_exception`` mirrors the exception's chain)."""
    todo, seen = [(te, exc)], set()
    while todo:
        part, error = todo.pop()
        if id(part) in seen:
            continue
        seen.add(id(part))
        yield part, error
        for attr in ("__cause__", "__context__"):
            if getattr(part, attr) is not None and getattr(error, attr) is not None:
                todo.append((getattr(part, attr), getattr(error, attr)))
        todo += zip(getattr(part, "exceptions", None) or [],
                    getattr(error, "exceptions", None) or [], strict=False)


def _c_suggestion(exc: BaseException) -> str:
    """The ``. Did you mean: 'value'?`` Python 3.11's C printer adds after ``exc``'s message.

    It needs the exception's own traceback (a NameError looks in the frame that raised it), so
    the printer is run on the exception alone, chain and notes set aside, into a buffer.
    """
    if not isinstance(exc, (NameError, AttributeError)) or getattr(exc, "name", None) is None:
        return ""
    try:
        message = str(exc)
    except Exception:  # noqa: BLE001 - a learner's broken __str__: the printer says so itself
        return ""
    saved = exc.__cause__, exc.__context__, exc.__dict__.pop("__notes__", None)
    exc.__cause__ = exc.__context__ = None
    buffer, stderr = io.StringIO(), sys.stderr
    sys.stderr = buffer
    try:
        sys.__excepthook__(type(exc), exc, exc.__traceback__)
    except Exception:  # noqa: BLE001 - no suggestion rather than no traceback
        return ""
    finally:
        sys.stderr = stderr
        exc.__cause__, exc.__context__ = saved[:2]
        if saved[2] is not None:
            exc.__notes__ = saved[2]  # type: ignore[attr-defined]
    printed = buffer.getvalue()
    end = printed.rfind(f": {message}")
    suffix = printed[end + len(message) + 2:].rstrip("\n") if end != -1 else ""
    return suffix if suffix.startswith(". Did you mean: ") else ""


def set_exception_type(te: traceback.TracebackException, cls: type[BaseException]) -> None:
    """Show ``te`` as an exception of class ``cls`` (3.13 keeps names, not the class)."""
    if INTERPRETER_USES_TRACEBACK_MODULE:
        te.exc_type_qualname = cls.__qualname__
        te.exc_type_module = cls.__module__
    else:
        te.exc_type = cls


def format_exception_only(exc: BaseException) -> str:
    """The last lines of the traceback (a syntax error's location and caret, then
    ``Type: message``), as this interpreter prints them."""
    return "".join(interpreter_exception(exc).format_exception_only())
