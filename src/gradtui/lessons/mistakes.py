"""The autograd errors and warnings learners meet: one row each, explained, with the lesson step
that teaches it.

Lesson feedback starts from what a cell raised or warned: the first row whose ``type`` and
``pattern`` match (and ``line``, when a row needs the learner's failing line to tell two causes
apart) explains it in plain words and points at the step that teaches it. Patterns match torch
2.13's exact messages, which the engine reproduces; every row's ``example`` is run by the tests,
in the engine and in real torch, and must land on that row. Rows are tried in order, so a
narrower row (``line`` set) comes before the general one with the same message.

Fields: ``id`` (stable, for tests and teachers' notes), ``type`` (the exception or warning
class name, without module), ``pattern`` (a regular expression searched in the message),
``explain`` (Markdown-ish: inline code in backticks), ``lesson`` and ``step`` (the built-in
lesson id and step title that teach it; empty when no step does), ``line`` (a regular
expression the failing line of the learner's code must match), ``example`` (cell code, run
after ``import torch``, that makes it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Mistake:
    id: str
    type: str
    pattern: str
    explain: str
    example: str
    lesson: str = ""
    step: str = ""
    line: str = ""

    def matches(self, type_name: str, message: str, line: str = "") -> bool:
        """Whether an exception or warning of ``type_name`` saying ``message``, raised by the
        learner's ``line`` (if known), is this mistake."""
        if type_name.rsplit(".", 1)[-1] != self.type:
            return False
        if not re.search(self.pattern, message):
            return False
        return not self.line or bool(re.search(self.line, line))


MISTAKES: tuple[Mistake, ...] = (
    # --- backward and its graph ---------------------------------------------------------------
    Mistake(
        "non-scalar-backward", "RuntimeError",
        r"^grad can be implicitly created only for scalar outputs",
        "`backward()` with no argument starts from one number, like a loss, but this tensor "
        "holds several. Reduce it to one number first (`y.sum().backward()`, "
        "`y.mean().backward()`), or pass a gradient of its shape: "
        "`y.backward(torch.ones_like(y))`.",
        "x = torch.ones(2, requires_grad=True)\ny = x * 2\ny.backward()",
        lesson="gradients", step="The gradient argument"),
    Mistake(
        "grad-call-freed-graph", "RuntimeError",
        r"^Trying to backward through the graph a second time",
        "`torch.autograd.grad` frees the graph it walks, as `backward()` does, so an earlier "
        "call on this output used it up. Compute the output again from its inputs (`y = x ** 3`) "
        "before the next call; `create_graph=True` on a call keeps what a derivative of its "
        "result needs.",
        "x = torch.tensor(3.0, requires_grad=True)\ny = x ** 3\ng = torch.autograd.grad(y, x)\n"
        "g = torch.autograd.grad(y, x)",
        lesson="second-derivatives", step="A third derivative", line=r"autograd\.grad\("),
    Mistake(
        "backward-twice", "RuntimeError",
        r"^Trying to backward through the graph a second time",
        "A backward pass frees the values the graph saved, so this graph was already used up by "
        "an earlier `backward()`. Compute the result again from its inputs to build a fresh "
        "graph, or give the first call `retain_graph=True` if you mean to walk the same graph "
        "twice.",
        "x = torch.ones(2, requires_grad=True)\no = (x * x).sum()\no.backward()\no.backward()",
        lesson="gradients", step="Mistake 2: backward twice"),
    Mistake(
        "gradient-shape", "RuntimeError",
        r"^Mismatch in shape: grad_output\[\d+\] has a shape of ",
        "The gradient passed to `backward(...)` must have exactly the output's shape. A "
        "one-number output, like a loss, needs no argument at all: `o.backward()`.",
        "x = torch.ones(2, requires_grad=True)\no = x.sum()\no.backward(torch.ones(2))",
        lesson="gradients", step="Mistake 1: a gradient of the wrong shape"),
    Mistake(
        "grad-of-a-constant", "RuntimeError",
        r"^element \d+ of tensors does not require grad and does not have a grad_fn",
        "This output has no graph, so there is nothing to differentiate: its inputs were made "
        "without `requires_grad=True`, or, if it is a derivative you computed, the call that "
        "made it lacked `create_graph=True` (which records how a gradient was found: "
        "`(dy,) = torch.autograd.grad(y, x, create_graph=True)`).",
        "x = torch.tensor(3.0, requires_grad=True)\n(g,) = torch.autograd.grad(x ** 3, x)\n"
        "torch.autograd.grad(g, x)",
        lesson="second-derivatives", step="A number has no derivative", line=r"autograd\.grad\("),
    Mistake(
        "no-grad-fn", "RuntimeError",
        r"^element \d+ of tensors does not require grad and does not have a grad_fn",
        "Nothing connects this tensor to one that requires grad: its inputs were made without "
        "`requires_grad=True`, or it was computed under `torch.no_grad()` or from a "
        "`.detach()`ed tensor. Create the inputs with `requires_grad=True` and compute it again.",
        "x = torch.ones(2)\n(x * 2).sum().backward()",
        lesson="variables", step="A tensor that requires grad"),
    Mistake(
        "unused-input", "RuntimeError",
        r"^The differentiated Tensor at index \d+ appears to not have been used in the graph",
        "One of the inputs you asked `torch.autograd.grad` about was not used to compute the "
        "output, so it has no gradient to give. Check the list of inputs, or pass "
        "`allow_unused=True` to get `None` for it.",
        "x = torch.tensor(3.0, requires_grad=True)\nz = torch.tensor(1.0, requires_grad=True)\n"
        "torch.autograd.grad(x ** 3, [x, z])",
        lesson="second-derivatives", step="The derivative, as a tensor"),
    Mistake(
        "grad-returns-a-tuple", "AttributeError",
        r"^'tuple' object has no attribute",
        "`torch.autograd.grad` returns a tuple, one gradient per input: unpack it, "
        "`(dy,) = torch.autograd.grad(y, x)`, or take its `[0]`.",
        "x = torch.tensor(3.0, requires_grad=True)\ndy = torch.autograd.grad(x ** 3, x)\n"
        "dy.grad_fn",
        lesson="second-derivatives", step="The derivative, as a tensor"),
    # --- in-place changes ---------------------------------------------------------------------
    Mistake(
        "saved-tensor-modified", "RuntimeError",
        r"^one of the variables needed for gradient computation has been modified by an "
        r"inplace operation",
        "An operation saved a tensor it needs for backward, and that tensor was changed in place "
        "afterwards (a method ending in `_`, `+=`, or `t[i] = ...`), so the saved value is "
        "gone. Use the out-of-place form (`p = p + 1` instead of `p += 1`), or change a "
        "`.clone()` instead.",
        "a = torch.ones(2, requires_grad=True)\np = a.exp()\np += 1\np.sum().backward()",
        lesson="reading-the-graph", step="In-place changes and saved values"),
    Mistake(
        "leaf-in-place", "RuntimeError",
        r"^a (view of a )?leaf Variable that requires grad is being used in an in-place "
        r"operation",
        "PyTorch will not change a leaf that requires grad in place while it is tracking "
        "operations. Update weights inside `with torch.no_grad():`, and to clear a gradient "
        "change `w.grad` (`w.grad.zero_()`), not `w` itself.",
        "w = torch.ones(2, requires_grad=True)\nw -= 0.1",
        lesson="accumulation", step="Change weights without tracking"),
    Mistake(
        "requires-grad-of-non-leaf", "RuntimeError",
        r"^you can only change requires_grad flags of leaf variables",
        "Only tensors you created (leaves) can switch `requires_grad`; a computed tensor's flag "
        "follows from its inputs. For the same numbers without the graph, use `t.detach()`.",
        "x = torch.ones(2, requires_grad=True)\ny = x * 2\ny.requires_grad = False",
        lesson="reading-the-graph", step="detach(): step off the graph"),
    # --- leaving the graph --------------------------------------------------------------------
    Mistake(
        "numpy-of-tracked", "RuntimeError",
        r"^Can't call numpy\(\) on Tensor that requires grad",
        "`.numpy()` would hand out numbers that autograd can no longer follow, so PyTorch asks "
        "you to step off the graph first: `t.detach().numpy()`.",
        "x = torch.ones(2, requires_grad=True)\nx.numpy()",
        lesson="reading-the-graph", step="detach(): step off the graph"),
    Mistake(
        "item-of-many", "RuntimeError",
        r"^a Tensor with \d+ elements cannot be converted to Scalar",
        "`.item()` turns a one-number tensor into a Python number, and this tensor holds several. "
        "Reduce it first (`t.sum().item()`, `t.mean().item()`), take one entry "
        "(`t[0].item()`), or use `t.tolist()` for all of them.",
        "x = torch.ones(2)\nx.item()",
        lesson="gradient-descent", step="A loop"),
    Mistake(
        "grad-is-none", "AttributeError",
        r"^'NoneType' object has no attribute",
        "`.grad` is `None` until a backward pass reaches the tensor (and again after "
        "`zero_grad()`, which sets it to `None`): there is nothing in it yet. Call "
        "`.backward()` on a result computed from the tensor first.",
        "w = torch.ones(2, requires_grad=True)\nw.grad.zero_()",
        lesson="accumulation", step="Or reset to None", line=r"\.grad\b"),
    # --- dtypes -------------------------------------------------------------------------------
    Mistake(
        "integer-requires-grad", "RuntimeError",
        r"^(Only|only) Tensors of floating point( and complex)? dtype can require gradients",
        "This tensor holds integers (dtype `torch.int64`, which PyTorch calls Long), and only "
        "floats have gradients: write the numbers with a decimal point, "
        "`torch.tensor([1.0, 2.0], requires_grad=True)`, or add `dtype=torch.float32`.",
        "x = torch.tensor([1, 2], requires_grad=True)",
        lesson="accumulation", step="A weight vector"),
    Mistake(
        "long-and-float", "RuntimeError",
        r"must have the same dtype|expected m1 and m2 to have the same dtype|"
        r"result type \w+ can't be cast to the desired output type|"
        r"^mean\(\): could not infer output dtype",
        "These numbers are integers (dtype `torch.int64`, \"Long\") where floats (\"Float\", "
        "`torch.float32`) are needed. Make the integer tensor a float one, `t.float()`, or "
        "create it with decimal points: `torch.tensor([1.0, 2.0])`.",
        "torch.ones(2, 2) @ torch.tensor([[1], [2]])",
        lesson="accumulation", step="A weight vector"),
    # --- shapes -------------------------------------------------------------------------------
    Mistake(
        "broadcast-sizes", "RuntimeError",
        r"^The size of tensor a \(\d+\) must match the size of tensor b \(\d+\) at "
        r"non-singleton dimension",
        "Element-by-element operations need matching shapes, or shapes that broadcast (a size "
        "of 1 stretches to match the other). Compare the two tensors' `.shape`, and `reshape` "
        "or `unsqueeze` one of them so the sizes line up.",
        "torch.ones(3) + torch.ones(2)",
        lesson="linear-regression", step="Predictions and the loss"),
    Mistake(
        "matmul-shapes", "RuntimeError",
        r"^mat1 and mat2 shapes cannot be multiplied",
        "A matrix product needs the inner sizes to agree: (a×b) @ (b×c). An `nn.Linear(in, out)` "
        "layer wants its input as rows, one per example, with `in` columns: "
        "`X.reshape(-1, 1)` makes a column of a flat tensor.",
        "from torch import nn\nnn.Linear(1, 1)(torch.ones(20))",
        lesson="nn-and-optim", step="Data, one row per example"),
    Mistake(
        "view-size", "RuntimeError",
        r"^shape '\[[-\d, ]*\]' is invalid for input of size \d+",
        "`reshape` and `view` keep every element, so the new sizes must multiply to the "
        "tensor's number of elements (`t.numel()`). Write -1 for one size to have it worked "
        "out: `t.reshape(-1, 1)`.",
        "torch.ones(6).view(4, 2)",
        lesson="nn-and-optim", step="Data, one row per example"),
    # --- warnings -----------------------------------------------------------------------------
    Mistake(
        "non-leaf-grad", "UserWarning",
        r"^The \.grad attribute of a Tensor that is not a leaf Tensor is being accessed",
        "Only leaves (tensors you created with `requires_grad=True`) keep a `.grad`; this tensor "
        "was computed from others, so its `.grad` stays `None`. Read the leaf's `.grad` "
        "instead, or call `t.retain_grad()` before backward to keep this one.",
        "x = torch.ones(2, requires_grad=True)\ny = x * 2\ny.sum().backward()\ny.grad",
        lesson="reading-the-graph", step="retain_grad() keeps an intermediate gradient"),
    Mistake(
        "loss-broadcast", "UserWarning",
        r"^Using a target size \(.*\) that is different to the input size",
        "The prediction and the target have different shapes, so the loss compared every "
        "prediction with every target (broadcasting): its value is wrong even when it looks "
        "plausible. Make the two shapes equal (`pred.shape == Y.shape`), for example by not "
        "adding a dimension with `unsqueeze`, or removing one with `.squeeze(1)`.",
        "import torch.nn.functional as F\nF.mse_loss(torch.ones(3, 1), torch.ones(3))",
        lesson="linear-regression", step="Predictions and the loss"),
    Mistake(
        "scalar-of-tracked", "UserWarning",
        r"^Converting a tensor with requires_grad=True to a scalar",
        "`float(t)` and friends drop the graph silently. Use `t.item()` for a plain number, or "
        "`t.detach()` to keep a tensor without the graph.",
        "x = torch.ones((), requires_grad=True)\nfloat(x)",
        lesson="reading-the-graph", step="detach(): step off the graph"),
    # --- plain Python -------------------------------------------------------------------------
    Mistake(
        "misspelt-keyword", "TypeError",
        r"got an unexpected keyword argument 'require_grad'",
        "It is `requires_grad`, with an s: `torch.ones(2, requires_grad=True)`.",
        "torch.ones(2, require_grad=True)",
        lesson="variables", step="A tensor that requires grad"),
    Mistake(
        "not-defined", "NameError",
        r"^name '\w+' is not defined",
        "That name does not exist in this session yet. Run the code that creates it (an import, "
        "or an earlier step's code: `:reset`, F12 in the workspace, rebuilds what the earlier "
        "steps made).",
        "never_defined_anywhere"),
    Mistake(
        "syntax", "SyntaxError",
        r"",
        "Python could not read this cell. The caret `^` in the traceback points near the "
        "problem: often a missing bracket, colon or quote.",
        "x = (1, 2"),
    Mistake(
        "indentation", "IndentationError",
        r"",
        "The indentation of a line does not fit: lines inside a `for` or `with` block are "
        "indented 4 spaces deeper than the line that opens it, and the others not at all.",
        "for i in range(2):\nprint(i)"),
)


def find_mistake(type_name: str, message: str, line: str = "") -> Mistake | None:
    """The first catalogue row that explains this exception or warning, or None."""
    return next((m for m in MISTAKES if m.matches(type_name, message, line)), None)


def mistake(mistake_id: str) -> Mistake:
    """The row with this id (KeyError if there is none)."""
    for row in MISTAKES:
        if row.id == mistake_id:
            return row
    raise KeyError(mistake_id)
