"""In-place ops and the version counter: views, detach, .data, setitem, non-leaf updates.

Saved values modified in place must raise torch's error (a view or a detached alias shares
the counter, `.data` and `clone()` do not), and legal in-place chains must give torch's
gradients and grad_fn names.
"""

TOPIC = "inplace"

CASES = [
    ("version_via_view",
     "x = torch.ones(2, requires_grad=True)\n"
     "y = x.exp()\n"
     "v = y[0]\n"
     "v.add_(1)\n"
     "y.sum().backward()\n"
     "print(x.grad)"),
    ("version_via_setitem",
     "x = torch.ones(2, requires_grad=True)\n"
     "h = x * 1\n"
     "y = h * h\n"
     "h[0] = 0.\n"
     "y.sum().backward()\n"
     "print(x.grad)"),
    ("version_via_detach",
     "x = torch.ones(2, requires_grad=True)\n"
     "y = x.exp()\n"
     "y.detach().zero_()\n"
     "y.sum().backward()\n"
     "print(x.grad)"),
    ("no_version_via_data",
     "x = torch.ones(2, requires_grad=True)\n"
     "y = x.exp()\n"
     "y.data.zero_()\n"
     "y.sum().backward()\n"
     "print(x.grad)"),
    ("version_counter_value_view",
     "t = torch.ones(3)\n"
     "v = t[1:]\n"
     "v.add_(1)\n"
     "print((t._version, v._version))"),
    ("version_detach_shared",
     "t = torch.ones(3)\n"
     "d = t.detach()\n"
     "d.add_(1)\n"
     "print((t._version, d._version))"),
    ("inplace_after_backward_ok",
     "x = torch.ones(2, requires_grad=True)\n"
     "y = x.exp()\n"
     "y.sum().backward()\n"
     "y.add_(1)\n"
     "print((x.grad, y))"),
    ("exp_saved_then_view_setitem",
     "x = torch.ones(2, 2, requires_grad=True)\n"
     "y = x.exp()\n"
     "y[:, 0] = 0\n"
     "y.sum().backward()\n"
     "print(x.grad)"),
    ("relu_inplace_on_saved",
     "x = torch.tensor([-1., 2.], requires_grad=True)\n"
     "y = x * 1\n"
     "z = y.relu()\n"
     "y.mul_(2)\n"
     "z.sum().backward()\n"
     "print(x.grad)"),
    ("clone_no_shared_version",
     "x = torch.ones(2, requires_grad=True)\n"
     "y = x.exp()\n"
     "c = y.clone()\n"
     "c.add_(1)\n"
     "y.sum().backward()\n"
     "print(x.grad)"),
    ("leaf_version_after_nograd_update",
     "w = torch.ones(2, requires_grad=True)\n"
     "y = (w * w).sum()\n"
     "with torch.no_grad():\n"
     "    w -= 0.1\n"
     "y.backward()\n"
     "print(w.grad)"),
    ("sum_saved_nothing_inplace_ok",
     "x = torch.ones(2, requires_grad=True)\n"
     "h = x * 1\n"
     "y = h.sum()\n"
     "h.add_(5)\n"
     "y.backward()\n"
     "print(x.grad)"),
    ("add_inplace_then_mul",
     "x = torch.ones(2, requires_grad=True)\n"
     "h = x + 0\n"
     "h += x\n"
     "y = h * x\n"
     "y.sum().backward()\n"
     "print(x.grad)"),
    ("inplace_chain_grads",
     "x = torch.tensor([1., 2.], requires_grad=True)\n"
     "h = x * 3\n"
     "h.mul_(x)\n"
     "h.add_(x)\n"
     "h.sum().backward()\n"
     "print(x.grad)"),
    ("div_inplace_nonleaf",
     "x = torch.tensor([1., 2.], requires_grad=True)\n"
     "h = x * 1\n"
     "h.div_(x + 1)\n"
     "h.sum().backward()\n"
     "print(x.grad)"),
    ("sub_inplace_tensor",
     "x = torch.tensor([1., 2.], requires_grad=True)\n"
     "w = torch.tensor([3., 4.], requires_grad=True)\n"
     "h = x * 1\n"
     "h.sub_(w * 2)\n"
     "h.sum().backward()\n"
     "print((x.grad, w.grad, h.grad_fn.name()))"),
    ("zero_nonleaf",
     "x = torch.tensor([1., 2.], requires_grad=True)\n"
     "h = x * 1\n"
     "h.zero_()\n"
     "print((h, h.grad_fn.name()))"),
    ("zero_nonleaf_backward",
     "x = torch.tensor([1., 2.], requires_grad=True)\n"
     "h = x * 1\n"
     "h.zero_()\n"
     "(h + x).sum().backward()\n"
     "print(x.grad)"),
    ("inplace_on_expanded_view_error",
     "x = torch.ones(1, 2)\ny = x.expand(2, 2)\ny.add_(1)"),
    ("inplace_overlapping_operands_error",
     "x = torch.tensor([[1., 2.], [3., 4.]])\nx.t().sub_(x)"),
    # a view made before its base changed in place gets a new grad_fn (AsStridedBackward0 over
    # the base's current graph): gradients through it pass the in-place op
    ("view_after_base_changed_in_place",
     "a = torch.ones(3, requires_grad=True)\nb = a * 2\nc = b[1:]\nb.mul_(3)\n"
     "print(c, c.grad_fn.next_functions[0][0].name())\n"
     "(c * 1).sum().backward()\nprint(a.grad)"),
    ("view_of_leaf_after_no_grad_update",
     "w = torch.ones(2, 3, requires_grad=True)\nv = w.t()\n"
     "with torch.no_grad():\n    w.mul_(5)\nprint(v)\n(v * 2).sum().backward()\nprint(w.grad)"),
    ("saved_view_changed_names_asstrided",
     "w = torch.ones(2, 3, requires_grad=True)\nv = w.t()\ny = (v * v).sum()\n"
     "with torch.no_grad():\n    w.add_(1)\ny.backward()"),
    ("backward_again_after_optimizer_step",
     "import torch.nn as nn\ntorch.manual_seed(0)\n"
     "net = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))\n"
     "opt = torch.optim.SGD(net.parameters(), lr=0.1)\n"
     "loss = net(torch.ones(4, 2)).pow(2).mean()\nloss.backward(retain_graph=True)\n"
     "opt.step()\nloss.backward()"),
]
