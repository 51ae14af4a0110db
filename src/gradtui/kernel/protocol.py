"""The data that crosses the kernel boundary: cell results, snapshots, completions.

Everything here is a plain dataclass of JSON-serialisable fields, so a reply can go over the
kernel's line-delimited JSON pipe and front ends (Textual app, plain REPL, lesson runner) render or
judge it without ever touching a learner's objects. ``to_dict``/``from_dict`` are the only
(de)serialisers; the kernel process and its client both use them.

Graph node ids are strings, stable within one snapshot (``"n<int>"``); a leaf's id is the id of
its ``AccumulateGrad`` node. Ids are given in a deterministic walk order, so the same learner
state gets the same ids (a ``BackwardTrace`` names nodes as the snapshot before it did). When the
node cap cut the graph, a ``next`` entry may name an id missing from ``Snapshot.nodes`` (show it
as "graph cut here"). Shapes are lists of ints (``[]`` for a 0-d tensor).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Literal, TypeVar

T = TypeVar("T")


@dataclass
class StreamChunk:
    """One write of a cell to stdout or stderr, kept in the order the cell wrote them."""

    stream: Literal["stdout", "stderr"]
    text: str


@dataclass
class ErrorInfo:
    """An exception raised by learner code, traceback trimmed to the learner's own frames."""

    type: str  # e.g. "RuntimeError" (qualified for non-builtins: "mymod.MyError")
    message: str  # str(exc)
    traceback: str  # the full trimmed traceback text, ending with "Type: message\n"


@dataclass
class WarningInfo:
    """A warning a cell raised (and showed on its stderr), for lesson feedback to explain."""

    type: str  # e.g. "UserWarning" (qualified for non-builtins, like ErrorInfo.type)
    message: str  # str(warning.message)


# A cell warning in a loop (under the learner's own "always" filter) would otherwise fill the
# reply; the first few are the ones feedback explains, and a message's start says what it is.
MAX_CELL_WARNINGS = 20
MAX_WARNING_CHARS = 2000


@dataclass
class CellResult:
    """What running one cell produced."""

    ok: bool
    output: list[StreamChunk] = field(default_factory=list)
    value_repr: str | None = None  # repr of a trailing expression; None when nothing is echoed
    error: ErrorInfo | None = None
    duration_s: float = 0.0
    execution_count: int = 0
    # True when ``output`` already reached the front end while the cell ran (stream events
    # handed to ``KernelClient.execute``'s ``on_output``): show only the value or the error.
    output_streamed: bool = False
    # The warnings the cell showed, in order: at most 20, each message cut to 2,000 characters.
    warnings: list[WarningInfo] = field(default_factory=list)

    @property
    def stdout(self) -> str:
        return "".join(c.text for c in self.output if c.stream == "stdout")

    @property
    def stderr(self) -> str:
        return "".join(c.text for c in self.output if c.stream == "stderr")


@dataclass
class SavedValue:
    """A value a graph node saved for its backward (e.g. MulBackward0's ``self``/``other``)."""

    name: str
    preview: str  # short text, e.g. "tensor([2., 2.])" or "2" for a scalar
    shape: list[int] | None = None  # None for Python scalars


@dataclass
class GraphNode:
    """A node of the autograd graph: a grad_fn, or the AccumulateGrad of a leaf."""

    id: str
    name: str  # "MulBackward0", or "AccumulateGrad" for leaves
    kind: Literal["op", "leaf"]
    shape: list[int]  # shape of the tensor this node produced (leaf: the leaf's shape)
    next: list[str | None] = field(default_factory=list)  # next_functions order; None = constant
    saved: list[SavedValue] = field(default_factory=list)
    saved_freed: bool = False  # buffers freed by a backward without retain_graph
    variable: str | None = None  # leaf: the namespace name of the tensor it accumulates into
    got_grad: bool = False  # leaf: received a gradient in the last backward
    rules: list[str] = field(default_factory=list)  # op: local derivative per input, in words
    # op: preview of the gradient of its output that reached it in the latest backward pass
    # (None: it did not run in that pass). A leaf's is its tensor's ``grad_preview``.
    grad: str | None = None
    # op, after a backward without retain_graph: the names of the saved tensors it freed
    # (``["self", "other"]`` for mul, ``["result"]`` for exp), so a front end can say that a
    # value it showed before was freed, not never kept.
    freed: list[str] = field(default_factory=list)
    # dtype of the tensor this node produced (``"float32"``), when known from what it holds:
    # the gradient that reached it (torch's grads have their tensor's dtype) or a saved result.
    dtype: str | None = None


@dataclass
class TensorInfo:
    """One tensor bound in the learner's namespace (or one level inside a list/tuple/dict)."""

    name: str  # "x", "params[0]", "d['w']"
    shape: list[int]
    dtype: str  # "torch.float32"
    requires_grad: bool
    is_leaf: bool
    grad_fn: str | None  # "MulBackward0"
    node: str | None  # id of its grad_fn node, or of its AccumulateGrad node for a grad leaf
    value_preview: str  # short one-line preview of the values
    grad_preview: str | None  # None when .grad is None (or the tensor is a non-leaf)
    numel: int = 0
    values: list[Any] | None = None  # nested list of values when numel <= 64 (0-d: [v]), else None
    grad_values: list[Any] | None = None  # same for .grad
    version: int = 0  # torch's version counter (in-place ops bump it)
    # The REPL's ``_`` (or an item of it) holding what the last cell echoed, not a name the
    # learner bound: front ends draw its graph but list it as no tensor of its own.
    echo: bool = False


@dataclass
class Snapshot:
    """The learner's state after a cell: tensors, the graph reachable from them, what was cut."""

    tensors: list[TensorInfo] = field(default_factory=list)
    nodes: dict[str, GraphNode] = field(default_factory=dict)
    last_backward: list[str] = field(default_factory=list)  # leaf node ids that got grads
    truncated: list[str] = field(default_factory=list)  # human notes: "graph cut at 2000 nodes"
    last_value: str | None = None  # name of the tensor the last cell echoed (or "_"), if any

    def tensor(self, name: str) -> TensorInfo | None:
        """The tensor bound to ``name``, or None."""
        return next((t for t in self.tensors if t.name == name), None)

    def listed(self) -> list[TensorInfo]:
        """The tensors bound to the learner's names: what tables list (not the REPL's echo)."""
        return [t for t in self.tensors if not t.echo]


@dataclass
class Completion:
    """One completion candidate for a prefix at the cursor."""

    text: str  # the full replacement for the word being completed
    # "keyword" is a keyword argument of the call at the cursor, completed as "lr=";
    # Python keywords (lambda, import) are "name"s.
    kind: Literal["name", "attribute", "keyword", "module", "command"] = "name"
    start: int = 0  # offset in the source where the replaced word starts


@dataclass
class BackwardStepInfo:
    """One node visited by a step-by-step backward (``:step o``)."""

    node: str  # GraphNode id
    name: str
    grad_in: str  # preview of the gradient flowing into this node
    rules: list[str]  # local rule per input, from the op table, in the inputs' own names
    grads_out: list[str | None]  # preview of the gradient passed to each next node
    targets: list[str | None]  # ids of the next nodes (None for constants)
    # per input: "x", "<AddBackward0>" (no name), a constant's name or value, "<constant>"
    inputs: list[str | None] = field(default_factory=list)
    locals: list[str | None] = field(default_factory=list)  # per input: the local derivative,
    #                                                          where the rule is per-element
    summed: list[bool] = field(default_factory=list)  # per input: summed to its shape
    output: str = ""  # this node's result: "y", or "<MulBackward0>" when it has no name
    op: str = ""  # the op table row (what :source shows)
    # the gradient as it arrived, before the register_hook hooks of the node's result ran
    # (None without hooks: then grad_in is what arrived); how many hooks ran
    hooked_from: str | None = None
    hooks: int = 0


@dataclass
class LeafUpdate:
    """A leaf at the end of a step-by-step backward: what its ``.grad`` would become."""

    name: str
    node: str | None  # its AccumulateGrad's GraphNode id
    grad: str  # the gradient that reaches it (after its hooks)
    before: str | None  # its .grad now (None: no gradient yet)
    after: str  # before + grad: backward accumulates
    hooked_from: str | None = None  # the gradient before the leaf's register_hook hooks ran
    hooks: int = 0


@dataclass
class BackwardTrace:
    """A whole step-by-step backward: the steps in execution order and the final leaf grads."""

    root: str  # the tensor's name
    steps: list[BackwardStepInfo] = field(default_factory=list)
    leaf_grads: dict[str, str] = field(default_factory=dict)  # variable name -> grad preview
    error: str | None = None  # e.g. the "second time" error, if the walk cannot run
    leaves: list[LeafUpdate] = field(default_factory=list)  # what each leaf's .grad becomes


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}
_SCALARS = (str, int, float, bool, type(None))


def to_dict(obj: Any) -> Any:
    """Dataclass (or container of them) -> plain JSON-able data.

    Same result as ``dataclasses.asdict`` but several times faster: ``asdict`` deep-copies every
    leaf value, and a snapshot of a big graph holds thousands of nodes (it ran after every cell).
    """
    if isinstance(obj, _SCALARS):
        return obj
    names = _FIELD_NAMES.get(type(obj))
    if names is None and hasattr(obj, "__dataclass_fields__"):
        names = _FIELD_NAMES[type(obj)] = tuple(f.name for f in fields(obj))
    if names is not None:
        return {name: to_dict(getattr(obj, name)) for name in names}
    if isinstance(obj, dict):
        return {k: to_dict(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [to_dict(v) for v in obj]
    return obj


def from_dict(cls: type[T], data: dict[str, Any]) -> T:
    """Rebuild a dataclass of this module from ``to_dict`` output."""
    nested: dict[str, Any] = {
        "output": lambda v: [StreamChunk(**c) for c in v],
        # CellResult.error is an ErrorInfo; BackwardTrace.error is plain text and stays as it is.
        "error": lambda v: ErrorInfo(**v) if isinstance(v, dict) else v,
        "warnings": lambda v: [WarningInfo(**w) for w in v],
        "saved": lambda v: [SavedValue(**s) for s in v],
        "tensors": lambda v: [TensorInfo(**t) for t in v],
        "nodes": lambda v: {k: from_dict(GraphNode, n) for k, n in v.items()},
        "steps": lambda v: [BackwardStepInfo(**s) for s in v],
        "leaves": lambda v: [LeafUpdate(**leaf) for leaf in v],
    }
    names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    kwargs = {}
    for key, value in data.items():
        if key not in names:
            continue  # tolerate newer kernels that send more fields
        conv = nested.get(key)
        kwargs[key] = conv(value) if conv is not None and value is not None else value
    return cls(**kwargs)


@dataclass
class ExecuteReply:
    """The kernel's answer to one cell: the result, and the snapshot taken right after it.

    ``source`` is the cell it answers. The client fills it in from its own request (it never
    travels back over the pipe), so lesson feedback can read what the learner typed.
    """

    result: CellResult
    snapshot: Snapshot | None = None
    source: str = ""

    @staticmethod
    def from_json(data: dict[str, Any], source: str = "") -> ExecuteReply:
        snap = data.get("snapshot")
        return ExecuteReply(
            result=from_dict(CellResult, data["result"]),
            snapshot=None if snap is None else from_dict(Snapshot, snap),
            source=source,
        )
