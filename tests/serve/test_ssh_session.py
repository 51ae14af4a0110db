"""What a learner's SSH session tells them when it refuses or ends them."""

from __future__ import annotations

import pytest

from gradtui.serve.ssh_session import full_message, idle_message


@pytest.mark.parametrize(("limit", "text"), [
    (1, "the lab is full (1 learner is connected)"),
    (30, "the lab is full (30 learners are connected)"),
])
def test_full_message_counts_learners_in_good_english(limit: int, text: str) -> None:
    assert text in full_message(limit)


@pytest.mark.parametrize(("seconds", "text"), [
    (1, "after 1 second without"),
    (8, "after 8 seconds without"),
    (60, "after 1 minute without"),
    (1800, "after 30 minutes without"),
    (90, "after 1.5 minutes without"),
])
def test_idle_message_says_how_long(seconds: float, text: str) -> None:
    assert text in idle_message(seconds)
