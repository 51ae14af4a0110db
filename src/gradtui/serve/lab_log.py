"""The lab's event log: one line per connect, auth, session and disconnect; never a secret.

Lines look like ``2026-11-25T21:40:00Z auth user=alice peer=10.0.0.7:51234 method=publickey
result=ok``: ``key=value`` pairs a teacher can grep and a script can split.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import TextIO

LOGGER_NAME = "gradtui.lab"
log = logging.getLogger(LOGGER_NAME)


class _UtcFormatter(logging.Formatter):
    converter = time.gmtime

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", self.converter(record.created))


def setup_logging(stream: TextIO | None = None) -> None:
    """Send lab events to stderr (or ``stream``); quiet asyncssh's own per-packet chatter."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(_UtcFormatter("%(asctime)s %(message)s"))
    log.handlers[:] = [handler]
    log.setLevel(logging.INFO)
    log.propagate = False
    logging.getLogger("asyncssh").setLevel(logging.WARNING)


def _value(value: object) -> str:
    text = str(value)
    # Quote values with spaces or quotes so every line stays splittable into key=value pairs.
    if not text or any(ch in text for ch in ' "='):
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text


def event(kind: str, **fields: object) -> None:
    """Log one event line: ``kind key=value ...`` (None values are left out)."""
    parts = [kind] + [f"{key}={_value(val)}" for key, val in fields.items() if val is not None]
    log.info(" ".join(parts))
