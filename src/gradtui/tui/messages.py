"""Messages widgets post up to the workspace screen ("attributes down, messages up")."""

from __future__ import annotations

from textual.message import Message

from gradtui.kernel.protocol import Snapshot


class CellSubmitted(Message):
    """The learner pressed Enter on a complete cell (Python code or a ``:command``)."""

    def __init__(self, source: str) -> None:
        super().__init__()
        self.source = source


class CellOutputArrived(Message):
    """The running cell printed: its output waits in the screen's buffer (posted from the
    kernel worker thread; one message stands for every piece buffered since the last)."""


class EmptyEnter(Message):
    """Enter on an empty input: nothing to run (a lesson takes it as "go on")."""


class CellRefused(Message):
    """Enter on a complete cell while no cell can run (``reason`` says why, with the way out)."""

    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason


class CompletionRequested(Message):
    """Tab in the input: complete the word before ``cursor`` (an offset into ``source``)."""

    def __init__(self, source: str, cursor: int) -> None:
        super().__init__()
        self.source = source
        self.cursor = cursor


class TensorSelected(Message):
    """A Tensors row was chosen: show this tensor in the Graph panel."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name


class StepRequested(Message):
    """Start a step-by-step backward of ``name`` (a key in the Graph panel)."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name


class SourceRequested(Message):
    """Show the op-table row behind ``name`` (a tensor, an op row or a grad_fn name) in the log:
    its rules and the code of its gradient (``:source``, or a key in the step-by-step walk)."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name


class DotRequested(Message):
    """Export the graph of ``name`` as Graphviz DOT (a key in the Graph panel)."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name


class LessonSnapshot(Message):
    """The lesson pane changed the kernel's state (a reset, a skip, a replay): paint this
    snapshot of it."""

    def __init__(self, snapshot: Snapshot) -> None:
        super().__init__()
        self.snapshot = snapshot


class AreaWanted(Message):
    """Bring area ``name`` (``lesson``, ``repl``, ``tensors``, ``graph``, ``grads``) to view."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name


class GraphWanted(Message):
    """Show ``name``'s graph in the Graph panel if the namespace has that tensor (a lesson
    step's ``graph``); nothing is said when it has not."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name


class InputLeft(Message):
    """Escape in the input: the learner wants to move to the panel on show."""


class PanelLeft(Message):
    """Escape in a panel with nothing left to undo: the learner wants the input back."""
