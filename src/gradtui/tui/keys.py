"""Every key of the workspace, in one place, for the help screen (the bindings themselves live
in the app and its widgets: a key added there must be listed here too)."""

from __future__ import annotations

# (keys, where, what) - the help screen prints these rows in this order.
KEYS: list[tuple[str, str, str]] = [
    ("Enter", "input", "run the cell if complete, else a new line (empty line ends a block); "
     "while a cell runs the text is kept for later"),
    ("Ctrl+J / Alt+Enter", "input", "new line without running (multi-line cells)"),
    ("Up / Down", "input", "previous / next cell from history (on the first / last line)"),
    ("Tab", "input", "complete the name before the cursor (a list when several match)"),
    ("Escape", "input", "leave the input: focus the shown panel (the log at 80 columns)"),
    ("any letter", "panels", "typing in a panel types into the input"),
    ("Ctrl+C", "anywhere", "interrupt the running cell"),
    ("F9", "anywhere", "restart the kernel (empty namespace); also :restart"),
    ("F1", "anywhere", "this help; ? too when not typing"),
    ("F2", "anywhere", "the REPL log (and focus the input)"),
    ("F3 / F4 / F5", "anywhere", "the Tensors / Graph / Gradients panel"),
    ("F6", "anywhere", "the lesson pane (in a lesson)"),
    ("Ctrl+P", "anywhere", "command palette (export DOT, step backward, ...)"),
    ("Ctrl+Q", "anywhere", "quit"),
    ("Enter", "Tensors", "show the row's tensor in the Graph panel"),
    ("Arrows, PgUp/PgDn", "Graph", "scroll the drawing"),
    ("Home / End", "Graph", "the leaves (top) / the output (bottom)"),
    ("Tab / Shift+Tab", "Graph", "next / previous node: centred, and what it is, its inputs, "
     "what it saved, its gradient"),
    ("Ctrl+G", "Graph", "show each node's value and gradient in its box, or why the value "
                        "is gone (freed by backward); again: hide"),
    ("Ctrl+F", "Graph", "fit more: compact boxes (Mul for MulBackward0 [2]); again: full"),
    ("Enter", "Graph", "step through the backward of the shown tensor; then the next node"),
    ("Right / Left", "Graph", "during the walk: next / previous node"),
    ("Escape", "Graph", "end the walk, else drop the chosen node, else back to the input"),
    ("Ctrl+E", "Graph", "export the shown graph as Graphviz DOT"),
]

COLON_COMMANDS: list[tuple[str, str]] = [
    (":step NAME", "walk NAME.backward() node by node in the Graph panel"),
    (":dot NAME [FILE]", "the graph of NAME as Graphviz DOT (to FILE, else shown in the log)"),
    (":doc NAME", "NAME's signature and docstring in the log (e.g. :doc torch.sum); nothing runs"),
    (":tensors", "show the Tensors panel"),
    (":graph [NAME]", "show the Graph panel: NAME's graph, or (no NAME) the last result's"),
    (":grads", "show the Gradients panel"),
    (":restart", "restart the kernel"),
    (":help", "this help"),
]
