"""Where the plain REPL's output goes, and whether it is coloured.

Cell output goes to stdout/stderr as the cell wrote it, except that only colour sequences act:
a window title, a clipboard write or a screen clear is shown (``^[]0;title^G``), not obeyed
(``terminal.SafeTerminalText``). Echoed values and the views go to stdout, tracebacks and REPL
notices to stderr. Colour (pygments) only when the output is a terminal that wants it: never
for pipes, ``NO_COLOR`` or ``TERM=dumb``, so scripts and screen readers get the bare text torch
would print.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from typing import TextIO

from gradtui.kernel.protocol import CellResult, StreamChunk
from gradtui.terminal import SafeTerminalText, term_lacks_glyphs

_RED = "\x1b[31m"
_DIM = "\x1b[2m"
_RESET = "\x1b[0m"


def colour_wanted(stream: TextIO, environ: Mapping[str, str] | None = None) -> bool:
    """True for a terminal that did not opt out with ``NO_COLOR`` (any value) or ``TERM=dumb``."""
    env = os.environ if environ is None else environ
    if "NO_COLOR" in env or env.get("TERM", "") in ("dumb", ""):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def ascii_wanted(stream: TextIO, environ: Mapping[str, str] | None = None) -> bool:
    """True when views should stay ASCII: ``GRADTUI_ASCII``, a console/dumb ``TERM``, or an
    output encoding without arrows."""
    env = os.environ if environ is None else environ
    if env.get("GRADTUI_ASCII"):
        return True
    # The workspace asks the same question, so `TERM=linux gradtui repl` and `gradtui` agree.
    if term_lacks_glyphs(env.get("TERM", "")):
        return True
    encoding = getattr(stream, "encoding", None) or "ascii"
    try:
        "→─✓✗".encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return True
    return False


# Plain-text stand-ins for the non-ASCII characters lessons and views use.
_STAND_INS = str.maketrans({
    "−": "-", "–": "-", "—": "-", "·": "*", "×": "x", "÷": "/", "²": "^2", "³": "^3",
    "½": "1/2", "≈": "~", "≤": "<=", "≥": ">=", "→": "->", "←": "<-", "─": "-", "│": "|",
    "└": "+", "•": "*", "✓": "ok", "✗": "X", "…": "...", "“": '"', "”": '"', "‘": "'",
    "’": "'", "₁": "1", "₂": "2", "ᵢ": "_i", "′": "'", "″": "''", "‴": "'''", "ˣ": "^x",
    "ᵀ": "^T",
})


def encodable(text: str, encoding: str) -> str:
    """``text`` with what ``encoding`` cannot hold replaced: stand-ins first, then ``?``."""
    try:
        return text.encode(encoding).decode(encoding)
    except LookupError:
        encoding = "ascii"
    except UnicodeEncodeError:
        pass
    return text.translate(_STAND_INS).encode(encoding, "replace").decode(encoding)


class Console:
    """Writes the REPL's output to two streams, highlighting with pygments when ``colour``."""

    def __init__(self, stdout: TextIO, stderr: TextIO, *, colour: bool = False) -> None:
        self.stdout = stdout
        self.stderr = stderr
        self.colour = colour
        self._python_lexer = None
        # A running cell's output is written from the thread waiting for the kernel, while the
        # main thread may print a notice (Ctrl-C): one write at a time.
        self._lock = threading.Lock()
        # Learner output reaches a real terminal: colours pass, titles, clipboard writes and
        # screen control are shown, not obeyed (one filter per stream: a piece may end mid-way).
        self._safe = {id(stdout): SafeTerminalText(), id(stderr): SafeTerminalText()}

    def _write(self, stream: TextIO, text: str, *, piece: bool = False) -> None:
        """Write ``text`` made safe for a terminal; ``piece``: part of a cell's running output."""
        with self._lock:
            safe = self._safe.get(id(stream))
            if safe is not None:
                text = safe.feed(text) if piece else safe.feed(text) + safe.flush()
            try:
                stream.write(text)
            except UnicodeEncodeError:
                # A latin-1/ASCII terminal: lesson prose has `−`, `²`, `½`... Never crash on them.
                stream.write(encodable(text, getattr(stream, "encoding", None) or "ascii"))
            stream.flush()

    def _line(self, stream: TextIO, text: str) -> None:
        self._write(stream, text if text.endswith("\n") else text + "\n")

    def _highlight(self, text: str) -> str:
        if not self.colour:
            return text
        from pygments import highlight
        from pygments.formatters import TerminalFormatter
        from pygments.lexers import PythonLexer

        if self._python_lexer is None:
            self._python_lexer = PythonLexer()
        # pygments adds a final newline; the caller decides about line ends.
        return highlight(text, self._python_lexer, TerminalFormatter()).rstrip("\n")

    def stream(self, chunk: StreamChunk) -> None:
        """Output of the running cell, written as it arrives (stdout or stderr, as written)."""
        stream = self.stderr if chunk.stream == "stderr" else self.stdout
        self._write(stream, chunk.text, piece=True)

    def cell_result(self, result: CellResult) -> None:
        """A cell's output in write order (unless it was streamed already), then its echoed
        value or its traceback."""
        if not result.output_streamed:
            for chunk in result.output:
                self.stream(chunk)
        for stream in (self.stdout, self.stderr):
            self._write(stream, "")  # what a stream's filter still held
        if result.value_repr is not None:
            self._line(self.stdout, self._highlight(result.value_repr))
        if result.error is not None:
            self.error(result.error.traceback)

    def text(self, text: str) -> None:
        """Plain text for the learner (views, command output) on stdout."""
        self._line(self.stdout, text)

    def error(self, text: str) -> None:
        """A traceback or an error message on stderr, red on colour terminals."""
        body = text.rstrip("\n")
        self._line(self.stderr, f"{_RED}{body}{_RESET}" if self.colour else body)

    def notice(self, text: str) -> None:
        """A message from the REPL itself (kernel restarted, file written) on stderr."""
        body = text.rstrip("\n")
        self._line(self.stderr, f"{_DIM}{body}{_RESET}" if self.colour else body)
