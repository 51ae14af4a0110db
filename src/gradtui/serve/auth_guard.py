"""Before a learner is logged in: caps on waiting connections, and backoff for wrong passwords.

The same defences as OpenSSH's, with its defaults where it has one:

- ``max_startups`` / ``max_startups_per_source`` (``MaxStartups``, ``PerSourceMaxStartups``):
  connections that have not logged in yet are counted, in all and per address; past a cap a new
  connection is closed at once, so 1,100 idle connections from one client cannot take every file
  descriptor (a real login used to take 56 s). A connection must start authenticating within
  ``HANDSHAKE_GRACE_S`` and finish within ``login_grace_time`` (``LoginGraceTime``).
- ``max_auth_tries`` (``MaxAuthTries``): wrong passwords on one connection before it is closed.
- Backoff per address (``PerSourcePenalties``): each wrong password adds ``SOURCE_PENALTY_S`` to
  the address's debt, which drains in real time; while the debt is over ``SOURCE_FREE_S`` the
  address cannot connect. A class making the odd typo never gets there; a client guessing many
  passwords a second is shut out within seconds, for up to ``MAX_WAIT_S``. (A whole class behind
  one NAT address shares one debt: list that address in ``auth_penalty_exempt``.)
- Backoff per learner name (known or not, so a wait reveals nothing about the roster): past
  ``FREE_TRIES_PER_LEARNER`` wrong passwords each further one doubles a wait, up to
  ``MAX_WAIT_S``; during it a password for that name is refused even when right, so guessing
  from many addresses gains nothing. Public keys cannot be guessed and are never held back: a
  learner whose password is under attack can still use their key.
- Every password check costs the same (``uniform_check``): an unknown learner and a learner
  without a password are checked against a dummy scrypt hash, so a timing does not tell who is
  on the roster. A password tried during a wait is not checked at all (and not counted): that
  costs the server nothing under attack, and waits apply to unknown names alike. Every failure
  is answered after ``FAIL_DELAY_S``.

Nothing here touches the network: ``ssh_server`` asks, this module counts and decides.
"""

from __future__ import annotations

import ipaddress
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from gradtui.serve.roster import hash_password, verify_password

HANDSHAKE_GRACE_S = 10.0  # from TCP connect to the first authentication request
FAIL_DELAY_S = 1.0  # a wrong password is answered this much later
FREE_TRIES_PER_LEARNER = 5  # wrong passwords for one name before waits begin
SOURCE_PENALTY_S = 5.0  # debt an address takes on per wrong password (OpenSSH's authfail:5s)
SOURCE_FREE_S = 60.0  # debt an address may carry and still connect (12 quick failures)
MAX_WAIT_S = 600.0
FORGET_AFTER_S = 900.0  # a name quiet this long starts afresh
_MAX_TRACKED = 10_000  # names and addresses remembered (the oldest are forgotten first)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class AuthPolicy:
    """The limits, from ``[server]`` in ``lab.toml``."""

    max_startups: int = 200
    max_startups_per_source: int = 100  # a whole class behind one NAT address logs in at once
    login_grace_time_s: float = 60.0
    max_auth_tries: int = 6
    penalty_exempt: tuple[Network, ...] = ()


def parse_networks(items: Iterable[str]) -> tuple[Network, ...]:
    """``["10.0.0.0/8", "192.168.1.7"]`` -> networks; ValueError names a bad entry."""
    networks = []
    for item in items:
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ValueError(f"{item!r} is not an address or a network like 10.0.0.0/8") from None
    return tuple(networks)


def source_of(host: str) -> str:
    """The address a connection counts against (an IPv4-mapped IPv6 address as IPv4)."""
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return str(address)


@dataclass
class _Failures:
    """A name's wrong passwords: a wait that doubles with each one past the free tries."""

    count: int = 0
    last: float = 0.0

    def wait_left(self, now: float) -> float:
        if self.count <= FREE_TRIES_PER_LEARNER:
            return 0.0
        wait = min(2.0 ** (self.count - FREE_TRIES_PER_LEARNER - 1), MAX_WAIT_S)
        return max(self.last + wait - now, 0.0)


@dataclass
class _Debt:
    """An address's penalty: seconds owed, draining in real time."""

    seconds: float = 0.0
    at: float = 0.0

    def owed(self, now: float) -> float:
        return max(self.seconds - (now - self.at), 0.0)


@dataclass
class AuthGuard:
    """Counts for one running server (shared by its connections, all on one event loop)."""

    policy: AuthPolicy = field(default_factory=AuthPolicy)
    clock: Callable[[], float] = time.monotonic
    _waiting: dict[str, int] = field(default_factory=dict)  # address -> unauthenticated conns
    _by_source: OrderedDict[str, _Debt] = field(default_factory=OrderedDict)
    _by_name: OrderedDict[str, _Failures] = field(default_factory=OrderedDict)
    _dummy_hash: str | None = None

    # -- connections ------------------------------------------------------------------------

    def admit(self, source: str) -> str | None:
        """Count a new connection; or the reason to close it (and then it is not counted)."""
        if sum(self._waiting.values()) >= self.policy.max_startups:
            return "max-startups"
        if self._waiting.get(source, 0) >= self.policy.max_startups_per_source:
            return "max-startups-per-source"
        if self.source_wait(source) > 0:
            return "penalty"
        self._waiting[source] = self._waiting.get(source, 0) + 1
        return None

    def left_waiting(self, source: str) -> None:
        """An admitted connection logged in or went away: it no longer counts."""
        left = self._waiting.get(source, 0) - 1
        if left > 0:
            self._waiting[source] = left
        else:
            self._waiting.pop(source, None)

    @property
    def waiting(self) -> int:
        return sum(self._waiting.values())

    # -- passwords --------------------------------------------------------------------------

    def source_wait(self, source: str) -> float:
        """Seconds before ``source`` may connect and try again (0: now)."""
        debt = self._by_source.get(source)
        if debt is None:
            return 0.0
        owed = debt.owed(self.clock())
        if owed == 0.0:
            del self._by_source[source]
        return max(owed - SOURCE_FREE_S, 0.0)

    def name_wait(self, name: str) -> float:
        """Seconds before a password for ``name`` is checked again (0: now)."""
        record = self._by_name.get(name)
        if record is None:
            return 0.0
        now = self.clock()
        if now - record.last > FORGET_AFTER_S:
            del self._by_name[name]
            return 0.0
        return record.wait_left(now)

    def password_failed(self, source: str, name: str) -> None:
        now = self.clock()
        if not self._exempt(source):
            debt = self._by_source.pop(source, None) or _Debt()
            owed = min(debt.owed(now) + SOURCE_PENALTY_S, SOURCE_FREE_S + MAX_WAIT_S)
            self._remember(self._by_source, source, _Debt(owed, now))
        record = self._by_name.pop(name, None)
        if record is None or now - record.last > FORGET_AFTER_S:
            record = _Failures()
        self._remember(self._by_name, name, _Failures(record.count + 1, now))

    def password_succeeded(self, name: str) -> None:
        """The right password ends that name's waits (an address keeps its record)."""
        self._by_name.pop(name, None)

    def uniform_check(self, password: str, stored: str | None) -> bool:
        """``verify_password`` that costs the same with no hash (a dummy one is checked)."""
        if stored is None:
            if self._dummy_hash is None:
                self._dummy_hash = hash_password("gradtui-dummy-" + str(id(self)))
            verify_password(password, self._dummy_hash)
            return False
        return verify_password(password, stored)

    # -- internals --------------------------------------------------------------------------

    def _exempt(self, source: str) -> bool:
        if not self.policy.penalty_exempt:
            return False
        try:
            address = ipaddress.ip_address(source)
        except ValueError:
            return False
        return any(address in network for network in self.policy.penalty_exempt)

    @staticmethod
    def _remember(table: OrderedDict[str, Any], key: str, value: object) -> None:
        table[key] = value  # most recent last, so the oldest are forgotten first
        while len(table) > _MAX_TRACKED:
            table.popitem(last=False)
