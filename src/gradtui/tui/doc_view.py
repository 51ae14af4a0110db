"""``:doc NAME`` as the workspace's log shows it: the signature in bold, the docstring's
prose reflowed (``kernel/doc_text.py``) so the log wraps it at its width, and again when the
window is resized; code and other non-prose lines kept as written. No Textual here.
"""

from __future__ import annotations

from rich.text import Text

from gradtui.kernel.doc_text import reflow


def doc_text(doc: str) -> Text:
    """What ``:doc`` writes in the log: the first line (the signature) in bold, the rest
    reflowed. Everything is plain text: a docstring is data, never markup."""
    first, _, rest = doc.partition("\n")
    text = Text(first, style="bold")
    for line in reflow(rest) if rest else []:
        text.append("\n")
        text.append(line)
    return text
