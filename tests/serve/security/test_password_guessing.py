"""Issue 12 item 6: guessing passwords is slow, bounded, and does not reveal who is on the roster.

Before: 100 guesses on one connection, ~25 guesses a second in parallel, the right password
working straight after, and a known learner answered in 46 ms against 5 ms for an unknown one.
"""

from __future__ import annotations

import asyncio
import io

import asyncssh
import pytest

from gradtui.serve import auth_guard
from gradtui.serve.lab_log import setup_logging

from .helpers import PASSWORD

GUESSER = "127.0.0.2"
ELSEWHERE = "127.0.0.3"


@pytest.fixture
def quick_failures(monkeypatch):
    """The real delays, shortened so a test of dozens of guesses stays fast."""
    monkeypatch.setattr(auth_guard, "FAIL_DELAY_S", 0.05)
    monkeypatch.setattr(auth_guard, "MAX_WAIT_S", 1.5)


@pytest.fixture
def server_log():
    stream = io.StringIO()
    setup_logging(stream)
    yield stream
    setup_logging(io.StringIO())


class Guesser(asyncssh.SSHClient):
    """Offers a new password each time the server asks again (as many as it allows)."""

    def __init__(self) -> None:
        self.tried = 0

    def password_auth_requested(self) -> str | None:
        self.tried += 1
        return f"guess-{self.tried}" if self.tried <= 100 else None


async def _login(lab, name: str, password: str, source: str) -> bool:
    try:
        conn = await asyncio.wait_for(
            asyncssh.connect("127.0.0.1", lab.port, username=name, password=password,
                             client_keys=None, known_hosts=None, local_addr=(source, 0)),
            30,
        )
    except (asyncssh.PermissionDenied, asyncssh.DisconnectError, ConnectionError, OSError):
        return False
    conn.close()
    await conn.wait_closed()
    return True


async def test_one_connection_gets_max_auth_tries_guesses_then_is_closed(
    security_lab, quick_failures, server_log
) -> None:
    lab = await security_lab(sandbox="none")
    guesser = Guesser()
    with pytest.raises((asyncssh.PermissionDenied, asyncssh.DisconnectError, ConnectionError)):
        await asyncio.wait_for(
            asyncssh.connect("127.0.0.1", lab.port, username="bob", client_keys=None,
                             known_hosts=None, client_factory=lambda: guesser,
                             preferred_auth="password"),
            60,
        )
    assert guesser.tried <= lab.config.max_auth_tries + 1  # the last one may be left unsent
    assert "auth-closed user=bob" in server_log.getvalue()


async def test_parallel_guessing_backs_off_the_name_and_the_address(
    security_lab, quick_failures, server_log
) -> None:
    lab = await security_lab(sandbox="none")
    guesses = [_login(lab, "bob", f"guess-{n}", GUESSER) for n in range(14)]
    assert not any(await asyncio.gather(*guesses))
    # The right password straight after does not work: not from the guesser's address (it
    # cannot even connect), and not for bob from anywhere else either.
    assert not await _login(lab, "bob", PASSWORD, GUESSER)
    assert not await _login(lab, "bob", PASSWORD, ELSEWHERE)
    log = server_log.getvalue()
    assert "reason=learner-backoff" in log and "connect-refused" in log and "reason=penalty" in log
    # A key is never held back, and another learner elsewhere is not affected.
    async with lab.session("alice"):
        pass
    # Once the wait is over, bob's password works again (the waits are capped; 1.5 s here).
    await asyncio.sleep(1.6)
    assert await _login(lab, "bob", PASSWORD, ELSEWHERE)


async def test_an_unknown_name_is_checked_against_a_hash_like_a_known_one(
    security_lab, quick_failures, monkeypatch
) -> None:
    checked: list[str] = []
    real = auth_guard.verify_password

    def spy(password: str, stored: str) -> bool:
        checked.append(stored)
        return real(password, stored)

    monkeypatch.setattr(auth_guard, "verify_password", spy)
    lab = await security_lab(sandbox="none")
    assert not await _login(lab, "bob", "wrong", ELSEWHERE)
    assert not await _login(lab, "mallory", "wrong", ELSEWHERE)  # not on the roster
    assert not await _login(lab, "alice", "wrong", ELSEWHERE)  # on it, with a key only
    assert len(checked) == 3  # one scrypt check each, with the same cost parameters
    assert len({tuple(stored.split("$")[:4]) for stored in checked}) == 1
