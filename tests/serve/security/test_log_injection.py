"""Issue 12 item 10: what a client sends (terminal type, user name) cannot forge log lines.

A TERM holding a newline and a whole fake ``auth user=teacher ... result=ok`` line, with escape
codes, used to be written raw into the server log; so was a user name with a newline.
"""

from __future__ import annotations

import asyncio
import io
import re

import pytest

from gradtui.serve.lab_log import setup_logging
from gradtui.serve.ssh_server import LabSSHServer

FORGED = "\n2026-01-01T00:00:00Z auth user=teacher peer=10.0.0.1:1 method=password result=ok"
ESCAPES = "\x1b]0;owned\x07\x1b[2J"  # SSH carries a terminal type as ASCII


@pytest.fixture
def server_log():
    stream = io.StringIO()
    setup_logging(stream)
    yield stream
    setup_logging(io.StringIO())


def _check_clean(log: str) -> None:
    for line in log.splitlines():
        stamped = re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \S", line)
        assert stamped or line.startswith("  | "), line
        assert not line.split(" ", 1)[1].startswith("auth user=teacher"), line
    assert not any(ch in log for ch in "\x1b\x07\x9b\r"), repr(log)


async def test_a_terminal_type_with_a_forged_line_and_escapes_stays_one_escaped_value(
    security_lab, server_log
) -> None:
    lab = await security_lab(sandbox="none")
    conn = await lab.connect("alice")
    try:
        proc = await conn.create_process(term_type="xterm" + FORGED + ESCAPES, term_size=(80, 24))
        await asyncio.wait_for(proc.stdout.readuntil("@@READY@@"), 60)
    finally:
        conn.close()
        await asyncio.wait_for(conn.wait_closed(), 30)
    log = server_log.getvalue()
    _check_clean(log)
    assert 'term="xterm\\n2026-01-01T00:00:00Z auth user=teacher' in log
    assert "\\x1b]0;owned\\x07\\x1b[2J" in log


async def test_a_user_name_with_a_forged_line_is_refused_and_logged_escaped(
    security_lab, server_log
) -> None:
    # asyncssh refuses control characters in an SSH user name (SASLprep) before our code sees
    # it; the web front end and a future transport might not, so the log must hold regardless.
    lab = await security_lab(sandbox="none")
    server = LabSSHServer(lab.runtime)
    assert server.begin_auth("bob" + FORGED + ESCAPES + "\x9b\u202e") is True
    assert await server.validate_password("bob" + FORGED, "guess") is False
    log = server_log.getvalue()
    _check_clean(log)
    forged = r'auth user="bob\\n2026-01-01T00:00:00Z auth user=teacher .*result=refused'
    assert re.search(forged, log)
    assert "\\x9b\\u202e" in log
