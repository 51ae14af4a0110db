"""A tiny Textual app standing in for gradtui in the browser (textual-serve) tests.

It shows the learner's HOME and echoes each submitted line reversed, so a test can tell the
app's answer from the keystrokes' own echo.
"""

from __future__ import annotations

import os

from textual.app import App, ComposeResult
from textual.widgets import Input, Static


class EchoApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Static(f"HOME={os.environ.get('HOME')}", id="home")
        yield Input(id="cell")
        yield Static("", id="answer")

    def on_input_submitted(self, message: Input.Submitted) -> None:
        self.query_one("#answer", Static).update(f"ANSWER {message.value[::-1]}")


if __name__ == "__main__":
    EchoApp().run()
