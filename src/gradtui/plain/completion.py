"""Tab completion for the plain REPL: Python from the kernel, ``:commands`` locally.

The kernel completes with ``inspect.getattr_static``/``dir`` only, so pressing Tab after ``y.``
never runs a learner's property or adds nodes to the graph.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document

if TYPE_CHECKING:
    from gradtui.kernel.client import KernelClient

# Commands whose argument is a tensor name (``:doc`` takes any Python name: the kernel completes).
_NAME_COMMANDS = ("graph", "dot")


class ReplCompleter(Completer):
    """Completes Python through ``client.complete`` and commands from a fixed list."""

    def __init__(
        self,
        client: KernelClient,
        command_names: Callable[[], Iterable[str]],
        tensor_names: Callable[[], Iterable[str]],
    ) -> None:
        self.client = client
        self.command_names = command_names
        self.tensor_names = tensor_names

    def get_completions(self, document: Document, complete_event: CompleteEvent):
        text = document.text_before_cursor
        stripped = text.lstrip()
        if stripped.startswith(":doc ") and "\n" not in text:
            # `:doc torch.su<Tab>`: complete the Python expression after the command.
            offset = len(text) - len(stripped) + len(":doc ")
            yield from self._kernel_completions(text[offset:], len(text) - offset)
            return
        if stripped.startswith(":") and "\n" not in text:
            yield from self._command_completions(stripped)
            return
        yield from self._kernel_completions(document.text, document.cursor_position)

    def _kernel_completions(self, source: str, cursor: int):
        try:
            candidates = self.client.complete(source, cursor)
        except Exception:  # a dead or busy kernel simply offers nothing
            return
        for cand in candidates:
            start = min(cand.start, cursor)
            yield Completion(cand.text, start_position=start - cursor, display_meta=cand.kind)

    def _command_completions(self, text: str):
        name, space, arg = text[1:].partition(" ")
        if not space:
            for command in sorted(self.command_names()):
                if command.startswith(name):
                    yield Completion(command, start_position=-len(name), display_meta="command")
            return
        if name in _NAME_COMMANDS and " " not in arg:
            for tensor in self.tensor_names():
                if tensor.startswith(arg):
                    yield Completion(tensor, start_position=-len(arg), display_meta="tensor")
