"""Tab completion: Python names from the kernel, commands and tensor names locally."""

from __future__ import annotations

from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document

from gradtui.kernel.protocol import Completion
from gradtui.plain.completion import ReplCompleter


class Client:
    def __init__(self, answer: list[Completion] | Exception) -> None:
        self.answer = answer
        self.calls: list[tuple[str, int]] = []

    def complete(self, source: str, cursor: int) -> list[Completion]:
        self.calls.append((source, cursor))
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def completions(completer: ReplCompleter, text: str, cursor: int | None = None):
    document = Document(text, len(text) if cursor is None else cursor)
    return [(c.text, c.start_position)
            for c in completer.get_completions(document, CompleteEvent(completion_requested=True))]


def make(answer: list[Completion] | Exception) -> tuple[ReplCompleter, Client]:
    client = Client(answer)
    return ReplCompleter(client, lambda: ["tensors", "graph", "grads"],
                         lambda: ["x", "y", "params[0]"]), client


def test_python_completion_comes_from_the_kernel_with_its_replacement_start() -> None:
    completer, client = make([Completion("backward", "attribute", 2),
                              Completion("bfloat16", "attribute", 2)])
    assert completions(completer, "y.b") == [("backward", -1), ("bfloat16", -1)]
    assert client.calls == [("y.b", 3)]


def test_the_whole_cell_and_cursor_go_to_the_kernel() -> None:
    completer, client = make([])
    completions(completer, "x = 1\ny.gr + 2", cursor=10)
    assert client.calls == [("x = 1\ny.gr + 2", 10)]


def test_a_dead_kernel_offers_no_completion_instead_of_crashing() -> None:
    completer, _ = make(RuntimeError("the kernel died"))
    assert completions(completer, "y.") == []


def test_commands_and_tensor_names_complete_locally() -> None:
    completer, client = make([])
    assert completions(completer, ":gr") == [("grads", -2), ("graph", -2)]  # sorted
    assert completions(completer, ":graph ") == [("x", 0), ("y", 0), ("params[0]", 0)]
    assert completions(completer, ":graph p") == [("params[0]", -1)]
    assert completions(completer, ":tensors x") == []
    assert client.calls == []


def test_doc_argument_is_completed_by_the_kernel() -> None:
    completer, client = make([Completion("sum", "attribute", 6)])
    assert completions(completer, ":doc torch.su") == [("sum", -2)]
    assert client.calls == [("torch.su", 8)]
