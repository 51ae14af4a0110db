from __future__ import annotations

from gradtui.lessons.textplot import text_plot


def test_a_falling_series_starts_top_left_and_ends_bottom_right() -> None:
    rows = text_plot([9.0, 4.0, 1.0, 0.0], height=4, ascii_only=True).splitlines()
    assert rows[0] == "9 |*"
    assert rows[2] == "  | *"  # 4 is 5/9 of the way down: the third of four rows
    assert rows[3] == "0 |  **"
    assert rows[4] == "  +----"


def test_long_series_are_averaged_into_the_width() -> None:
    rows = text_plot([float(i) for i in range(300)], width=30, height=3).splitlines()
    assert len(rows[-2]) == len("    └") + 30 - 1 + 1


def test_nothing_finite_to_plot_says_so() -> None:
    assert text_plot([float("nan")], title="losses") == "losses: nothing to plot yet"
