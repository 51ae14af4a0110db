"""The cell input driven with Pilot: what Enter does when a cell can or cannot run."""

from __future__ import annotations

from gradtui.tui.widgets.cell_input import CellInput

from ..conftest import settle, start_infinite_loop
from ..fake_kernel import INFINITE_LOOP


def _count_refreshes(widget) -> list[object]:
    calls: list[object] = []
    original = widget.refresh

    def spy(*args, **kwargs):
        calls.append((args, kwargs))
        return original(*args, **kwargs)

    widget.refresh = spy
    return calls


async def test_enter_on_an_empty_input_changes_nothing(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        cell_input = app.screen.query_one(CellInput)
        height = cell_input.size.height
        await pilot.press("enter", "enter", "enter")
        await pilot.pause()
        assert cell_input.text == ""
        assert cell_input.size.height == height


async def test_a_burst_of_refused_enters_changes_nothing_and_says_so_once(app, fake):
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot, app)
        await start_infinite_loop(pilot, app, fake)
        assert app.screen.state == "busy"
        cell_input = app.screen.query_one(CellInput)
        cell_input.cursor_blink = False  # the blink would redraw the cursor line on its own
        await pilot.press(*"x + 1")
        await pilot.pause()
        height = cell_input.size.height
        refreshes = _count_refreshes(cell_input)
        await pilot.press(*["enter"] * 20)
        await pilot.pause()
        assert cell_input.text == "x + 1"  # kept, no newline added
        assert cell_input.size.height == height
        assert refreshes == []
        refusals = [n for n in app._notifications if "still running" in n.message]
        assert len(refusals) == 1
        assert fake.executed == [INFINITE_LOOP]
        await pilot.press("ctrl+c")
        await settle(pilot, app)
        await pilot.press("enter")  # idle again: the kept cell runs
        await settle(pilot, app)
        assert fake.executed[-1] == "x + 1"


async def test_a_colon_command_still_runs_while_a_cell_runs(app, fake):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await start_infinite_loop(pilot, app, fake)
        app.set_input_text(":restart")
        await pilot.press("enter")
        await settle(pilot, app)
        assert fake.restarts == 1
        assert app.screen.query_one(CellInput).text == ""


async def _send_in_one_read(pilot, app, keys: list[tuple[str, str | None]]) -> None:
    """Post keys back to back, as the driver does for one terminal read (``\\x15#a``)."""
    from textual import events

    for key, character in keys:
        app.post_message(events.Key(key, character))
    await pilot.pause(0.1)


async def test_ctrl_u_read_together_with_the_next_keys_keeps_them(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        cell_input = app.screen.query_one(CellInput)
        await pilot.press(*"abc")
        await _send_in_one_read(pilot, app, [("ctrl+u", "\x15"), ("number_sign", "#"),
                                             ("a", "a")])
        assert cell_input.text == "#a"


async def test_cursor_keys_read_together_with_text_apply_in_order(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        cell_input = app.screen.query_one(CellInput)
        await _send_in_one_read(pilot, app, [("a", "a"), ("b", "b"), ("left", None),
                                             ("c", "c"), ("ctrl+w", "\x17"), ("d", "d")])
        assert cell_input.text == "db"


async def test_blank_lines_above_the_code_are_not_submitted(app, fake):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("ctrl+j", *"x = 1", "enter")
        await settle(pilot, app)
        assert fake.executed[-1] == "x = 1"


async def test_backspace_in_the_indent_removes_one_level(app):
    async with app.run_test(size=(80, 24)) as pilot:
        cell_input = app.screen.query_one(CellInput)
        cell_input.focus()
        await pilot.press(*"for i in range(2):", "enter", *"if i:", "enter")
        assert cell_input.text.endswith("\n        ")
        await pilot.press("backspace")
        assert cell_input.text.endswith("\n    ")  # one level, not one space
        await pilot.press("backspace")
        assert cell_input.text.endswith(":\n")
        await pilot.press(*"   x", "backspace")  # after text: one character
        assert cell_input.text.endswith(":\n   ")
        await pilot.press("backspace")  # three spaces: back to the level below (none)
        assert cell_input.text.endswith(":\n")
