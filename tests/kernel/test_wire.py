"""Bounded line reading: a long line, a stalled line and non-JSON are violations, not hangs."""

from __future__ import annotations

import os
import threading
import time

import pytest

from gradtui.kernel.wire import LineReader, ProtocolViolation, decode_message, drain_lines


@pytest.fixture
def pipe():
    read_end, write_end = os.pipe()
    yield read_end, write_end
    for fd in (read_end, write_end):
        try:
            os.close(fd)
        except OSError:
            pass


def _write_soon(fd: int, *chunks: bytes, gap: float = 0.05) -> threading.Thread:
    def work() -> None:
        for chunk in chunks:
            time.sleep(gap)
            try:
                os.write(fd, chunk)
            except OSError:
                return  # the reader gave up and closed its end

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    return thread


def test_lines_come_whole_and_in_order_across_reads(pipe) -> None:
    read_end, write_end = pipe
    reader = LineReader(read_end)
    _write_soon(write_end, b'{"a": 1}\n{"b"', b": 2}\n\n")
    assert reader.read_line() == b'{"a": 1}'
    assert reader.read_line() == b'{"b": 2}'
    assert reader.read_line() == b""


def test_end_of_file_is_none_and_a_half_line_before_it_is_a_violation(pipe) -> None:
    read_end, write_end = pipe
    reader = LineReader(read_end)
    os.write(write_end, b"done\n")
    os.close(write_end)
    assert reader.read_line() == b"done"
    assert reader.read_line() is None

    again_read, again_write = os.pipe()
    try:
        os.write(again_write, b'{"id": 3, ')
        os.close(again_write)
        with pytest.raises(ProtocolViolation, match="unfinished message"):
            LineReader(again_read).read_line()
    finally:
        os.close(again_read)


def test_a_line_over_the_cap_stops_reading_with_a_bounded_buffer(pipe) -> None:
    read_end, write_end = pipe
    reader = LineReader(read_end, max_line_bytes=100_000)
    writer = _write_soon(write_end, *([b"x" * 60_000] * 10), gap=0)
    with pytest.raises(ProtocolViolation, match="longer than 97.7 KiB"):
        reader.read_line()
    # It stopped reading at the cap: the writer is still blocked on a full pipe.
    assert len(reader._buffer) <= 100_000 + 65_536
    os.close(read_end)
    writer.join(5)


def test_a_line_that_stops_half_way_is_a_violation_after_the_stall_time(pipe) -> None:
    read_end, write_end = pipe
    reader = LineReader(read_end, stall_s=0.3)
    os.write(write_end, b'{"id": 1, "ok": tr')
    started = time.monotonic()
    with pytest.raises(ProtocolViolation, match=r"no end for 0.3 s"):
        reader.read_line()
    assert time.monotonic() - started < 3


def test_a_slow_but_flowing_line_is_not_a_stall(pipe) -> None:
    read_end, write_end = pipe
    reader = LineReader(read_end, stall_s=0.5)
    _write_soon(write_end, *([b"ab"] * 8), b"\n", gap=0.1)  # 0.9 s in all, never 0.5 s idle
    assert reader.read_line() == b"ab" * 8


def test_waiting_between_lines_is_unbounded_unless_a_timeout_is_given(pipe) -> None:
    read_end, write_end = pipe
    reader = LineReader(read_end, stall_s=0.1)
    _write_soon(write_end, b"late\n", gap=0.4)  # longer than stall_s: only mid-line counts
    assert reader.read_line() == b"late"
    with pytest.raises(TimeoutError):
        reader.read_line(timeout=0.1)


def test_decode_message_accepts_objects_only() -> None:
    assert decode_message(b'{"id": 1}') == {"id": 1}
    for bad in (b"[1, 2]", b"not json", b'{"id": ', b"\xff\xfe", b"[" * 100_000):
        with pytest.raises(ProtocolViolation):
            decode_message(bad)


def test_drain_lines_cuts_a_flood_without_newlines(pipe) -> None:
    read_end, write_end = pipe
    seen: list[str] = []
    thread = threading.Thread(target=drain_lines, args=(read_end, seen.append),
                              kwargs={"max_line_chars": 10}, daemon=True)
    thread.start()
    os.write(write_end, b"short\n" + b"y" * 200_000 + b"\nlast")
    os.close(write_end)
    thread.join(5)
    assert seen == ["short\n", "y" * 10 + " [... 199,990 more bytes]\n", "last\n"]
