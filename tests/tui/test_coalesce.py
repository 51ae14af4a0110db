from __future__ import annotations

from gradtui.tui.coalesce import Coalescer


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_first_value_after_a_quiet_spell_is_painted_at_once():
    coalescer: Coalescer[int] = Coalescer(0.05, Clock())
    assert coalescer.offer(1) == 0.0
    assert coalescer.take() == 1


def test_a_burst_schedules_one_paint_of_the_newest_value():
    clock = Clock()
    coalescer: Coalescer[int] = Coalescer(0.05, clock)
    coalescer.offer(0)
    coalescer.take()
    coalescer.painted()
    clock.now += 0.01
    delays = [coalescer.offer(i) for i in range(1, 50)]
    assert abs(delays[0] - 0.04) < 1e-9
    assert delays[1:] == [None] * 48
    assert coalescer.take() == 49


def test_the_interval_counts_from_the_end_of_a_slow_repaint():
    clock = Clock()
    coalescer: Coalescer[str] = Coalescer(0.05, clock)
    coalescer.offer("a")
    coalescer.take()
    clock.now += 0.2  # the repaint itself took 200 ms
    coalescer.painted()
    assert abs(coalescer.offer("b") - 0.05) < 1e-9
