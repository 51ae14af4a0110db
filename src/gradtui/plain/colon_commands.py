"""The plain REPL's built-in ``:commands``: the panels of the workspace, as text.

Each command reads a fresh snapshot from the kernel and renders it with ``gradtui.kernel.views``;
none of them runs learner code.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from gradtui.kernel import step_text, views
from gradtui.kernel.doc_text import wrap_doc

if TYPE_CHECKING:
    from gradtui.kernel.client import KernelClient
    from gradtui.kernel.protocol import Snapshot

HELP = """\
Type Python; `import torch` gives gradtui's autograd engine. A cell runs when
it is complete: a block (for, def, if ...) ends with an empty line.

Commands:
  :tensors          every tensor: shape, dtype, requires_grad, is_leaf,
                    grad_fn, values
  :graph [NAME]     the autograd graph of NAME as a tree, output first, leaves
                    last (without NAME: of the value just shown)
                    (constant = a number or a tensor that does not require
                     grad; (*1) marks a node used twice, shown once)
  :grads            the .grad of every leaf that requires grad
  :step NAME        NAME.backward() node by node, without running it: the
                    gradient each node gets, its rule with your names and
                    numbers, what each leaf's .grad would become
                    (without NAME: the value just shown)
  :doc NAME         the signature and docstring of NAME (e.g. :doc torch.sum)
  :source NAME      the op-table row behind NAME's grad_fn: its rules and the
                    code of its gradient (or :source mul, :source MulBackward0)
  :dot NAME [FILE]  the graph of NAME as Graphviz DOT (written to FILE if
                    given; render with: dot -Tsvg FILE -o graph.svg)
  :restart          a fresh kernel (all variables are lost)
  :help             this text
  :quit             leave (Ctrl-D works too)

Keys: Tab completes, Up/Down and Ctrl-R search the history, Ctrl-C stops a
running cell (or clears the line), Ctrl-D on an empty line leaves."""

BUILTIN_COMMANDS = ("tensors", "graph", "grads", "step", "source", "dot", "doc", "restart",
                    "help", "quit")


def _width() -> int:
    """The terminal's columns (80 for a pipe): long lines of a walk wrap under their indent."""
    return max(40, shutil.get_terminal_size((80, 24)).columns - 1)


class CommandError(Exception):
    """A command could not run; the message says why and what to type instead."""


def _tensor_name(command: str, arg: str, snap: Snapshot) -> str:
    """The NAME argument, or the tensor the last cell echoed when it is left out."""
    name = arg.split()[0] if arg.split() else ""
    if name:
        return name
    if snap.last_value and snap.tensor(snap.last_value) is not None:
        return snap.last_value
    raise CommandError(f"usage: :{command} NAME   (for example :{command} o)")


def _view(call: Callable[[], str]) -> str:
    try:
        return call()
    except views.ViewError as exc:
        raise CommandError(str(exc)) from None


def run_builtin(client: KernelClient, name: str, arg: str, *, ascii: bool = False) -> str:
    """The text output of the built-in command ``:name arg`` (not ``restart``/``quit``).

    Raises ``CommandError`` for a usage error or an unknown name, and ``KernelDied`` when the
    kernel is gone (the caller reports that).
    """
    if name == "help":
        return HELP
    if name == "tensors":
        return views.tensors_table(client.snapshot(), ascii=ascii)
    if name == "grads":
        return views.grads_table(client.snapshot(), ascii=ascii)
    if name == "graph":
        snap = client.snapshot()
        tensor = _tensor_name("graph", arg, snap)
        return _view(lambda: views.graph_tree(snap, tensor, ascii=ascii))
    if name == "step":
        tensor = _tensor_name("step", arg, client.snapshot())
        return step_text.whole_walk(client.trace_backward(tensor), _width())
    if name == "source":
        return _source(client, arg)
    if name == "dot":
        return _dot(client, arg)
    if name == "doc":
        return _doc(client, arg.strip())
    raise CommandError(f"unknown command :{name}  (type :help for the list)")


def _doc(client: KernelClient, name: str) -> str:
    if not name:
        raise CommandError("usage: :doc NAME   (for example :doc torch.sum)")
    text = client.inspect(name)  # looked up statically in the kernel: nothing runs
    if text is None:
        raise CommandError(f"nothing known about {name!r} (is it defined? imported?)")
    return wrap_doc(text, _width())


def _source(client: KernelClient, arg: str) -> str:
    name = arg.strip() or _tensor_name("source", arg, client.snapshot())
    text = client.source(name)  # read from the engine's own table in the kernel
    if text is None:
        raise CommandError(f"{name!r} is no tensor, op (like mul) or grad_fn (like "
                           "MulBackward0)")
    return text


def _dot(client: KernelClient, arg: str) -> str:
    parts = arg.split(None, 1)
    snap = client.snapshot()
    tensor = _tensor_name("dot", arg, snap)
    dot = _view(lambda: views.to_dot(snap, tensor))
    if len(parts) < 2:
        return dot.rstrip("\n")
    path = Path(parts[1].strip()).expanduser()
    try:
        path.write_text(dot, encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"could not write {path}: {exc.strerror or exc}") from None
    return f"wrote the graph of {tensor} to {path}  (render: dot -Tsvg {path} -o {tensor}.svg)"
