"""The completion popup: candidates from the kernel, Enter/Tab picks one, Escape closes."""

from __future__ import annotations

from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from gradtui.kernel.protocol import Completion


class CompletionList(OptionList):
    """Shown above the input while choosing; hidden otherwise."""

    BINDINGS = [
        Binding("tab", "select", "Pick", show=False),
        Binding("escape", "dismiss", "Close", show=False),
    ]

    DEFAULT_CSS = """
    CompletionList { height: auto; max-height: 8; display: none; }
    CompletionList.-shown { display: block; }
    """

    class Picked(Message):
        """A completion was chosen (``None`` when the popup was dismissed)."""

        def __init__(self, completion: Completion | None, cursor: int) -> None:
            super().__init__()
            self.completion = completion
            self.cursor = cursor

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.completions: list[Completion] = []
        self.cursor = 0

    def show(self, completions: list[Completion], cursor: int) -> None:
        """Fill and show the popup; ``cursor`` is where the completed word ends."""
        self.completions = completions
        self.cursor = cursor
        self.clear_options()
        self.add_options(Option(f"{c.text}  ({c.kind})") for c in completions)
        self.highlighted = 0
        self.add_class("-shown")
        self.focus()

    def hide(self) -> None:
        self.remove_class("-shown")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.hide()
        self.post_message(self.Picked(self.completions[event.option_index], self.cursor))

    def action_dismiss(self) -> None:
        self.hide()
        self.post_message(self.Picked(None, self.cursor))
