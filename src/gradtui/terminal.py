"""Facts about terminals shared by every front end (stdlib only)."""

from __future__ import annotations

from typing import TextIO

# Terminals whose fonts may lack arrows and box-drawing glyphs (the Linux console, serial
# terminals, dumb ones): both the workspace and the plain REPL draw ASCII on them.
ASCII_TERMS = ("linux", "vt100", "vt102", "vt220", "dumb", "cons25", "ansi")


def term_lacks_glyphs(term: str) -> bool:
    """True for a ``TERM`` such as ``linux`` or ``vt100-am`` (its family is in ASCII_TERMS)."""
    return term.split("-")[0] in ASCII_TERMS


def is_terminal(*streams: TextIO | None) -> bool:
    """True when every stream is an open terminal (a full-screen app needs stdin and stdout)."""
    for stream in streams:
        try:
            if stream is None or stream.closed or not stream.isatty():
                return False
        except (AttributeError, ValueError, OSError):
            return False
    return True


# -- learner output on a real terminal ------------------------------------------------------------

_ESC = "\x1b"
_KEPT_CONTROLS = "\n\t\r\b"  # line ends, tabs, progress bars (\r) and backspaces keep working
_SGR_CHARS = frozenset("0123456789;:")
_MAX_HELD = 32  # an unfinished colour sequence held for the next piece of output, at most


def _visible(ch: str) -> str:
    """A control character as ``cat -v`` shows it: ``^[`` for ESC, ``^G`` for BEL, ``\\x9b``."""
    code = ord(ch)
    if code < 0x20:
        return "^" + chr(code + 0x40)
    if code == 0x7F:
        return "^?"
    return f"\\x{code:02x}"  # C1 controls: 0x9b is CSI to an 8-bit terminal


def _is_control(ch: str) -> bool:
    code = ord(ch)
    return (code < 0x20 and ch not in _KEPT_CONTROLS) or 0x7F <= code <= 0x9F


class SafeTerminalText:
    """Learner output made safe for a real terminal: colours pass, nothing else acts.

    SGR sequences (``ESC [ ... m``: colours, bold, underline) reach the terminal as they are.
    Every other escape sequence and control character is shown instead of obeyed, as ``cat -v``
    does (``^[]0;title^G``): no window titles, no clipboard writes (OSC 52), no screen clears or
    cursor moves, no alternate screen, no terminal queries whose answers would be typed into the
    REPL. ``feed`` may be called with output piece by piece (a colour sequence split between two
    pieces is held back until it is complete); ``flush`` ends it.
    """

    def __init__(self) -> None:
        self._held = ""

    def feed(self, text: str) -> str:
        text = self._held + text
        self._held = ""
        if not any(_is_control(ch) for ch in text):
            return text
        out: list[str] = []
        i, n = 0, len(text)
        while i < n:
            ch = text[i]
            if ch == _ESC:
                end = _sgr_end(text, i)
                if end > 0:
                    out.append(text[i:end])
                    i = end
                    continue
                if end == 0 and n - i <= _MAX_HELD:  # maybe a colour, cut between two pieces
                    self._held = text[i:]
                    break
            out.append(_visible(ch) if _is_control(ch) else ch)
            i += 1
        return "".join(out)

    def flush(self) -> str:
        held, self._held = self._held, ""
        return "".join(_visible(ch) if _is_control(ch) else ch for ch in held)


def _sgr_end(text: str, start: int) -> int:
    """End of the SGR sequence at ``start``; 0 if the text ends inside one; -1 if it is none."""
    i = start + 1
    if i >= len(text):
        return 0
    if text[i] != "[":
        return -1
    i += 1
    while i < len(text) and text[i] in _SGR_CHARS:
        i += 1
    if i >= len(text):
        return 0
    return i + 1 if text[i] == "m" else -1


def safe_terminal_text(text: str) -> str:
    """:class:`SafeTerminalText` for one whole piece of text."""
    safe = SafeTerminalText()
    return safe.feed(text) + safe.flush()
