"""The lab's event log: one line per connect, auth, session and disconnect; never a secret.

Lines look like ``2026-11-25T21:40:00Z auth user=alice peer=10.0.0.7:51234 method=publickey
result=ok``: ``key=value`` pairs a teacher can grep and a script can split.

Much of what a line holds comes from the client: user names, terminal types, addresses, error
texts. None of it may forge a line (a newline, then ``auth user=teacher ... result=ok``) or reach
the teacher's terminal as escape codes, so every value goes through :func:`escape`, and the
handler's formatter neutralises whatever another library logs (asyncssh, aiohttp) the same way:
one record is one line, and a traceback's lines are indented under it.

A flood of one kind of line (a password-guessing client, a connection storm, a failing
``accept``) must not fill the disk either: :class:`RateLimit` lets each kind through in bursts
and then at a steady rate, and says how many lines it held back.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from typing import TextIO

LOGGER_NAME = "gradtui.lab"
log = logging.getLogger(LOGGER_NAME)

# A kind of line may come BURST times at once, then RATE_PER_S a second on average.
BURST = 100
RATE_PER_S = 1.0

_BACKSLASH_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\"}


def escape(text: str) -> str:
    """``text`` with every character a terminal or a log parser could act on written out.

    Control characters (ESC, newline, carriage return, DEL, C1 controls), format characters
    (bidirectional overrides, zero-width joiners), line and paragraph separators and lone
    surrogates become ``\\n``, ``\\x1b``, ``\\u202e`` ...; a backslash is doubled, so the result
    reads back unambiguously. Printable text (letters of any script included) stays as it is.
    """
    if text.isprintable() and "\\" not in text:
        return text
    return "".join(_escape_char(ch) for ch in text)


def _escape_char(ch: str) -> str:
    if ch in _BACKSLASH_ESCAPES:
        return _BACKSLASH_ESCAPES[ch]
    if ch.isprintable() or ch == " ":
        return ch
    code = ord(ch)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def _neutralise(text: str) -> str:
    """Like :func:`escape` but keeps backslashes: for text that may already be escaped."""
    if text.isprintable():
        return text
    return "".join(ch if ch == "\\" else _escape_char(ch) for ch in text)


class _SafeFormatter(logging.Formatter):
    """``<UTC time> <message>``; one record is one line; a traceback's lines indented under it.

    Built from the record's parts each time, never from text another handler cached on it.
    """

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(record.created))

    def format(self, record: logging.LogRecord) -> str:
        stamp = self.formatTime(record)
        lines = [f"{stamp} {_neutralise(record.getMessage())}"]
        held_back = getattr(record, "gradtui_held_back", None)
        if held_back:  # RateLimit's note of what it held back comes first, as its own line
            lines.insert(0, f"{stamp} {held_back}")
        details = []
        if record.exc_info:
            details.append(self.formatException(record.exc_info))
        elif record.exc_text:
            details.append(record.exc_text)
        if record.stack_info:
            details.append(self.formatStack(record.stack_info))
        for text in details:
            lines += ["  | " + _neutralise(line) for line in text.splitlines()]
        return "\n".join(lines)


class RateLimit(logging.Filter):
    """A token bucket per kind of line; held-back lines are counted and reported later.

    The kind of a lab event is its first word (``auth``, ``connect``); for another library's
    record it is the logger and the level. When a kind gets through again after lines of it were
    held back, a ``log-suppressed kind=... count=...`` line comes first.
    """

    def __init__(
        self, burst: int = BURST, rate_per_s: float = RATE_PER_S, clock=time.monotonic
    ) -> None:
        super().__init__()
        self.burst = burst
        self.rate_per_s = rate_per_s
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # kind -> (tokens, last refill)
        self._held: dict[str, int] = {}
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        kind = _kind(record)
        with self._lock:
            now = self._clock()
            tokens, last = self._buckets.get(kind, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate_per_s)
            if tokens < 1.0:
                self._buckets[kind] = (tokens, now)
                self._held[kind] = self._held.get(kind, 0) + 1
                return False
            self._buckets[kind] = (tokens - 1.0, now)
            held = self._held.pop(kind, 0)
        if held:
            record.gradtui_held_back = f"log-suppressed kind={_value(kind)} count={held}"
        return True

    def held_back(self) -> dict[str, int]:
        """Lines held back per kind and not yet reported."""
        with self._lock:
            return dict(self._held)


def _kind(record: logging.LogRecord) -> str:
    if record.name == LOGGER_NAME:
        return str(record.msg).split(" ", 1)[0]
    return f"{record.name}:{record.levelname}"


def setup_logging(stream: TextIO | None = None, *, rate_limit: RateLimit | None = None) -> None:
    """Send lab events to stderr (or ``stream``); quiet asyncssh's own per-packet chatter.

    Every other library's records (asyncio's accept errors, aiohttp's) go through the same
    escaping and rate limit, so nothing a client sends reaches the log raw.
    """
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(_SafeFormatter())
    handler.addFilter(rate_limit or RateLimit())
    handler.set_name(LOGGER_NAME)
    log.handlers[:] = [handler]
    log.setLevel(logging.INFO)
    log.propagate = False
    logging.getLogger("asyncssh").setLevel(logging.WARNING)
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == LOGGER_NAME]:
        root.removeHandler(old)  # a second setup replaces ours, never anybody else's
    root.addHandler(handler)
    if root.level > logging.WARNING:
        root.setLevel(logging.WARNING)


def _value(value: object) -> str:
    text = escape(str(value))
    # Quote values with spaces, quotes or escapes so every line stays splittable into pairs.
    if not text or any(ch in text for ch in ' "=\\'):
        return '"' + text.replace('"', '\\"') + '"'
    return text


def event(kind: str, **fields: object) -> None:
    """Log one event line: ``kind key=value ...`` (None values are left out)."""
    parts = [escape(kind)] + [
        f"{key}={_value(val)}" for key, val in fields.items() if val is not None
    ]
    log.info(" ".join(parts))
