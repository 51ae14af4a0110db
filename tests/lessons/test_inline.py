"""Inline code in messages: split into pieces, styled or stripped, never left as backticks."""

from __future__ import annotations

from gradtui.lessons.inline import code_pieces, mark_code, render_plain, unmark


def test_messages_split_into_text_and_code() -> None:
    assert code_pieces("`x.grad` is None: call `o.backward()`.") == [
        ("x.grad", True), (" is None: call ", False), ("o.backward()", True), (".", False)]
    assert code_pieces("no code here") == [("no code here", False)]
    assert code_pieces("an unpaired ` stays") == [("an unpaired ` stays", False)]


def test_a_full_stop_after_code_ending_in_one_is_not_doubled() -> None:
    assert render_plain("`x.grad` should be `10.`.") == "x.grad should be 10."
    assert render_plain("it is `1.5`.") == "it is 1.5."


def test_without_colour_the_backticks_go_and_with_colour_code_is_bold_cyan() -> None:
    assert render_plain("set `requires_grad=True`") == "set requires_grad=True"
    assert render_plain("set `requires_grad=True`", colour=True) == (
        "set \x1b[1;36mrequires_grad=True\x1b[0m")


def test_marked_text_can_be_wrapped_before_the_code_is_styled() -> None:
    marked = mark_code("call `torch.autograd.grad(y, x)` now")
    wrapped = marked.replace(" x)", "\nx)")  # a line break inside the code span
    assert unmark(wrapped) == "call torch.autograd.grad(y,\nx) now"
    assert "`" not in unmark(wrapped, colour=True)
