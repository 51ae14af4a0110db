"""Learner code that attacks its own front end through the kernel's pipes (used as cell sources)."""

from __future__ import annotations

# Every pipe the kernel holds open for writing, other than fds 1 and 2: the reply pipe is one.
FIND_REPLY_PIPES = """
import fcntl as _f, os as _os
def _reply_pipes():
    found = []
    for name in _os.listdir('/proc/self/fd'):
        fd = int(name)
        if fd < 3:
            continue
        try:
            if not _os.readlink(f'/proc/self/fd/{fd}').startswith('pipe:'):
                continue
            if _f.fcntl(fd, _f.F_GETFL) & _os.O_ACCMODE == _os.O_WRONLY:
                found.append(fd)
        except OSError:
            pass
    return found
"""

# One 512 MB line, written 8 MiB at a time (the kernel never holds it all either).
HUGE_LINE = FIND_REPLY_PIPES + """
_chunk = b'x' * (8 << 20)
try:
    for _fd in _reply_pipes():
        for _ in range(64):
            _os.write(_fd, _chunk)
except OSError:
    pass
"""

# The start of a reply, then the cell ends normally: the kernel's real reply follows it.
PARTIAL_LINE = FIND_REPLY_PIPES + """
for _fd in _reply_pipes():
    _os.write(_fd, b'{"id": 1, "ok": tr')
"""

# The start of a reply, then the cell goes on (a long computation, or a learner waiting).
PARTIAL_LINE_THEN_WAIT = PARTIAL_LINE + """
import time as _t
_t.sleep(120)
"""

NOT_JSON = FIND_REPLY_PIPES + """
for _fd in _reply_pipes():
    _os.write(_fd, b'\\x1b]0;pwned\\x07 this is not json\\n')
"""

# A well-formed reply for every id the front end may be waiting on, of the wrong shape.
FORGED_REPLY = FIND_REPLY_PIPES + """
import json as _j
for _fd in _reply_pipes():
    for _id in range(1, 200):
        _os.write(_fd, (_j.dumps({"id": _id, "ok": True, "result": 5}) + "\\n").encode())
"""

# 256 MB on the kernel's stderr, no newline: the client keeps a tail of it.
STDERR_FLOOD = """
import os as _os
_chunk = b'y' * (8 << 20)
for _ in range(32):
    _os.write(2, _chunk)
"""

# Well-formed stream events (output while the cell runs) for every id the front end may be
# waiting on: 128 MB of "output" the kernel's own per-cell cap never saw.
FORGED_STREAM_FLOOD = FIND_REPLY_PIPES + """
import json as _j
_event = lambda _id: (_j.dumps({"event": "stream", "id": _id, "stream": "stdout",
                                "text": "z" * (2 << 20)}) + "\\n").encode()
try:
    for _fd in _reply_pipes():
        for _ in range(64):
            for _id in (1, 2, 3):
                _os.write(_fd, _event(_id))
except OSError:
    pass
"""
