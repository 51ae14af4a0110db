"""Tracebacks a learner can read: only their own frames, never gradtui's machinery.

A cell's exception passes through the evaluator's ``exec`` call and, for engine errors, through
engine frames. Python would print all of them; the learner only needs the lines they wrote (cells
are compiled with file names like ``<cell 3>`` whose source sits in ``linecache``), plus frames of
other libraries they called themselves. Frames inside the ``gradtui`` package are dropped, and so
are chained exceptions (``During handling of ...``) that happened entirely inside gradtui.
"""

from __future__ import annotations

import linecache
import os
import traceback

import gradtui
from gradtui.engine.traceback_format import interpreter_exception, set_exception_type

_GRADTUI_DIR = os.path.dirname(os.path.abspath(gradtui.__file__)) + os.sep

CELL_PREFIX = "<cell "


def cell_filename(number: int) -> str:
    """The pseudo file name of cell ``number`` (what tracebacks and warnings show)."""
    return f"{CELL_PREFIX}{number}>"


def register_source(filename: str, source: str) -> None:
    """Put ``source`` into ``linecache`` so tracebacks and warnings can quote its lines."""
    lines = source.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    # mtime None marks the entry as not backed by a file, so checkcache() never evicts it.
    linecache.cache[filename] = (len(source), None, lines, filename)


def is_gradtui_frame(filename: str) -> bool:
    return os.path.abspath(filename).startswith(_GRADTUI_DIR) if filename[:1] != "<" else False


def _trim(te: traceback.TracebackException, *, outermost: bool) -> bool:
    """Drop gradtui frames from ``te`` and its chain; False if nothing of the learner's was left."""
    frames = list(te.stack)
    if outermost:
        # Everything before the first cell frame is the evaluator calling exec().
        first_cell = next(
            (i for i, f in enumerate(frames) if f.filename.startswith(CELL_PREFIX)), len(frames)
        )
        frames = frames[first_cell:]
    had_frames = bool(te.stack)
    kept = []
    below_gradtui = False  # library frames called by gradtui (numpy) are machinery too
    for frame in frames:
        if frame.filename.startswith(CELL_PREFIX):
            below_gradtui = False
        elif is_gradtui_frame(frame.filename):
            below_gradtui = True
            continue
        if not below_gradtui:
            kept.append(frame)
    te.stack = traceback.StackSummary.from_list(kept)
    for attr in ("__cause__", "__context__"):
        chained = getattr(te, attr)
        if chained is not None and not _trim(chained, outermost=False):
            setattr(te, attr, None)
    # A chained exception that lived only in gradtui frames says nothing to the learner.
    return bool(kept) or not had_frames


def _quote_cell_line(exc: BaseException) -> None:
    """Give a cell's syntax error its source line, as Python does for a file.

    Errors found after parsing (``'return' outside function``, a repeated argument) come from
    compiling the cell's syntax tree, which has no text; Python reads a script's line from its
    file, and a cell's lines are in ``linecache``.
    """
    if (isinstance(exc, SyntaxError) and exc.text is None and exc.lineno
            and str(exc.filename).startswith(CELL_PREFIX)):
        exc.text = linecache.getline(exc.filename, exc.lineno) or None


def public_type(cls: type[BaseException]) -> type[BaseException]:
    """numpy's private ``_ArrayMemoryError`` -> ``MemoryError``: the name a learner can look up."""
    for klass in cls.__mro__:
        if not klass.__qualname__.startswith("_"):
            return klass  # type: ignore[return-value]
    return cls


def format_learner_traceback(exc: BaseException) -> str:
    """The traceback text of ``exc`` limited to the learner's frames, as the running Python's
    interpreter prints it (carets and syntax errors differ between versions)."""
    _quote_cell_line(exc)
    te = interpreter_exception(exc)
    set_exception_type(te, public_type(type(exc)))
    if isinstance(exc, SyntaxError) and not te.stack:
        return "".join(te.format_exception_only())
    _trim(te, outermost=True)
    if not te.stack and te.__cause__ is None and te.__context__ is None:
        return "".join(te.format_exception_only())
    return "".join(te.format())


def qualified_type_name(exc: BaseException) -> str:
    """``RuntimeError`` for builtins, ``module.Name`` otherwise (cell classes stay bare)."""
    return qualified_class_name(type(exc))


def qualified_class_name(exc_type: type) -> str:
    """``qualified_type_name`` of an exception or warning class (a warning's category)."""
    cls = public_type(exc_type)
    module = cls.__module__
    if module in ("builtins", "__main__", None):
        return cls.__qualname__
    return f"{module}.{cls.__qualname__}"
