"""torch.nn.functional and friends: relu, mse_loss, softmax, log_softmax, cross_entropy, linear."""

TOPIC = "functional"

_X = "x = torch.tensor([[1., 2., 3.], [1., 0., -1.]], requires_grad=True)"


def _grad_case(setup: str, expr: str, leaves: tuple[str, ...] = ("x",), weight: bool = True
               ) -> str:
    lines = [setup, f"y = {expr}", "print(y)", "print(y.grad_fn.name())"]
    # Softmax rows sum to 1, so a plain .sum() has zero gradient: weight the outputs.
    if weight:
        lines.append("(y * torch.arange(1., y.numel() + 1).reshape(y.shape)).sum().backward()")
    else:
        lines.append("y.backward()")
    lines += [f"print({leaf}.grad)" for leaf in leaves]
    return "\n".join(lines)


CASES = [
    ("F_relu", _grad_case(_X, "F.relu(x)")),
    ("F_relu_int", "print(F.relu(torch.tensor([-1, 2])))"),
    ("F_softmax_dim1", _grad_case(_X, "F.softmax(x, dim=1)")),
    ("F_softmax_dim0", _grad_case(_X, "F.softmax(x, dim=0)")),
    ("torch_softmax", _grad_case(_X, "torch.softmax(x, 1)")),
    ("method_softmax", _grad_case(_X, "x.softmax(-1)")),
    ("softmax_large_values_stable",
     _grad_case("x = torch.tensor([1000., 1001., 1002.], requires_grad=True)",
                "F.softmax(x, dim=0)")),
    ("F_log_softmax", _grad_case(_X, "F.log_softmax(x, dim=1)")),
    ("torch_log_softmax", _grad_case(_X, "torch.log_softmax(x, dim=0)")),
    ("method_log_softmax", _grad_case(_X, "x.log_softmax(1)")),
    ("F_mse_loss",
     _grad_case(_X + "\nt = torch.tensor([[0., 2., 1.], [1., 1., 1.]])",
                "F.mse_loss(x, t)", weight=False)),
    ("F_mse_loss_sum",
     _grad_case(_X + "\nt = torch.zeros(2, 3)", "F.mse_loss(x, t, reduction='sum')",
                weight=False)),
    ("F_mse_loss_none",
     _grad_case(_X + "\nt = torch.zeros(2, 3)", "F.mse_loss(x, t, reduction='none')")),
    ("F_mse_loss_both_grad",
     _grad_case("x = torch.tensor([1., 2.], requires_grad=True)\n"
                "t = torch.tensor([0., 0.5], requires_grad=True)", "F.mse_loss(x, t)",
                ("x", "t"), weight=False)),
    ("F_cross_entropy",
     _grad_case(_X + "\nlabels = torch.tensor([2, 0])", "F.cross_entropy(x, labels)",
                weight=False)),
    ("F_cross_entropy_sum",
     _grad_case(_X + "\nlabels = torch.tensor([0, 1])",
                "F.cross_entropy(x, labels, reduction='sum')", weight=False)),
    ("F_cross_entropy_none",
     _grad_case(_X + "\nlabels = torch.tensor([1, 2])",
                "F.cross_entropy(x, labels, reduction='none')")),
    ("F_cross_entropy_grad_fn_chain",
     _X + "\nloss = F.cross_entropy(x, torch.tensor([2, 0]))\n"
     "print(loss.grad_fn.name())\nprint(loss.grad_fn.next_functions[0][0].name())"),
    ("F_linear_with_bias",
     _grad_case("x = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True)\n"
                "W = torch.tensor([[0.5, -1.], [1., 1.], [0., 2.]], requires_grad=True)\n"
                "b = torch.tensor([0.1, 0.2, 0.3], requires_grad=True)", "F.linear(x, W, b)",
                ("x", "W", "b"))),
    ("F_linear_no_bias",
     _grad_case("x = torch.tensor([[1., 2.]], requires_grad=True)\n"
                "W = torch.tensor([[0.5, -1.], [1., 1.]], requires_grad=True)",
                "F.linear(x, W)", ("x", "W"))),
    ("F_sigmoid_tanh",
     "x = torch.tensor([0., 1.])\nprint(torch.sigmoid(x), torch.tanh(x))\n"
     "print(F.sigmoid(x), F.tanh(x))"),
    ("mlp_step",
     "x = torch.tensor([[1., 2.], [0., -1.], [3., 0.5]])\n"
     "W1 = torch.tensor([[0.1, 0.2], [-0.3, 0.4], [0.5, -0.6]], requires_grad=True)\n"
     "b1 = torch.zeros(3, requires_grad=True)\n"
     "W2 = torch.tensor([[1., -1., 0.5], [0.2, 0.3, -0.4]], requires_grad=True)\n"
     "h = F.relu(x @ W1.t() + b1)\nlogits = h @ W2.t()\n"
     "loss = F.cross_entropy(logits, torch.tensor([0, 1, 1]))\n"
     "print(loss)\nloss.backward()\nprint(W1.grad)\nprint(b1.grad)\nprint(W2.grad)\n"
     "with torch.no_grad():\n    W1 -= 0.1 * W1.grad\nprint(W1)"),
    ("nn_module_import", "import torch.nn as nn\nprint(nn.functional is F)"),
    ("F_linear_1d_input_graph",
     "x = torch.tensor([1., 2., -1.], requires_grad=True)\n"
     "W = torch.tensor([[0.5, -1., 2.], [1., 1., 1.]], requires_grad=True)\n"
     "b = torch.tensor([0.1, -0.2], requires_grad=True)\ny = F.linear(x, W, b)\nprint(y)\n"
     "print(y.grad_fn.name(), y.grad_fn.next_functions[0][0].name())\ny.sum().backward()\n"
     "print(x.grad, W.grad, b.grad, sep='\\n')"),
    ("F_linear_3d_input_graph",
     "x = torch.ones(2, 2, 3, requires_grad=True)\n"
     "W = torch.tensor([[0.5, -1., 2.], [1., 1., 1.]], requires_grad=True)\n"
     "b = torch.tensor([0.1, -0.2], requires_grad=True)\ny = F.linear(x, W, b)\nprint(y)\n"
     "print(y.grad_fn.name(), y.grad_fn.next_functions[0][0].name())\ny.sum().backward()\n"
     "print(W.grad, b.grad, sep='\\n')"),
    ("softmax_sum_backward_rounding",
     "x = torch.tensor([[1., -2., 3.], [-0.5, 0.25, 4.]], requires_grad=True)\n"
     "x.softmax(0).sum().backward()\nprint(x.grad)"),
    ("amax_grad_fn",
     "x = torch.tensor([[1., 5.], [3., 2.]], requires_grad=True)\ny = x.amax(1)\n"
     "print(y, y.grad_fn.name())"),
    # Loss options found by a functional sweep (label_smoothing was silently ignored).
    ("cross_entropy_label_smoothing",
     "x = torch.tensor([[1., -2., 3.], [0.5, 0., -1.]], requires_grad=True)\n"
     "loss = F.cross_entropy(x, torch.tensor([2, 0]), label_smoothing=0.1)\nprint(loss)\n"
     "loss.backward()\nprint(x.grad)"),
    ("cross_entropy_default_ignore_index",
     "x = torch.tensor([[1., -2., 3.], [0.5, 0., -1.]], requires_grad=True)\n"
     "loss = F.cross_entropy(x, torch.tensor([2, -100]))\nprint(loss)\nloss.backward()\n"
     "print(x.grad)"),
    ("cross_entropy_ignore_index",
     "x = torch.tensor([[1., -2., 3.], [0.5, 0., -1.]])\n"
     "print(F.cross_entropy(x, torch.tensor([2, 1]), ignore_index=1))"),
    ("cross_entropy_probability_targets",
     "x = torch.tensor([[1., -2., 3.], [0.5, 0., -1.]], requires_grad=True)\n"
     "p = torch.tensor([[0.1, 0.2, 0.7], [1., 0., 0.]])\nloss = F.cross_entropy(x, p)\n"
     "print(loss)\nloss.backward()\nprint(x.grad)"),
    ("cross_entropy_weight",
     "x = torch.tensor([[1., -2., 3.], [0.5, 0., -1.]], requires_grad=True)\n"
     "loss = F.cross_entropy(x, torch.tensor([2, 0]), weight=torch.tensor([1., 2., 3.]))\n"
     "print(loss)\nloss.backward()\nprint(x.grad)"),
    ("mse_loss_legacy_size_average",
     "x = torch.tensor([1., 2.], requires_grad=True)\n"
     "print(F.mse_loss(x, torch.zeros(2), size_average=False))"),
    ("mse_loss_legacy_elementwise_mean",
     "print(F.mse_loss(torch.tensor([1., 2.]), torch.zeros(2), reduction='elementwise_mean'))"),
    ("mse_loss_bad_reduction", "F.mse_loss(torch.ones(2), torch.zeros(2), reduction='avg')"),
    ("F_relu_inplace_keyword",
     "x = torch.tensor([-1., 2.])\nprint(F.relu(x, inplace=False), x)\n"
     "print(F.relu(x, inplace=True), x)"),
    ("binary_cross_entropy_and_leaky_relu_names",
     "x = torch.tensor([[1., -2.], [0.5, 0.]], requires_grad=True)\n"
     "b = F.binary_cross_entropy(x.sigmoid(), torch.tensor([[1., 0.], [0., 1.]]))\n"
     "print(b, F.leaky_relu(x).grad_fn.name())"),
    ("log_softmax_backward_digits",
     "x = torch.arange(1., 19.).reshape(3, 2, 3).requires_grad_()\n"
     "y = torch.log_softmax(x, 1)\n(y * torch.arange(1., 19.).reshape(3, 2, 3)).sum().backward()\n"
     "print(x.grad)"),
]
