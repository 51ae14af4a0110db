"""Issue 12 item 11: a learner's output cannot drive the real terminal, over SSH or locally.

A cell printing a window title (OSC 0), a clipboard write (OSC 52) or a screen clear reached the
learner's own terminal in ``gradtui repl`` and over SSH. Now only colours act; the rest shows.
"""

from __future__ import annotations

import asyncio
import sys

ATTACK = (
    "print('A' + chr(27) + ']0;pwned' + chr(7) + chr(27) + ']52;c;cm0gLXJm' + chr(7)"
    " + chr(27) + '[2J' + chr(27) + '[32mGREEN' + chr(27) + '[0m' + 'Z')"
)
SHOWN = "A^[]0;pwned^G^[]52;c;cm0gLXJm^G^[[2J"


async def _session_output(lab, needle: str, ready: str = ">>>") -> bytes:
    conn = await lab.connect("alice")
    raw = b""
    try:
        proc = await conn.create_process(
            term_type="xterm-256color", term_size=(120, 40), encoding=None
        )

        async def read_until(text: bytes) -> None:
            nonlocal raw
            while text not in raw:
                chunk = await proc.stdout.read(65536)
                if not chunk:
                    raise AssertionError(f"session ended: {raw[-1500:]!r}")
                raw += chunk
                if b"\x1b[6n" in chunk:  # answer cursor position requests like a terminal
                    proc.stdin.write(b"\x1b[1;1R")

        await asyncio.wait_for(read_until(ready.encode()), 90)
        proc.stdin.write(ATTACK.encode() + b"\r")
        await asyncio.wait_for(read_until(needle.encode()), 60)
    finally:
        conn.close()
        await asyncio.wait_for(conn.wait_closed(), 30)
    return raw


async def test_over_ssh_the_plain_repl_shows_a_cells_escape_sequences(security_lab) -> None:
    lab = await security_lab(sandbox="none", command=[sys.executable, "-m", "gradtui", "repl"])
    raw = await _session_output(lab, SHOWN)
    assert b"\x1b]0;pwned" not in raw and b"\x1b]52;" not in raw
    assert b"\x1b[32mGREEN\x1b[0mZ" in raw  # colours still work


async def test_over_ssh_the_workspace_shows_a_cells_escape_sequences(security_lab) -> None:
    lab = await security_lab(sandbox="none", command=[sys.executable, "-m", "gradtui"])
    raw = await _session_output(lab, "pwned^G^[]52", ready="In [1]")
    assert b"\x1b]0;pwned" not in raw and b"\x1b]52;" not in raw
