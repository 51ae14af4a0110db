"""The lab log: client text escaped, one record one line, floods rate-limited."""

from __future__ import annotations

import io
import logging

import pytest

from gradtui.serve.lab_log import RateLimit, escape, event, setup_logging


@pytest.fixture
def logged() -> io.StringIO:
    stream = io.StringIO()
    setup_logging(stream)
    yield stream
    setup_logging(io.StringIO())  # later tests must not write into this one


def test_escape_writes_out_controls_separators_and_bidi_but_keeps_letters() -> None:
    assert escape("alice") == "alice"
    assert escape("Zoë 李") == "Zoë 李"
    assert escape("a\nb\r\tc") == "a\\nb\\r\\tc"
    assert escape("\x1b[2J\x07\x7f\x9b") == "\\x1b[2J\\x07\\x7f\\x9b"
    assert escape("\u2028\u202e\u200b") == "\\u2028\\u202e\\u200b"
    assert escape("\ud800") == "\\ud800"
    # A backslash is doubled, so a typed "\n" cannot pass for an escaped newline.
    assert escape("a\\nb") == "a\\\\nb"


def test_an_event_value_cannot_forge_a_line_or_reach_the_terminal(logged) -> None:
    forged = "x\n2026-01-01T00:00:00Z auth user=teacher method=password result=ok\x1b]0;hi\x07"
    event("session", user="bob", term=forged, size="80x24")
    lines = logged.getvalue().splitlines()
    assert len(lines) == 1
    assert "\x1b" not in lines[0] and "\x07" not in lines[0]
    assert ' term="x\\n2026-01-01T00:00:00Z auth user=teacher' in lines[0]
    assert lines[0].endswith('\\x1b]0;hi\\x07" size=80x24')


def test_other_libraries_records_are_neutralised_and_tracebacks_indented(logged) -> None:
    other = logging.getLogger("aiohttp.access")
    other.warning("GET /%s", "a\nb\x1b[31m")
    try:
        raise ValueError("line one\n2026-01-01T00:00:00Z auth user=teacher result=ok")
    except ValueError:
        logging.getLogger("asyncio").error("accept failed", exc_info=True)
    lines = logged.getvalue().splitlines()
    assert lines[0].endswith("GET /a\\nb\\x1b[31m")
    assert "\x1b" not in logged.getvalue()
    # Only timestamped lines start at the left edge: a traceback cannot start a forged one.
    assert all(line.startswith(("20", "  | ")) for line in lines), lines
    assert sum(1 for line in lines if not line.startswith("  | ")) == 2


def test_a_flood_of_one_kind_is_held_back_and_counted_others_pass(logged) -> None:
    now = [0.0]
    limit = RateLimit(burst=5, rate_per_s=1.0, clock=lambda: now[0])
    setup_logging(logged, rate_limit=limit)
    for _ in range(50):
        event("auth", user="bob", result="refused")
    event("session", user="alice")
    text = logged.getvalue()
    assert text.count(" auth ") == 5 and "session user=alice" in text
    assert limit.held_back() == {"auth": 45}
    now[0] = 2.5  # two tokens back
    event("auth", user="bob", result="refused")
    event("auth", user="bob", result="refused")
    event("auth", user="bob", result="refused")
    lines = logged.getvalue().splitlines()
    assert lines[-3].endswith("log-suppressed kind=auth count=45")
    assert lines[-2].endswith("auth user=bob result=refused")
    assert limit.held_back() == {"auth": 1}
