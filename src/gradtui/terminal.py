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
