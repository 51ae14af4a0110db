"""Counting before login: startup caps, backoff per address and per name, the dummy check."""

from __future__ import annotations

import pytest

from gradtui.serve import auth_guard
from gradtui.serve.auth_guard import AuthGuard, AuthPolicy, parse_networks, source_of
from gradtui.serve.roster import hash_password


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _guard(**policy: object) -> tuple[AuthGuard, Clock]:
    clock = Clock()
    return AuthGuard(AuthPolicy(**policy), clock=clock), clock  # type: ignore[arg-type]


def test_waiting_connections_are_capped_in_all_and_per_address() -> None:
    guard, _ = _guard(max_startups=5, max_startups_per_source=3)
    assert [guard.admit("10.0.0.1") for _ in range(4)] == [None, None, None,
                                                           "max-startups-per-source"]
    assert guard.admit("10.0.0.2") is None and guard.admit("10.0.0.3") is None
    assert guard.admit("10.0.0.4") == "max-startups" and guard.waiting == 5
    guard.left_waiting("10.0.0.1")
    assert guard.admit("10.0.0.1") is None  # a slot freed by a login or a hang-up


def test_an_address_in_debt_past_its_free_share_waits_until_the_debt_drains() -> None:
    guard, clock = _guard()
    quick = int(auth_guard.SOURCE_FREE_S / auth_guard.SOURCE_PENALTY_S)  # 12
    for i in range(quick):
        guard.password_failed("10.0.0.9", f"name{i}")  # many names: the address is counted
    assert guard.source_wait("10.0.0.9") == 0
    guard.password_failed("10.0.0.9", "x")
    assert guard.source_wait("10.0.0.9") == auth_guard.SOURCE_PENALTY_S
    assert guard.admit("10.0.0.9") == "penalty" and guard.source_wait("10.0.0.10") == 0
    clock.now += auth_guard.SOURCE_PENALTY_S
    assert guard.admit("10.0.0.9") is None
    for _ in range(1000):  # a guessing storm: the wait is capped
        guard.password_failed("10.0.0.9", "x")
    assert guard.source_wait("10.0.0.9") == auth_guard.MAX_WAIT_S


def test_a_class_making_the_odd_typo_never_waits() -> None:
    guard, clock = _guard()
    for minute in range(120):  # one wrong password every 10 s for 20 minutes
        guard.password_failed("10.0.0.9", f"learner{minute % 30}")
        assert guard.source_wait("10.0.0.9") == 0
        clock.now += 10


def test_a_name_waits_after_its_free_tries_known_or_not_and_a_success_clears_it() -> None:
    guard, clock = _guard()
    for n in range(auth_guard.FREE_TRIES_PER_LEARNER + 3):
        guard.password_failed(f"10.1.0.{n}", "bob")  # from many addresses
        guard.password_failed(f"10.2.0.{n}", "nobody-of-that-name")
    assert guard.name_wait("bob") == guard.name_wait("nobody-of-that-name") == 4
    clock.now += 4
    assert guard.name_wait("bob") == 0
    guard.password_succeeded("bob")
    guard.password_failed("10.1.0.1", "bob")
    assert guard.name_wait("bob") == 0  # counting starts afresh


def test_records_are_forgotten_after_a_quiet_spell_and_the_tables_are_bounded(monkeypatch) -> None:
    guard, clock = _guard()
    for _ in range(20):
        guard.password_failed("10.0.0.1", "bob")
    clock.now += auth_guard.FORGET_AFTER_S + 1
    assert guard.name_wait("bob") == 0 and guard.source_wait("10.0.0.1") == 0
    assert "10.0.0.1" not in guard._by_source
    monkeypatch.setattr(auth_guard, "_MAX_TRACKED", 50)
    for n in range(500):
        guard.password_failed("10.0.0.1", f"random-{n}")
    assert len(guard._by_name) == 50


def test_exempt_networks_are_never_backed_off_but_names_still_are() -> None:
    guard, _ = _guard(penalty_exempt=parse_networks(["10.0.0.0/8"]))
    for _ in range(30):
        guard.password_failed("10.3.4.5", "bob")
    assert guard.source_wait("10.3.4.5") == 0 and guard.name_wait("bob") > 0
    with pytest.raises(ValueError, match="'banana' is not an address"):
        parse_networks(["banana"])


def test_source_of_counts_a_mapped_ipv6_address_as_ipv4() -> None:
    assert source_of("::ffff:10.0.0.7") == "10.0.0.7"
    assert source_of("fe80::1%eth0") == "fe80::1"
    assert source_of("127.0.0.1") == "127.0.0.1"


def test_an_unknown_learner_costs_one_scrypt_check_like_a_known_one(monkeypatch) -> None:
    checked: list[str] = []
    real = auth_guard.verify_password

    def spy(password: str, stored: str) -> bool:
        checked.append(stored)
        return real(password, stored)

    monkeypatch.setattr(auth_guard, "verify_password", spy)
    guard, _ = _guard()
    stored = hash_password("right")
    assert guard.uniform_check("guess", stored) is False
    assert guard.uniform_check("right", None) is False  # no hash: never a success
    assert guard.uniform_check("right", stored) is True
    assert len(checked) == 3
    # The dummy hash has the roster's scrypt parameters, so it costs the same.
    assert checked[1].split("$")[:4] == stored.split("$")[:4] and checked[1] != stored
