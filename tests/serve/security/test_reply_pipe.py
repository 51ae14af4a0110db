"""Issue 12 item 4: learner code writing into the kernel's reply pipe cannot bomb or hang the app.

The reply pipe is one of the kernel's own file descriptors, so any cell can write to it. Every
attack ends the same way: the front end stays small and responsive, says the kernel was stopped
and why, and ``:restart`` gives a working kernel.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from gradtui.kernel import KernelDied, wire
from gradtui.kernel.client import KernelClient

from . import hostile_cells

DRIVER = Path(__file__).with_name("pipe_attack_client.py")


def _attack_in_own_process(attack: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, str(DRIVER), attack], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _execute_bounded(client: KernelClient, source: str, seconds: float = 60) -> object:
    """``client.execute(source)``'s reply or exception; fails the test if it hangs."""
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(client.execute(source))
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert outcome, f"the front end still waits after {seconds} s"
    return outcome[0]


def test_a_512_mb_line_stops_the_kernel_and_the_app_stays_small() -> None:
    report = _attack_in_own_process("HUGE_LINE")
    assert report["outcome"] == "died"
    assert "longer than 32.0 MiB" in str(report["message"])
    assert ":restart" in str(report["message"])
    # Before: 2.1 GB. Now: the interpreter, the client and at most one capped line.
    assert int(report["maxrss_mb"]) < 32 + 120, report
    assert report["after_restart"] == "2"


def test_forged_output_events_past_the_cells_cap_stop_the_kernel() -> None:
    report = _attack_in_own_process("FORGED_STREAM_FLOOD")
    assert report["outcome"] == "died"
    assert "more than 1,100,000 characters of output for one cell" in str(report["message"])
    assert int(report["maxrss_mb"]) < 120, report
    assert report["after_restart"] == "2"


def test_a_stderr_flood_without_newlines_is_kept_as_a_short_tail() -> None:
    report = _attack_in_own_process("STDERR_FLOOD")
    assert report["outcome"] == "reply" and report["ok"] is True
    assert int(report["stderr_tail_chars"]) < 100_000
    assert int(report["maxrss_mb"]) < 120, report


def test_half_a_reply_then_the_real_one_is_refused_at_once_not_waited_on() -> None:
    with KernelClient(memory_limit_mb=1024) as client:
        outcome = _execute_bounded(client, hostile_cells.PARTIAL_LINE)
        assert isinstance(outcome, KernelDied)
        assert "the kernel was stopped: it sent a message that is not JSON" in str(outcome)
        assert client.state == "dead"
        client.restart()
        assert client.execute("1 + 1").result.value_repr == "2"


def test_half_a_reply_and_then_silence_is_a_violation_after_the_stall_time(monkeypatch) -> None:
    monkeypatch.setattr(wire, "LINE_STALL_S", 1.0)
    with KernelClient(memory_limit_mb=1024) as client:
        outcome = _execute_bounded(client, hostile_cells.PARTIAL_LINE_THEN_WAIT, seconds=30)
        assert isinstance(outcome, KernelDied)
        assert "an unfinished message" in str(outcome) and "no end for 1 s" in str(outcome)
        client.restart()
        assert client.execute("2 + 2").result.value_repr == "4"


@pytest.mark.parametrize(
    ("attack", "says"),
    [
        ("NOT_JSON", "a message that is not JSON: '\\x1b]0;pwned"),
        ("FORGED_REPLY", "a malformed execute reply"),
    ],
)
def test_garbage_or_a_forged_reply_stops_the_kernel_with_a_clear_message(
    attack: str, says: str
) -> None:
    with KernelClient(memory_limit_mb=1024) as client:
        outcome = _execute_bounded(client, getattr(hostile_cells, attack))
        assert isinstance(outcome, KernelDied), outcome
        assert says in str(outcome)
        # Any later call says the same, not a traceback.
        with pytest.raises(KernelDied, match="stopped: it sent"):
            client.execute("1")
        client.restart()
        assert client.execute("3 * 3").result.value_repr == "9"
