"""The per-cell output log: write order, the cap, and what the streamer takes as it goes."""

from __future__ import annotations

from gradtui.kernel.capture import OutputLog
from gradtui.kernel.protocol import StreamChunk


def test_take_unsent_gives_each_write_once_in_order_merging_runs_of_one_stream() -> None:
    log = OutputLog()
    log.write("stdout", "a")
    log.write("stdout", "b")
    assert log.take_unsent() == [StreamChunk("stdout", "ab")]
    log.write("stdout", "c")
    log.write("stderr", "!")
    log.write("stdout", "d")
    assert log.take_unsent() == [StreamChunk("stdout", "c"), StreamChunk("stderr", "!"),
                                 StreamChunk("stdout", "d")]
    assert log.take_unsent() == []
    assert log.chunks() == [StreamChunk("stdout", "abc"), StreamChunk("stderr", "!"),
                            StreamChunk("stdout", "d")]


def test_on_write_is_told_of_every_kept_write() -> None:
    calls = []
    log = OutputLog(max_chars=3, on_write=lambda: calls.append(1))
    log.write("stdout", "")
    log.write("stdout", "ab")
    log.write("stdout", "cd")  # cut to "c"
    log.write("stdout", "ef")  # dropped entirely: nothing new to send
    assert len(calls) == 2


def test_a_cut_is_announced_at_once_and_counted_at_the_end() -> None:
    log = OutputLog(max_chars=5)
    log.write("stdout", "1234567")
    first = log.take_unsent()
    assert first[0] == StreamChunk("stdout", "12345")
    assert "output cut after 5 characters" in first[1].text and first[1].stream == "stderr"
    log.write("stdout", "more")
    assert log.take_unsent() == []  # announced once
    final = log.take_unsent(final=True)
    assert len(final) == 1 and "6 more were dropped" in final[0].text


def test_a_cut_found_only_at_the_end_gets_one_note() -> None:
    log = OutputLog(max_chars=2)
    log.write("stdout", "abc")
    final = log.take_unsent(final=True)
    assert [c.text for c in final][0] == "ab"
    assert len(final) == 2 and "1 more were dropped" in final[1].text
