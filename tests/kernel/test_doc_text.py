"""A docstring's prose reflowed for narrow screens; its code, lists and formulas kept."""

from __future__ import annotations

from gradtui.kernel.doc_text import reflow, wrap_doc

LINEAR = """y = x W^T + b with W of shape (out_features, in_features) and b of (out_features,).

Initialised like torch: W ~ U(-k, k) and b ~ U(-k, k) with k = 1 / sqrt(in_features)
(kaiming_uniform with a = sqrt(5)), drawn from torch's generator: the same weights as torch
for the same seed."""

SGD = """For each parameter p with gradient g (lr, momentum mu, dampening tau, weight decay wd):

g = g + wd * p                                   (if wd != 0)
b = g  (first step), else  b = mu * b + (1 - tau) * g       (if mu != 0)
g = g + mu * b  (nesterov)  or  g = b
p = p - lr * g"""


def test_a_paragraph_of_prose_becomes_one_line():
    lines = reflow(LINEAR)
    assert lines[2] == ("Initialised like torch: W ~ U(-k, k) and b ~ U(-k, k) with k = 1 / "
                        "sqrt(in_features) (kaiming_uniform with a = sqrt(5)), drawn from "
                        "torch's generator: the same weights as torch for the same seed.")
    assert len(lines) == 3


def test_formulas_code_lists_and_headers_keep_their_lines():
    assert reflow(SGD)[2:] == SGD.split("\n")[2:]
    doc = "Args:\n    x: the input\n    y: the other\n>>> f(1)\n2\n- one item\n  goes on\n- two"
    assert reflow(doc) == ["Args:", "    x: the input", "    y: the other", ">>> f(1)", "2",
                           "- one item", "  goes on", "- two"]


def test_wrap_doc_wraps_prose_at_the_width_and_keeps_the_signature():
    text = wrap_doc("torch.nn.Linear(in_features, out_features, bias=True, device=None)\n\n"
                    + LINEAR, 60)
    lines = text.split("\n")
    assert lines[0].startswith("torch.nn.Linear(") and len(lines[0]) > 60  # never cut
    assert all(len(line) <= 60 for line in lines[1:])
    assert " ".join(" ".join(lines[1:]).split()) == " ".join(LINEAR.split())
