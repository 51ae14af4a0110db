"""Output routing and colour decisions of the plain REPL."""

from __future__ import annotations

import io
import re

import pytest

from gradtui.kernel.protocol import CellResult, ErrorInfo, StreamChunk
from gradtui.plain.console import Console, ascii_wanted, colour_wanted

ANSI = re.compile(r"\x1b\[[0-9;]*m")


class FakeTty(io.StringIO):
    def __init__(self, encoding: str = "utf-8") -> None:
        super().__init__()
        self._encoding = encoding

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self._encoding

    def isatty(self) -> bool:
        return True


def result() -> CellResult:
    return CellResult(
        ok=False,
        output=[StreamChunk("stdout", "a\n"), StreamChunk("stderr", "warn\n"),
                StreamChunk("stdout", "b\n")],
        value_repr=None,
        error=ErrorInfo("ValueError", "bad",
                        "Traceback (most recent call last):\nValueError: bad\n"),
    )


def test_cell_output_keeps_streams_apart_and_the_traceback_goes_to_stderr() -> None:
    out, err = io.StringIO(), io.StringIO()
    Console(out, err).cell_result(result())
    assert out.getvalue() == "a\nb\n"
    assert err.getvalue() == "warn\nTraceback (most recent call last):\nValueError: bad\n"


def test_echoed_values_are_highlighted_only_with_colour() -> None:
    value = CellResult(ok=True, value_repr="tensor([1., 2.], requires_grad=True)")
    plain, coloured = io.StringIO(), io.StringIO()
    Console(plain, io.StringIO()).cell_result(value)
    Console(coloured, io.StringIO(), colour=True).cell_result(value)
    assert plain.getvalue() == "tensor([1., 2.], requires_grad=True)\n"
    assert "\x1b[" in coloured.getvalue()
    assert ANSI.sub("", coloured.getvalue()) == plain.getvalue()


@pytest.mark.parametrize(
    ("environ", "tty", "wanted"),
    [
        ({"TERM": "xterm-256color"}, True, True),
        ({"TERM": "xterm-256color", "NO_COLOR": ""}, True, False),  # any value, even empty
        ({"TERM": "dumb"}, True, False),
        ({}, True, False),
        ({"TERM": "xterm-256color"}, False, False),
    ],
)
def test_colour_only_on_terminals_that_want_it(environ: dict, tty: bool, wanted: bool) -> None:
    stream = FakeTty() if tty else io.StringIO()
    assert colour_wanted(stream, environ) is wanted


def test_ascii_views_on_dumb_terminals_and_non_unicode_encodings() -> None:
    assert not ascii_wanted(FakeTty("utf-8"), {"TERM": "xterm"})
    assert ascii_wanted(FakeTty("utf-8"), {"TERM": "dumb"})
    assert ascii_wanted(FakeTty("ascii"), {"TERM": "xterm"})
    assert ascii_wanted(FakeTty("latin-1"), {"TERM": "xterm"})


@pytest.mark.parametrize("term", ["linux", "vt100", "vt220", "ansi"])
def test_ascii_views_on_console_terminals_like_the_workspace(term: str) -> None:
    # The workspace draws ASCII for these TERMs; the plain REPL must not draw arrows there.
    assert ascii_wanted(FakeTty("utf-8"), {"TERM": term})


def test_ascii_views_when_gradtui_ascii_is_set() -> None:
    assert ascii_wanted(FakeTty("utf-8"), {"TERM": "xterm", "GRADTUI_ASCII": "1"})


@pytest.mark.parametrize("encoding", ["latin-1", "ascii"])
def test_text_a_terminal_cannot_encode_gets_stand_ins_instead_of_a_crash(encoding: str) -> None:
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding=encoding)
    console = Console(stream, stream)
    console.text("f(x) = (x − 3)², so df/dx = 2(x − 3) → ½ · 2 ✓ 🙂")
    stream.flush()
    assert raw.getvalue().decode(encoding) == (
        "f(x) = (x - 3)^2, so df/dx = 2(x - 3) -> 1/2 * 2 ok ?\n")


def test_derivative_primes_and_superscripts_of_the_lessons_get_stand_ins() -> None:
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="ascii")
    Console(stream, stream).text("y′ = 3x², y″ = 6x, y‴ = 6; eˣ; X·wᵀ")
    stream.flush()
    assert raw.getvalue().decode("ascii") == "y' = 3x^2, y'' = 6x, y''' = 6; e^x; X*w^T\n"


def test_learner_escape_sequences_are_shown_not_obeyed_wherever_they_come_from() -> None:
    """Issue 12 item 11: a cell's title, clipboard (OSC 52) and screen-clear sequences reached
    the real terminal. Output, a repr and an exception message are all learner text."""
    out, err = FakeTty(), FakeTty()
    console = Console(out, err, colour=True)
    console.stream(StreamChunk("stdout", "\x1b[32mgreen\x1b[0m \x1b]0;pw"))
    console.stream(StreamChunk("stdout", "ned\x07 \x1b[2J\x1b["))
    console.stream(StreamChunk("stderr", "\x1b]52;c;aGk=\x07\n"))
    console.cell_result(CellResult(
        ok=False, output=[], output_streamed=True, value_repr="'\x1b[?1049h'",
        error=ErrorInfo("ValueError", "\x1bc", "ValueError: \x1bc\n"),
    ))
    shown = out.getvalue() + err.getvalue()
    assert "\x1b[32mgreen\x1b[0m ^[]0;pwned^G ^[[2J^[[" in out.getvalue()
    assert "^[]52;c;aGk=^G" in err.getvalue()
    assert "^[[?1049h" in shown and "ValueError: ^[c" in shown
    assert not re.search(r"\x1b(?!\[[0-9;]*m)", shown), repr(shown)  # only colours act
