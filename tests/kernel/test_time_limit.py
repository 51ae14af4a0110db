"""The time limit on the kernel's own work around learner objects."""

from __future__ import annotations

import signal
import threading
import time

import pytest

from gradtui.kernel.time_limit import OpTimedOut, time_limit


def test_a_loop_past_the_limit_is_stopped_and_says_so() -> None:
    started = time.monotonic()
    with pytest.raises(OpTimedOut, match="took longer than 0.2 s"):
        with time_limit(0.2) as limit:
            while True:
                pass
    assert limit.fired and time.monotonic() - started < 5


def test_learner_code_that_swallows_the_first_one_is_stopped_again() -> None:
    caught = 0
    with pytest.raises(OpTimedOut):
        with time_limit(0.1):
            while True:
                try:
                    while True:
                        pass
                except BaseException:  # noqa: BLE001 - what hostile learner code does
                    caught += 1
                    if caught >= 3:
                        raise
    assert 1 <= caught <= 3  # from the second firing on, even the except body raises


STUBBORN = """
import sys
import time
from gradtui.kernel.time_limit import OpTimedOut, time_limit

def stubborn():
    while True:
        try:
            while True:
                pass
        except BaseException:
            pass

started = time.monotonic()
try:
    with time_limit(0.3):
        stubborn()
except OpTimedOut:
    print(f"stopped after {time.monotonic() - started:.1f} s")
print("trace left:", sys.gettrace(), sum(range(10)))
"""


def test_a_loop_that_swallows_every_one_is_stopped_on_every_python() -> None:
    """On 3.12+ the signal is always handled inside the inner ``try`` of this loop, so every
    repeat was swallowed and a lesson check or snapshot hung the kernel for good."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", STUBBORN], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("stopped after"), done.stdout
    assert done.stdout.splitlines()[-1] == "trace left: None 45"  # nothing raises any more


def test_quick_work_is_untouched_and_the_previous_handler_and_timer_come_back() -> None:
    def mine(signum: int, frame: object) -> None:
        pass

    previous = signal.signal(signal.SIGALRM, mine)
    try:
        signal.setitimer(signal.ITIMER_REAL, 30)
        with time_limit(5) as limit:
            value = sum(range(1000))
        assert value == 499500 and not limit.fired
        assert signal.getsignal(signal.SIGALRM) is mine
        assert 25 < signal.getitimer(signal.ITIMER_REAL)[0] <= 30  # the learner's own alarm
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_a_blocked_alarm_signal_is_unblocked_first() -> None:
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
    try:
        with pytest.raises(OpTimedOut):
            with time_limit(0.1):
                while True:
                    pass
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGALRM})


def test_outside_the_main_thread_there_is_no_limit() -> None:
    outcome: list[bool] = []

    def work() -> None:
        with time_limit(0.05) as limit:
            time.sleep(0.2)
        outcome.append(limit.fired)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(5)
    assert outcome == [False]


def test_an_enclosing_limit_keeps_counting_while_inner_ones_run() -> None:
    started = time.monotonic()
    inner_fired = 0
    with pytest.raises(OpTimedOut):
        with time_limit(0.6) as outer:
            while True:
                try:
                    with time_limit(0.2):
                        while True:
                            pass
                except OpTimedOut:
                    if outer.fired:  # the enclosing limit's turn: stop trying
                        raise
                    inner_fired += 1
    assert outer.fired and 2 <= inner_fired <= 3 and time.monotonic() - started < 3
