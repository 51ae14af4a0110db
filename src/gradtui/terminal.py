"""Facts about terminals shared by every front end (stdlib only)."""

from __future__ import annotations

# Terminals whose fonts may lack arrows and box-drawing glyphs (the Linux console, serial
# terminals, dumb ones): both the workspace and the plain REPL draw ASCII on them.
ASCII_TERMS = ("linux", "vt100", "vt102", "vt220", "dumb", "cons25", "ansi")


def term_lacks_glyphs(term: str) -> bool:
    """True for a ``TERM`` such as ``linux`` or ``vt100-am`` (its family is in ASCII_TERMS)."""
    return term.split("-")[0] in ASCII_TERMS
